#include "core/study/ablation.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "core/analysis/paired_tests.h"
#include "core/error.h"
#include "core/io/csv.h"
#include "core/model/caption.h"
#include "core/model/inputs.h"
#include "core/study/gender_tokens.h"
#include "core/study/steering.h"
#include "core/text/prompt.h"
#include "core/text/token_type.h"
#include "core/util/atomic_file.h"

namespace loupe::study {

namespace {

// The SAE edit on batch row 1 only: row 0 is the clean run.
void add_edit(const AblationRequest& request, const model::HookPoint& point, const torch::Tensor& token_types,
              model::HookSet& hooks) {
  model::Selection selection{resolve_positions(request.positions, point, token_types, request.max_new_tokens), {1}};
  hooks.add_operation(point, intervene::sae_edit(request.sae, request.edits, selection));
}

// female − male logit at `gendered`, clean (row 0) and edited (row 1), the baseline caption teacher-forced.
std::pair<double, double> logit_differences(const model::VlmImpl& model, const model::VlmInputs& prompt,
                                            const std::vector<int64_t>& caption, const GenderedStep& gendered,
                                            const AblationRequest& request, const model::HookPoint& point) {
  const int64_t length = prompt.input_ids.size(1);
  const torch::Tensor answer = torch::tensor(caption, torch::kInt64).view({1, -1}).to(prompt.input_ids.device());
  model::VlmInputs inputs;
  inputs.input_ids = torch::cat({prompt.input_ids, answer}, 1).repeat({2, 1});  // [2, T + n]
  inputs.token_type_ids = torch::cat({prompt.token_type_ids, torch::full_like(answer, kTextToken)}, 1).repeat({2, 1});
  inputs.pixel_values = prompt.pixel_values.repeat({2, 1, 1, 1});
  model::Session session;
  add_edit(request, point, prompt.token_type_ids, session.hooks);
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

std::vector<AblationEntry> ablate_images(const model::VlmImpl& model, const text::Tokenizer& tokenizer,
                                         const std::vector<DatasetImage>& images, const AblationRequest& request,
                                         jobs::JobContext* job) {
  if (!request.sae) throw InputError("an ablation needs an SAE");
  const model::HookPoint point = model::parse_hook(request.sae->config.hook_name, model.config);
  const int64_t width = model::hook_width(point, model.config);
  if (width != request.sae->config.d_in)
    throw InputError("the SAE reads " + std::to_string(request.sae->config.d_in) + "-wide vectors at " +
                     request.sae->config.hook_name + ", which is " + std::to_string(width) + " wide in this model");
  intervene::sae_edit(request.sae, request.edits);  // the latents and values, checked before any work
  if (job) job->set_total(int64_t(images.size()));
  std::vector<AblationEntry> entries;
  for (const DatasetImage& image : images) {
    const torch::Tensor pixels = model::image_pixels(model.config, image.image);  // [1, 3, S, S]
    for (const Language lang : request.langs) {
      if (job) job->throw_if_cancelled();
      const model::VlmInputs prompt = model::caption_prompt(model, tokenizer, text::caption_question(lang), pixels);
      model::Session session;
      add_edit(request, point, prompt.token_type_ids, session.hooks);
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
        const auto [clean, ablated] = logit_differences(model, prompt, captions[0].tokens, *gendered, request, point);
        entry.logit_diff_clean = clean;
        entry.logit_diff_ablated = ablated;
      }
      entries.push_back(std::move(entry));
    }
    if (job) job->advance(1, image.image);
  }
  return entries;
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
  const auto optional_cell = [](const std::optional<double>& value) { return value ? util::Cell(*value) : util::Cell(); };
  for (const AblationEntry& e : entries)
    table.add_row({e.image.row < 0 ? util::Cell() : util::Cell(e.image.row), e.image.image, std::string(language_code(e.lang)),
                   e.baseline, e.ablated, std::string(eval::gender_name(e.baseline_gender)),
                   std::string(eval::gender_name(e.ablated_gender)), int64_t(e.baseline != e.ablated),
                   optional_cell(e.logit_diff_clean), optional_cell(e.logit_diff_ablated)});
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
