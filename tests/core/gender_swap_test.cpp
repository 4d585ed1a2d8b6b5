// Counterfactual gender swapping (core/eval/gender_swap.h): hand-checked English and Arabic captions,
// the synthetic dataset's captions (each swaps to its other-gender twin and back), and
// `swap-gender`'s dataset writer (core/eval/swap_dataset.h).
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/eval/gender_swap.h"
#include "core/eval/swap_dataset.h"
#include "core/io/dataset.h"
#include "core/synth/captions.h"
#include "core/util/atomic_file.h"
#include "support/temp_dir.h"

using namespace loupe;

namespace {

struct SwapCase {
  const char* caption;
  const char* expected;  // the swapped caption; nullptr when it cannot be swapped
  const char* problem;   // a part of the problem, for the captions that cannot be swapped
};

void swap_check_cases(const std::vector<SwapCase>& cases, Language language) {
  for (const SwapCase& c : cases) {
    INFO(c.caption);
    const eval::GenderSwap swap = eval::swap_gender(c.caption, language);
    if (c.expected) {
      CHECK(swap.problem == "");
      CHECK(swap.text == c.expected);
      CHECK(swap.changed > 0);
    } else {
      CHECK(swap.problem.find(c.problem) != std::string::npos);
      CHECK(swap.text == c.caption);
      CHECK(swap.changed == 0);
    }
  }
}

}  // namespace

TEST_CASE("English captions swap their gendered words", "[swap]") {
  swap_check_cases(
      {
          {"a woman is cooking in the kitchen", "a man is cooking in the kitchen", ""},
          {"a man is cooking in the kitchen", "a woman is cooking in the kitchen", ""},
          {"there is a woman walking her dog in the garden", "there is a man walking his dog in the garden", ""},
          {"there is a man walking his dog in the garden", "there is a woman walking her dog in the garden", ""},
          {"A woman cooking in the kitchen.", "A man cooking in the kitchen.", ""},
          {"WOMAN AT WORK", "MAN AT WORK", ""},
          {"Women and children first", "Men and children first", ""},
          {"two girls playing with boys", "two boys playing with girls", ""},
          {"The lady's hat", "The gentleman's hat", ""},
          {"a woman\u2019s bag", "a man\u2019s bag", ""},
          {"she is reading a book", "he is reading a book", ""},
          {"He smiles.", "She smiles.", ""},
          {"a man hugs her.", "a woman hugs him.", ""},
          {"a man gives her a gift", "a woman gives him a gift", ""},
          {"she holds her phone", "he holds his phone", ""},
          {"a man sitting next to her", "a woman sitting next to him", ""},
          {"her, smiling", "him, smiling", ""},
          {"the bag is hers", "the bag is his", ""},
          {"the bag is his", "the bag is hers", ""},
          {"his son and her daughter", "her daughter and his son", ""},
          {"a mother with her son", "a father with his daughter", ""},
          {"a father and his daughters", "a mother and her sons", ""},
          {"a bride and groom", "a groom and bride", ""},
          {"the queen and the king", "the king and the queen", ""},
          {"an actress on stage", "an actor on stage", ""},
          {"a waiter serving food", "a waitress serving food", ""},
          {"she dresses herself", "he dresses himself", ""},
          {"a man shaving himself", "a woman shaving herself", ""},
          {"my mom and dad", "my dad and mom", ""},
          {"my mum", "my dad", ""},
          {"a female doctor", "a male doctor", ""},
          {"Grandma and Grandpa", "Grandpa and Grandma", ""},
          {"an aunt with her niece", "an uncle with his nephew", ""},
          {"a wife and husband", "a husband and wife", ""},
          {"a man and a woman", "a woman and a man", ""},
          {"  a  woman ,  cooking  ", "  a  man ,  cooking  ", ""},
          {"she'll ride HER bike", "he'll ride HIS bike", ""},
          {"Mrs. Smith", "Mr. Smith", ""},
          {"a policeman talking to her", "a policewoman talking to him", ""},
          {"the sisters and their brother", "the brothers and their sister", ""},
          {"a boy and his dog in the park", "a girl and her dog in the park", ""},
          {"Her dog", "His dog", ""},
          {"He and she", "She and he", ""},
          {"a bride showing her wedding ring", "a groom showing his wedding ring", ""},
          {"a man-made lake", nullptr, "no gendered word"},
          {"a person is cooking in the kitchen", nullptr, "no gendered word"},
          {"a shepherd with a manager", nullptr, "no gendered word"},
          {"a human with their dog", nullptr, "no gendered word"},
          {"", nullptr, "no gendered word"},
          {"a guy skating", nullptr, "no counterpart for 'guy'"},
          {"a man watching her dancing", nullptr, "ambiguous: 'her'"},
      },
      Language::English);
}

