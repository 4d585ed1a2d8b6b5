// The desktop app's state and actions without a window: every file is read or written on a job
// thread and reaches the UI thread through the inbox; failures are shown, never thrown out of the
// frame; jobs still running when the app closes find their inbox alive.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "cli_run.h"
#include "core/error.h"
#include "core/report/svg.h"
#include "core/util/atomic_file.h"
#include "core/study/steering_set.h"
#include "core/workspace/saes.h"
#include "core/workspace/workspace.h"
#include "support/temp_dir.h"
#include "ui/app/app_state.h"
#include "ui/panels/panels.h"

using namespace loupe;
using namespace loupe::ui;
namespace fs = std::filesystem;

namespace {

const std::string kDemoModel = LOUPE_SOURCE_DIR "/assets/models/demo";
const std::string kDemoImages = LOUPE_SOURCE_DIR "/assets/demo/images";

// Waits for every job submitted so far, then lets the UI thread's pump take what they posted.
void settle(AppState& state) {
  for (const auto& job : state.jobs.snapshots()) state.jobs.wait(job->id);
  pump_live(state);
}

// The message of a job that was to fail, once it has (empty, and a failed check, if it did not).
std::string refusal(AppState& state, jobs::JobId id) {
  settle(state);
  const auto job = state.jobs.snapshot(id);
  CHECK(job->state == jobs::JobState::Failed);
  return job->error_message;
}

}  // namespace

