#include "app/cli/args.h"

#include <sstream>

#include "core/error.h"

namespace loupe::cli {

namespace {
const OptionSpec* find_option(const CommandSpec& spec, const std::string& name) {
  for (const auto& option : spec.options)
    if (option.name == name) return &option;
  return nullptr;
}
}  // namespace

Args::Args(const CommandSpec& spec, const std::vector<std::string>& argv) : command_(spec.name) {
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& word = argv[i];
    if (word.rfind("--", 0) != 0 && !spec.operands.empty()) {
      operands_.push_back(word);
      continue;
    }
    if (word.rfind("--", 0) != 0)
      throw InputError("unexpected argument '" + word + "'; see `loupe " + spec.name + " --help`");
    std::string name = word.substr(2), value;
    bool inline_value = false;
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      inline_value = true;
    }
    const OptionSpec* option = find_option(spec, name);
    if (!option)
      throw InputError("unknown option --" + name + " for `loupe " + spec.name + "`; see `loupe " +
                       spec.name + " --help`");
    if (option->value_name.empty()) {
      if (inline_value) throw InputError("--" + name + " is a flag and takes no value");
      value = "1";
    } else if (!inline_value) {
      if (i + 1 >= argv.size()) throw InputError("--" + name + " needs a value " + option->value_name);
      value = argv[++i];
    }
    auto& slot = values_[name];
    if (!slot.empty() && !option->repeatable) throw InputError("--" + name + " given more than once");
    slot.push_back(value);
  }
}

bool Args::has(const std::string& name) const { return values_.count(name) > 0; }

const std::string& Args::get(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) throw InputError("--" + name + " is required; see `loupe " + command_ + " --help`");
  return it->second.front();
}

std::string Args::get_or(const std::string& name, const std::string& fallback) const {
  return has(name) ? get(name) : fallback;
}

std::vector<std::string> Args::all(const std::string& name) const {
  auto it = values_.find(name);
  return it == values_.end() ? std::vector<std::string>{} : it->second;
}

long long Args::get_int(const std::string& name, long long fallback) const {
  if (!has(name)) return fallback;
  const std::string& text = get(name);
  try {
    size_t used = 0;
    long long value = std::stoll(text, &used);
    if (used == text.size()) return value;
  } catch (const std::exception&) {
  }
  throw InputError("--" + name + " expects an integer, got '" + text + "'");
}

long long Args::get_count(const std::string& name, long long fallback) const {
  const long long value = get_int(name, fallback);
  if (has(name) && value < 1) throw InputError("--" + name + " must be at least 1, got " + std::to_string(value));
  return value;
}

uint64_t Args::get_seed() const {
  const long long seed = get_int("seed", 1);
  if (seed < 0) throw InputError("--seed must be a non-negative integer, got " + std::to_string(seed));
  return uint64_t(seed);
}

double Args::get_double(const std::string& name, double fallback) const {
  if (!has(name)) return fallback;
  const std::string& text = get(name);
  try {
    size_t used = 0;
    double value = std::stod(text, &used);
    if (used == text.size()) return value;
  } catch (const std::exception&) {
  }
  throw InputError("--" + name + " expects a number, got '" + text + "'");
}

std::string help_text(const CommandSpec& spec) {
  std::ostringstream out;
  out << "usage: " << spec.usage << "\n\n" << spec.summary << "\n\noptions:\n";
  for (const auto& option : spec.options) {
    std::string left = "--" + option.name + (option.value_name.empty() ? "" : " " + option.value_name);
    out << "  " << left;
    out << std::string(left.size() < 30 ? 30 - left.size() : 1, ' ') << option.help
        << (option.repeatable ? " (repeatable)" : "") << "\n";
  }
  out << "  --help                        show this help\n";
  return out.str();
}

std::vector<std::string> split_list(const std::string& text, char separator) {
  std::vector<std::string> items;
  std::string item;
  std::istringstream stream(text);
  while (std::getline(stream, item, separator))
    if (!item.empty()) items.push_back(item);
  return items;
}

}  // namespace loupe::cli
