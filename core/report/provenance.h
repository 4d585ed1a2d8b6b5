// Where each number of a report came from: the run of runs.jsonl that wrote a file, and the
// command that runs it again.
#pragma once
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/workspace/workspace.h"

namespace loupe::report {

// The newest successful run of `command` whose parameter `key` is `value` (an analysis' "out", an
// SAE's "out" or "sae"), if any.
std::optional<workspace::RunRecord> find_run(const std::vector<workspace::RunRecord>& runs, const std::string& command,
                                             const std::string& key, const std::string& value);

// "analyze probe at 2026-12-04T08:56:12Z".
std::string run_label(const workspace::RunRecord& run);

// What the CLI says of one of a command's options.
struct OptionKind {
  bool known = false;       // the command has this option
  bool flag = false;        // it takes no value
  bool repeatable = false;  // it may be given several times (a list parameter is repeated)
};
using OptionLookup = std::function<OptionKind(const std::string& command, const std::string& option)>;

// The shell command that runs `run` again: `loupe COMMAND --workspace WORKSPACE_WORD` (the word as
// given, e.g. "\"$W\"" in a script that sets W) and each
// recorded parameter that is one of the command's options (snake_case keys as --kebab-case): a
// true flag as --name, a list as a comma list (or repeated, for a repeatable option); empty
// strings, empty lists, false, null and a zero --limit (no limit) are left out. Parameters that
// are not options (derived values such as the model of an extraction) are left out too.
std::string rerun_command(const workspace::RunRecord& run, const std::string& workspace_word, const OptionLookup& options);

// A shell word: as it is when it holds only safe characters, else in single quotes.
std::string shell_quote(const std::string& word);

}  // namespace loupe::report
