#include "core/analysis/feature_analysis.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <set>

#include "core/analysis/latent_codes.h"
#include "core/analysis/latent_geometry.h"
#include "core/analysis/statistics.h"
#include "core/error.h"
#include "core/util/utf8.h"

namespace loupe::analysis {

namespace {

constexpr int kPooled = 2;  // index of the pooled comparison next to English (0) and Arabic (1)

std::string lower(std::string text) {
  for (char& c : text) c = char(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// What the per-latent loop needs to know of each encoded vector and each entry.
struct Layout {
  std::vector<int64_t> entry_of;    // per encoded vector
  std::vector<int8_t> language_of;  // per encoded vector: 0 en, 1 ar, -1 none
  std::vector<int8_t> type_of;      // per encoded vector: TokenType
  std::vector<int64_t> position_of;
  std::vector<int64_t> vectors_in_entry;  // per entry, encoded vectors
  std::vector<int8_t> group_of;           // per entry: +1 female, −1 male, 0 neither (or no vectors)
  std::vector<int8_t> entry_language;     // per entry: 0 en, 1 ar, −1 none
  std::vector<int64_t> partner;           // per entry: the other language's entry of its dataset row, −1 none
};

int8_t language_index(const std::optional<Language>& language) {
  return !language ? int8_t(-1) : *language == Language::Arabic ? int8_t(1) : int8_t(0);
}

std::vector<bool> split_flags(const store::StoreReader& store, const std::string& split) {
  const store::StoreEntries& entries = store.entries();
  std::vector<bool> in_split(size_t(entries.size()), true);
  if (!split.empty()) {
    std::set<std::string> splits;
    bool any = false;
    for (int64_t e = 0; e < entries.size(); ++e) {
      const auto found = entries.labels[size_t(e)].find("split");
      const std::string value = found == entries.labels[size_t(e)].end() ? "" : found->second;
      if (!value.empty()) splits.insert(value);
      in_split[size_t(e)] = value == split;
      any |= in_split[size_t(e)];
    }
    if (!any) {
      std::string names;
      for (const auto& name : splits) names += (names.empty() ? "" : ", ") + name;
      throw InputError("the store " + store.folder().string() + " has no entries in the split '" + split + "' (" +
                       (names.empty() ? std::string("its dataset has no split column") : "its splits: " + names) + ")");
    }
  }
  const torch::Tensor rows = store.row_index(0, store.count()).to(torch::kLong).contiguous();  // [count]
  std::vector<bool> keep(size_t(store.count()));
  for (int64_t v = 0; v < store.count(); ++v) {
    const int64_t entry = rows.data_ptr<int64_t>()[v];
    if (entry < 0 || entry >= entries.size())
      throw FormatError(store.folder().string() + ": vector " + std::to_string(v) + " names rows.jsonl entry " +
                        std::to_string(entry) + " of " + std::to_string(entries.size()));
    keep[size_t(v)] = in_split[size_t(entry)];
  }
  return keep;
}

// `vectors`: the store indices that are analysed, ascending.
Layout layout_of(const store::StoreReader& store, const std::vector<int64_t>& vectors, GenderGrouping grouping) {
  const store::StoreEntries& entries = store.entries();
  Layout layout;
  const torch::Tensor rows = store.row_index(0, store.count()).to(torch::kLong).contiguous();
  const torch::Tensor types = store.token_type(0, store.count()).to(torch::kInt8).contiguous();
  const torch::Tensor positions = store.token_position(0, store.count()).to(torch::kLong).contiguous();
  layout.vectors_in_entry.assign(size_t(entries.size()), 0);
  for (int64_t v : vectors) {
    const int64_t entry = rows.data_ptr<int64_t>()[v];
    layout.entry_of.push_back(entry);
    layout.language_of.push_back(language_index(entries.language[size_t(entry)]));
    layout.type_of.push_back(types.data_ptr<int8_t>()[v]);
    layout.position_of.push_back(positions.data_ptr<int64_t>()[v]);
    ++layout.vectors_in_entry[size_t(entry)];
  }
  std::map<int64_t, std::array<int64_t, 2>> by_row;  // dataset row → its en, ar entries
  for (int64_t e = 0; e < entries.size(); ++e) {
    const bool counted = layout.vectors_in_entry[size_t(e)] > 0;
    layout.group_of.push_back(counted ? int8_t(gender_group(entries, e, grouping)) : int8_t(0));
    layout.entry_language.push_back(language_index(entries.language[size_t(e)]));
    const int8_t l = layout.entry_language.back();
    if (counted && l >= 0) {
      auto [slot, added] = by_row.try_emplace(entries.row[size_t(e)], std::array<int64_t, 2>{-1, -1});
      slot->second[size_t(l)] = e;
    }
  }
  layout.partner.assign(size_t(entries.size()), -1);
  for (const auto& [row, pair] : by_row)
    if (pair[0] >= 0 && pair[1] >= 0) {
      layout.partner[size_t(pair[0])] = pair[1];
      layout.partner[size_t(pair[1])] = pair[0];
    }
  return layout;
}

// Scratch space of one thread of the per-latent loop.
struct Scratch {
  std::vector<double> entry_sum;   // per entry
  std::vector<int64_t> touched;    // entries with a non-zero sum
  std::vector<int64_t> coactive;   // per latent
  std::vector<int64_t> partners;   // latents with a non-zero count
};

Example example_of(const LatentCodes& codes, const Layout& layout, int64_t row, float value) {
  return {layout.entry_of[size_t(row)], codes.vectors[size_t(row)], layout.position_of[size_t(row)], value};
}

void describe_activations(LatentStats& stats, const LatentCodes& codes, const LatentColumns& columns, const Layout& layout,
                          const FeatureAnalysisRequest& request, int64_t latent) {
  const int64_t begin = columns.offsets[size_t(latent)], end = columns.offsets[size_t(latent) + 1];
  stats.active = end - begin;
  stats.histogram.assign(size_t(request.histogram_bins), 0);
  if (stats.active == 0) return;
  double sum = 0;
  for (int64_t a = begin; a < end; ++a) {
    const int64_t row = columns.rows[size_t(a)];
    const float value = columns.value[size_t(a)];
    sum += value;
    stats.max_activation = std::max(stats.max_activation, double(value));
    const int8_t language = layout.language_of[size_t(row)];
    if (language >= 0) {
      ++stats.active_by_language[size_t(language)];
      stats.activation_sum_by_language[size_t(language)] += value;
    }
    const int8_t type = layout.type_of[size_t(row)];
    if (type >= 0 && type < 3) ++stats.active_by_type[size_t(type)];
  }
  stats.mean_activation = sum / double(stats.active);
  const double high = std::log10(stats.max_activation), low = high - 4.0;  // 4 decades below the max
  const double width = (high - low) / double(request.histogram_bins);
  for (int64_t a = begin; a < end; ++a) {
    const double position = (std::log10(double(columns.value[size_t(a)])) - low) / width;
    const int64_t bin = std::clamp<int64_t>(int64_t(std::floor(position)), 0, request.histogram_bins - 1);
    ++stats.histogram[size_t(bin)];
  }
  // The column's slots ordered by value, highest first (ties: the earlier vector first).
  std::vector<int64_t> order(size_t(stats.active));
  for (int64_t a = begin; a < end; ++a) order[size_t(a - begin)] = a;
  std::stable_sort(order.begin(), order.end(), [&](int64_t x, int64_t y) { return columns.value[size_t(x)] > columns.value[size_t(y)]; });
  for (size_t i = 0; i < std::min(order.size(), size_t(request.top_examples)); ++i)
    stats.top.push_back(example_of(codes, layout, columns.rows[size_t(order[i])], columns.value[size_t(order[i])]));
  // Equal-width intervals of (0, max], as SAEDashboard's quantile groups; evenly spaced picks in each.
  stats.quantiles.assign(size_t(request.quantile_groups), {});
  std::vector<std::vector<int64_t>> members(size_t(request.quantile_groups));
  for (auto it = order.rbegin(); it != order.rend(); ++it) {  // lowest first
    const double share = double(columns.value[size_t(*it)]) / stats.max_activation;
    const int64_t group = std::clamp<int64_t>(int64_t(std::ceil(share * double(request.quantile_groups))) - 1, 0,
                                              request.quantile_groups - 1);
    members[size_t(group)].push_back(*it);
  }
  for (size_t g = 0; g < members.size(); ++g) {
    const auto& slots = members[g];
    const size_t picks = std::min(slots.size(), size_t(request.quantile_examples));
    for (size_t i = 0; i < picks; ++i) {
      const int64_t slot = slots[picks == 1 ? slots.size() / 2 : i * (slots.size() - 1) / (picks - 1)];
      stats.quantiles[g].push_back(example_of(codes, layout, columns.rows[size_t(slot)], columns.value[size_t(slot)]));
    }
  }
}

// Entry values (mean over each entry's vectors), then the gender comparison per language and pooled
// and the English-Arabic correlation over paired rows.
void compare_entries(LatentStats& stats, const LatentColumns& columns, const Layout& layout, const FeatureAnalysis& totals,
                     int64_t latent, Scratch& scratch) {
  for (int64_t a = columns.offsets[size_t(latent)]; a < columns.offsets[size_t(latent) + 1]; ++a) {
    const int64_t entry = layout.entry_of[size_t(columns.rows[size_t(a)])];
    if (scratch.entry_sum[size_t(entry)] == 0) scratch.touched.push_back(entry);
    scratch.entry_sum[size_t(entry)] += columns.value[size_t(a)];
  }
  std::array<GroupSummary, 3> female, male;
  for (int l = 0; l < 3; ++l) {
    female[size_t(l)].n = totals.female_entries[size_t(l)];
    male[size_t(l)].n = totals.male_entries[size_t(l)];
  }
  PairSums pairs;
  pairs.n = totals.paired_rows;
  for (int64_t entry : scratch.touched) {
    const double value = scratch.entry_sum[size_t(entry)] / double(layout.vectors_in_entry[size_t(entry)]);
    const int8_t group = layout.group_of[size_t(entry)], l = layout.entry_language[size_t(entry)];
    for (int slot : {int(l), kPooled}) {
      if (group == 0 || slot < 0) continue;
      GroupSummary& summary = group > 0 ? female[size_t(slot)] : male[size_t(slot)];
      summary.sum += value;
      summary.sum_squares += value * value;
    }
    const int64_t partner = layout.partner[size_t(entry)];
    if (partner < 0) continue;
    if (l == 0) {
      pairs.x += value;
      pairs.xx += value * value;
      const double other = scratch.entry_sum[size_t(partner)];
      if (other != 0) pairs.xy += value * other / double(layout.vectors_in_entry[size_t(partner)]);
    } else {
      pairs.y += value;
      pairs.yy += value * value;
    }
  }
  for (int l = 0; l < 3; ++l) {
    if (female[size_t(l)].n < 2 || male[size_t(l)].n < 2) continue;
    GenderEffect effect;
    effect.cohens_d = cohens_d(female[size_t(l)], male[size_t(l)]);
    effect.p = welch_p_value(female[size_t(l)], male[size_t(l)]);
    effect.mean_female = female[size_t(l)].mean();
    effect.mean_male = male[size_t(l)].mean();
    stats.gender[size_t(l)] = effect;
  }
  if (totals.alignment) stats.alignment_r = pearson(pairs);
  for (int64_t entry : scratch.touched) scratch.entry_sum[size_t(entry)] = 0;
  scratch.touched.clear();
}

// The latents most often active on the same vectors (every `stride`-th encoded vector).
void count_coactive(LatentStats& stats, const LatentCodes& codes, const LatentColumns& columns, int64_t latent,
                    int64_t stride, int64_t count, Scratch& scratch) {
  int64_t seen = 0;
  for (int64_t a = columns.offsets[size_t(latent)]; a < columns.offsets[size_t(latent) + 1]; ++a) {
    const int64_t row = columns.rows[size_t(a)];
    if (row % stride != 0) continue;
    ++seen;
    for (int64_t b = codes.offsets[size_t(row)]; b < codes.offsets[size_t(row) + 1]; ++b) {
      const int32_t other = codes.latent[size_t(b)];
      if (other == latent) continue;
      if (scratch.coactive[size_t(other)]++ == 0) scratch.partners.push_back(other);
    }
  }
  const size_t shown = std::min(scratch.partners.size(), size_t(std::max<int64_t>(count, 0)));
  std::partial_sort(scratch.partners.begin(), scratch.partners.begin() + std::ptrdiff_t(shown), scratch.partners.end(),
                    [&](int64_t x, int64_t y) {
                      const int64_t cx = scratch.coactive[size_t(x)], cy = scratch.coactive[size_t(y)];
                      return cx != cy ? cx > cy : x < y;
                    });
  for (size_t i = 0; i < shown; ++i)
    stats.coactive.emplace_back(scratch.partners[i], double(scratch.coactive[size_t(scratch.partners[i])]) / double(seen));
  for (int64_t other : scratch.partners) scratch.coactive[size_t(other)] = 0;
  scratch.partners.clear();
}

void add_q_values(std::vector<LatentStats>& latents) {
  for (size_t l = 0; l < 3; ++l) {
    std::vector<double> p;
    std::vector<size_t> which;
    for (size_t j = 0; j < latents.size(); ++j)
      if (latents[j].gender[l]) {
        p.push_back(latents[j].gender[l]->p);
        which.push_back(j);
      }
    const std::vector<double> q = benjamini_hochberg(p);
    for (size_t i = 0; i < which.size(); ++i) latents[which[i]].gender[l]->q = q[i];
  }
}

void check_groups(const FeatureAnalysis& result, GenderGrouping grouping, bool has_language) {
  const char* names[3] = {"English", "Arabic", "pooled"};
  bool any = false;
  for (int l = 0; l < 3; ++l) any |= result.female_entries[size_t(l)] + result.male_entries[size_t(l)] > 0;
  if (!any)
    throw InputError(grouping == GenderGrouping::Figure
                         ? "no entry of the store has a woman or man figure label (the dataset's `gender` column); try --by caption"
                         : "no entry's caption states a gender (female or male); try --by figure");
  for (int l = has_language ? 0 : kPooled; l < 3; ++l) {
    const int64_t f = result.female_entries[size_t(l)], m = result.male_entries[size_t(l)];
    if (l < kPooled && result.vectors_by_language[size_t(l)] == 0) continue;
    if (f < 2 || m < 2)
      throw InputError(std::string("the ") + names[l] + " entries hold " + std::to_string(f) + " female and " +
                       std::to_string(m) + " male entries (by " + grouping_name(grouping) +
                       "); Cohen's d needs at least 2 in each group");
  }
}

// Per token id below `vocab`: its text holds an Arabic letter (arabic) or a Latin one.
std::vector<bool> script_flags(const text::Tokenizer& tokenizer, int64_t vocab, bool arabic) {
  std::vector<bool> flags(size_t(vocab), false);
  for (int64_t id = 0; id < vocab; ++id) {
    const std::string text = tokenizer.token_text(id);
    for (size_t i = 0; i < text.size();) {
      const char32_t c = util::code_point_at(text, i);
      i += std::max<size_t>(1, util::utf8_length(static_cast<unsigned char>(text[i])));
      const bool is_arabic = c >= 0x0600 && c <= 0x06FF;
      const bool is_latin = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
      if (arabic ? is_arabic : is_latin) {
        flags[size_t(id)] = true;
        break;
      }
    }
  }
  return flags;
}

// The effective rank of each language's entry values (the mean of the entry's codes): [entries, latents].
std::array<std::optional<RankFigures>, 2> code_ranks(const LatentCodes& codes, const Layout& layout) {
  std::array<std::optional<RankFigures>, 2> ranks;
  for (int8_t language : {int8_t(0), int8_t(1)}) {
    std::vector<int64_t> row_of(layout.vectors_in_entry.size(), -1);  // per store entry: its matrix row
    int64_t rows = 0;
    for (size_t e = 0; e < row_of.size(); ++e)
      if (layout.vectors_in_entry[e] > 0 && layout.entry_language[e] == language) row_of[e] = rows++;
    if (rows < 2) continue;
    torch::Tensor values = torch::zeros({rows, codes.latents}, torch::kFloat32);  // [entries, latents]
    float* x = values.data_ptr<float>();
    for (int64_t v = 0; v < codes.size(); ++v) {
      const int64_t entry = layout.entry_of[size_t(v)], row = row_of[size_t(entry)];
      if (row < 0) continue;
      const float share = 1.0f / float(layout.vectors_in_entry[size_t(entry)]);
      for (int64_t a = codes.offsets[size_t(v)]; a < codes.offsets[size_t(v) + 1]; ++a)
        x[row * codes.latents + codes.latent[size_t(a)]] += codes.value[size_t(a)] * share;
    }
    ranks[size_t(language)] = effective_rank(values);
  }
  return ranks;
}

}  // namespace

GenderGrouping parse_grouping(const std::string& word) {
  if (word == "figure") return GenderGrouping::Figure;
  if (word == "caption") return GenderGrouping::Caption;
  throw InputError("--by is figure (the dataset's gender column) or caption (the gender the caption states), not '" +
                   word + "'");
}

const char* grouping_name(GenderGrouping grouping) { return grouping == GenderGrouping::Figure ? "figure" : "caption"; }

int gender_group(const store::StoreEntries& entries, int64_t entry, GenderGrouping grouping) {
  if (grouping == GenderGrouping::Caption) {
    const eval::Gender stated = entries.stated_gender(entry);
    return stated == eval::Gender::Female ? 1 : stated == eval::Gender::Male ? -1 : 0;
  }
  const std::string label = lower(entries.figure_gender[size_t(entry)]);
  if (label == "woman" || label == "female" || label == "f") return 1;
  if (label == "man" || label == "male" || label == "m") return -1;
  return 0;
}

FeatureAnalysis analyze_features(const store::StoreReader& store, const sae::Sae& sae,
                                 const FeatureAnalysisRequest& request, jobs::JobContext& job) {
  if (store.width(request.hook) != sae.config.d_in)  // width() lists the store's hooks when it lacks this one
    throw InputError("the SAE reads " + std::to_string(sae.config.d_in) + "-wide vectors but the store's " +
                     request.hook + " vectors are " + std::to_string(store.width(request.hook)) + " wide");
  const std::vector<bool> keep = split_flags(store, request.split);

  FeatureAnalysis result;
  result.hook = request.hook;
  result.grouping = grouping_name(request.grouping);
  result.split = request.split;
  // Counts and groups come from the store alone, so bad input fails before any encoding.
  std::vector<int64_t> vectors;
  for (int64_t v = 0; v < store.count(); ++v)
    if (keep[size_t(v)]) vectors.push_back(v);
  const Layout layout = layout_of(store, vectors, request.grouping);
  bool languages[2] = {false, false};
  for (size_t i = 0; i < layout.entry_of.size(); ++i) {
    if (layout.language_of[i] >= 0) {
      ++result.vectors_by_language[size_t(layout.language_of[i])];
      languages[size_t(layout.language_of[i])] = true;
    }
    if (layout.type_of[i] >= 0 && layout.type_of[i] < 3) ++result.vectors_by_type[size_t(layout.type_of[i])];
  }
  for (size_t e = 0; e < layout.group_of.size(); ++e) {
    if (layout.group_of[e] == 0) continue;
    for (int slot : {int(layout.entry_language[e]), kPooled}) {
      if (slot < 0) continue;
      (layout.group_of[e] > 0 ? result.female_entries : result.male_entries)[size_t(slot)]++;
    }
  }
  for (int64_t partner : layout.partner) result.paired_rows += partner >= 0 ? 1 : 0;
  result.paired_rows /= 2;
  result.alignment = languages[0] && languages[1] && result.paired_rows > 0;
  if (request.align_threshold && !result.alignment)
    throw InputError("--align-threshold asks for cross-lingual alignment, but the store " + store.folder().string() +
                     " has no dataset row with both an English and an Arabic entry");
  result.align_threshold = request.align_threshold.value_or(kDefaultAlignThreshold);
  check_groups(result, request.grouping, languages[0] || languages[1]);

  const LatentCodes codes = encode_store(store, request.hook, sae, keep, job);
  result.vectors = codes.size();
  const LatentColumns columns = columns_of(codes);
  double pair_work = 0;
  for (int64_t row = 0; row < codes.size(); ++row) {
    const double active = double(codes.offsets[size_t(row) + 1] - codes.offsets[size_t(row)]);
    pair_work += active * active;
  }
  const int64_t stride = std::max<int64_t>(1, int64_t(std::ceil(pair_work / double(request.coactivation_budget))));
  result.coactivation_vectors = (codes.size() + stride - 1) / stride;

  job.set_stage("latent statistics");
  result.latents.resize(size_t(codes.latents));
  at::parallel_for(0, codes.latents, 64, [&](int64_t begin, int64_t end) {
    Scratch scratch;
    scratch.entry_sum.assign(size_t(store.entries().size()), 0.0);
    scratch.coactive.assign(size_t(codes.latents), 0);
    for (int64_t j = begin; j < end; ++j) {
      LatentStats& stats = result.latents[size_t(j)];
      describe_activations(stats, codes, columns, layout, request, j);
      compare_entries(stats, columns, layout, result, j, scratch);
      count_coactive(stats, codes, columns, j, stride, request.neighbours, scratch);
    }
  });
  add_q_values(result.latents);
  if (request.code_rank) {
    job.set_stage("effective rank of the latent codes");
    result.code_rank = code_ranks(codes, layout);
  }

  job.set_stage("decoder geometry");
  const auto neighbours = decoder_neighbours(sae.W_dec, request.neighbours);
  for (size_t j = 0; j < neighbours.size(); ++j) result.latents[j].neighbours = neighbours[j];
  if (request.unembedding.defined() && request.tokenizer) {
    job.set_stage("logit effects");
    // Checkpoints pad the vocabulary past the tokenizer's; padded ids are no tokens.
    const int64_t vocab = std::min(request.unembedding.size(0), request.tokenizer->vocab_size());
    const auto effects = logit_effects(sae.W_dec, request.unembedding.narrow(0, 0, vocab), request.logit_tokens,
                                       script_flags(*request.tokenizer, vocab, true), script_flags(*request.tokenizer, vocab, false));
    for (size_t j = 0; j < effects.size(); ++j) {
      result.latents[j].top_tokens = effects[j].top;
      result.latents[j].bottom_tokens = effects[j].bottom;
      result.latents[j].top_arabic_tokens = effects[j].top_arabic;
      result.latents[j].top_latin_tokens = effects[j].top_latin;
    }
  }
  return result;
}

}  // namespace loupe::analysis
