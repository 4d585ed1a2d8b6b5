// `loupe gender`, run as a user would: the built binary, its stdout and its exit status.
#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli_run.h"

using loupe::test::CliRun;
using loupe::test::run_loupe;

namespace {

std::string temp_file(const std::string& name, const std::string& content) {
  const std::string path = loupe::test::temp_path(name);
  std::ofstream(path) << content;
  return path;
}

}  // namespace

TEST_CASE("loupe gender --text prints the gender, cue and word", "[cli][gender]") {
  const CliRun english = run_loupe("gender --lang en --text 'Two women sitting on a bench'");
  CHECK(english.status == 0);
  CHECK(english.out == "female (noun: women): Two women sitting on a bench\n");
  const CliRun none = run_loupe("gender --lang en --text 'a red car'");
  CHECK(none.status == 0);
  CHECK(none.out == "unknown (none): a red car\n");
  const CliRun arabic = run_loupe("gender --lang ar --text 'رجل وزوجته في المطبخ' --json");
  REQUIRE(arabic.status == 0);
  CHECK(nlohmann::json::parse(arabic.out) ==
        nlohmann::json::parse(R"([{"text": "رجل وزوجته في المطبخ", "gender": "unknown", "cue": "noun", "word": "رجل"}])"));
}

TEST_CASE("loupe gender --texts --json prints one object per text, null for no word", "[cli][gender]") {
  const std::string texts = temp_file("captions.json", R"(["امرأتان تتحدثان", "يوجد كلب في الحديقة", "لاعبون في الملعب"])");
  const CliRun run = run_loupe("gender --lang ar --texts '" + texts + "' --json");
  REQUIRE(run.status == 0);
  const nlohmann::json rows = nlohmann::json::parse(run.out);
  REQUIRE(rows.size() == 3);
  CHECK(rows[0]["gender"] == "female");
  CHECK(rows[0]["word"] == "امراتان");
  CHECK(rows[1]["gender"] == "unknown");
  CHECK(rows[1]["cue"] == "none");
  CHECK(rows[1]["word"].is_null());
  CHECK(rows[2]["gender"] == "neutral");
  CHECK(rows[2]["cue"] == "neutral noun");

  const CliRun plain = run_loupe("gender --lang ar --texts '" + texts + "'");
  CHECK(plain.status == 0);
  CHECK(plain.out.find("neutral (neutral noun: لاعبون): لاعبون في الملعب\n") != std::string::npos);
}

TEST_CASE("loupe gender reports bad input on stderr and exits 1", "[cli][gender]") {
  const CliRun both = run_loupe("gender --lang en --text a --texts b.json");
  CHECK(both.status == 1);
  CHECK_THAT(both.err, Catch::Contains("exactly one of --text and --texts"));

  const CliRun neither = run_loupe("gender --lang en");
  CHECK(neither.status == 1);
  CHECK_THAT(neither.err, Catch::Contains("exactly one of --text and --texts"));

  const CliRun language = run_loupe("gender --lang fr --text 'une femme'");
  CHECK(language.status == 1);
  CHECK_THAT(language.err, Catch::Contains("unknown --lang 'fr'"));

  const CliRun no_language = run_loupe("gender --text 'a woman'");
  CHECK(no_language.status == 1);
  CHECK_THAT(no_language.err, Catch::Contains("--lang"));

  const CliRun missing = run_loupe("gender --lang en --texts /no/such/captions.json");
  CHECK(missing.status == 1);
  CHECK_THAT(missing.err, Catch::Contains("/no/such/captions.json"));

  const std::string broken = temp_file("broken.json", "[\"a woman\",");
  const CliRun not_json = run_loupe("gender --lang en --texts '" + broken + "'");
  CHECK(not_json.status == 1);
  CHECK_THAT(not_json.err, Catch::Contains(broken) && Catch::Contains("not valid JSON"));

  const std::string numbers = temp_file("numbers.json", "[\"a woman\", 3]");
  const CliRun not_strings = run_loupe("gender --lang en --texts '" + numbers + "'");
  CHECK(not_strings.status == 1);
  CHECK_THAT(not_strings.err, Catch::Contains(numbers) && Catch::Contains("JSON array of strings; found 3"));

  const std::string object = temp_file("object.json", "{\"text\": \"a woman\"}");
  const CliRun not_array = run_loupe("gender --lang en --texts '" + object + "'");
  CHECK(not_array.status == 1);
  CHECK_THAT(not_array.err, Catch::Contains("must hold a JSON array of strings"));
}
