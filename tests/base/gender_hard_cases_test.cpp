// Hard captions for gender inference (core/eval/gender.h), written by hand in English and Arabic:
// each row holds the caption, the gender and cue expected, the word that decides and why it is hard.
#include <catch2/catch.hpp>
#include <iterator>

#include "core/eval/gender.h"

using namespace loupe::eval;
using loupe::Language;

namespace {

struct HardCase {
  const char* caption;
  Gender gender;
  GenderCue cue;
  const char* word;  // the normalised caption word that decides; empty when nothing does
  const char* reason;
};

constexpr Gender F = Gender::Female, M = Gender::Male, N = Gender::Neutral, U = Gender::Unknown;
constexpr GenderCue kNoun = GenderCue::Noun, kPronoun = GenderCue::Pronoun, kNeutral = GenderCue::NeutralNoun,
                    kVerb = GenderCue::VerbPrefix, kPast = GenderCue::PastSuffix, kNone = GenderCue::None;

const HardCase kEnglish[] = {
    {"Two women sitting on a bench", F, kNoun, "women", "irregular plural"},
    {"three men playing frisbee", M, kNoun, "men", "irregular plural"},
    {"a group of girls dancing", F, kNoun, "girls", "regular plural after a neutral word (group)"},
    {"boys jumping into a lake", M, kNoun, "boys", "plural as the first word"},
    {"ladies chatting at a cafe", F, kNoun, "ladies", "-ies plural"},
    {"two gentlemen in suits", M, kNoun, "gentlemen", "irregular plural of a compound"},
    {"a wife and her husband cutting a cake", U, kNoun, "wife", "relational nouns of both genders"},
    {"a mother holding her baby", F, kNoun, "mother", "relational noun; the neutral baby does not mix it"},
    {"a brother and sister playing", U, kNoun, "brother", "two relational nouns of both genders"},
    {"The Women's Soccer Team celebrates", F, kNoun, "women", "plural possessive in title case"},
    {"a man's hand holding a phone", M, kNoun, "man", "possessive 's"},
    {"the girls' locker room", F, kNoun, "girls", "plural possessive with a trailing apostrophe"},
    {"she\u2019s riding a horse", F, kPronoun, "she", "contraction with a typographic apostrophe"},
    {"she'll be holding the umbrella", F, kPronoun, "she'll", "'ll contraction keeps the pronoun"},
    {"he'd just caught a fish", M, kPronoun, "he'd", "'d contraction keeps the pronoun"},
    {"a man-made lake in the park", U, kNone, "", "man-made is not about a man"},
    {"a snowman in the front yard", U, kNone, "", "man inside another word"},
    {"a manhole cover on the road", U, kNone, "", "man as a prefix of another word"},
    {"a mannequin wearing a dress", U, kNone, "", "looks like man, is an object"},
    {"the history of mankind", U, kNone, "", "mankind names no man"},
    {"a man made a sandwich", M, kNoun, "man", "without the hyphen, man made is a man"},
    {"a woman-owned bakery", F, kNoun, "woman", "a hyphen compound that is not an exception"},
    {"a person riding his bicycle", M, kPronoun, "his", "a pronoun outranks a neutral noun"},
    {"someone holding their phone", N, kNeutral, "someone", "singular they is no gender"},
    {"a couple walking on the beach", N, kNeutral, "couple", "two people of no stated gender"},
    {"a female lion resting", F, kNoun, "female", "gendered adjective on an animal (documented)"},
    {"a policewoman directing traffic", F, kNoun, "policewoman", "compound in one word"},
    {"firemen spraying water", M, kNoun, "firemen", "compound plural"},
    {"a bride and groom dancing", U, kNoun, "bride", "a mixed pair"},
    {"a grandmother knitting", F, kNoun, "grandmother", "relational noun"},
    {"grandpa reading the newspaper", M, kNoun, "grandpa", "informal relational noun"},
    {"a little boy and his dog", M, kNoun, "boy", "noun and pronoun agree"},
    {"a woman holding her son's hand", U, kNoun, "woman", "a relational noun of the other gender"},
    {"MEN AT WORK sign", M, kNoun, "men", "all capitals"},
    {"a waitress serving coffee", F, kNoun, "waitress", "-ess form"},
    {"an actress on the red carpet", F, kNoun, "actress", "-ess form after an"},
    {"a nun praying in a church", F, kNoun, "nun", "religious role with a gender"},
    {"two monks walking", M, kNoun, "monks", "religious role, plural"},
    {"a chef preparing food", N, kNeutral, "chef", "occupation without gender"},
    {"a nurse checking a patient", N, kNeutral, "nurse", "stereotyped occupation, neutral word"},
    {"a toddler playing with blocks", N, kNeutral, "toddler", "child word"},
    {"children playing in the snow", N, kNeutral, "children", "irregular neutral plural"},
    {"a cowboy riding a horse", M, kNoun, "cowboy", "compound ending in boy"},
    {"Mrs. Smith at her desk", F, kNoun, "mrs", "title with a full stop"},
    {"Mr. Jones giving a speech", M, kNoun, "mr", "title with a full stop"},
    {"a dog chasing a ball", U, kNone, "", "no person at all"},
    {"her bicycle is parked outside", F, kPronoun, "her", "a possessive alone"},
    {"him and his friends at the bar", M, kPronoun, "him", "pronouns outrank the neutral friends"},
    {"she and he are talking", U, kPronoun, "she", "pronouns of both genders"},
    {"a fisherman on a boat", M, kNoun, "fisherman", "-man compound"},
    {"a housewife cooking dinner", F, kNoun, "housewife", "compound with wife"},
    {"two guys skateboarding", M, kNoun, "guys", "informal plural"},
    {"gals having lunch", F, kNoun, "gals", "informal plural"},
    {"a baby sleeping in a crib", N, kNeutral, "baby", "neutral child word"},
    {"a bearded person", N, kNeutral, "person", "a beard is a stereotype, not a stated gender"},
    {"the queen waving", F, kNoun, "queen", "title noun"},
    {"a king on a throne", M, kNoun, "king", "title noun"},
    {"a girlfriend and boyfriend hugging", U, kNoun, "girlfriend", "a mixed pair of compounds"},
    {"a stepfather teaching", M, kNoun, "stepfather", "step- relational noun"},
    {"a niece and her aunt", F, kNoun, "niece", "two female relational nouns"},
    {"nephews playing", M, kNoun, "nephews", "relational plural"},
    {"a widow at a grave", F, kNoun, "widow", "gendered role noun"},
    {"players on a soccer field", N, kNeutral, "players", "neutral plural"},
    {"pedestrians crossing the street", N, kNeutral, "pedestrians", "neutral plural"},
    {"a man\u00a0riding a bike", M, kNoun, "man", "no-break space between words"},
    {"a woman\u2014smiling\u2014at the camera", F, kNoun, "woman", "em dashes glued to the word"},
    {"A MAN'S WORLD", M, kNoun, "man", "capital possessive 'S"},
    {"ma'am at the counter", F, kNoun, "ma'am", "apostrophe inside the word"},
    {"a businessman and businesswoman shaking hands", U, kNoun, "businessman", "compounds of both genders"},
};

const HardCase kArabic[] = {
    {"نساء يجلسن على مقعد", F, kNoun, "نساء", "broken plural"},
    {"رجال يلعبون الورق", M, kNoun, "رجال", "broken plural"},
    {"امرأتان تتحدثان في السوق", F, kNoun, "امراتان", "dual, nominative"},
    {"رأيت امرأتين في الحديقة", F, kNoun, "امراتين", "dual, genitive/accusative"},
    {"رجلان يصلحان سيارة", M, kNoun, "رجلان", "dual"},
    {"مع رجلين في المقهى", M, kNoun, "رجلين", "dual, genitive"},
    {"فتيات يرقصن في المدرسة", F, kNoun, "فتيات", "broken plural; المدرسة is a school"},
    {"أولاد يلعبون كرة القدم", M, kNoun, "اولاد", "plural spelt with hamza alif"},
    {"زوجة تطبخ العشاء", F, kNoun, "زوجة", "relational noun"},
    {"رجل وزوجته في المطبخ", U, kNoun, "رجل", "his wife: و + زوجة + ه, ة written ت"},
    {"امرأة مع زوجها", U, kNoun, "امراة", "her husband: زوج + ها"},
    {"أخت تساعد أخاها", U, kNoun, "اخت", "her brother in the accusative أخا + ها"},
    {"الأم تحمل طفلها", F, kNoun, "الام", "article on a two-letter noun; طفلها is neutral"},
    {"طفلة تلعب بالدمية", F, kNoun, "طفلة", "feminine of a neutral noun"},
    {"ولد يركض", M, kNoun, "ولد", "و is part of the word, not a conjunction"},
    {"وجد كلبا في الشارع", U, kNone, "", "وجد (found) is not و + جد (grandfather)"},
    {"باب خشبي مفتوح", U, kNone, "", "باب (door) is not ب + أب (father)"},
    {"منظر جميل جدا", U, kNone, "", "جدا (very) is not جد (grandfather)"},
    {"امْرَأَةٌ تَقْرَأُ كِتَابًا", F, kNoun, "امراة", "full diacritics"},
    {"رجـــل يـــقرأ", M, kNoun, "رجل", "tatweel inside the words"},
    {"إمرأة تبتسم", F, kNoun, "امراة", "hamza under the alif (a common misspelling)"},
    {"امراة في السوق", F, kNoun, "امراة", "no hamza at all"},
    {"امراه تمشي", F, kNoun, "امراه", "ه written for taa marbuta"},
    {"فتاه تقرأ", F, kNoun, "فتاه", "ه written for taa marbuta"},
    {"فتى يسبح في البحر", M, kNoun, "فتى", "alif maqsura"},
    {"فتي يسبح", M, kNoun, "فتي", "ي written for alif maqsura"},
    {"صبى يلعب", M, kNoun, "صبى", "ى written for yaa"},
    {"هى تبتسم للكاميرا", F, kPronoun, "هى", "pronoun with ى for ي"},
    {"هو يقرأ الجريدة", M, kPronoun, "هو", "pronoun before a ي-verb"},
    {"شخص يركب دراجة", N, kNeutral, "شخص", "neutral noun with masculine agreement"},
    {"لاعبون في الملعب", N, kNeutral, "لاعبون", "sound masculine plural is used for mixed groups"},
    {"لاعبات كرة السلة", F, kNoun, "لاعبات", "sound feminine plural of an agent noun"},
    {"معلمة تشرح الدرس", F, kNoun, "معلمة", "feminine agent noun"},
    {"معلمان في الفصل", M, kNoun, "معلمان", "dual of an agent noun"},
    {"طبيبة تفحص مريضا", F, kNoun, "طبيبة", "feminine of an occupation"},
    {"ممرضات في المستشفى", F, kNoun, "ممرضات", "feminine plural of an occupation"},
    {"الطالبتان تدرسان", F, kNoun, "الطالبتان", "article on a feminine dual"},
    {"زوجان يمشيان على الشاطئ", N, kNeutral, "زوجان", "a couple, not the dual of husband"},
    {"عائلة تتناول الغداء", N, kNeutral, "عائلة", "the ت-verb agrees with family, not a woman"},
    {"أطفال يلعبون", N, kNeutral, "اطفال", "neutral plural before a ي-verb"},
    {"تظهر في الصورة سيارة حمراء", U, kNone, "", "تظهر (shows) describes the picture"},
    {"يوجد كلب في الحديقة", U, kNone, "", "يوجد (there is) describes the picture"},
    {"تبدو السماء زرقاء", U, kNone, "", "تبدو agrees with the sky"},
    {"طاولة عليها كتب", U, kNone, "", "عليها is on it, not hers"},
    {"فيه قطة نائمة", U, kNone, "", "فيه is in it, not his"},
    {"سيارات متوقفة في الشارع", U, kNone, "", "ـات ends a feminine plural noun, not a past verb"},
    {"تصوير الشارع ليلا", U, kNone, "", "verbal noun تفعيل starts with ت"},
    {"حمام سباحة كبير", U, kNone, "", "سباحة is swimming, not a swimmer"},
    {"طفل في المدرسة", N, kNeutral, "طفل", "مدرسة is a school, not a teacher"},
    {"جلست على الكرسي", F, kPast, "جلست", "past-tense feminine suffix with no subject"},
    {"ولدت في المستشفى", F, kPast, "ولدت", "past verb ولدت (was born), not the noun ولد"},
    {"كانت تقرأ", F, kVerb, "تقرا", "the present verb comes before the auxiliary"},
    {"فيلعب في الحديقة", M, kVerb, "فيلعب", "conjunction ف on a ي-verb"},
    {"في الحديقة مع ابنتها", F, kNoun, "ابنتها", "her daughter: ابنة + ها, ة written ت"},
    {"مع ابنه في السوق", M, kNoun, "ابنه", "his son, not a misspelt ابنة"},
    {"والدته تطبخ", F, kNoun, "والدته", "his mother: والدة + ه"},
    {"بالرجل والمرأة", U, kNoun, "بالرجل", "clitics on both nouns of a mixed pair"},
    {"للسيدة حقيبة", F, kNoun, "للسيدة", "لل = ل + ال"},
    {"كالأم الحنون", F, kNoun, "كالام", "ك + ال on a two-letter noun"},
    {"امرأة، رجل، طفل", U, kNoun, "امراة", "Arabic commas between a mixed list"},
    {"الفتاة؟ نعم", F, kNoun, "الفتاة", "Arabic question mark glued to the word"},
    {"«فتاة» في الصورة", F, kNoun, "فتاة", "guillemets"},
    {"شابة تعزف على الجيتار", F, kNoun, "شابة", "young woman: feminine of شاب"},
    {"شباب يتسلقون الجبل", M, kNoun, "شباب", "broken plural of شاب"},
    {"سيدات الأعمال", F, kNoun, "سيدات", "feminine plural in a construct"},
    {"الرجال والنساء في الحفل", U, kNoun, "الرجال", "plurals of both genders"},
    {"مجموعة من الناس", N, kNeutral, "الناس", "neutral plural with the article"},
    {"مدرسون في الاجتماع", N, kNeutral, "مدرسون", "sound masculine plural"},
    {"عروس بفستان أبيض", F, kNoun, "عروس", "feminine noun without ة"},
    {"عريس يبتسم", M, kNoun, "عريس", "relational role noun"},
    {"جدة تروي قصة", F, kNoun, "جدة", "grandmother, spelt like the city"},
    {"مع جده", M, kNoun, "جده", "his grandfather: جد + ه"},
    {"الشرطية تنظم المرور", F, kNoun, "الشرطية", "feminine of شرطي ending in ية"},
    {"تلميذ يكتب", M, kNoun, "تلميذ", "a noun that starts like a ت-verb"},
    {"يركض مع كلبه", M, kVerb, "يركض", "the verb prefix decides before the suffix of كلبه"},
    {"طالبات يدرسن", F, kNoun, "طالبات", "feminine plural before a plural verb"},
    {"تجلس على الأريكة وهي تقرأ", F, kPronoun, "وهي", "conjunction و on a two-letter pronoun"},
    {"طفلة وأم في السوق", F, kNoun, "طفلة", "و on the two-letter noun أم adds no other gender"},
    {"امرأة وأب في الحديقة", U, kNoun, "امراة", "و on the two-letter noun أب makes a mixed pair"},
};

void check_cases(const HardCase* cases, size_t count, Language language) {
  for (size_t i = 0; i < count; ++i) {
    const HardCase& c = cases[i];
    INFO(c.caption << " (" << c.reason << ")");
    const GenderInference inference = infer_gender(c.caption, language);
    CHECK(gender_name(inference.gender) == std::string(gender_name(c.gender)));
    CHECK(gender_cue_name(inference.cue) == std::string(gender_cue_name(c.cue)));
    CHECK(inference.word == c.word);
  }
}

}  // namespace

TEST_CASE("gender inference on hard English captions", "[eval][gender]") {
  STATIC_REQUIRE(std::size(kEnglish) >= 60);
  check_cases(kEnglish, std::size(kEnglish), Language::English);
}

TEST_CASE("gender inference on hard Arabic captions", "[eval][gender]") {
  STATIC_REQUIRE(std::size(kArabic) >= 60);
  check_cases(kArabic, std::size(kArabic), Language::Arabic);
}
