// The option words the CLI parses itself (issue 21): token ids and positions take digits only
// (no sign, space, point or suffix: "8abc", " 6", "+6" and 10.9 were read as numbers), an empty
// --ids is refused, and a --steer spec is split into hook, source, alpha and positions before any
// file is read.
#include <catch2/catch.hpp>

#include "core/error.h"
#include "core/study/steer_positions.h"
#include "core/util/id_list.h"
#include "support/temp_dir.h"

using Catch::Matchers::Contains;
using loupe::FormatError;
using loupe::InputError;
using loupe::PositionKind;
using loupe::parse_positions;
using loupe::test::message_of;
namespace util = loupe::util;
namespace study = loupe::study;

TEST_CASE("id lists take comma-separated digits and name the option and the bad item", "[cli][ids]") {
  CHECK(util::parse_id_list("2,43,7", "--ids") == std::vector<int64_t>{2, 43, 7});
  CHECK(util::parse_id_list("0", "--ids") == std::vector<int64_t>{0});
  CHECK(util::parse_id_list("1099511627775", "--ids") == std::vector<int64_t>{util::kMaxListedId});
  CHECK_THAT(message_of<InputError>([] { util::parse_id_list("", "--ids"); }), Contains("--ids is empty"));
  for (const std::string bad : {"1,,2", "1,", ",1", "8abc", " 6", "+6", "-1", "10.9", "1e3", "0x10", "1099511627776",
                                "99999999999999999999"}) {
    INFO(bad);
    CHECK_THAT(message_of<InputError>([&] { util::parse_id_list(bad, "--positions"); }),
               Contains("--positions takes comma-separated integers"));
  }
  CHECK_THAT(message_of<InputError>([] { util::parse_id_list("2,8abc", "--ids"); }), Contains("'8abc' is not one"));
  CHECK_THAT(message_of<InputError>([] { util::parse_id_list("2,,3", "--ids"); }), Contains("an item is empty"));
}

TEST_CASE("an --ids file holds a JSON array of integers from 0; 10.9 is no longer read as 10", "[cli][ids]") {
  const loupe::test::TempDir dir;
  const std::string good = dir.write("good.json", "[2, 299, 5]");
  CHECK(util::read_id_argument("@" + good, "--ids") == std::vector<int64_t>{2, 299, 5});
  for (const auto& [text, message] : {std::pair<std::string, std::string>{"[2, 10.9]", "item 1 must be an integer"},
                                      {"[-1]", "item 0 must be an integer from 0"},
                                      {"[\"7\"]", "item 0 must be an integer"},
                                      {"[18446744073709551615]", "item 0 must be an integer"},
                                      {"[]", "empty array"},
                                      {"{\"ids\": [1]}", "must hold a JSON array"},
                                      {"[1, 2", "malformed JSON"}}) {
    INFO(text);
    const std::string path = dir.write("ids.json", text);
    const std::string error = message_of<FormatError>([&] { util::read_id_argument("@" + path, "--ids"); });
    CHECK_THAT(error, Contains(path) && Contains(message));
  }
  CHECK_THROWS_AS(util::read_id_argument("@" + dir.file("absent.json"), "--ids"), loupe::IoError);
  CHECK_THAT(message_of<InputError>([] { util::read_id_argument("@", "--ids"); }), Contains("needs a file name"));
}

TEST_CASE("steering positions take digits only", "[cli][steer]") {
  CHECK(parse_positions("6,14").list == std::vector<int64_t>{6, 14});
  for (const std::string bad : {" 6", "+6", "6 ", "8abc", "1,,2", "-0", "99999999999999999999"}) {
    INFO(bad);
    CHECK_THROWS_AS(parse_positions(bad), InputError);
  }
}

TEST_CASE("a --steer spec splits into hook, source, alpha and positions before any file is read", "[cli][steer]") {
  const study::SteerSpec file = study::parse_steer_spec("blocks.2.hook_resid_post=dir.safetensors:v@-2.5@6,14");
  CHECK(file.hook == "blocks.2.hook_resid_post");
  CHECK(file.source == "dir.safetensors:v");
  CHECK(file.sae_folder.empty());
  CHECK(file.alpha == -2.5);
  CHECK(file.positions.list == std::vector<int64_t>{6, 14});
  const study::SteerSpec latent = study::parse_steer_spec("blocks.0.hook_resid_post=sae:saes/l0#17@8");
  CHECK(latent.sae_folder == "saes/l0");
  CHECK(latent.sae_latent == 17);
  CHECK(latent.positions.kind == PositionKind::All);
  for (const auto& [spec, message] :
       {std::pair<std::string, std::string>{"blocks.0.hook_resid_post", "--steer expects HOOK="},
        {"blocks.0.hook_resid_post=v.safetensors:v", "--steer expects HOOK="},
        {"h=v.safetensors:v@8abc", "'8abc' is not a finite number"},
        {"h=v.safetensors:v@ 8", "is not a finite number"},
        {"h=v.safetensors:v@inf", "is not a finite number"},
        {"h=v.safetensors:v@nan", "is not a finite number"},
        {"h=v.safetensors:v@", "is not a finite number"},
        {"h=sae:saes/l0#-1@1", "sae:FOLDER#LATENT"},
        {"h=sae:saes/l0#1.5@1", "sae:FOLDER#LATENT"},
        {"h=sae:#3@1", "sae:FOLDER#LATENT"},
        {"h=sae:saes/l0@1", "sae:FOLDER#LATENT"},
        {"h=v.safetensors:v@1@+6", "positions are all, image, text"}}) {
    INFO(spec);
    CHECK_THAT(message_of<InputError>([&] { study::parse_steer_spec(spec); }), Contains(message));
  }
}
