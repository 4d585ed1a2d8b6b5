#include "app/cli/text_list.h"

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/util/atomic_file.h"

namespace loupe::cli {

std::vector<std::string> read_text_list(const std::string& path) {
  nlohmann::json texts;
  try {
    texts = nlohmann::json::parse(util::read_file(path));
  } catch (const nlohmann::json::parse_error& error) {
    throw FormatError(path + " is not valid JSON: " + error.what());
  }
  if (!texts.is_array()) throw FormatError(path + " must hold a JSON array of strings");
  std::vector<std::string> out;
  for (const auto& text : texts) {
    if (!text.is_string()) throw FormatError(path + " must hold a JSON array of strings; found " + text.dump());
    out.push_back(text.get<std::string>());
  }
  return out;
}

}  // namespace loupe::cli
