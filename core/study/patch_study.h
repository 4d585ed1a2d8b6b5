// `loupe patch-sweep`: where the figure's gender enters the caption. The clean image is captioned;
// at its first gendered word (study::gendered_step), the prompt and the caption before that word
// run with the clean image and with the corrupted one (the same scene with the other figure), and
// every (layer, position) of a block site is restored from the clean run in turn
// (intervene::patch_sweep, batched), or estimated by attribution patching
// (intervene::attribution_patch, one backward pass), or both. Metric at the last position:
// logit(female word) − logit(male word), or the log-probability of the clean caption's gendered
// word; a cell's share restored is (patched − corrupt) / (clean − corrupt): 0 as corrupted, 1 as
// clean.
#pragma once
#include "core/jobs/job.h"
#include "core/model/vlm.h"
#include "core/study/patch_types.h"
#include "core/text/tokenizer.h"

namespace loupe::study {

// Throws InputError before the sweep for images of other sizes' prompts, a clean caption with no
// gendered word that has a one-token counterpart, positions that pick nothing.
GenderPatch gender_patch_sweep(const model::VlmImpl& model, const text::Tokenizer& tokenizer,
                               const GenderPatchRequest& request, jobs::JobContext& job);

}  // namespace loupe::study
