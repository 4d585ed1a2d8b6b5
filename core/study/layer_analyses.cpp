#include "core/study/layer_analyses.h"

#include <algorithm>

#include "core/analysis/feature_analysis.h"
#include "core/analysis/layer_probes.h"
#include "core/error.h"
#include "core/io/dataset.h"
#include "core/store/store_reader.h"
#include "core/tensor/convert.h"
#include "core/workspace/workspace.h"

namespace loupe::study {

namespace {

struct OpenedStore {
  store::StoreReader reader;
  std::vector<std::string> hooks;
};

// Whether a store entry's `split` label is `split`.
bool in_split(const store::StoreEntries& entries, int64_t entry, const std::string& split) {
  const auto& labels = entries.labels[size_t(entry)];
  const auto found = labels.find("split");
  return found != labels.end() && found->second == split;
}

OpenedStore open_store(const LayerAnalysisRequest& request) {
  const workspace::Workspace space = workspace::Workspace::open(request.workspace);
  workspace::check_entry_name(request.store, "store");
  OpenedStore opened{store::StoreReader::open(space.store_dir(request.store)), request.hooks};
  if (opened.hooks.empty()) opened.hooks = opened.reader.hooks();
  for (const std::string& hook : opened.hooks) opened.reader.width(hook);  // InputError listing the store's hooks
  return opened;
}

}  // namespace

PooledSelection select_pooled(const analysis::PooledVectors& pooled, const store::StoreEntries& entries,
                              std::optional<Language> lang, const std::string& split) {
  std::vector<int64_t> rows;
  PooledSelection selected;
  for (size_t i = 0; i < pooled.entries.size(); ++i) {
    const int64_t e = pooled.entries[i];
    if (lang && entries.language[size_t(e)] != lang) continue;
    if (!split.empty() && !in_split(entries, e, split)) continue;
    rows.push_back(int64_t(i));
    selected.entries.push_back(e);
  }
  selected.vectors = pooled.vectors.index_select(0, torch::tensor(rows, torch::kInt64));
  return selected;
}

namespace {

// 1 / 0 labels of a target for the selected entries; entries the target does not label are dropped.
void labelled(const PooledSelection& selected, const store::StoreEntries& entries, const std::string& target, torch::Tensor& x,
              std::vector<int64_t>& y) {
  std::vector<int64_t> keep;
  for (size_t i = 0; i < selected.entries.size(); ++i) {
    const int64_t e = selected.entries[i];
    int label = -1;
    if (target == "language") {
      label = entries.language[size_t(e)] == Language::Arabic ? 1 : 0;
    } else {
      const int group = analysis::gender_group(entries, e, target == "figure" ? analysis::GenderGrouping::Figure
                                                                               : analysis::GenderGrouping::Caption);
      if (group != 0) label = group > 0 ? 1 : 0;  // 1 female, 0 male
    }
    if (label < 0) continue;
    keep.push_back(int64_t(i));
    y.push_back(label);
  }
  x = selected.vectors.index_select(0, torch::tensor(keep, torch::kInt64));
}

// The per-language probes' languages: those the store's entries hold, in kLanguages order (an
// English-only store probes English alone); a vision store, with no caption language, probes all of
// its entries at once (std::nullopt, "both").
std::vector<std::optional<Language>> probe_languages(const store::StoreEntries& entries) {
  std::vector<std::optional<Language>> langs;
  for (const Language lang : kLanguages)
    if (std::find(entries.language.begin(), entries.language.end(), std::optional(lang)) != entries.language.end())
      langs.push_back(lang);
  if (langs.empty()) langs.push_back(std::nullopt);
  return langs;
}

std::string canonical(const std::string& split) { return split.empty() ? split : io::canonical_split(split); }

// The entries of `selected` whose split is not `split`.
PooledSelection without_split(const PooledSelection& selected, const store::StoreEntries& entries, const std::string& split) {
  std::vector<int64_t> rows;
  PooledSelection kept;
  for (size_t i = 0; i < selected.entries.size(); ++i) {
    if (in_split(entries, selected.entries[i], split)) continue;
    rows.push_back(int64_t(i));
    kept.entries.push_back(selected.entries[i]);
  }
  kept.vectors = selected.vectors.index_select(0, torch::tensor(rows, torch::kInt64));
  return kept;
}

// One probe's samples and score, by k-fold cross-validation or, with a test split, fit on the
// training split and scored on the test split's entries (which follow the training ones in x).
struct ProbeRun {
  torch::Tensor x;
  std::vector<int64_t> y, folds;  // folds: empty for a held-out test
  double accuracy_mean = 0, accuracy_std = 0;
};

// `which`: "" or a word and a space ("training ").
void require_both_classes(const std::vector<int64_t>& y, const std::string& which) {
  if (y.empty()) throw InputError("no " + which + "entry is labelled");
  for (int64_t label : {0, 1})
    if (std::count(y.begin(), y.end(), label) == 0) throw InputError("every " + which + "entry is in one class");
}

ProbeRun run_probe(const LayerAnalysisRequest& request, const analysis::PooledVectors& pooled, const store::StoreEntries& entries,
                   std::optional<Language> lang, const std::string& target) {
  const std::string split = canonical(request.split);
  ProbeRun run;
  if (request.test_split.empty()) {
    labelled(select_pooled(pooled, entries, lang, split), entries, target, run.x, run.y);
    run.folds = analysis::stratified_folds(run.y, request.folds, request.seed);
    require_both_classes(run.y, "");
    const analysis::ProbeScore score = analysis::probe_accuracy(run.x, run.y, run.folds, request.C);
    run.accuracy_mean = score.mean;
    run.accuracy_std = score.std;
    return run;
  }
  const std::string test_split = canonical(request.test_split);
  PooledSelection training = select_pooled(pooled, entries, lang, split);
  if (split.empty()) training = without_split(training, entries, test_split);
  torch::Tensor x_train, x_test;
  std::vector<int64_t> y_test;
  labelled(training, entries, target, x_train, run.y);
  labelled(select_pooled(pooled, entries, lang, test_split), entries, target, x_test, y_test);
  require_both_classes(run.y, "training ");
  if (y_test.empty()) throw InputError("no entry of the test split " + test_split + " is labelled");
  std::vector<bool> held_out(run.y.size(), false);
  held_out.resize(run.y.size() + y_test.size(), true);
  run.y.insert(run.y.end(), y_test.begin(), y_test.end());
  run.x = torch::cat({x_train, x_test});
  run.accuracy_mean = analysis::held_out_accuracy(run.x, run.y, held_out, request.C);
  return run;
}

}  // namespace

util::Table layer_probes(const LayerAnalysisRequest& request, jobs::JobContext& job) {
  for (const std::string& target : request.targets)
    if (target != "figure" && target != "caption" && target != "language")
      throw InputError("unknown probe target '" + target + "' (figure, caption or language)");
  if (!(request.C > 0) || !std::isfinite(request.C)) throw InputError("--C must be a positive number");
  const OpenedStore opened = open_store(request);
  const store::StoreEntries& entries = opened.reader.entries();
  if (!request.test_split.empty() && canonical(request.test_split) == canonical(request.split))
    throw InputError("--test-split must name another split than --split");
  if (!request.test_split.empty() && !request.export_data.empty())
    throw InputError("--export-data writes the k-fold probes for scikit-learn; leave out --test-split");
  util::Table table({{"hook", util::ColumnType::Text},
                     {"target", util::ColumnType::Text},
                     {"lang", util::ColumnType::Text},
                     {"entries", util::ColumnType::Integer},
                     {"positives", util::ColumnType::Integer},
                     {"negatives", util::ColumnType::Integer},
                     {"folds", util::ColumnType::Integer},
                     {"accuracy_mean", util::ColumnType::Real},
                     {"accuracy_std", util::ColumnType::Real},
                     {"tested_on", util::ColumnType::Text}});
  tensor::NamedTensors exported;
  job.set_total(int64_t(opened.hooks.size()));
  for (const std::string& hook : opened.hooks) {
    job.throw_if_cancelled();
    const analysis::PooledVectors pooled = analysis::pooled_entry_vectors(opened.reader, hook);
    for (const std::string& target : request.targets) {
      const std::vector<std::optional<Language>> langs =
          target == "language" ? std::vector<std::optional<Language>>{std::nullopt} : probe_languages(entries);
      for (const auto& lang : langs) {
        const std::string lang_name = lang ? language_code(*lang) : "both";
        ProbeRun run;
        try {
          run = run_probe(request, pooled, entries, lang, target);
        } catch (const InputError& error) {
          const char* hint = target == "language"          ? "; the store needs both languages, or leave the language target out"
                             : !request.test_split.empty() ? "; choose another --split, --test-split or --targets"
                                                           : "; choose other --targets, a larger store or fewer --folds";
          throw InputError("the " + target + " probe at " + hook + " (" + lang_name + "): " + error.what() + hint);
        }
        const std::string row = std::to_string(table.row_count());
        exported.push_back({"x." + row, run.x});
        exported.push_back({"y." + row, torch::tensor(run.y, torch::kInt64)});
        exported.push_back({"fold." + row, torch::tensor(run.folds, torch::kInt64)});
        const auto positives = int64_t(std::count(run.y.begin(), run.y.end(), 1));
        const bool held_out = !request.test_split.empty();
        table.add_row({hook, target, lang_name, int64_t(run.y.size()), positives, int64_t(run.y.size()) - positives,
                       held_out ? int64_t(0) : request.folds, run.accuracy_mean, run.accuracy_std,
                       held_out ? canonical(request.test_split) : std::string("folds")});
      }
    }
    job.advance(1, hook);
  }
  if (!request.export_data.empty()) {
    std::filesystem::create_directories(request.export_data.parent_path());
    tensor::save(request.export_data.string(), exported, {{"C", std::to_string(request.C)}});
  }
  return table;
}

util::Table layer_ranks(const LayerAnalysisRequest& request, jobs::JobContext& job) {
  const OpenedStore opened = open_store(request);
  const store::StoreEntries& entries = opened.reader.entries();
  const std::string split = canonical(request.split);
  util::Table table({{"hook", util::ColumnType::Text},
                     {"entries_en", util::ColumnType::Integer},
                     {"entries_ar", util::ColumnType::Integer},
                     {"rank_en", util::ColumnType::Integer},
                     {"rank_ar", util::ColumnType::Integer},
                     {"rank_difference", util::ColumnType::Integer},
                     {"information_en", util::ColumnType::Real},
                     {"information_ar", util::ColumnType::Real},
                     {"information_difference", util::ColumnType::Real}});
  job.set_total(int64_t(opened.hooks.size()));
  for (const std::string& hook : opened.hooks) {
    job.throw_if_cancelled();
    const analysis::PooledVectors pooled = analysis::pooled_entry_vectors(opened.reader, hook);
    std::vector<util::Cell> counts, ranks, information;
    std::vector<std::optional<analysis::RankFigures>> figures;
    for (const Language lang : kLanguages) {
      const PooledSelection selected = select_pooled(pooled, entries, lang, split);
      counts.push_back(int64_t(selected.entries.size()));
      figures.push_back(selected.entries.size() >= 2 ? std::optional(analysis::effective_rank(selected.vectors)) : std::nullopt);
      ranks.push_back(figures.back() ? util::Cell(figures.back()->components_95) : util::Cell());
      information.push_back(figures.back() ? util::Cell(figures.back()->information_content) : util::Cell());
    }
    const bool both = figures[0] && figures[1];
    table.add_row({hook, counts[0], counts[1], ranks[0], ranks[1],
                   both ? util::Cell(figures[0]->components_95 - figures[1]->components_95) : util::Cell(), information[0],
                   information[1],
                   both ? util::Cell(figures[0]->information_content - figures[1]->information_content) : util::Cell()});
    job.advance(1, hook);
  }
  return table;
}

}  // namespace loupe::study