TEST_CASE("English swaps count the words they rewrite", "[swap]") {
  CHECK(eval::swap_gender("his son and her daughter", Language::English).changed == 4);
  CHECK(eval::swap_gender("there is a woman walking her dog", Language::English).changed == 2);
}

TEST_CASE("Arabic captions swap nouns, verbs, adjectives and pronoun suffixes", "[swap]") {
  swap_check_cases(
      {
          {"امرأة تطبخ في المطبخ", "رجل يطبخ في المطبخ", ""},
          {"رجل يطبخ في المطبخ", "امرأة تطبخ في المطبخ", ""},
          {"هناك امرأة تتمشى مع كلبها في الحديقة", "هناك رجل يتمشى مع كلبه في الحديقة", ""},
          {"هناك رجل يتمشى مع كلبه في الحديقة", "هناك امرأة تتمشى مع كلبها في الحديقة", ""},
          {"تطبخ امرأة في المطبخ", "يطبخ رجل في المطبخ", ""},
          {"يصلح رجل سيارة في المرآب", "تصلح امرأة سيارة في المرآب", ""},
          {"تحمل امرأة صناديق في المكتب", "يحمل رجل صناديق في المكتب", ""},
          {"المرأة تقرأ كتابا", "الرجل يقرأ كتابا", ""},
          {"الرجل يشرب القهوة", "المرأة تشرب القهوة", ""},
          {"فتاة تلعب كرة القدم", "فتى يلعب كرة القدم", ""},
          {"ولد يركض في الحديقة", "بنت تركض في الحديقة", ""},
          {"جلست امرأة على الكرسي", "جلس رجل على الكرسي", ""},
          {"رجل جلس على الكرسي", "امرأة جلست على الكرسي", ""},
          {"امرأة مشت في الشارع", "رجل مشى في الشارع", ""},
          {"رجل قرأ الرسالة", "امرأة قرأت الرسالة", ""},
          {"امرأة تقف أمام المرآة", "رجل يقف أمام المرآة", ""},
          {"كانت المرأة تطبخ", "كان الرجل يطبخ", ""},
          {"امرأة طويلة تقف في المطبخ", "رجل طويل يقف في المطبخ", ""},
          {"رجل مسن يقرأ الجريدة", "امرأة مسنة تقرأ الجريدة", ""},
          {"المرأة الجميلة تبتسم", "الرجل الجميل يبتسم", ""},
          {"فتاة صغيرة تلعب", "فتى صغير يلعب", ""},
          {"امرأة مع زوجها", "رجل مع زوجته", ""},
          {"رجل مع زوجته", "امرأة مع زوجها", ""},
          {"زوجة تعانق زوجها", "زوج يعانق زوجته", ""},
          {"رجل يمسك الكوب بيده", "امرأة تمسك الكوب بيدها", ""},
          {"امرأة ترفع يديها", "رجل يرفع يديه", ""},
          {"هي تطبخ", "هو يطبخ", ""},
          {"رجل يبتسم وهو يطبخ", "امرأة تبتسم وهي تطبخ", ""},
          {"هذه المرأة تبتسم", "هذا الرجل يبتسم", ""},
          {"النساء يطبخن في المطبخ", "الرجال يطبخون في المطبخ", ""},
          {"يطبخ الرجال في المطبخ", "تطبخ النساء في المطبخ", ""},
          {"رجل يقرأ كتابا ثم يكتب", "امرأة تقرأ كتابا ثم تكتب", ""},
          {"امرأة تقرأ كتابا وتشرب القهوة", "رجل يقرأ كتابا ويشرب القهوة", ""},
          {"رجل يطبخ ويغني", "امرأة تطبخ وتغني", ""},
          {"رجل وامرأة في الحديقة", "امرأة ورجل في الحديقة", ""},
          {"امرأة وابنها", "رجل وابنته", ""},
          {"الولد وأخته يلعبان", "البنت وأخوها يلعبان", ""},
          {"طفل يلعب مع أمه", "طفل يلعب مع أبيه", ""},
          {"معلمة تشرح الدرس", "معلم يشرح الدرس", ""},
          {"الطالب يكتب على السبورة", "الطالبة تكتب على السبورة", ""},
          {"للمرأة حقيبة جميلة", "للرجل حقيبة جميلة", ""},
          {"شخص يساعد امرأة", "شخص يساعد رجل", ""},
          {"رجل يساعد امرأة", "امرأة تساعد رجل", ""},
          {"كلب المرأة يلعب", "كلب الرجل يلعب", ""},
          {"امرأة، تطبخ!", "رجل، يطبخ!", ""},
          {"رجل يحمل صندوقا ويفتحه", "امرأة تحمل صندوقا وتفتحه", ""},
          // Diacritics: kept on the verb, the adjective and the suffix; the rewritten noun loses them.
          {"امرأةٌ تَطبخُ في المطبخِ", "رجل يَطبخُ في المطبخِ", ""},
          {"رجل طويلٌ", "امرأة طويلَةٌ", ""},
          {"جَلَسَتْ امرأة", "جَلَسَ رجل", ""},
          {"جَلَسَ رجل", "جَلَسَتْ امرأة", ""},
          {"امرأة مع كَلْبِهَا", "رجل مع كَلْبِهِ", ""},
          {"رجل مع كَلْبِهِ", "امرأة مع كَلْبِهَا", ""},
          {"شخص يطبخ في المطبخ", nullptr, "no gendered word"},
          {"أطفال يلعبون في الحديقة", nullptr, "no gendered word"},
          {"", nullptr, "no gendered word"},
          {"امرأة تجلس وعليها معطف", nullptr, "ambiguous: 'وعليها'"},
          {"امرأة تحمل طفلا وكتابه", nullptr, "ambiguous: 'وكتابه'"},
          {"امرأتان تطبخان", nullptr, "no counterpart for 'امرأتان'"},
          {"رجل أعمال يتحدث", nullptr, "no counterpart for the compound"},
      },
      Language::Arabic);
}

