#include "ui/app/app_state.h"

#include <algorithm>
#include <filesystem>
#include <utility>

#include "core/error.h"
#include "core/io/dataset.h"
#include "core/util/atomic_file.h"
#include "core/workspace/workspace.h"
#include "ui/live/directions.h"
#include "ui/live/extraction_job.h"

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

std::vector<std::shared_ptr<const Direction>> Inbox::take_directions() {
  std::lock_guard<std::mutex> lock(mutex_);
  return std::exchange(directions_, {});
}

std::shared_ptr<const LoadedModel> Inbox::take_model() {
  std::lock_guard<std::mutex> lock(mutex_);
  return std::exchange(model_, nullptr);
}

const char* panel_name(Panel panel) {
  static const char* names[kPanelCount] = {"images", "caption", "heatmap", "steering", "jobs"};
  return names[panel];
}

const char* panel_title(Panel panel) {
  static const char* titles[kPanelCount] = {"Images", "Caption", "Heatmap", "Steering", "Jobs"};
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
  Inbox* inbox = &state.inbox;
  state.jobs.submit("load model " + fs::path(folder).filename().string(), [folder, inbox](jobs::JobContext& job) {
    job.set_stage("reading config, weights and tokenizer");
    auto model = load_model(folder);
    job.log("loaded " + folder + " (" + model_info(*model).family + ", " +
            std::to_string(model_info(*model).parameters) + " parameters)");
    inbox->post_model(model);
    return nlohmann::json{{"folder", folder}};
  });
}

namespace {

bool is_image_file(const fs::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return ext == ".png" || ext == ".jpg" || ext == ".jpeg" || ext == ".bmp" || ext == ".gif";
}

}  // namespace

void open_image_folder(AppState& state, const std::string& folder) {
  std::vector<ImageEntry> images;
  std::vector<std::string> columns;
  if (fs::exists(fs::path(folder) / io::kDatasetCsvName) || fs::path(folder).extension() == ".csv") {
    const io::Dataset dataset = io::load_dataset(folder);
    columns = dataset.label_columns;
    for (const auto& row : dataset.rows)
      images.push_back({row.image, fs::path(row.image).filename().string(), row.labels, row.en_caption, row.ar_caption});
  } else {
    if (!fs::is_directory(folder)) throw InputError(folder + " is neither a dataset (image_caption.csv) nor a folder of images");
    for (const auto& entry : fs::directory_iterator(folder))
      if (entry.is_regular_file() && is_image_file(entry.path()))
        images.push_back({entry.path().string(), entry.path().filename().string(), {}, {}, {}});
    std::sort(images.begin(), images.end(), [](const ImageEntry& a, const ImageEntry& b) { return a.name < b.name; });
  }
  state.dataset_folder = folder;
  state.label_columns = columns;
  state.filters.clear();
  state.images = std::move(images);
  state.selected = state.images.empty() ? -1 : 0;
  state.request_dirty = true;
  state.status = "opened " + folder + " (" + std::to_string(state.images.size()) + " images)";
}

