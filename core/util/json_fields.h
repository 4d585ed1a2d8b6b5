// One reader for the JSON files loupe takes from outside (model configs, tokenizer.json, store
// manifests, workspace files): parsing with a bounded nesting depth, and typed field getters whose
// errors name the file, the section and the field, e.g.
//   config.json `text_config`: `num_attention_heads` must be an integer, not "four"
// Values are quoted in messages through describe_json, which is short and bounded whatever the
// value holds; an untrusted tree is never dumped whole.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace loupe::util {

// The typed error a reader throws: ConfigError for model configs, FormatError for data files.
enum class JsonError { Format, Config };

[[noreturn]] void throw_json_error(JsonError kind, const std::string& message);

// Arrays and objects nested deeper than this are refused by the parsers below.
constexpr int kMaxJsonDepth = 64;

// Parses `text`; `where` names its source in errors ("<where>: malformed JSON: ...", "<where>: JSON
// nested deeper than 64 levels").
nlohmann::json parse_json_text(std::string_view text, const std::string& where, JsonError kind = JsonError::Format,
                               int max_depth = kMaxJsonDepth);
// Reads and parses the file at `path` (named in errors); IoError when it cannot be read.
nlohmann::json parse_json_file(const std::string& path, JsonError kind = JsonError::Format,
                               int max_depth = kMaxJsonDepth);

// `value` as compact JSON text cut to about `max_bytes` ("..." marks a cut), for error messages.
// Only the first few levels and items are visited, so it is cheap for any value.
std::string describe_json(const nlohmann::json& value, size_t max_bytes = 60);

// Typed reading of one JSON object's fields. `where` names the object in every error: the file,
// then the section path ("config.json `vision_config`"). A null field counts as absent. The object
// must outlive the reader.
class JsonFields {
 public:
  // Throws when `object` is not a JSON object.
  JsonFields(const nlohmann::json& object, std::string where, JsonError kind = JsonError::Format);

  bool has(const char* key) const;                     // present and not null
  const nlohmann::json& value(const char* key) const;  // null when absent
  const nlohmann::json& json() const { return *object_; }
  const std::string& where() const { return where_; }
  JsonError kind() const { return kind_; }
  // The first of `keys` that is present (aliases such as image_token_index / image_token_id);
  // nullptr when none is.
  const char* first_present(std::initializer_list<const char*> keys) const;
  // Throws this reader's error with "<where>: <message>".
  [[noreturn]] void fail(const std::string& message) const;

  // Required fields: absent or of another type throws.
  int64_t integer(const char* key) const;
  double number(const char* key) const;  // finite
  std::string string(const char* key) const;
  bool boolean(const char* key) const;
  const nlohmann::json& array(const char* key) const;
  JsonFields object(const char* key) const;

  // Optional fields: `fallback` when absent; of another type throws.
  int64_t integer(const char* key, int64_t fallback) const;
  double number(const char* key, double fallback) const;
  std::string string(const char* key, const std::string& fallback) const;
  bool boolean(const char* key, bool fallback) const;
  JsonFields section(const char* key) const;  // absent: an empty object

  // Integers within [min, max], the fallback included; `note` (e.g. "(the image_size)") follows
  // the bounds in the message: "`patch_size` must be from 1 to 64 (the image_size), not 0".
  int64_t integer_in(const char* key, int64_t min, int64_t max, const std::string& note = "") const;
  int64_t integer_in(const char* key, int64_t fallback, int64_t min, int64_t max, const std::string& note = "") const;
  // A finite number above 0 and at most `max`, the fallback included.
  double positive(const char* key, double fallback, double max) const;

  // Arrays of one kind, each item checked: "`key`[3] must be a string, not 7". At most `max_items`.
  std::vector<int64_t> integer_list(const char* key, int64_t min, int64_t max, size_t max_items) const;
  std::vector<std::string> string_list(const char* key, size_t max_items) const;
  // An array of objects, each read as "<where> `key`[i]".
  std::vector<JsonFields> objects(const char* key) const;

 private:
  const nlohmann::json& present(const char* key, const char* type) const;  // throws when absent
  int64_t to_integer(const nlohmann::json& value, const std::string& name) const;
  [[noreturn]] void wrong_type(const std::string& name, const char* type, const nlohmann::json& value) const;

  const nlohmann::json* object_;
  std::string where_;
  JsonError kind_;
};

}  // namespace loupe::util
