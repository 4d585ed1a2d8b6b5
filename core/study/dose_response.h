// The dose-response of a steering set over a dataset split (`loupe steer --split`): every row's
// image captioned unsteered and at each alpha (study::steer_sweeps, one batched generation per
// language for `images_per_batch` rows at a time), summarised per (alpha, language):
//   gendered      rows whose baseline caption states female or male
//   flips         of those, rows whose steered caption states the other gender
//   flip_rate     flips / gendered (empty when no row is gendered)
//   female_baselines, flips_to_male, male_baselines, flips_to_female   the same by baseline gender
//                 (one sign of alpha flips one way)
//   scene_kept    share of rows with a `scene` label whose steered caption names that scene
//   activity_kept the same for the `activity` label
//   log_likelihood, baseline_log_likelihood   mean over rows, under the unsteered model
#pragma once
#include <vector>

#include "core/io/dataset.h"
#include "core/study/steer_sweep.h"
#include "core/util/table.h"

namespace loupe::study {

// `sweep` gives the set, alphas, languages and caption length; its image and labels are each row's.
// Columns: alpha, lang, rows, gendered, flips, flip_rate, female_baselines, flips_to_male,
// male_baselines, flips_to_female, scene_kept, activity_kept, log_likelihood, baseline_log_likelihood; one row per alpha (the set's own alphas: an empty alpha) and language.
// Reports progress per dataset row through `job`; an image that cannot be read ends it with the
// reader's error, which names the file. Throws InputError for no rows or images_per_batch < 1.
util::Table dose_response(const model::VlmImpl& model, const text::Tokenizer& tokenizer,
                          const std::vector<io::DatasetRow>& rows, const SweepRequest& sweep, jobs::JobContext& job,
                          int64_t images_per_batch = 8);

}  // namespace loupe::study
