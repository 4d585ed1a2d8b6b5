// Everything the panels read and change, owned by the UI thread. Workers never touch it: they
// publish immutable results (LiveWorker::latest, JobRunner snapshots, the Inbox) that the UI
// thread picks up once per frame. Torch-free.
#pragma once
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/jobs/runner.h"
#include "ui/app/workspace_results.h"
#include "ui/live/live_worker.h"
#include "core/study/dose_response_run.h"
#include "core/study/patch_types.h"
#include "ui/live/analysis_job.h"
#include "ui/live/latent_thumbnails_job.h"
#include "ui/live/map_job.h"
#include "ui/live/sae_training_job.h"
#include "ui/live/model_info.h"
#include "ui/render/plot_widget.h"
#include "ui/text/shape_cache.h"

namespace loupe::ui {

class TextureCache;
class HeatmapView;
struct Fonts;

struct ImageEntry {
  std::string path;
  std::string name;                           // file name, shown under the thumbnail
  std::map<std::string, std::string> labels;  // the dataset's label columns
  std::string en_reference, ar_reference;     // the dataset's captions, when it has them
};

// A slider in the Steering panel.
struct SteerSlider {
  std::shared_ptr<const Direction> direction;
  std::string hook;
  PositionKind positions = PositionKind::Image;
  float alpha = 0;
  float range = 10;  // the slider spans [-range, range]
  SteerMode mode = SteerMode::Additive;  // additive, orthogonal or cap (docs/interventions.md)
};

// The text fields of the Steering panel's "Add a direction" section.
struct SteeringInputs {
  std::string gender_hook = "blocks.0.hook_resid_post";
  bool gender_by_caption = true;
  char file[1024] = {};
  char sae[1024] = {};
  int latent = 0;
};

// The fields of the Jobs panel's "Extract activations" form.
struct ExtractionInputs {
  std::string hook = "blocks.1.hook_resid_post";
  char out[1024] = {};
  int limit = 100;
  std::string positions = "text", langs = "both", source = "caption";  // as `loupe extract` takes them
};

// What the "open images" job read: a dataset (image_caption.csv, labels become filters) or a
// plain folder of images.
struct ImageList {
  std::string folder;
  bool demo = false;  // the bundled demo images: shown, but not treated as the open dataset
  std::vector<std::string> label_columns;
  std::vector<ImageEntry> images;
};

// What the "open workspace" job read from workspace.json and saes/.
struct OpenedWorkspace {
  std::string root, model, dataset;
  std::string sae;  // the newest SAE folder (workspace::newest_sae), empty when none
};

// Results that jobs hand back to the UI thread (drained once per frame). Jobs hold it through a
// shared_ptr, so a job still running while the app closes posts into a live inbox.
class Inbox {
 public:
  void post_direction(std::shared_ptr<const Direction> direction);
  void post_model(std::shared_ptr<const LoadedModel> model);
  void post_images(ImageList images);
  void post_workspace(OpenedWorkspace workspace);
  void post_status(std::string line);
  void post_sliders(std::vector<SteerSlider> sliders);  // a loaded steering set, all at once
  void post_adapter(std::shared_ptr<const LoadedAdapter> adapter);
  void post_results(std::shared_ptr<const WorkspaceResults> results);
  std::shared_ptr<const WorkspaceResults> take_results();
  std::shared_ptr<const LoadedAdapter> take_adapter();
  std::vector<std::shared_ptr<const Direction>> take_directions();
  std::vector<SteerSlider> take_sliders();
  std::shared_ptr<const LoadedModel> take_model();
  std::optional<ImageList> take_images();  // the newest list posted since the last take
  std::optional<OpenedWorkspace> take_workspace();
  std::optional<std::string> take_status();

