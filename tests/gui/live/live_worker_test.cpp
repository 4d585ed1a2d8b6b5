// The desktop app's live worker on the bundled demo model: both captions with token details, the
// heatmap quantities, steering with the gender direction, errors that keep the baseline, and the
// cancellation rules. No window: this is the worker the panels read from.
#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

#include <filesystem>
#include <fstream>

#include "core/io/safetensors.h"
#include "core/jobs/runner.h"
#include "core/tensor/convert.h"
#include "support/temp_dir.h"
#include "ui/live/directions.h"
#include "ui/live/loaded_model.h"
#include "ui/live/lru_cache.h"
#include "ui/live/live_worker.h"
#include "ui/live/model_info.h"

using namespace loupe;
using namespace loupe::ui;

namespace {

const std::string kModel = LOUPE_SOURCE_DIR "/assets/models/demo";
const std::string kImages = LOUPE_SOURCE_DIR "/assets/demo/images";

std::shared_ptr<const LiveResult> wait_for(LiveWorker& worker, uint64_t id) {
  for (int i = 0; i < 3000; ++i) {
    auto result = worker.latest();
    if (result && result->request_id == id && worker.idle()) return result;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  FAIL("the live worker did not answer within 30 s");
  return nullptr;
}

// Until the worker has started request `id` (or already finished it).
void wait_until_started(const LiveWorker& worker, uint64_t id) {
  for (int i = 0; i < 30000; ++i) {
    const auto latest = worker.latest();
    if (worker.running_id() == id || (latest && latest->request_id >= id)) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  FAIL("the live worker did not start request " << id);
}

std::shared_ptr<const Direction> gender_caption_direction(const std::shared_ptr<const LoadedModel>& model) {
  loupe::jobs::JobRunner runner(1);
  std::shared_ptr<const Direction> direction;
  const auto id = runner.submit("direction", [&](loupe::jobs::JobContext& job) {
    direction = gender_direction(*model, study::dataset_gender_images(kImages), "blocks.0.hook_resid_post", study::GenderLabel::Caption, job);
    return nlohmann::json{};
  });
  const auto done = runner.wait(id);
  INFO(done->error_message);
  REQUIRE(done->state == loupe::jobs::JobState::Succeeded);
  return direction;
}

}  // namespace

TEST_CASE("the live worker captions in both languages with token details and a heatmap", "[gui][live]") {
  auto model = load_model(kModel);
  LiveWorker worker;
  LiveRequest request;
  request.model = model;
  request.image = kImages + "/kitchen.png";
  request.heatmap.hook = "blocks.1.hook_resid_post";
  const auto result = wait_for(worker, worker.submit(request));
  INFO(result->error);
  REQUIRE(result->error.empty());
  CHECK_FALSE(result->steering);
  CHECK(result->baseline[0].text == "a woman is washing the dishes in the kitchen");
  CHECK(result->baseline[1].text.find("امرأة") != std::string::npos);
  for (int l = 0; l < 2; ++l) {
    const CaptionText& caption = result->baseline[l];
    REQUIRE_FALSE(caption.tokens.empty());
    for (const auto& chip : caption.tokens) {
      CHECK(chip.probability > 0.0f);
      CHECK(chip.probability <= 1.0f);
      REQUIRE(chip.top.size() == 5);
      CHECK(chip.top[0].probability >= chip.probability - 1e-6f);  // greedy: the chosen token is the top one
      CHECK(chip.top[0].text == chip.text);
    }
  }
  const Heatmap& map = result->heatmap;
  CHECK(map.error.empty());
  CHECK(map.grid_width == 4);  // 16 image tokens
  CHECK(map.grid_height == 4);
  CHECK(map.tokens.size() == result->baseline[0].tokens.size());
  CHECK(map.high > map.low);

  request.heatmap.hook = "vision.blocks.2.hook_resid_post";
  const auto vision = wait_for(worker, worker.submit(request));
  CHECK(vision->heatmap.grid_width == 8);  // 8 × 8 patches
  CHECK(vision->heatmap.tokens.empty());

  request.heatmap.hook = "blocks.3.hook_resid_post";
  request.heatmap.quantity = HeatQuantity::Attention;
  request.heatmap.caption_token = 1;
  const auto attention = wait_for(worker, worker.submit(request));
  REQUIRE(attention->heatmap.error.empty());
  float total = 0;
  for (float weight : attention->heatmap.patches) total += weight;
  CHECK(total > 0.0f);
  CHECK(total <= 1.0f + 1e-4f);  // a share of one softmax row
}

TEST_CASE("the gender direction steers both captions and marks the changed words", "[gui][live]") {
  auto model = load_model(kModel);
  const auto direction = gender_caption_direction(model);
  REQUIRE(direction->values.size() == 256);
  LiveWorker worker;
  LiveRequest request;
  request.model = model;
  request.image = kImages + "/kitchen.png";
  request.steers.push_back({direction, "blocks.0.hook_resid_post", PositionKind::Image, -2.0});
  const auto result = wait_for(worker, worker.submit(request));
  INFO(result->error);
  REQUIRE(result->steering);
  CHECK(result->baseline[0].text == "a woman is washing the dishes in the kitchen");
  CHECK(result->steered[0].text.find("a man ") == 0);
  CHECK(result->steered[1].text.find("رجل") != std::string::npos);
  bool man_marked = false;
  for (const auto& chip : result->steered[0].tokens) {
    if (chip.text == "man") man_marked = chip.changed;
    if (chip.text == "kitchen") CHECK_FALSE(chip.changed);
  }
  CHECK(man_marked);

  // A direction of the wrong width: the error is reported and the unsteered captions stay.
  auto wrong = std::make_shared<const Direction>(Direction{"wrong", "vision.blocks.1.hook_resid_post", "", std::vector<float>(128, 1.0f), 4});
  request.steers = {{wrong, "blocks.1.hook_resid_post", PositionKind::Image, 1.0}};
  const auto failed = wait_for(worker, worker.submit(request));
  CHECK(failed->error.find("has 128 values but blocks.1.hook_resid_post is 256 wide") != std::string::npos);
  CHECK(failed->steered[0].text == failed->baseline[0].text);
}

TEST_CASE("an adapter's captions come beside the base model's, and only for the model it was read for", "[gui][live]") {
  auto model = load_model(kModel);
  // Fine-tuned on gender-swapped captions (docs/finetune.md): the kitchen's woman becomes a man.
  const auto adapter = load_adapter(*model, LOUPE_SOURCE_DIR "/tests/fixtures/demo-lora-swapped");
  CHECK(adapter->name == "demo-lora-swapped");
  LiveWorker worker;
  LiveRequest request;
  request.model = model;
  request.image = kImages + "/kitchen.png";
  request.adapter = adapter;
  const auto result = wait_for(worker, worker.submit(request));
  INFO(result->error);
  REQUIRE(result->adapted);
  CHECK_FALSE(result->steering);
  CHECK(result->baseline[0].text == "a woman is washing the dishes in the kitchen");
  CHECK(result->steered[0].text == "a man is washing the dishes in the kitchen");

  // The same request without it: the base model's caption, the adapter's left no trace.
  request.adapter = nullptr;
  const auto plain = wait_for(worker, worker.submit(request));
  CHECK_FALSE(plain->adapted);
  CHECK(plain->steered[0].text == "a woman is washing the dishes in the kitchen");

  // An adapter read for another loaded copy of the model is refused, the base captions stay.
  request.model = load_model(kModel);
  request.adapter = adapter;
  const auto other = wait_for(worker, worker.submit(request));
  CHECK(other->error.find("was read for another model") != std::string::npos);
  CHECK(other->steered[0].text == other->baseline[0].text);
}

TEST_CASE("a new image cancels the running run, a drag lets it finish", "[gui][live]") {
  auto model = load_model(kModel);
  const auto direction = gender_caption_direction(model);
  LiveWorker worker;
  LiveRequest request;
  request.model = model;
  request.image = kImages + "/kitchen.png";
  request.steers.push_back({direction, "blocks.0.hook_resid_post", PositionKind::Image, -1.0});
  const uint64_t kitchen = worker.submit(request);
  wait_until_started(worker, kitchen);
  LiveRequest other = request;
  other.image = kImages + "/garage.png";
  const auto last = wait_for(worker, worker.submit(other));
  CHECK(last->image == other.image);
  CHECK(worker.requests_cancelled() >= 1);

  // Alpha-only changes: the running run completes and is published, then the newest one runs.
  const uint64_t before = worker.requests_cancelled();
  request.image = other.image;
  request.steers[0].alpha = 1.0;
  const uint64_t first = worker.submit(request);
  wait_until_started(worker, first);
  request.steers[0].alpha = 2.0;
  const uint64_t second = worker.submit(request);
  bool first_published = false;
  for (int i = 0; i < 30000 && !(worker.idle() && worker.latest()->request_id == second); ++i) {
    first_published |= worker.latest()->request_id == first;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  CHECK(first_published);
  CHECK(worker.latest()->request_id == second);
  CHECK(worker.requests_cancelled() == before);  // a drag never cancels the running run
}

namespace {

// The demo model with its vision tower reading 64 px images through 8 px patches: the same 8 × 8
// patch grid, so every weight but the patch embedding (averaged down to 8 × 8) keeps its shape.
std::string demo_model_at_64_px(const test::TempDir& dir) {
  namespace fs = std::filesystem;
  for (const char* file : {"tokenizer.json", "generation_config.json"})
    fs::copy_file(kModel + "/" + file, dir.path / file);
  nlohmann::json config = nlohmann::json::parse(std::ifstream(kModel + "/config.json"));
  config["vision_config"]["image_size"] = 64;
  config["vision_config"]["patch_size"] = 8;
  std::ofstream(dir.path / "config.json") << config.dump(2);
  const io::SafeTensors weights = io::SafeTensors::open(kModel + "/model.safetensors");
  tensor::NamedTensors tensors;
  for (const auto& name : weights.names()) {
    torch::Tensor value = tensor::view_of(weights.at(name)).clone();
    if (name == "vision_tower.embeddings.patch_embedding.weight")
      value = torch::avg_pool2d(value, 2) * 4;  // [128, 3, 16, 16] -> [128, 3, 8, 8]
    tensors.emplace_back(name, value);
  }
  tensor::save((dir.path / "model.safetensors").string(), tensors);
  return dir.path.string();
}

}  // namespace

TEST_CASE("the pixel cache keeps each model's image size apart and stays bounded", "[gui][live]") {
  test::TempDir dir("live-64px");
  auto demo = load_model(kModel);
  auto small = load_model(demo_model_at_64_px(dir));
  REQUIRE(small->vlm->config.vision.image_size == 64);
  LiveWorker worker;
  LiveRequest request;
  request.image = kImages + "/kitchen.png";
  request.heatmap.hook = "blocks.1.hook_resid_post";
  for (const auto& model : {demo, small, demo}) {  // the same file at 128 px, 64 px, then 128 px again
    request.model = model;
    const auto result = wait_for(worker, worker.submit(request));
    INFO(model->folder << ": " << result->error);
    CHECK(result->error.empty());
    CHECK_FALSE(result->baseline[0].text.empty());
  }

  LruCache<int> cache(2);
  cache.insert("a", 1);
  cache.insert("b", 2);
  REQUIRE(cache.find("a"));  // "a" is now the most recently used
  cache.insert("c", 3);      // drops "b"
  CHECK(cache.size() == 2);
  CHECK(cache.find("b") == nullptr);
  CHECK(*cache.find("a") == 1);
  CHECK(*cache.find("c") == 3);
}
