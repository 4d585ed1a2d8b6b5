// Command-line parsing for the `loupe` CLI: each command declares its options; Args checks argv
// against that declaration and gives typed access. Unknown options and missing values are errors.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace loupe::cli {

struct OptionSpec {
  std::string name;        // without the leading "--"
  std::string value_name;  // empty for a flag
  std::string help;
  bool repeatable = false;
};

class Args;

struct CommandSpec {
  std::string name;
  std::string summary;  // one line, shown by `loupe --help`
  std::string usage;    // shown by `loupe NAME --help`
  std::vector<OptionSpec> options;
  std::function<int(const Args&)> run;
  std::string operands;  // the name of the words after the options (e.g. "STORE"); empty: none taken
};

class Args {
 public:
  // Throws InputError for an unknown option, a missing value, or a flag given twice.
  Args(const CommandSpec& spec, const std::vector<std::string>& argv);

  bool has(const std::string& name) const;
  // The value of a required option; throws InputError "--name is required" when absent.
  const std::string& get(const std::string& name) const;
  std::string get_or(const std::string& name, const std::string& fallback) const;
  std::vector<std::string> all(const std::string& name) const;
  long long get_int(const std::string& name, long long fallback) const;
  // An integer of at least 1 when given (a count such as --limit or --rows), else `fallback`.
  long long get_count(const std::string& name, long long fallback) const;
  double get_double(const std::string& name, double fallback) const;
  // --seed: a non-negative integer, 1 when absent.
  uint64_t get_seed() const;
  const std::string& command() const { return command_; }
  // The words that are not options, in order (only for a command that declares `operands`).
  const std::vector<std::string>& operands() const { return operands_; }

 private:
  std::string command_;
  std::map<std::string, std::vector<std::string>> values_;
  std::vector<std::string> operands_;
};

std::string help_text(const CommandSpec& spec);

// Splits "a,b,c" on commas, dropping empty items.
std::vector<std::string> split_list(const std::string& text, char separator = ',');

}  // namespace loupe::cli
