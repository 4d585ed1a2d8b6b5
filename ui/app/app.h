// The desktop app: a GLFW window with an OpenGL 3.3 core context (functions through libepoxy),
// Dear ImGui with its GLFW and OpenGL 3 backends, the menu bar and the panels, drag and drop, and
// the script mode. The frame loop never waits on a worker: it reads only what workers have
// published (the job runner's snapshots, the live worker's latest result).
#pragma once
#include <memory>
#include <string>
#include <vector>

namespace loupe::ui {

struct AppOptions {
  std::string model;      // model folder; empty: the workspace's, else the bundled demo model
  std::string workspace;  // open this workspace (its model and dataset)
  std::string images;     // a dataset folder or a folder of images; empty: the demo images
  std::string script;     // run these actions, then exit
  int width = 1600, height = 1000;
};

class App {
 public:
  explicit App(const AppOptions& options);  // throws loupe::Error when no window or GL 3.3 context can be made
  ~App();
  App(const App&) = delete;
  App& operator=(const App&) = delete;

  int run();  // the frame loop; returns the exit code (script failure: 1)

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace loupe::ui
