#include "core/text/tokenizer_builder.h"

#include <cstdio>
#include <map>
#include <set>
#include <utility>

#include "core/error.h"
#include "core/util/utf8.h"

namespace loupe::text {

namespace {

using nlohmann::ordered_json;

const std::string kWordStart = "\xE2\x96\x81";  // "▁", what the normalizer makes of a space

// Added tokens in id order from 0; the byte tokens follow them.
struct AddedSpec {
  const char* content;
  bool special;
};
constexpr AddedSpec kAddedTokens[] = {
    {"<pad>", true},           {"<eos>", true},           {"<bos>", true},         {"<unk>", true},
    {"<start_of_turn>", true}, {"<end_of_turn>", true},   {"<start_of_image>", true},
    {"<end_of_image>", true},  {"<image_soft_token>", true}, {"\n", false},        {"\n\n", false},
};

using Symbols = std::vector<std::string>;

Symbols characters(const std::string& word) {
  Symbols symbols;
  for (size_t at = 0; at < word.size();) {
    const size_t length = util::utf8_length(static_cast<unsigned char>(word[at]));
    symbols.push_back(word.substr(at, length));
    at += length;
  }
  return symbols;
}

// Every word of the corpus (see the header) → how often it occurs.
std::map<std::string, int64_t> corpus_words(const std::vector<std::string>& corpus) {
  std::map<std::string, int64_t> words;
  for (const std::string& text : corpus) {
    if (!util::is_valid_utf8(text)) throw InputError("tokenizer corpus text is not valid UTF-8: " + text);
    bool first = true;
    size_t start = 0;
    while (start <= text.size()) {
      const size_t space = std::min(text.find(' ', start), text.size());
      const std::string piece = text.substr(start, space - start);
      if (!piece.empty()) {
        ++words[first ? piece : kWordStart + piece];
        first = false;
      }
      start = space + 1;
    }
  }
  return words;
}

// Rewrites `symbols`, joining each occurrence of (left, right) from the left, without overlaps.
void apply_merge(Symbols& symbols, const std::string& left, const std::string& right) {
  Symbols merged;
  for (size_t i = 0; i < symbols.size(); ++i) {
    if (i + 1 < symbols.size() && symbols[i] == left && symbols[i + 1] == right) {
      merged.push_back(left + right);
      ++i;
    } else {
      merged.push_back(symbols[i]);
    }
  }
  symbols.swap(merged);
}

// BPE training: the most frequent adjacent pair (ties: the smallest pair text) until no word has
// two symbols left.
std::vector<std::pair<std::string, std::string>> learn_merges(std::vector<std::pair<Symbols, int64_t>>& words) {
  std::vector<std::pair<std::string, std::string>> merges;
  while (true) {
    std::map<std::pair<std::string, std::string>, int64_t> pair_counts;
    for (const auto& [symbols, count] : words)
      for (size_t i = 0; i + 1 < symbols.size(); ++i) pair_counts[{symbols[i], symbols[i + 1]}] += count;
    if (pair_counts.empty()) return merges;
    auto best = pair_counts.begin();
    for (auto it = pair_counts.begin(); it != pair_counts.end(); ++it)
      if (it->second > best->second) best = it;
    merges.push_back(best->first);
    for (auto& word : words) apply_merge(word.first, best->first.first, best->first.second);
  }
}

std::string byte_token(int byte) {
  char text[8];
  std::snprintf(text, sizeof text, "<0x%02X>", byte);
  return text;
}

ordered_json replace_step(const std::string& pattern, const std::string& content) {
  return {{"type", "Replace"}, {"pattern", {{"String", pattern}}}, {"content", content}};
}

ordered_json post_processor() {
  const ordered_json bos = {{"SpecialToken", {{"id", "<bos>"}, {"type_id", 0}}}};
  auto sequence = [](const char* id, int type_id) { return ordered_json{{"Sequence", {{"id", id}, {"type_id", type_id}}}}; };
  ordered_json bos_second = {{"SpecialToken", {{"id", "<bos>"}, {"type_id", 1}}}};
  return {{"type", "TemplateProcessing"},
          {"single", {bos, sequence("A", 0)}},
          {"pair", {bos, sequence("A", 0), bos_second, sequence("B", 1)}},
          {"special_tokens", {{"<bos>", {{"id", "<bos>"}, {"ids", {DemoTokenIds::bos}}, {"tokens", {"<bos>"}}}}}}};
}

}  // namespace

ordered_json build_tokenizer_json(const std::vector<std::string>& corpus) {
  std::vector<std::string> texts = corpus;
  texts.push_back("user");
  texts.push_back("model");
  const std::map<std::string, int64_t> counted = corpus_words(texts);

  std::vector<std::pair<Symbols, int64_t>> words;
  std::set<std::string> alphabet;  // UTF-8 byte order is code point order
  for (const auto& [word, count] : counted) {
    words.push_back({characters(word), count});
    alphabet.insert(words.back().first.begin(), words.back().first.end());
  }
  const auto merges = learn_merges(words);

  ordered_json vocab = ordered_json::object();
  ordered_json added = ordered_json::array();
  auto add_token = [&](const std::string& token) {
    if (!vocab.contains(token)) vocab[token] = int64_t(vocab.size());
  };
  for (const AddedSpec& spec : kAddedTokens) {
    added.push_back({{"id", int64_t(vocab.size())},
                     {"content", spec.content},
                     {"single_word", false},
                     {"lstrip", false},
                     {"rstrip", false},
                     {"normalized", false},
                     {"special", spec.special}});
    add_token(spec.content);
  }
  for (int byte = 0; byte < 256; ++byte) add_token(byte_token(byte));
  for (const std::string& character : alphabet) add_token(character);
  ordered_json merge_list = ordered_json::array();
  for (const auto& [left, right] : merges) {
    add_token(left + right);
    merge_list.push_back({left, right});
  }

  ordered_json model = {{"type", "BPE"},
                        {"dropout", nullptr},
                        {"unk_token", "<unk>"},
                        {"continuing_subword_prefix", nullptr},
                        {"end_of_word_suffix", nullptr},
                        {"fuse_unk", true},
                        {"byte_fallback", true},
                        {"ignore_merges", false},
                        {"vocab", vocab},
                        {"merges", merge_list}};
  return {{"version", "1.0"},
          {"truncation", nullptr},
          {"padding", nullptr},
          {"added_tokens", added},
          {"normalizer", replace_step(" ", kWordStart)},
          {"pre_tokenizer", {{"type", "Split"}, {"pattern", {{"String", " "}}}, {"behavior", "MergedWithPrevious"}, {"invert", false}}},
          {"post_processor", post_processor()},
          {"decoder", {{"type", "Sequence"}, {"decoders", {replace_step(kWordStart, " "), {{"type", "ByteFallback"}}, {{"type", "Fuse"}}}}}},
          {"model", model}};
}

}  // namespace loupe::text
