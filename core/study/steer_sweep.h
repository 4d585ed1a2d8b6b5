// `loupe steer`: one image captioned with a steering set against the unsteered baseline, at the
// set's own alphas or at each alpha of a sweep. Every caption comes with the gender it states,
// whether the image's scene and activity words survived (when the dataset labels them, as synth
// datasets do) and its log-likelihood under the unsteered model. The steered copies of one
// language run as one batched generation, each batch row steered with its own alpha; several
// images' copies can share that generation (steer_sweeps).
#pragma once
#include <torch/torch.h>

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/eval/gender.h"
#include "core/jobs/job.h"
#include "core/model/vlm.h"
#include "core/study/steer_positions.h"
#include "core/text/tokenizer.h"

namespace loupe::study {

struct SweepRequest {
  std::string image;
  std::vector<Language> langs = {Language::English, Language::Arabic};
  std::vector<SteerSpec> set;   // the steers (read_steering_set or parse_steer_spec)
  std::vector<double> alphas;   // empty: one step at the set's alphas; else every steer takes each alpha
  int64_t max_new_tokens = 24;
  std::map<std::string, std::string> labels;  // the image's dataset labels (scene, activity), if known
};

struct SweepCaption {
  std::string text;
  std::vector<int64_t> tokens;  // generated ids, the end token included when reached
  eval::Gender gender = eval::Gender::Unknown;
  std::optional<bool> scene_kept, activity_kept;  // empty when the image has no such label
  double log_likelihood = 0;  // Σ log p(token | prompt, earlier tokens) over `tokens`, unsteered model
};

struct SweepStep {
  std::optional<double> alpha;        // empty: the set's own alphas
  std::vector<SweepCaption> captions; // one per request language, in request order
};

struct SweepResult {
  std::vector<Language> langs;
  std::vector<SweepCaption> baseline;  // one per language
  std::vector<SweepStep> steps;
  // {"baseline": {"en": {...}, "ar": {...}}, "steps": [{"alpha": a, "en": ..., "gender_en": ..., ...}]}
  nlohmann::json to_json() const;
};

// Checks the whole set (hooks, vectors, widths, modes) before generating. Throws InputError;
// loupe::Cancelled when `job` (may be null) is cancelled.
SweepResult steer_sweep(const model::VlmImpl& model, const text::Tokenizer& tokenizer, const SweepRequest& request,
                        const jobs::JobContext* job = nullptr);

// One image of a multi-image sweep, with its dataset labels (scene, activity), if known.
struct SweepImage {
  std::string image;
  std::map<std::string, std::string> labels;
};

// The sweeps of all `images` at once (request.image and request.labels unused): per language one
// generation of images × (1 + steps) rows, and one teacher-forced pass (or a few, within a memory
// bound on the logits) that scores every caption. Each result is what steer_sweep gives for its
// image, up to the rounding a larger batch brings. Same errors as steer_sweep, and for no image.
std::vector<SweepResult> steer_sweeps(const model::VlmImpl& model, const text::Tokenizer& tokenizer,
                                      const SweepRequest& request, const std::vector<SweepImage>& images,
                                      const jobs::JobContext* job = nullptr);

}  // namespace loupe::study
