#include "ui/app/app_state.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <utility>

#include "core/error.h"
#include "core/io/dataset.h"
#include "core/workspace/saes.h"
#include "core/workspace/workspace.h"
#include "ui/live/directions.h"
#include "ui/live/extraction_job.h"
#include "ui/live/patch_jobs.h"
#include "ui/live/report_job.h"

namespace loupe::ui {

namespace fs = std::filesystem;

void Inbox::post_direction(std::shared_ptr<const Direction> direction) {
  std::lock_guard<std::mutex> lock(mutex_);
  directions_.push_back(std::move(direction));
}

void Inbox::post_model(std::shared_ptr<const LoadedModel> model) {
  std::lock_guard<std::mutex> lock(mutex_);
  model_ = std::move(model);
}

void Inbox::post_images(ImageList images) {
  std::lock_guard<std::mutex> lock(mutex_);
  images_ = std::move(images);
}

void Inbox::post_workspace(OpenedWorkspace workspace) {
  std::lock_guard<std::mutex> lock(mutex_);
  workspace_ = std::move(workspace);
}

void Inbox::post_status(std::string line) {
  std::lock_guard<std::mutex> lock(mutex_);
  status_ = std::move(line);
}

void Inbox::post_sliders(std::vector<SteerSlider> sliders) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto& slider : sliders) sliders_.push_back(std::move(slider));
}

void Inbox::post_adapter(std::shared_ptr<const LoadedAdapter> adapter) {
  std::lock_guard<std::mutex> lock(mutex_);
  adapter_ = std::move(adapter);
}

void Inbox::post_results(std::shared_ptr<const WorkspaceResults> results) {
  std::lock_guard<std::mutex> lock(mutex_);
  results_ = std::move(results);
}

std::shared_ptr<const WorkspaceResults> Inbox::take_results() {
  std::lock_guard<std::mutex> lock(mutex_);
  return std::exchange(results_, nullptr);
}

std::shared_ptr<const LoadedAdapter> Inbox::take_adapter() {
  std::lock_guard<std::mutex> lock(mutex_);
  return std::exchange(adapter_, nullptr);
}

std::vector<SteerSlider> Inbox::take_sliders() {
  std::lock_guard<std::mutex> lock(mutex_);
  return std::exchange(sliders_, {});
}

std::vector<std::shared_ptr<const Direction>> Inbox::take_directions() {
  std::lock_guard<std::mutex> lock(mutex_);
  return std::exchange(directions_, {});
}

std::shared_ptr<const LoadedModel> Inbox::take_model() {
  std::lock_guard<std::mutex> lock(mutex_);
  return std::exchange(model_, nullptr);
}

std::optional<ImageList> Inbox::take_images() {
  std::lock_guard<std::mutex> lock(mutex_);
  return std::exchange(images_, std::nullopt);
}

std::optional<OpenedWorkspace> Inbox::take_workspace() {
  std::lock_guard<std::mutex> lock(mutex_);
  return std::exchange(workspace_, std::nullopt);
}

std::optional<std::string> Inbox::take_status() {
  std::lock_guard<std::mutex> lock(mutex_);
  return std::exchange(status_, std::nullopt);
}

const char* panel_name(Panel panel) {
  static const char* names[kPanelCount] = {"images", "caption", "heatmap", "steering", "jobs",
                                           "bias", "maps", "features", "feature", "study", "patching"};
  return names[panel];
}

const char* panel_title(Panel panel) {
  static const char* titles[kPanelCount] = {"Images", "Caption", "Heatmap", "Steering", "Jobs",
                                            "Bias", "Maps", "Feature browser", "Feature page", "Study", "Patching"};
  return titles[panel];
}

bool AppState::image_visible(const ImageEntry& image) const {
  for (const auto& [column, value] : filters) {
    if (value.empty()) continue;
    const auto found = image.labels.find(column);
    if (found == image.labels.end() || found->second != value) return false;
  }
  return true;
}

void load_model_async(AppState& state, const std::string& folder) {
  state.model_folder = folder;
  std::shared_ptr<Inbox> inbox = state.inbox;
  state.jobs.submit("load model " + fs::path(folder).filename().string(), [folder, inbox](jobs::JobContext& job) {
    auto model = load_model(folder, &job);
    job.log("loaded " + folder + " (" + model_info(*model).family + ", " +
            std::to_string(model_info(*model).parameters) + " parameters)");
    inbox->post_model(model);
    return jobs::JobResult{};  // the outcome travels through the inbox
  }, {}, jobs::Lane::Short);
}

