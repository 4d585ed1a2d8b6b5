// Typed access to tokenizer.json fields. Each throws FormatError "<where> has no string `key`" (or
// the like) so that a malformed file is reported by what is wrong, not by a JSON library message.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

namespace loupe::text {

std::string string_field(const nlohmann::json& object, const char* key, const std::string& where);
const nlohmann::json& array_field(const nlohmann::json& object, const char* key, const std::string& where);
const nlohmann::json& object_field(const nlohmann::json& object, const char* key, const std::string& where);
bool bool_field(const nlohmann::json& object, const char* key, bool fallback, const std::string& where);
// `pattern: {"String": "..."}`, the only pattern form loupe reads (a Regex pattern is rejected).
std::string string_pattern(const nlohmann::json& object, const std::string& where);

}  // namespace loupe::text
