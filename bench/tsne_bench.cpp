// t-SNE speed and quality: `analysis::tsne` against scikit-learn's Barnes-Hut TSNE on the same
// points in the same run (scripts/tsne-reference.py; the comparison is skipped, saying so, when
// python3 with scikit-learn is missing). Both maps are scored with the same trustworthiness (k = 10).
//
//   tsne_bench [--points 20000] [--skip-reference]
//
// Two sets: scikit-learn's digits (1,797 x 64, saved by the script) and a generated one of
// --points points (20 Gaussian clusters in 50 dimensions). Targets (issue 14): trustworthiness
// within 0.01 of scikit-learn's, at least 5 times faster, 20,000 points in under 30 s on 2 cores.
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "core/analysis/tsne.h"
#include "core/jobs/standalone_job.h"
#include "core/tensor/convert.h"

using namespace loupe;
namespace fs = std::filesystem;

namespace {

const fs::path kScript = fs::path(LOUPE_SOURCE_DIR) / "scripts" / "tsne-reference.py";

// Runs a command and returns its standard output; empty when it failed.
std::string output_of(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return out;
  char buffer[4096];
  while (size_t got = fread(buffer, 1, sizeof buffer, pipe)) out.append(buffer, got);
  return pclose(pipe) == 0 ? out : std::string();
}

torch::Tensor clusters(int64_t n) {
  torch::manual_seed(4);
  const torch::Tensor centres = torch::randn({20, 50}) * 4;                 // [20, 50]
  const torch::Tensor label = torch::arange(n, torch::kInt64).remainder(20);  // [n]
  return centres.index_select(0, label) + torch::randn({n, 50});            // [n, 50]
}

void compare(const std::string& name, const fs::path& file, double perplexity, analysis::Repulsion repulsion,
             bool reference) {
  const torch::Tensor x = tensor::load(file.string(), "x");
  analysis::TsneOptions options;
  options.perplexity = perplexity;
  options.repulsion = repulsion;
  jobs::StandaloneJob job;
  const auto started = std::chrono::steady_clock::now();
  const analysis::Tsne map = analysis::tsne(x, options, job.context());
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const double trust = analysis::trustworthiness(x, map.embedding, 10);
  std::printf("%-9s %6lld points: loupe %7.2f s, KL %.4f, trustworthiness %.4f\n", name.c_str(),
              (long long)x.size(0), seconds, map.kl_divergence, trust);
  if (!reference) return;
  const fs::path theirs = file.parent_path() / (name + "-sklearn-map.safetensors");
  const std::string line = output_of("python3 '" + kScript.string() + "' run '" + file.string() + "' " +
                                     std::to_string(perplexity) + " '" + theirs.string() + "'");
  if (line.empty()) {
    std::printf("%-9s scikit-learn reference unavailable (python3 with scikit-learn and numpy)\n", name.c_str());
    return;
  }
  const nlohmann::json sklearn = nlohmann::json::parse(line);
  const double their_seconds = sklearn["seconds"].get<double>();
  const double their_trust = analysis::trustworthiness(x, tensor::load(theirs.string(), "embedding"), 10);
  std::printf("%-9s %6s         scikit-learn %7.2f s, KL %.4f, trustworthiness %.4f", name.c_str(), "",
              their_seconds, sklearn["kl_divergence"].get<double>(), their_trust);
  if (sklearn.contains("trustworthiness"))
    std::printf(" (its own measure: %.4f)", sklearn["trustworthiness"].get<double>());
  std::printf("\n%-9s speed-up x%.2f, trustworthiness difference %+.4f\n", name.c_str(), their_seconds / seconds,
              trust - their_trust);
}

}  // namespace

int main(int argc, char** argv) {
  int64_t points = 20000;
  bool reference = true;
  analysis::Repulsion repulsion = analysis::Repulsion::barnes_hut;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--points" && i + 1 < argc) points = std::stoll(argv[++i]);
    else if (flag == "--skip-reference") reference = false;
    else if (flag == "--repulsion" && i + 1 < argc) repulsion = analysis::parse_repulsion(argv[++i]);
    else {
      std::cerr << "usage: tsne_bench [--points N] [--repulsion fft|barnes-hut|exact] [--skip-reference]\n";
      return 2;
    }
  }
  const fs::path folder = fs::temp_directory_path() / "loupe-tsne-bench";
  fs::create_directories(folder);
  std::printf("cores: %u\n", std::thread::hardware_concurrency());
  const fs::path digits = folder / "digits.safetensors";
  if (reference && output_of("python3 '" + kScript.string() + "' digits '" + digits.string() + "'").empty() &&
      !fs::exists(digits))
    std::printf("digits: not available without scikit-learn\n");
  if (fs::exists(digits)) compare("digits", digits, 30, repulsion, reference);
  const fs::path generated = folder / "clusters.safetensors";
  tensor::save(generated.string(), {{"x", clusters(points)}});
  compare("clusters", generated, 30, repulsion, reference);
  return 0;
}
