#include "core/workspace/workspace.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <sstream>

#include "core/error.h"
#include "core/io/dataset.h"
#include "core/store/store_format.h"
#include "core/util/atomic_file.h"
#include "core/workspace/checksums.h"
#include "core/util/json_fields.h"

namespace loupe::workspace {

namespace fs = std::filesystem;

namespace {

constexpr int kVersion = 1;

fs::path absolute_existing(const fs::path& path, const char* what) {
  std::error_code error;
  if (!fs::is_directory(path, error))
    throw InputError(std::string(what) + " folder " + path.string() + " does not exist");
  return fs::weakly_canonical(fs::absolute(path));
}

// Each input as runs.jsonl holds it: {"path","bytes","sha256"}, or {"path","problem"}.
nlohmann::json inputs_json(const fs::path& root, const std::vector<RunInput>& inputs) {
  ChecksumCache cache(root / kChecksumsFileName);
  nlohmann::json lines = nlohmann::json::array();
  for (const RunInput& input : inputs) {
    const fs::path path = fs::path(input.path).is_absolute() ? fs::path(input.path) : root / input.path;
    const fs::path inside = path.lexically_normal().lexically_relative(root);
    const bool in_workspace = !inside.empty() && *inside.begin() != "..";
    nlohmann::json line = {{"path", in_workspace ? inside.string() : path.lexically_normal().string()}};
    try {
      const FileChecksum checksum = cache.checksum(path);
      line["bytes"] = checksum.bytes;
      line["sha256"] = checksum.sha256;
    } catch (const IoError& error) {
      line["problem"] = error.what();
    }
    lines.push_back(std::move(line));
  }
  try {
    cache.save();
  } catch (const IoError&) {
    // only a cache: the next run hashes again
  }
  return lines;
}

// The files of `folder` with one of `extensions`, sorted.
std::vector<fs::path> files_with(const fs::path& folder, const std::vector<std::string>& extensions) {
  std::vector<fs::path> files;
  std::error_code error;
  for (const fs::directory_entry& entry : fs::directory_iterator(folder, error)) {
    const std::string extension = entry.path().extension().string();
    if (entry.is_regular_file(error) && std::find(extensions.begin(), extensions.end(), extension) != extensions.end())
      files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

void add_inputs(RunRecord& record, const std::vector<fs::path>& files) {
  for (const fs::path& file : files) {
    const bool known = std::any_of(record.inputs.begin(), record.inputs.end(),
                                   [&](const RunInput& input) { return input.path == file.string(); });
    if (!known) record.inputs.push_back({file.string(), 0, "", ""});
  }
}

std::string utc_now() {
  std::time_t now = std::time(nullptr);
  std::tm parts{};
  gmtime_r(&now, &parts);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &parts);
  return text;
}

void check_entry_name(const std::string& name, const char* what) {
  if (name.empty() || name[0] == '.' || name.find('/') != std::string::npos ||
      name.find('\\') != std::string::npos)
    throw InputError(std::string(what) + " name '" + name +
                     "' must be a plain folder name (no '/', not starting with '.')");
}

Workspace Workspace::init(const fs::path& root, const fs::path& model, const fs::path& dataset) {
  std::error_code error;
  if (fs::exists(root / kWorkspaceFileName, error))
    throw InputError(root.string() + " already holds a workspace (workspace.json); open it instead");
  Workspace workspace;
  workspace.model_ = absolute_existing(model, "model");
  workspace.dataset_ = absolute_existing(dataset, "dataset");
  util::create_folders(root);
  workspace.root_ = fs::weakly_canonical(fs::absolute(root));
  for (const char* sub : {"stores", "saes", "analyses", "reports"}) util::create_folders(workspace.root_ / sub);
  nlohmann::json file = {{"version", kVersion},
                         {"model", workspace.model_.string()},
                         {"dataset", workspace.dataset_.string()},
                         {"created", utc_now()},
                         {"settings", workspace.settings_}};
  util::write_file_atomic((workspace.root_ / kWorkspaceFileName).string(), file.dump(2) + "\n");
  return workspace;
}

Workspace Workspace::open(const fs::path& root) {
  const fs::path file = root / kWorkspaceFileName;
  std::error_code error;
  if (!fs::exists(file, error))
    throw InputError(root.string() + " is not a workspace (no workspace.json); run `loupe init --workspace " +
                     root.string() + " --model DIR --dataset DIR` first");
  const nlohmann::json json = util::parse_json_file(file.string());
  const util::JsonFields fields(json, file.string());
  if (!fields.value("model").is_string() || !fields.value("dataset").is_string())
    throw FormatError(file.string() + " needs string fields \"model\" and \"dataset\"");
  Workspace workspace;
  workspace.root_ = fs::weakly_canonical(fs::absolute(root));
  workspace.model_ = fields.string("model");
  workspace.dataset_ = fields.string("dataset");
  if (fields.has("settings")) workspace.settings_ = fields.object("settings").json();
  return workspace;
}

fs::path Workspace::store_dir(const std::string& name) const {
  check_entry_name(name, "store");
  return root_ / "stores" / name;
}
fs::path Workspace::sae_dir(const std::string& name) const {
  check_entry_name(name, "SAE");
  return root_ / "saes" / name;
}
fs::path Workspace::adapter_dir(const std::string& name) const {
  check_entry_name(name, "adapter");
  return root_ / "adapters" / name;
}
fs::path Workspace::analyses_dir() const { return root_ / "analyses"; }
fs::path Workspace::directions_dir() const { return root_ / "directions"; }
fs::path Workspace::reports_dir() const { return root_ / "reports"; }
fs::path Workspace::runs_file() const { return root_ / kRunsFileName; }

std::vector<fs::path> Workspace::model_files() const { return files_with(model_, {".json", ".safetensors"}); }
std::vector<fs::path> Workspace::dataset_files() const { return {dataset_ / io::kDatasetCsvName}; }
std::vector<fs::path> Workspace::store_files(const std::string& name) const {
  return {store_dir(name) / store::kManifestName, store_dir(name) / store::kRowsName};
}
std::vector<fs::path> Workspace::study_files() const {
  std::vector<fs::path> files = model_files();
  for (const fs::path& file : dataset_files()) files.push_back(file);
  return files;
}
std::vector<fs::path> Workspace::sae_files(const std::string& name) const {
  std::vector<fs::path> files;
  std::error_code error;
  for (const char* file : {"cfg.json", "params.safetensors", "sae_weights.safetensors"})
    if (fs::is_regular_file(sae_dir(name) / file, error)) files.push_back(sae_dir(name) / file);
  if (files.empty()) files.push_back(sae_dir(name) / "cfg.json");
  return files;
}

void Workspace::log_run(const RunRecord& record) const {
  nlohmann::json line = {{"command", record.command},
                         {"parameters", record.parameters.is_null() ? nlohmann::json::object() : record.parameters},
                         {"started", record.started},
                         {"ended", record.ended},
                         {"outcome", record.outcome},
                         {"message", record.message},
                         {"loupe_version", LOUPE_VERSION}};
  if (!record.details.is_null()) line["details"] = record.details;
  if (!record.inputs.empty()) line["inputs"] = inputs_json(root_, record.inputs);
  // One write() of the whole line with O_APPEND: concurrent runs never interleave within a line.
  const std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  const std::string path = runs_file().string();
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) throw IoError("cannot open " + path + ": " + std::strerror(errno));
  ssize_t written = ::write(fd, text.data(), text.size());
  int saved = errno;
  ::close(fd);
  if (written != static_cast<ssize_t>(text.size()))
    throw IoError("cannot append to " + path + ": " + std::strerror(written < 0 ? saved : ENOSPC));
}

void Workspace::run_logged(RunRecord& record, const std::function<void(RunRecord&)>& body) const {
  record.started = utc_now();
  try {
    body(record);
  } catch (const Error& error) {
    record.ended = utc_now();
    record.outcome = dynamic_cast<const Cancelled*>(&error) ? "cancelled" : "failed";
    record.message = error.what();
    try {
      log_run(record);
    } catch (const Error&) {
    }
    throw;
  }
  record.ended = utc_now();
  record.outcome = "ok";
  log_run(record);
}

std::vector<RunRecord> Workspace::runs() const {
  std::vector<RunRecord> records;
  std::error_code error;
  if (!fs::exists(runs_file(), error)) return records;
  std::istringstream lines(util::read_file(runs_file().string()));
  int64_t line = 0;
  for (std::string text; std::getline(lines, text);) {
    const std::string where = runs_file().string() + " line " + std::to_string(++line);
    nlohmann::json json;
    try {
      json = util::parse_json_text(text, where);
    } catch (const FormatError&) {
      continue;  // a line cut short (a run killed while logging) or garbled: skipped
    }
    if (!json.is_object()) continue;
    const util::JsonFields fields(json, where);
    RunRecord record;
    record.command = fields.string("command", "");
    record.parameters = fields.has("parameters") ? fields.object("parameters").json() : nlohmann::json::object();
    record.started = fields.string("started", "");
    record.ended = fields.string("ended", "");
    record.outcome = fields.string("outcome", "");
    record.message = fields.string("message", "");
    record.details = fields.value("details");
    record.loupe_version = fields.string("loupe_version", "");
    const nlohmann::json inputs = fields.value("inputs");
    if (inputs.is_array())
      for (const nlohmann::json& input : inputs)
        if (input.is_object())
          record.inputs.push_back({input.value("path", ""), input.value("bytes", uintmax_t(0)),
                                   input.value("sha256", ""), input.value("problem", "")});
    records.push_back(std::move(record));
  }
  return records;
}

}  // namespace loupe::workspace
