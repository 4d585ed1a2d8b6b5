// Runs a parsed script (ui/app/script.h) against the app, a little every frame: actions that need
// time (wait-idle, sleep, drag-slider, screenshot) keep their place until they are done.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "ui/app/app_state.h"
#include "ui/app/script.h"

namespace loupe::ui {

// Frame durations (work per frame, not the wait for the next frame): wall-clock time, and the CPU
// time the UI thread itself spent (the two differ when other processes hold the cores).
struct FrameStats {
  int frames = 0;
  double worst_ms = 0, total_ms = 0;
  double worst_cpu_ms = 0, total_cpu_ms = 0;
  void add(double ms, double cpu_ms);
  double mean_ms() const { return frames ? total_ms / frames : 0; }
  double mean_cpu_ms() const { return frames ? total_cpu_ms / frames : 0; }
};

// The panel of a script name (panel_name), or -1.
int find_panel(const std::string& name);

class ScriptRunner {
 public:
  explicit ScriptRunner(std::vector<ScriptAction> actions);

  // Advances the script; `frame_ms` / `frame_cpu_ms` describe the previous frame. Returns false
  // once the script has ended (finished or failed).
  bool tick(AppState& state, double now_seconds, double frame_ms, double frame_cpu_ms);
  // Set when the current frame must be saved as PNG after it is drawn (the app clears it and sets
  // screenshot_job to the job that writes the file, which the script waits for).
  std::string screenshot_path;
  jobs::JobId screenshot_job = 0;
  bool failed() const { return failed_; }
  const std::string& message() const { return message_; }
  const FrameStats& whole_session() const { return session_stats_; }
  const FrameStats& after_first_frame() const { return after_first_frame_stats_; }  // the font atlas excluded

 private:
  bool step(AppState& state, const ScriptAction& action, double now);  // true: action finished
  // The results panels' actions (script_results.cpp): export-plot, select-figure, ... measure-frames.
  bool results_step(AppState& state, const ScriptAction& action, double elapsed);
  void fail(const ScriptAction& action, const std::string& why);
  // Starts a job with `start` on the action's first frame and waits for it (false while it runs);
  // prints `done` when it succeeds, throws InputError "<failure>: <its error>" when it does not.
  bool wait_for_job(AppState& state, const std::function<jobs::JobId()>& start, const std::string& failure,
                    const std::string& done);

  std::vector<ScriptAction> actions_;
  size_t next_ = 0;
  double started_ = -1;   // when the current action began (seconds)
  int frames_in_action_ = 0;
  int idle_frames_ = 0;
  FrameStats drag_stats_, session_stats_, after_first_frame_stats_;  // drag_stats_: also measure-frames
  int ticks_ = 0;
  uint64_t cancelled_before_drag_ = 0;
  uint64_t results_in_drag_ = 0, last_seen_result_ = 0;
  jobs::JobId export_job_ = 0;  // the export or steering-set action's job, waited for before the next action
  bool failed_ = false;
  std::string message_;
};

}  // namespace loupe::ui
