#include "app/cli/commands.h"

namespace loupe::cli {

std::vector<CommandSpec> all_commands() {
  return {info_command()};
}

}  // namespace loupe::cli
