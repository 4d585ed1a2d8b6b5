#include "core/analysis/feature_summary.h"

#include <algorithm>
#include <cstring>

#include "core/analysis/statistics.h"

namespace loupe::analysis {

double frequency(int64_t active, int64_t vectors) { return vectors > 0 ? double(active) / double(vectors) : 0.0; }

bool active_in_both(const LatentStats& latent) {
  return latent.active_by_language[0] > 0 && latent.active_by_language[1] > 0;
}

const char* specific_language(const FeatureAnalysis& analysis, const LatentStats& latent) {
  const double en = frequency(latent.active_by_language[0], analysis.vectors_by_language[0]);
  const double ar = frequency(latent.active_by_language[1], analysis.vectors_by_language[1]);
  if (!analysis.alignment || (en == 0 && ar == 0)) return "";
  if (en >= kLanguageSpecificRatio * ar) return "en";
  if (ar >= kLanguageSpecificRatio * en) return "ar";
  return "";
}

bool is_aligned(const FeatureAnalysis& analysis, const LatentStats& latent) {
  return latent.alignment_r && *latent.alignment_r >= analysis.align_threshold;
}

FeatureSummary summarize(const FeatureAnalysis& analysis) {
  FeatureSummary summary;
  summary.latents = int64_t(analysis.latents.size());
  PairSums effects;
  std::array<int64_t, 2> active{}, dead{};
  std::array<double, 2> activation{};
  double aligned_r = 0;
  for (int64_t j = 0; j < summary.latents; ++j) {
    const LatentStats& latent = analysis.latents[size_t(j)];
    summary.dead += latent.active == 0;
    for (size_t l = 0; l < 2; ++l) {
      active[l] += latent.active_by_language[l];
      activation[l] += latent.activation_sum_by_language[l];
      dead[l] += latent.active_by_language[l] == 0;
    }
    if (!std::strcmp(specific_language(analysis, latent), "en")) summary.english_specific.push_back(j);
    if (!std::strcmp(specific_language(analysis, latent), "ar")) summary.arabic_specific.push_back(j);
    if (!analysis.alignment || !active_in_both(latent)) continue;
    ++summary.active_both;
    if (is_aligned(analysis, latent)) {
      ++summary.aligned;
      aligned_r += *latent.alignment_r;
    }
    if (latent.gender[0] && latent.gender[1]) effects.add(latent.gender[0]->cohens_d, latent.gender[1]->cohens_d);
  }
  if (analysis.alignment && summary.active_both > 0)
    summary.alignment_ratio = double(summary.aligned) / double(summary.active_both);
  if (summary.aligned > 0) summary.aligned_similarity = aligned_r / double(summary.aligned);
  for (size_t l = 0; l < 2; ++l) {
    if (analysis.vectors_by_language[l] == 0) continue;
    summary.l0[l] = double(active[l]) / double(analysis.vectors_by_language[l]);
    summary.dead_by_language[l] = dead[l];
    if (active[l] > 0) summary.mean_activation[l] = activation[l] / double(active[l]);
  }
  summary.gender_bias_correlation = pearson(effects);
  for (size_t l = 0; l < 3; ++l) {
    std::vector<int64_t> female, male;
    for (int64_t j = 0; j < summary.latents; ++j) {
      const auto& effect = analysis.latents[size_t(j)].gender[l];
      if (effect && effect->cohens_d > 0) female.push_back(j);
      if (effect && effect->cohens_d < 0) male.push_back(j);
    }
    const auto d = [&](int64_t j) { return analysis.latents[size_t(j)].gender[l]->cohens_d; };
    std::stable_sort(female.begin(), female.end(), [&](int64_t a, int64_t b) { return d(a) > d(b); });
    std::stable_sort(male.begin(), male.end(), [&](int64_t a, int64_t b) { return d(a) < d(b); });
    female.resize(std::min<size_t>(female.size(), kTopGenderLatents));
    male.resize(std::min<size_t>(male.size(), kTopGenderLatents));
    summary.top_female[l] = female;
    summary.top_male[l] = male;
  }
  return summary;
}

}  // namespace loupe::analysis
