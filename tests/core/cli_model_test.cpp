// The model commands run as a user would (the built binary), checked against the reference
// fixtures, and their errors for bad input.
#include <catch2/catch.hpp>

#include "cli_run.h"
#include "core/tensor/convert.h"
#include "core/util/atomic_file.h"
#include "fixture_case.h"
#include "support/temp_dir.h"

using loupe::test::run_loupe;
using loupe::test::temp_path;

namespace {

struct CliCase {
  std::string family;
  std::string folder;
  loupe::test::ReferenceCase reference;

  explicit CliCase(const std::string& family_folder)
      : family(family_folder), folder(std::string(LOUPE_FIXTURES) + "/" + family_folder),
        reference(loupe::test::reference_case(family_folder)) {}

  std::string ids() const {
    std::string list;
    for (const auto& id : reference.meta["input_ids"]) list += (list.empty() ? "" : ",") + std::to_string(id.get<int64_t>());
    return list;
  }
  std::string inputs(const std::string& pixels = "pixel_values") const {
    return "--model '" + folder + "' --pixels '" + folder + "/case.safetensors:" + pixels + "' --ids " + ids();
  }
};

constexpr double kTolerance = 1e-4;

}  // namespace

TEST_CASE("loupe forward dumps hooks that match the reference hidden states and logits", "[cli][model]") {
  for (const std::string family : {"gemma3-tiny", "llava-tiny"}) {
    INFO(family);
    const CliCase c(family);
    const std::string out = temp_path("forward.safetensors");
    const auto run = run_loupe("forward " + c.inputs() + " --dump 'blocks.*.hook_resid_post,logits,ln_final.hook_normalized' --out '" + out + "'");
    INFO(run.err);
    REQUIRE(run.status == 0);
    const auto file = loupe::io::SafeTensors::open(out);
    const int64_t layers = int64_t(file.names().size()) - 2;  // every resid_post, logits, ln_final
    CHECK(loupe::test::relative_error(loupe::tensor::view_of(file.at("logits")), c.reference.get("logits")) <= kTolerance);
    for (int64_t l = 0; l + 1 < layers; ++l)
      CHECK(loupe::test::relative_error(loupe::tensor::view_of(file.at("blocks." + std::to_string(l) + ".hook_resid_post")),
                                        c.reference.get("text_hidden." + std::to_string(l + 1))) <= kTolerance);
    CHECK(loupe::test::relative_error(loupe::tensor::view_of(file.at("ln_final.hook_normalized")),
                                      c.reference.get("text_hidden." + std::to_string(layers))) <= kTolerance);
  }
}

TEST_CASE("loupe generate reproduces greedy and steered generations with their step logits", "[cli][model]") {
  for (const std::string family : {"gemma3-tiny", "llava-tiny"}) {
    INFO(family);
    const CliCase c(family);
    const auto steps = c.reference.meta["greedy_new_tokens"].size();
    const std::string logits = temp_path("steps.safetensors");
    auto run = run_loupe("generate " + c.inputs() + " --max-new-tokens " + std::to_string(steps) +
                         " --no-stop --json --step-logits '" + logits + "'");
    INFO(run.err);
    REQUIRE(run.status == 0);
    CHECK(nlohmann::json::parse(run.out)["tokens"] == c.reference.meta["greedy_new_tokens"]);
    CHECK(loupe::test::relative_error(loupe::tensor::load(logits, "step_logits"), c.reference.get("greedy_step_logits")) <= kTolerance);

    const auto& steer = c.reference.meta["steer"];
    const std::string vector = temp_path("steer.safetensors");
    loupe::tensor::save(vector, {{"v", c.reference.get("steer_vector")}});
    run = run_loupe("generate " + c.inputs() + " --max-new-tokens " + std::to_string(steps) + " --no-stop --json --steer '" +
                    steer["hook"].get<std::string>() + "=" + vector + ":v@" + steer["alpha"].dump() + "' --step-logits '" + logits + "'");
    INFO(run.err);
    REQUIRE(run.status == 0);
    CHECK(nlohmann::json::parse(run.out)["tokens"] == steer["greedy_new_tokens"]);
    CHECK(loupe::test::relative_error(loupe::tensor::load(logits, "step_logits"), c.reference.get("steered_step_logits")) <= kTolerance);
  }
}

