// `loupe-gui --script FILE`: a list of actions run one after another across frames, then the app
// exits (README screenshots, tests under xvfb-run). One action per line, words separated by spaces,
// `#` starts a comment. The commands are listed in docs/gui.md; parsing is torch- and GL-free.
#pragma once
#include <string>
#include <vector>

namespace loupe::ui {

enum class ScriptCommand {
  SelectImage,           // select-image NAME|INDEX
  OpenPanel,             // open-panel images|caption|heatmap|steering|jobs
  ClosePanel,            // close-panel NAME
  PlacePanel,            // place-panel NAME X Y W H   (moves and sizes it, fractions of the window; opens it)
  AddDirection,          // add-direction gender [HOOK] | add-direction file PATH:KEY [HOOK]
  SetSlider,             // set-slider NAME VALUE
  SetMode,               // set-mode NAME additive|orthogonal|cap   (a slider's steering mode)
  DragSlider,            // drag-slider NAME FROM TO SECONDS
  SetHeatmap,            // set-heatmap HOOK norm|projection|attention|latent [ARG]
  SetOpacity,            // set-opacity 0..1
  WaitIdle,              // wait-idle [TIMEOUT_SECONDS]   (default 60)
  Sleep,                 // sleep SECONDS
  Screenshot,            // screenshot PATH.png
  AssertCaptionChanged,  // assert-caption-changed en|ar
  AssertCaptionContains, // assert-caption-contains en|ar WORD   (a whole word of the steered caption)
  AssertFrameTime,       // assert-frame-time MAX_MS   (worst frame since the last drag started)
  Export,                // export FOLDER   (as File > Export: session.json, directions.safetensors)
  ExportReport,          // export-report FOLDER   (as File > Export report: the open workspace's study report)
  Extract,               // extract HOOK STORE_FOLDER ROWS [POSITIONS [LANGS [SOURCE]]]   (the Jobs panel's extraction job)
  DropFiles,             // drop-files PATH...   (as dropping files on the window; relative to the script's folder)
  SaveSteeringSet,       // save-steering-set FILE.json   (as File > Save steering set)
  LoadSteeringSet,       // load-steering-set FILE.json   (as File > Load steering set; relative to the script's folder)
  LoadAdapter,           // load-adapter DIR   (a LoRA adapter folder, switched on; relative to the script's folder)
  SetAdapter,            // set-adapter on|off   (the caption panel's adapter switch)
  ExportPlot,            // export-plot PANEL PATH.png|.svg|.csv   (the figure the panel shows, as its right-click menu)
  SelectFigure,          // select-figure ID   (the Bias panel's figure, e.g. layers/probe)
  SelectMap,             // select-map ID [COLOUR_COLUMN]   (the Maps panel's map and colouring)
  SelectBox,             // select-box X0 Y0 X1 Y1   (a box on the Maps panel's map, data units)
  MakeDirection,         // make-direction NAME   (the map selection minus the rest, as a slider)
  SearchLatents,         // search-latents TEXT|-   (the Feature browser's search; - clears it)
  SortLatents,           // sort-latents COLUMN asc|desc
  FilterLatents,         // filter-latents none|language-specific|aligned|gendered
  SelectLatent,          // select-latent N|first [ANALYSIS]   (opens its Feature page; first: the browser's first row)
  MeasureFrames,         // measure-frames SECONDS   (logs the frames' time and UI-thread CPU over that long)
  TrainSae,              // train-sae NAME HOOK TOKENS [EXPANSION K]   (the Study panel's Train button; waits for it)
  PatchSweep,            // patch-sweep NAME PAIR [en|ar]   (the Patching panel's Sweep on suggested pair PAIR; waits for it)
  PatchCell,             // patch-cell NAME LAYER POSITION|last|image:K   (a click on the sweep's cell; waits for its captions)
  SteerSweep,            // steer-sweep NAME FROM TO STEP SPLIT ROWS   (the Steering panel's dose-response Sweep; waits for it)
  MakeMap,               // make-map NAME HOOK|sae:SAE pca|tsne [PERPLEXITY]   (the Maps panel's Recompute; waits for it)
  RunAnalysis,           // run-analysis probe|rank|summary|lens|features|eval-sae NAME [HOOKS|SPLIT|SAE [ROWS]]   (waits)
};

struct ScriptAction {
  ScriptCommand command;
  std::vector<std::string> args;
  int line = 0;  // 1-based line in the script, for messages
};

// Throws InputError naming the line for an unknown command or a wrong number of arguments, and
// for numbers that do not parse.
std::vector<ScriptAction> parse_script(const std::string& text, const std::string& source_name);
std::vector<ScriptAction> load_script(const std::string& path);  // + IoError when unreadable

const char* command_word(ScriptCommand command);

}  // namespace loupe::ui
