#include "core/analysis/feature_report.h"

#include <cmath>

#include "core/util/optional_cell.h"

namespace loupe::analysis {

namespace {

const char* kLanguageCodes[2] = {"en", "ar"};

template <class Number>
nlohmann::ordered_json optional_json(const std::optional<Number>& value) {
  return value ? nlohmann::ordered_json(*value) : nlohmann::ordered_json();
}

nlohmann::ordered_json example_json(const Example& example, const store::StoreEntries& entries) {
  const size_t e = size_t(example.entry);
  const auto& language = entries.language[e];
  const auto& tokens = entries.tokens[e];
  const bool has_token = example.position >= 0 && example.position < int64_t(tokens.size());
  return {{"entry", example.entry},
          {"row", entries.row[e]},
          {"image", entries.image[e]},
          {"language", language ? language_code(*language) : ""},
          {"position", example.position},
          {"token", has_token ? tokens[size_t(example.position)] : ""},
          {"value", example.value}};
}

nlohmann::ordered_json examples_json(const std::vector<Example>& examples, const store::StoreEntries& entries) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const Example& example : examples) out.push_back(example_json(example, entries));
  return out;
}

nlohmann::ordered_json tokens_json(const std::vector<TokenEffect>& effects, const text::Tokenizer* tokenizer) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const TokenEffect& effect : effects) {
    nlohmann::ordered_json item = {{"token", effect.token}};
    if (tokenizer) item["text"] = tokenizer->decode({effect.token});
    item["effect"] = effect.effect;
    out.push_back(std::move(item));
  }
  return out;
}

nlohmann::ordered_json pairs_json(const std::vector<std::pair<int64_t, double>>& pairs, const char* value_name) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const auto& [latent, value] : pairs) out.push_back({{"latent", latent}, {value_name, value}});
  return out;
}

nlohmann::ordered_json latent_list(const std::vector<int64_t>& latents, const FeatureAnalysis& analysis, size_t slot) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (int64_t j : latents) {
    const GenderEffect& effect = *analysis.latents[size_t(j)].gender[slot];
    out.push_back({{"latent", j}, {"cohens_d", effect.cohens_d}, {"q", effect.q}});
  }
  return out;
}

}  // namespace

util::Table latent_table(const FeatureAnalysis& analysis) {
  using util::ColumnType;
  std::vector<util::Column> columns = {{"latent", ColumnType::Integer}};
  for (const char* name : {"frequency", "frequency_en", "frequency_ar", "frequency_text", "frequency_image",
                           "frequency_template", "mean_activation", "max_activation", "cohens_d_en", "p_en", "q_en",
                           "cohens_d_ar", "p_ar", "q_ar", "cohens_d", "p", "q", "alignment_r"})
    columns.push_back({name, ColumnType::Real});
  columns.push_back({"aligned", ColumnType::Integer});
  columns.push_back({"language_specific", ColumnType::Text});
  util::Table table(columns);
  for (size_t j = 0; j < analysis.latents.size(); ++j) {
    const LatentStats& latent = analysis.latents[j];
    std::vector<util::Cell> row = {int64_t(j), frequency(latent.active, analysis.vectors)};
    for (size_t l = 0; l < 2; ++l) row.push_back(frequency(latent.active_by_language[l], analysis.vectors_by_language[l]));
    for (size_t t = 0; t < 3; ++t) row.push_back(frequency(latent.active_by_type[t], analysis.vectors_by_type[t]));
    row.push_back(latent.mean_activation);
    row.push_back(latent.max_activation);
    for (size_t l = 0; l < 3; ++l) {
      const auto& effect = latent.gender[l];
      for (double value : {effect ? effect->cohens_d : NAN, effect ? effect->p : NAN, effect ? effect->q : NAN})
        row.push_back(std::isnan(value) ? util::Cell() : util::Cell(value));
    }
    row.push_back(util::optional_cell(latent.alignment_r));
    row.push_back(analysis.alignment ? util::Cell(int64_t(is_aligned(analysis, latent))) : util::Cell());
    row.push_back(std::string(specific_language(analysis, latent)));
    table.add_row(std::move(row));
  }
  return table;
}

