#include "cli_run.h"

#include <catch2/catch.hpp>

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

void require_loupe_ok(const std::string& arguments) {
  const CliRun run = run_loupe(arguments);
  INFO(arguments << "\n" << run.err);
  REQUIRE(run.status == 0);
}

}  // namespace loupe::test
