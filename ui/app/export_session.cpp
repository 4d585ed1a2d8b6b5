// File > Export: session.json (model, image, sliders, both captions with and without steering, and
// the `loupe caption` command lines that replay the steered captions headless) and
// directions.safetensors (every direction, keyed by name, its hook in the metadata).
#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/util/atomic_file.h"
#include "ui/app/app_state.h"
#include "ui/live/directions.h"

namespace loupe::ui {

namespace fs = std::filesystem;

namespace {

nlohmann::json caption_json(const CaptionText& caption) {
  nlohmann::json tokens = nlohmann::json::array();
  for (const auto& chip : caption.tokens)
    tokens.push_back({{"id", chip.id}, {"text", chip.text}, {"probability", chip.probability}, {"changed", chip.changed}});
  return {{"lang", language_code(caption.lang)}, {"text", caption.text}, {"tokens", tokens}};
}

// A slider as `--steer` words, its alpha to 17 digits: the exact alpha the live worker used.
std::string steer_argument(const SteerSlider& slider, const fs::path& directions_file) {
  study::SteerSpec spec;
  spec.hook = slider.hook;
  spec.source = directions_file.string() + ":" + slider.direction->name;
  spec.alpha = double(slider.alpha);
  spec.positions = PositionSelector(slider.positions);
  spec.mode = slider.mode;
  return study::steer_spec_word(spec);
}

// One `loupe caption` argument list per language: the live worker's greedy captions of the image
// with every moved slider.
nlohmann::json replay_commands(const AppState& state, const std::string& image, const fs::path& directions_file) {
  nlohmann::json commands = nlohmann::json::array();
  for (Language language : kLanguages) {
    const char* lang = language_code(language);
    nlohmann::json argv = {"caption", "--model", state.model_folder, "--image", image, "--lang", lang,
                           "--max-new-tokens", std::to_string(LiveRequest{}.max_new_tokens)};
    for (const auto& slider : state.sliders) {
      if (slider.alpha == 0) continue;
      argv.push_back("--steer");
      argv.push_back(steer_argument(slider, directions_file));
    }
    if (state.use_adapter && state.adapter) {
      argv.push_back("--adapter");
      argv.push_back(state.adapter->folder);
    }
    commands.push_back({{"lang", lang}, {"argv", argv}});
  }
  return commands;
}

}  // namespace

jobs::JobId export_session(AppState& state, const std::string& folder) {
  const fs::path directions_file = fs::absolute(fs::path(folder) / "directions.safetensors");
  nlohmann::json out = {{"model", state.model_folder}, {"steers", nlohmann::json::array()}};
  for (const auto& slider : state.sliders)
    out["steers"].push_back({{"direction", slider.direction->name}, {"hook", slider.hook},
                             {"positions", positions_word(PositionSelector(slider.positions))}, {"alpha", slider.alpha},
                             {"mode", study::steer_mode_word(slider.mode)}, {"steer", steer_argument(slider, directions_file)}});
  out["adapter"] = state.use_adapter && state.adapter ? nlohmann::json(state.adapter->folder) : nlohmann::json();
  if (state.live) {
    out["image"] = state.live->image;
    for (int l = 0; l < 2; ++l) {
      out["baseline"].push_back(caption_json(state.live->baseline[l]));
      out["steered"].push_back(caption_json(state.live->steered[l]));
    }
    out["replay"] = replay_commands(state, state.live->image, directions_file);
  }
  std::shared_ptr<Inbox> inbox = state.inbox;
  const auto directions = state.directions;
  return state.jobs.submit("export " + fs::path(folder).filename().string(), [folder, out, directions, directions_file, inbox](jobs::JobContext&) {
    fs::create_directories(folder);
    if (!directions.empty()) export_directions(directions_file.string(), directions);
    util::write_file_atomic((fs::path(folder) / "session.json").string(), out.dump(2) + "\n");
    inbox->post_status("exported to " + folder + " (session.json" + (directions.empty() ? "" : ", directions.safetensors") + ")");
    return jobs::JobResult{};  // the outcome travels through the inbox
  }, {}, jobs::Lane::Short);
}

}  // namespace loupe::ui