jobs::JobId load_adapter_async(AppState& state, const std::string& folder) {
  if (!state.model) throw InputError("load a model before its adapter");
  std::shared_ptr<Inbox> inbox = state.inbox;
  std::shared_ptr<const LoadedModel> model = state.model;
  return state.jobs.submit("load adapter " + fs::path(folder).filename().string(), [folder, model, inbox](jobs::JobContext& job) {
    auto adapter = load_adapter(*model, folder);
    job.log("read the LoRA adapter " + folder);
    inbox->post_adapter(adapter);
    return jobs::JobResult{};  // the outcome travels through the inbox
  }, {}, jobs::Lane::Short);
}

namespace {

bool is_image_file(const fs::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return ext == ".png" || ext == ".jpg" || ext == ".jpeg" || ext == ".bmp" || ext == ".gif";
}

void submit_image_listing(AppState& state, const std::string& folder, bool demo) {
  std::shared_ptr<Inbox> inbox = state.inbox;
  state.jobs.submit("open images " + fs::path(folder).filename().string(), [folder, demo, inbox](jobs::JobContext& job) {
    ImageList list = list_images(folder);
    list.demo = demo;
    job.log("opened " + folder + " (" + std::to_string(list.images.size()) + " images)");
    inbox->post_images(std::move(list));
    return jobs::JobResult{};  // the outcome travels through the inbox
  }, {}, jobs::Lane::Short);
}

void submit_workspace_open(AppState& state, const std::string& root, const std::string& model, const std::string& dataset) {
  std::shared_ptr<Inbox> inbox = state.inbox;
  const bool create = !model.empty();  // New workspace: init first
  state.jobs.submit(std::string(create ? "new" : "open") + " workspace " + fs::path(root).filename().string(),
                    [root, model, dataset, create, inbox](jobs::JobContext&) {
    const workspace::Workspace ws = create ? workspace::Workspace::init(root, model, dataset) : workspace::Workspace::open(root);
    const auto sae = workspace::newest_sae(ws.root() / "saes");
    inbox->post_workspace({ws.root().string(), ws.model().string(), ws.dataset().string(), sae ? sae->string() : ""});
    return jobs::JobResult{};  // the outcome travels through the inbox
  }, {}, jobs::Lane::Short);
}

// Shows each newly failed job's message in the status bar (the Jobs panel keeps them all).
void report_failures(AppState& state) {
  for (const auto& job : state.jobs.snapshots()) {
    if (job->state != jobs::JobState::Failed || job->id <= state.reported_failure) continue;
    state.reported_failure = job->id;
    state.status = job->name + " failed: " + job->error_message;
  }
}

void apply_images(AppState& state, ImageList list) {
  state.dataset_folder = list.demo ? "" : list.folder;
  state.label_columns = std::move(list.label_columns);
  state.filters.clear();
  state.images = std::move(list.images);
  state.selected = state.images.empty() ? -1 : 0;
  state.request_dirty = true;
  state.status = "opened " + (list.demo ? std::string("the demo images") : list.folder) + " (" +
                 std::to_string(state.images.size()) + " images)";
}

void apply_workspace(AppState& state, const OpenedWorkspace& opened) {
  state.workspace = opened.root;
  if (opened.model != state.model_folder) load_model_async(state, opened.model);
  open_image_folder(state, opened.dataset);
  if (!opened.sae.empty()) state.sae_path = opened.sae;
  state.status = "workspace " + state.workspace + (opened.sae.empty() ? "" : ", SAE " + fs::path(opened.sae).filename().string());
  load_results(state);
}

// The Study panel's training curves: a point whenever a training job's step count moved.
void sample_training_curves(AppState& state) {
  for (TrainingCurve& curve : state.study.curves) {
    const auto job = state.jobs.snapshot(curve.job);
    if (!job) continue;
    if (job->done != curve.last_done && job->metrics.count("mse")) {
      curve.last_done = job->done;
      const auto metric = [&](const char* key) {
        const auto found = job->metrics.find(key);
        return found == job->metrics.end() ? std::nan("") : found->second;
      };
      curve.tokens.push_back(double(job->done * curve.batch));
      curve.mse.push_back(metric("mse"));
      curve.explained_variance.push_back(metric("explained_variance"));
      curve.l0.push_back(metric("l0"));
      curve.dead_fraction.push_back(metric("dead_fraction"));
    }
  }
}

// A job that wrote results (an SAE, a sweep) and succeeded: the workspace's results are read again.
void reload_after_writers(AppState& state) {
  auto& writers = state.results_writers;
  bool reload = false;
  for (auto id = writers.begin(); id != writers.end();) {
    const auto job = state.jobs.snapshot(*id);
    if (job && !job->finished()) {
      ++id;
      continue;
    }
    reload = reload || (job && job->state == jobs::JobState::Succeeded);
    id = writers.erase(id);
  }
  if (reload && !state.workspace.empty()) load_results(state);
}

void add_direction(AppState& state, std::shared_ptr<const Direction> direction) {
  state.directions.push_back(direction);
  auto same = std::find_if(state.sliders.begin(), state.sliders.end(),
                           [&](const SteerSlider& s) { return s.direction->name == direction->name; });
  SteerSlider slider{direction, direction->hook, PositionKind::Image, 0.0f, direction->suggested_range};
  if (const auto pending = state.pending_slider_modes.find(direction->name); pending != state.pending_slider_modes.end()) {
    slider.mode = pending->second.first;
    slider.positions = pending->second.second;
    state.pending_slider_modes.erase(pending);
  }
  if (same != state.sliders.end()) {
    slider.alpha = same->alpha;
    *same = slider;
  } else {
    state.sliders.push_back(slider);
  }
  if (!state.heatmap.direction) state.heatmap.direction = direction;
  state.request_dirty = true;
}

}  // namespace

