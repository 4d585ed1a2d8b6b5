// `loupe tokenize`, run as a user would: the built binary, its stdout and its exit status.
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "base/tokenizer_files.h"

using loupe::test::tokenizer_cases;
using loupe::test::tokenizer_file;

namespace {

struct Run {
  int status = -1;
  std::string output;  // stdout, then stderr
};

Run run_loupe(const std::string& arguments) {
  const std::string command = std::string("'") + LOUPE_BINARY + "' " + arguments + " 2>&1";
  Run run;
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe);
  char buffer[4096];
  size_t got = 0;
  while ((got = fread(buffer, 1, sizeof buffer, pipe)) > 0) run.output.append(buffer, got);
  const int status = pclose(pipe);
  run.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

std::string temp_file(const std::string& name, const std::string& content) {
  const auto path =
      std::filesystem::temp_directory_path() / ("loupe_cli_tokenize_" + std::to_string(::getpid()) + name);
  std::ofstream(path) << content;
  return path.string();
}

}  // namespace

TEST_CASE("loupe tokenize --texts prints the ids of every text as JSON", "[cli][tokenizer]") {
  for (const std::string family : {"gemma3", "llama2"}) {
    INFO(family);
    const auto& cases = tokenizer_cases()["families"][family];
    nlohmann::json texts = nlohmann::json::array(), expected = nlohmann::json::array();
    for (const auto& entry : cases) {
      texts.push_back(entry["text"]);
      expected.push_back(entry["ids_with_special"]);
    }
    const std::string texts_file = temp_file(family + ".json", texts.dump());
    const Run run = run_loupe("tokenize --tokenizer '" + tokenizer_file(family) + "' --texts '" + texts_file +
                              "' --add-special");
    INFO(run.output);
    REQUIRE(run.status == 0);
    CHECK(nlohmann::json::parse(run.output) == expected);
  }
}

TEST_CASE("loupe tokenize --text prints ids plain or as JSON", "[cli][tokenizer]") {
  const std::string tokenizer = tokenizer_file("gemma3");
  const Run plain = run_loupe("tokenize --tokenizer '" + tokenizer + "' --text 'a man is riding a bicycle'");
  CHECK(plain.status == 0);
  CHECK(plain.output == "236746 880 563 18683 496 30979\n");
  const Run json = run_loupe("tokenize --tokenizer '" + tokenizer + "' --text 'a man' --add-special --json");
  CHECK(json.status == 0);
  CHECK(json.output == "[2,236746,880]\n");
}

TEST_CASE("loupe tokenize reports bad input on stderr and exits 1", "[cli][tokenizer]") {
  const Run missing = run_loupe("tokenize --tokenizer /no/such/tokenizer.json --text hi");
  CHECK(missing.status == 1);
  CHECK_THAT(missing.output, Catch::Contains("/no/such/tokenizer.json"));

  const Run both = run_loupe("tokenize --tokenizer '" + tokenizer_file("llama2") + "'");
  CHECK(both.status == 1);
  CHECK_THAT(both.output, Catch::Contains("exactly one of --text and --texts"));

  const std::string not_texts = temp_file("bad.json", "{\"text\": 1}");
  const Run bad =
      run_loupe("tokenize --tokenizer '" + tokenizer_file("llama2") + "' --texts '" + not_texts + "'");
  CHECK(bad.status == 1);
  CHECK_THAT(bad.output, Catch::Contains("JSON array of strings"));
}
