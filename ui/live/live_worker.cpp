// The live worker: one thread, one Session per run, the model shared and never changed.
#include "ui/live/live_worker.h"

#include <algorithm>
#include <array>

#include "core/error.h"
#include "core/model/inputs.h"
#include "core/model/lora.h"
#include "core/sae/sae_io.h"
#include "core/study/steering.h"
#include "core/study/traced_caption.h"
#include "core/text/prompt.h"
#include "ui/live/heatmap_compute.h"
#include "ui/live/loaded_model.h"
#include "ui/text/word_diff.h"

namespace loupe::ui {

// Bounded: at 896 px one image's pixels are about 10 MB, and an SAE of a real model hundreds.
struct LiveWorker::State {
  model::Session session;                                   // one for every run, cleared after each
  LruCache<torch::Tensor> pixels{32};                       // model|image size|image → [1, 3, S, S]
  LruCache<std::array<CaptionText, 2>> baselines{256};      // model|image|tokens → en, ar
  SaeCache saes{2};                                         // folder → SAE
};

// One submitted request: captions with and without the steers and adapter, and the heatmap.
class LiveWorker::Run final : public jobs::LatestWorker::Work {
 public:
  Run(LiveWorker& worker, LiveRequest request) : worker_(worker), request_(std::move(request)) {}
  // A drag (alphas only) lets the running run finish; anything else makes it stale.
  bool cancels(const Work& running) const override {
    return !same_except_alphas(static_cast<const Run&>(running).request_, request_);
  }
  void run(const jobs::Ticket& ticket, jobs::JobContext& context) const override;

