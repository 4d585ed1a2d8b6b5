#include "ui/app/app.h"

#include <epoxy/gl.h>
// epoxy must come before GLFW's header so GLFW does not include the system GL header.
#include <GLFW/glfw3.h>
#include <imgui.h>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "core/error.h"
#include "core/io/image.h"
#include "core/tensor/threads.h"
#include "ui/app/app_state.h"
#include "ui/app/fonts.h"
#include "ui/app/menus.h"
#include "ui/app/script_runner.h"
#include "ui/app/settings.h"
#include "ui/panels/panels.h"
#include "ui/render/heatmap_view.h"
#include "ui/render/textures.h"

namespace loupe::ui {

namespace {

// GLFW reports errors through a C callback without a user pointer; the last one is kept here so
// the exception thrown after a failed call can say what went wrong.
std::string g_last_glfw_error;

void on_glfw_error(int code, const char* description) {
  g_last_glfw_error = "GLFW error " + std::to_string(code) + ": " + description;
}

using Clock = std::chrono::steady_clock;

double thread_cpu_ms() {  // CPU time of the calling thread
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return double(now.tv_sec) * 1e3 + double(now.tv_nsec) * 1e-6;
}
constexpr double kFrameBudgetMs = 1000.0 / 60.0;

// Reads the frame back on the UI thread; the PNG is encoded and written by a short job (encoding a
// 1600 × 1000 frame took about 160 ms of UI-thread CPU).
jobs::JobId save_screenshot(AppState& state, const std::string& path, int width, int height) {
  io::Image image;
  image.width = width;
  image.height = height;
  image.pixels.resize(size_t(width) * size_t(height) * 3);
  std::vector<uint8_t> rows(image.pixels.size());
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glReadBuffer(GL_BACK);
  glReadPixels(0, 0, width, height, GL_RGB, GL_UNSIGNED_BYTE, rows.data());
  const size_t stride = size_t(width) * 3;
  for (int y = 0; y < height; ++y)  // GL's first row is the bottom one
    std::copy_n(rows.data() + size_t(height - 1 - y) * stride, stride, image.pixels.data() + size_t(y) * stride);
  return state.jobs.submit("screenshot " + std::filesystem::path(path).filename().string(), [path, image](jobs::JobContext&) {
    const auto parent = std::filesystem::path(path).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent);
    io::save_png(path, image);
    std::printf("[script] saved %s (%d x %d)\n", path.c_str(), image.width, image.height);
    return jobs::JobResult{};  // the outcome travels through the inbox
  }, {}, jobs::Lane::Short);
}

}  // namespace

struct App::Impl {
  AppOptions options;
  GLFWwindow* window = nullptr;
  bool imgui_ready = false;
  std::unique_ptr<AppState> state;
  std::unique_ptr<TextureCache> textures;
  std::unique_ptr<HeatmapView> heatmap_view;
  Fonts fonts;
  std::unique_ptr<ScriptRunner> script;
  MenuState menus;
  std::vector<std::string> dropped;  // paths from the drop callback, drained each frame
  std::string ini_path;
  uint64_t logged_result = 0;

  void create_window();
  void place_panel(Panel panel);
  void draw_frame();
  void log_live_result();
};

void App::Impl::create_window() {
  glfwSetErrorCallback(on_glfw_error);
  if (!glfwInit())
    throw Error("could not start GLFW (" + g_last_glfw_error +
                "); is a display available? Headless machines run the app under `xvfb-run -a`");
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
  glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
  glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
  glfwWindowHint(GLFW_SCALE_TO_MONITOR, GLFW_TRUE);
  window = glfwCreateWindow(options.width, options.height, "loupe", nullptr, nullptr);
  if (!window) throw Error("could not open an OpenGL 3.3 window (" + g_last_glfw_error + ")");
  glfwMakeContextCurrent(window);
  glfwSwapInterval(options.script.empty() ? 1 : 0);
  glfwSetWindowUserPointer(window, this);
  glfwSetDropCallback(window, [](GLFWwindow* w, int count, const char** paths) {
    auto* self = static_cast<App::Impl*>(glfwGetWindowUserPointer(w));
    for (int i = 0; i < count; ++i) self->dropped.emplace_back(paths[i]);
  });
}

