// `loupe tokenize`, run as a user would: the built binary, its stdout and its exit status.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "base/tokenizer_files.h"
#include "cli_run.h"

using loupe::test::tokenizer_cases;
using loupe::test::run_loupe;
using loupe::test::tokenizer_file;

namespace {

std::string temp_file(const std::string& name, const std::string& content) {
  const std::string path = loupe::test::temp_path(name);
  std::ofstream(path) << content;
  return path;
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
    const loupe::test::CliRun run = run_loupe("tokenize --tokenizer '" + tokenizer_file(family) + "' --texts '" + texts_file +
                              "' --add-special");
    INFO(run.out);
    REQUIRE(run.status == 0);
    CHECK(nlohmann::json::parse(run.out) == expected);
  }
}

TEST_CASE("loupe tokenize --text prints ids plain or as JSON", "[cli][tokenizer]") {
  const std::string tokenizer = tokenizer_file("gemma3");
  const loupe::test::CliRun plain = run_loupe("tokenize --tokenizer '" + tokenizer + "' --text 'a man is riding a bicycle'");
  CHECK(plain.status == 0);
  CHECK(plain.out == "236746 880 563 18683 496 30979\n");
  const loupe::test::CliRun json = run_loupe("tokenize --tokenizer '" + tokenizer + "' --text 'a man' --add-special --json");
  CHECK(json.status == 0);
  CHECK(json.out == "[2,236746,880]\n");
}

TEST_CASE("loupe tokenize reports bad input on stderr and exits 1", "[cli][tokenizer]") {
  const loupe::test::CliRun missing = run_loupe("tokenize --tokenizer /no/such/tokenizer.json --text hi");
  CHECK(missing.status == 1);
  CHECK_THAT(missing.err, Catch::Contains("/no/such/tokenizer.json"));

  const loupe::test::CliRun both = run_loupe("tokenize --tokenizer '" + tokenizer_file("llama2") + "'");
  CHECK(both.status == 1);
  CHECK_THAT(both.err, Catch::Contains("exactly one of --text and --texts"));

  const std::string not_texts = temp_file("bad.json", "{\"text\": 1}");
  const loupe::test::CliRun bad =
      run_loupe("tokenize --tokenizer '" + tokenizer_file("llama2") + "' --texts '" + not_texts + "'");
  CHECK(bad.status == 1);
  CHECK_THAT(bad.err, Catch::Contains("JSON array of strings"));
}