TEST_CASE("loupe patch writes the reference patching grid", "[cli][model]") {
  for (const std::string family : {"gemma3-tiny", "llava-tiny"}) {
    INFO(family);
    const CliCase c(family);
    std::string positions;
    for (const auto& p : c.reference.meta["patch_positions"]) positions += (positions.empty() ? "" : ",") + p.dump();
    const std::string out = temp_path("patch.safetensors");
    const auto run = run_loupe("patch " + c.inputs() + " --corrupt-pixels '" + c.folder +
                               "/case.safetensors:pixel_values_corrupt' --hook 'blocks.{l}.hook_resid_post' --positions " +
                               positions + " --out '" + out + "'");
    INFO(run.err);
    REQUIRE(run.status == 0);
    for (const char* key : {"patched_last_logits", "clean_last_logits", "corrupt_last_logits"})
      CHECK(loupe::test::relative_error(loupe::tensor::load(out, key), c.reference.get(key)) <= kTolerance);
  }
}

TEST_CASE("model commands reject bad input with a clear message and a non-zero exit", "[cli][model][errors]") {
  const CliCase c("gemma3-tiny");
  SECTION("unknown hook name lists near matches") {
    const auto run = run_loupe("forward " + c.inputs() + " --dump blocks.1.hook_resid_pots --out '" + temp_path("x.safetensors") + "'");
    CHECK(run.status == 1);
    CHECK_THAT(run.err, Catch::Contains("unknown hook 'blocks.1.hook_resid_pots'") && Catch::Contains("blocks.1.hook_resid_post"));
  }
  SECTION("steering vector of the wrong width") {
    const std::string vector = temp_path("wide.safetensors");
    loupe::tensor::save(vector, {{"v", torch::ones({65})}});
    const auto run = run_loupe("generate " + c.inputs() + " --max-new-tokens 2 --steer 'blocks.1.hook_resid_post=" + vector + ":v@2'");
    CHECK(run.status == 1);
    CHECK_THAT(run.err, Catch::Contains("has 65 values but blocks.1.hook_resid_post is 64 wide"));
  }
  SECTION("sampling options out of range") {  // issue 21: these were accepted
    for (const auto& [option, message] :
         {std::pair<std::string, std::string>{"--top-k -5", "--top-k must not be negative"},
          {"--top-p 1.5", "--top-p must be in (0, 1]"},
          {"--top-p nan", "--top-p must be in (0, 1]"},
          {"--temperature -1", "--temperature must be a positive finite number"},
          {"--temperature nan", "--temperature must be a positive finite number"},
          {"--min-new-tokens -3", "--min-new-tokens must not be negative"},
          {"--seed -1", "--seed must not be negative"}}) {
      INFO(option);
      const auto run = run_loupe("generate " + c.inputs() + " --max-new-tokens 2 --sample " + option);
      CHECK(run.status == 1);
      CHECK_THAT(run.err, Catch::Contains(message));
    }
  }
  SECTION("patch position past the sequence") {
    const auto run = run_loupe("patch " + c.inputs() + " --corrupt-pixels '" + c.folder +
                               "/case.safetensors:pixel_values_corrupt' --hook 'blocks.{l}.hook_resid_post' --positions 3,32 --out '" +
                               temp_path("p.safetensors") + "'");
    CHECK(run.status == 1);
    CHECK_THAT(run.err, Catch::Contains("position 32 is past the sequence of 32 tokens"));
  }
  SECTION("prompt longer than the model's context") {
    std::string ids = c.ids();
    for (int i = 0; i < 1000; ++i) ids += ",5";
    const auto run = run_loupe("forward --model '" + c.folder + "' --pixels '" + c.folder + "/case.safetensors:pixel_values' --ids " +
                               ids + " --dump logits --out '" + temp_path("l.safetensors") + "'");
    CHECK(run.status == 1);
    CHECK_THAT(run.err, Catch::Contains("past this model's context of 1024"));
  }
  SECTION("prompt without the image token") {
    const auto run = run_loupe("forward --model '" + c.folder + "' --pixels '" + c.folder +
                               "/case.safetensors:pixel_values' --ids 2,43,41 --dump logits --out '" + temp_path("l.safetensors") + "'");
    CHECK(run.status == 1);
    CHECK_THAT(run.err, Catch::Contains("hold no image token (id 299)"));
  }
  SECTION("wrong number of image tokens") {
    const auto run = run_loupe("forward --model '" + c.folder + "' --pixels '" + c.folder +
                               "/case.safetensors:pixel_values' --ids 2,299,299,5 --dump logits --out '" + temp_path("l.safetensors") + "'");
    CHECK(run.status == 1);
    CHECK_THAT(run.err, Catch::Contains("holds 2 image tokens") && Catch::Contains("give 16 features"));
  }
  SECTION("pixels of the wrong size") {
    const std::string pixels = temp_path("pixels.safetensors");
    loupe::tensor::save(pixels, {{"p", torch::zeros({3, 32, 32})}});
    const auto run = run_loupe("forward --model '" + c.folder + "' --pixels '" + pixels + ":p' --ids " + c.ids() +
                               " --dump logits --out '" + temp_path("l.safetensors") + "'");
    CHECK(run.status == 1);
    CHECK_THAT(run.err, Catch::Contains("this model takes [3, 64, 64]"));
  }
}

