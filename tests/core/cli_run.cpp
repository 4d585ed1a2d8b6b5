#include "cli_run.h"

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace loupe::test {

std::string temp_path(const std::string& name) {
  static int counter = 0;
  return (std::filesystem::temp_directory_path() /
          ("loupe-test-" + std::to_string(::getpid()) + "-" + std::to_string(++counter) + "-" + name))
      .string();
}

CliRun run_loupe(const std::string& arguments) {
  const std::string err_file = temp_path("stderr.txt");
  const std::string command = std::string("'") + LOUPE_BINARY + "' " + arguments + " 2>'" + err_file + "'";
  CliRun run;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return run;
  char buffer[4096];
  size_t got = 0;
  while ((got = fread(buffer, 1, sizeof buffer, pipe)) > 0) run.out.append(buffer, got);
  const int status = pclose(pipe);
  run.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream err(err_file);
  std::stringstream text;
  text << err.rdbuf();
  run.err = text.str();
  std::filesystem::remove(err_file);
  return run;
}

pid_t spawn_loupe(const std::vector<std::string>& args, const std::string& log, rlim_t file_limit) {
  std::vector<std::string> words = {LOUPE_BINARY};
  words.insert(words.end(), args.begin(), args.end());
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    if (file_limit > 0) {
      ::signal(SIGXFSZ, SIG_IGN);
      const rlimit limit{file_limit, file_limit};
      ::setrlimit(RLIMIT_FSIZE, &limit);
    }
    std::vector<char*> argv;
    for (auto& word : words) argv.push_back(word.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  return pid;
}

int wait_status(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void require_loupe_ok(const std::string& arguments) {
  const CliRun run = run_loupe(arguments);
  INFO(arguments << "\n" << run.err);
  REQUIRE(run.status == 0);
}

void check_loupe_refuses(const std::string& arguments, const std::string& part) {
  const CliRun run = run_loupe(arguments);
  INFO(arguments << "\n" << run.err);
  CHECK(run.status == 1);
  CHECK_THAT(run.err, Catch::Contains(part));
}

}  // namespace loupe::test
