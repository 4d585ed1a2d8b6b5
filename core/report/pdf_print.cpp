#include "core/report/pdf_print.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <sstream>
#include <system_error>
#include <thread>
#include <vector>

#include "core/error.h"

extern char** environ;

namespace loupe::report {

namespace fs = std::filesystem;

std::optional<std::string> find_chromium() {
  if (const char* chosen = std::getenv("LOUPE_CHROMIUM"); chosen && *chosen) return std::string(chosen);
  const char* path = std::getenv("PATH");
  std::istringstream folders(path ? path : "/usr/bin:/bin");
  std::string folder;
  while (std::getline(folders, folder, ':'))
    for (const char* name : {"chromium", "chromium-browser", "google-chrome"}) {
      const fs::path candidate = fs::path(folder) / name;
      if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
    }
  return std::nullopt;
}

void print_pdf(const std::string& chromium, const fs::path& html, const fs::path& pdf) {
  const fs::path partial = pdf.string() + ".partial";
  const std::string url = "file://" + fs::absolute(html).string();
  // --no-sandbox: Chromium refuses to start its sandbox as root (CI, containers).
  std::vector<std::string> words{chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                                 "--print-to-pdf=" + partial.string(), url};
  std::vector<char*> argv;
  for (std::string& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  pid_t child = 0;
  const int spawned = posix_spawnp(&child, chromium.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) throw IoError("cannot start " + chromium + ": " + std::generic_category().message(spawned));
  int status = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(2);
  while (::waitpid(child, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(child, SIGKILL);
      ::waitpid(child, &status, 0);
      std::error_code ec;
      fs::remove(partial, ec);
      throw IoError(chromium + " did not print " + html.string() + " within two minutes");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::error_code ec;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !fs::is_regular_file(partial, ec) || fs::file_size(partial, ec) == 0) {
    fs::remove(partial, ec);
    throw IoError(chromium + " failed to print " + html.string() + " to PDF (exit status " + std::to_string(WEXITSTATUS(status)) + ")");
  }
  fs::rename(partial, pdf, ec);
  if (ec) throw IoError("cannot rename " + partial.string() + " to " + pdf.string() + ": " + ec.message());
}

}  // namespace loupe::report
