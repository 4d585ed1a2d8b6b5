// Ablation (`loupe ablate`): images captioned with and without an ablation, both in one batch: SAE
// latents edited at the SAE's hook (intervene::sae_edit: zero or mean target, replace or residual
// mode), attention heads zeroed or set to their mean, or attention from the chosen query positions to
// the image tokens knocked out at some layers (intervene/attention_edits.h); and the gender logit difference (study/gender_tokens.h) at the baseline caption's
// first gendered word, teacher-forced with and without the edit. Over many entries: how often the
// caption changes or flips gender, and the paired effect on the logit difference (Wilcoxon's
// signed-rank test, a bootstrap 95% interval of the mean).
#pragma once
#include <torch/torch.h>

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/eval/gender.h"
#include "core/intervene/sae_edit.h"
#include "core/jobs/job.h"
#include "core/study/ablation_set.h"
#include "core/study/dataset_image.h"
#include "core/model/vlm.h"
#include "core/study/steer_positions.h"
#include "core/text/tokenizer.h"
#include "core/util/table.h"

namespace loupe::study {

struct AblationRequest {
  // What is ablated, exactly one of: SAE latents (sae and edits, at the SAE's hook), attention heads
  // (heads; with head_means, layer → [heads, head_dim], set to those, else to 0), or attention from
  // the query positions to the image tokens (knockout_layers).
  std::shared_ptr<const sae::Sae> sae;
  std::vector<intervene::LatentEdit> edits;
  std::vector<HeadRef> heads;
  std::map<int64_t, torch::Tensor> head_means;
  std::vector<int64_t> knockout_layers;
  PositionSelector positions;  // where (for a knockout: which queries) to ablate (kSteerPositions words)
  std::vector<Language> langs = {Language::English, Language::Arabic};
  int64_t max_new_tokens = 24;
};

// Throws InputError when the request does not fit the model: not exactly one kind, an SAE of
// another hook's width, a latent, head or layer the model lacks.
void check_ablation(const AblationRequest& request, const io::ModelConfig& config);

// The request's hook operations on batch `rows` (empty: every row) of a run whose prompt has these
// token types [1, T] (a knockout's keys are its image tokens).
void add_ablation(const AblationRequest& request, const io::ModelConfig& config, const torch::Tensor& token_types,
                  model::HookSet& hooks, model::Rows rows = {});

// A set entry (or `loupe ablate`'s options) made runnable: its SAE loaded, a latent mean ablation's
// targets read from its latents.csv, a head mean ablation's targets averaged over `images` in
// `langs` (head_means). Throws what those readers throw and check_ablation's errors.
AblationRequest ablation_request(const AblationSpec& spec, const model::VlmImpl& model, const text::Tokenizer& tokenizer,
                                 const std::vector<DatasetImage>& images, const std::vector<Language>& langs,
                                 int64_t max_new_tokens, jobs::JobContext* job = nullptr);

struct AblationEntry {
  DatasetImage image;
  Language lang = Language::English;
  std::string baseline, ablated;  // captions
  eval::Gender baseline_gender = eval::Gender::Unknown, ablated_gender = eval::Gender::Unknown;
  // female − male logit at the baseline's first gendered word; empty when it has none
  std::optional<double> logit_diff_clean, logit_diff_ablated;
};

// Checks the request against the model (the SAE's hook exists and is d_in wide; the heads and
// layers exist) before any work. Progress per image through `job` (may be null). Throws
// InputError, loupe::Cancelled.
std::vector<AblationEntry> ablate_images(const model::VlmImpl& model, const text::Tokenizer& tokenizer,
                                         const std::vector<DatasetImage>& images, const AblationRequest& request,
                                         jobs::JobContext* job = nullptr);

// Each listed head's mean output (hook_z) over every prompt position of the images in each
// language, per layer: the targets of a mean head ablation. Progress through `job` (may be null).
std::map<int64_t, torch::Tensor> head_means(const model::VlmImpl& model, const text::Tokenizer& tokenizer,
                                            const std::vector<DatasetImage>& images, const std::vector<Language>& langs,
                                            const std::vector<HeadRef>& heads, jobs::JobContext* job = nullptr);

// Each latent's mean activation over every stored vector (zeros included): frequency ×
// mean_activation from an analysis's latents.csv (`loupe analyze features`), the target of a mean
// ablation. Throws FormatError naming the file and the column or latent that is missing.
std::vector<double> latent_means(const std::filesystem::path& latents_csv, const std::vector<int64_t>& latents);

// One row per entry: row, image, lang, baseline, ablated, baseline_gender, ablated_gender, changed,
// logit_diff_clean, logit_diff_ablated.
util::Table ablation_entries_table(const std::vector<AblationEntry>& entries);

// One row per language: entries, changed, flips (a female or male baseline that becomes the other
// gender), measured (entries with a gendered word), mean_logit_diff_clean, mean_logit_diff_ablated,
// mean_effect (ablated − clean), effect_low, effect_high (bootstrap 95%, 2,000 resamples, seed 0),
// wilcoxon_w, wilcoxon_p, wilcoxon_exact (1 or 0).
util::Table ablation_summary(const std::vector<AblationEntry>& entries, const std::vector<Language>& langs);

}  // namespace loupe::study