ImageList list_images(const std::string& folder) {
  ImageList list;
  list.folder = folder;
  if (fs::exists(fs::path(folder) / io::kDatasetCsvName) || fs::path(folder).extension() == ".csv") {
    const io::Dataset dataset = io::load_dataset(folder);
    list.label_columns = dataset.label_columns;
    for (const auto& row : dataset.rows)
      list.images.push_back({row.image, fs::path(row.image).filename().string(), row.labels, row.en_caption, row.ar_caption});
    return list;
  }
  if (!fs::is_directory(folder)) throw InputError(folder + " is neither a dataset (image_caption.csv) nor a folder of images");
  for (const auto& entry : fs::directory_iterator(folder))
    if (entry.is_regular_file() && is_image_file(entry.path()))
      list.images.push_back({entry.path().string(), entry.path().filename().string(), {}, {}, {}});
  std::sort(list.images.begin(), list.images.end(), [](const ImageEntry& a, const ImageEntry& b) { return a.name < b.name; });
  return list;
}

void open_image_folder(AppState& state, const std::string& folder) { submit_image_listing(state, folder, false); }

void open_demo_images(AppState& state) { submit_image_listing(state, LOUPE_DEMO_IMAGES, true); }

void add_image_files(AppState& state, const std::vector<std::string>& paths) {
  int added = 0;
  for (const auto& path : paths) {
    std::error_code error;
    if (fs::is_directory(path, error)) {
      open_image_folder(state, path);
      return;
    }
    if (!is_image_file(path)) {
      state.status = "not an image file: " + path;
      continue;
    }
    state.images.push_back({path, fs::path(path).filename().string(), {}, {}, {}});
    ++added;
  }
  if (added > 0) select_image(state, int(state.images.size()) - 1);
}

void open_workspace(AppState& state, const std::string& root) { submit_workspace_open(state, root, {}, {}); }

void new_workspace(AppState& state, const std::string& root) {
  if (state.dataset_folder.empty()) throw InputError("open a dataset folder first: a workspace names its model and dataset");
  submit_workspace_open(state, root, state.model_folder, state.dataset_folder);
}

