// What one cell of a patch sweep (core/study/patch_study.h) does to the caption: the corrupted
// image's run with the clean run's activation restored at that (layer, position), continued
// greedily after the sequence the sweep measured (the prompt and the clean caption before its first
// gendered word), beside the clean and the corrupted captions, in English and in Arabic.
// Image positions are the same image token in both languages' prompts; template and text positions
// exist only in the sweep's own language's sequence. The desktop app's Patching panel shows them.
#pragma once
#include <string>
#include <vector>

#include "core/jobs/job.h"
#include "core/model/vlm.h"
#include "core/study/patch_study.h"
#include "core/text/tokenizer.h"

namespace loupe::study {

// `sweep` is the sweep's request (images, hook, language, max_new_tokens); one entry per language,
// the sweep's first. Throws InputError for a layer past the model's, a decoder site that is not a
// block site, a position past the sequence; Cancelled when the job is cancelled.
std::vector<PatchedContinuation> patched_continuations(const model::VlmImpl& model, const text::Tokenizer& tokenizer,
                                                       const GenderPatchRequest& sweep, const PatchCell& cell,
                                                       jobs::JobContext& job);

}  // namespace loupe::study
