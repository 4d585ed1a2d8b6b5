#include "core/study/ablation.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "core/analysis/paired_tests.h"
#include "core/intervene/attention_edits.h"
#include "core/error.h"
#include "core/io/csv.h"
#include "core/model/caption.h"
#include "core/model/inputs.h"
#include "core/sae/sae_io.h"
#include "core/study/caption_prompts.h"
#include "core/study/gender_tokens.h"
#include "core/study/steering.h"
#include "core/text/prompt.h"
#include "core/text/token_type.h"
#include "core/util/atomic_file.h"
#include "core/util/optional_cell.h"

namespace loupe::study {

namespace {

// female − male logit at `gendered`, clean (row 0) and edited (row 1), the baseline caption teacher-forced.
std::pair<double, double> logit_differences(const model::VlmImpl& model, const model::VlmInputs& prompt,
                                            const std::vector<int64_t>& caption, const GenderedStep& gendered,
                                            const AblationRequest& request, const io::ModelConfig& config) {
  const int64_t length = prompt.input_ids.size(1);
  const model::VlmInputs inputs = model::repeated_inputs(model::with_answer(prompt, caption), 2);  // [2, T + n]
  model::Session session;
  add_ablation(request, config, prompt.token_type_ids, session.hooks, {1});
  const torch::Tensor logits = model.forward(inputs, session).select(1, length - 1 + int64_t(gendered.step));  // [2, vocab]
  const torch::Tensor difference = (logits.select(1, gendered.female_id) - logits.select(1, gendered.male_id)).to(torch::kFloat64);
  return {difference[0].item<double>(), difference[1].item<double>()};
}

double mean_of(const std::vector<double>& values) {
  double sum = 0;
  for (double value : values) sum += value;
  return values.empty() ? 0.0 : sum / double(values.size());
}

}  // namespace

void add_ablation(const AblationRequest& request, const io::ModelConfig& config, const torch::Tensor& token_types,
                  model::HookSet& hooks, model::Rows rows) {
  const auto selection = [&](const model::HookPoint& point) {
    return model::Selection{resolve_positions(request.positions, point, token_types, request.max_new_tokens), rows};
  };
  if (request.sae) {
    const model::HookPoint point = model::parse_hook(request.sae->config.hook_name, config);
    hooks.add_operation(point, intervene::sae_edit(request.sae, request.edits, selection(point)));
  }
  std::map<int64_t, std::vector<int64_t>> heads_by_layer;
  for (const HeadRef& ref : request.heads) heads_by_layer[ref.layer].push_back(ref.head);
  for (const auto& [layer, heads] : heads_by_layer) {
    const model::HookPoint point{model::Site::Z, layer, false};
    const auto mean = request.head_means.find(layer);
    hooks.add_operation(point, intervene::head_ablation(heads, mean == request.head_means.end() ? torch::Tensor() : mean->second,
                                                        selection(point)));
  }
  if (!request.knockout_layers.empty()) {
    const torch::Tensor types = token_types.reshape({-1}).to(torch::kCPU, torch::kLong);
    const torch::Tensor image = types.eq(kImageToken).nonzero().flatten().contiguous();
    const std::vector<int64_t> keys(image.data_ptr<int64_t>(), image.data_ptr<int64_t>() + image.numel());
    for (int64_t layer : request.knockout_layers) {
      const model::HookPoint point{model::Site::AttnScores, layer, false};
      hooks.add_operation(point, intervene::attention_knockout(keys, selection(point)));
    }
  }
}

void check_ablation(const AblationRequest& request, const io::ModelConfig& config) {
  const int kinds = int(bool(request.sae)) + int(!request.heads.empty()) + int(!request.knockout_layers.empty());
  if (kinds != 1) throw InputError("an ablation is of SAE latents, attention heads or an attention knockout: exactly one");
  if (request.sae) {
    const model::HookPoint point = model::parse_hook(request.sae->config.hook_name, config);
    const int64_t width = model::hook_width(point, config);
    if (width != request.sae->config.d_in)
      throw InputError("the SAE reads " + std::to_string(request.sae->config.d_in) + "-wide vectors at " +
                       request.sae->config.hook_name + ", which is " + std::to_string(width) + " wide in this model");
    intervene::sae_edit(request.sae, request.edits);  // the latents and values
  }
  const auto check_layer = [&](int64_t layer) {
    if (layer < 0 || layer >= config.text.layers)
      throw InputError("layer " + std::to_string(layer) + " is outside the decoder's " + std::to_string(config.text.layers) + " layers");
  };
  for (const HeadRef& ref : request.heads) {
    check_layer(ref.layer);
    if (ref.head < 0 || ref.head >= config.text.heads)
      throw InputError("head " + std::to_string(ref.layer) + "." + std::to_string(ref.head) + ": the decoder has " +
                       std::to_string(config.text.heads) + " heads a layer");
  }
  for (int64_t layer : request.knockout_layers) check_layer(layer);
}

std::vector<AblationEntry> ablate_images(const model::VlmImpl& model, const text::Tokenizer& tokenizer,
                                         const std::vector<DatasetImage>& images, const AblationRequest& request,
                                         jobs::JobContext* job) {
  check_ablation(request, model.config);
  std::vector<AblationEntry> entries;
  for_each_caption_prompt(model, tokenizer, images, request.langs, job, [&](const DatasetImage& image, Language lang,
                                                                           const torch::Tensor& pixels,
                                                                           const model::VlmInputs& prompt) {
    model::Session session;
    add_ablation(request, model.config, prompt.token_type_ids, session.hooks, {1});
    const auto captions = model::caption_images(model, tokenizer, pixels.repeat({2, 1, 1, 1}),
                                                {lang, request.max_new_tokens, job}, session);
    AblationEntry entry;
    entry.image = image;
    entry.lang = lang;
    entry.baseline = captions[0].text;
    entry.ablated = captions[1].text;
    entry.baseline_gender = eval::infer_gender(entry.baseline, lang).gender;
    entry.ablated_gender = eval::infer_gender(entry.ablated, lang).gender;
    if (const auto gendered = gendered_step(tokenizer, captions[0].tokens, lang)) {
      const auto [clean, ablated] = logit_differences(model, prompt, captions[0].tokens, *gendered, request, model.config);
      entry.logit_diff_clean = clean;
      entry.logit_diff_ablated = ablated;
    }
    entries.push_back(std::move(entry));
  });
  return entries;
}

std::map<int64_t, torch::Tensor> head_means(const model::VlmImpl& model, const text::Tokenizer& tokenizer,
                                            const std::vector<DatasetImage>& images, const std::vector<Language>& langs,
                                            const std::vector<HeadRef>& heads, jobs::JobContext* job) {
  std::set<int64_t> layers;
  for (const HeadRef& ref : heads) layers.insert(ref.layer);
  std::map<int64_t, torch::Tensor> sums;  // layer → [heads, head_dim] float64
  int64_t positions = 0;
  if (job) job->set_stage("mean head outputs over " + std::to_string(images.size()) + " images");
  for_each_caption_prompt(model, tokenizer, images, langs, job, [&](const DatasetImage&, Language, const torch::Tensor&,
                                                                    const model::VlmInputs& prompt) {
    model::Session session;
    for (int64_t layer : layers) session.hooks.capture({model::Site::Z, layer, false});
    model.forward(prompt, session);
    for (int64_t layer : layers) {
      const torch::Tensor z = session.hooks.captured({model::Site::Z, layer, false})[0].to(torch::kCPU, torch::kFloat64);  // [T, H, hd]
      sums[layer] = sums.count(layer) ? sums[layer] + z.sum(0) : z.sum(0);
    }
    positions += prompt.input_ids.size(1);
  });
  if (positions == 0) throw InputError("a mean head ablation needs at least one image to average over");
  for (auto& [layer, sum] : sums) sum = (sum / double(positions)).to(torch::kFloat32);
  return sums;
}

std::vector<double> latent_means(const std::filesystem::path& latents_csv, const std::vector<int64_t>& latents) {
  const std::string where = latents_csv.string();
  const auto records = io::parse_csv(util::read_file(where), where);
  if (records.empty()) throw FormatError(where + ": no header line");
  const auto& header = records[0].fields;
  const auto column = [&](const char* name) {
    const auto found = std::find(header.begin(), header.end(), name);
    if (found == header.end()) throw FormatError(where + ": no `" + name + "` column (written by loupe analyze features)");
    return size_t(found - header.begin());
  };
  const size_t latent_column = column("latent"), frequency_column = column("frequency"), mean_column = column("mean_activation");
  std::map<int64_t, double> means;
  for (size_t r = 1; r < records.size(); ++r) {
    const auto& fields = records[r].fields;
    const auto number = [&](size_t c) {
      const std::string text = c < fields.size() ? fields[c] : "";
      try {
        size_t used = 0;
        const double value = std::stod(text, &used);
        if (used == text.size() && std::isfinite(value)) return value;
      } catch (const std::exception&) {
      }
      throw FormatError(where + " line " + std::to_string(records[r].line) + ": `" + header[c] + "` is not a number ('" +
                        text.substr(0, 40) + "')");
    };
    means[int64_t(number(latent_column))] = number(frequency_column) * number(mean_column);
  }
  std::vector<double> out;
  for (int64_t latent : latents) {
    const auto found = means.find(latent);
    if (found == means.end()) throw FormatError(where + ": no row for latent " + std::to_string(latent));
    out.push_back(found->second);
  }
  return out;
}

AblationRequest ablation_request(const AblationSpec& spec, const model::VlmImpl& model, const text::Tokenizer& tokenizer,
                                 const std::vector<DatasetImage>& images, const std::vector<Language>& langs,
                                 int64_t max_new_tokens, jobs::JobContext* job) {
  AblationRequest request;
  request.positions = spec.positions;
  request.langs = langs;
  request.max_new_tokens = max_new_tokens;
  switch (spec.kind) {
    case AblationSpec::Kind::Latents: {
      request.sae = std::make_shared<const sae::Sae>(sae::load_sae(spec.sae_folder));
      const std::vector<double> targets = spec.mean ? latent_means(spec.means_csv, spec.latents)
                                                    : std::vector<double>(spec.latents.size(), 0.0);
      const double weight = spec.residual ? spec.delta_scale : 1.0;
      for (size_t i = 0; i < spec.latents.size(); ++i)
        request.edits.push_back({spec.latents[i], intervene::LatentEdit::Kind::Set, targets[i], weight});
      break;
    }
    case AblationSpec::Kind::Heads:
      request.heads = spec.heads;
      break;
    case AblationSpec::Kind::Knockout:
      request.knockout_layers = spec.layers;
      break;
  }
  check_ablation(request, model.config);
  if (spec.kind == AblationSpec::Kind::Heads && spec.mean)
    request.head_means = head_means(model, tokenizer, images, langs, spec.heads, job);
  return request;
}

util::Table ablation_entries_table(const std::vector<AblationEntry>& entries) {
  using util::ColumnType;
  util::Table table({{"row", ColumnType::Integer},
                     {"image", ColumnType::Text},
                     {"lang", ColumnType::Text},
                     {"baseline", ColumnType::Text},
                     {"ablated", ColumnType::Text},
                     {"baseline_gender", ColumnType::Text},
                     {"ablated_gender", ColumnType::Text},
                     {"changed", ColumnType::Integer},
                     {"logit_diff_clean", ColumnType::Real},
                     {"logit_diff_ablated", ColumnType::Real}});
  for (const AblationEntry& e : entries)
    table.add_row({e.image.row < 0 ? util::Cell() : util::Cell(e.image.row), e.image.image, std::string(language_code(e.lang)),
                   e.baseline, e.ablated, std::string(eval::gender_name(e.baseline_gender)),
                   std::string(eval::gender_name(e.ablated_gender)), int64_t(e.baseline != e.ablated),
                   util::optional_cell(e.logit_diff_clean), util::optional_cell(e.logit_diff_ablated)});
  return table;
}

util::Table ablation_summary(const std::vector<AblationEntry>& entries, const std::vector<Language>& langs) {
  using util::ColumnType;
  util::Table table({{"lang", ColumnType::Text},
                     {"entries", ColumnType::Integer},
                     {"changed", ColumnType::Integer},
                     {"flips", ColumnType::Integer},
                     {"measured", ColumnType::Integer},
                     {"mean_logit_diff_clean", ColumnType::Real},
                     {"mean_logit_diff_ablated", ColumnType::Real},
                     {"mean_effect", ColumnType::Real},
                     {"effect_low", ColumnType::Real},
                     {"effect_high", ColumnType::Real},
                     {"wilcoxon_w", ColumnType::Real},
                     {"wilcoxon_p", ColumnType::Real},
                     {"wilcoxon_exact", ColumnType::Integer}});
  for (const Language lang : langs) {
    int64_t count = 0, changed = 0, flips = 0;
    std::vector<double> clean, ablated, effects;
    for (const AblationEntry& e : entries) {
      if (e.lang != lang) continue;
      ++count;
      changed += e.baseline != e.ablated;
      const bool gendered = e.baseline_gender == eval::Gender::Female || e.baseline_gender == eval::Gender::Male;
      const eval::Gender other = e.baseline_gender == eval::Gender::Female ? eval::Gender::Male : eval::Gender::Female;
      flips += gendered && e.ablated_gender == other;
      if (!e.logit_diff_clean) continue;
      clean.push_back(*e.logit_diff_clean);
      ablated.push_back(*e.logit_diff_ablated);
      effects.push_back(*e.logit_diff_ablated - *e.logit_diff_clean);
    }
    std::vector<util::Cell> row = {std::string(language_code(lang)), count, changed, flips, int64_t(effects.size())};
    if (effects.empty()) {
      row.resize(13);  // nothing measured: empty statistics
    } else {
      const analysis::Interval interval = analysis::bootstrap_mean_interval(effects);
      const analysis::WilcoxonResult test = analysis::wilcoxon_signed_rank(effects);
      row.insert(row.end(), {mean_of(clean), mean_of(ablated), mean_of(effects), interval.low, interval.high, test.w_plus,
                             test.p, int64_t(test.exact)});
    }
    table.add_row(row);
  }
  return table;
}

}  // namespace loupe::study