TEST_CASE("a job still running when the app state goes posts into a live inbox", "[gui][app]") {
  auto state = std::make_unique<AppState>();
  std::shared_ptr<Inbox> inbox = state->inbox;
  load_model_async(*state, kDemoModel);  // a real load in flight while the state is destroyed
  std::atomic<bool> started{false};
  state->jobs.submit("late", [inbox, &started](jobs::JobContext& job) {
    started = true;
    while (!job.cancel_requested()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    inbox->post_status("posted while the app closed");  // after AppState began to go
    return nlohmann::json{};
  });
  while (!started) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  state.reset();  // the runner is destroyed first: it cancels and joins the running jobs
  CHECK(inbox.use_count() == 1);
  CHECK(inbox->take_status() == std::optional<std::string>("posted while the app closed"));
}

TEST_CASE("opening a folder reads it on a job thread and the images arrive through the inbox", "[gui][app]") {
  AppState state;
  open_image_folder(state, kDemoImages);
  CHECK(state.images.empty());  // nothing changes on the UI thread until the pump takes the list
  settle(state);
  REQUIRE(state.images.size() == 10);
  CHECK(state.dataset_folder == kDemoImages);
  CHECK(std::find(state.label_columns.begin(), state.label_columns.end(), "gender") != state.label_columns.end());
  CHECK(state.selected == 0);

  open_demo_images(state);
  settle(state);
  CHECK(state.images.size() == 10);
  CHECK(state.dataset_folder.empty());  // the bundled demo images are not the open dataset
}

TEST_CASE("a dropped folder with a malformed image_caption.csv is reported, not thrown", "[gui][app]") {
  test::TempDir dir("app-bad-csv");
  dir.write("image_caption.csv", "image,en_caption\n\"unterminated.png,a caption\n");
  AppState state;
  open_image_folder(state, kDemoImages);
  settle(state);
  REQUIRE(state.images.size() == 10);
  REQUIRE_NOTHROW(add_image_files(state, {dir.path.string()}));
  settle(state);
  CHECK(state.images.size() == 10);  // the open images stay
  CHECK(state.status.find("failed") != std::string::npos);
  CHECK(state.status.find("image_caption.csv") != std::string::npos);
}

TEST_CASE("opening a workspace picks its newest SAE, whatever the directory order", "[gui][app]") {
  test::TempDir dir("app-workspace");
  const fs::path root = dir.path / "study";
  workspace::Workspace::init(root, kDemoModel, kDemoImages);
  const auto now = fs::file_time_type::clock::now();
  for (const auto& [name, age_hours] : {std::pair<const char*, int>{"older", 2}, {"newest", 1}, {"oldest", 3}}) {
    fs::create_directories(root / "saes" / name);
    std::ofstream(root / "saes" / name / "cfg.json") << "{}";
    fs::last_write_time(root / "saes" / name / "cfg.json", now - std::chrono::hours(age_hours));
  }
  fs::create_directories(root / "saes" / "not-an-sae");  // no cfg.json: never chosen
  CHECK(workspace::newest_sae(root / "saes") == root / "saes" / "newest");

  AppState state;
  state.model_folder = fs::weakly_canonical(kDemoModel).string();
  open_workspace(state, root.string());
  settle(state);  // the workspace job posts; the pump then submits the image listing
  settle(state);
  CHECK(state.sae_path == (root / "saes" / "newest").string());
  CHECK(state.images.size() == 10);
  CHECK(state.status.find("newest") == std::string::npos);  // the last status is the image listing's
}

TEST_CASE("export writes its files on a job thread", "[gui][app]") {
  test::TempDir dir("app-export");
  AppState state;
  const jobs::JobId id = export_session(state, (dir.path / "out").string());
  const auto done = state.jobs.wait(id);
  INFO(done->error_message);
  REQUIRE(done->state == jobs::JobState::Succeeded);
  pump_live(state);
  CHECK(fs::exists(dir.path / "out" / "session.json"));
  CHECK_FALSE(fs::exists(dir.path / "out" / "directions.safetensors"));  // no direction was made
  CHECK(state.status.find("exported to") == 0);
}

namespace {

std::string shell_quoted(const std::string& word) {
  std::string quoted = "'";
  for (char c : word) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

// Pumps the UI loop until the live worker has published the newest request's result.
std::shared_ptr<const LiveResult> live_result(AppState& state) {
  for (int i = 0; i < 6000; ++i) {
    pump_live(state);
    if (state.live && state.live->request_id == state.last_request && state.worker.idle() && !state.request_dirty)
      return state.live;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  FAIL("no live result within 60 s");
  return nullptr;
}

// The demo model on kitchen.png with the caption-gender slider at blocks.0 moved to -2.25: the
// live worker's steered result.
std::shared_ptr<const LiveResult> steered_kitchen(AppState& state) {
  load_model_async(state, kDemoModel);
  open_demo_images(state);
  settle(state);
  REQUIRE(state.model);
  const auto kitchen = std::find_if(state.images.begin(), state.images.end(), [](const ImageEntry& e) { return e.name == "kitchen.png"; });
  REQUIRE(kitchen != state.images.end());
  select_image(state, int(kitchen - state.images.begin()));
  add_gender_direction(state, "blocks.0.hook_resid_post", true);
  settle(state);
  REQUIRE(state.sliders.size() == 1);
  state.sliders[0].alpha = -2.25f;
  state.request_dirty = true;
  const auto live = live_result(state);
  INFO(live->error);
  REQUIRE(live->steering);
  return live;
}

}  // namespace

TEST_CASE("a steered session exported from the app replays headless to the same captions", "[gui][app][replay]") {
  test::TempDir dir("app-replay");
  AppState state;
  const auto additive = steered_kitchen(state);
  CHECK(additive->steered[0].text.find("a man ") == 0);  // the slider flips the kitchen caption

  // Each mode's session replays to the caption the app showed, word for word.
  const auto check_replay = [&](const std::shared_ptr<const LiveResult>& live, const std::string& folder, const char* mode) {
    const jobs::JobId id = export_session(state, (dir.path / folder).string());
    REQUIRE(state.jobs.wait(id)->state == jobs::JobState::Succeeded);
    const nlohmann::json session = nlohmann::json::parse(std::ifstream(dir.path / folder / "session.json"));
    CHECK(session["steers"][0]["mode"] == mode);
    REQUIRE(session["replay"].size() == 2);
    for (int l = 0; l < 2; ++l) {
      const nlohmann::json& replay = session["replay"][l];
      std::string arguments;
      for (const auto& word : replay["argv"]) arguments += " " + shell_quoted(word.get<std::string>());
      const test::CliRun run = test::run_loupe(arguments);
      INFO(arguments << "\n" << run.err);
      REQUIRE(run.status == 0);
      CHECK(run.out == live->steered[l].text + "\n");
      CHECK(replay["lang"] == language_code(live->steered[l].lang));
    }
  };
  check_replay(additive, "additive", "additive");
  state.sliders[0].mode = SteerMode::Orthogonal;
  state.sliders[0].alpha = -4.0f;
  state.request_dirty = true;
  check_replay(live_result(state), "orthogonal", "orthogonal");
}

TEST_CASE("an extraction started in the app is logged to the workspace's runs.jsonl as the CLI's is", "[gui][app][store]") {
  test::TempDir dir("app-extract");
  const fs::path root = dir.path / "study";
  workspace::Workspace::init(root, kDemoModel, kDemoImages);
  const std::string hook = "blocks.1.hook_resid_post";
  const test::CliRun cli = test::run_loupe("extract --workspace " + shell_quoted(root.string()) + " --out cli --hooks " +
                                           hook + " --limit 2");
  INFO(cli.err);
  REQUIRE(cli.status == 0);

  AppState state;
  state.model_folder = workspace::Workspace::open(root).model().string();
  open_workspace(state, root.string());
  settle(state);  // the workspace job posts; the pump then submits the image listing
  settle(state);
  REQUIRE(state.dataset_folder == workspace::Workspace::open(root).dataset().string());
  start_extraction(state, hook, (root / "stores" / "gui").string(), 2);
  settle(state);
  for (const auto& job : state.jobs.snapshots()) {
    INFO(job->name << ": " << job->error_message);
    CHECK(job->state == jobs::JobState::Succeeded);
  }

  CHECK(state.workspace == workspace::Workspace::open(root).root().string());
  const auto runs = workspace::Workspace::open(root).runs();
  REQUIRE(runs.size() == 2);  // the CLI's extract, the app's (Workspace::init logs nothing)
  const workspace::RunRecord& from_cli = runs[0];
  const workspace::RunRecord& from_app = runs[1];
  CHECK(from_app.command == "extract");
  CHECK(from_app.outcome == "ok");
  CHECK(from_app.parameters["out"] == "gui");  // the store's name, as the CLI records it
  nlohmann::json app_parameters = from_app.parameters, cli_parameters = from_cli.parameters;
  app_parameters.erase("out");
  cli_parameters.erase("out");
  CHECK(app_parameters == cli_parameters);
  CHECK(from_app.message == from_cli.message);
  REQUIRE(from_app.inputs.size() == from_cli.inputs.size());  // the model's files and image_caption.csv
  for (size_t i = 0; i < from_app.inputs.size(); ++i) {
    CHECK(from_app.inputs[i].path == from_cli.inputs[i].path);
    CHECK(from_app.inputs[i].sha256 == from_cli.inputs[i].sha256);
  }

  start_extraction(state, "blocks.9.hook_resid_post", (root / "stores" / "typo").string(), 2);
  settle(state);
  const auto failed = workspace::Workspace::open(root).runs();
  REQUIRE(failed.size() == 3);
  CHECK(failed.back().outcome == "failed");
  CHECK_THAT(failed.back().message, Catch::Contains("blocks.9"));

  // Positions, languages and captions as `loupe extract --positions --langs --source` take them.
  const test::CliRun chosen = test::run_loupe("extract --workspace " + shell_quoted(root.string()) + " --out cli2 --hooks " +
                                              hook + " --limit 2 --positions all --langs ar --source generate");
  INFO(chosen.err);
  REQUIRE(chosen.status == 0);
  start_extraction(state, hook, (root / "stores" / "gui2").string(), 2, "all", "ar", "generate");
  settle(state);
  const auto both = workspace::Workspace::open(root).runs();
  REQUIRE(both.size() == 5);
  CHECK(both[4].outcome == "ok");
  nlohmann::json cli2 = both[3].parameters, app2 = both[4].parameters;
  cli2.erase("out");
  app2.erase("out");
  CHECK(app2 == cli2);
  CHECK(app2["positions"] == "all");
  CHECK(both[4].message == both[3].message);
}

TEST_CASE("the sliders saved as a steering set load back and replay with loupe steer", "[gui][app][steering]") {
  test::TempDir dir("app-steering-set");
  const fs::path root = dir.path / "study";
  workspace::Workspace::init(root, kDemoModel, kDemoImages);
  AppState state;
  const auto live = steered_kitchen(state);

  const fs::path set = root / "steering" / "app.json";
  const jobs::JobId saved = save_steering_set(state, set.string());
  REQUIRE(state.jobs.wait(saved)->state == jobs::JobState::Succeeded);
  CHECK(fs::exists(root / "steering" / "app.safetensors"));

  // The CLI reads the same file and gets the caption the app showed.
  const test::CliRun run = test::run_loupe("steer --workspace " + shell_quoted(root.string()) + " --image " +
                                           shell_quoted(live->image) + " --set " + shell_quoted(set.string()) + " --json");
  INFO(run.err);
  REQUIRE(run.status == 0);
  const auto steered = nlohmann::json::parse(run.out)["steps"][0];
  CHECK(steered["en"] == live->steered[0].text);
  CHECK(steered["ar"] == live->steered[1].text);

  AppState loaded;
  const jobs::JobId read = load_steering_set(loaded, set.string());
  REQUIRE(loaded.jobs.wait(read)->state == jobs::JobState::Succeeded);
  pump_live(loaded);
  REQUIRE(loaded.sliders.size() == 1);
  CHECK(loaded.sliders[0].alpha == -2.25f);
  CHECK(loaded.sliders[0].hook == "blocks.0.hook_resid_post");
  CHECK(loaded.sliders[0].positions == PositionKind::Image);
  CHECK(loaded.sliders[0].direction->values == state.sliders[0].direction->values);

  // A capping steer becomes a slider in cap mode, and saves back as one.
  std::ofstream(root / "steering" / "cap.json")
      << R"([{"hook": "blocks.0.hook_resid_post", "direction": "app.safetensors:gender-caption", "alpha": 1, "mode": "cap"}])";
  AppState capped;
  REQUIRE(capped.jobs.wait(load_steering_set(capped, (root / "steering" / "cap.json").string()))->state == jobs::JobState::Succeeded);
  pump_live(capped);
  REQUIRE(capped.sliders.size() == 1);
  CHECK(capped.sliders[0].mode == SteerMode::Cap);
  REQUIRE(capped.jobs.wait(save_steering_set(capped, (root / "steering" / "cap-again.json").string()))->state ==
          jobs::JobState::Succeeded);
  CHECK(study::read_steering_set(root / "steering" / "cap-again.json")[0].mode == SteerMode::Cap);

  // A steer no slider can show (at a list of positions) is refused, naming the entry; nothing is loaded.
  std::ofstream(root / "steering" / "list.json")
      << R"([{"hook": "blocks.0.hook_resid_post", "direction": "app.safetensors:gender-caption", "alpha": 1, "positions": "6,14"}])";
  AppState refused;
  const jobs::JobId listed = load_steering_set(refused, (root / "steering" / "list.json").string());
  const auto failed = refused.jobs.wait(listed);
  CHECK(failed->state == jobs::JobState::Failed);
  CHECK_THAT(failed->error_message, Catch::Contains("[0]") && Catch::Contains("not at a list"));
  pump_live(refused);
  CHECK(refused.sliders.empty());
  CHECK_THROWS_AS(save_steering_set(refused, (root / "steering" / "empty.json").string()), InputError);
}

TEST_CASE("File > Export report writes the report loupe report writes of the open workspace", "[gui][app][report]") {
  test::TempDir dir("app-report");
  const fs::path root = dir.path / "study";
  for (const std::string& command :
       {"init --workspace " + shell_quoted(root.string()) + " --model " + shell_quoted(kDemoModel) + " --dataset " + shell_quoted(kDemoImages),
        "extract --workspace " + shell_quoted(root.string()) + " --hooks blocks.1.hook_resid_post --limit 2"}) {
    const test::CliRun run = test::run_loupe(command);
    INFO(command << ": " << run.err);
    REQUIRE(run.status == 0);
  }
  AppState state;
  CHECK_THROWS_AS(export_report(state, (dir.path / "nowhere").string()), InputError);  // no workspace open yet
  state.model_folder = kDemoModel;
  open_workspace(state, root.string());
  settle(state);
  settle(state);
  REQUIRE(state.workspace == workspace::Workspace::open(root).root().string());
  const fs::path from_app = dir.path / "app-report";
  export_report(state, from_app.string());
  settle(state);
  for (const auto& job : state.jobs.snapshots()) {
    INFO(job->name << ": " << job->error_message);
    CHECK(job->state == jobs::JobState::Succeeded);
  }
  CHECK_THAT(state.status, Catch::Contains("report written to " + from_app.string()) && Catch::Contains("sections"));
  for (const char* file : {"report.html", "report.md", "report.json"}) CHECK(fs::is_regular_file(from_app / file));

  const fs::path from_cli = dir.path / "cli-report";
  const test::CliRun cli = test::run_loupe("report --workspace " + shell_quoted(root.string()) + " --out " + shell_quoted(from_cli.string()));
  INFO(cli.err);
  REQUIRE(cli.status == 0);
  const auto section_ids = [](const fs::path& folder) {
    std::vector<std::string> ids;
    std::ifstream file(folder / "report.json");
    const nlohmann::json report = nlohmann::json::parse(file);
    for (const nlohmann::json& section : report.at("sections")) ids.push_back(section.at("id"));
    return ids;
  };
  CHECK(section_ids(from_app) == section_ids(from_cli));
  CHECK(section_ids(from_app).size() >= 2);  // model and data, provenance
}

TEST_CASE("the results panels read a workspace's analyses on a job, export figures and make a map selection a direction",
          "[gui][app][results]") {
  test::TempDir dir("app-results");
  const fs::path root = dir.path / "study";
  const std::string ws = shell_quoted(root.string());
  for (const std::string& command :
       {"init --workspace " + ws + " --model " + shell_quoted(kDemoModel) + " --dataset " + shell_quoted(kDemoImages),
        "extract --workspace " + ws + " --hooks blocks.1.hook_resid_post --positions all",
        "analyze probe --workspace " + ws + " --out layers --folds 2",
        "analyze embed --workspace " + ws + " --hooks blocks.1.hook_resid_post --out maps",
        "train-sae --workspace " + ws + " --hook blocks.1.hook_resid_post --out s --expansion 2 --k 4 --tokens 2000 --batch 64",
        "analyze features --workspace " + ws + " --sae s --out f"}) {
    const test::CliRun run = test::run_loupe(command);
    INFO(command << ": " << run.err);
    REQUIRE(run.status == 0);
  }
  std::ofstream(root / "analyses" / "layers" / "broken-pca.csv") << "entry,x,y\n0,1,not-a-number\n";

  AppState state;
  CHECK_THROWS_AS(load_results(state), InputError);  // no workspace open yet
  state.model_folder = kDemoModel;
  open_workspace(state, root.string());
  settle(state);
  settle(state);
  REQUIRE(state.results);
  const WorkspaceResults& results = *state.results;

  // Every figure the report draws, plus the top latents per language; each drawn or failing alone.
  std::vector<std::string> ids;
  for (const FigureResult& figure : results.figures) {
    INFO(figure.figure.id << ": " << figure.error);
    ids.push_back(figure.figure.id);
    if (figure.figure.id != "layers/broken-pca") CHECK(figure.plot);
  }
  for (const char* id : {"layers/probe", "maps/blocks.1.hook_resid_post-pca", "f/alignment", "f/top-latents-en", "f/top-latents-ar",
                         "saes/s/mse"})
    CHECK(std::find(ids.begin(), ids.end(), id) != ids.end());
  REQUIRE(results.problems.size() == 2);  // the broken map, once as a figure and once as a map
  CHECK_THAT(results.problems[0], Catch::Contains("broken-pca.csv"));

  // The map: one point per entry at the CSV's coordinates, its labels to colour by.
  REQUIRE(results.maps.size() == 1);
  const MapResult& map = *results.maps[0];
  CHECK(map.id == "maps/blocks.1.hook_resid_post-pca");
  CHECK(map.hook == "blocks.1.hook_resid_post");
  REQUIRE(map.x.size() == 20);
  CHECK(map.x[3] == Approx(*io::parse_number(map.table.at(map.table.rows[3], map.table.column("x")))));
  CHECK(std::find(map.label_columns.begin(), map.label_columns.end(), "figure_gender") != map.label_columns.end());
  CHECK(map_labels(map, "lang")[0] == "en");

  // The latents: every row of latents.csv with its page; the top-latents bars are the extreme d.
  REQUIRE(results.latents.size() == 1);
  const LatentsResult& latents = *results.latents[0];
  CHECK(latents.sae == "s");
  CHECK(latents.hook == "blocks.1.hook_resid_post");
  REQUIRE(latents.values.size() == latents.details.size());
  CHECK_FALSE(latents.image_tokens_silent);  // extracted at every position
  const size_t d_en = latents.column("cohens_d_en");
  double largest = -1e9;
  for (const auto& row : latents.values)
    if (!std::isnan(row[d_en])) largest = std::max(largest, row[d_en]);
  const auto top = std::find_if(results.figures.begin(), results.figures.end(),
                                [](const FigureResult& f) { return f.figure.id == "f/top-latents-en"; });
  REQUIRE(top->plot);
  CHECK(top->plot->series[0].y[0] == Approx(largest));

  // The Feature browser: sorted by Cohen's d, searched by number.
  state.features.sort_column = int(d_en);
  state.features.descending = true;
  refresh_latent_rows(state.features, latents);
  REQUIRE(!state.features.rows.empty());
  CHECK(latents.values[size_t(state.features.rows[0])][d_en] == Approx(largest));
  std::snprintf(state.features.search, sizeof state.features.search, "3");
  refresh_latent_rows(state.features, latents);
  CHECK(state.features.rows == std::vector<int64_t>{3});

  // Exports: SVG of the shapes on screen and the table as CSV, atomically; bad requests refused.
  state.bias.plot.set("layers-probe", top->plot, top->csv);
  CHECK_THROWS_AS(export_plot(state, state.bias.plot.shown(), (dir.path / "x.svg").string()), InputError);  // not drawn yet
  ShownPlot shown{"top", std::make_shared<const report::Figure>(report::lay_out(*top->plot, 640, 400)), top->csv};
  export_plot(state, shown, (dir.path / "figures" / "top.svg").string());
  export_plot(state, shown, (dir.path / "figures" / "top.csv").string());
  settle(state);
  CHECK(util::read_file((dir.path / "figures" / "top.svg").string()) == report::svg(*shown.figure));
  CHECK(util::read_file((dir.path / "figures" / "top.csv").string()) == top->csv);
  CHECK_THROWS_AS(export_plot(state, shown, (dir.path / "top.pdf").string()), InputError);
  CHECK_THROWS_AS(export_plot(state, shown, (dir.path / "top.png").string()), InputError);  // no window, no fonts
  CHECK_THROWS_AS(export_plot(state, ShownPlot{"none", shown.figure, ""}, (dir.path / "none.csv").string()), InputError);

  // A box on the map becomes a direction: saved in the workspace and added as a slider.
  CHECK_THROWS_AS(add_selection_direction(state, "empty"), InputError);  // nothing selected
  select_map_box(state, DataBox{-1e9, 0, -1e9, 1e9});                    // the left half
  REQUIRE(!state.maps.selected.empty());
  REQUIRE(state.maps.selected.size() < 20);
  add_selection_direction(state, "left");
  settle(state);
  CHECK(fs::is_regular_file(root / "directions" / "left.safetensors"));
  REQUIRE(!state.sliders.empty());
  CHECK(state.sliders.back().direction->name == "left");
  CHECK(state.sliders.back().direction->hook == "blocks.1.hook_resid_post");

  // Recompute: a new map as `loupe analyze embed` makes it, logged, shown once read back.
  MapInputs inputs;
  inputs.method = "pca";
  inputs.name = "m2";
  CHECK_THROWS_AS(start_map(state, inputs), InputError);  // no hook
  inputs.hook = "blocks.3.hook_resid_post";               // not in the store
  CHECK_THAT(refusal(state, start_map(state, inputs)), Catch::Contains("blocks.3"));
  CHECK_FALSE(fs::exists(root / "analyses" / "m2"));
  inputs.hook = "blocks.1.hook_resid_post";
  start_map(state, inputs);
  settle(state);  // the map, then the results read again
  settle(state);
  CHECK(fs::is_regular_file(root / "analyses" / "m2" / "blocks.1.hook_resid_post-pca.csv"));
  REQUIRE(state.results);
  CHECK(std::any_of(state.results->maps.begin(), state.results->maps.end(),
                    [](const auto& map) { return map->id == "m2/blocks.1.hook_resid_post-pca" && map->x.size() == 20; }));
  inputs.sae = "s";  // and a hook: refused
  CHECK_THROWS_AS(start_map(state, inputs), InputError);
  inputs.hook.clear();
  inputs.name = "m3";
  start_map(state, inputs);  // the SAE's decoder directions: one point per latent
  settle(state);
  settle(state);
  const auto decoder = std::find_if(state.results->maps.begin(), state.results->maps.end(),
                                    [](const auto& map) { return map->id.rfind("m3/", 0) == 0; });
  REQUIRE(decoder != state.results->maps.end());
  CHECK((*decoder)->hook.empty());  // a decoder map: no selection direction
  CHECK((*decoder)->x.size() == 2 * 256);  // expansion 2 of the demo model's width, 256

  // The Study panel's analyses: as `loupe analyze rank` writes them, drawn once read back.
  AnalysisInputs analysis;
  analysis.analysis = "guess";
  analysis.name = "r2";
  CHECK_THAT(refusal(state, start_analysis(state, analysis)), Catch::Contains("guess"));
  analysis.analysis = "rank";
  start_analysis(state, analysis);
  settle(state);
  settle(state);
  CHECK(fs::is_regular_file(root / "analyses" / "r2" / "rank.csv"));
  CHECK(std::any_of(state.results->figures.begin(), state.results->figures.end(),
                    [](const FigureResult& f) { return f.figure.id == "r2/rank" && f.plot; }));

  // The feature analysis from the Study panel: as `loupe analyze features` writes it.
  AnalysisInputs features;
  features.analysis = "features";
  features.name = "f2";
  CHECK_THAT(refusal(state, start_analysis(state, features)), Catch::Contains("SAE"));
  features.sae = "s";
  start_analysis(state, features);
  settle(state);
  settle(state);
  CHECK(fs::is_regular_file(root / "analyses" / "f2" / "latents.csv"));
  CHECK(std::any_of(state.results->latents.begin(), state.results->latents.end(),
                    [](const auto& latents) { return latents->id == "f2" && latents->sae == "s"; }));

  // SAE evaluation needs the model; then it writes eval.json as `loupe eval-sae` does.
  AnalysisInputs evaluation;
  evaluation.analysis = "eval-sae";
  evaluation.sae = "s";
  evaluation.limit = 2;
  CHECK_THAT(refusal(state, start_analysis(state, evaluation)), Catch::Contains("model"));

  // The Feature page's thumbnails: the latent over each example image's 4 × 4 image tokens.
  const std::string sae = (root / "saes" / "s").string();
  CHECK_THROWS_AS(start_latent_thumbnails(state, sae, 3, {}), InputError);  // no model yet
  load_model_async(state, kDemoModel);
  settle(state);
  REQUIRE(state.model);
  start_analysis(state, evaluation);
  settle(state);
  CHECK(fs::is_regular_file(root / "saes" / "s" / "eval.json"));
  CHECK(workspace::Workspace::open(root).runs().back().command == "eval-sae");
  const std::string kitchen = kDemoImages + "/kitchen.png";
  start_latent_thumbnails(state, sae, 3, {{kitchen, "en"}, {kitchen, "ar"}, {(dir.path / "gone.png").string(), "en"}});
  settle(state);
  const auto thumbnails = state.jobs.snapshot(state.features.thumbnails_job);
  INFO(thumbnails->error_message);
  REQUIRE(thumbnails->result.holds<LatentThumbnails>());
  const LatentThumbnails& maps = thumbnails->result.as<LatentThumbnails>();
  CHECK(maps.latent == 3);
  REQUIRE(maps.maps.size() == 3);
  for (const char* lang : {"en", "ar"}) {
    const study::Heatmap& map = maps.maps.at({kitchen, lang});
    INFO(lang << ": " << map.error);
    CHECK(map.error.empty());
    CHECK(map.grid_width * map.grid_height == 16);
    REQUIRE(map.patches.size() == 16);
    for (float v : map.patches) CHECK((std::isfinite(v) && v >= 0));  // a TopK latent: 0 or its activation
  }
  CHECK_THAT(maps.maps.at({(dir.path / "gone.png").string(), "en"}).error, Catch::Contains("gone.png"));
}

namespace {

// DIR/ws on the demo model over a synthetic dataset of `rows` rows (DIR/data).
fs::path synthetic_workspace(const fs::path& dir, int rows, int seed) {
  const fs::path root = dir / "ws", data = dir / "data";
  for (const std::string& command : {"synth --out " + shell_quoted(data.string()) + " --n " + std::to_string(rows) + " --seed " +
                                         std::to_string(seed),
                                     "init --workspace " + shell_quoted(root.string()) + " --model " + shell_quoted(kDemoModel) +
                                         " --dataset " + shell_quoted(data.string())}) {
    const test::CliRun run = test::run_loupe(command);
    INFO(command << ": " << run.err);
    REQUIRE(run.status == 0);
  }
  return root;
}

}  // namespace

TEST_CASE("a patch sweep started in the app is written and logged as the CLI's, and a clicked cell is captioned",
          "[gui][app][patching]") {
  test::TempDir dir("app-patching");
  const fs::path root = synthetic_workspace(dir.path, 40, 5);
  AppState state;
  state.model_folder = kDemoModel;
  open_workspace(state, root.string());
  settle(state);
  settle(state);
  REQUIRE(state.results);
  REQUIRE(!state.results->pairs.empty());  // the synthetic data's woman / man rows of one scene and activity
  CHECK(state.results->patches.empty());
  const PatchPair pair = state.results->pairs[0];
  study::GenderPatchRequest request;
  request.clean_image = pair.woman_image;
  request.corrupt_image = pair.man_image;
  CHECK_THROWS_AS(start_patch_sweep(state, request, "p"), InputError);  // no model yet
  load_model_async(state, kDemoModel);
  settle(state);
  REQUIRE(state.model);
  CHECK_THROWS_AS(start_patch_sweep(state, study::GenderPatchRequest{}, "p"), InputError);  // no images

  start_patch_sweep(state, request, "p");
  settle(state);  // the sweep, then the results read again
  settle(state);
  const auto sweep = state.jobs.snapshot(state.patching.sweep_job);
  INFO(sweep->error_message);
  REQUIRE(sweep->state == jobs::JobState::Succeeded);
  CHECK(fs::is_regular_file(root / "analyses" / "p" / "patch.csv"));
  REQUIRE(state.results->patches.size() == 1);
  const PatchResult& patch = state.results->patches[0];
  CHECK(patch.id == "p");
  CHECK(patch.clean_image == pair.woman_image);  // from its runs.jsonl line
  CHECK(patch.layers == 4);
  CHECK(patch.grid_side == 4);  // 16 image tokens
  const auto logged = std::find_if(state.results->runs.begin(), state.results->runs.end(),
                                   [](const RunEntry& run) { return run.command == "patch-sweep"; });
  REQUIRE(logged != state.results->runs.end());
  CHECK(logged->outcome == "ok");
  CHECK(std::any_of(state.results->figures.begin(), state.results->figures.end(),
                    [](const FigureResult& f) { return f.figure.id == "p/patch" && f.plot && f.plot->heatmap; }));

  // The last layer at the last position restores the clean state whole: the clean next word.
  int64_t last = 0;
  for (const PatchCellInfo& cell : patch.cells) last = std::max(last, cell.position);
  REQUIRE(patch.cell(3, last));
  CHECK(patch.cell(3, last)->restored == Approx(1.0).margin(1e-4));
  start_patch_captions(state, patch, {3, last});
  settle(state);
  const auto captions = state.jobs.snapshot(state.patching.captions_job);
  INFO(captions->error_message);
  REQUIRE(captions->result.holds<std::vector<study::PatchedContinuation>>());
  const auto& lines = captions->result.as<std::vector<study::PatchedContinuation>>();
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].lang == Language::English);
  CHECK(lines[0].unavailable.empty());
  CHECK(lines[0].patched.compare(0, lines[0].prefix.size(), lines[0].prefix) == 0);
  CHECK_FALSE(lines[1].unavailable.empty());  // a caption position: English only

  // The Study panel's logit lens: the split's first rows captioned with the loaded model.
  AnalysisInputs lens;
  lens.analysis = "lens";
  lens.name = "l";
  CHECK_THAT(refusal(state, start_analysis(state, lens)), Catch::Contains("split"));
  lens.split = "balanced";
  lens.limit = 4;
  start_analysis(state, lens);
  settle(state);
  settle(state);
  CHECK(fs::is_regular_file(root / "analyses" / "l" / "lens.csv"));
  CHECK(fs::is_regular_file(root / "analyses" / "l" / "dla.csv"));
  CHECK(std::any_of(state.results->figures.begin(), state.results->figures.end(),
                    [](const FigureResult& f) { return f.figure.id == "l/lens" && f.plot; }));
}

TEST_CASE("the Steering panel's sweep saves the sliders as a set and writes the dose-response loupe steer writes",
          "[gui][app][steering]") {
  test::TempDir dir("app-dose");
  const fs::path root = synthetic_workspace(dir.path, 24, 3);
  AppState state;
  state.model_folder = kDemoModel;
  open_workspace(state, root.string());
  load_model_async(state, kDemoModel);
  settle(state);
  settle(state);
  study::DoseResponseRun run;
  run.sweep = "alpha=-2:2:2";
  run.split = "balanced";
  run.limit = 2;
  run.name = "d";
  CHECK_THROWS_AS(start_dose_response(state, run), InputError);  // no slider yet
  add_gender_direction(state, "blocks.0.hook_resid_post", false);
  settle(state);
  REQUIRE(!state.sliders.empty());
  run.name = "a/b";
  CHECK_THROWS_AS(start_dose_response(state, run), InputError);
  run.name = "d";
  start_dose_response(state, run);
  settle(state);  // the sweep, then the results read again
  settle(state);
  const auto job = state.jobs.snapshot(state.dose.job);
  INFO(job->error_message);
  REQUIRE(job->state == jobs::JobState::Succeeded);
  CHECK(fs::is_regular_file(root / "steering" / "d.json"));
  CHECK(fs::is_regular_file(root / "steering" / "d.safetensors"));
  const std::string csv = util::read_file((root / "analyses" / "d" / "dose_response.csv").string());
  CHECK(std::count(csv.begin(), csv.end(), '\n') == 1 + 3 * 2);  // header, 3 alphas × 2 languages
  REQUIRE(state.results);
  CHECK(std::any_of(state.results->figures.begin(), state.results->figures.end(),
                    [](const FigureResult& f) { return f.figure.id == "d/dose" && f.plot; }));
  const auto logged = std::find_if(state.results->runs.begin(), state.results->runs.end(),
                                   [](const RunEntry& entry) { return entry.command == "steer"; });
  REQUIRE(logged != state.results->runs.end());
  CHECK(logged->outcome == "ok");
  CHECK(logged->parameters["sweep"] == "alpha=-2:2:2");
}
