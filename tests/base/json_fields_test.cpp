// The one JSON field reader: bounded parsing, typed getters whose errors name the file, the section
// and the field, and short descriptions of untrusted values.
#include <catch2/catch.hpp>
#include <cmath>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/util/json_fields.h"
#include "support/temp_dir.h"

using loupe::test::message_of;
using loupe::util::JsonError;
using loupe::util::JsonFields;
using loupe::util::parse_json_text;
using Catch::Contains;
using Json = nlohmann::json;

namespace {

std::string nested_arrays(size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

}  // namespace

TEST_CASE("parse_json_text names the source of malformed JSON", "[json]") {
  CHECK(parse_json_text("{\"a\": [1, 2]}", "x.json")["a"][1] == 2);
  const std::string error = message_of<loupe::FormatError>([] { parse_json_text("{\"a\": ", "x.json"); });
  CHECK_THAT(error, Contains("x.json: malformed JSON"));
  CHECK_THROWS_AS(parse_json_text("[1,", "config.json", JsonError::Config), loupe::ConfigError);
  CHECK_THAT(message_of<loupe::FormatError>([] { parse_json_text("{\"a\": 1e999}", "x.json"); }),
             Contains("x.json: malformed JSON") && Contains("1e999"));
}

TEST_CASE("parse_json_text bounds the nesting depth", "[json]") {
  CHECK(parse_json_text(nested_arrays(64), "deep.json").is_array());
  CHECK_THAT(message_of<loupe::FormatError>([] { parse_json_text(nested_arrays(65), "deep.json"); }),
             Contains("deep.json: JSON nested deeper than 64 levels"));
  // A million levels: refused as the parser reaches level 65, long before any recursion could overflow.
  CHECK_THAT(message_of<loupe::FormatError>([] { parse_json_text(nested_arrays(1000000), "deep.json"); }),
             Contains("nested deeper than 64 levels"));
  const std::string objects = "{\"a\": {\"b\": {\"c\": 1}}}";
  CHECK(parse_json_text(objects, "o.json", JsonError::Format, 3)["a"]["b"]["c"] == 1);
  CHECK_THROWS_AS(parse_json_text(objects, "o.json", JsonError::Config, 2), loupe::ConfigError);
}

TEST_CASE("parse_json_file reads a file and names it", "[json]") {
  const loupe::test::TempDir dir("loupe-json");
  CHECK(loupe::util::parse_json_file(dir.write("ok.json", "{\"k\": true}"))["k"] == true);
  const std::string bad = dir.write("bad.json", "{oops}");
  CHECK_THAT(message_of<loupe::FormatError>([&] { loupe::util::parse_json_file(bad); }),
             Contains(bad + ": malformed JSON"));
  CHECK_THROWS_AS(loupe::util::parse_json_file(dir.file("missing.json")), loupe::IoError);
}

TEST_CASE("describe_json is short whatever the value holds", "[json]") {
  using loupe::util::describe_json;
  CHECK(describe_json(Json("four")) == "\"four\"");
  CHECK(describe_json(Json(3)) == "3");
  CHECK(describe_json(Json(nullptr)) == "null");
  CHECK(describe_json(Json(1.5)) == "1.5");
  CHECK(describe_json(Json(INFINITY)) == "inf");
  CHECK(describe_json(Json::array({1, 2})) == "[1, 2]");
  CHECK(describe_json(Json{{"a", 1}}) == "{\"a\": 1}");
  const std::string long_text(1 << 20, 'x');
  CHECK(describe_json(Json(long_text)).size() < 50);
  CHECK_THAT(describe_json(Json(long_text)), Contains("...\""));
  CHECK(describe_json(Json(std::string(31, 'x') + "\xC3\xA9")) == "\"" + std::string(31, 'x') + "...\"");
  Json wide = Json::array();
  for (int i = 0; i < 100000; ++i) wide.push_back(i);
  CHECK(describe_json(wide).size() < 80);
  Json deep = Json::array();
  for (int i = 0; i < 10000; ++i) deep = Json::array({std::move(deep)});  // far deeper than any dump() survives
  CHECK(describe_json(deep) == "[[[[...]]]]");
}

TEST_CASE("typed getters name the file, the section and the field", "[json]") {
  const Json root = {{"text_config", {{"num_attention_heads", "four"}, {"layers", 4}, {"eps", 1e-6}, {"gone", nullptr}}},
                     {"name", "gemma"},
                     {"flag", 1}};
  const JsonFields top(root, "config.json", JsonError::Config);
  const JsonFields t = top.section("text_config");
  CHECK(t.where() == "config.json `text_config`");
  CHECK_THAT(message_of<loupe::ConfigError>([&] { t.integer("num_attention_heads"); }),
             Contains("config.json `text_config`: `num_attention_heads` must be an integer, not \"four\""));
  CHECK(t.integer("layers") == 4);
  CHECK(t.integer("missing", 7) == 7);
  CHECK(t.integer("gone", 8) == 8);  // null counts as absent
  CHECK_FALSE(t.has("gone"));
  CHECK(t.number("eps") == 1e-6);
  CHECK(t.number("layers") == 4.0);
  CHECK_THAT(message_of<loupe::ConfigError>([&] { t.number("absent"); }),
             Contains("config.json `text_config`: `absent` is missing (it must be a number)"));
  CHECK(top.string("name") == "gemma");
  CHECK(top.string("other", "x") == "x");
  CHECK_THAT(message_of<loupe::ConfigError>([&] { top.boolean("flag", false); }),
             Contains("`flag` must be true or false, not 1"));
  CHECK_THAT(message_of<loupe::ConfigError>([&] { top.section("name"); }), Contains("`name` must be an object"));
  CHECK(top.section("vision_config").integer("patch_size", 14) == 14);  // absent section: every fallback
  CHECK(top.section("vision_config").where() == "config.json `vision_config`");
  CHECK_THAT(message_of<loupe::ConfigError>([&] { top.array("name"); }), Contains("`name` must be an array"));
  CHECK_THAT(message_of<loupe::FormatError>([] { JsonFields(Json::array(), "m.json"); }),
             Contains("m.json must be a JSON object, not []"));
  CHECK_THAT(message_of<loupe::FormatError>([&] { JsonFields(root, "m.json").fail("broken"); }), Contains("m.json: broken"));
}

TEST_CASE("integers are read without wrapping and within bounds", "[json]") {
  const Json root = Json::parse(R"({"huge": 18446744073709551615, "zero": 0, "neg": -3, "big": 9223372036854775807,
                                    "float": 14.0})");
  const JsonFields f(root, "cfg.json");
  CHECK_THAT(message_of<loupe::FormatError>([&] { f.integer("huge"); }), Contains("18446744073709551615"));
  CHECK(f.integer("big") == INT64_MAX);
  CHECK_THAT(message_of<loupe::FormatError>([&] { f.integer("float"); }), Contains("`float` must be an integer, not 14.0"));
  CHECK_THAT(message_of<loupe::FormatError>([&] { f.integer_in("zero", 1, 64, "(the image_size)"); }),
             Contains("cfg.json: `zero` must be from 1 to 64 (the image_size), not 0"));
  CHECK_THAT(message_of<loupe::FormatError>([&] { f.integer_in("neg", 0, INT64_MAX); }),
             Contains("`neg` must be at least 0, not -3"));
  CHECK_THAT(message_of<loupe::FormatError>([&] { f.integer_in("huge", 0, INT64_MAX); }),
             Contains("`huge` must be at least 0, not 18446744073709551615"));
  CHECK_THAT(message_of<loupe::FormatError>([&] { f.integer_in("absent", 16, 1, 8); }),
             Contains("`absent` must be from 1 to 8, not 16 (the default)"));
  CHECK_THAT(message_of<loupe::FormatError>([&] { f.integer_in("neg", 3, 3, 3); }), Contains("`neg` must be 3, not -3"));
  CHECK(f.integer_in("absent", 5, 1, 8) == 5);
  CHECK(f.first_present({"nope", "neg", "zero"}) == std::string("neg"));
  CHECK(f.first_present({"nope"}) == nullptr);
}

