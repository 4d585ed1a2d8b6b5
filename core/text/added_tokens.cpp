#include "core/text/added_tokens.h"

#include "core/error.h"
#include "core/util/utf8.h"
#include "core/util/json_fields.h"

namespace loupe::text {

namespace {

// Start of the run of white space that ends `text` (text.size() when it does not end in space).
size_t trailing_space_start(std::string_view text) {
  size_t pos = text.size();
  while (pos > 0) {
    const size_t previous = util::previous_char_start(text, pos);
    if (!util::is_unicode_space(util::code_point_at(text, previous))) break;
    pos = previous;
  }
  return pos;
}

// Byte length of the run of white space that starts `text`.
size_t leading_space_length(std::string_view text) {
  size_t pos = 0;
  while (pos < text.size() && util::is_unicode_space(util::code_point_at(text, pos)))
    pos += util::utf8_length(static_cast<unsigned char>(text[pos]));
  return pos;
}

}  // namespace

AddedVocabulary AddedVocabulary::from_json(const nlohmann::json& added_tokens, const Normalizer& normalizer,
                                           int64_t max_id, const std::string& bound_note) {
  AddedVocabulary vocabulary;
  if (added_tokens.is_null()) return vocabulary;
  if (!added_tokens.is_array()) throw FormatError("`added_tokens` is not an array");
  for (size_t i = 0; i < added_tokens.size(); ++i) {
    AddedToken token;
    token.content = util::JsonFields(added_tokens[i], "`added_tokens[" + std::to_string(i) + "]`").string("content");
    const util::JsonFields entry(added_tokens[i], "added token " + util::describe_json(token.content));
    token.id = entry.integer_in("id", 0, max_id, bound_note);
    token.special = entry.boolean("special", false);
    token.normalized = entry.boolean("normalized", !token.special);
    token.lstrip = entry.boolean("lstrip", false);
    token.rstrip = entry.boolean("rstrip", false);
    if (entry.boolean("single_word", false)) entry.fail("single_word=true is not supported by loupe");
    if (token.content.empty()) continue;  // HF ignores empty added tokens

    const auto index = static_cast<int32_t>(vocabulary.tokens_.size());
    if (token.normalized) {
      const std::string pattern = normalizer.apply(token.content);
      if (!pattern.empty()) vocabulary.normalized_.insert(pattern, index);
    } else {
      vocabulary.raw_.insert(token.content, index);
    }
    vocabulary.by_content_[token.content] = token.id;
    vocabulary.index_of_id_[token.id] = vocabulary.tokens_.size();
    vocabulary.tokens_.push_back(std::move(token));
  }
  return vocabulary;
}

std::optional<int64_t> AddedVocabulary::find(const std::string& content) const {
  auto it = by_content_.find(content);
  if (it == by_content_.end()) return std::nullopt;
  return it->second;
}

const AddedToken* AddedVocabulary::by_id(int64_t id) const {
  auto it = index_of_id_.find(id);
  return it == index_of_id_.end() ? nullptr : &tokens_[it->second];
}

int32_t AddedVocabulary::Matcher::child(int32_t node, unsigned char byte) const {
  auto it = children_.find((static_cast<uint64_t>(node) << 8) | byte);
  return it == children_.end() ? -1 : it->second;
}

void AddedVocabulary::Matcher::insert(std::string_view pattern, int32_t token_index) {
  can_start_[static_cast<unsigned char>(pattern[0])] = true;
  int32_t node = 0;
  for (char c : pattern) {
    const auto byte = static_cast<unsigned char>(c);
    int32_t next = child(node, byte);
    if (next < 0) {
      next = static_cast<int32_t>(terminal_.size());
      terminal_.push_back(-1);
      children_[(static_cast<uint64_t>(node) << 8) | byte] = next;
    }
    node = next;
  }
  terminal_[node] = token_index;  // a repeated content: the later entry wins, as in HF
}

std::optional<AddedVocabulary::Matcher::Match> AddedVocabulary::Matcher::longest_at(std::string_view text,
                                                                                    size_t start) const {
  std::optional<Match> best;
  int32_t node = 0;
  for (size_t pos = start; pos < text.size(); ++pos) {
    node = child(node, static_cast<unsigned char>(text[pos]));
    if (node < 0) break;
    if (terminal_[node] >= 0) best = Match{pos + 1, terminal_[node]};
  }
  return best;
}

std::vector<TextPiece> AddedVocabulary::Matcher::split(std::string_view text,
                                                       const std::vector<AddedToken>& tokens) const {
  std::vector<TextPiece> pieces;
  size_t taken = 0;  // end of what the pieces so far cover
  size_t scan = 0;   // where the search for the next match resumes (after the last match proper)
  while (scan < text.size()) {
    std::optional<Match> match;
    size_t start = scan;
    for (; start < text.size(); ++start) {
      if (!can_start_[static_cast<unsigned char>(text[start])]) continue;
      if ((match = longest_at(text, start))) break;
    }
    if (!match) break;
    const AddedToken& token = tokens[match->token_index];
    size_t stop = match->end;
    if (token.lstrip) start = std::max(trailing_space_start(text.substr(0, start)), taken);
    if (token.rstrip) stop += leading_space_length(text.substr(stop));
    if (taken < start) pieces.push_back({text.substr(taken, start - taken), std::nullopt});
    pieces.push_back({text.substr(start, stop - start), token.id});
    taken = stop;
    scan = match->end;
  }
  if (taken < text.size()) pieces.push_back({text.substr(taken), std::nullopt});
  return pieces;
}

}  // namespace loupe::text
