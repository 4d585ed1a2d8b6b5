#include "core/text/tokenizer.h"

#include <algorithm>
#include <limits>

#include "core/error.h"
#include "core/text/tokenizer_json.h"
#include "core/util/utf8.h"
#include "core/util/json_fields.h"

namespace loupe::text {

namespace {

const nlohmann::json& optional_section(const nlohmann::json& root, const char* key) {
  static const nlohmann::json null_value;
  auto it = root.find(key);
  return it == root.end() ? null_value : *it;
}

// A template lists few ids; more than this is not a tokenizer loupe can read.
constexpr size_t kMaxTemplateIds = 64;

std::vector<int64_t> template_ids(const util::JsonFields& special_tokens, const std::string& name) {
  return special_tokens.object(name.c_str())
      .integer_list("ids", 0, std::numeric_limits<int64_t>::max(), kMaxTemplateIds);
}

}  // namespace

Tokenizer Tokenizer::load(const std::string& tokenizer_json_path) {
  TokenizerJson file = read_tokenizer_json(tokenizer_json_path);
  try {
    const nlohmann::json& root = file.rest;
    if (!root.is_object()) throw FormatError("is not a JSON object");
    if (!root.contains("model") || !root["model"].is_object())
      throw FormatError("has no `model` section; is this a Hugging Face tokenizer.json?");
    const nlohmann::json& model = root["model"];
    const std::string type = util::JsonFields(model, "model").string("type");
    if (type != "BPE") throw FormatError("model type '" + type + "' is not supported (loupe reads BPE)");
    if (!file.has_vocab) throw FormatError("model has no `vocab`");
    for (const char* key : {"truncation", "padding"})
      if (!optional_section(root, key).is_null())
        throw FormatError(std::string("`") + key + "` is set; loupe supports tokenizers without it");

    Tokenizer tokenizer;
    tokenizer.source_ = tokenizer_json_path;
    tokenizer.normalizer_ = Normalizer::from_json(optional_section(root, "normalizer"));
    tokenizer.pre_tokenizer_ = PreTokenizer::from_json(optional_section(root, "pre_tokenizer"));
    tokenizer.decoder_ = Decoder::from_json(optional_section(root, "decoder"));
    const nlohmann::json& added_tokens = optional_section(root, "added_tokens");
    const size_t entries = file.vocab_ids.size() + (added_tokens.is_array() ? added_tokens.size() : 0);
    const int64_t max_id = max_token_id(entries);
    const std::string bound_note = token_id_bound_note(entries);
    tokenizer.added_ = AddedVocabulary::from_json(added_tokens, tokenizer.normalizer_, max_id, bound_note);
    tokenizer.read_post_processor(optional_section(root, "post_processor"));

    tokenizer.model_ = BpeModel::from_json(model, file, max_id, bound_note);
    tokenizer.vocab_size_ = tokenizer.model_.id_count();
    for (const AddedToken& token : tokenizer.added_.tokens())
      tokenizer.vocab_size_ = std::max(tokenizer.vocab_size_, token.id + 1);
    for (const auto* side : {&tokenizer.prefix_, &tokenizer.suffix_})
      for (int64_t id : *side)
        if (!tokenizer.find_text(id))
          throw FormatError("post_processor names id " + std::to_string(id) + ", which no token has");
    return tokenizer;
  } catch (const FormatError& error) {
    throw FormatError(tokenizer_json_path + ": " + error.what());
  } catch (const nlohmann::json::exception& error) {
    throw FormatError(tokenizer_json_path + ": unexpected JSON shape: " + error.what());
  }
}

void Tokenizer::read_post_processor(const nlohmann::json& json) {
  if (json.is_null()) return;
  const std::string type = util::JsonFields(json, "post_processor").string("type");
  if (type != "TemplateProcessing")
    throw FormatError("post_processor type '" + type + "' is not supported (loupe reads TemplateProcessing)");
  const util::JsonFields spec(json, "TemplateProcessing");
  const util::JsonFields special_tokens = spec.object("special_tokens");
  bool sequence_seen = false;
  for (const util::JsonFields& piece : spec.objects("single")) {
    if (piece.has("Sequence")) {
      if (piece.object("Sequence").string("id") != "A" || sequence_seen)
        throw FormatError("TemplateProcessing `single` must hold the sequence A exactly once");
      sequence_seen = true;
    } else if (piece.has("SpecialToken")) {
      const auto ids = template_ids(special_tokens, piece.object("SpecialToken").string("id"));
      auto& side = sequence_seen ? suffix_ : prefix_;
      side.insert(side.end(), ids.begin(), ids.end());
    } else {
      throw FormatError(
          "TemplateProcessing `single` holds a piece that is neither SpecialToken nor Sequence");
    }
  }
  if (!sequence_seen) throw FormatError("TemplateProcessing `single` never places the sequence A");
}

std::vector<int64_t> Tokenizer::encode(const std::string& text, bool add_special) const {
  if (!util::is_valid_utf8(text)) throw InputError("cannot tokenize text that is not valid UTF-8");
  std::vector<int64_t> ids;
  if (add_special) ids = prefix_;
  for (const TextPiece& raw : added_.split_raw(text)) {
    if (raw.id) {
      ids.push_back(*raw.id);
      continue;
    }
    const std::string normalized = normalizer_.apply(raw.text);
    for (const TextPiece& piece : added_.split_normalized(normalized)) {
      if (piece.id) {
        ids.push_back(*piece.id);
        continue;
      }
      for (std::string_view word : pre_tokenizer_.split(piece.text)) model_.tokenize(word, ids);
    }
  }
  if (add_special) ids.insert(ids.end(), suffix_.begin(), suffix_.end());
  return ids;
}

std::string Tokenizer::decode(const std::vector<int64_t>& ids, bool skip_special) const {
  std::vector<std::string> tokens;
  tokens.reserve(ids.size());
  for (int64_t id : ids) {
    if (skip_special && is_special(id)) continue;
    if (auto text = find_text(id)) tokens.emplace_back(*text);
  }
  return decoder_.decode(std::move(tokens));
}

std::optional<std::string_view> Tokenizer::find_text(int64_t id) const {
  if (const AddedToken* added = added_.by_id(id)) return added->content;
  return model_.token(id);
}

std::string Tokenizer::token_text(int64_t id) const {
  if (auto text = find_text(id)) return std::string(*text);
  throw InputError("token id " + std::to_string(id) + " is not in the vocabulary of " + source_ + " (" +
                   std::to_string(vocab_size()) + " ids)");
}

std::optional<int64_t> Tokenizer::find_token(const std::string& token) const {
  if (auto id = added_.find(token)) return id;
  return model_.find(token);
}

int64_t Tokenizer::token_id(const std::string& token) const {
  if (auto id = find_token(token)) return *id;
  throw InputError("token '" + token + "' is not in the vocabulary of " + source_);
}

bool Tokenizer::is_special(int64_t id) const {
  const AddedToken* added = added_.by_id(id);
  return added && added->special;
}

std::optional<int64_t> Tokenizer::bos_id() const {
  if (prefix_.empty()) return std::nullopt;
  return prefix_.front();
}

}  // namespace loupe::text