 private:
  void caption(LiveResult& result, const jobs::JobContext& context) const;
  LiveWorker& worker_;
  const LiveRequest request_;
};

namespace {

void add_steers(const LoadedModel& model, const std::vector<Steer>& steers, const torch::Tensor& token_types,
                int64_t max_new_tokens, model::HookSet& hooks) {
  const io::ModelConfig& config = model.vlm->config;
  for (const Steer& steer : steers) {
    if (steer.alpha == 0 || !steer.direction) continue;
    study::Steer checked =
        study::make_steer(steer.hook, torch::tensor(steer.direction->values, torch::kFloat32), steer.alpha,
                          PositionSelector(steer.positions), config, "direction '" + steer.direction->name + "'");
    checked.mode = steer.mode;
    study::add_steer(checked, token_types, max_new_tokens, model.vlm->device(), model.vlm->dtype(), hooks);
  }
}

// The image preprocessed for this model: the key holds the model (its folder and preprocessing
// size) as well as the image, since two models may need the same file at different sizes.
torch::Tensor cached_pixels(const LoadedModel& model, const std::string& image, LruCache<torch::Tensor>& cache) {
  const io::ModelConfig& config = model.vlm->config;
  const std::string key = model.folder + "|" + io::family_name(config.family) + "|" +
                          std::to_string(config.vision.image_size) + "|" + image;
  if (const torch::Tensor* pixels = cache.find(key)) return *pixels;
  return cache.insert(key, model::image_pixels(config, image).to(model.vlm->device(), model.vlm->dtype()));
}

void mark_changes(const CaptionText& baseline, CaptionText& steered) {
  std::vector<std::string> before, after;
  for (const auto& chip : baseline.tokens) before.push_back(chip.text);
  for (const auto& chip : steered.tokens) after.push_back(chip.text);
  const std::vector<bool> changed = changed_items(before, after);
  for (size_t i = 0; i < changed.size(); ++i) steered.tokens[i].changed = changed[i];
}

}  // namespace

void LiveWorker::Run::caption(LiveResult& result, const jobs::JobContext& context) const {
  State& state = *worker_.state_;
  model::Session& session = state.session;
  const LoadedModel& model = *request_.model;
  const int64_t max_new = request_.max_new_tokens;
  const torch::Tensor pixels = cached_pixels(model, request_.image, state.pixels);  // [1, 3, S, S]
  const std::string key = model.folder + "|" + request_.image + "|" + std::to_string(max_new);
  const bool steering = std::any_of(request_.steers.begin(), request_.steers.end(),
                                    [](const Steer& s) { return s.alpha != 0 && s.direction; });
  const auto& adapter = request_.adapter;
  if (adapter && adapter->model != &model) throw InputError("the adapter " + adapter->name + " was read for another model");
  const bool intervened = steering || adapter;
  const int heat_lang = request_.heatmap.lang == Language::Arabic ? 1 : 0;
  const model::HookPoint heat_point = heatmap_capture_point(request_.heatmap, model.vlm->config);
  const std::array<CaptionText, 2>* cached = state.baselines.find(key);
  for (int l = 0; l < 2; ++l) {
    const bool capture_here = !intervened && l == heat_lang;
    if (cached && !capture_here) {
      result.baseline[l] = (*cached)[size_t(l)];
      continue;
    }
    session.hooks.clear();
    session.hooks.set_adapter(nullptr);
    if (capture_here) session.hooks.capture(heat_point);
    const study::TracedCaption run =
        study::trace_caption(*model.vlm, *model.tokenizer, pixels, kLanguages[size_t(l)], max_new, session, &context);
    result.baseline[l] = run.caption;
    if (capture_here)
      result.heatmap = compute_heatmap(request_.heatmap, heat_point, session.hooks, run.token_types,
                                        int64_t(run.caption.tokens.size()), state.saes);
  }
  state.baselines.insert(key, {result.baseline[0], result.baseline[1]});
  result.steering = steering;
  result.adapted = adapter != nullptr;
  for (int l = 0; l < 2; ++l) {
    if (!intervened) {
      result.steered[l] = result.baseline[l];
      continue;
    }
    session.hooks.clear();
    session.hooks.set_adapter(adapter ? adapter->adapter : nullptr);
    // The prompt's token types do not depend on the steers: build them once from a dry prompt.
    const model::VlmInputs prompt = model::caption_prompt(*model.vlm, *model.tokenizer, text::caption_question(kLanguages[size_t(l)]), pixels);
    add_steers(model, request_.steers, prompt.token_type_ids, max_new, session.hooks);
    if (l == heat_lang) session.hooks.capture(heat_point);
    const study::TracedCaption run =
        study::trace_caption(*model.vlm, *model.tokenizer, pixels, kLanguages[size_t(l)], max_new, session, &context);
    result.steered[l] = run.caption;
    mark_changes(result.baseline[l], result.steered[l]);
    if (l == heat_lang)
      result.heatmap = compute_heatmap(request_.heatmap, heat_point, session.hooks, run.token_types,
                                        int64_t(run.caption.tokens.size()), state.saes);
  }
}

void LiveWorker::Run::run(const jobs::Ticket& ticket, jobs::JobContext& context) const {
  torch::NoGradGuard no_grad;  // grad mode is per thread: set on the worker's
  struct HooksCleared {        // the next run starts from an empty hook set, however this one ends
    model::Session& session;
    ~HooksCleared() {
      session.hooks.clear();
      session.hooks.set_adapter(nullptr);
    }
  } cleared{worker_.state_->session};
  auto result = std::make_shared<LiveResult>();
  result->request_id = ticket.id;
  result->image = request_.image;
  try {
    caption(*result, context);
  } catch (const Cancelled&) {
    throw;
  } catch (const std::exception& error) {  // loupe::Error and c10::Error alike: shown in the panel
    result->error = error.what();
    result->steering = result->adapted = false;  // what was captioned without them is still shown
    for (int l = 0; l < 2; ++l) result->steered[l] = result->baseline[l];
  }
  result->latency_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - ticket.submitted).count();
  worker_.publish(std::move(result));
}

LiveWorker::LiveWorker() : state_(std::make_unique<State>()) {}

LiveWorker::~LiveWorker() = default;

uint64_t LiveWorker::submit(LiveRequest request) { return scheduler_.submit(std::make_unique<Run>(*this, std::move(request))); }

std::shared_ptr<const LiveResult> LiveWorker::latest() const {
  std::lock_guard<std::mutex> lock(latest_mutex_);
  return latest_;
}

void LiveWorker::publish(std::shared_ptr<const LiveResult> result) {
  std::lock_guard<std::mutex> lock(latest_mutex_);
  latest_.swap(result);  // the old result is freed after the lock is released
}

}  // namespace loupe::ui
