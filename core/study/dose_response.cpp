#include "core/study/dose_response.h"

#include <algorithm>

#include "core/error.h"

namespace loupe::study {

namespace {

// Sums of one (alpha, language) cell over the rows.
struct Tally {
  int64_t rows = 0, gendered = 0, flips = 0;
  int64_t female = 0, to_male = 0, male = 0, to_female = 0;  // baselines of each gender, and their flips
  int64_t scene_labelled = 0, scene_kept = 0, activity_labelled = 0, activity_kept = 0;
  double log_likelihood = 0, baseline_log_likelihood = 0;

  void add(const SweepCaption& baseline, const SweepCaption& steered) {
    ++rows;
    const bool gendered_baseline = baseline.gender == eval::Gender::Female || baseline.gender == eval::Gender::Male;
    if (gendered_baseline) {
      ++gendered;
      const bool was_female = baseline.gender == eval::Gender::Female;
      const bool flipped = steered.gender == (was_female ? eval::Gender::Male : eval::Gender::Female);
      flips += flipped;
      (was_female ? female : male) += 1;
      (was_female ? to_male : to_female) += flipped;
    }
    if (steered.scene_kept) {
      ++scene_labelled;
      scene_kept += *steered.scene_kept;
    }
    if (steered.activity_kept) {
      ++activity_labelled;
      activity_kept += *steered.activity_kept;
    }
    log_likelihood += steered.log_likelihood;
    baseline_log_likelihood += baseline.log_likelihood;
  }
};

util::Cell share(int64_t part, int64_t whole) {
  return whole > 0 ? util::Cell(double(part) / double(whole)) : util::Cell();
}

}  // namespace

util::Table dose_response(const model::VlmImpl& model, const text::Tokenizer& tokenizer,
                          const std::vector<io::DatasetRow>& rows, const SweepRequest& sweep, jobs::JobContext& job,
                          int64_t images_per_batch) {
  if (rows.empty()) throw InputError("the dose-response needs at least one dataset row");
  if (images_per_batch < 1) throw InputError("the dose-response batch must hold at least one image");
  const size_t steps = sweep.alphas.empty() ? 1 : sweep.alphas.size();
  std::vector<std::vector<Tally>> tallies(steps, std::vector<Tally>(sweep.langs.size()));  // [step][language]
  job.set_total(int64_t(rows.size()));
  for (size_t first = 0; first < rows.size(); first += size_t(images_per_batch)) {
    std::vector<SweepImage> images;
    for (size_t r = first; r < std::min(rows.size(), first + size_t(images_per_batch)); ++r)
      images.push_back({rows[r].image, rows[r].labels});
    for (const SweepResult& result : steer_sweeps(model, tokenizer, sweep, images, &job))
      for (size_t s = 0; s < steps; ++s)
        for (size_t l = 0; l < sweep.langs.size(); ++l) tallies[s][l].add(result.baseline[l], result.steps[s].captions[l]);
    job.advance(int64_t(images.size()), images.back().image);
  }

  util::Table table({{"alpha", util::ColumnType::Real},
                     {"lang", util::ColumnType::Text},
                     {"rows", util::ColumnType::Integer},
                     {"gendered", util::ColumnType::Integer},
                     {"flips", util::ColumnType::Integer},
                     {"flip_rate", util::ColumnType::Real},
                     {"female_baselines", util::ColumnType::Integer},
                     {"flips_to_male", util::ColumnType::Integer},
                     {"male_baselines", util::ColumnType::Integer},
                     {"flips_to_female", util::ColumnType::Integer},
                     {"scene_kept", util::ColumnType::Real},
                     {"activity_kept", util::ColumnType::Real},
                     {"log_likelihood", util::ColumnType::Real},
                     {"baseline_log_likelihood", util::ColumnType::Real}});
  for (size_t s = 0; s < steps; ++s)
    for (size_t l = 0; l < sweep.langs.size(); ++l) {
      const Tally& t = tallies[s][l];
      table.add_row({sweep.alphas.empty() ? util::Cell() : util::Cell(sweep.alphas[s]), std::string(language_code(sweep.langs[l])),
                     t.rows, t.gendered, t.flips, share(t.flips, t.gendered), t.female, t.to_male, t.male, t.to_female,
                     share(t.scene_kept, t.scene_labelled),
                     share(t.activity_kept, t.activity_labelled), t.log_likelihood / double(t.rows),
                     t.baseline_log_likelihood / double(t.rows)});
    }
  return table;
}

}  // namespace loupe::study
