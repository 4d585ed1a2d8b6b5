#include "ui/app/script.h"

#include <filesystem>
#include <sstream>

#include "core/error.h"
#include "core/util/atomic_file.h"

namespace loupe::ui {

namespace {

struct CommandSpec {
  ScriptCommand command;
  const char* word;
  size_t min_args, max_args;
  std::vector<size_t> numeric;  // argument indices that must be numbers
};

const std::vector<CommandSpec>& specs() {
  static const std::vector<CommandSpec> table = {
      {ScriptCommand::SelectImage, "select-image", 1, 1, {}},
      {ScriptCommand::OpenPanel, "open-panel", 1, 1, {}},
      {ScriptCommand::ClosePanel, "close-panel", 1, 1, {}},
      {ScriptCommand::PlacePanel, "place-panel", 5, 5, {1, 2, 3, 4}},
      {ScriptCommand::AddDirection, "add-direction", 1, 3, {}},
      {ScriptCommand::SetSlider, "set-slider", 2, 2, {1}},
      {ScriptCommand::SetMode, "set-mode", 2, 2, {}},
      {ScriptCommand::DragSlider, "drag-slider", 4, 4, {1, 2, 3}},
      {ScriptCommand::SetHeatmap, "set-heatmap", 2, 3, {}},
      {ScriptCommand::SetOpacity, "set-opacity", 1, 1, {0}},
      {ScriptCommand::WaitIdle, "wait-idle", 0, 1, {0}},
      {ScriptCommand::Sleep, "sleep", 1, 1, {0}},
      {ScriptCommand::Screenshot, "screenshot", 1, 1, {}},
      {ScriptCommand::AssertCaptionChanged, "assert-caption-changed", 1, 1, {}},
      {ScriptCommand::AssertCaptionContains, "assert-caption-contains", 2, 2, {}},
      {ScriptCommand::AssertFrameTime, "assert-frame-time", 1, 1, {0}},
      {ScriptCommand::Export, "export", 1, 1, {}},
      {ScriptCommand::ExportReport, "export-report", 1, 1, {}},
      {ScriptCommand::Extract, "extract", 3, 6, {2}},
      {ScriptCommand::DropFiles, "drop-files", 1, 16, {}},
      {ScriptCommand::SaveSteeringSet, "save-steering-set", 1, 1, {}},
      {ScriptCommand::LoadSteeringSet, "load-steering-set", 1, 1, {}},
      {ScriptCommand::LoadAdapter, "load-adapter", 1, 1, {}},
      {ScriptCommand::SetAdapter, "set-adapter", 1, 1, {}},
      {ScriptCommand::ExportPlot, "export-plot", 2, 2, {}},
      {ScriptCommand::SelectFigure, "select-figure", 1, 1, {}},
      {ScriptCommand::SelectMap, "select-map", 1, 2, {}},
      {ScriptCommand::SelectBox, "select-box", 4, 4, {0, 1, 2, 3}},
      {ScriptCommand::MakeDirection, "make-direction", 1, 1, {}},
      {ScriptCommand::SearchLatents, "search-latents", 1, 1, {}},
      {ScriptCommand::SortLatents, "sort-latents", 2, 2, {}},
      {ScriptCommand::FilterLatents, "filter-latents", 1, 1, {}},
      {ScriptCommand::SelectLatent, "select-latent", 1, 2, {}},
      {ScriptCommand::MeasureFrames, "measure-frames", 1, 1, {0}},
      {ScriptCommand::TrainSae, "train-sae", 3, 5, {2, 3, 4}},
      {ScriptCommand::PatchSweep, "patch-sweep", 2, 3, {1}},
      {ScriptCommand::PatchCell, "patch-cell", 3, 3, {1}},
      {ScriptCommand::SteerSweep, "steer-sweep", 6, 6, {1, 2, 3, 5}},
      {ScriptCommand::MakeMap, "make-map", 3, 4, {3}},
      {ScriptCommand::RunAnalysis, "run-analysis", 2, 4, {3}},
  };
  return table;
}

bool is_number(const std::string& word) {
  try {
    size_t used = 0;
    std::stod(word, &used);
    return used == word.size();
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace

const char* command_word(ScriptCommand command) {
  for (const auto& spec : specs())
    if (spec.command == command) return spec.word;
  return "?";
}

std::vector<ScriptAction> parse_script(const std::string& text, const std::string& source_name) {
  std::vector<ScriptAction> actions;
  std::istringstream lines(text);
  std::string line;
  int number = 0;
  while (std::getline(lines, line)) {
    ++number;
    if (const size_t hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    std::istringstream words(line);
    std::vector<std::string> parts;
    for (std::string word; words >> word;) parts.push_back(word);
    if (parts.empty()) continue;
    const std::string where = source_name + ":" + std::to_string(number) + ": ";
    const CommandSpec* spec = nullptr;
    for (const auto& candidate : specs())
      if (parts[0] == candidate.word) spec = &candidate;
    if (!spec) {
      std::string known;
      for (const auto& candidate : specs()) known += std::string(known.empty() ? "" : ", ") + candidate.word;
      throw InputError(where + "unknown command '" + parts[0] + "'; known: " + known);
    }
    std::vector<std::string> args(parts.begin() + 1, parts.end());
    if (args.size() < spec->min_args || args.size() > spec->max_args)
      throw InputError(where + spec->word + " takes " + std::to_string(spec->min_args) +
                       (spec->max_args != spec->min_args ? " to " + std::to_string(spec->max_args) : "") +
                       " argument(s), got " + std::to_string(args.size()));
    for (size_t index : spec->numeric)
      if (index < args.size() && !is_number(args[index]))
        throw InputError(where + spec->word + ": '" + args[index] + "' is not a number");
    if (spec->command == ScriptCommand::DropFiles || spec->command == ScriptCommand::LoadSteeringSet ||
        spec->command == ScriptCommand::LoadAdapter)
      for (auto& path : args)
        if (std::filesystem::path(path).is_relative())
          path = (std::filesystem::path(source_name).parent_path() / path).lexically_normal().string();
    actions.push_back({spec->command, std::move(args), number});
  }
  return actions;
}

std::vector<ScriptAction> load_script(const std::string& path) { return parse_script(util::read_file(path), path); }

}  // namespace loupe::ui
