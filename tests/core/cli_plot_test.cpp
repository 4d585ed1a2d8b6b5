// `loupe plot`, run as a user would: a result table in, an SVG figure out, or a clear error and
// no file.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli_run.h"

using loupe::test::CliRun;
using loupe::test::run_loupe;

namespace {

std::string write_temp(const std::string& name, const std::string& content) {
  const std::string path = loupe::test::temp_path(name);
  std::ofstream(path) << content;
  return path;
}

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

const char* kDose =
    "alpha,lang,flip_rate,scene_kept\n"
    "-2,en,0.5,0.9\n-2,ar,0.4,0.8\n0,en,0,1\n0,ar,0,1\n2,en,0.6,0.7\n2,ar,0.7,0.75\n";

}  // namespace

TEST_CASE("loupe plot draws a result table as an SVG figure", "[cli][plot]") {
  const std::string table = write_temp("dose_response.csv", kDose), out = loupe::test::temp_path("dose.svg");
  const CliRun run = run_loupe("plot --table '" + table + "' --x alpha --y flip_rate --group lang --title 'flip rate' --out '" + out + "'");
  REQUIRE(run.status == 0);
  CHECK(run.out == "wrote " + out + " (640 x 400 px; 2 series, 6 points)\n");
  const std::string svg = read(out);
  CHECK(svg.rfind("<?xml", 0) == 0);
  CHECK(svg.find(">flip rate</text>") != std::string::npos);
  CHECK(svg.find(">ar</text>") != std::string::npos);
  CHECK(svg.find("</svg>") != std::string::npos);
}

TEST_CASE("loupe plot refuses a column the table lacks and writes nothing", "[cli][plot]") {
  const std::string table = write_temp("dose_response.csv", kDose), out = loupe::test::temp_path("none.svg");
  const CliRun missing = run_loupe("plot --table '" + table + "' --x alpha --y flips --out '" + out + "'");
  CHECK(missing.status != 0);
  CHECK(missing.err.find("has no column 'flips'") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(out));
  const CliRun small = run_loupe("plot --table '" + table + "' --x alpha --y flip_rate --width 50 --out '" + out + "'");
  CHECK(small.status != 0);
  CHECK(small.err.find("at least 160 x 120") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(out));
  const CliRun absent = run_loupe("plot --table /nonexistent.csv --x a --y b --out '" + out + "'");
  CHECK(absent.status != 0);
  CHECK(absent.err.find("/nonexistent.csv") != std::string::npos);
}
