// Activation stores written by StoreWriter and read back by StoreReader / BatchStream: shards,
// checksums, rows.jsonl, shuffled batches, and what a resume does with an interrupted commit.
#include <catch2/catch.hpp>

#include <torch/torch.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "core/error.h"
#include "core/store/sha256.h"
#include "core/store/store_format.h"
#include "core/store/store_reader.h"
#include "core/store/store_writer.h"
#include "core/util/atomic_file.h"
#include "support/temp_dir.h"

using namespace loupe;
using namespace loupe::store;
namespace fs = std::filesystem;
using loupe::test::message_of;
using loupe::test::TempDir;

namespace {

StoreSpec test_spec(int64_t units) {
  StoreSpec spec;
  spec.model = "/models/demo";
  spec.dataset = "/data/demo";
  spec.hooks = {"blocks.0.hook_resid_post", "blocks.1.hook_resid_post"};
  spec.widths = {4, 3};
  spec.dtype = "f32";
  spec.positions = "text";
  spec.source = "caption";
  spec.langs = {"en"};
  spec.units_total = units;
  return spec;
}

// Unit u holds u % 3 + 1 vectors whose values encode (unit, position, hook, column).
UnitVectors test_unit(int64_t u) {
  UnitVectors unit;
  const int64_t n = u % 3 + 1;
  unit.meta = {{"row", u}, {"lang", "en"}};
  for (int64_t h = 0; h < 2; ++h) {
    const int64_t d = h == 0 ? 4 : 3;
    torch::Tensor values = torch::arange(n * d, torch::kFloat32).view({n, d}) + 1000.0 * u + 100.0 * h;
    unit.per_hook.push_back(values);
  }
  for (int64_t p = 0; p < n; ++p) {
    unit.positions.push_back(20 + p);
    unit.types.push_back(kTextToken);
  }
  return unit;
}

void write_units(StoreWriter& writer, int64_t from, int64_t to) {
  for (int64_t u = from; u < to; ++u) {
    if (u == 4) writer.skip_unit({{"row", 4}, {"reason", "unreadable"}});
    else writer.add(test_unit(u));
  }
}

}  // namespace

