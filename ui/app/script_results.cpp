// The script actions of the results panels (Bias, Maps, Feature browser, Feature page, Study,
// Patching) and the frame-time measurement; each waits for the workspace's results to be read first.
#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "core/error.h"
#include "ui/app/script_runner.h"
#include "ui/panels/panels.h"

namespace loupe::ui {

namespace {

constexpr double kResultsTimeoutSeconds = 120;

std::string known_ids(const std::vector<std::string>& ids) {
  std::string list;
  for (const std::string& id : ids) list += (list.empty() ? "" : ", ") + id;
  return list;
}

// The sweep's position that `word` names: a number, `last`, or `image:K` (the K-th image token).
int64_t patch_position(const PatchResult& patch, int64_t layer, const std::string& word) {
  int64_t last = -1;
  for (const PatchCellInfo& cell : patch.cells) {
    if (cell.layer != layer) continue;
    last = std::max(last, cell.position);
    if (word.rfind("image:", 0) == 0 && cell.grid_row >= 0 &&
        cell.grid_row * patch.grid_side + cell.grid_col == std::stoll(word.substr(6)))
      return cell.position;
  }
  if (word == "last" && last >= 0) return last;
  if (word.rfind("image:", 0) != 0 && word != "last" && patch.cell(layer, std::stoll(word))) return std::stoll(word);
  throw InputError("the sweep " + patch.id + " has no cell at layer " + std::to_string(layer) + ", position " + word);
}

void print_patched_captions(const AppState& state) {
  const auto job = state.jobs.snapshot(state.patching.captions_job);
  for (const study::PatchedContinuation& c : job->result.as<std::vector<study::PatchedContinuation>>())
    std::printf("  %s: clean \"%s\" | corrupted \"%s\" | patched \"%s\"%s\n", language_code(c.lang), c.clean.c_str(),
                c.corrupt.c_str(), c.patched.c_str(), c.unavailable.empty() ? "" : (" (" + c.unavailable + ")").c_str());
}

const LatentsResult& open_latents(const AppState& state) {
  if (state.results->latents.empty()) throw InputError("the workspace has no feature analysis (loupe analyze features)");
  return *state.results->latents[size_t(std::clamp(state.features.analysis, 0, int(state.results->latents.size()) - 1))];
}

}  // namespace

bool ScriptRunner::results_step(AppState& state, const ScriptAction& action, double elapsed) {
  const auto& a = action.args;
  if (action.command == ScriptCommand::MeasureFrames) {
    if (frames_in_action_ == 0) drag_stats_ = FrameStats{};
    if (elapsed < std::stod(a[0])) return false;
    std::printf("[frames] measured over %.1f s: %d frames, worst %.1f ms, mean %.1f ms (UI-thread CPU: worst %.1f ms, mean %.1f ms)\n",
                elapsed, drag_stats_.frames, drag_stats_.worst_ms, drag_stats_.mean_ms(), drag_stats_.worst_cpu_ms,
                drag_stats_.mean_cpu_ms());
    std::fflush(stdout);
    return true;
  }
  if (action.command == ScriptCommand::ExportPlot) {
    const int panel = find_panel(a[0]);
    if (panel < 0) throw InputError("no panel named " + a[0]);
    return wait_for_job(state, [&] { return export_plot(state, shown_plot(state, Panel(panel)), a[1]); }, "the export failed",
                        "exported the " + a[0] + " panel's figure to " + a[1]);
  }
  if (action.command == ScriptCommand::TrainSae) {
    SaeTrainingInputs inputs = state.study.inputs;
    inputs.name = a[0];
    inputs.hook = a[1];
    inputs.tokens = std::stoll(a[2]);
    if (a.size() > 3) inputs.expansion = std::stoll(a[3]);
    if (a.size() > 4) inputs.k = std::stoll(a[4]);
    if (frames_in_action_ == 0) {  // the form shows what was typed, as after a click on Train
      StudyView& view = state.study;
      std::snprintf(view.name, sizeof view.name, "%s", inputs.name.c_str());
      std::snprintf(view.hook, sizeof view.hook, "%s", inputs.hook.c_str());
      view.inputs.tokens = inputs.tokens;
      view.inputs.expansion = inputs.expansion;
      view.inputs.k = inputs.k;
    }
    state.show[kStudyPanel] = true;
    return wait_for_job(state, [&] { return start_sae_training(state, inputs); }, "the SAE training failed", "SAE " + a[0] + " trained");
  }
  if (!state.results) {  // read by a job when the workspace opened
    if (state.workspace.empty()) throw InputError("open a workspace first (--workspace W): the results panels show its analyses");
    if (elapsed > kResultsTimeoutSeconds) throw InputError("the workspace's results were not read within 120 s");
    return false;
  }
  const WorkspaceResults& results = *state.results;
  switch (action.command) {
    case ScriptCommand::SelectFigure: {
      std::vector<std::string> ids;
      for (const FigureResult& figure : results.figures) ids.push_back(figure.figure.id);
      for (const TableResult& table : results.tables) ids.push_back(table.id);
      const auto figure = std::find(ids.begin(), ids.end(), a[0]);
      if (figure == ids.end()) throw InputError("no figure or table " + a[0] + "; the workspace has " + known_ids(ids));
      const size_t index = size_t(figure - ids.begin());
      state.bias.show_table = index >= results.figures.size();
      if (state.bias.show_table) {
        state.bias.table = int(index - results.figures.size());
      } else {
        state.bias.figure = a[0];
      }
      state.show[kBiasPanel] = true;
      return true;
    }
    case ScriptCommand::SelectMap: {
      std::vector<std::string> ids;
      for (const auto& map : results.maps) ids.push_back(map->id);
      const auto map = std::find(ids.begin(), ids.end(), a[0]);
      if (map == ids.end()) throw InputError("no map " + a[0] + "; the workspace has " + known_ids(ids));
      state.maps.map = int(map - ids.begin());
      state.maps.selected.clear();
      if (a.size() > 1) {
        const auto& labels = results.maps[size_t(state.maps.map)]->label_columns;
        if (std::find(labels.begin(), labels.end(), a[1]) == labels.end())
          throw InputError("the map " + a[0] + " has no label column " + a[1] + "; it has " + known_ids(labels));
        state.maps.colour_by = a[1];
      }
      state.show[kMapsPanel] = true;
      return true;
    }
    case ScriptCommand::SelectBox: {
      select_map_box(state, DataBox{std::min(std::stod(a[0]), std::stod(a[2])), std::max(std::stod(a[0]), std::stod(a[2])),
                                    std::min(std::stod(a[1]), std::stod(a[3])), std::max(std::stod(a[1]), std::stod(a[3]))});
      std::printf("[script] %zu map points selected\n", state.maps.selected.size());
      return true;
    }
    case ScriptCommand::MakeDirection:
      return wait_for_job(state, [&] { return add_selection_direction(state, a[0]); }, "the direction failed",
                          "direction " + a[0] + " made from " + std::to_string(state.maps.selected.size()) + " map points");
    case ScriptCommand::SearchLatents: {
      const std::string text = a[0] == "-" ? "" : a[0];
      if (text.size() >= sizeof state.features.search) throw InputError("the search text is too long");
      std::copy(text.begin(), text.end(), state.features.search);
      state.features.search[text.size()] = '\0';
      refresh_latent_rows(state.features, open_latents(state));
      std::printf("[script] %zu latents match\n", state.features.rows.size());
      return true;
    }
    case ScriptCommand::SortLatents: {
      const LatentsResult& latents = open_latents(state);
      if (a[1] != "asc" && a[1] != "desc") throw InputError("sort-latents COLUMN asc|desc, not " + a[1]);
      state.features.sort_column = int(latents.column(a[0]));
      state.features.descending = a[1] == "desc";
      refresh_latent_rows(state.features, latents);
      if (!state.features.rows.empty())
        std::printf("[script] first latent by %s (%s): %lld\n", a[0].c_str(), a[1].c_str(), static_cast<long long>(state.features.rows[0]));
      return true;
    }
    case ScriptCommand::FilterLatents: {
      FeaturesView& view = state.features;
      if (a[0] != "none" && a[0] != "language-specific" && a[0] != "aligned" && a[0] != "gendered")
        throw InputError("filter-latents none|language-specific|aligned|gendered, not " + a[0]);
      view.language_specific = a[0] == "language-specific";
      view.aligned = a[0] == "aligned";
      view.gendered = a[0] == "gendered";
      refresh_latent_rows(view, open_latents(state));
      std::printf("[script] %zu latents pass the filter %s\n", view.rows.size(), a[0].c_str());
      return true;
    }
    case ScriptCommand::SelectLatent: {
      if (a.size() > 1) {
        std::vector<std::string> ids;
        for (const auto& latents : results.latents) ids.push_back(latents->id);
        const auto found = std::find(ids.begin(), ids.end(), a[1]);
        if (found == ids.end()) throw InputError("no feature analysis " + a[1] + "; the workspace has " + known_ids(ids));
        state.features.analysis = int(found - ids.begin());
        state.features.rows_dirty = true;
      }
      const LatentsResult& latents = open_latents(state);
      if (a[0] == "first") {  // the Feature browser's first row, as it is sorted and filtered
        refresh_latent_rows(state.features, latents);
        if (state.features.rows.empty()) throw InputError("the Feature browser shows no latent to pick");
        state.features.latent = state.features.rows.front();
        std::printf("[script] latent %lld opened\n", static_cast<long long>(state.features.latent));
        state.show[kFeaturePagePanel] = true;
        return true;
      }
      char* end = nullptr;
      const long long latent = std::strtoll(a[0].c_str(), &end, 10);
      if (end == a[0].c_str() || *end != '\0') throw InputError("select-latent takes a latent number or first, not " + a[0]);
      if (latent < 0 || latent >= static_cast<long long>(latents.values.size()))
        throw InputError("latent " + a[0] + " is outside the " + std::to_string(latents.values.size()) + " latents of " + latents.id);
      state.features.latent = latent;
      state.show[kFeaturePagePanel] = true;
      return true;
    }
    case ScriptCommand::PatchSweep: {
      const long long pair = std::stoll(a[1]);
      if (pair < 0 || pair >= static_cast<long long>(results.pairs.size()))
        throw InputError("no suggested pair " + a[1] + "; the dataset suggests " + std::to_string(results.pairs.size()));
      study::GenderPatchRequest request;
      request.clean_image = results.pairs[size_t(pair)].woman_image;
      request.corrupt_image = results.pairs[size_t(pair)].man_image;
      request.lang = parse_language(a.size() > 2 ? a[2] : "en", "the sweep's language");
      if (frames_in_action_ == 0) {  // the form shows the pair picked, as after a click on Sweep
        PatchingView& view = state.patching;
        view.pair = int(pair);
        std::snprintf(view.clean, sizeof view.clean, "%s", request.clean_image.c_str());
        std::snprintf(view.corrupt, sizeof view.corrupt, "%s", request.corrupt_image.c_str());
        std::snprintf(view.name, sizeof view.name, "%s", a[0].c_str());
        view.lang = request.lang == Language::Arabic ? 1 : 0;
      }
      state.show[kPatchingPanel] = true;
      return wait_for_job(state, [&] { return start_patch_sweep(state, request, a[0]); }, "the patch sweep failed",
                          "patch sweep " + a[0] + " of " + request.clean_image + " against " + request.corrupt_image);
    }
    case ScriptCommand::PatchCell: {
      const auto patch = std::find_if(results.patches.begin(), results.patches.end(), [&](const PatchResult& p) { return p.id == a[0]; });
      if (patch == results.patches.end()) throw InputError("no patch sweep " + a[0] + " in the workspace (patch-sweep, then wait-idle)");
      state.patching.sweep = int(patch - results.patches.begin());
      state.show[kPatchingPanel] = true;
      const int64_t layer = std::stoll(a[1]);
      const bool done = wait_for_job(state, [&] {
        state.patching.image_layer = layer;
        return start_patch_captions(state, *patch, {layer, patch_position(*patch, layer, a[2])});
      }, "the patched captions failed", "patched captions of " + a[0] + " at layer " + a[1] + ", position " + a[2]);
      if (done) print_patched_captions(state);
      return done;
    }
    case ScriptCommand::RunAnalysis: {
      AnalysisInputs inputs = state.study.analysis;
      inputs.analysis = a[0];
      inputs.name = a[1];
      if (a.size() > 2) (a[0] == "lens" ? inputs.split : a[0] == "features" || a[0] == "eval-sae" ? inputs.sae : inputs.hooks) = a[2];
      if (a.size() > 3) inputs.limit = std::stoll(a[3]);
      state.show[kStudyPanel] = true;
      return wait_for_job(state, [&] { return start_analysis(state, inputs); }, "the analysis failed",
                          "analyze " + a[0] + " → analyses/" + a[1]);
    }
    case ScriptCommand::MakeMap: {
      MapInputs inputs = state.maps.recompute;
      inputs.name = a[0];
      const bool decoder = a[1].rfind("sae:", 0) == 0;  // sae:NAME, a map of its decoder directions
      inputs.sae = decoder ? a[1].substr(4) : "";
      inputs.hook = decoder ? "" : a[1];
      if (a[2] != "pca" && a[2] != "tsne") throw InputError("make-map takes pca or tsne, not " + a[2]);
      inputs.method = a[2];
      if (a.size() > 3) inputs.perplexity = std::stod(a[3]);
      if (frames_in_action_ == 0) {  // the form shows what was typed
        state.maps.recompute = inputs;
        std::snprintf(state.maps.recompute_hook, sizeof state.maps.recompute_hook, "%s", inputs.hook.c_str());
        std::snprintf(state.maps.recompute_name, sizeof state.maps.recompute_name, "%s", inputs.name.c_str());
      }
      state.show[kMapsPanel] = true;
      return wait_for_job(state, [&] { return start_map(state, inputs); }, "the map failed", "map " + a[0] + " of " + a[1]);
    }
    case ScriptCommand::SteerSweep: {
      study::DoseResponseRun run;
      run.name = a[0];
      run.sweep = "alpha=" + a[1] + ":" + a[2] + ":" + a[3];
      run.split = a[4];
      run.limit = std::stoll(a[5]);
      if (frames_in_action_ == 0) {  // the form shows the sweep typed
        DoseSweepView& view = state.dose;
        view.from = std::stof(a[1]);
        view.to = std::stof(a[2]);
        view.step = std::stof(a[3]);
        std::snprintf(view.split, sizeof view.split, "%s", run.split.c_str());
        std::snprintf(view.name, sizeof view.name, "%s", run.name.c_str());
        view.limit = int(run.limit);
      }
      state.show[kSteeringPanel] = true;
      state.dose.shown = run.name;
      return wait_for_job(state, [&] { return start_dose_response(state, run); }, "the dose-response sweep failed",
                          "dose-response " + run.name + " over " + run.sweep);
    }
    default:
      throw InputError("not a results action");
  }
}

}  // namespace loupe::ui
