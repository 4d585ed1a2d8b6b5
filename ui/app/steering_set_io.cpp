// File > Save / Load steering set: the Steering panel's sliders as the steering-set file that
// `loupe steer --set` reads (core/study/steering_set.h), with their directions beside it; and the
// Steering panel's dose-response sweep, which saves the sliders so and runs `loupe steer --split`.
#include <algorithm>
#include <cmath>
#include <filesystem>

#include "core/error.h"
#include "core/study/steering_set.h"
#include "ui/app/app_state.h"
#include "core/workspace/workspace.h"
#include "ui/live/directions.h"
#include "ui/live/dose_response_job.h"

namespace loupe::ui {

namespace fs = std::filesystem;

namespace {

// A direction's name as a safetensors key that a FILE:KEY source can name (no ':').
std::string key_of(const std::string& name) {
  std::string key = name;
  std::replace(key.begin(), key.end(), ':', '_');
  return key;
}

// The slider a steer of a set becomes; refuses what a slider cannot show.
SteerSlider slider_of(const study::SteerSpec& spec, const std::string& where) {
  if (spec.positions.kind == PositionKind::List)
    throw InputError(where + ": a slider steers at all, image, text, template or non-image positions, not at a list");
  std::shared_ptr<Direction> direction;
  if (spec.sae_folder.empty()) {
    direction = std::make_shared<Direction>(*file_direction(spec.source, spec.hook));
    direction->name = spec.source.substr(spec.source.rfind(':') + 1);  // the key, as it was saved
  } else {
    direction = std::make_shared<Direction>(*sae_latent_direction(spec.sae_folder, spec.sae_latent, spec.hook));
  }
  const float alpha = float(spec.alpha);
  return {direction, spec.hook, spec.positions.kind, alpha, std::max(direction->suggested_range, std::ceil(std::abs(alpha))),
          spec.mode};
}

// The sliders as a steering set at `set_path` (FILE.json) with their directions in FILE.safetensors.
struct SteeringSetFiles {
  fs::path set_path, vectors;
  std::vector<study::SteerSpec> set;
  std::vector<std::shared_ptr<const Direction>> directions;

  void write() const {
    fs::create_directories(set_path.parent_path());
    export_directions(vectors.string(), directions);
    study::write_steering_set(set_path, set);
  }
};

SteeringSetFiles steering_set_files(const AppState& state, const std::string& path) {
  if (state.sliders.empty()) throw InputError("add a direction first: a steering set holds the Steering panel's sliders");
  SteeringSetFiles files;
  files.set_path = fs::absolute(path);
  if (files.set_path.extension() != ".json") throw InputError("name the steering set FILE.json, not " + files.set_path.filename().string());
  files.vectors = fs::path(files.set_path).replace_extension(".safetensors");
  for (const SteerSlider& slider : state.sliders) {
    auto keyed = std::make_shared<Direction>(*slider.direction);
    keyed->name = key_of(slider.direction->name);
    files.directions.push_back(keyed);
    study::SteerSpec spec;
    spec.hook = slider.hook;
    spec.source = files.vectors.filename().string() + ":" + keyed->name;  // relative: the set moves with its folder
    spec.alpha = double(slider.alpha);
    spec.positions = PositionSelector(slider.positions);
    spec.mode = slider.mode;
    files.set.push_back(spec);
  }
  return files;
}

}  // namespace

jobs::JobId save_steering_set(AppState& state, const std::string& path) {
  const SteeringSetFiles files = steering_set_files(state, path);
  std::shared_ptr<Inbox> inbox = state.inbox;
  return state.jobs.submit("save steering set " + files.set_path.filename().string(), [files, inbox](jobs::JobContext&) {
    files.write();
    inbox->post_status("steering set saved to " + files.set_path.string());
    return jobs::JobResult{};  // the outcome travels through the inbox
  }, {}, jobs::Lane::Short);
}

jobs::JobId start_dose_response(AppState& state, study::DoseResponseRun run) {
  if (state.workspace.empty()) throw InputError("open a workspace first (File > Open workspace): the sweep runs over its dataset");
  if (!state.model) throw InputError("the model is still loading; try again when the Jobs panel shows it loaded");
  workspace::check_entry_name(run.name, "the sweep's name");
  const SteeringSetFiles files = steering_set_files(state, state.workspace + "/steering/" + run.name + ".json");
  run.set_file = files.set_path.string();
  auto model = state.model;
  const std::string workspace = state.workspace;
  state.dose.job = submit_results_writer(state, "dose-response " + run.name, [files, model, workspace, run](jobs::JobContext& job) {
    files.write();
    return run_dose_response(*model, workspace, run, job);
  });
  return state.dose.job;
}

jobs::JobId load_steering_set(AppState& state, const std::string& path) {
  std::shared_ptr<Inbox> inbox = state.inbox;
  return state.jobs.submit("load steering set " + fs::path(path).filename().string(), [path, inbox](jobs::JobContext&) {
    const std::vector<study::SteerSpec> set = study::read_steering_set(path);
    std::vector<SteerSlider> sliders;
    for (size_t i = 0; i < set.size(); ++i) sliders.push_back(slider_of(set[i], path + ": [" + std::to_string(i) + "]"));
    inbox->post_sliders(std::move(sliders));
    inbox->post_status("steering set loaded from " + path);
    return jobs::JobResult{};  // the outcome travels through the inbox
  }, {}, jobs::Lane::Short);
}

}  // namespace loupe::ui
