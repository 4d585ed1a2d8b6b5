// A feature analysis as files: latents.csv (one row per latent; the column names are an interface
// other tools read), latents.json (the same plus histograms, examples, logit effects and
// neighbours) and summary.json.
#pragma once
#include <nlohmann/json.hpp>

#include "core/analysis/feature_analysis.h"
#include "core/analysis/feature_summary.h"
#include "core/store/store_entries.h"
#include "core/text/tokenizer.h"
#include "core/util/table.h"

namespace loupe::analysis {

// Columns: latent, frequency, frequency_en, frequency_ar, frequency_text, frequency_image,
// frequency_template, mean_activation, max_activation, cohens_d_en, p_en, q_en, cohens_d_ar, p_ar,
// q_ar, cohens_d, p, q (pooled over both languages), alignment_r, aligned, language_specific.
// Empty cells: a statistic that does not exist for the latent (no entries in that language, a
// constant side for alignment_r).
util::Table latent_table(const FeatureAnalysis& analysis);

// One object per latent: the table's columns, histogram {low, high, counts} (log10 bin edges),
// top and quantile examples {entry, image, language, position, token, value}, logit effects
// {top, bottom, top_arabic, top_latin} of {token, text, effect}, coactive {latent, share},
// neighbours {latent, cosine}. `tokenizer` decodes the tokens (may be null: texts left out).
nlohmann::ordered_json latents_json(const FeatureAnalysis& analysis, const store::StoreEntries& entries,
                                    const text::Tokenizer* tokenizer);

nlohmann::ordered_json summary_json(const FeatureAnalysis& analysis, const FeatureSummary& summary);

}  // namespace loupe::analysis