 private:
  std::mutex mutex_;
  std::vector<std::shared_ptr<const Direction>> directions_;
  std::vector<SteerSlider> sliders_;
  std::shared_ptr<const LoadedModel> model_;
  std::shared_ptr<const LoadedAdapter> adapter_;
  std::shared_ptr<const WorkspaceResults> results_;
  std::optional<ImageList> images_;
  std::optional<OpenedWorkspace> workspace_;
  std::optional<std::string> status_;
};

enum Panel {
  kImagesPanel, kCaptionPanel, kHeatmapPanel, kSteeringPanel, kJobsPanel,
  kBiasPanel, kMapsPanel, kFeaturesPanel, kFeaturePagePanel, kStudyPanel, kPatchingPanel,  // hidden until opened
  kPanelCount
};
const char* panel_name(Panel panel);  // "images", "caption", ... (script names)
const char* panel_title(Panel panel);  // "Images", "Caption", ...

// The results panels' own state: what is selected, sorted and searched. The results are read by a job.
struct BiasView {
  std::string figure;  // the selected figure's id
  int table = 0;       // the shown table (summary, mitigation)
  bool show_table = false;
  PlotWidget plot;
};

struct MapsView {
  int map = 0;                                 // index into results->maps
  std::string colour_by = "figure_gender";     // a label column
  std::string plotted;                         // map id + colour column the plot was made for
  std::vector<std::vector<size_t>> series_rows;  // per plot series, its points' rows
  std::vector<size_t> selected;                // rows inside the last box
  char direction_name[128] = "selection";
  PlotWidget plot;
  MapInputs recompute;  // the Recompute form: method, perplexity, seed (hook and name below)
  char recompute_hook[256] = "blocks.2.hook_resid_post", recompute_name[128] = "maps-gui", recompute_sae[128] = {};
  jobs::JobId recompute_job = 0;
};

struct FeaturesView {
  int analysis = 0;  // index into results->latents
  char search[128] = {};
  bool language_specific = false, aligned = false, gendered = false;  // filters
  int sort_column = 0;  // into LatentsResult::columns
  bool descending = false;
  int table_sort_shown = -1;  // sort_column * 2 + descending as the table's header shows it
  std::vector<int64_t> rows;  // the latents shown, filtered and sorted
  bool rows_dirty = true;
  int64_t latent = -1;        // the latent of the Feature page
  int64_t histogram_of = -1;  // the latent the page's histogram was made for
  PlotWidget histogram;
  jobs::JobId thumbnails_job = 0;   // the page's thumbnail heatmaps (a LatentThumbnails result)
  std::string thumbnails_of;        // "SAE folder|latent" they were asked for
};

// One SAE training started from the Study panel: its live metrics, sampled once per frame from
// the job's snapshot whenever its step count moved, so the curves keep growing with the panel closed.
struct TrainingCurve {
  jobs::JobId job = 0;
  std::string name;
  int64_t last_done = -1;
  int64_t batch = 1;  // vectors a step: the x axis counts tokens, steps × batch
  std::vector<double> tokens, mse, explained_variance, l0, dead_fraction;
  PlotWidget quality, error, active;  // explained variance and dead share; MSE; L0
  size_t plotted_points = 0;
};

struct StudyView {
  AnalysisInputs analysis;  // the analyses form: store, hooks, split (the name below)
  char analysis_hooks[512] = {}, analysis_split[64] = {}, analysis_name[128] = "layers", analysis_sae[128] = {};
  jobs::JobId analysis_job = 0;
  SaeTrainingInputs inputs;
  char hook[256] = "blocks.2.hook_resid_post", store[128] = "acts", name[128] = "sae";
  int kind = 0;  // 0 topk, 1 relu
  std::vector<TrainingCurve> curves;
};

// The Patching panel: the pair to sweep, the sweep shown, the cell clicked and its captions.
struct PatchingView {
  int pair = -1;  // index into results->pairs; -1: the images typed below
  char clean[1024] = {}, corrupt[1024] = {};
  int lang = 0;  // 0 en, 1 ar
  char name[128] = "patch-gui";
  jobs::JobId sweep_job = 0;
  int sweep = 0;        // index into results->patches
  std::string plotted;  // the figure id the plot was made for
  PlotWidget plot;
  int64_t image_layer = 0;                  // the layer whose image cells are drawn over the clean image
  std::optional<study::PatchCell> cell;     // the cell clicked
  jobs::JobId captions_job = 0;             // its captions, read from the job's result
};

// The Steering panel's dose-response sweep: the sliders over an alpha range on a dataset split.
struct DoseSweepView {
  float from = -4, to = 4, step = 2;
  char split[64] = "balanced", name[128] = "steer-gui";
  int limit = 8;
  jobs::JobId job = 0;
  std::string shown;    // the sweep asked for (its analysis name); the first one while the results lack it
  std::string plotted;  // the sweep the plots were made for
  PlotWidget dose, likelihood;
};

// A panel's place as fractions of the window below the menu bar.
struct PanelPlace {
  float x = 0, y = 0, w = 1, h = 1;
};

struct AppState {
  // Model and data
  std::string model_folder;
  std::shared_ptr<const LoadedModel> model;  // null until the load job finishes
  ModelInfo model_info;
  std::string dataset_folder;  // empty: the bundled demo images
  std::string workspace;       // empty: none open
  std::vector<std::string> label_columns;
  std::vector<ImageEntry> images;
  std::map<std::string, std::string> filters;  // label column → value ("" = any)
  int selected = -1;                           // index into images

