// Extraction throughput of the demo model on CPU by batch size (images per forward pass).
//
//   extract_bench DATASET_DIR [ROWS] [BATCHES] [MODEL_DIR]
//   e.g. extract_bench /tmp/ex-data 200 1,2,4,8,16
//
// For each batch size: extracts blocks.{1,2,3}.hook_resid_post, langs en,ar, positions text,
// source caption, from the first ROWS rows into a temporary store, and prints dataset rows per
// second and the ratio against batch 1 (the reference, measured in the same run).
#include <torch/torch.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "core/jobs/runner.h"
#include "core/store/extract.h"

using namespace loupe;
namespace fs = std::filesystem;

namespace {

double rows_per_second(store::ExtractOptions options, int64_t batch) {
  options.batch = batch;
  std::error_code error;
  fs::remove_all(options.out, error);
  auto extraction = store::Extraction::prepare(options);
  jobs::JobRunner runner(1);
  const auto started = std::chrono::steady_clock::now();
  const auto id = runner.submit("extract", [&](jobs::JobContext& context) { return extraction->run(context).to_json(); });
  const auto done = runner.wait(id);
  if (done->state != jobs::JobState::Succeeded) throw std::runtime_error(done->error_message);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  fs::remove_all(options.out, error);
  return double(options.limit) / seconds;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: extract_bench DATASET_DIR [ROWS] [BATCHES] [MODEL_DIR]\n";
    return 2;
  }
  try {
    store::ExtractOptions options;
    options.dataset = argv[1];
    options.limit = argc > 2 ? std::stoll(argv[2]) : 200;
    const std::string batches = argc > 3 ? argv[3] : "1,2,4,8,16";
    options.model = argc > 4 ? argv[4] : std::string(LOUPE_SOURCE_DIR) + "/assets/models/demo";
    options.hooks = "blocks.{1,2,3}.hook_resid_post";
    options.out = fs::temp_directory_path() / ("extract-bench-" + std::to_string(::getpid()));
    std::cout << "extract_bench: " << options.limit << " rows x 2 langs x 3 hooks, " << torch::get_num_threads()
              << " threads\n";
    double reference = 0;
    std::stringstream list(batches);
    for (std::string word; std::getline(list, word, ',');) {
      const int64_t batch = std::stoll(word);
      const double rate = rows_per_second(options, batch);
      if (reference == 0) reference = rate;
      std::cout << "  batch " << batch << ": " << rate << " rows/s (" << 2 * rate << " (row, lang)/s), x"
                << rate / reference << " vs batch " << batches.substr(0, batches.find(',')) << "\n";
    }
  } catch (const std::exception& error) {
    std::cerr << "extract_bench: " << error.what() << "\n";
    return 1;
  }
  return 0;
}
