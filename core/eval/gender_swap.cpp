#include "core/eval/gender_swap.h"

#include <initializer_list>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "core/eval/caption_words.h"
#include "core/eval/gender_lexicon.h"
#include "core/util/utf8.h"

namespace loupe::eval {

namespace {

constexpr const char* kSwapNoGenderedWord = "no gendered word";

// ---------------------------------------------------------------------------------------------
// Splitting text into words and the text between them, for both languages.

struct SwapToken {
  std::string text;
  bool word = false;
};

// Separators: white space, ASCII punctuation, apostrophes, Arabic punctuation and the general
// punctuation block (dashes, quotes), as caption_words splits.
bool swap_is_separator(char32_t c) {
  if (c == util::kInvalidCodePoint) return true;
  if (c < 0x80) return !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'));
  return util::is_unicode_space(c) || c == 0x00AB || c == 0x00BB || c == 0x060C || c == 0x061B || c == 0x061F ||
         c == 0x06D4 || (c >= 0x066A && c <= 0x066C) || (c >= 0x2010 && c <= 0x206F) || (c >= 0x3000 && c <= 0x303F);
}

// Words and gaps, alternating; a hyphen between two word characters belongs to the word.
std::vector<SwapToken> swap_tokens(const std::string& text) {
  std::vector<SwapToken> tokens;
  size_t length = 0;
  for (size_t i = 0; i < text.size(); i += length) {
    const char32_t c = util::decode_checked(text, i, length);
    bool word = !swap_is_separator(c);
    if (c == '-' && !tokens.empty() && tokens.back().word && i + 1 < text.size()) {
      size_t next_length = 0;
      word = !swap_is_separator(util::decode_checked(text, i + 1, next_length));
    }
    if (tokens.empty() || tokens.back().word != word) tokens.push_back({"", word});
    tokens.back().text.append(text, i, length);
  }
  return tokens;
}

std::string swap_join(const std::vector<SwapToken>& tokens) {
  std::string text;
  for (const SwapToken& token : tokens) text += token.text;
  return text;
}

// The index of the word token after token i when only ASCII spaces lie between; -1 otherwise.
int swap_next_word(const std::vector<SwapToken>& tokens, size_t i) {
  if (i + 2 >= tokens.size()) return -1;
  if (tokens[i + 1].text.find_first_not_of(" \t") != std::string::npos) return -1;
  return int(i + 2);
}

std::string swap_first_word(const std::string& text) {
  const std::vector<std::string> words = caption_words(text);
  return words.empty() ? std::string() : words.front();
}

// ---------------------------------------------------------------------------------------------
// English.

using SwapWordMap = std::unordered_map<std::string, std::string>;

const SwapWordMap& swap_english_pairs() {
  static const SwapWordMap pairs = [] {
    SwapWordMap map;
    const std::pair<const char*, const char*> both_ways[] = {
        {"woman", "man"},           {"women", "men"},           {"girl", "boy"},
        {"girls", "boys"},          {"lady", "gentleman"},      {"ladies", "gentlemen"},
        {"female", "male"},         {"females", "males"},       {"mother", "father"},
        {"mothers", "fathers"},     {"mom", "dad"},             {"moms", "dads"},
        {"mommy", "daddy"},         {"daughter", "son"},        {"daughters", "sons"},
        {"sister", "brother"},      {"sisters", "brothers"},    {"wife", "husband"},
        {"wives", "husbands"},      {"aunt", "uncle"},          {"aunts", "uncles"},
        {"niece", "nephew"},        {"nieces", "nephews"},      {"grandmother", "grandfather"},
        {"grandmothers", "grandfathers"}, {"grandma", "grandpa"}, {"grandmas", "grandpas"},
        {"granddaughter", "grandson"}, {"stepmother", "stepfather"}, {"bride", "groom"},
        {"brides", "grooms"},       {"queen", "king"},          {"queens", "kings"},
        {"princess", "prince"},     {"princesses", "princes"},  {"actress", "actor"},
        {"actresses", "actors"},    {"waitress", "waiter"},     {"waitresses", "waiters"},
        {"girlfriend", "boyfriend"}, {"girlfriends", "boyfriends"}, {"widow", "widower"},
        {"fiancee", "fiance"},      {"businesswoman", "businessman"}, {"businesswomen", "businessmen"},
        {"policewoman", "policeman"}, {"policewomen", "policemen"}, {"sportswoman", "sportsman"},
        {"sportswomen", "sportsmen"}, {"saleswoman", "salesman"}, {"chairwoman", "chairman"},
        {"spokeswoman", "spokesman"}, {"schoolgirl", "schoolboy"}, {"schoolgirls", "schoolboys"},
        {"cowgirl", "cowboy"},      {"cowgirls", "cowboys"},    {"mrs", "mr"},
        {"madam", "sir"},           {"she", "he"},              {"herself", "himself"}};
    for (const auto& [female, male] : both_ways) {
      map.emplace(female, male);
      map.emplace(male, female);
    }
    for (const auto& [from, to] : {std::pair{"mum", "dad"}, std::pair{"mums", "dads"}, std::pair{"him", "her"},
                                   std::pair{"hers", "his"}})
      map.emplace(from, to);
    return map;
  }();
  return pairs;
}

// Words after which "her" is an object and "his" a pronoun: prepositions, determiners,
// conjunctions, pronouns, auxiliaries and common adverbs.
bool swap_is_function_word(const std::string& word) {
  static const std::unordered_set<std::string> words = {
      "a", "an", "the", "this", "that", "these", "those", "some", "any", "every", "each", "no", "another",
      "in", "on", "at", "to", "with", "by", "for", "from", "of", "into", "onto", "near", "behind", "under",
      "over", "beside", "besides", "next", "across", "through", "around", "up", "down", "off", "out", "about",
      "above", "below", "between", "toward", "towards", "before", "after", "during", "against", "along",
      "among", "past", "via", "inside", "outside", "beyond", "within", "without", "upon", "alongside", "like",
      "and", "or", "but", "nor", "so", "then", "while", "as", "because", "if", "than", "when", "where",
      "who", "which", "what", "why", "how", "is", "are", "was", "were", "be", "been", "has", "have", "had",
      "will", "would", "can", "could", "should", "may", "might", "must", "do", "does", "did", "not",
      "it", "its", "him", "his", "her", "hers", "them", "they", "we", "you", "me", "my", "our", "your",
      "their", "i", "he", "she", "there", "here", "now", "again", "too", "also", "back", "away", "home",
      "very", "just", "yet", "together", "closely", "carefully", "happily", "gently", "tightly", "quickly",
      "slowly", "warmly", "lovingly"};
  return words.count(word) > 0;
}

// After "her", a word ending in "ing" may be a verb ("watching her dancing": him) or a noun; these
// are nouns ("her wedding ring": his).
bool swap_is_ing_noun(const std::string& word) {
  static const std::unordered_set<std::string> words = {
      "ring", "rings", "earring", "earrings", "king", "wing", "wings", "thing", "things", "wedding", "painting",
      "paintings", "drawing", "drawings", "clothing", "building", "evening", "morning", "sibling", "siblings",
      "stocking", "stockings", "pudding", "ceiling", "darling", "bedding", "feelings", "belongings", "offspring",
      "string", "swing", "sling", "spring", "duckling", "seedling", "stuffing", "icing"};
  return words.count(word) > 0;
}

std::string swap_ascii_lower(std::string word) {
  for (char& c : word)
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  return word;
}

// `replacement` (lower case) in the case of `original`: all capitals, capitalised or lower case.
std::string swap_match_case(const std::string& original, std::string replacement) {
  const auto upper = [](char c) { return c >= 'A' && c <= 'Z'; };
  const auto lower = [](char c) { return c >= 'a' && c <= 'z'; };
  bool any_lower = false;
  for (char c : original) any_lower |= lower(c);
  if (!any_lower && original.size() > 1) {
    for (char& c : replacement)
      if (lower(c)) c = char(c - 'a' + 'A');
  } else if (!original.empty() && upper(original[0]) && !replacement.empty() && lower(replacement[0])) {
    replacement[0] = char(replacement[0] - 'a' + 'A');
  }
  return replacement;
}

GenderSwap swap_english(const std::string& caption) {
  std::vector<SwapToken> tokens = swap_tokens(caption);
  GenderSwap result;
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (!tokens[i].word) continue;
    const std::string word = swap_ascii_lower(tokens[i].text);
    const int next = swap_next_word(tokens, i);
    const std::string following = next < 0 ? std::string() : swap_ascii_lower(tokens[size_t(next)].text);
    const bool before_noun = next >= 0 && !swap_is_function_word(following);
    std::string replacement;
    if (word == "her") {
      if (before_noun && following.size() > 3 && following.compare(following.size() - 3, 3, "ing") == 0 &&
          !swap_is_ing_noun(following))
        return {caption, 0, "ambiguous: 'her' before '" + following + "' may be possessive (his) or object (him)"};
      replacement = before_noun ? "his" : "him";
    } else if (word == "his") {
      replacement = before_noun ? "her" : "hers";
    } else if (const auto pair = swap_english_pairs().find(word); pair != swap_english_pairs().end()) {
      replacement = pair->second;
    } else {
      const std::optional<Gender> gender = person_noun_gender(word, Language::English);
      if (gender == Gender::Female || gender == Gender::Male)
        return {caption, 0, "no counterpart for '" + tokens[i].text + "'"};
      continue;
    }
    tokens[i].text = swap_match_case(tokens[i].text, replacement);
    ++result.changed;
  }
  if (result.changed == 0) return {caption, 0, kSwapNoGenderedWord};
  result.text = swap_join(tokens);
  return result;
}

// ---------------------------------------------------------------------------------------------
// Arabic. Words are kept as letters with the diacritics written after each, so that prefixes and
// suffixes can be changed without losing the marks of the other letters.

constexpr char32_t kSwapTaa = U'ت', kSwapYaa = U'ي', kSwapTaaMarbuta = U'ة', kSwapAlif = U'ا',
                   kSwapNoon = U'ن', kSwapWaw = U'و', kSwapMeem = U'م', kSwapFatha = 0x064E, kSwapDamma = 0x064F,
                   kSwapKasra = 0x0650, kSwapSukun = 0x0652;

bool swap_is_mark(char32_t c) {
  return (c >= 0x064B && c <= 0x065F) || c == 0x0670 || c == 0x0640 || (c >= 0x200B && c <= 0x200F) || c == 0xFEFF;
}

// The matching form of a letter: hamza alifs as ا, alif maqsura ى as ي. The madda alif آ is kept, so
// that المرآة "the mirror" is not المرأة "the woman".
char32_t swap_key_letter(char32_t c) {
  if (c == U'أ' || c == U'إ' || c == U'ٱ') return kSwapAlif;
  if (c == U'ى') return kSwapYaa;
  return c;
}

struct SwapLetter {
  char32_t base = 0;
  std::u32string marks;  // diacritics (and tatweel) written after the letter
};

struct SwapArabicWord {
  std::u32string lead;  // marks before the first letter
  std::vector<SwapLetter> letters;
  std::u32string key;  // one key letter per letter
  bool changed = false;
};

std::u32string swap_decode(const std::string& text) {
  std::u32string out;
  size_t length = 0;
  for (size_t i = 0; i < text.size(); i += length) out += util::decode_checked(text, i, length);
  return out;
}

std::string swap_encode(const std::u32string& text) {
  std::string out;
  for (char32_t c : text) util::append_utf8(out, c);
  return out;
}

std::u32string swap_key(const std::u32string& text) {
  std::u32string key;
  for (char32_t c : text)
    if (!swap_is_mark(c)) key += swap_key_letter(c);
  return key;
}

SwapArabicWord swap_arabic_word(const std::string& text) {
  SwapArabicWord word;
  for (char32_t c : swap_decode(text)) {
    if (!swap_is_mark(c)) {
      word.letters.push_back({c, {}});
      word.key += swap_key_letter(c);
    } else if (word.letters.empty()) {
      word.lead += c;
    } else {
      word.letters.back().marks += c;
    }
  }
  return word;
}

std::string swap_word_text(const SwapArabicWord& word) {
  std::u32string text = word.lead;
  for (const SwapLetter& letter : word.letters) text += letter.base + letter.marks;
  return swap_encode(text);
}

bool swap_has_marks(const SwapArabicWord& word) {
  for (const SwapLetter& letter : word.letters)
    for (char32_t c : letter.marks)
      if (c >= 0x064B && c <= 0x0652) return true;
  return false;
}

// Replaces the letters from `from` on with `text` (written without diacritics).
void swap_replace_tail(SwapArabicWord& word, size_t from, const std::u32string& text) {
  word.letters.resize(from);
  for (char32_t c : text) word.letters.push_back({c, {}});
}

bool swap_key_starts(const std::u32string& key, const std::u32string& prefix) {
  return key.compare(0, prefix.size(), prefix) == 0;
}
bool swap_key_ends(const std::u32string& key, const std::u32string& suffix) {
  return key.size() >= suffix.size() && key.compare(key.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The letters of a conjunction و/ف attached to a word of 4+ letters (0 or 1).
size_t swap_conjunction(const std::u32string& key) {
  return key.size() >= 4 && (key[0] == kSwapWaw || key[0] == U'ف') ? 1 : 0;
}

using SwapKeySet = std::unordered_set<std::u32string>;

SwapKeySet swap_key_set(std::initializer_list<const char32_t*> words) {
  SwapKeySet set;
  for (const char32_t* word : words) set.insert(swap_key(word));
  return set;
}

// ---- nouns

struct SwapNoun {
  size_t prefix = 0;              // clitic letters kept (و ف ب ك ل)
  std::u32string counterpart;     // the swapped noun, after the prefix
  bool definite = false;
  bool plural = false;
  bool feminine = false;          // the original noun is feminine
  bool preposition = false;       // ب ك ل is attached (the noun is genitive)
};

using SwapNounTable = std::unordered_map<std::u32string, SwapNoun>;

struct SwapNounPair {
  const char32_t* female;
  const char32_t* male;
};

// Adds `from` -> `to` in all its clitic and article forms.
void swap_add_noun(SwapNounTable& table, const std::u32string& from, const std::u32string& to, bool feminine,
                   bool plural) {
  const auto definite = [](const std::u32string& noun) {
    return noun == U"امرأة" ? std::u32string(U"المرأة") : U"ال" + noun;
  };
  for (bool with_article : {false, true}) {
    const std::u32string noun = with_article ? definite(from) : from;
    const std::u32string other = with_article ? definite(to) : to;
    for (const char32_t* conjunction : {U"", U"و", U"ف"}) {
      for (const char32_t* preposition : {U"", U"ب", U"ك", U"ل"}) {
        // As in gender_lexicon: no preposition before a bare two-letter noun (باب is "door", not ب + أب).
        if (*preposition && !with_article && from.size() < 3) continue;
        std::u32string prefix = std::u32string(conjunction) + preposition;
        std::u32string written = prefix + noun, swapped = other;
        if (with_article && std::u32string(preposition) == U"ل") {  // ل + ال is written لل
          written = prefix + noun.substr(1);
          swapped = other.substr(1);
        }
        table.emplace(swap_key(written),
                      SwapNoun{prefix.size(), swapped, with_article, plural, feminine, *preposition != 0});
      }
    }
  }
}

const SwapNounTable& swap_noun_table() {
  static const SwapNounTable table = [] {
    SwapNounTable t;
    const SwapNounPair singular[] = {{U"امرأة", U"رجل"}, {U"فتاة", U"فتى"}, {U"بنت", U"ولد"},   {U"أم", U"أب"},
                                     {U"زوجة", U"زوج"},  {U"أخت", U"أخ"},  {U"سيدة", U"سيد"},  {U"ابنة", U"ابن"},
                                     {U"جدة", U"جد"},    {U"عمة", U"عم"},  {U"خالة", U"خال"},  {U"عروس", U"عريس"},
                                     {U"ملكة", U"ملك"},  {U"والدة", U"والد"}, {U"أنثى", U"ذكر"}};
    const SwapNounPair plural[] = {{U"نساء", U"رجال"}, {U"فتيات", U"فتيان"}, {U"بنات", U"أولاد"}};
    for (const SwapNounPair& pair : singular) {
      swap_add_noun(t, pair.female, pair.male, true, false);
      swap_add_noun(t, pair.male, pair.female, false, false);
    }
    for (const SwapNounPair& pair : plural) {
      swap_add_noun(t, pair.female, pair.male, true, true);
      swap_add_noun(t, pair.male, pair.female, false, true);
    }
    // The agent nouns gender_lexicon lists: feminine with ة.
    for (const char32_t* stem : {U"معلم", U"طالب", U"تلميذ", U"طبيب", U"ممرض", U"لاعب", U"عامل", U"موظف", U"مهندس",
                                 U"مدير", U"شرطي", U"بائع", U"راكب", U"سائق", U"متزلج", U"متسابق", U"صديق", U"زميل",
                                 U"فنان", U"عازف", U"راقص", U"زائر", U"سائح", U"مشجع", U"حارس", U"نادل", U"خباز",
                                 U"أمير", U"حفيد", U"راهب", U"شاب"}) {
      const std::u32string male = stem, female = male + kSwapTaaMarbuta;
      swap_add_noun(t, female, male, true, false);
      swap_add_noun(t, male, female, false, false);
    }
    swap_add_noun(t, U"طفلة", U"طفل", true, false);  // طفل is a neutral "child": one way only
    return t;
  }();
  return table;
}

// أب and أخ, which take a long vowel before an attached pronoun (أبوه، أخوها).
bool swap_is_five_noun(const std::u32string& key) { return key == U"اب" || key == U"اخ"; }

// A noun of the table, also with an attached singular pronoun (زوجها: زوج + ها); `suffix` gets
// the pronoun's letters (0 without one).
std::optional<SwapNoun> swap_find_noun(const std::u32string& key, size_t& suffix) {
  const SwapNounTable& table = swap_noun_table();
  suffix = 0;
  if (auto it = table.find(key); it != table.end()) return it->second;
  for (const std::u32string pronoun : {U"ها", U"ه"}) {
    if (!swap_key_ends(key, pronoun) || key.size() < pronoun.size() + 2) continue;
    std::u32string stem = key.substr(0, key.size() - pronoun.size());
    const bool long_vowel =
        stem.size() >= 3 && (stem.back() == kSwapWaw || stem.back() == kSwapYaa || stem.back() == kSwapAlif);
    if (long_vowel && swap_is_five_noun(stem.substr(stem.size() - 3, 2))) stem.pop_back();  // وأبوها، أخيه -> وأب، أخ
    auto it = table.find(stem);  // أخته، بنتها
    if (it == table.end() && stem.back() == kSwapTaa) {
      stem.back() = kSwapTaaMarbuta;  // زوجته -> زوجة
      it = table.find(stem);
    }
    if (it == table.end() || it->second.definite || it->second.plural) continue;
    suffix = pronoun.size();
    return it->second;
  }
  return std::nullopt;
}

// ---- verbs

enum class SwapVerb { None, Present, Past };

struct SwapPastVerbs {
  std::unordered_map<std::u32string, std::u32string> masculine_of, feminine_of;
};

// Common past-tense verbs of captions, masculine; the feminine adds ت (a final ى/ا is dropped:
// مشى -> مشت).
const SwapPastVerbs& swap_past_verbs() {
  static const SwapPastVerbs verbs = [] {
    SwapPastVerbs v;
    for (const char32_t* verb :
         {U"كان", U"ليس", U"جلس", U"وقف", U"طبخ", U"لعب", U"كتب", U"قرأ", U"حمل", U"ركض", U"ركب", U"سبح", U"رسم",
          U"أكل", U"شرب", U"فتح", U"أمسك", U"ابتسم", U"نظر", U"قفز", U"غسل", U"أصلح", U"قطع", U"ذهب", U"عاد",
          U"وضع", U"رفع", U"مشى", U"جرى", U"رمى", U"نام", U"ضحك", U"بكى", U"صعد", U"نزل", U"دخل", U"خرج", U"شرح",
          U"صنع", U"لبس", U"ارتدى", U"اشترى", U"باع", U"ساعد", U"استلقى", U"انتظر", U"تمشى", U"تناول", U"قال",
          U"غنى", U"رقص", U"حضر", U"نظف", U"دفع", U"سحب"}) {
      const std::u32string written = verb, masculine = swap_key(verb);
      std::u32string feminine = masculine;
      if (written.back() == U'ى' || written.back() == kSwapAlif) feminine.pop_back();  // not a final أ: قرأ -> قرأت
      feminine += kSwapTaa;
      v.feminine_of.emplace(masculine, feminine);
      v.masculine_of.emplace(feminine, masculine);
    }
    return v;
  }();
  return verbs;
}

bool swap_is_lookalike(const std::u32string& key) {
  if (is_arabic_lookalike(swap_encode(key))) return true;
  for (const std::u32string pronoun : {U"ها", U"ه"})
    if (swap_key_ends(key, pronoun) && key.size() > pronoun.size() + 1 &&
        is_arabic_lookalike(swap_encode(key.substr(0, key.size() - pronoun.size()))))
      return true;
  return false;
}

bool swap_is_person_noun(const std::u32string& key) {
  return person_noun_gender(swap_encode(key), Language::Arabic).has_value();
}

// Whether the word (after its conjunction) is a present-tense verb (ت/ي prefix) or a listed past
// verb in any of its forms (plural ones too).
SwapVerb swap_verb_kind(const std::u32string& key, size_t& conjunction) {
  const SwapPastVerbs& past = swap_past_verbs();
  for (size_t skip : {size_t(0), swap_conjunction(key)}) {
    const std::u32string stem = key.substr(skip);
    conjunction = skip;
    if (past.feminine_of.count(stem) || past.masculine_of.count(stem)) return SwapVerb::Past;
    for (const std::u32string plural : {U"وا", U"ن"})
      if (swap_key_ends(stem, plural) && past.feminine_of.count(stem.substr(0, stem.size() - plural.size())))
        return SwapVerb::Past;
  }
  conjunction = swap_conjunction(key);
  const std::u32string stem = key.substr(conjunction);
  if (stem.size() < 3 || (stem[0] != kSwapTaa && stem[0] != kSwapYaa) || stem.back() == kSwapTaaMarbuta)
    return SwapVerb::None;
  if (stem.size() == 5 && stem[0] == kSwapTaa && stem[3] == kSwapYaa) return SwapVerb::None;  // تفعيل: تصوير
  if (swap_is_lookalike(key) || swap_is_lookalike(stem) || swap_is_person_noun(key)) return SwapVerb::None;
  return SwapVerb::Present;
}

// Whether the verb has the gender (and, after a plural subject, the number) of the subject.
bool swap_verb_agrees(const std::u32string& key, SwapVerb kind, size_t conjunction, bool feminine, bool plural_after) {
  const std::u32string stem = key.substr(conjunction);
  const bool present_prefix = kind == SwapVerb::Present && stem[0] == (feminine ? kSwapTaa : kSwapYaa);
  if (plural_after) {
    const bool masculine_plural = swap_key_ends(stem, U"ون") || swap_key_ends(stem, U"وا");
    const bool feminine_plural = !masculine_plural && stem.back() == kSwapNoon;
    return (feminine ? feminine_plural : masculine_plural) || (present_prefix && !feminine_plural && !masculine_plural);
  }
  if (kind == SwapVerb::Present)  // a dual or plural ending (يلعبان، يلعبون) is not the singular's verb
    return present_prefix && stem.size() >= 3 && !swap_key_ends(stem.substr(3), U"ان") &&
           !swap_key_ends(stem.substr(3), U"ون");
  const SwapPastVerbs& past = swap_past_verbs();
  return feminine ? past.masculine_of.count(stem) > 0 : past.feminine_of.count(stem) > 0;
}

// Rewrites a verb to agree with a swapped subject; `feminine` is the subject's gender before the
// swap, `plural` whether it is plural and the verb follows it.
void swap_verb(SwapArabicWord& word, SwapVerb kind, size_t conjunction, bool feminine, bool plural_after) {
  const std::u32string stem = word.key.substr(conjunction);
  word.changed = true;
  if (kind == SwapVerb::Present && !plural_after) {
    word.letters[conjunction].base = word.letters[conjunction].base == kSwapTaa ? kSwapYaa : kSwapTaa;
    return;
  }
  if (plural_after) {  // يطبخن <-> يطبخون, جلسن <-> جلسوا
    const size_t n = word.letters.size();
    if (feminine && stem.back() == kSwapNoon) {
      word.letters.pop_back();
      word.letters.push_back({kSwapWaw, {}});
      word.letters.push_back({kind == SwapVerb::Present ? kSwapNoon : kSwapAlif, {}});
    } else if (!feminine && swap_key_ends(stem, U"ون")) {
      word.letters.erase(word.letters.begin() + long(n - 2));
    } else if (!feminine && swap_key_ends(stem, U"وا")) {
      word.letters.resize(n - 2);
      word.letters.push_back({kSwapNoon, {}});
    } else if (kind == SwapVerb::Present) {
      word.letters[conjunction].base = word.letters[conjunction].base == kSwapTaa ? kSwapYaa : kSwapTaa;
    }
    return;
  }
  const SwapPastVerbs& past = swap_past_verbs();
  if (auto masculine = past.masculine_of.find(stem); masculine != past.masculine_of.end()) {
    if (masculine->second.size() + 1 == stem.size()) word.letters.pop_back();  // جلست -> جلس
    else swap_replace_tail(word, conjunction, masculine->second);                // مشت -> مشى
    // The key wrote the verb's final ى as ي.
    if (masculine->second.back() == kSwapYaa && word.letters.back().base == kSwapYaa) word.letters.back().base = U'ى';
  } else if (auto feminine_form = past.feminine_of.find(stem); feminine_form != past.feminine_of.end()) {
    if (feminine_form->second.size() == stem.size() + 1) {
      word.letters.push_back({kSwapTaa, swap_has_marks(word) ? std::u32string(1, kSwapSukun) : U""});
    } else {
      swap_replace_tail(word, conjunction, feminine_form->second);
    }
  }
}

// ---- adjectives

const SwapKeySet& swap_adjectives() {
  static const SwapKeySet adjectives = swap_key_set(
      {U"طويل", U"قصير", U"كبير", U"صغير", U"جميل", U"وسيم", U"سعيد", U"حزين", U"مسن", U"شاب", U"نحيف", U"سمين",
       U"بدين", U"جالس", U"واقف", U"مبتسم", U"ضاحك", U"متعب", U"مشغول", U"أنيق", U"قوي", U"ضعيف", U"غني", U"فقير",
       U"طيب", U"ماهر", U"نشيط", U"هادئ", U"غاضب", U"وحيد", U"جائع", U"مريض", U"ذكي", U"لطيف", U"رياضي", U"عربي",
       U"أجنبي", U"شقي"});
  return adjectives;
}

// Whether the word is a listed adjective of the noun's definiteness, in the noun's gender.
bool swap_is_adjective(const std::u32string& key, bool definite, bool feminine) {
  std::u32string stem = key;
  if (definite != swap_key_starts(stem, U"ال")) return false;
  if (definite) stem = stem.substr(2);
  if (feminine != (!stem.empty() && stem.back() == kSwapTaaMarbuta)) return false;
  if (feminine) stem.pop_back();
  return swap_adjectives().count(stem) > 0;
}

void swap_adjective(SwapArabicWord& word, bool feminine) {
  word.changed = true;
  if (feminine) {  // جميلةٌ -> جميلٌ: the ending's marks move to the letter before
    std::u32string marks = word.letters.back().marks;
    word.letters.pop_back();
    word.letters.back().marks = marks;
  } else {  // جميلٌ -> جميلَةٌ
    std::u32string marks = word.letters.back().marks;
    word.letters.back().marks = marks.empty() ? U"" : std::u32string(1, kSwapFatha);
    word.letters.push_back({kSwapTaaMarbuta, marks});
  }
}

// ---- pronoun suffixes

// ـها <-> ـه, ـهن <-> ـهم at the end of the word.
void swap_suffix(SwapArabicWord& word) {
  word.changed = true;
  const std::u32string& key = word.key;
  const bool marked = swap_has_marks(word);
  if (swap_key_ends(key, U"ها")) {
    word.letters.pop_back();
    SwapLetter& haa = word.letters.back();
    const std::u32string& before = word.letters[word.letters.size() - 2].marks;
    const bool after_kasra = before.find(kSwapKasra) != std::u32string::npos;  // بِهِ but كتابُهُ
    haa.marks = !marked ? U"" : std::u32string(1, after_kasra ? kSwapKasra : kSwapDamma);
  } else if (swap_key_ends(key, U"هن") || swap_key_ends(key, U"هم")) {
    word.letters.back().base = key.back() == kSwapNoon ? kSwapMeem : kSwapNoon;
  } else {
    word.letters.back().marks = marked ? std::u32string(1, kSwapFatha) : U"";
    word.letters.push_back({kSwapAlif, {}});
  }
}

const SwapKeySet& swap_prepositions() {
  static const SwapKeySet prepositions =
      swap_key_set({U"ل", U"ب", U"في", U"على", U"من", U"عن", U"إلى", U"مع", U"لدى", U"عند", U"حول", U"أمام", U"خلف",
                    U"بجانب", U"جانب", U"قرب", U"تحت", U"فوق", U"وراء", U"بين", U"منذ", U"دون", U"بدون", U"نحو"});
  return prepositions;
}

// ---- the caption

// Second words of compounds with no word-for-word counterpart (رجل أعمال "businessman").
const SwapKeySet& swap_compound_parts() {
  static const SwapKeySet parts = swap_key_set({U"أعمال", U"شرطة", U"إطفاء", U"أمن", U"دين", U"ثلج"});
  return parts;
}

struct SwapArabic {
  std::vector<SwapToken> tokens;
  std::vector<size_t> index;  // token index of each word
  std::vector<SwapArabicWord> words;
  std::string problem;

  const std::u32string& key(size_t w) const { return words[w].key; }
  std::string original(size_t w) const { return tokens[index[w]].text; }
  void fail(std::string why) {
    if (problem.empty()) problem = std::move(why);
  }

  // The verb at word w when it is one, agrees with the subject and no earlier rule rewrote it.
  SwapVerb free_verb(long w, size_t& conjunction, bool feminine, bool plural_after) const {
    if (w < 0 || size_t(w) >= words.size() || words[size_t(w)].changed) return SwapVerb::None;
    const SwapVerb kind = swap_verb_kind(key(size_t(w)), conjunction);
    if (kind == SwapVerb::None || !swap_verb_agrees(key(size_t(w)), kind, conjunction, feminine, plural_after))
      return SwapVerb::None;
    return kind;
  }

  bool is_person(size_t w) const {
    return swap_is_person_noun(key(w)) || pronoun_gender(swap_first_word(original(w)), Language::Arabic).has_value();
  }

  // Rule c: coordinated verbs after word `from`, up to the next person noun.
  void swap_coordinated(size_t from, bool feminine, bool plural) {
    for (size_t w = from + 1; w < words.size(); ++w) {
      if (is_person(w) || words[w].changed) return;
      size_t conjunction = 0;
      const SwapVerb kind = free_verb(long(w), conjunction, feminine, plural);
      const bool after_and = key(w - 1) == U"و" || key(w - 1) == U"ثم";
      if (kind != SwapVerb::None && (conjunction == 1 || after_and))
        swap_verb(words[w], kind, conjunction, feminine, plural);
    }
  }

  // Rules a to c for the noun or pronoun at word w.
  void swap_agreement(size_t w, bool feminine, bool plural, bool definite, bool noun) {
    size_t last = w;
    if (noun && !plural)
      while (last + 1 < words.size() && !words[last + 1].changed &&
             swap_is_adjective(key(last + 1), definite, feminine))
        swap_adjective(words[++last], feminine);
    size_t conjunction = 0;
    if (const SwapVerb kind = free_verb(long(last + 1), conjunction, feminine, plural); kind != SwapVerb::None) {
      swap_verb(words[++last], kind, conjunction, feminine, plural);
    } else if (noun && feminine && !plural && last + 1 < words.size() && !words[last + 1].changed) {
      const std::u32string& next = key(last + 1);
      if (next.size() >= 3 && next.back() == kSwapTaa && !swap_key_ends(next, U"ات") && !swap_is_lookalike(next) &&
          !swap_is_person_noun(next))
        fail("ambiguous: '" + original(last + 1) + "' may be a past-tense verb loupe does not know");
    }
    // The verb before the noun, unless a subject of its own comes before it (شخص يساعد امرأة).
    if (noun && !(w >= 2 && is_person(w - 2))) {
      if (const SwapVerb kind = free_verb(long(w) - 1, conjunction, feminine, false); kind != SwapVerb::None)
        swap_verb(words[w - 1], kind, conjunction, feminine, false);
    }
    swap_coordinated(last, feminine, plural);
  }

  // هذه/هذا, تلك/ذلك right before the noun at word w.
  void swap_demonstrative(size_t w) {
    if (w == 0 || words[w - 1].changed) return;
    static const std::pair<const char32_t*, const char32_t*> pairs[] = {{U"هذه", U"هذا"}, {U"تلك", U"ذلك"}};
    for (const auto& [female, male] : pairs) {
      const std::u32string& k = key(w - 1);
      if (k == female || k == male) {
        swap_replace_tail(words[w - 1], 0, k == female ? male : female);
        words[w - 1].changed = true;
      }
    }
  }

  // Rule d for word w; `after_neutral`: a neutral person noun came after the last swapped noun.
  void swap_pronoun_suffix(size_t w, bool after_neutral) {
    const std::u32string& k = key(w);
    const bool feminine = swap_key_ends(k, U"ها") || swap_key_ends(k, U"هن");
    const size_t length = feminine || swap_key_ends(k, U"هم") ? 2 : swap_key_ends(k, U"ه") ? 1 : 0;
    if (length == 0 || k.size() <= length) return;
    const std::u32string stem = k.substr(0, k.size() - length);
    const bool conjunction = stem.size() > 1 && (stem[0] == kSwapWaw || stem[0] == U'ف');
    if (swap_prepositions().count(stem) || (conjunction && swap_prepositions().count(stem.substr(1))))
      return fail("ambiguous: '" + original(w) + "' may refer to the person or to a thing");
    if (swap_key_starts(k, U"ال") || is_arabic_lookalike(swap_encode(k)) || stem.size() < 2) return;
    size_t verb_conjunction = 0;
    if (stem.size() >= 3 && swap_verb_kind(stem, verb_conjunction) != SwapVerb::None)
      return fail("ambiguous: '" + original(w) + "' may refer to the person or to a thing");
    if (!feminine && after_neutral) return fail("ambiguous: '" + original(w) + "' may refer to the other person");
    swap_suffix(words[w]);
  }

  // The noun at word w and its agreement. Its attached pronoun is swapped too, except a ـه that
  // belongs to a neutral person named before it (طفل يلعب مع أمه -> مع أبيه); when a swapped noun
  // came before that person as well, whose it is cannot be told (a problem).
  void swap_noun(size_t w, const SwapNoun& noun, size_t suffix, bool anchored, bool after_neutral) {
    if (w + 1 < words.size() && swap_compound_parts().count(key(w + 1)))
      fail("no counterpart for the compound '" + original(w) + " " + original(w + 1) + "'");
    std::u32string counterpart = noun.counterpart;
    if (suffix > 0) {
      const bool keep_suffix = suffix == 1 && after_neutral;
      if (keep_suffix && anchored) fail("ambiguous: '" + original(w) + "' may belong to either person");
      if (counterpart.back() == kSwapTaaMarbuta) counterpart.back() = kSwapTaa;  // زوجة + ه -> زوجته
      if (swap_is_five_noun(swap_key(counterpart))) {  // أب + ها -> أبوها, مع أبيها
        const bool genitive = noun.preposition || (w > 0 && swap_prepositions().count(key(w - 1)));
        counterpart += genitive ? kSwapYaa : kSwapWaw;
      }
      const bool feminine_suffix = suffix == 2;
      counterpart += feminine_suffix != keep_suffix ? std::u32string(U"ه") : std::u32string(U"ها");
    }
    swap_replace_tail(words[w], noun.prefix, counterpart);
    words[w].changed = true;
    swap_demonstrative(w);
    swap_agreement(w, noun.feminine, noun.plural, noun.definite || suffix > 0, true);
  }

  // Independent pronouns هي/هو, هن/هم (also وهي، فهو) and their verbs; false for other words.
  bool swap_pronoun(size_t w) {
    static const std::pair<const char32_t*, const char32_t*> pairs[] = {{U"هي", U"هو"}, {U"هن", U"هم"}};
    const std::u32string& k = key(w);
    const size_t conjunction = k.size() == 3 && (k[0] == kSwapWaw || k[0] == U'ف') ? 1 : 0;
    const std::u32string bare = k.substr(conjunction);
    for (const auto& [female, male] : pairs) {
      if (bare != female && bare != male) continue;
      const bool feminine = bare == female;
      words[w].letters[conjunction + 1].base = (feminine ? male : female)[1];
      words[w].changed = true;
      swap_agreement(w, feminine, std::u32string(female) == U"هن", false, false);
      return true;
    }
    return false;
  }

  // Gendered words that no rule rewrote.
  void check_left_over() {
    for (size_t w = 0; w < words.size(); ++w) {
      // gender_lexicon reads آ as ا, so مرآة "mirror" would be امرأة there.
      if (words[w].changed || key(w).find(U'آ') != std::u32string::npos) continue;
      const std::string normal = swap_first_word(original(w));
      const std::optional<Gender> gender = person_noun_gender(normal, Language::Arabic);
      if (gender == Gender::Female || gender == Gender::Male) fail("no counterpart for '" + original(w) + "'");
    }
  }
};

GenderSwap swap_arabic(const std::string& caption) {
  SwapArabic c;
  c.tokens = swap_tokens(caption);
  for (size_t i = 0; i < c.tokens.size(); ++i) {
    if (!c.tokens[i].word) continue;
    c.index.push_back(i);
    c.words.push_back(swap_arabic_word(c.tokens[i].text));
  }
  // anchored: a noun or pronoun was swapped; after_neutral: a neutral person noun came since.
  bool anchored = false, after_neutral = false;
  for (size_t w = 0; w < c.words.size(); ++w) {
    if (c.words[w].changed) continue;
    size_t suffix = 0;
    if (const std::optional<SwapNoun> noun = swap_find_noun(c.key(w), suffix)) {
      c.swap_noun(w, *noun, suffix, anchored, after_neutral);
      anchored = true;
      after_neutral = false;
    } else if (c.swap_pronoun(w)) {
      anchored = true;
      after_neutral = false;
    } else {
      if (anchored) c.swap_pronoun_suffix(w, after_neutral);
      after_neutral |= person_noun_gender(swap_first_word(c.original(w)), Language::Arabic) == Gender::Neutral;
    }
  }
  c.check_left_over();
  GenderSwap result{caption, 0, c.problem};
  if (!c.problem.empty()) return result;
  for (size_t w = 0; w < c.words.size(); ++w) {
    if (!c.words[w].changed) continue;
    c.tokens[c.index[w]].text = swap_word_text(c.words[w]);
    ++result.changed;
  }
  if (result.changed == 0) result.problem = kSwapNoGenderedWord;
  else result.text = swap_join(c.tokens);
  return result;
}

}  // namespace

GenderSwap swap_gender(const std::string& caption, Language language) {
  return language == Language::Arabic ? swap_arabic(caption) : swap_english(caption);
}

}  // namespace loupe::eval
