// Probe speed: the probes of `loupe analyze probe` for 4 hooks × (figure and stated gender in each
// of 2 languages, and language over both) on 10,000 entries (5,000 a language), with
// `analysis::probe_accuracy` (Newton's method, 5 stratified folds), against scikit-learn's
// StandardScaler + LogisticRegression on exactly the same vectors and folds, in the same run
// (scripts/check-probe-sklearn.py, which also fails when any mean accuracy differs by more than
// 0.02; its time includes Python's start and imports). Skipped, saying so, without scikit-learn.
//   PATH=/usr/bin:$PATH probe_bench [--entries 10000] [--dim 256] [--skip-reference]
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>

#include <nlohmann/json.hpp>

#include "core/analysis/layer_probes.h"
#include "core/tensor/convert.h"
#include "core/util/atomic_file.h"

using namespace loupe;
namespace fs = std::filesystem;

namespace {

const fs::path kScript = fs::path(LOUPE_SOURCE_DIR) / "scripts" / "check-probe-sklearn.py";

struct Probe {
  std::string hook, target, lang;
  torch::Tensor x;              // [n, d] float64
  std::vector<int64_t> labels;  // 0 / 1
};

// n vectors whose label moves them `strength` along a direction, plus noise: about 80% separable.
Probe planted(const std::string& hook, const std::string& target, const std::string& lang, int64_t n, int64_t d,
              uint64_t seed) {
  torch::manual_seed(seed);
  const torch::Tensor labels = torch::randint(0, 2, {n}, torch::kInt64);
  const torch::Tensor direction = torch::randn({d}, torch::kFloat64) / std::sqrt(double(d));
  const torch::Tensor x = torch::randn({n, d}, torch::kFloat64) + labels.to(torch::kFloat64).unsqueeze(1) * direction * 1.7;
  return {hook, target, lang, x, std::vector<int64_t>(labels.data_ptr<int64_t>(), labels.data_ptr<int64_t>() + n)};
}

}  // namespace

int main(int argc, char** argv) {
  int64_t entries = 10000, dim = 256;
  bool reference = true;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--entries" && i + 1 < argc) entries = std::stoll(argv[++i]);
    else if (flag == "--dim" && i + 1 < argc) dim = std::stoll(argv[++i]);
    else if (flag == "--skip-reference") reference = false;
    else {
      std::cerr << "usage: probe_bench [--entries N] [--dim D] [--skip-reference]\n";
      return 2;
    }
  }
  std::vector<Probe> probes;
  uint64_t seed = 1;
  for (int layer : {0, 1, 2, 3}) {
    const std::string hook = "blocks." + std::to_string(layer) + ".hook_resid_post";
    for (const char* target : {"figure", "caption"})
      for (const char* lang : {"en", "ar"}) probes.push_back(planted(hook, target, lang, entries / 2, dim, seed++));
    probes.push_back(planted(hook, "language", "both", entries, dim, seed++));
  }
  const double C = 1.0;
  nlohmann::json table = nlohmann::json::array();
  tensor::NamedTensors exported;
  const auto started = std::chrono::steady_clock::now();
  for (size_t i = 0; i < probes.size(); ++i) {
    const Probe& probe = probes[i];
    const std::vector<int64_t> folds = analysis::stratified_folds(probe.labels, 5, 0);
    const analysis::ProbeScore score = analysis::probe_accuracy(probe.x, probe.labels, folds, C);
    table.push_back({{"hook", probe.hook}, {"target", probe.target}, {"lang", probe.lang}, {"accuracy_mean", score.mean}});
    exported.push_back({"x." + std::to_string(i), probe.x});
    exported.push_back({"y." + std::to_string(i), torch::tensor(probe.labels, torch::kInt64)});
    exported.push_back({"fold." + std::to_string(i), torch::tensor(folds, torch::kInt64)});
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("%zu probes over %lld entries of %lld dimensions, 5 folds: loupe %.2f s\n", probes.size(),
              (long long)entries, (long long)dim, seconds);
  if (!reference) return 0;
  const fs::path folder = fs::temp_directory_path() / "loupe-probe-bench";
  fs::create_directories(folder);
  util::write_file_atomic((folder / "probe.json").string(), table.dump(2));
  tensor::save((folder / "probe_data.safetensors").string(), exported, {{"C", std::to_string(C)}});
  const auto theirs_started = std::chrono::steady_clock::now();
  const std::string command = "python3 '" + kScript.string() + "' '" + folder.string() + "' > '" +
                              (folder / "sklearn.txt").string() + "' 2>&1";
  const int status = std::system(command.c_str());
  const double their_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - theirs_started).count();
  const std::string report = util::read_file((folder / "sklearn.txt").string());
  const size_t last = report.rfind("largest difference");
  if (last == std::string::npos) {
    std::printf("scikit-learn reference unavailable (python3 with numpy and scikit-learn):\n%s", report.c_str());
    return 0;
  }
  std::printf("scikit-learn %.2f s, speed-up x%.2f; %s", their_seconds, their_seconds / seconds, report.substr(last).c_str());
  return status == 0 ? 0 : 1;
}