  // The live loop
  std::vector<SteerSlider> sliders;
  std::vector<std::shared_ptr<const Direction>> directions;  // every direction made so far
  // The mode and positions a slider gets when its direction arrives ("Ablate this": orthogonal at 0).
  std::map<std::string, std::pair<SteerMode, PositionKind>> pending_slider_modes;
  HeatmapSpec heatmap;
  SteeringInputs steering_inputs;
  ExtractionInputs extraction_inputs;
  std::string sae_path;  // an SAE folder for latent sliders and heatmaps
  std::shared_ptr<const LoadedAdapter> adapter;  // a LoRA adapter of the loaded model (null: none read)
  bool use_adapter = false;                      // the adapter switch: captions with it beside those without
  char adapter_input[1024] = {};                 // the caption panel's adapter folder field
  float heat_opacity = 0.6f;
  bool heat_over_tokens = true;
  PlotWidget heatmap_figure;       // the heatmap's patch grid as a figure, for PNG / SVG / CSV export
  uint64_t heatmap_figure_of = 0;  // the live result it was made from
  std::shared_ptr<const LiveResult> live;  // newest published result
  uint64_t last_request = 0;               // id of the newest request sent
  bool request_dirty = true;               // something changed since the last request

  // The open workspace's results (analyses/, saes/), read by a job when it opens or on Refresh.
  std::shared_ptr<const WorkspaceResults> results;
  jobs::JobId results_job = 0;
  BiasView bias;
  MapsView maps;
  FeaturesView features;
  StudyView study;
  PatchingView patching;
  DoseSweepView dose;
  std::vector<jobs::JobId> results_writers;  // jobs that write results: the results are read again when one succeeds

  bool show[kPanelCount] = {true, true, true, true, true, false, false, false, false, false, false};
  std::map<int, PanelPlace> placements;  // panels to move and size on the next frame (script place-panel)
  std::string status;             // one line in the status bar (last error or notice)
  jobs::JobId reported_failure = 0;  // the newest failed job already shown in the status bar

  std::shared_ptr<Inbox> inbox = std::make_shared<Inbox>();
  ShapeCache shaper;
  LiveWorker worker;
  // Declared last, so it is destroyed first: its destructor cancels and joins the running jobs
  // before anything they might touch goes. Every file read or write runs here, never on the UI
  // thread: one long lane (extraction) and one short lane (model load, images, directions, export).
  jobs::JobRunner jobs{1, 1};

  TextureCache* textures = nullptr;
  HeatmapView* heatmap_view = nullptr;
  Fonts* fonts = nullptr;