TEST_CASE("loupe info describes a checkpoint, as text or JSON", "[cli][info]") {
  const CliCase c("llava-tiny");
  auto run = run_loupe("info --model '" + c.folder + "' --json");
  INFO(run.err);
  REQUIRE(run.status == 0);
  const auto info = nlohmann::json::parse(run.out);
  CHECK(info["family"] == "llava");
  CHECK(info["text"]["layers"] == 3);
  CHECK(info["vision"]["kind"] == "clip");
  CHECK(info["parameters"].get<int64_t>() > 100000);
  CHECK(info["hook_points"].get<int64_t>() > 50);
  run = run_loupe("info --model /no/such/model");
  CHECK(run.status == 1);
  CHECK_THAT(run.err, Catch::Contains("/no/such/model does not exist"));
}

TEST_CASE("every command answers --help, and unknown options are refused", "[cli]") {
  for (const char* command : {"info", "tokenize", "forward", "generate", "patch", "caption", "synth"}) {
    INFO(command);
    const auto run = run_loupe(std::string(command) + " --help");
    CHECK(run.status == 0);
    CHECK_THAT(run.out, Catch::StartsWith("usage: loupe " + std::string(command)));
  }
  const auto run = run_loupe("info --modle x");
  CHECK(run.status == 1);
  CHECK_THAT(run.err, Catch::Contains("unknown option --modle"));
}

TEST_CASE("loupe info on a config with a zero patch_size exits with an error naming it", "[cli][model][errors]") {
  // Once a division by zero (SIGFPE, exit 136) while sizing the patch grid.
  for (const std::string family : {"gemma3-tiny", "llava-tiny"}) {
    INFO(family);
    const loupe::test::TempDir dir("loupe-info-patch");
    auto config = nlohmann::json::parse(loupe::util::read_file(std::string(LOUPE_FIXTURES) + "/" + family + "/config.json"));
    config["vision_config"]["patch_size"] = 0;
    dir.write("config.json", config.dump());
    const auto run = run_loupe("info --model '" + dir.path.string() + "'");
    CHECK(run.status == 1);
    CHECK_THAT(run.err, Catch::Contains("`vision_config`: `patch_size` must be from 1 to"));
  }
}

TEST_CASE("loupe caption --choices prints the caption's tokens with their probabilities and the five likeliest", "[cli][model]") {
  const std::string image = std::string(LOUPE_SOURCE_DIR) + "/assets/demo/images/kitchen.png";
  for (const char* lang : {"en", "ar"}) {
    INFO(lang);
    const auto plain = run_loupe("caption --image '" + image + "' --lang " + lang + " --json");
    const auto traced = run_loupe("caption --image '" + image + "' --lang " + lang + " --json --choices");
    INFO(traced.err);
    REQUIRE(plain.status == 0);
    REQUIRE(traced.status == 0);
    const auto expected = nlohmann::json::parse(plain.out);
    const auto got = nlohmann::json::parse(traced.out);
    CHECK(got["text"] == expected["text"]);
    CHECK(got["tokens"] == expected["tokens"]);
    const auto& choices = got["choices"];
    REQUIRE(choices.size() == got["tokens"].size());
    REQUIRE(choices.size() > 2);
    for (size_t s = 0; s < choices.size(); ++s) {
      const auto& chip = choices[s];
      INFO("step " << s << ": " << chip.dump());
      CHECK(chip["id"] == got["tokens"][s]);
      const auto& top = chip["top"];
      REQUIRE(top.size() == 5);
      double total = 0;
      for (size_t k = 0; k < top.size(); ++k) {
        total += top[k]["probability"].get<double>();
        if (k > 0) CHECK(top[k]["probability"].get<double>() <= top[k - 1]["probability"].get<double>());
      }
      CHECK(total <= 1.0 + 1e-5);
      // Greedy decoding: the chosen token is the likeliest one.
      CHECK(top[0]["text"] == chip["text"]);
      CHECK(top[0]["probability"].get<double>() == Approx(chip["probability"].get<double>()));
      CHECK(chip["probability"].get<double>() > 0.0);
    }
  }
  const auto text = run_loupe("caption --image '" + image + "' --choices");
  REQUIRE(text.status == 0);
  CHECK_THAT(text.out, Catch::Contains("p=") && Catch::Contains("top:"));
}
