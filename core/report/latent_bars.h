// The Bias panel's and the report's "top latents" figure: for one language, the k latents with the
// largest Cohen's d (most female) and the k with the smallest (most male) of a feature analysis'
// latents.csv (`loupe analyze features`), as bars of their effect sizes, labelled "#latent".
#pragma once
#include <string>

#include "core/io/csv.h"
#include "core/report/plot.h"

namespace loupe::report {

// `language` is en, ar or pooled (the columns cohens_d_en, cohens_d_ar, cohens_d). Latents with no
// effect size are left out; a latent is listed once (k ≥ half of them: each once, female first).
// Throws InputError for another language, k < 1, a table without the column, or no effect sizes.
Plot top_latents_plot(const io::CsvTable& latents, const std::string& language, size_t k, const std::string& caption);

}  // namespace loupe::report