void add_image_files(AppState& state, const std::vector<std::string>& paths) {
  int added = 0;
  for (const auto& path : paths) {
    if (fs::is_directory(path)) {
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

void open_workspace(AppState& state, const std::string& root) {
  const workspace::Workspace ws = workspace::Workspace::open(root);
  state.workspace = ws.root().string();
  if (ws.model().string() != state.model_folder) load_model_async(state, ws.model().string());
  open_image_folder(state, ws.dataset().string());
  const fs::path saes = ws.root() / "saes";
  if (fs::is_directory(saes))
    for (const auto& entry : fs::directory_iterator(saes))
      if (entry.is_directory()) state.sae_path = entry.path().string();
  state.status = "workspace " + state.workspace;
}

void new_workspace(AppState& state, const std::string& root) {
  if (state.dataset_folder.empty()) throw InputError("open a dataset folder first: a workspace names its model and dataset");
  workspace::Workspace::init(root, state.model_folder, state.dataset_folder);
  open_workspace(state, root);
}

void add_gender_direction(AppState& state, const std::string& hook, bool by_caption) {
  if (!state.model) throw InputError("the model is still loading; try again when the Jobs panel shows it loaded");
  // The open dataset's images when it has a gender column, else the bundled demo dataset's.
  bool from_dataset = false;
  if (!state.dataset_folder.empty() && fs::exists(fs::path(state.dataset_folder) / io::kDatasetCsvName)) {
    const io::Dataset dataset = io::load_dataset(state.dataset_folder);
    from_dataset = std::find(dataset.label_columns.begin(), dataset.label_columns.end(), "gender") != dataset.label_columns.end();
  }
  const std::vector<LabeledImage> images =
      dataset_gender_images(from_dataset ? state.dataset_folder : std::string(LOUPE_DEMO_IMAGES));
  auto model = state.model;
  Inbox* inbox = &state.inbox;
  const GenderLabel label = by_caption ? GenderLabel::Caption : GenderLabel::Figure;
  state.jobs.submit("gender direction at " + hook, [model, images, hook, label, inbox](jobs::JobContext& job) {
    auto direction = gender_direction(*model, images, hook, label, job);
    inbox->post_direction(direction);
    return nlohmann::json{{"hook", hook}, {"images", images.size()}};
  });
}

void add_file_direction(AppState& state, const std::string& file_colon_key, const std::string& hook) {
  Inbox* inbox = &state.inbox;
  state.jobs.submit("direction from " + file_colon_key, [file_colon_key, hook, inbox](jobs::JobContext& job) {
    inbox->post_direction(file_direction(file_colon_key, hook));
    job.log("read " + file_colon_key);
    return nlohmann::json{{"file", file_colon_key}};
  });
}

void add_sae_latent_direction(AppState& state, const std::string& sae_path, int64_t latent) {
  Inbox* inbox = &state.inbox;
  const std::string fallback_hook = state.steering_inputs.gender_hook;
  state.jobs.submit("SAE latent " + std::to_string(latent), [sae_path, latent, fallback_hook, inbox](jobs::JobContext& job) {
    inbox->post_direction(sae_latent_direction(sae_path, latent, fallback_hook));
    job.log("decoder row " + std::to_string(latent) + " of " + sae_path);
    return nlohmann::json{{"sae", sae_path}, {"latent", latent}};
  });
}

void start_extraction(AppState& state, const std::string& hook, const std::string& out, int64_t limit) {
  if (state.dataset_folder.empty() || !fs::exists(fs::path(state.dataset_folder) / io::kDatasetCsvName))
    throw InputError("open a dataset folder (one with image_caption.csv) first: extraction runs over its rows");
  if (out.empty()) throw InputError("name the store folder to write");
  const ExtractionRequest request{state.model_folder, state.dataset_folder, out, hook, limit};
  state.jobs.submit("extract " + hook + " → " + fs::path(out).filename().string(),
                    [request](jobs::JobContext& job) { return run_extraction(request, job); });
}

void select_image(AppState& state, int index) {
  if (index < 0 || index >= int(state.images.size())) return;
  if (index != state.selected) state.request_dirty = true;
  state.selected = index;
}

void pump_live(AppState& state) {
  for (auto& direction : state.inbox.take_directions()) {
    state.directions.push_back(direction);
    auto same = std::find_if(state.sliders.begin(), state.sliders.end(),
                             [&](const SteerSlider& s) { return s.direction->name == direction->name; });
    SteerSlider slider{direction, direction->hook, PositionSet::Image, 0.0f, direction->suggested_range};
    if (same != state.sliders.end()) {
      slider.alpha = same->alpha;
      *same = slider;
    } else {
      state.sliders.push_back(slider);
    }
    if (!state.heatmap.direction) state.heatmap.direction = direction;
    state.request_dirty = true;
  }
  if (auto model = state.inbox.take_model()) {
    state.model = model;
    state.model_info = model_info(*model);
    state.request_dirty = true;
  }
  state.live = state.worker.latest();
  const ImageEntry* image = state.selected_image();
  if (!state.request_dirty || !state.model || !image) return;
  LiveRequest request;
  request.model = state.model;
  request.image = image->path;
  for (const auto& slider : state.sliders)
    request.steers.push_back({slider.direction, slider.hook, slider.positions, double(slider.alpha)});
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

namespace loupe::ui {

namespace {

nlohmann::json caption_json(const CaptionText& caption) {
  nlohmann::json tokens = nlohmann::json::array();
  for (const auto& chip : caption.tokens)
    tokens.push_back({{"id", chip.id}, {"text", chip.text}, {"probability", chip.probability}, {"changed", chip.changed}});
  return {{"lang", caption.lang}, {"text", caption.text}, {"tokens", tokens}};
}

}  // namespace

void export_session(AppState& state, const std::string& folder) {
  fs::create_directories(folder);
  nlohmann::json out = {{"model", state.model_folder}, {"steers", nlohmann::json::array()}};
  for (const auto& slider : state.sliders)
    out["steers"].push_back({{"direction", slider.direction->name}, {"hook", slider.hook},
                             {"positions", position_set_name(slider.positions)}, {"alpha", slider.alpha}});
  if (state.live) {
    out["image"] = state.live->image;
    for (int l = 0; l < 2; ++l) {
      out["baseline"].push_back(caption_json(state.live->baseline[l]));
      out["steered"].push_back(caption_json(state.live->steered[l]));
    }
  }
  util::write_file_atomic((fs::path(folder) / "session.json").string(), out.dump(2) + "\n");
  if (!state.directions.empty()) export_directions((fs::path(folder) / "directions.safetensors").string(), state.directions);
  state.status = "exported to " + folder + " (session.json" + (state.directions.empty() ? "" : ", directions.safetensors") + ")";
}

}  // namespace loupe::ui