TEST_CASE("every synthetic caption swaps to its other-gender twin and back", "[swap]") {
  using synth::Subject;
  for (const Language language : kLanguages) {
    for (int a = 0; a < synth::kActivityCount; ++a) {
      for (int p = 0; p < synth::kPhrasingCount; ++p) {
        const synth::Activity activity = synth::Activity(a);
        const std::string woman = synth::caption_text(Subject::Woman, activity, p, language);
        const std::string man = synth::caption_text(Subject::Man, activity, p, language);
        INFO(woman << " / " << man);
        const eval::GenderSwap to_man = eval::swap_gender(woman, language);
        CHECK(to_man.problem == "");
        CHECK(to_man.text == man);
        CHECK(eval::swap_gender(to_man.text, language).text == woman);
        CHECK(eval::swap_gender(man, language).text == woman);
        const std::string person = synth::caption_text(Subject::Person, activity, p, language);
        CHECK(eval::swap_gender(person, language).problem == "no gendered word");
      }
    }
  }
}

TEST_CASE("swap_gender_dataset writes the swapped dataset beside the same images", "[swap]") {
  test::TempDir data("loupe-swap-data"), out("loupe-swap-out");
  data.write("image_caption.csv",
             "en_caption,image,ar_caption,gender,note\n"
             "a woman is cooking in the kitchen,images/0.png,امرأة تطبخ في المطبخ,female,\"kept, as is\"\n"
             "\"a man, smiling\",images/1.png,رجل يبتسم,male,\n"
             "a person is reading a book,images/2.png,شخص يقرأ كتابا,neutral,x\n");
  const std::string target = (out.path / "swapped").string();
  const eval::SwapDatasetSummary summary = eval::swap_gender_dataset(data.path.string(), target);
  CHECK(summary.rows == 3);
  CHECK(summary.swapped_en == 2);
  CHECK(summary.swapped_ar == 2);
  REQUIRE(summary.unswapped.size() == 2);
  CHECK(summary.unswapped[0] == "line 4 en: a person is reading a book — no gendered word");
  CHECK(summary.unswapped[1] == "line 4 ar: شخص يقرأ كتابا — no gendered word");

  const std::string csv = util::read_file(target + "/image_caption.csv");
  CHECK(csv.substr(0, csv.find('\n')) == "en_caption,image,ar_caption,gender,note");
  const io::Dataset swapped = io::load_dataset(target);
  CHECK(swapped.label_columns == std::vector<std::string>{"gender", "note"});
  REQUIRE(swapped.rows.size() == 3);
  const std::string root = std::filesystem::canonical(data.path).string();
  CHECK(swapped.rows[0].image == root + "/images/0.png");
  CHECK(swapped.rows[2].image == root + "/images/2.png");
  CHECK(swapped.rows[0].en_caption == "a man is cooking in the kitchen");
  CHECK(swapped.rows[0].ar_caption == "رجل يطبخ في المطبخ");
  CHECK(swapped.rows[1].en_caption == "a woman, smiling");
  CHECK(swapped.rows[1].ar_caption == "امرأة تبتسم");
  CHECK(swapped.rows[2].en_caption == "a person is reading a book");
  CHECK(swapped.rows[0].labels.at("note") == "kept, as is");
  CHECK(swapped.rows[0].labels.at("gender") == "female");
  CHECK(swapped.rows[1].labels.at("note") == "");
  CHECK(test::line_count(target + "/unswapped.txt") == 2);

  SECTION("an output folder that already holds a dataset is refused") {
    const std::string message =
        test::message_of<InputError>([&] { eval::swap_gender_dataset(data.path.string(), target); });
    CHECK(message.find("already holds an image_caption.csv") != std::string::npos);
    CHECK(test::message_of<InputError>([&] { eval::swap_gender_dataset(data.path.string(), data.path.string()); })
              .find("already holds") != std::string::npos);
  }
}

