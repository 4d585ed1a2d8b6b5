#include "ui/app/script_runner.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <sstream>

#include "core/error.h"
#include "ui/render/textures.h"

namespace loupe::ui {

void FrameStats::add(double ms, double cpu_ms) {
  ++frames;
  total_ms += ms;
  worst_ms = std::max(worst_ms, ms);
  total_cpu_ms += cpu_ms;
  worst_cpu_ms = std::max(worst_cpu_ms, cpu_ms);
}

ScriptRunner::ScriptRunner(std::vector<ScriptAction> actions) : actions_(std::move(actions)) {}

bool ScriptRunner::wait_for_job(AppState& state, const std::function<jobs::JobId()>& start, const std::string& failure,
                                const std::string& done) {
  if (frames_in_action_ == 0) export_job_ = start();
  const auto job = state.jobs.snapshot(export_job_);
  if (!job->finished()) return false;
  if (job->state != jobs::JobState::Succeeded) throw InputError(failure + ": " + job->error_message);
  std::printf("[script] %s\n", done.c_str());
  return true;
}

void ScriptRunner::fail(const ScriptAction& action, const std::string& why) {
  failed_ = true;
  message_ = "script line " + std::to_string(action.line) + " (" + command_word(action.command) + "): " + why;
}

namespace {

constexpr double kSlowFrameCpuMs = 50;  // UI-thread CPU above this is logged with the script line

SteerSlider* find_slider(AppState& state, const std::string& name) {
  for (auto& slider : state.sliders)
    if (slider.direction->name == name) return &slider;
  return nullptr;
}

int find_image(const AppState& state, const std::string& name) {
  for (size_t i = 0; i < state.images.size(); ++i)
    if (state.images[i].name == name || state.images[i].path == name) return int(i);
  if (!name.empty() && std::all_of(name.begin(), name.end(), [](unsigned char c) { return std::isdigit(c) != 0; })) {
    const int index = std::stoi(name);
    if (index < int(state.images.size())) return index;
  }
  return -1;
}

}  // namespace

int find_panel(const std::string& name) {
  for (int p = 0; p < kPanelCount; ++p)
    if (name == panel_name(Panel(p))) return p;
  return -1;
}

namespace {

bool live_current(const AppState& state) {
  return state.live && state.live->request_id == state.last_request && !state.request_dirty;
}

}  // namespace

bool ScriptRunner::tick(AppState& state, double now, double frame_ms, double frame_cpu_ms) {
  if (failed_) return false;
  session_stats_.add(frame_ms, frame_cpu_ms);
  // The first drawn frame (reported by the second tick) builds and uploads the font atlas.
  if (++ticks_ > 2) after_first_frame_stats_.add(frame_ms, frame_cpu_ms);
  if (ticks_ > 1 && frame_cpu_ms > kSlowFrameCpuMs && next_ < actions_.size())
    std::printf("[frames] slow frame %d during line %d (%s): %.1f ms, UI-thread CPU %.1f ms\n", ticks_ - 1,
                actions_[next_].line, command_word(actions_[next_].command), frame_ms, frame_cpu_ms);
  if (state.live && state.live->request_id != last_seen_result_) {
    last_seen_result_ = state.live->request_id;
    ++results_in_drag_;
  }
  while (next_ < actions_.size()) {
    const ScriptAction& action = actions_[next_];
    if (started_ < 0) {
      started_ = now;
      frames_in_action_ = 0;
      idle_frames_ = 0;
      std::printf("[script] line %d: %s", action.line, command_word(action.command));
      for (const auto& arg : action.args) std::printf(" %s", arg.c_str());
      std::printf("\n");
      std::fflush(stdout);
    } else {
      ++frames_in_action_;
      if (action.command == ScriptCommand::DragSlider || action.command == ScriptCommand::MeasureFrames)
        drag_stats_.add(frame_ms, frame_cpu_ms);
    }
    bool done = false;
    try {
      done = step(state, action, now);
    } catch (const std::exception& error) {
      fail(action, error.what());
    }
    if (failed_) return false;
    if (!done) return true;
    ++next_;
    started_ = -1;
  }
  return false;
}

bool ScriptRunner::step(AppState& state, const ScriptAction& action, double now) {
  const auto& a = action.args;
  const double elapsed = now - started_;
  switch (action.command) {
    case ScriptCommand::SelectImage: {
      const int index = find_image(state, a[0]);
      if (index < 0) throw InputError("no image named " + a[0] + " among the " + std::to_string(state.images.size()) + " open");
      select_image(state, index);
      return true;
    }
    case ScriptCommand::OpenPanel:
    case ScriptCommand::ClosePanel: {
      const int panel = find_panel(a[0]);
      if (panel < 0)
        throw InputError("no panel named " + a[0] + " (images, caption, heatmap, steering, jobs, bias, maps, features, feature, "
                         "study, patching)");
      state.show[panel] = action.command == ScriptCommand::OpenPanel;
      return true;
    }
    case ScriptCommand::PlacePanel: {
      const int panel = find_panel(a[0]);
      if (panel < 0) throw InputError("no panel named " + a[0]);
      PanelPlace place{std::stof(a[1]), std::stof(a[2]), std::stof(a[3]), std::stof(a[4])};
      if (place.x < 0 || place.y < 0 || place.w <= 0 || place.h <= 0 || place.x + place.w > 1 || place.y + place.h > 1)
        throw InputError("place-panel takes X Y W H as fractions of the window, inside it");
      state.placements[panel] = place;
      state.show[panel] = true;
      return true;
    }
    case ScriptCommand::AddDirection: {
      if (!state.model) {  // the model is still loading
        if (elapsed > 120) throw InputError("the model did not load within 120 s");
        return false;
      }
      const std::string hook = a.size() > 1 && a[0].rfind("gender", 0) == 0 ? a[1] : a.size() > 2 ? a[2] : state.steering_inputs.gender_hook;
      if (a[0] == "gender" || a[0] == "gender-caption") {
        add_gender_direction(state, hook, a[0] == "gender-caption");
      } else if (a[0] == "file" && a.size() >= 2) {
        add_file_direction(state, a[1], hook);
      } else if (a[0] == "sae" && a.size() == 3) {
        state.sae_path = a[1];
        add_sae_latent_direction(state, a[1], std::stoll(a[2]));
      } else {
        throw InputError("add-direction gender [HOOK] | gender-caption [HOOK] | file PATH:KEY [HOOK] | sae FOLDER LATENT");
      }
      return true;
    }
    case ScriptCommand::SetSlider: {
      SteerSlider* slider = find_slider(state, a[0]);
      if (!slider) throw InputError("no slider named " + a[0] + "; add-direction and wait-idle first");
      slider->alpha = std::stof(a[1]);
      state.request_dirty = true;
      return true;
    }
    case ScriptCommand::SetMode: {
      SteerSlider* slider = find_slider(state, a[0]);
      if (!slider) throw InputError("no slider named " + a[0] + "; add-direction and wait-idle first");
      const auto mode = study::parse_steer_mode(a[1]);
      if (!mode) throw InputError("no steering mode named " + a[1] + " (additive, orthogonal, cap)");
      slider->mode = *mode;
      state.request_dirty = true;
      return true;
    }
    case ScriptCommand::DragSlider: {
      SteerSlider* slider = find_slider(state, a[0]);
      if (!slider) throw InputError("no slider named " + a[0] + "; add-direction and wait-idle first");
      const float from = std::stof(a[1]), to = std::stof(a[2]);
      const double seconds = std::max(std::stod(a[3]), 0.01);
      if (frames_in_action_ == 0) {
        drag_stats_ = FrameStats{};
        cancelled_before_drag_ = state.worker.requests_cancelled();
        results_in_drag_ = 0;
      }
      const double t = std::min(elapsed / seconds, 1.0);
      const float alpha = float(from + (to - from) * t);
      if (alpha != slider->alpha) {
        slider->alpha = alpha;
        state.request_dirty = true;
      }
      if (t < 1.0) return false;
      std::printf("[frames] drag of %s from %g to %g over %.1f s: %d frames, worst %.1f ms, mean %.1f ms "
                  "(UI-thread CPU: worst %.1f ms, mean %.1f ms); %llu caption updates shown, %llu stale requests dropped\n",
                  a[0].c_str(), from, to, seconds, drag_stats_.frames, drag_stats_.worst_ms, drag_stats_.mean_ms(),
                  drag_stats_.worst_cpu_ms, drag_stats_.mean_cpu_ms(),
                  static_cast<unsigned long long>(results_in_drag_),
                  static_cast<unsigned long long>(state.worker.requests_cancelled() - cancelled_before_drag_));
      std::fflush(stdout);
      return true;
    }
    case ScriptCommand::SetHeatmap: {
      state.heatmap.hook = a[0];
      const std::string& q = a[1];
      if (q == "norm") {
        state.heatmap.quantity = HeatQuantity::Norm;
      } else if (q == "latent") {
        state.heatmap.quantity = HeatQuantity::Latent;
        state.heatmap.latent = a.size() > 2 ? std::stoll(a[2]) : 0;
      } else if (q == "projection") {
        state.heatmap.quantity = HeatQuantity::Projection;
        if (a.size() > 2) {
          auto found = std::find_if(state.directions.begin(), state.directions.end(), [&](const auto& d) { return d->name == a[2]; });
          if (found == state.directions.end()) throw InputError("no direction named " + a[2]);
          state.heatmap.direction = *found;
        }
      } else if (q == "attention") {
        state.heatmap.quantity = HeatQuantity::Attention;
        state.heatmap.caption_token = a.size() > 2 ? std::stoi(a[2]) : 0;
      } else {
        throw InputError("quantity must be norm, latent, projection or attention, not " + q);
      }
      state.request_dirty = true;
      return true;
    }
    case ScriptCommand::SetOpacity:
      state.heat_opacity = std::clamp(std::stof(a[0]), 0.0f, 1.0f);
      return true;
    case ScriptCommand::WaitIdle: {
      const double timeout = a.empty() ? 60.0 : std::stod(a[0]);
      for (const auto& job : state.jobs.snapshots())
        if (job->state == jobs::JobState::Failed) throw InputError("job '" + job->name + "' failed: " + job->error_message);
      // Idle for three frames in a row, so that what arrived is also drawn and laid out.
      if (app_idle(state) && !state.textures->busy()) return ++idle_frames_ >= 3;
      idle_frames_ = 0;
      if (elapsed > timeout) throw InputError("still busy after " + std::to_string(int(timeout)) + " s");
      return false;
    }
    case ScriptCommand::Sleep:
      return elapsed >= std::stod(a[0]);
    case ScriptCommand::Screenshot:
      // Frame 0 asks for the capture of the frame being built; the app writes it after drawing.
      if (frames_in_action_ == 0) {
        screenshot_path = a[0];
        return false;
      }
      if (!screenshot_path.empty()) return false;
      if (const auto job = state.jobs.snapshot(screenshot_job); !job->finished()) {
        return false;
      } else if (job->state != jobs::JobState::Succeeded) {
        throw InputError("the screenshot was not saved: " + job->error_message);
      }
      return true;
    case ScriptCommand::AssertCaptionChanged: {
      const int l = parse_language(a[0], "caption language") == Language::Arabic ? 1 : 0;
      if (!live_current(state)) throw InputError("no current caption; wait-idle first");
      const auto& live = *state.live;
      if (!live.error.empty()) throw InputError("the caption failed: " + live.error);
      if (!live.intervened()) throw InputError("no steering or adapter is active (every slider is at 0, no adapter on)");
      if (live.steered[l].text == live.baseline[l].text)
        throw InputError("the " + a[0] + " caption did not change: \"" + live.steered[l].text + "\"");
      std::printf("[assert] %s caption changed: \"%s\" -> \"%s\"\n", a[0].c_str(), live.baseline[l].text.c_str(),
                  live.steered[l].text.c_str());
      return true;
    }
    case ScriptCommand::AssertCaptionContains: {
      const int l = parse_language(a[0], "caption language") == Language::Arabic ? 1 : 0;
      if (!live_current(state)) throw InputError("no current caption; wait-idle first");
      const std::string& text = state.live->steered[l].text;
      std::istringstream words(text);
      bool found = false;
      for (std::string word; words >> word;) found |= word == a[1];  // whole words: "man" is not in "woman"
      if (!found) throw InputError("the " + a[0] + " caption \"" + text + "\" lacks the word \"" + a[1] + "\"");
      std::printf("[assert] %s caption contains \"%s\": \"%s\"\n", a[0].c_str(), a[1].c_str(), text.c_str());
      return true;
    }
    case ScriptCommand::Extract:
      if (!state.model) return false;  // the model folder is checked by its loading job first
      start_extraction(state, a[0], a[1], std::stoll(a[2]), a.size() > 3 ? a[3] : "text", a.size() > 4 ? a[4] : "both",
                       a.size() > 5 ? a[5] : "caption");
      return true;
    case ScriptCommand::DropFiles:
      add_image_files(state, a);  // what the window's drop callback hands over each frame
      std::printf("[script] %zu images open, %s selected\n", state.images.size(),
                  state.selected_image() ? state.selected_image()->name.c_str() : "none");
      return true;
    case ScriptCommand::Export:
      return wait_for_job(state, [&] { return export_session(state, a[0]); }, "the export failed", "exported to " + a[0]);
    case ScriptCommand::ExportReport:
      return wait_for_job(state, [&] { return export_report(state, a[0]); }, "the report failed", "report written to " + a[0]);
    case ScriptCommand::SaveSteeringSet:
      return wait_for_job(state, [&] { return save_steering_set(state, a[0]); }, "the steering set failed",
                          "steering set saved to " + a[0]);
    case ScriptCommand::LoadSteeringSet:
      return wait_for_job(state, [&] { return load_steering_set(state, a[0]); }, "the steering set failed",
                          "steering set loaded from " + a[0]);
    case ScriptCommand::LoadAdapter:
      if (!state.model) return false;  // an adapter is read for the loaded model
      return wait_for_job(state, [&] { return load_adapter_async(state, a[0]); }, "the adapter was not read",
                          "adapter read from " + a[0]);
    case ScriptCommand::SetAdapter:
      if (a[0] != "on" && a[0] != "off") throw InputError("set-adapter takes on or off, not " + a[0]);
      if (!state.adapter) throw InputError("no adapter is read; load-adapter DIR first");
      state.use_adapter = a[0] == "on";
      state.request_dirty = true;
      return true;
    case ScriptCommand::ExportPlot:
    case ScriptCommand::SelectFigure:
    case ScriptCommand::SelectMap:
    case ScriptCommand::SelectBox:
    case ScriptCommand::MakeDirection:
    case ScriptCommand::SearchLatents:
    case ScriptCommand::SortLatents:
    case ScriptCommand::FilterLatents:
    case ScriptCommand::SelectLatent:
    case ScriptCommand::MeasureFrames:
    case ScriptCommand::TrainSae:
    case ScriptCommand::PatchSweep:
    case ScriptCommand::PatchCell:
    case ScriptCommand::SteerSweep:
    case ScriptCommand::MakeMap:
    case ScriptCommand::RunAnalysis:
      return results_step(state, action, elapsed);
    case ScriptCommand::AssertFrameTime: {
      const double limit = std::stod(a[0]);
      if (drag_stats_.frames == 0) throw InputError("no drag-slider ran before this assertion");
      if (drag_stats_.worst_ms > limit)
        throw InputError("the worst frame of the last drag took " + std::to_string(drag_stats_.worst_ms) + " ms, over " + a[0]);
      return true;
    }
  }
  return true;
}

}  // namespace loupe::ui