void add_gender_direction(AppState& state, const std::string& hook, bool by_caption) {
  if (!state.model) throw InputError("the model is still loading; try again when the Jobs panel shows it loaded");
  auto model = state.model;
  std::shared_ptr<Inbox> inbox = state.inbox;
  const std::string dataset = state.dataset_folder;
  const study::GenderLabel label = by_caption ? study::GenderLabel::Caption : study::GenderLabel::Figure;
  state.jobs.submit("gender direction at " + hook, [model, dataset, hook, label, inbox](jobs::JobContext& job) {
    const std::vector<study::LabeledImage> images = study::gender_images_or_fallback(dataset, LOUPE_DEMO_IMAGES);
    auto direction = gender_direction(*model, images, hook, label, job);
    inbox->post_direction(direction);
    return jobs::JobResult{};  // the outcome travels through the inbox
  }, {}, jobs::Lane::Short);
}

void add_file_direction(AppState& state, const std::string& file_colon_key, const std::string& hook) {
  std::shared_ptr<Inbox> inbox = state.inbox;
  state.jobs.submit("direction from " + file_colon_key, [file_colon_key, hook, inbox](jobs::JobContext& job) {
    inbox->post_direction(file_direction(file_colon_key, hook));
    job.log("read " + file_colon_key);
    return jobs::JobResult{};  // the outcome travels through the inbox
  }, {}, jobs::Lane::Short);
}

void add_sae_latent_direction(AppState& state, const std::string& sae_path, int64_t latent) {
  std::shared_ptr<Inbox> inbox = state.inbox;
  const std::string fallback_hook = state.steering_inputs.gender_hook;
  state.jobs.submit("SAE latent " + std::to_string(latent), [sae_path, latent, fallback_hook, inbox](jobs::JobContext& job) {
    inbox->post_direction(sae_latent_direction(sae_path, latent, fallback_hook));
    job.log("decoder row " + std::to_string(latent) + " of " + sae_path);
    return jobs::JobResult{};  // the outcome travels through the inbox
  }, {}, jobs::Lane::Short);
}

void start_extraction(AppState& state, const std::string& hook, const std::string& out, int64_t limit,
                      const std::string& positions, const std::string& langs, const std::string& source) {
  if (state.dataset_folder.empty() || !fs::exists(fs::path(state.dataset_folder) / io::kDatasetCsvName))
    throw InputError("open a dataset folder (one with image_caption.csv) first: extraction runs over its rows");
  if (out.empty()) throw InputError("name the store folder to write");
  const ExtractionRequest request{state.model_folder, state.dataset_folder, out, hook, limit, state.workspace,
                                  positions, langs, source};
  state.jobs.submit("extract " + hook + " → " + fs::path(out).filename().string(),
                    [request](jobs::JobContext& job) { return run_extraction(request, job); });
}

jobs::JobId load_results(AppState& state) {
  if (state.workspace.empty()) throw InputError("open a workspace first (File > Open workspace): its analyses are what the results panels show");
  std::shared_ptr<Inbox> inbox = state.inbox;
  const std::string root = state.workspace;
  state.results_job = state.jobs.submit("read results of " + fs::path(root).filename().string(), [root, inbox](jobs::JobContext& job) {
    auto results = std::make_shared<const WorkspaceResults>(read_workspace_results(root, job));
    job.log(std::to_string(results->figures.size()) + " figures, " + std::to_string(results->maps.size()) + " maps, " +
            std::to_string(results->latents.size()) + " feature analyses, " + std::to_string(results->problems.size()) + " problems");
    for (const std::string& problem : results->problems) job.log(problem);
    inbox->post_results(results);
    return jobs::JobResult{};  // the outcome travels through the inbox
  }, {}, jobs::Lane::Short);
  return state.results_job;
}

jobs::JobId start_sae_training(AppState& state, SaeTrainingInputs inputs) {
  if (state.workspace.empty()) throw InputError("open a workspace first (File > Open workspace): an SAE trains on its store");
  inputs.workspace = state.workspace;
  TrainingCurve curve;
  curve.name = inputs.name;
  curve.batch = inputs.batch;
  curve.job = submit_results_writer(state, "train-sae " + inputs.name + (inputs.resume ? " (resumed)" : ""),
                                    [inputs](jobs::JobContext& job) { return run_sae_training(inputs, job); });
  state.study.curves.push_back(std::move(curve));
  return state.study.curves.back().job;
}

jobs::JobId submit_results_writer(AppState& state, std::string name, jobs::JobFunction fn) {
  const jobs::JobId id = state.jobs.submit(std::move(name), std::move(fn));
  state.results_writers.push_back(id);
  return id;
}

