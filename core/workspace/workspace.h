// A workspace: the folder that holds one study (docs/store.md). Layout:
//   workspace.json   {"version":1, "model": abs path, "dataset": abs path, "settings": {...}}
//   stores/NAME/     activation stores (core/store)
//   saes/NAME/       trained SAEs
//   analyses/, reports/, directions/NAME.safetensors (steering directions with their provenance)
//   runs.jsonl       one JSON object per command run: what ran, when, with which parameters, how it
//                    ended, which files it read (with their SHA-256) and the loupe version that ran it
//   checksums.json   the SHA-256 of each input file by size and modification time (checksums.h)
// Torch-free (part of loupe_base). The CLI's `loupe init` makes one; every later command opens it.
#pragma once
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace loupe::workspace {

constexpr const char* kWorkspaceFileName = "workspace.json";
constexpr const char* kRunsFileName = "runs.jsonl";

// One file a run read. The body names `path`; log_run fills bytes and sha256, or `problem` when the
// file cannot be read.
struct RunInput {
  std::string path;  // in runs.jsonl: relative to the workspace root when inside it, else absolute
  uintmax_t bytes = 0;
  std::string sha256;
  std::string problem;  // why there is no checksum, e.g. "cannot read ...: No such file or directory"
};

struct RunRecord {
  std::string command;         // "extract", "train-sae", ...
  nlohmann::json parameters;   // the options as given (object)
  std::string started, ended;  // ISO 8601 UTC, e.g. "2026-11-30T10:12:00Z"
  std::string outcome;         // ok | failed | cancelled
  std::string message;         // error message, or a one-line summary
  nlohmann::json details;      // optional extras (e.g. skipped rows); omitted from the line when null
  std::string loupe_version;   // read back by runs(); log_run always writes the running build's LOUPE_VERSION
  std::vector<RunInput> inputs;  // the files the run read (add_inputs); log_run checksums them
};

// Appends each file not already among record.inputs.
void add_inputs(RunRecord& record, const std::vector<std::filesystem::path>& files);

// Current UTC time as "YYYY-MM-DDTHH:MM:SSZ" (for RunRecord::started / ended).
std::string utc_now();

class Workspace {
 public:
  // Creates root (and its subfolders) and writes workspace.json. `model` and `dataset` are stored as
  // absolute paths. Throws InputError when root already holds a workspace.json or the model/dataset
  // folder does not exist, IoError when the folder cannot be made.
  static Workspace init(const std::filesystem::path& root, const std::filesystem::path& model,
                        const std::filesystem::path& dataset);
  // Throws InputError if root has no workspace.json ("run `loupe init` first"), FormatError if it is
  // not the expected JSON.
  static Workspace open(const std::filesystem::path& root);

  const std::filesystem::path& root() const { return root_; }
  const std::filesystem::path& model() const { return model_; }      // absolute
  const std::filesystem::path& dataset() const { return dataset_; }  // absolute
  const nlohmann::json& settings() const { return settings_; }       // free-form object

  std::filesystem::path store_dir(const std::string& name) const;  // root/stores/name
  std::filesystem::path sae_dir(const std::string& name) const;    // root/saes/name
  std::filesystem::path adapter_dir(const std::string& name) const;  // root/adapters/name (LoRA, loupe finetune)
  std::filesystem::path analyses_dir() const;                      // root/analyses
  std::filesystem::path directions_dir() const;                     // root/directions
  std::filesystem::path reports_dir() const;                       // root/reports
  std::filesystem::path runs_file() const;                         // root/runs.jsonl

  // The files a run reads, for RunRecord::inputs, each list sorted. The model's *.json and
  // *.safetensors files; the dataset's image_caption.csv; a store's manifest.json and rows.jsonl;
  // whichever of an SAE's cfg.json, sae_weights.safetensors and params.safetensors exist. A file
  // that is missing is still listed (its run input then says why it has no checksum).
  std::vector<std::filesystem::path> model_files() const;
  std::vector<std::filesystem::path> dataset_files() const;
  std::vector<std::filesystem::path> store_files(const std::string& name) const;
  std::vector<std::filesystem::path> sae_files(const std::string& name) const;
  std::vector<std::filesystem::path> study_files() const;  // model_files() then dataset_files()

  // Appends one JSON line to runs.jsonl (a single write of the whole line, flushed), with the size and
  // SHA-256 of each input (cached in checksums.json; a cache that cannot be written is skipped).
  // Throws IoError.
  void log_run(const RunRecord& record) const;
  // Runs `body` as one logged run: stamps `started`, runs body (which fills parameters, message and
  // details), then stamps `ended`, outcome "ok" and logs the record. When body throws a loupe::Error
  // the run is logged as failed (cancelled for Cancelled) with the error's message and the error is
  // rethrown; a log line that a full disk refuses then is dropped, since the error says what happened.
  void run_logged(RunRecord& record, const std::function<void(RunRecord&)>& body) const;
  // Every record in runs.jsonl, oldest first (lines that are not JSON objects are skipped).
  std::vector<RunRecord> runs() const;

 private:
  std::filesystem::path root_, model_, dataset_;
  nlohmann::json settings_ = nlohmann::json::object();
};

// Throws InputError when `name` is empty or not a plain folder name (no '/', '..', leading '.').
void check_entry_name(const std::string& name, const char* what);

}  // namespace loupe::workspace