  const ImageEntry* selected_image() const {
    return selected >= 0 && selected < int(images.size()) ? &images[size_t(selected)] : nullptr;
  }
  bool image_visible(const ImageEntry& image) const;  // passes the label filters
};

// Actions shared by the menu, panels, drag and drop and the script runner.
void load_model_async(AppState& state, const std::string& folder);
// Reads a dataset folder (or an image_caption.csv) or a plain folder of images. Throws loupe errors.
ImageList list_images(const std::string& folder);
// The actions below only submit jobs; failures show in the Jobs panel and the status bar.
void open_image_folder(AppState& state, const std::string& folder);  // a dataset or a plain folder of images
void open_demo_images(AppState& state);
void add_image_files(AppState& state, const std::vector<std::string>& paths);  // drag and drop
void open_workspace(AppState& state, const std::string& root);
void new_workspace(AppState& state, const std::string& root);
void add_gender_direction(AppState& state, const std::string& hook, bool by_caption);
void add_file_direction(AppState& state, const std::string& file_colon_key, const std::string& hook);
void add_sae_latent_direction(AppState& state, const std::string& sae_path, int64_t latent);  // at the SAE's hook
jobs::JobId export_session(AppState& state, const std::string& folder);  // session.json + directions.safetensors
// The sliders as a steering set (core/study/steering_set.h), the file `loupe steer --set` reads:
// FILE.json and, beside it, FILE.safetensors with the directions it names. Throws InputError with
// no slider or a path not ending in .json.
jobs::JobId save_steering_set(AppState& state, const std::string& path);
// The Steering panel's Sweep: the sliders saved as W/steering/NAME.json (and .safetensors), then
// `loupe steer --split` over `run` on the loaded model (both languages), written to
// W/analyses/NAME/ and drawn by the panel when read back. Throws InputError with no workspace,
// model or slider, or a bad name.
jobs::JobId start_dose_response(AppState& state, study::DoseResponseRun run);
// Reads a steering set on a job; its steers replace sliders of the same name or are added, with
// their modes. Only steers at all, image, text, template or non-image positions fit a slider; one
// at a list of positions is refused, naming the entry, and nothing is loaded.
jobs::JobId load_steering_set(AppState& state, const std::string& path);
// File > Export report: the open workspace's study report (`loupe report`'s formats html, md, json
// and pdf, the pdf when Chromium is installed) in `folder`, as a job on the long lane; its status
// line names the folder and the counts. Throws InputError when no workspace is open.
jobs::JobId export_report(AppState& state, const std::string& folder);
// Reads a LoRA adapter folder for the loaded model on a job and switches it on when read; a new
// model drops it. Throws InputError when no model is loaded yet.
jobs::JobId load_adapter_async(AppState& state, const std::string& folder);
// An activation store of the open dataset at one hook (core/store), as a job.
// `positions`, `langs` and `source` as `loupe extract --positions --langs --source` take them.
void start_extraction(AppState& state, const std::string& hook, const std::string& out, int64_t limit,
                      const std::string& positions = "text", const std::string& langs = "both",
                      const std::string& source = "caption");
void select_image(AppState& state, int index);
// Reads the open workspace's results on a job (short lane); they replace `state.results` when read.
// Throws InputError when no workspace is open.
jobs::JobId load_results(AppState& state);
// The figure a panel shows now (an empty ShownPlot for a panel without one; the Bias panel's
// table when it shows one: no figure, its CSV).
ShownPlot shown_plot(const AppState& state, Panel panel);
// Writes the figure as it is on screen: PNG (rendered off-screen at 2x on the UI thread, a GL
// context current; encoded and written by a job), SVG (report::svg of the same shapes) or its
// table as CSV, by the path's extension, each file atomically. Throws InputError for another
// extension, a panel that shows no figure yet (a table alone exports to CSV), or CSV of a figure
// with no table.
jobs::JobId export_plot(AppState& state, const ShownPlot& plot, const std::string& path);
// Submits a job that writes into the open workspace (an SAE, a sweep, an analysis) on the long
// lane; the workspace's results are read again when it succeeds.
jobs::JobId submit_results_writer(AppState& state, std::string name, jobs::JobFunction fn);
// `loupe analyze probe|rank|summary|lens` of the open workspace as a job on the long lane; the results
// are read again when it succeeds. Throws InputError when no workspace is open.
jobs::JobId start_analysis(AppState& state, AnalysisInputs inputs);
// Trains an SAE on the open workspace's store as `loupe train-sae` does, on the long lane; its
// curves are sampled into state.study.curves; the results are read again when it succeeds.
// Throws InputError when no workspace is open.
jobs::JobId start_sae_training(AppState& state, SaeTrainingInputs inputs);
// A patch sweep of the loaded model over every position (`loupe patch-sweep` with the exact method)
// in the open workspace, written to analyses/NAME/ and shown in the Patching panel when read back.
// Throws InputError with no workspace or model, or an image path left empty.
jobs::JobId start_patch_sweep(AppState& state, const study::GenderPatchRequest& request, const std::string& name);
// One cell of the shown sweep: its patched captions in both languages, as a job (short lane) whose
// result the panel reads. Throws InputError with no model or a sweep whose images were not logged.
jobs::JobId start_patch_captions(AppState& state, const PatchResult& sweep, const study::PatchCell& cell);
// The Feature page's thumbnails: the latent's patch heatmap on each distinct (image, language) of
// its examples, captioned again on a job (short lane) whose LatentThumbnails result the page reads.
// Throws InputError when no model is loaded yet.
jobs::JobId start_latent_thumbnails(AppState& state, const std::string& sae_folder, int64_t latent,
                                    std::vector<std::pair<std::string, std::string>> examples);
// The Maps panel's Recompute: `loupe analyze embed` of the open workspace's store at one hook (or
// of an SAE's decoder directions), as a job on the long lane, shown when read back. Throws
// InputError with no workspace, or neither or both of a hook and an SAE.
jobs::JobId start_map(AppState& state, MapInputs inputs);
// The Maps panel's selection as a direction (the selected entries' mean minus the rest's), saved in
// the workspace's directions/ and added as a slider, on a job.
jobs::JobId add_selection_direction(AppState& state, const std::string& name);
// Sends a new request to the live worker when something changed (called once per frame).
void pump_live(AppState& state);
// Nothing is computing: no live request in flight, no job running, the model loaded.
bool app_idle(const AppState& state);

}  // namespace loupe::ui