TEST_CASE("swap_gender_dataset refuses datasets with nothing to swap", "[swap]") {
  test::TempDir data("loupe-swap-data"), out("loupe-swap-out");
  const std::string target = (out.path / "swapped").string();
  SECTION("no rows") {
    data.write("image_caption.csv", "image,en_caption,ar_caption\n");
    CHECK(test::message_of<InputError>([&] { eval::swap_gender_dataset(data.path.string(), target); })
              .find("has no rows") != std::string::npos);
  }
  SECTION("no caption with a gendered word") {
    data.write("image_caption.csv", "image,en_caption,ar_caption\na.png,a person cooking,شخص يطبخ\n");
    CHECK(test::message_of<InputError>([&] { eval::swap_gender_dataset(data.path.string(), target); })
              .find("a dataset without captions to swap") != std::string::npos);
  }
  CHECK_FALSE(std::filesystem::exists(target));
}

TEST_CASE("swap_gender_dataset with the originals writes each row and then its swapped copy", "[swap]") {
  test::TempDir data("loupe-swap-data"), out("loupe-swap-out");
  data.write("image_caption.csv",
             "image,en_caption,ar_caption,gender\n"
             "images/0.png,a woman is cooking in the kitchen,امرأة تطبخ في المطبخ,woman\n"
             "images/1.png,a person is reading a book,شخص يقرأ كتابا,person\n");
  const std::string target = (out.path / "augmented").string();
  const eval::SwapDatasetSummary summary = eval::swap_gender_dataset(data.path.string(), target, true);
  CHECK(summary.rows == 2);
  CHECK(summary.swapped_en == 1);
  const io::Dataset augmented = io::load_dataset(target);
  CHECK(augmented.label_columns == std::vector<std::string>{"gender", eval::kCounterfactualColumn});
  REQUIRE(augmented.rows.size() == 4);
  CHECK(augmented.rows[0].en_caption == "a woman is cooking in the kitchen");
  CHECK(augmented.rows[0].labels.at(eval::kCounterfactualColumn) == "original");
  CHECK(augmented.rows[1].en_caption == "a man is cooking in the kitchen");
  CHECK(augmented.rows[1].ar_caption == "رجل يطبخ في المطبخ");
  CHECK(augmented.rows[1].labels.at(eval::kCounterfactualColumn) == "swapped");
  CHECK(augmented.rows[1].image == augmented.rows[0].image);
  CHECK(augmented.rows[3].en_caption == "a person is reading a book");  // kept, and listed

  // Augmenting an augmented dataset again is refused.
  CHECK(test::message_of<InputError>([&] { eval::swap_gender_dataset(target, (out.path / "twice").string(), true); })
            .find("already has a counterfactual column") != std::string::npos);
}
