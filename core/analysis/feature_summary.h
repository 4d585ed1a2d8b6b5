// The study-level answers read off a feature analysis: how many latents are shared across the two
// languages, how consistent their gender effects are, and which latents are most gender-associated.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "core/analysis/feature_analysis.h"

namespace loupe::analysis {

// A latent's frequency in one language is at least this many times the other's.
constexpr double kLanguageSpecificRatio = 10.0;
constexpr int64_t kTopGenderLatents = 20;

double frequency(int64_t active, int64_t vectors);  // active / vectors, 0 for no vectors

bool active_in_both(const LatentStats& latent);
// "en", "ar" or "" (neither language dominates, or the latent never fires).
const char* specific_language(const FeatureAnalysis& analysis, const LatentStats& latent);
bool is_aligned(const FeatureAnalysis& analysis, const LatentStats& latent);

struct FeatureSummary {
  int64_t latents = 0, dead = 0;  // dead: never active on the analysed vectors
  // English, Arabic; empty for a language without vectors.
  std::array<std::optional<double>, 2> l0;               // mean active latents per vector
  std::array<std::optional<int64_t>, 2> dead_by_language;  // never active on that language's vectors
  std::array<std::optional<double>, 2> mean_activation;  // mean value over the active (vector, latent) pairs
  int64_t active_both = 0, aligned = 0;
  std::optional<double> alignment_ratio;          // aligned / active in both; empty without both languages
  std::optional<double> aligned_similarity;       // mean alignment_r of the aligned latents
  std::optional<double> gender_bias_correlation;  // Pearson r of cohens_d_en with cohens_d_ar over latents active in both
  // Per language (English, Arabic, pooled): latents by Cohen's d, the most female-associated first
  // (d > 0, descending) and the most male-associated (d < 0, ascending); at most kTopGenderLatents.
  std::array<std::vector<int64_t>, 3> top_female, top_male;
  std::vector<int64_t> english_specific, arabic_specific;
};

FeatureSummary summarize(const FeatureAnalysis& analysis);

}  // namespace loupe::analysis
