// CSV parsing (RFC 4180 and the variants spreadsheets write) and caption datasets in the seed
// format: a folder with image_caption.csv (image,en_caption,ar_caption + label columns).
#include <catch2/catch.hpp>

#include "support/temp_dir.h"
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "core/io/csv.h"
#include "core/io/dataset.h"

using namespace loupe;
using namespace loupe::io;
namespace fs = std::filesystem;

using loupe::test::message_of;
using loupe::test::TempDir;

namespace {


std::vector<std::vector<std::string>> fields_of(const std::vector<CsvRecord>& records) {
  std::vector<std::vector<std::string>> fields;
  for (const auto& record : records) fields.push_back(record.fields);
  return fields;
}

using Rows = std::vector<std::vector<std::string>>;

}  // namespace

TEST_CASE("parse_csv reads RFC 4180 and what spreadsheets write", "[csv]") {
  SECTION("quoted commas, doubled quotes and line breaks inside quotes") {
    const auto records = parse_csv("a,\"b, c\",\"say \"\"hi\"\"\"\n\"two\nlines\",x,\"\"\n", "t.csv");
    CHECK(fields_of(records) == Rows{{"a", "b, c", "say \"hi\""}, {"two\nlines", "x", ""}});
    CHECK(records[0].line == 1);
    CHECK(records[1].line == 2);
  }
  SECTION("a byte-order mark, CRLF and CR line ends, no final line end") {
    const auto records = parse_csv("\xEF\xBB\xBFh1,h2\r\n1,2\r3,4", "t.csv");
    CHECK(fields_of(records) == Rows{{"h1", "h2"}, {"1", "2"}, {"3", "4"}});
    CHECK(records[2].line == 3);
  }
  SECTION("blank lines are skipped but counted; a trailing comma is an empty last field") {
    const auto records = parse_csv("a,b\n\n\"x\ny\",\n\nc,d\n", "t.csv");
    CHECK(fields_of(records) == Rows{{"a", "b"}, {"x\ny", ""}, {"c", "d"}});
    CHECK(records[1].line == 3);
    CHECK(records[2].line == 6);
  }
  SECTION("a quote inside an unquoted field is kept literally") {
    CHECK(fields_of(parse_csv("a man says \"hi\",b\n", "t.csv")) == Rows{{"a man says \"hi\"", "b"}});
  }
  SECTION("an unterminated quote names the line where it opened") {
    CHECK_THAT(message_of<FormatError>([] { parse_csv("a,b\nc,\"open\n\nmore", "t.csv"); }),
               Catch::Contains("t.csv") && Catch::Contains("line 2") && Catch::Contains("never closed"));
  }
  SECTION("text after a closing quote") {
    CHECK_THAT(message_of<FormatError>([] { parse_csv("a,b\n\"x\"y,z\n", "t.csv"); }),
               Catch::Contains("line 2") && Catch::Contains("text follows the closing quote"));
  }
}

TEST_CASE("load_dataset reads the seed format", "[dataset]") {
  TempDir dir;
  const std::string arabic = "\xD8\xB1\xD8\xAC\xD9\x84 \xD9\x8A\xD8\xB7\xD8\xA8\xD8\xAE";  // رجل يطبخ
  dir.write("image_caption.csv",
            "\xEF\xBB\xBFimage,en_caption,ar_caption,gender,scene\r\n"
            "img/a.jpg,\"A man cooking, smiling\"," + arabic + ",male,kitchen\r\n"
            "\r\n"
            "img/b.png,\"She said \"\"hello\"\"\nto the crowd\",\"\",female,\r\n"
            "/data/elsewhere/c.jpg,a dog,\xD9\x83\xD9\x84\xD8\xA8,,park");

  const Dataset dataset = load_dataset(dir.path.string());
  CHECK(dataset.root == fs::absolute(dir.path).lexically_normal().string());
  CHECK(dataset.label_columns == std::vector<std::string>{"gender", "scene"});
  REQUIRE(dataset.rows.size() == 3);

  const DatasetRow& first = dataset.rows[0];
  CHECK(first.row == 0);
  CHECK(first.line == 2);
  CHECK(first.image == (dir.path / "img/a.jpg").string());
  CHECK(first.en_caption == "A man cooking, smiling");
  CHECK(first.ar_caption == arabic);
  CHECK(first.labels == std::map<std::string, std::string>{{"gender", "male"}, {"scene", "kitchen"}});

  const DatasetRow& second = dataset.rows[1];
  CHECK(second.row == 1);
  CHECK(second.line == 4);
  CHECK(second.en_caption == "She said \"hello\"\nto the crowd");
  CHECK(second.ar_caption.empty());
  CHECK(second.labels.at("scene").empty());

  const DatasetRow& third = dataset.rows[2];
  CHECK(third.line == 6);
  CHECK(third.image == "/data/elsewhere/c.jpg");
  CHECK(third.labels.at("gender").empty());
  CHECK(third.labels.at("scene") == "park");
}