jobs::JobId start_analysis(AppState& state, AnalysisInputs inputs) {
  if (state.workspace.empty()) throw InputError("open a workspace first (File > Open workspace): the analyses read its store");
  inputs.workspace = state.workspace;
  auto model = state.model;  // the lens captions with it; null while it loads (the lens then says so)
  state.study.analysis_job = submit_results_writer(state, "analyze " + inputs.analysis + " → " + inputs.name,
                                                   [inputs, model](jobs::JobContext& job) { return run_analysis(inputs, model.get(), job); });
  return state.study.analysis_job;
}

jobs::JobId start_latent_thumbnails(AppState& state, const std::string& sae_folder, int64_t latent,
                                    std::vector<std::pair<std::string, std::string>> examples) {
  if (!state.model) throw InputError("the model is still loading; the thumbnails' heatmaps need it");
  auto model = state.model;
  state.features.thumbnails_of = sae_folder + "|" + std::to_string(latent);
  state.features.thumbnails_job = state.jobs.submit(
      "heatmaps of latent " + std::to_string(latent) + " on " + std::to_string(examples.size()) + " examples",
      [model, sae_folder, latent, examples](jobs::JobContext& job) { return run_latent_thumbnails(*model, sae_folder, latent, examples, job); },
      {}, jobs::Lane::Short);
  return state.features.thumbnails_job;
}

jobs::JobId start_map(AppState& state, MapInputs inputs) {
  if (state.workspace.empty()) throw InputError("open a workspace first (File > Open workspace): the map is of its store");
  if (inputs.hook.empty() == inputs.sae.empty())
    throw InputError("name a hook (a map of the store's pooled vectors there) or an SAE (of its decoder directions), not both");
  inputs.workspace = state.workspace;
  state.maps.recompute_job = submit_results_writer(state, "map " + inputs.name + " of " + (inputs.sae.empty() ? inputs.hook : inputs.sae),
                                                   [inputs](jobs::JobContext& job) { return run_map(inputs, job); });
  return state.maps.recompute_job;
}

jobs::JobId start_patch_sweep(AppState& state, const study::GenderPatchRequest& request, const std::string& name) {
  if (state.workspace.empty()) throw InputError("open a workspace first (File > Open workspace): the sweep is written to its analyses");
  if (!state.model) throw InputError("the model is still loading; try again when the Jobs panel shows it loaded");
  if (request.clean_image.empty() || request.corrupt_image.empty())
    throw InputError("pick a clean and a corrupted image (a suggested pair, or two paths)");
  auto model = state.model;
  const std::string workspace = state.workspace;
  state.patching.sweep_job = submit_results_writer(state, "patch-sweep " + name, [model, workspace, request, name](jobs::JobContext& job) {
    return run_patch_sweep(*model, workspace, request, name, job);
  });
  return state.patching.sweep_job;
}

jobs::JobId start_patch_captions(AppState& state, const PatchResult& sweep, const study::PatchCell& cell) {
  if (!state.model) throw InputError("the model is still loading; try again when the Jobs panel shows it loaded");
  if (sweep.clean_image.empty())
    throw InputError("runs.jsonl logs no successful patch-sweep --out " + sweep.id + ": its images are unknown");
  study::GenderPatchRequest request;
  request.clean_image = sweep.clean_image;
  request.corrupt_image = sweep.corrupt_image;
  request.lang = parse_language(sweep.lang, "the sweep's language");
  request.hook = sweep.hook;
  auto model = state.model;
  state.patching.cell = cell;
  state.patching.captions_job = state.jobs.submit(
      "patched captions, layer " + std::to_string(cell.layer) + " position " + std::to_string(cell.position),
      [model, request, cell](jobs::JobContext& job) { return patch_cell_captions(*model, request, cell, job); }, {},
      jobs::Lane::Short);
  return state.patching.captions_job;
}

