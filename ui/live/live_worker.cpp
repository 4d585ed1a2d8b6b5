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
struct LiveWorker::Cache {
  LruCache<torch::Tensor> pixels{32};                       // model|image size|image → [1, 3, S, S]
  LruCache<std::array<CaptionText, 2>> baselines{256};      // model|image|tokens → en, ar
  SaeCache saes{2};                                         // folder → SAE
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

LiveWorker::LiveWorker() : cache_(std::make_unique<Cache>()), thread_([this] { run(); }) {}

LiveWorker::~LiveWorker() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
    if (running_job_) running_job_->cancel();
  }
  wake_.notify_all();
  thread_.join();
}

uint64_t LiveWorker::submit(LiveRequest request) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (pending_) cancelled_.fetch_add(1);
  if (running_job_ && running_ && !same_except_alphas(*running_, request)) running_job_->cancel();
  pending_ = Pending{next_id_++, std::move(request), std::chrono::steady_clock::now()};
  wake_.notify_all();
  return pending_->id;
}

std::shared_ptr<const LiveResult> LiveWorker::latest() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return latest_;
}

uint64_t LiveWorker::running_id() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return running_id_;
}

bool LiveWorker::idle() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return !pending_ && !busy_;
}

void LiveWorker::run() {
  torch::NoGradGuard no_grad;
  model::Session session;
  for (;;) {
    Pending job{0, {}, {}};
    auto job_context = std::make_shared<jobs::StandaloneJob>("live captions");
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || pending_.has_value(); });
      if (stopping_) return;
      job = std::move(*pending_);
      pending_.reset();
      running_job_ = job_context;
      running_ = job.request;
      running_id_ = job.id;
      busy_ = true;
    }
    auto result = std::make_shared<LiveResult>();
    result->request_id = job.id;
    result->image = job.request.image;
    bool cancelled = false;
    const jobs::JobContext* context = &job_context->context();
    try {
      const LoadedModel& model = *job.request.model;
      const int64_t max_new = job.request.max_new_tokens;
      const torch::Tensor pixels = cached_pixels(model, job.request.image, cache_->pixels);  // [1, 3, S, S]
      const std::string key = model.folder + "|" + job.request.image + "|" + std::to_string(max_new);
      const bool steering = std::any_of(job.request.steers.begin(), job.request.steers.end(),
                                        [](const Steer& s) { return s.alpha != 0 && s.direction; });
      const auto& adapter = job.request.adapter;
      if (adapter && adapter->model != &model) throw InputError("the adapter " + adapter->name + " was read for another model");
      const bool intervened = steering || adapter;
      const int heat_lang = job.request.heatmap.lang == Language::Arabic ? 1 : 0;
      const model::HookPoint heat_point = heatmap_capture_point(job.request.heatmap, model.vlm->config);
      const std::array<CaptionText, 2>* cached = cache_->baselines.find(key);
      for (int l = 0; l < 2; ++l) {
        const bool capture_here = !intervened && l == heat_lang;
        if (cached && !capture_here) {
          result->baseline[l] = (*cached)[size_t(l)];
          continue;
        }
        session.hooks.clear();
        session.hooks.set_adapter(nullptr);
        if (capture_here) session.hooks.capture(heat_point);
        const study::TracedCaption run =
            study::trace_caption(*model.vlm, *model.tokenizer, pixels, kLanguages[size_t(l)], max_new, session, context);
        result->baseline[l] = run.caption;
        if (capture_here)
          result->heatmap = compute_heatmap(job.request.heatmap, heat_point, session.hooks, run.token_types,
                                            int64_t(run.caption.tokens.size()), cache_->saes);
      }
      cache_->baselines.insert(key, {result->baseline[0], result->baseline[1]});
      result->steering = steering;
      result->adapted = adapter != nullptr;
      for (int l = 0; l < 2; ++l) {
        if (!intervened) {
          result->steered[l] = result->baseline[l];
          continue;
        }
        session.hooks.clear();
        session.hooks.set_adapter(adapter ? adapter->adapter : nullptr);
        // The prompt's token types do not depend on the steers: build them once from a dry prompt.
        const model::VlmInputs prompt = model::caption_prompt(*model.vlm, *model.tokenizer, text::caption_question(kLanguages[size_t(l)]), pixels);
        add_steers(model, job.request.steers, prompt.token_type_ids, max_new, session.hooks);
        if (l == heat_lang) session.hooks.capture(heat_point);
        const study::TracedCaption run =
            study::trace_caption(*model.vlm, *model.tokenizer, pixels, kLanguages[size_t(l)], max_new, session, context);
        result->steered[l] = run.caption;
        mark_changes(result->baseline[l], result->steered[l]);
        if (l == heat_lang)
          result->heatmap = compute_heatmap(job.request.heatmap, heat_point, session.hooks, run.token_types,
                                            int64_t(run.caption.tokens.size()), cache_->saes);
      }
    } catch (const Cancelled&) {
      cancelled = true;
    } catch (const std::exception& error) {  // loupe::Error and c10::Error alike: shown in the panel
      result->error = error.what();
      result->steering = result->adapted = false;  // what was captioned without them is still shown
      for (int l = 0; l < 2; ++l) result->steered[l] = result->baseline[l];
    }
    session.hooks.clear();
    session.hooks.set_adapter(nullptr);
    result->latency_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - job.submitted).count();
    std::lock_guard<std::mutex> lock(mutex_);
    if (cancelled) {
      cancelled_.fetch_add(1);
    } else {
      latest_ = std::move(result);
    }
    running_job_.reset();
    running_.reset();
    running_id_ = 0;
    busy_ = false;
  }
}

}  // namespace loupe::ui
