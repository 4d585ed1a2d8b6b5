// Feature analysis: what each SAE latent does and which latents carry gender, in which language
// (docs/feature-analysis.md has the definitions). One encoding pass over the store (latent_codes.h);
// every statistic is then read from the sparse codes.
//
// An entry is one (dataset row, language) of the store; its value of a latent is the mean of the
// latent's activation over the entry's stored vectors. Gender groups are entries, by the figure's
// label or by the gender the entry's caption states; Cohen's d, Welch's p and Benjamini-Hochberg q
// compare female and male entries per language (and pooled over both), and alignment_r correlates a
// latent's English and Arabic entry values over the dataset rows that have both.
#pragma once
#include <torch/torch.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/analysis/layer_probes.h"
#include "core/jobs/job.h"
#include "core/sae/sae.h"
#include "core/store/store_reader.h"
#include "core/text/tokenizer.h"

namespace loupe::analysis {

enum class GenderGrouping { Figure, Caption };
GenderGrouping parse_grouping(const std::string& word);  // figure | caption; InputError otherwise
const char* grouping_name(GenderGrouping grouping);

// Which entries count as female (+1) or male (−1), 0 for the rest: the figure label woman / female
// / f vs man / male / m (any case), or the stated gender of the entry's caption.
int gender_group(const store::StoreEntries& entries, int64_t entry, GenderGrouping grouping);

struct FeatureAnalysisRequest {
  std::string hook;  // the SAE's hook; the store must hold it at the SAE's width
  GenderGrouping grouping = GenderGrouping::Caption;
  std::string split;                     // a canonical split name (io::canonical_split); empty: every entry
  std::optional<double> align_threshold;  // asked explicitly: the store must hold both languages
  int64_t top_examples = 20;
  int64_t quantile_groups = 10, quantile_examples = 5;
  int64_t histogram_bins = 20;  // log-spaced from max · 1e-4 to max
  int64_t neighbours = 5;       // co-activating and nearest-decoder latents
  int64_t logit_tokens = 10;
  torch::Tensor unembedding;                 // [vocab, d_in] W_U; undefined: no logit effects
  const text::Tokenizer* tokenizer = nullptr;  // decodes the logit-effect tokens
  int64_t coactivation_budget = 400000000;   // pair counts over Σ (active latents per vector)²
  bool code_rank = false;  // the effective rank of the entries' latent values per language (FeatureAnalysis::code_rank)
};

constexpr double kDefaultAlignThreshold = 0.5;

// One activating example of a latent.
struct Example {
  int64_t entry = 0;     // rows.jsonl entry
  int64_t vector = 0;    // store index
  int64_t position = 0;  // token position (-1 pooled)
  float value = 0;
};

// A latent's two-group comparison in one language (or pooled); empty when that language has no entries.
struct GenderEffect {
  double cohens_d = 0, p = 1, q = 1;
  double mean_female = 0, mean_male = 0;
};

struct TokenEffect {
  int64_t token = 0;
  float effect = 0;  // (W_dec · W_U)[latent, token]
};

struct LatentStats {
  int64_t active = 0;                       // vectors where the latent is > 0
  std::array<int64_t, 2> active_by_language{};  // English, Arabic
  std::array<double, 2> activation_sum_by_language{};  // of its values where active
  std::array<int64_t, 3> active_by_type{};      // TokenType: text, image, template
  double mean_activation = 0;  // over the vectors where it is active
  double max_activation = 0;
  std::vector<int64_t> histogram;  // request.histogram_bins counts, log-spaced over [max · 1e-4, max]
  std::vector<Example> top;
  std::vector<std::vector<Example>> quantiles;  // equal-width intervals of (0, max], lowest first
  std::array<std::optional<GenderEffect>, 3> gender;  // English, Arabic, pooled
  std::optional<double> alignment_r;
  std::vector<std::pair<int64_t, double>> coactive;    // latent, share of this latent's vectors where it is also active
  std::vector<std::pair<int64_t, double>> neighbours;  // latent, decoder cosine
  std::vector<TokenEffect> top_tokens, bottom_tokens, top_arabic_tokens, top_latin_tokens;
};

struct FeatureAnalysis {
  std::string hook, grouping, split;
  int64_t vectors = 0;                        // encoded
  std::array<int64_t, 2> vectors_by_language{};
  std::array<int64_t, 3> vectors_by_type{};
  std::array<int64_t, 3> female_entries{}, male_entries{};  // English, Arabic, pooled
  int64_t paired_rows = 0;                   // dataset rows with an English and an Arabic entry
  int64_t coactivation_vectors = 0;          // vectors the co-activation counts read
  bool alignment = false;                    // both languages present
  double align_threshold = kDefaultAlignThreshold;
  std::vector<LatentStats> latents;
  // English, Arabic (with request.code_rank, and at least 2 entries): the effective rank of the
  // entries' latent values, a matrix [entries, latents].
  std::array<std::optional<RankFigures>, 2> code_rank;
};

// Throws InputError and computes nothing for bad input: an SAE whose hook or width the store lacks,
// a split with no entries (listing the store's splits), a store without the grouping's labels, a
// gender group with fewer than 2 entries in a language, an alignment threshold asked of a store
// with one language.
FeatureAnalysis analyze_features(const store::StoreReader& store, const sae::Sae& sae,
                                 const FeatureAnalysisRequest& request, jobs::JobContext& job);

}  // namespace loupe::analysis
