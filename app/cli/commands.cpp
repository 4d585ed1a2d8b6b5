#include "app/cli/commands.h"

namespace loupe::cli {

std::vector<CommandSpec> all_commands() {
  return {tokenize_command(), info_command()};
}

}  // namespace loupe::cli
