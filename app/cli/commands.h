// The table of `loupe` commands. Each command lives in its own cmd_*.cpp and returns its spec here.
#pragma once
#include <vector>

#include "app/cli/args.h"

namespace loupe::cli {

CommandSpec info_command();

std::vector<CommandSpec> all_commands();

}  // namespace loupe::cli