nlohmann::ordered_json latents_json(const FeatureAnalysis& analysis, const store::StoreEntries& entries,
                                    const text::Tokenizer* tokenizer) {
  nlohmann::ordered_json rows = latent_table(analysis).json();
  for (size_t j = 0; j < analysis.latents.size(); ++j) {
    const LatentStats& latent = analysis.latents[j];
    nlohmann::ordered_json& row = rows[j];
    const double high = latent.max_activation > 0 ? std::log10(latent.max_activation) : 0.0;
    row["histogram"] = {{"log10_low", high - 4.0}, {"log10_high", high}, {"counts", latent.histogram}};
    row["top_examples"] = examples_json(latent.top, entries);
    nlohmann::ordered_json quantiles = nlohmann::ordered_json::array();
    for (size_t g = 0; g < latent.quantiles.size(); ++g)
      quantiles.push_back({{"low", latent.max_activation * double(g) / double(latent.quantiles.size())},
                           {"high", latent.max_activation * double(g + 1) / double(latent.quantiles.size())},
                           {"examples", examples_json(latent.quantiles[g], entries)}});
    row["quantile_examples"] = quantiles;
    row["logit_effects"] = {{"top", tokens_json(latent.top_tokens, tokenizer)},
                            {"bottom", tokens_json(latent.bottom_tokens, tokenizer)},
                            {"top_arabic", tokens_json(latent.top_arabic_tokens, tokenizer)},
                            {"top_latin", tokens_json(latent.top_latin_tokens, tokenizer)}};
    row["coactive"] = pairs_json(latent.coactive, "share");
    row["neighbours"] = pairs_json(latent.neighbours, "cosine");
  }
  return rows;
}

nlohmann::ordered_json summary_json(const FeatureAnalysis& analysis, const FeatureSummary& summary) {
  nlohmann::ordered_json groups = nlohmann::ordered_json::object();
  const char* slots[3] = {"en", "ar", "pooled"};
  for (size_t l = 0; l < 3; ++l)
    groups[slots[l]] = {{"female", analysis.female_entries[l]}, {"male", analysis.male_entries[l]}};
  nlohmann::ordered_json top = nlohmann::ordered_json::object();
  for (size_t l = 0; l < 3; ++l)
    top[slots[l]] = {{"female", latent_list(summary.top_female[l], analysis, l)},
                     {"male", latent_list(summary.top_male[l], analysis, l)}};
  return {{"hook", analysis.hook},
          {"grouping", analysis.grouping},
          {"split", analysis.split.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(analysis.split)},
          {"counts",
           {{"latents", summary.latents},
            {"dead_latents", summary.dead},
            {"dead_latents_en", optional_json(summary.dead_by_language[0])},
            {"dead_latents_ar", optional_json(summary.dead_by_language[1])},
            {"l0_en", optional_json(summary.l0[0])},
            {"l0_ar", optional_json(summary.l0[1])},
            {"mean_activation_en", optional_json(summary.mean_activation[0])},
            {"mean_activation_ar", optional_json(summary.mean_activation[1])},
            {"vectors", analysis.vectors},
            {"vectors_en", analysis.vectors_by_language[0]},
            {"vectors_ar", analysis.vectors_by_language[1]},
            {"paired_rows", analysis.paired_rows},
            {"coactivation_vectors", analysis.coactivation_vectors},
            {"groups", groups}}},
          {"alignment",
           {{"computed", analysis.alignment},
            {"threshold", analysis.align_threshold},
            {"active_in_both", summary.active_both},
            {"aligned", summary.aligned},
            {"ratio", optional_json(summary.alignment_ratio)},
            {"aligned_similarity", optional_json(summary.aligned_similarity)}}},
          {"gender_bias_correlation", optional_json(summary.gender_bias_correlation)},
          {"top_gender_latents", top},
          {"language_specific", {{kLanguageCodes[0], summary.english_specific}, {kLanguageCodes[1], summary.arabic_specific}}}};
}

}  // namespace loupe::analysis
