#include "core/workspace/saes.h"

#include <algorithm>
#include <system_error>
#include <tuple>

namespace loupe::workspace {

namespace fs = std::filesystem;

namespace {

// The write time of the file that makes `folder` an SAE, or nothing when it is not one.
std::optional<fs::file_time_type> sae_written(const fs::path& folder) {
  for (const char* name : {"cfg.json", "params.safetensors"}) {
    std::error_code error;
    const fs::file_time_type written = fs::last_write_time(folder / name, error);
    if (!error) return written;
  }
  return std::nullopt;
}

}  // namespace

std::optional<fs::path> newest_sae(const fs::path& saes_folder) {
  std::error_code error;
  if (!fs::is_directory(saes_folder, error)) return std::nullopt;
  std::optional<std::tuple<fs::file_time_type, std::string>> best;
  std::optional<fs::path> chosen;
  for (const auto& entry : fs::directory_iterator(saes_folder, error)) {
    if (!entry.is_directory(error)) continue;
    const auto written = sae_written(entry.path());
    if (!written) continue;
    const auto key = std::make_tuple(*written, entry.path().filename().string());
    if (!best || key > *best) {
      best = key;
      chosen = entry.path();
    }
  }
  return chosen;
}

std::vector<std::string> sae_names(const fs::path& saes_folder) {
  std::vector<std::string> names;
  std::error_code error;
  if (!fs::is_directory(saes_folder, error)) return names;
  for (const auto& entry : fs::directory_iterator(saes_folder, error))
    if (entry.is_directory(error) && sae_written(entry.path())) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace loupe::workspace