TEST_CASE("sha256 matches the FIPS 180-4 examples", "[store]") {
  TempDir dir;
  CHECK(sha256_file(dir.write("abc", "abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(sha256_file(dir.write("empty", "")) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha256_file(dir.write("two-blocks", "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")) ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST_CASE("a store written in shards reads back across shard boundaries", "[store]") {
  TempDir dir;
  const fs::path folder = dir.path / "acts";
  StoreWriter writer = StoreWriter::create(folder, test_spec(10), /*shard_vectors=*/4);
  write_units(writer, 0, 10);
  writer.finish();

  const StoreReader store = StoreReader::open(folder);
  // Units 0..9 except 4 hold u % 3 + 1 vectors: 1+2+3+1+(skip)+3+1+2+3+1 = 17.
  REQUIRE(store.count() == 17);
  CHECK(store.shards().size() >= 3);
  CHECK(store.hooks() == std::vector<std::string>{"blocks.0.hook_resid_post", "blocks.1.hook_resid_post"});
  CHECK(store.width("blocks.1.hook_resid_post") == 3);
  CHECK_THAT(message_of<InputError>([&] { store.width("blocks.9.hook_resid_post"); }),
             Catch::Contains("blocks.0.hook_resid_post"));
  CHECK(store.model() == "/models/demo");
  CHECK(store.manifest()["complete"] == true);
  CHECK(store.manifest()["skipped"].size() == 1);
  REQUIRE(store.entries().size() == 9);  // the skipped unit has no rows.jsonl entry

  // Rebuild the expected tensors in order and compare every slice.
  std::vector<torch::Tensor> expected_h0, expected_h1;
  std::vector<int64_t> expected_rows;
  int64_t entry = 0;
  for (int64_t u = 0; u < 10; ++u) {
    if (u == 4) continue;
    const UnitVectors unit = test_unit(u);
    expected_h0.push_back(unit.per_hook[0]);
    expected_h1.push_back(unit.per_hook[1]);
    expected_rows.insert(expected_rows.end(), unit.positions.size(), entry);
    CHECK(store.entries().row[size_t(entry)] == u);
    ++entry;
  }
  const torch::Tensor all0 = torch::cat(expected_h0), all1 = torch::cat(expected_h1);
  CHECK(torch::equal(store.read("blocks.0.hook_resid_post", 0, 17), all0));
  CHECK(torch::equal(store.read("blocks.1.hook_resid_post", 3, 11), all1.narrow(0, 3, 8)));
  CHECK(store.read("blocks.0.hook_resid_post", 5, 5).sizes() == torch::IntArrayRef({0, 4}));
  CHECK(torch::equal(store.row_index(0, 17), torch::tensor(expected_rows, torch::kInt64)));
  CHECK(store.token_position(0, 17).min().item<int64_t>() == 20);
  CHECK(torch::equal(store.gather("blocks.0.hook_resid_post", {16, 0, 7}),
                     torch::stack({all0[16], all0[0], all0[7]})));
  CHECK_THROWS_AS(store.read("blocks.0.hook_resid_post", 10, 18), InputError);

  // The manifest's sizes and checksums are those of the files.
  for (const ShardInfo& shard : store.shards()) {
    CHECK(int64_t(fs::file_size(folder / shard.file)) == shard.bytes);
    CHECK(sha256_file((folder / shard.file).string()) == shard.sha256);
  }
}

TEST_CASE("BatchStream serves every vector once per epoch, deterministically, and skips for resume", "[store]") {
  TempDir dir;
  StoreWriter writer = StoreWriter::create(dir.path / "acts", test_spec(10), 4);
  write_units(writer, 0, 10);
  writer.finish();
  const StoreReader store = StoreReader::open(dir.path / "acts");
  const torch::Tensor all = store.read("blocks.0.hook_resid_post", 0, store.count());

  BatchStream stream(store, "blocks.0.hook_resid_post", 4, 7);
  REQUIRE(stream.batches_per_epoch() == 4);  // 17 vectors: 4 batches of 4, one dropped per epoch
  std::set<float> seen;  // the first column identifies a vector (values are distinct)
  std::vector<torch::Tensor> first_epoch;
  for (int b = 0; b < 4; ++b) {
    const torch::Tensor batch = stream.next();
    REQUIRE(batch.sizes() == torch::IntArrayRef({4, 4}));
    first_epoch.push_back(batch);
    for (int64_t i = 0; i < 4; ++i) seen.insert(batch[i][0].item<float>());
  }
  CHECK(seen.size() == 16);
  const torch::Tensor second = stream.next();  // epoch 2: another permutation
  CHECK(stream.epoch() == 1);
  CHECK(stream.batches_served() == 5);

  BatchStream again(store, "blocks.0.hook_resid_post", 4, 7);
  CHECK(torch::equal(again.next(), first_epoch[0]));
  BatchStream resumed(store, "blocks.0.hook_resid_post", 4, 7);
  resumed.skip(4);
  CHECK(torch::equal(resumed.next(), second));
  BatchStream other_seed(store, "blocks.0.hook_resid_post", 4, 8);
  CHECK_FALSE(torch::equal(other_seed.next(), first_epoch[0]));
  // Every row of a batch is a stored vector.
  for (int64_t i = 0; i < 4; ++i) {
    const auto matches = (all == first_epoch[1][i]).all(1).sum().item<int64_t>();
    CHECK(matches == 1);
  }
  CHECK_THROWS_AS(BatchStream(store, "blocks.0.hook_resid_post", 100, 1), InputError);
  CHECK_THROWS_AS(BatchStream(store, "nope", 4, 1), InputError);
}

TEST_CASE("resume drops what an interrupted commit left and continues to the same store", "[store]") {
  TempDir dir;
  const fs::path whole = dir.path / "whole", cut = dir.path / "cut";
  {
    StoreWriter writer = StoreWriter::create(whole, test_spec(10), 4);
    write_units(writer, 0, 10);
    writer.finish();
  }
  int64_t done = 0;
  {
    StoreWriter writer = StoreWriter::create(cut, test_spec(10), 4);
    write_units(writer, 0, 5);  // buffered units past the last commit are lost, as in a kill
    done = writer.units_done();
  }
  REQUIRE(done > 0);
  REQUIRE(done < 5);
  // What a kill between the shard rename and the manifest leaves: an unlisted shard, extra rows
  // and a temporary file.
  util::write_file_atomic((cut / shard_name(7)).string(), "partial");
  util::write_file_atomic((cut / "manifest.json.tmp-123").string(), "{");
  { std::ofstream((cut / kRowsName), std::ios::app) << "{\"row\": 99}\n"; }
  CHECK(StoreReader::open(cut).manifest()["complete"] == false);  // readable while incomplete

  CHECK_THAT(message_of<InputError>([&] { StoreWriter::create(cut, test_spec(10), 4); }), Catch::Contains("--resume"));
  StoreSpec other = test_spec(10);
  other.positions = "all";
  CHECK_THAT(message_of<InputError>([&] { StoreWriter::resume(cut, other, 4); }), Catch::Contains("positions"));

  StoreWriter writer = StoreWriter::resume(cut, test_spec(10), 4);
  CHECK(writer.units_done() == done);
  CHECK_FALSE(fs::exists(cut / shard_name(7)));
  CHECK_FALSE(fs::exists(cut / "manifest.json.tmp-123"));
  write_units(writer, writer.units_done(), 10);
  writer.finish();

  const StoreReader a = StoreReader::open(whole), b = StoreReader::open(cut);
  REQUIRE(a.count() == b.count());
  CHECK(torch::equal(a.read("blocks.1.hook_resid_post", 0, a.count()), b.read("blocks.1.hook_resid_post", 0, b.count())));
  CHECK(torch::equal(a.row_index(0, a.count()), b.row_index(0, b.count())));
  CHECK(util::read_file((whole / kRowsName).string()) == util::read_file((cut / kRowsName).string()));
  CHECK(b.manifest()["skipped"] == a.manifest()["skipped"]);
}

TEST_CASE("opening a damaged store says what is wrong", "[store]") {
  TempDir dir;
  CHECK_THAT(message_of<InputError>([&] { StoreReader::open(dir.path); }), Catch::Contains("no manifest.json"));
  StoreWriter writer = StoreWriter::create(dir.path / "acts", test_spec(10), 4);
  write_units(writer, 0, 10);
  writer.finish();
  fs::resize_file(dir.path / "acts" / shard_name(1), 100);
  CHECK_THAT(message_of<FormatError>([&] { StoreReader::open(dir.path / "acts"); }), Catch::Contains(shard_name(1)));
  fs::remove(dir.path / "acts" / shard_name(1));
  CHECK_THAT(message_of<FormatError>([&] { StoreReader::open(dir.path / "acts"); }), Catch::Contains("missing"));
}

TEST_CASE("a manifest field of the wrong type or out of range is named, for reading and for resuming", "[store]") {
  TempDir dir;
  const fs::path store = dir.path / "acts";
  StoreWriter writer = StoreWriter::create(store, test_spec(10), 4);
  write_units(writer, 0, 10);
  writer.finish();
  const std::string path = (store / kManifestName).string();
  const nlohmann::json good = nlohmann::json::parse(util::read_file(path));
  auto with = [&](const nlohmann::json::json_pointer& field, const nlohmann::json& value) {
    nlohmann::json manifest = good;
    manifest[field] = value;
    util::write_file_atomic(path, manifest.dump());
  };
  with("/shards/0/vectors"_json_pointer, "many");
  CHECK_THAT(message_of<FormatError>([&] { StoreReader::open(store); }),
             Catch::Contains(path + " `shards[0]`: `vectors` must be an integer, not \"many\""));
  with("/rows_bytes"_json_pointer, -1);
  CHECK_THAT(message_of<FormatError>([&] { StoreReader::open(store); }), Catch::Contains("`rows_bytes` must be from 0 to"));
  CHECK_THAT(message_of<FormatError>([&] { StoreWriter::resume(store, test_spec(10), 4); }),
             Catch::Contains("`rows_bytes` must be from 0 to"));
  with("/hooks/1"_json_pointer, 7);
  CHECK_THAT(message_of<FormatError>([&] { StoreReader::open(store); }), Catch::Contains("`hooks[1]` must be a JSON object, not 7"));
  with("/model"_json_pointer, nlohmann::json::array({1, 2}));
  CHECK_THAT(message_of<FormatError>([&] { StoreReader::open(store); }), Catch::Contains("`model` must be a string"));
  util::write_file_atomic(path, std::string(100000, '[') + std::string(100000, ']'));
  CHECK_THAT(message_of<FormatError>([&] { StoreReader::open(store); }), Catch::Contains("nested deeper than 64 levels"));
  CHECK_THAT(message_of<FormatError>([&] { StoreWriter::resume(store, test_spec(10), 4); }),
             Catch::Contains("nested deeper than 64 levels"));
}

TEST_CASE("rows.jsonl entries read as typed columns, and a bad entry is named", "[store]") {
  TempDir dir;
  const fs::path store = dir.path / "acts";
  StoreWriter writer = StoreWriter::create(store, test_spec(2), 4);
  UnitVectors unit = test_unit(0);
  unit.meta = {{"row", 7},
               {"image", "images/a.png"},
               {"lang", "ar"},
               {"labels", {{"gender", "woman"}, {"scene", "kitchen"}}},
               {"reference_caption", "امرأة تطبخ"},
               {"gender", {{"label", "woman"}, {"reference", "female"}}},
               {"ids", {5, 6}},
               {"tokens", {"a", "b"}},
               {"positions", {1}}};
  writer.add(unit);
  writer.add(test_unit(1));
  writer.finish();
  const StoreReader reader = StoreReader::open(store);
  const StoreEntries& entries = reader.entries();
  REQUIRE(entries.size() == 2);
  CHECK(entries.row[0] == 7);
  CHECK(entries.language[0] == Language::Arabic);
  CHECK(entries.figure_gender[0] == "woman");
  CHECK(entries.labels[0].at("scene") == "kitchen");
  CHECK(entries.stated_gender(0) == eval::Gender::Female);
  CHECK(entries.caption(0) == "امرأة تطبخ");
  CHECK(entries.tokens[0] == std::vector<std::string>{"a", "b"});
  CHECK(entries.figure_gender[1].empty());
  CHECK(entries.stated_gender(1) == eval::Gender::Unknown);

  const std::string rows = (store / kRowsName).string();
  std::string text = util::read_file(rows);
  const std::string good = text;
  text.replace(text.find("\"lang\":\"ar\""), 11, "\"lang\":\"fr\"");
  util::write_file_atomic(rows, text);
  CHECK_THAT(message_of<FormatError>([&] { StoreReader::open(store); }), Catch::Contains("entry 0: `lang` must be en, ar or empty"));
  text = good;
  text.replace(text.find("\"row\":7"), 7, "\"row\":\"x\"");
  util::write_file_atomic(rows, text);
  CHECK_THAT(message_of<FormatError>([&] { StoreReader::open(store); }), Catch::Contains("entry 0: `row` must be an integer"));
}

TEST_CASE("a version 1 store reads with today's token types and cannot be resumed", "[store]") {
  TempDir dir;
  const fs::path store = dir.path / "acts";
  StoreWriter writer = StoreWriter::create(store, test_spec(3), 16);
  for (int64_t u = 0; u < 3; ++u) writer.add(test_unit(u));  // every vector is text
  writer.finish();
  CHECK((StoreReader::open(store).token_type(0, 6) == int8_t(kTextToken)).all().item<bool>());
  const std::string path = (store / kManifestName).string();
  nlohmann::json manifest = nlohmann::json::parse(util::read_file(path));
  manifest["version"] = 1;  // version 1 wrote text as 1: read back, the same vectors are image tokens
  util::write_file_atomic(path, manifest.dump());
  CHECK((StoreReader::open(store).token_type(0, 6) == int8_t(kImageToken)).all().item<bool>());
  CHECK_THAT(message_of<InputError>([&] { StoreWriter::resume(store, test_spec(3), 16); }), Catch::Contains("an older loupe"));
  manifest["version"] = 3;
  util::write_file_atomic(path, manifest.dump());
  CHECK_THAT(message_of<FormatError>([&] { StoreReader::open(store); }), Catch::Contains("a newer loupe"));
}
