// Feature analysis speed: `analysis::analyze_features` (one encoding pass, then every statistic
// from the sparse codes) over a generated store, against the reference measured in the same run:
// one bare encoding pass of the same vectors (read + TopK encode), the least any analysis must do.
//
//   feature_bench [--vectors 100000] [--width 256] [--latents 16384] [--k 32]
//
// The store has 2,000 dataset rows × en, ar, each entry holding vectors / 4,000 vectors; half the
// figures are women. Target (issue 13): the whole analysis under 10 s on 2 cores at the demo width
// (256), encoding once. Threads as the CLI runs them (every usable CPU, or LOUPE_THREADS).
#include <torch/torch.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <string>
#include <unistd.h>

#include "core/analysis/feature_analysis.h"
#include "core/jobs/runner.h"
#include "core/store/store_writer.h"
#include "core/tensor/threads.h"

using namespace loupe;
using Clock = std::chrono::steady_clock;

namespace {

struct BenchOptions {
  int64_t vectors = 100000, width = 256, latents = 16384, k = 32;
};

BenchOptions parse(int argc, char** argv) {
  BenchOptions options;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const int64_t value = std::stoll(argv[i + 1]);
    if (flag == "--vectors") options.vectors = value;
    else if (flag == "--width") options.width = value;
    else if (flag == "--latents") options.latents = value;
    else if (flag == "--k") options.k = value;
    else {
      std::cerr << "unknown option " << flag << "\n";
      std::exit(2);
    }
  }
  return options;
}

const std::string kHook = "blocks.2.hook_resid_post";

void write_store(const std::filesystem::path& folder, const BenchOptions& o) {
  constexpr int64_t kRows = 2000;
  const int64_t per_entry = std::max<int64_t>(1, o.vectors / (2 * kRows));
  store::StoreSpec spec;
  spec.model = "bench";
  spec.dataset = "bench";
  spec.hooks = {kHook};
  spec.widths = {o.width};
  spec.dtype = "f32";
  spec.positions = "text";
  spec.source = "caption";
  spec.langs = {"en", "ar"};
  spec.units_total = 2 * kRows;
  store::StoreWriter writer = store::StoreWriter::create(folder, spec, 16384);
  torch::manual_seed(3);
  for (int64_t e = 0; e < 2 * kRows; ++e) {
    const bool woman = (e / 2) % 2 == 0;
    store::UnitVectors unit;
    unit.meta = {{"row", e / 2},
                 {"image", "bench.png"},
                 {"lang", e % 2 ? "ar" : "en"},
                 {"labels", {{"gender", woman ? "woman" : "man"}}},
                 {"gender", {{"label", woman ? "woman" : "man"}, {"reference", woman ? "female" : "male"}}}};
    unit.per_hook = {torch::randn({per_entry, o.width})};
    for (int64_t p = 0; p < per_entry; ++p) {
      unit.positions.push_back(p);
      unit.types.push_back(kTextToken);
    }
    writer.add(std::move(unit));
  }
  writer.finish();
}

sae::Sae bench_sae(const BenchOptions& o) {
  sae::SaeConfig config;
  config.kind = sae::SaeKind::TopK;
  config.d_in = o.width;
  config.d_sae = o.latents;
  config.k = o.k;
  config.hook_name = kHook;
  return sae::Sae::initialized(config, 7);
}

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

}  // namespace

int main(int argc, char** argv) {
  const BenchOptions o = parse(argc, argv);
  use_cpu_threads();  // as the CLI does
  const std::filesystem::path folder =
      std::filesystem::temp_directory_path() / ("loupe-feature-bench-" + std::to_string(getpid()));
  write_store(folder, o);
  const store::StoreReader store = store::StoreReader::open(folder);
  const sae::Sae sae = bench_sae(o);
  std::cout << "feature_bench: " << store.count() << " vectors of width " << o.width << ", " << o.latents
            << " latents (TopK k=" << o.k << "), " << torch::get_num_threads() << " threads\n";

  auto start = Clock::now();
  torch::NoGradGuard no_grad;
  int64_t active = 0;
  torch::Tensor pre_activations;  // reused, as the analysis does
  for (int64_t begin = 0; begin < store.count(); begin += 4096) {
    const torch::Tensor x = store.read(kHook, begin, std::min(store.count(), begin + 4096));
    active += sae.encode_topk(x, pre_activations).values.gt(0).sum().item<int64_t>();
  }
  const double reference = seconds_since(start);
  std::cout << "  reference (read + encode once): " << reference << " s (" << active << " active codes)\n";

  analysis::FeatureAnalysisRequest request;
  request.hook = kHook;
  request.grouping = analysis::GenderGrouping::Figure;
  jobs::JobRunner runner(1);
  start = Clock::now();
  const jobs::JobId id = runner.submit("analysis", [&](jobs::JobContext& job) {
    const analysis::FeatureAnalysis result = analysis::analyze_features(store, sae, request, job);
    return nlohmann::json{{"latents", result.latents.size()}};
  });
  const auto done = runner.wait(id);
  const double whole = seconds_since(start);
  if (done->state != jobs::JobState::Succeeded) {
    std::cerr << "feature_bench: " << done->error_message << "\n";
    std::filesystem::remove_all(folder);
    return 1;
  }
  std::cout << "  feature analysis: " << whole << " s (" << whole / reference << "x one encoding pass; target < 10 s "
            << "at width 256)\n";
  std::filesystem::remove_all(folder);
  return 0;
}
