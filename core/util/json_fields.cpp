#include "core/util/json_fields.h"

#include <cmath>
#include <limits>

#include "core/error.h"
#include "core/util/atomic_file.h"

namespace loupe::util {

using Json = nlohmann::json;

namespace {

constexpr size_t kMaxMessageDetail = 240;  // bytes of a JSON library message kept in ours
constexpr size_t kMaxQuotedString = 32;    // bytes of a string value quoted in a message
constexpr int kMaxDescribedDepth = 3;      // levels of nesting describe_json shows

// The first `bytes` bytes of `text`, not cutting a UTF-8 sequence in two.
std::string_view cut_utf8(std::string_view text, size_t bytes) {
  if (text.size() <= bytes) return text;
  while (bytes > 0 && (static_cast<unsigned char>(text[bytes]) & 0xC0) == 0x80) --bytes;
  return text.substr(0, bytes);
}

std::string quote_text(std::string_view text) {
  const std::string_view shown = cut_utf8(text, kMaxQuotedString);
  std::string out = Json(std::string(shown)).dump(-1, ' ', false, Json::error_handler_t::replace);
  if (shown.size() < text.size()) out.insert(out.size() - 1, "...");
  return out;
}

std::string number_text(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  return Json(value).dump();
}

// Appends `value` to `out`, stopping once `out` holds more than `max_bytes`. The recursion is at
// most kMaxDescribedDepth deep, and each loop ends after at most `max_bytes` items.
void describe(const Json& value, int depth, size_t max_bytes, std::string& out) {
  switch (value.type()) {
    case Json::value_t::string:
      out += quote_text(value.get_ref<const std::string&>());
      return;
    case Json::value_t::number_float:
      out += number_text(value.get<double>());
      return;
    case Json::value_t::binary:
      out += "<binary>";
      return;
    case Json::value_t::array:
    case Json::value_t::object: {
      const bool is_array = value.is_array();
      if (value.empty()) {
        out += is_array ? "[]" : "{}";
        return;
      }
      if (depth >= kMaxDescribedDepth) {
        out += is_array ? "[...]" : "{...}";
        return;
      }
      out += is_array ? '[' : '{';
      bool first = true;
      for (auto item = value.begin(); item != value.end(); ++item) {
        if (!first) out += ", ";
        first = false;
        if (out.size() > max_bytes) {
          out += "...";
          break;
        }
        if (!is_array) out += quote_text(item.key()) + ": ";
        describe(*item, depth + 1, max_bytes, out);
      }
      out += is_array ? ']' : '}';
      return;
    }
    default:  // null, true/false, integers: short by nature
      out += value.dump();
  }
}

[[noreturn]] void out_of_range(const JsonFields& fields, const std::string& name, int64_t min, int64_t max,
                               const std::string& note, const std::string& shown) {
  std::string bounds = min == max ? std::to_string(min)
                       : max == std::numeric_limits<int64_t>::max()
                           ? "at least " + std::to_string(min)
                           : "from " + std::to_string(min) + " to " + std::to_string(max);
  if (!note.empty()) bounds += " " + note;
  fields.fail("`" + name + "` must be " + bounds + ", not " + shown);
}

// Checks an integer item against [min, max] before it is converted (a value above 2^63 - 1 would
// wrap).
int64_t bounded_integer(const JsonFields& fields, const Json& value, const std::string& name, int64_t min,
                        int64_t max, const std::string& note) {
  if (value.is_number_unsigned() && value.get<uint64_t>() > uint64_t(std::numeric_limits<int64_t>::max()))
    out_of_range(fields, name, min, max, note, value.dump());
  const int64_t number = value.get<int64_t>();
  if (number < min || number > max) out_of_range(fields, name, min, max, note, std::to_string(number));
  return number;
}

}  // namespace

void throw_json_error(JsonError kind, const std::string& message) {
  if (kind == JsonError::Config) throw ConfigError(message);
  throw FormatError(message);
}

Json parse_json_text(std::string_view text, const std::string& where, JsonError kind, int max_depth) {
  // The callback sees every container as it opens, with the number of containers around it.
  const Json::parser_callback_t limit_depth = [&](int depth, Json::parse_event_t event, Json&) {
    if ((event == Json::parse_event_t::object_start || event == Json::parse_event_t::array_start) &&
        depth >= max_depth)
      throw_json_error(kind, where + ": JSON nested deeper than " + std::to_string(max_depth) + " levels");
    return true;
  };
  try {
    return Json::parse(text.data(), text.data() + text.size(), limit_depth);
  } catch (const Json::exception& error) {
    throw_json_error(kind, where + ": malformed JSON: " + std::string(cut_utf8(error.what(), kMaxMessageDetail)));
  }
}

Json parse_json_file(const std::string& path, JsonError kind, int max_depth) {
  return parse_json_text(read_file(path), path, kind, max_depth);
}

std::string describe_json(const Json& value, size_t max_bytes) {
  std::string out;
  describe(value, 0, max_bytes, out);
  return out;
}

JsonFields::JsonFields(const Json& object, std::string where, JsonError kind)
    : object_(&object), where_(std::move(where)), kind_(kind) {
  if (!object.is_object()) throw_json_error(kind_, where_ + " must be a JSON object, not " + describe_json(object));
}

bool JsonFields::has(const char* key) const {
  const auto it = object_->find(key);
  return it != object_->end() && !it->is_null();
}

const Json& JsonFields::value(const char* key) const {
  static const Json kNull;
  const auto it = object_->find(key);
  return it == object_->end() ? kNull : *it;
}

const char* JsonFields::first_present(std::initializer_list<const char*> keys) const {
  for (const char* key : keys)
    if (has(key)) return key;
  return nullptr;
}

void JsonFields::fail(const std::string& message) const { throw_json_error(kind_, where_ + ": " + message); }

void JsonFields::wrong_type(const std::string& name, const char* type, const Json& value) const {
  fail("`" + name + "` must be " + type + ", not " + describe_json(value));
}

const Json& JsonFields::present(const char* key, const char* type) const {
  if (!has(key)) fail(std::string("`") + key + "` is missing (it must be " + type + ")");
  return value(key);
}

int64_t JsonFields::to_integer(const Json& value, const std::string& name) const {
  if (!value.is_number_integer()) wrong_type(name, "an integer", value);
  return bounded_integer(*this, value, name, std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max(), "");
}

int64_t JsonFields::integer(const char* key) const { return to_integer(present(key, "an integer"), key); }

double JsonFields::number(const char* key) const {
  const Json& value = present(key, "a number");
  if (!value.is_number()) wrong_type(key, "a number", value);
  const double number = value.get<double>();
  if (!std::isfinite(number)) fail(std::string("`") + key + "` must be a finite number, not " + number_text(number));
  return number;
}

std::string JsonFields::string(const char* key) const {
  const Json& value = present(key, "a string");
  if (!value.is_string()) wrong_type(key, "a string", value);
  return value.get<std::string>();
}

bool JsonFields::boolean(const char* key) const {
  const Json& value = present(key, "true or false");
  if (!value.is_boolean()) wrong_type(key, "true or false", value);
  return value.get<bool>();
}

const Json& JsonFields::array(const char* key) const {
  const Json& value = present(key, "an array");
  if (!value.is_array()) wrong_type(key, "an array", value);
  return value;
}

JsonFields JsonFields::object(const char* key) const {
  const Json& value = present(key, "an object");
  if (!value.is_object()) wrong_type(key, "an object", value);
  return JsonFields(value, where_ + " `" + key + "`", kind_);
}

int64_t JsonFields::integer(const char* key, int64_t fallback) const { return has(key) ? integer(key) : fallback; }
double JsonFields::number(const char* key, double fallback) const { return has(key) ? number(key) : fallback; }
std::string JsonFields::string(const char* key, const std::string& fallback) const {
  return has(key) ? string(key) : fallback;
}
bool JsonFields::boolean(const char* key, bool fallback) const { return has(key) ? boolean(key) : fallback; }

JsonFields JsonFields::section(const char* key) const {
  static const Json kEmpty = Json::object();
  return has(key) ? object(key) : JsonFields(kEmpty, where_ + " `" + key + "`", kind_);
}

int64_t JsonFields::integer_in(const char* key, int64_t min, int64_t max, const std::string& note) const {
  const Json& value = present(key, "an integer");
  if (!value.is_number_integer()) wrong_type(key, "an integer", value);
  return bounded_integer(*this, value, key, min, max, note);
}

int64_t JsonFields::integer_in(const char* key, int64_t fallback, int64_t min, int64_t max,
                               const std::string& note) const {
  if (has(key)) return integer_in(key, min, max, note);
  if (fallback < min || fallback > max) out_of_range(*this, key, min, max, note, std::to_string(fallback) + " (the default)");
  return fallback;
}

double JsonFields::positive(const char* key, double fallback, double max) const {
  const double number = this->number(key, fallback);
  if (!(number > 0 && number <= max))
    fail(std::string("`") + key + "` must be a number above 0 and at most " + number_text(max) + ", not " +
         number_text(number) + (has(key) ? "" : " (the default)"));
  return number;
}

std::vector<int64_t> JsonFields::integer_list(const char* key, int64_t min, int64_t max, size_t max_items) const {
  const Json& items = array(key);
  if (items.size() > max_items)
    fail(std::string("`") + key + "` lists " + std::to_string(items.size()) + " values; at most " +
         std::to_string(max_items) + " are allowed");
  std::vector<int64_t> out;
  out.reserve(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    const std::string name = std::string(key) + "[" + std::to_string(i) + "]";
    if (!items[i].is_number_integer()) wrong_type(name, "an integer", items[i]);
    out.push_back(bounded_integer(*this, items[i], name, min, max, ""));
  }
  return out;
}

std::vector<std::string> JsonFields::string_list(const char* key, size_t max_items) const {
  const Json& items = array(key);
  if (items.size() > max_items)
    fail(std::string("`") + key + "` lists " + std::to_string(items.size()) + " values; at most " +
         std::to_string(max_items) + " are allowed");
  std::vector<std::string> out;
  out.reserve(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    if (!items[i].is_string()) wrong_type(std::string(key) + "[" + std::to_string(i) + "]", "a string", items[i]);
    out.push_back(items[i].get<std::string>());
  }
  return out;
}

std::vector<JsonFields> JsonFields::objects(const char* key) const {
  const Json& items = array(key);
  std::vector<JsonFields> out;
  out.reserve(items.size());
  for (size_t i = 0; i < items.size(); ++i)
    out.emplace_back(items[i], where_ + " `" + key + "[" + std::to_string(i) + "]`", kind_);
  return out;
}

}  // namespace loupe::util