void App::Impl::place_panel(Panel panel) {
  // Tiles the window the first time (no saved layout, or script mode); afterwards imgui.ini wins.
  static constexpr PanelPlace kPlaces[kPanelCount] = {
      {0.0f, 0.0f, 0.2f, 0.6f},    // images
      {0.2f, 0.0f, 0.8f, 0.42f},   // caption
      {0.2f, 0.42f, 0.4f, 0.58f},  // heatmap
      {0.6f, 0.42f, 0.4f, 0.58f},  // steering
      {0.0f, 0.6f, 0.2f, 0.4f},    // jobs
      {0.2f, 0.0f, 0.8f, 0.62f},   // bias
      {0.2f, 0.0f, 0.8f, 0.62f},   // maps
      {0.2f, 0.0f, 0.5f, 0.62f},   // feature browser
      {0.5f, 0.0f, 0.5f, 1.0f},    // feature page
      {0.2f, 0.0f, 0.8f, 1.0f},    // study
      {0.2f, 0.0f, 0.8f, 1.0f},    // patching
  };
  // Below the menu bar (its height is known before the first frame has laid it out).
  const ImGuiViewport* view = ImGui::GetMainViewport();
  const float top = view->Pos.y + ImGui::GetFrameHeight(), width = view->Size.x, height = view->Size.y - ImGui::GetFrameHeight();
  const auto placed = state->placements.find(int(panel));
  const PanelPlace& p = placed != state->placements.end() ? placed->second : kPlaces[panel];
  const ImGuiCond when = placed != state->placements.end() ? ImGuiCond_Always : ImGuiCond_FirstUseEver;
  ImGui::SetNextWindowPos(ImVec2(view->Pos.x + p.x * width, top + p.y * height), when);
  ImGui::SetNextWindowSize(ImVec2(p.w * width, p.h * height), when);
  if (placed != state->placements.end()) {
    ImGui::SetNextWindowFocus();
    state->placements.erase(placed);
  }
}

void App::Impl::log_live_result() {
  const auto& live = state->live;
  if (!live || live->request_id == logged_result) return;
  logged_result = live->request_id;
  std::printf("[live] #%llu %s (%.0f ms)%s%s\n  en: %s\n  ar: %s\n", static_cast<unsigned long long>(live->request_id),
              std::filesystem::path(live->image).filename().string().c_str(), live->latency_ms,
              live->steering ? " steered" : "", live->adapted ? " adapted" : "", live->steered[0].text.c_str(), live->steered[1].text.c_str());
  if (!live->error.empty()) std::printf("  error: %s\n", live->error.c_str());
  std::fflush(stdout);
}

void App::Impl::draw_frame() {
  AppState& s = *state;
  draw_menu_bar(s, menus, window);
  draw_dialogs(s, menus);
  using DrawPanel = void (*)(AppState&, bool*);
  static constexpr DrawPanel kDraw[kPanelCount] = {draw_images_panel,  draw_caption_panel,  draw_heatmap_panel,
                                                    draw_steering_panel, draw_jobs_panel,   draw_bias_panel,
                                                    draw_maps_panel,     draw_features_panel, draw_feature_page_panel,
                                                    draw_study_panel,    draw_patching_panel};
  for (int p = 0; p < kPanelCount; ++p) {
    if (!s.show[p]) continue;
    place_panel(Panel(p));
    kDraw[p](s, &s.show[p]);
  }
}

App::App(const AppOptions& options) : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  m.options = options;
  if (!options.script.empty()) m.script = std::make_unique<ScriptRunner>(load_script(options.script));  // bad scripts fail first
  m.create_window();
  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  m.ini_path = options.script.empty() ? settings_folder() + "/imgui.ini" : "";
  io.IniFilename = m.ini_path.empty() ? nullptr : m.ini_path.c_str();  // layout persists between runs
  io.ConfigFlags |= ImGuiConfigFlags_NavEnableKeyboard;
  ImGui::StyleColorsDark();
  ImGui::GetStyle().Colors[ImGuiCol_WindowBg].w = 1.0f;  // opaque: an overlapped panel does not show through
  float scale_x = 1, scale_y = 1;
  glfwGetWindowContentScale(m.window, &scale_x, &scale_y);
  m.fonts = load_fonts(scale_x);
  ImGui::GetStyle().ScaleAllSizes(m.fonts.scale);
  ImGui_ImplGlfw_InitForOpenGL(m.window, true);
  ImGui_ImplOpenGL3_Init("#version 330 core");
  m.imgui_ready = true;

  use_cpu_threads(/*reserve*/ 1);  // the UI thread (and Mesa's software renderer) keep a core
  m.textures = std::make_unique<TextureCache>();
  m.heatmap_view = std::make_unique<HeatmapView>();
  m.state = std::make_unique<AppState>();
  AppState& s = *m.state;
  s.textures = m.textures.get();
  s.heatmap_view = m.heatmap_view.get();
  s.fonts = &m.fonts;
  if (options.script.empty()) load_panel_settings(s);
  if (!options.workspace.empty()) open_workspace(s, options.workspace);
  // A workspace names its own model; its opening job loads it.
  if (!options.model.empty() || (s.model_folder.empty() && options.workspace.empty()))
    load_model_async(s, options.model.empty() ? LOUPE_DEMO_MODEL : options.model);
  if (!options.images.empty()) {
    open_image_folder(s, options.images);
  } else if (options.workspace.empty()) {
    open_demo_images(s);
  }
}

