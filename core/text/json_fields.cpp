#include "core/text/json_fields.h"

#include "core/error.h"

namespace loupe::text {

namespace {
const nlohmann::json* find(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}
}  // namespace

std::string string_field(const nlohmann::json& object, const char* key, const std::string& where) {
  const nlohmann::json* value = find(object, key);
  if (!value || !value->is_string()) throw FormatError(where + " has no string `" + key + "`");
  return value->get<std::string>();
}

const nlohmann::json& array_field(const nlohmann::json& object, const char* key, const std::string& where) {
  const nlohmann::json* value = find(object, key);
  if (!value || !value->is_array()) throw FormatError(where + " has no array `" + key + "`");
  return *value;
}

const nlohmann::json& object_field(const nlohmann::json& object, const char* key, const std::string& where) {
  const nlohmann::json* value = find(object, key);
  if (!value || !value->is_object()) throw FormatError(where + " has no object `" + key + "`");
  return *value;
}

bool bool_field(const nlohmann::json& object, const char* key, bool fallback, const std::string& where) {
  const nlohmann::json* value = find(object, key);
  if (!value || value->is_null()) return fallback;
  if (!value->is_boolean()) throw FormatError(where + ": `" + key + "` is not true or false");
  return value->get<bool>();
}

std::string string_pattern(const nlohmann::json& object, const std::string& where) {
  const nlohmann::json& pattern = object_field(object, "pattern", where);
  if (pattern.contains("Regex"))
    throw FormatError(where + " with a Regex pattern is not supported (loupe reads String patterns)");
  std::string text = string_field(pattern, "String", where + " pattern");
  if (text.empty()) throw FormatError(where + " has an empty String pattern");
  return text;
}

}  // namespace loupe::text