TEST_CASE("load_dataset takes the CSV itself, columns in any order, and no rows", "[dataset]") {
  TempDir dir;
  fs::create_directory(dir.path / "set");
  const std::string csv = dir.write("set/captions.csv", "ar_caption,image,en_caption\nx,pic.jpg,y\n");
  const Dataset dataset = load_dataset(csv);
  CHECK(dataset.root == fs::absolute(dir.path / "set").string());
  CHECK(dataset.label_columns.empty());
  REQUIRE(dataset.rows.size() == 1);
  CHECK(dataset.rows[0].image == (dir.path / "set/pic.jpg").string());
  CHECK(dataset.rows[0].en_caption == "y");
  CHECK(dataset.rows[0].ar_caption == "x");

  CHECK(load_dataset(dir.write("header.csv", "image,en_caption,ar_caption\n")).rows.empty());
}

TEST_CASE("malformed datasets stop with the file, the line and what to fix", "[dataset]") {
  TempDir dir;
  auto error_for = [&](const std::string& csv) {
    const std::string path = dir.write("bad.csv", csv);
    const std::string message = message_of<FormatError>([&] { load_dataset(path); });
    CHECK_THAT(message, Catch::Contains(path));
    return message;
  };
  const std::string header = "image,en_caption,ar_caption,gender\n";

  CHECK_THAT(error_for("image,en_caption,gender\na.jpg,x,m\n"),
             Catch::Contains("no 'ar_caption' column") && Catch::Contains("found: image, en_caption, gender"));
  CHECK_THAT(error_for(header + "a.jpg,x,y,m\nb.jpg,a, b,c,f\n"),
             Catch::Contains("line 3 has 5 fields but the header has 4") && Catch::Contains("double quotes"));
  CHECK_THAT(error_for(header + "a.jpg,x,y\n"), Catch::Contains("line 2 has 3 fields but the header has 4"));
  CHECK_THAT(error_for(header + "a.jpg,x,y,m\nb.jpg,\"never closed,y,m\nc.jpg,x,y,f\n"),
             Catch::Contains("line 3") && Catch::Contains("never closed"));
  CHECK_THAT(error_for(header + "a.jpg,\"quoted\" then text,y,m\n"),
             Catch::Contains("line 2") && Catch::Contains("text follows the closing quote"));
  CHECK_THAT(error_for("image,en_caption,ar_caption,image\na,b,c,d\n"), Catch::Contains("'image' twice"));
  CHECK_THAT(error_for("image,en_caption,,ar_caption\na,b,c,d\n"),
             Catch::Contains("column 3 of the header has no name"));
  CHECK_THAT(error_for(header + "a.jpg,x,y,m\n ,x,y,m\n"), Catch::Contains("line 3 has an empty image path"));
  CHECK_THAT(error_for(header + "a.jpg,x,\xD1\xC7\xE1,m\n"),  // Arabic saved as Windows-1256
             Catch::Contains("line 2 is not valid UTF-8"));
  CHECK_THAT(error_for(""), Catch::Contains("empty"));
}

TEST_CASE("a missing dataset is an I/O error naming what is missing", "[dataset]") {
  TempDir dir;
  CHECK_THAT(message_of<IoError>([&] { load_dataset(dir.path.string()); }),
             Catch::Contains(dir.path.string()) && Catch::Contains("image_caption.csv"));
  const std::string nowhere = (dir.path / "nowhere.csv").string();
  CHECK_THAT(message_of<IoError>([&] { load_dataset(nowhere); }), Catch::Contains(nowhere));
}

TEST_CASE("one split vocabulary: eval is balanced, the dataset's own names pass through", "[dataset][split]") {
  CHECK(canonical_split("eval") == "balanced");
  for (const std::string name : {"balanced", "counter", "train", "test"}) CHECK(canonical_split(name) == name);
  CHECK_THROWS_AS(canonical_split(""), InputError);
  const Dataset demo = load_dataset(std::string(LOUPE_SOURCE_DIR) + "/assets/demo/images");
  CHECK_THAT(no_rows_in_split(demo, "dev"), Catch::Contains("no rows in the split 'dev' (the dataset's splits: balanced, counter)"));
}
