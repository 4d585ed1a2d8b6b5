// The logit lens and direct logit attribution of the gender logit difference (`loupe analyze
// lens`). At the position that predicts a caption's first gendered word (study/gender_tokens.h),
// teacher-forced:
//   lens[l]   every layer's hook_resid_post through the final norm and the unembedding:
//             logit(female word) − logit(male word), the "where does the gendered word win" curve
//   dla       the residual stream's parts, blocks.0.hook_resid_pre (embeddings with the image
//             features merged) and each layer's hook_attn_out and hook_mlp_out, each scaled by the
//             final RMS norm's factor at that position (1 / rms of the final residual, times the
//             norm's gain) and projected on W_U[female] − W_U[male]. They sum to the final
//             difference exactly: the norm's scale is taken from the whole stream, as
//             TransformerLens's apply_ln_to_stack does.
//   heads     each attention head's share of its layer's hook_attn_out: its hook_z through its
//             slice of o_proj (and, in Gemma 3, through the norm after attention with that norm's
//             scale taken from the whole attention output), so that a layer's heads sum to its
//             attention part exactly (with no o_proj bias, as in Gemma 3 and Llama).
#pragma once
#include <torch/torch.h>

#include <string>
#include <vector>

#include "core/jobs/job.h"
#include "core/model/vlm.h"
#include "core/study/ablation.h"
#include "core/study/gender_tokens.h"
#include "core/text/tokenizer.h"
#include "core/util/table.h"

namespace loupe::study {

struct LensReading {
  std::vector<double> lens;          // [layers]
  double embed = 0;                  // dla of blocks.0.hook_resid_pre
  std::vector<double> attn, mlp;     // dla per layer
  std::vector<std::vector<double>> heads;  // [layers][heads]: dla per attention head
  double final_difference = 0;       // from the model's own logits
};

// `prompt` (batch 1) followed by `caption` (generated ids) teacher-forced; `gendered.step` indexes
// `caption`. The decoder's final norm must be an RMS norm (Gemma 3, Llama).
LensReading read_lens(const model::VlmImpl& model, const model::VlmInputs& prompt, const std::vector<int64_t>& caption,
                      const GenderedStep& gendered);

struct LensEntry {
  DatasetImage image;
  Language lang = Language::English;
  std::string caption;
  std::string female_word, male_word;  // the tokens compared
  bool stated_female = false;          // the caption's word is the female one
  LensReading reading;
};

// Captions each image in each language (greedy) and reads the lens at its first gendered word;
// captions without one are left out. Progress per image through `job` (may be null).
std::vector<LensEntry> logit_lens(const model::VlmImpl& model, const text::Tokenizer& tokenizer,
                                  const std::vector<DatasetImage>& images, const std::vector<Language>& langs,
                                  int64_t max_new_tokens, jobs::JobContext* job = nullptr);

// Per layer and language: layer, lang, entries, mean_logit_diff, female_share (share of entries
// whose lens difference is above 0), mean_stated_margin (the difference signed toward the word the
// caption says: + for female, − for male) and stated_share (share of entries where that word
// already wins over its counterpart: the "where does the gendered word win" curve); the final
// logits as layer "final".
util::Table lens_table(const std::vector<LensEntry>& entries, const std::vector<Language>& langs, int64_t layers);
// Per component and language: component (embed, attn, mlp, head), layer (empty for embed), head
// (for head rows), lang, entries, mean_dla, mean_stated_dla (signed toward the caption's word, as
// mean_stated_margin).
util::Table dla_table(const std::vector<LensEntry>& entries, const std::vector<Language>& langs, int64_t layers,
                      int64_t heads);
// Per entry: row, image, lang, caption, female_word, male_word, final_logit_diff, lens_0 .. lens_{L-1}.
util::Table lens_entries_table(const std::vector<LensEntry>& entries, int64_t layers);

}  // namespace loupe::study
