#include "core/text/decoder.h"

#include <limits>
#include <optional>

#include "core/error.h"
#include "core/text/normalizer.h"
#include "core/util/utf8.h"

namespace loupe::text {

namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// "<0x41>" -> 0x41; anything else -> nullopt.
std::optional<unsigned char> byte_token_value(const std::string& token) {
  if (token.size() != 6 || token.compare(0, 3, "<0x") != 0 || token[5] != '>') return std::nullopt;
  const int high = hex_digit(token[3]), low = hex_digit(token[4]);
  if (high < 0 || low < 0) return std::nullopt;
  return static_cast<unsigned char>(high * 16 + low);
}

// Runs of byte tokens become the text they spell, or one U+FFFD per byte when they do not spell
// valid UTF-8.
std::vector<std::string> fuse_byte_tokens(std::vector<std::string> tokens) {
  std::vector<std::string> out;
  std::string bytes;
  auto flush = [&] {
    if (bytes.empty()) return;
    if (util::is_valid_utf8(bytes)) {
      out.push_back(bytes);
    } else {
      for (size_t i = 0; i < bytes.size(); ++i) out.push_back("\xEF\xBF\xBD");
    }
    bytes.clear();
  };
  for (std::string& token : tokens) {
    if (auto byte = byte_token_value(token)) {
      bytes.push_back(static_cast<char>(*byte));
      continue;
    }
    flush();
    out.push_back(std::move(token));
  }
  flush();
  return out;
}

std::string strip(const std::string& token, const std::string& content, size_t start, size_t stop) {
  size_t begin = 0, end = token.size();
  for (size_t n = 0; n < start && token.compare(begin, content.size(), content) == 0; ++n)
    begin += content.size();
  for (size_t n = 0;
       n < stop && end >= content.size() && token.compare(end - content.size(), content.size(), content) == 0;
       ++n)
    end -= content.size();
  return end > begin ? token.substr(begin, end - begin) : std::string();
}

}  // namespace

Decoder Decoder::from_json(const nlohmann::json& spec) {
  Decoder decoder;
  if (spec.is_null()) return decoder;
  decoder.present_ = true;
  decoder.add(spec);
  return decoder;
}

void Decoder::add(const nlohmann::json& json) {
  const std::string type = util::JsonFields(json, "decoder").string("type");
  const util::JsonFields spec(json, type + " decoder");
  if (type == "Sequence") {
    for (const auto& item : spec.array("decoders")) add(item);
  } else if (type == "Replace") {
    steps_.push_back({Step::Kind::Replace, string_pattern(spec), spec.string("content")});
  } else if (type == "ByteFallback") {
    steps_.push_back({Step::Kind::ByteFallback, "", ""});
  } else if (type == "Fuse") {
    steps_.push_back({Step::Kind::Fuse, "", ""});
  } else if (type == "Strip") {
    Step step{Step::Kind::Strip, "", spec.string("content")};
    if (step.content.empty() || util::utf8_length(step.content[0]) != step.content.size())
      throw FormatError("Strip decoder content must be one character");
    step.start = size_t(spec.integer_in("start", 0, std::numeric_limits<int64_t>::max()));
    step.stop = size_t(spec.integer_in("stop", 0, std::numeric_limits<int64_t>::max()));
    steps_.push_back(step);
  } else {
    throw FormatError("decoder type '" + type +
                      "' is not supported (loupe reads Replace, ByteFallback, Fuse, Strip and Sequence)");
  }
}

std::string Decoder::decode(std::vector<std::string> tokens) const {
  if (!present_) {
    std::string joined;
    for (size_t i = 0; i < tokens.size(); ++i) joined += (i ? " " : "") + tokens[i];
    return joined;
  }
  for (const Step& step : steps_) {
    switch (step.kind) {
      case Step::Kind::Replace:
        for (std::string& token : tokens) replace_all(token, step.pattern, step.content);
        break;
      case Step::Kind::ByteFallback:
        tokens = fuse_byte_tokens(std::move(tokens));
        break;
      case Step::Kind::Fuse: {
        std::string fused;
        for (const std::string& token : tokens) fused += token;
        tokens.assign(1, std::move(fused));
        break;
      }
      case Step::Kind::Strip:
        for (std::string& token : tokens) token = strip(token, step.content, step.start, step.stop);
        break;
    }
  }
  std::string text;
  for (const std::string& token : tokens) text += token;
  return text;
}

}  // namespace loupe::text
