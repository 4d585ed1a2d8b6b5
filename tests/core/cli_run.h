// Runs the built `loupe` binary as a user would and collects its exit status and output.
#pragma once
#include <sys/resource.h>
#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

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
// run_loupe, and Catch2 CHECKs that it exited 1 with `part` in its stderr.
void check_loupe_refuses(const std::string& arguments, const std::string& part);

// Runs loupe with `args` in a child process, its stdout and stderr into the file `log`; returns its
// pid. `file_limit` > 0 caps the size of any file it writes (RLIMIT_FSIZE, SIGXFSZ ignored): writes
// past it fail as on a full disk.
pid_t spawn_loupe(const std::vector<std::string>& args, const std::string& log, rlim_t file_limit = 0);
// Waits for the child `pid`: its exit status, or -1 when a signal ended it.
int wait_status(pid_t pid);

// A fresh path in the temp folder (nothing is created).
std::string temp_path(const std::string& name);

}  // namespace loupe::test
