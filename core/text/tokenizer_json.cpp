#include "core/text/tokenizer_json.h"

#include <algorithm>

#include "core/error.h"
#include "core/util/atomic_file.h"
#include "core/util/json_fields.h"

namespace loupe::text {

namespace {

using Json = nlohmann::json;

// SAX events -> TokenizerJson. Values outside model.vocab / model.merges are assembled into a JSON
// tree the way nlohmann's own DOM parser does: a stack of open containers, and for objects the
// slot that the last key created.
class Reader final : public nlohmann::json_sax<Json> {
 public:
  TokenizerJson result;

  bool null() override { return place(Json(nullptr)); }
  bool boolean(bool value) override { return place(Json(value)); }
  bool number_integer(number_integer_t value) override { return place(Json(value)); }
  bool number_float(number_float_t value, const string_t&) override { return place(Json(value)); }
  bool binary(binary_t& value) override { return place(Json(Json::binary_t(value))); }

  bool number_unsigned(number_unsigned_t value) override {
    if (mode_ == Mode::Vocab) {
      result.vocab_tokens.push_back(vocab_key_);
      result.vocab_ids.push_back(value);
      return true;
    }
    return place(Json(value));
  }

  bool string(string_t& value) override {
    if (mode_ == Mode::Merges) {
      if (merge_depth_ == 1) {
        if (++merge_pair_size_ > 2) throw FormatError("model.merges holds a pair that is not [a, b]");
        result.merge_parts.push_back(value);
      } else {
        const size_t space = value.find(' ');
        if (space == std::string::npos || value.find(' ', space + 1) != std::string::npos)
          throw FormatError("model.merges entry " + util::describe_json(value) +
                            " is not two tokens separated by one space");
        const std::string_view both(value);
        result.merge_parts.push_back(both.substr(0, space));
        result.merge_parts.push_back(both.substr(space + 1));
      }
      return true;
    }
    return place(Json(std::move(value)));
  }

  bool start_object(std::size_t) override {
    if (pending_ == Pending::Vocab) {
      pending_ = Pending::None;
      mode_ = Mode::Vocab;
      result.has_vocab = true;
      return true;
    }
    open(Json::object());
    return true;
  }

  bool key(string_t& value) override {
    if (mode_ == Mode::Vocab) {
      vocab_key_ = std::move(value);
      return true;
    }
    if (stack_.size() == 1) root_key_ = value;
    if (stack_.size() == 2 && root_key_ == "model" && (value == "vocab" || value == "merges")) {
      pending_ = value == "vocab" ? Pending::Vocab : Pending::Merges;
      return true;
    }
    slot_ = &(*stack_.back())[value];
    return true;
  }

  bool end_object() override {
    if (mode_ == Mode::Vocab) {
      mode_ = Mode::Tree;
      return true;
    }
    stack_.pop_back();
    return true;
  }

  bool start_array(std::size_t) override {
    if (pending_ == Pending::Merges) {
      pending_ = Pending::None;
      mode_ = Mode::Merges;
      merge_depth_ = 0;
      return true;
    }
    if (mode_ == Mode::Merges) {
      if (merge_depth_ != 0) throw FormatError("model.merges holds a nested array deeper than [a, b]");
      merge_depth_ = 1;
      merge_pair_size_ = 0;
      return true;
    }
    open(Json::array());
    return true;
  }

  bool end_array() override {
    if (mode_ == Mode::Merges) {
      if (merge_depth_ == 0) {
        mode_ = Mode::Tree;
        return true;
      }
      if (merge_pair_size_ != 2) throw FormatError("model.merges holds a pair that is not [a, b]");
      merge_depth_ = 0;
      return true;
    }
    stack_.pop_back();
    return true;
  }

  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& error) override {
    constexpr size_t kMaxDetail = 240;  // bytes of the JSON library's message kept (it quotes the input)
    throw FormatError("not valid JSON: " + std::string(error.what()).substr(0, kMaxDetail));
  }

 private:
  enum class Mode { Tree, Vocab, Merges };
  enum class Pending { None, Vocab, Merges };

  bool place(Json value) {
    if (mode_ == Mode::Vocab)
      throw FormatError("model.vocab " + util::describe_json(vocab_key_) +
                        ": the id must be a non-negative integer, not " + util::describe_json(value));
    if (mode_ == Mode::Merges)
      throw FormatError("model.merges must hold \"a b\" strings or [a, b] string pairs");
    if (pending_ != Pending::None)
      throw FormatError(pending_ == Pending::Vocab ? "model.vocab must be an object"
                                                   : "model.merges must be an array");
    if (stack_.empty()) {
      result.rest = std::move(value);
    } else if (stack_.back()->is_array()) {
      stack_.back()->push_back(std::move(value));
    } else {
      *slot_ = std::move(value);
    }
    return true;
  }

  void open(Json container) {
    if (stack_.size() >= size_t(util::kMaxJsonDepth))
      throw FormatError("JSON nested deeper than " + std::to_string(util::kMaxJsonDepth) + " levels");
    place(std::move(container));
    if (stack_.empty()) {
      stack_.push_back(&result.rest);
    } else if (stack_.back()->is_array()) {
      stack_.push_back(&stack_.back()->back());
    } else {
      stack_.push_back(slot_);
    }
  }

  Mode mode_ = Mode::Tree;
  Pending pending_ = Pending::None;
  std::vector<Json*> stack_;
  Json* slot_ = nullptr;
  std::string root_key_;
  std::string vocab_key_;
  int merge_depth_ = 0;
  int merge_pair_size_ = 0;
};

}  // namespace

int64_t max_token_id(size_t entries) {
  if (entries >= size_t(kMaxTokenId / kIdsPerEntry)) return kMaxTokenId;
  return std::max<int64_t>(int64_t(entries) * kIdsPerEntry - 1, 0);
}

std::string token_id_bound_note(size_t entries) {
  return "(at most " + std::to_string(kIdsPerEntry) + " ids per entry of model.vocab and added_tokens: " +
         std::to_string(entries) + " entries)";
}

TokenizerJson read_tokenizer_json(const std::string& path) {
  const std::string bytes = util::read_file(path);
  Reader reader;
  try {
    Json::sax_parse(bytes, &reader);
  } catch (const FormatError& error) {
    throw FormatError(path + ": " + error.what());
  }
  return std::move(reader.result);
}

}  // namespace loupe::text
