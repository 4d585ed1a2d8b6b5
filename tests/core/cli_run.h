// Runs the built `loupe` binary as a user would and collects its exit status and output.
#pragma once
#include <filesystem>
#include <string>

namespace loupe::test {

struct CliRun {
  int status = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

// The bundled demo model, the default of every command.
inline const std::string kDemoModel = std::string(LOUPE_SOURCE_DIR) + "/assets/models/demo";
// The bundled demo images, and one of them.
inline const std::string kDemoImages = std::string(LOUPE_SOURCE_DIR) + "/assets/demo/images";
inline const std::string kKitchen = kDemoImages + "/kitchen.png";

// A path as one shell word in single quotes (the test folders hold no quote).
inline std::string quoted(const std::filesystem::path& path) { return "'" + path.string() + "'"; }

// `arguments` is pasted into a shell command line after the binary: quote paths yourself.
CliRun run_loupe(const std::string& arguments);
// run_loupe, and a Catch2 REQUIRE that it exited 0 (its command and stderr reported when not).
void require_loupe_ok(const std::string& arguments);

// A fresh path in the temp folder (nothing is created).
std::string temp_path(const std::string& name);

}  // namespace loupe::test