App::~App() {
  Impl& m = *impl_;
  if (m.state && m.options.script.empty()) save_panel_settings(*m.state);
  m.state.reset();  // stops the workers before the GL objects go
  m.heatmap_view.reset();
  m.textures.reset();
  if (m.imgui_ready) {
    ImGui_ImplOpenGL3_Shutdown();
    ImGui_ImplGlfw_Shutdown();
    ImGui::DestroyContext();
  }
  if (m.window) glfwDestroyWindow(m.window);
  glfwTerminate();
}

int App::run() {
  Impl& m = *impl_;
  AppState& s = *m.state;
  const auto start = Clock::now();
  double frame_ms = 0, frame_cpu_ms = 0;
  while (!glfwWindowShouldClose(m.window)) {
    const auto frame_start = Clock::now();
    const double cpu_start = thread_cpu_ms();
    glfwPollEvents();
    try {
      if (!m.dropped.empty()) add_image_files(s, std::exchange(m.dropped, {}));
    } catch (const std::exception& error) {  // no user action may close the app
      s.status = error.what();
    }
    m.textures->upload_ready(8);
    pump_live(s);
    if (m.script) m.log_live_result();

    ImGui_ImplOpenGL3_NewFrame();
    ImGui_ImplGlfw_NewFrame();
    ImGui::NewFrame();
    ImGui::PushFont(m.fonts.body);
    try {
      m.draw_frame();
    } catch (const std::exception& error) {  // an action that failed (bad path, model not loaded): shown, not fatal
      s.status = error.what();
    }
    const double now = std::chrono::duration<double>(frame_start - start).count();
    if (m.script && !m.script->tick(s, now, frame_ms, frame_cpu_ms)) glfwSetWindowShouldClose(m.window, GLFW_TRUE);
    ImGui::PopFont();
    ImGui::Render();

    int width = 0, height = 0;
    glfwGetFramebufferSize(m.window, &width, &height);
    glViewport(0, 0, width, height);
    glClearColor(0.08f, 0.08f, 0.1f, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
    if (m.script && !m.script->screenshot_path.empty()) {
      m.script->screenshot_job = save_screenshot(s, m.script->screenshot_path, width, height);
      m.script->screenshot_path.clear();
    }
    glfwSwapBuffers(m.window);
    frame_ms = std::chrono::duration<double, std::milli>(Clock::now() - frame_start).count();
    frame_cpu_ms = thread_cpu_ms() - cpu_start;
    if (frame_ms < kFrameBudgetMs)  // 60 frames per second at most, leaving the cores to the workers
      std::this_thread::sleep_for(std::chrono::duration<double, std::milli>(kFrameBudgetMs - frame_ms));
  }
  if (!m.script) return 0;
  const auto print_frames = [](const char* what, const FrameStats& stats) {
    std::printf("[frames] %s: %d frames, worst %.1f ms, mean %.1f ms (UI-thread CPU: worst %.1f ms, mean %.1f ms)\n", what,
                stats.frames, stats.worst_ms, stats.mean_ms(), stats.worst_cpu_ms, stats.mean_cpu_ms());
  };
  print_frames("whole session", m.script->whole_session());
  print_frames("after the first frame (font atlas)", m.script->after_first_frame());
  if (m.script->failed()) {
    std::fprintf(stderr, "loupe-gui: %s\n", m.script->message().c_str());
    return 1;
  }
  std::printf("[script] done\n");
  return 0;
}

}  // namespace loupe::ui