jobs::JobId add_selection_direction(AppState& state, const std::string& name) {
  if (!state.results || state.maps.map >= int(state.results->maps.size())) throw InputError("open a map first (Maps panel)");
  const MapResult& map = *state.results->maps[size_t(state.maps.map)];
  if (map.hook.empty() || map.entry_column < 0)
    throw InputError("the map " + map.id + " is of SAE latents, not store entries: a selection direction needs entries");
  if (state.maps.selected.empty()) throw InputError("draw a box on the map first: the selection is empty");
  std::vector<int64_t> entries;
  for (size_t row : state.maps.selected)
    entries.push_back(int64_t(io::parse_number(map.table.at(map.table.rows[row], size_t(map.entry_column))).value_or(-1)));
  std::shared_ptr<Inbox> inbox = state.inbox;
  const std::string workspace = state.workspace, hook = map.hook;
  return state.jobs.submit("direction " + name + " from " + std::to_string(entries.size()) + " map points",
                           [workspace, hook, entries, name, inbox](jobs::JobContext& job) {
    auto direction = selection_direction(workspace, hook, entries, name);
    job.log(direction->description);
    inbox->post_direction(direction);
    return jobs::JobResult{};  // the outcome travels through the inbox
  }, {}, jobs::Lane::Short);
}

jobs::JobId export_report(AppState& state, const std::string& folder) {
  if (state.workspace.empty()) throw InputError("open a workspace first (File > Open workspace): the report is of its study");
  if (folder.empty()) throw InputError("name the report's folder");
  const ReportExportRequest request{state.workspace, folder};
  std::shared_ptr<Inbox> inbox = state.inbox;
  return state.jobs.submit("report → " + fs::path(folder).filename().string(), [request, inbox](jobs::JobContext& job) {
    inbox->post_status(write_workspace_report(request, job));
    return jobs::JobResult{};  // the outcome travels through the inbox
  });
}

void select_image(AppState& state, int index) {
  if (index < 0 || index >= int(state.images.size())) return;
  if (index != state.selected) state.request_dirty = true;
  state.selected = index;
}

void pump_live(AppState& state) {
  Inbox& inbox = *state.inbox;
  for (auto& direction : inbox.take_directions()) add_direction(state, std::move(direction));
  for (const SteerSlider& loaded : inbox.take_sliders()) {
    add_direction(state, loaded.direction);
    for (SteerSlider& slider : state.sliders)
      if (slider.direction->name == loaded.direction->name) slider = loaded;
  }
  if (auto model = inbox.take_model()) {
    state.model = model;
    state.model_info = model_info(*model);
    state.adapter = nullptr;  // it was read for the model before
    state.use_adapter = false;
    state.request_dirty = true;
  }
  if (auto adapter = inbox.take_adapter(); adapter && adapter->model == state.model.get()) {
    state.adapter = adapter;
    state.use_adapter = true;
    state.status = "adapter " + adapter->name + " on";
    state.request_dirty = true;
  }
  if (auto opened = inbox.take_workspace()) apply_workspace(state, *opened);
  if (auto images = inbox.take_images()) apply_images(state, std::move(*images));
  if (auto line = inbox.take_status()) state.status = std::move(*line);
  sample_training_curves(state);
  reload_after_writers(state);
  if (auto results = inbox.take_results()) {
    state.results = std::move(results);
    state.maps.plotted.clear();  // the panels rebuild their plots from the new results
    state.patching.plotted.clear();
    state.dose.plotted.clear();
    state.bias.plot.set("", nullptr, "");
    state.features.rows_dirty = true;
    state.features.histogram_of = -1;
  }
  report_failures(state);
  state.live = state.worker.latest();
  const ImageEntry* image = state.selected_image();
  if (!state.request_dirty || !state.model || !image) return;
  LiveRequest request;
  request.model = state.model;
  request.image = image->path;
  for (const auto& slider : state.sliders)
    request.steers.push_back({slider.direction, slider.hook, slider.positions, double(slider.alpha), slider.mode});
  if (state.use_adapter) request.adapter = state.adapter;
  request.heatmap = state.heatmap;
  request.heatmap.sae_path = state.sae_path;
  state.last_request = state.worker.submit(std::move(request));
  state.request_dirty = false;
}

bool app_idle(const AppState& state) {
  if (!state.model || state.request_dirty || !state.worker.idle()) return false;
  if (state.selected_image() && (!state.live || state.live->request_id != state.last_request)) return false;
  for (const auto& job : state.jobs.snapshots())
    if (!job->finished()) return false;
  return true;
}

}  // namespace loupe::ui
