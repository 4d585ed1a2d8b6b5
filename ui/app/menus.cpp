#include "ui/app/menus.h"

#include <GLFW/glfw3.h>
#include <imgui.h>

#include <algorithm>
#include <cstdio>

#include "ui/app/fonts.h"
#include "ui/live/model_info.h"

namespace loupe::ui {

namespace {

using Dialog = MenuState::Dialog;

void open_dialog(MenuState& menus, Dialog dialog, const std::string& initial) {
  menus.dialog = dialog;
  menus.just_opened = true;
  std::snprintf(menus.path, sizeof menus.path, "%s", initial.c_str());
}

const char* dialog_title(Dialog dialog) {
  switch (dialog) {
    case Dialog::OpenModel: return "Open model folder";
    case Dialog::OpenImages: return "Open dataset or image folder";
    case Dialog::OpenWorkspace: return "Open workspace";
    case Dialog::NewWorkspace: return "New workspace";
    case Dialog::Export: return "Export session";
    case Dialog::ExportReport: return "Export report";
    case Dialog::SaveSteeringSet: return "Save steering set";
    case Dialog::LoadSteeringSet: return "Load steering set";
    case Dialog::About: return "About loupe";
    case Dialog::Shortcuts: return "Keyboard shortcuts";
    case Dialog::None: break;
  }
  return "";
}

const char* dialog_hint(Dialog dialog) {
  switch (dialog) {
    case Dialog::OpenModel: return "A Hugging Face folder: config.json, *.safetensors, tokenizer.json.";
    case Dialog::OpenImages: return "A folder holding image_caption.csv (labels become filters), or any folder of images.";
    case Dialog::OpenWorkspace: return "A folder holding workspace.json (made by `loupe init` or File > New workspace).";
    case Dialog::NewWorkspace: return "A new folder; it records the current model and dataset.";
    case Dialog::Export: return "A folder; session.json (captions, sliders) and directions.safetensors are written there.";
    case Dialog::ExportReport: return "A folder; the open workspace's study report (report.html, report.md, report.json, report.pdf with Chromium) is written there, as `loupe report` writes it.";
    case Dialog::SaveSteeringSet: return "FILE.json: the sliders, for `loupe steer --set`; FILE.safetensors beside it holds their directions.";
    case Dialog::LoadSteeringSet: return "A steering set (FILE.json) saved here or written for `loupe steer`: additive steers become sliders.";
    default: return "";
  }
}

void run_dialog_action(AppState& state, Dialog dialog, const std::string& path) {
  switch (dialog) {
    case Dialog::OpenModel: load_model_async(state, path); break;
    case Dialog::OpenImages: open_image_folder(state, path); break;
    case Dialog::OpenWorkspace: open_workspace(state, path); break;
    case Dialog::NewWorkspace: new_workspace(state, path); break;
    case Dialog::Export: export_session(state, path); break;
    case Dialog::ExportReport: export_report(state, path); break;
    case Dialog::SaveSteeringSet: save_steering_set(state, path); break;
    case Dialog::LoadSteeringSet: load_steering_set(state, path); break;
    default: break;
  }
}


}  // namespace

void draw_menu_bar(AppState& state, MenuState& menus, GLFWwindow* window) {
  const ImGuiIO& io = ImGui::GetIO();
  if (io.KeyCtrl && !io.WantTextInput) {
    if (ImGui::IsKeyPressed(GLFW_KEY_M, false)) open_dialog(menus, Dialog::OpenModel, state.model_folder);
    if (ImGui::IsKeyPressed(GLFW_KEY_O, false)) open_dialog(menus, Dialog::OpenImages, state.dataset_folder);
    if (ImGui::IsKeyPressed(GLFW_KEY_E, false)) open_dialog(menus, Dialog::Export, "loupe-export");
    if (ImGui::IsKeyPressed(GLFW_KEY_Q, false)) glfwSetWindowShouldClose(window, GLFW_TRUE);
    for (int p = 0; p < std::min(int(kPanelCount), 10); ++p)  // the Patching panel has no digit left
      if (ImGui::IsKeyPressed(p < 9 ? GLFW_KEY_1 + p : GLFW_KEY_0, false)) state.show[p] = !state.show[p];
  }
  if (ImGui::IsKeyPressed(GLFW_KEY_F1, false)) open_dialog(menus, Dialog::Shortcuts, "");
  if (!ImGui::BeginMainMenuBar()) return;
  if (ImGui::BeginMenu("File")) {
    if (ImGui::MenuItem("Open model…", "Ctrl+M")) open_dialog(menus, Dialog::OpenModel, state.model_folder);
    if (ImGui::MenuItem("Open dataset folder…", "Ctrl+O")) open_dialog(menus, Dialog::OpenImages, state.dataset_folder);
    ImGui::Separator();
    if (ImGui::MenuItem("Open workspace…")) open_dialog(menus, Dialog::OpenWorkspace, state.workspace);
    if (ImGui::MenuItem("New workspace…")) open_dialog(menus, Dialog::NewWorkspace, "");
    ImGui::Separator();
    if (ImGui::MenuItem("Export…", "Ctrl+E")) open_dialog(menus, Dialog::Export, "loupe-export");
    if (ImGui::MenuItem("Export report…", nullptr, false, !state.workspace.empty()))
      open_dialog(menus, Dialog::ExportReport, state.workspace + "/reports/report");
    if (ImGui::MenuItem("Save steering set…")) open_dialog(menus, Dialog::SaveSteeringSet, state.workspace.empty() ? "steering.json" : state.workspace + "/steering/steering.json");
    if (ImGui::MenuItem("Load steering set…")) open_dialog(menus, Dialog::LoadSteeringSet, state.workspace.empty() ? "steering.json" : state.workspace + "/steering/steering.json");
    ImGui::Separator();
    if (ImGui::MenuItem("Quit", "Ctrl+Q")) glfwSetWindowShouldClose(window, GLFW_TRUE);
    ImGui::EndMenu();
  }
  if (ImGui::BeginMenu("View")) {
    for (int p = 0; p < kPanelCount; ++p) {
      const std::string shortcut = p < 10 ? "Ctrl+" + std::to_string((p + 1) % 10) : "";
      ImGui::MenuItem(panel_title(Panel(p)), shortcut.c_str(), &state.show[p]);
    }
    ImGui::EndMenu();
  }
  if (ImGui::BeginMenu("Help")) {
    if (ImGui::MenuItem("Keyboard shortcuts", "F1")) open_dialog(menus, Dialog::Shortcuts, "");
    if (ImGui::MenuItem("About loupe")) open_dialog(menus, Dialog::About, "");
    ImGui::EndMenu();
  }
  ImGui::Separator();
  if (state.model) {
    ImGui::TextDisabled("%s · %s · %.1fM parameters", state.model_info.family.c_str(), state.model_folder.c_str(),
                        double(state.model_info.parameters) / 1e6);
  } else {
    ImGui::TextDisabled("loading %s…", state.model_folder.c_str());
  }
  if (!state.status.empty()) {
    ImGui::Separator();
    ImGui::TextUnformatted(state.status.c_str());
  }
  ImGui::EndMainMenuBar();
}

void draw_dialogs(AppState& state, MenuState& menus) {
  if (menus.dialog == Dialog::None) return;
  const char* title = dialog_title(menus.dialog);
  if (menus.just_opened) {
    ImGui::OpenPopup(title);
    menus.just_opened = false;
  }
  bool open = true;
  if (!ImGui::BeginPopupModal(title, &open, ImGuiWindowFlags_AlwaysAutoResize)) {
    if (!open || !ImGui::IsPopupOpen(title)) menus.dialog = Dialog::None;
    return;
  }
  if (menus.dialog == Dialog::About) {
    ImGui::TextUnformatted("loupe: mechanistic interpretability of gender bias in English/Arabic captioning models.");
    ImGui::TextUnformatted("Dear ImGui " IMGUI_VERSION ", GLFW, OpenGL 3.3 through libepoxy, FriBidi, LibTorch.");
    ImGui::Text("Arabic text is shaped and reordered with FriBidi; font: %s", state.fonts->path.c_str());
  } else if (menus.dialog == Dialog::Shortcuts) {
    ImGui::TextUnformatted("Arrow keys (Images panel)   previous / next image, row up / down");
    ImGui::TextUnformatted("Ctrl+M   open a model folder");
    ImGui::TextUnformatted("Ctrl+O   open a dataset or image folder");
    ImGui::TextUnformatted("Ctrl+E   export the session");
    ImGui::TextUnformatted("Ctrl+1 … Ctrl+9, Ctrl+0   show / hide Images, Caption, Heatmap, Steering, Jobs, Bias,");
    ImGui::TextUnformatted("                          Maps, Feature browser, Feature page, Study (Patching: View menu)");
    ImGui::TextUnformatted("F1   this list;   Ctrl+Q   quit");
    ImGui::TextUnformatted("Drop image files or a folder on the window to add them.");
  } else {
    ImGui::TextUnformatted(dialog_hint(menus.dialog));
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 32);
    if (ImGui::IsWindowAppearing()) ImGui::SetKeyboardFocusHere();
    const bool entered = ImGui::InputText("##path", menus.path, sizeof menus.path, ImGuiInputTextFlags_EnterReturnsTrue);
    if ((ImGui::Button("OK") || entered) && menus.path[0]) {
      try {
        run_dialog_action(state, menus.dialog, menus.path);
      } catch (const std::exception& error) {
        state.status = error.what();
      }
      open = false;
    }
    ImGui::SameLine();
    if (ImGui::Button("Cancel")) open = false;
  }
  if (menus.dialog == Dialog::About || menus.dialog == Dialog::Shortcuts)
    if (ImGui::Button("Close")) open = false;
  if (!open) {
    ImGui::CloseCurrentPopup();
    menus.dialog = Dialog::None;
  }
  ImGui::EndPopup();
}

}  // namespace loupe::ui
