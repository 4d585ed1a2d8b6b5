#include "core/text/normalizer.h"

#include "core/error.h"

namespace loupe::text {

void replace_all(std::string& text, const std::string& pattern, const std::string& content) {
  if (text.find(pattern) == std::string::npos) return;
  std::string out;
  out.reserve(text.size() + text.size() / 2);
  size_t pos = 0;
  for (size_t hit; (hit = text.find(pattern, pos)) != std::string::npos; pos = hit + pattern.size()) {
    out.append(text, pos, hit - pos);
    out += content;
  }
  out.append(text, pos, std::string::npos);
  text = std::move(out);
}

std::string string_pattern(const util::JsonFields& spec) {
  const util::JsonFields pattern = spec.object("pattern");
  if (pattern.has("Regex"))
    throw FormatError(spec.where() + " with a Regex pattern is not supported (loupe reads String patterns)");
  std::string text = pattern.string("String");
  if (text.empty()) throw FormatError(spec.where() + " has an empty String pattern");
  return text;
}

Normalizer Normalizer::from_json(const nlohmann::json& spec) {
  Normalizer normalizer;
  if (!spec.is_null()) normalizer.add(spec);
  return normalizer;
}

void Normalizer::add(const nlohmann::json& json) {
  const std::string type = util::JsonFields(json, "normalizer").string("type");
  const util::JsonFields spec(json, type + " normalizer");
  if (type == "Sequence") {
    for (const auto& item : spec.array("normalizers")) add(item);
  } else if (type == "Replace") {
    steps_.push_back({Step::Kind::Replace, string_pattern(spec), spec.string("content")});
  } else if (type == "Prepend") {
    steps_.push_back({Step::Kind::Prepend, "", spec.string("prepend")});
  } else {
    throw FormatError("normalizer type '" + type +
                      "' is not supported (loupe reads Replace, Prepend and Sequence)");
  }
}

std::string Normalizer::apply(std::string_view text) const {
  std::string out(text);
  for (const Step& step : steps_) {
    if (step.kind == Step::Kind::Replace) {
      replace_all(out, step.pattern, step.content);
    } else if (!out.empty()) {
      out.insert(0, step.content);
    }
  }
  return out;
}

PreTokenizer PreTokenizer::from_json(const nlohmann::json& json) {
  PreTokenizer pre_tokenizer;
  if (json.is_null()) return pre_tokenizer;
  const std::string type = util::JsonFields(json, "pre_tokenizer").string("type");
  if (type != "Split")
    throw FormatError("pre_tokenizer type '" + type + "' is not supported (loupe reads Split)");
  const util::JsonFields spec(json, "Split pre_tokenizer");
  const std::string behavior = spec.string("behavior");
  if (behavior != "MergedWithPrevious")
    throw FormatError("Split pre_tokenizer behavior '" + behavior +
                      "' is not supported (loupe reads MergedWithPrevious)");
  if (spec.boolean("invert", false)) throw FormatError("Split pre_tokenizer with invert=true is not supported");
  pre_tokenizer.delimiter_ = string_pattern(spec);
  return pre_tokenizer;
}

std::vector<std::string_view> PreTokenizer::split(std::string_view text) const {
  std::vector<std::string_view> words;
  if (text.empty()) return words;
  if (delimiter_.empty()) {
    words.push_back(text);
    return words;
  }
  size_t pos = 0;
  bool previous_was_delimiter = false;
  for (size_t hit; (hit = text.find(delimiter_, pos)) != std::string_view::npos;
       pos = hit + delimiter_.size()) {
    if (hit > pos) {
      words.push_back(text.substr(pos, hit - pos));
      previous_was_delimiter = false;
    }
    if (!previous_was_delimiter && !words.empty()) {
      const std::string_view& last = words.back();
      words.back() = std::string_view(last.data(), last.size() + delimiter_.size());
    } else {
      words.push_back(text.substr(hit, delimiter_.size()));
    }
    previous_was_delimiter = true;
  }
  if (pos < text.size()) words.push_back(text.substr(pos));
  return words;
}

}  // namespace loupe::text