TEST_CASE("positive numbers refuse zero, negatives, the non-finite and the absurd", "[json]") {
  const Json root = {{"zero", 0}, {"neg", -1e-6}, {"inf", INFINITY}, {"big", 1e30}, {"ok", 1e-5}};
  const JsonFields f(root, "cfg.json");
  CHECK(f.positive("ok", 1.0, 1.0) == 1e-5);
  CHECK(f.positive("absent", 0.5, 1.0) == 0.5);
  CHECK_THAT(message_of<loupe::FormatError>([&] { f.positive("zero", 1, 1); }),
             Contains("`zero` must be a number above 0 and at most 1.0, not 0.0"));
  CHECK_THAT(message_of<loupe::FormatError>([&] { f.positive("neg", 1, 1); }), Contains("not -1e-06"));
  CHECK_THAT(message_of<loupe::FormatError>([&] { f.positive("inf", 1, 1); }), Contains("`inf` must be a finite number"));
  CHECK_THAT(message_of<loupe::FormatError>([&] { f.positive("big", 1, 1e12); }), Contains("not 1e+30"));
}

TEST_CASE("lists and arrays of objects check every item", "[json]") {
  const Json root = Json::parse(R"({"ids": [1, "</s>"], "names": ["a", "b", "c"], "mixed": ["a", [[1]]],
                                    "hooks": [{"name": "h", "width": 4}, 5]})");
  const JsonFields f(root, "m.json");
  CHECK_THAT(message_of<loupe::FormatError>([&] { f.integer_list("ids", 0, 10, 8); }),
             Contains("m.json: `ids[1]` must be an integer, not \"</s>\""));
  CHECK(f.string_list("names", 3) == std::vector<std::string>{"a", "b", "c"});
  CHECK_THAT(message_of<loupe::FormatError>([&] { f.string_list("names", 2); }),
             Contains("`names` lists 3 values; at most 2 are allowed"));
  CHECK_THAT(message_of<loupe::FormatError>([&] { f.string_list("mixed", 8); }),
             Contains("`mixed[1]` must be a string, not [[1]]"));
  CHECK_THAT(message_of<loupe::FormatError>([&] { f.objects("hooks"); }),
             Contains("m.json `hooks[1]` must be a JSON object, not 5"));
  const Json ok = {{"ids", {3, 4}}};
  CHECK(JsonFields(ok, "m.json").integer_list("ids", 0, 10, 8) == std::vector<int64_t>{3, 4});
  CHECK_THAT(message_of<loupe::FormatError>([&] { JsonFields(ok, "m.json").integer_list("ids", 0, 3, 8); }),
             Contains("`ids[1]` must be from 0 to 3, not 4"));
}
