// Runs the built `loupe` binary as a user would and collects its exit status and output.
#pragma once
#include <string>

namespace loupe::test {

struct CliRun {
  int status = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

// The bundled demo model, the default of every command.
inline const std::string kDemoModel = std::string(LOUPE_SOURCE_DIR) + "/assets/models/demo";

// `arguments` is pasted into a shell command line after the binary: quote paths yourself.
CliRun run_loupe(const std::string& arguments);

// A fresh path in the temp folder (nothing is created).
std::string temp_path(const std::string& name);

}  // namespace loupe::test
