#include "core/report/provenance.h"

#include <algorithm>
#include <cctype>
#include <sstream>

namespace loupe::report {

std::optional<workspace::RunRecord> find_run(const std::vector<workspace::RunRecord>& runs, const std::string& command,
                                             const std::string& key, const std::string& value) {
  for (auto it = runs.rbegin(); it != runs.rend(); ++it) {
    if (it->command != command || it->outcome != "ok" || !it->parameters.is_object()) continue;
    const auto found = it->parameters.find(key);
    if (found != it->parameters.end() && found->is_string() && found->get<std::string>() == value) return *it;
  }
  return std::nullopt;
}

std::string run_label(const workspace::RunRecord& run) { return run.command + " at " + run.ended; }

std::string shell_quote(const std::string& word) {
  const bool safe = !word.empty() && std::all_of(word.begin(), word.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || std::string("-_./=:,@+%").find(c) != std::string::npos;
  });
  if (safe) return word;
  std::string out = "'";
  for (char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

namespace {

// A scalar parameter as the option's value text; empty when it is left out.
std::string value_text(const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number_integer()) return std::to_string(value.get<int64_t>());
  if (value.is_number()) {
    std::ostringstream text;
    text << value.get<double>();
    return text.str();
  }
  return "";
}

}  // namespace

std::string rerun_command(const workspace::RunRecord& run, const std::string& workspace_word, const OptionLookup& options) {
  std::string line = "loupe " + run.command + " --workspace " + workspace_word;
  if (!run.parameters.is_object()) return line;
  for (const auto& [key, value] : run.parameters.items()) {
    std::string option = key;
    std::replace(option.begin(), option.end(), '_', '-');
    const OptionKind kind = options(run.command, option);
    if (!kind.known || option == "workspace") continue;
    if (kind.flag) {
      if (value.is_boolean() && value.get<bool>()) line += " --" + option;
      continue;
    }
    if (value.is_boolean() || value.is_null()) continue;
    if (option == "limit" && value.is_number_integer() && value.get<int64_t>() == 0) continue;
    std::vector<std::string> items;
    if (value.is_array()) {
      for (const nlohmann::json& item : value) items.push_back(value_text(item));
    } else {
      items.push_back(value_text(value));
    }
    items.erase(std::remove(items.begin(), items.end(), std::string()), items.end());
    if (items.empty()) continue;
    if (kind.repeatable) {
      for (const std::string& item : items) line += " --" + option + " " + shell_quote(item);
      continue;
    }
    std::string joined;
    for (const std::string& item : items) joined += (joined.empty() ? "" : ",") + item;
    line += " --" + option + " " + shell_quote(joined);
  }
  return line;
}

}  // namespace loupe::report
