#include "core/synth/dataset_writer.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <filesystem>
#include <mutex>
#include <thread>
#include <vector>

#include "core/error.h"
#include "core/synth/captions.h"
#include "core/synth/render.h"
#include "core/util/atomic_file.h"

namespace loupe::synth {

namespace {

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

std::string image_name(int index, int n) {
  const int digits = std::max(5, int(std::to_string(std::max(0, n - 1)).size()));
  std::string number = std::to_string(index);
  return "images/" + std::string(size_t(std::max(0, digits - int(number.size()))), '0') + number + ".png";
}

std::string csv_row(const SamplePlan& plan, int n) {
  const std::vector<std::string> fields = {
      image_name(plan.index, n),
      caption_text(plan.caption, plan.activity, plan.phrasing, Language::English),
      caption_text(plan.caption, plan.activity, plan.phrasing, Language::Arabic),
      subject_name(plan.figure),
      scene_name(plan.scene),
      activity_name(plan.activity),
      split_name(plan.split),
      subject_name(plan.caption)};
  std::string row;
  for (size_t i = 0; i < fields.size(); ++i) row += (i ? "," : "") + csv_field(fields[i]);
  return row + "\n";
}

}  // namespace

std::string dataset_csv(int n, const SynthOptions& options) {
  validate(options, n);
  const SplitSizes sizes = split_sizes(n, options);
  std::string csv = "image,en_caption,ar_caption,gender,scene,activity,split,caption_gender\n";
  for (int i = 0; i < n; ++i) csv += csv_row(plan_sample(options, sizes, i), n);
  return csv;
}

DatasetSummary write_dataset(const std::string& out_dir, int n, const SynthOptions& options, int threads) {
  validate(options, n);
  const std::filesystem::path root(out_dir);
  // Over an older dataset its images of other names would stay beside the new CSV.
  std::error_code error;
  if (std::filesystem::exists(root / "image_caption.csv", error) ||
      (!std::filesystem::is_empty(root / "images", error) && !error))
    throw InputError(out_dir + " already holds a dataset (image_caption.csv or images/); its old images would stay "
                     "beside the new ones: choose a new --out or remove that folder first");
  util::create_folders(root / "images", "output folder");
  DatasetSummary summary;
  summary.sizes = split_sizes(n, options);
  for (int i = 0; i < n; ++i) {
    const SamplePlan plan = plan_sample(options, summary.sizes, i);
    ++summary.figures[int(plan.split)][int(plan.figure)];
    ++summary.captions[int(plan.split)][int(plan.caption)];
  }

  // Workers take the next index from a shared counter; the first error stops them all.
  std::atomic<int> next{0};
  std::exception_ptr failure;
  std::mutex failure_mutex;
  auto work = [&] {
    for (int i = next++; i < n; i = next++) {
      try {
        const SamplePlan plan = plan_sample(options, summary.sizes, i);
        io::save_png((root / image_name(i, n)).string(), render_sample(plan));
      } catch (...) {
        std::lock_guard<std::mutex> lock(failure_mutex);
        if (!failure) failure = std::current_exception();
        next = n;
      }
    }
  };
  // Each PNG is fsynced when saved, so by default more workers than cores overlap the disk waits.
  const int automatic = std::clamp(2 * int(std::thread::hardware_concurrency()), 4, 16);
  const int workers = std::clamp(threads > 0 ? threads : automatic, 1, n);
  std::vector<std::thread> pool;
  for (int t = 1; t < workers; ++t) pool.emplace_back(work);
  work();
  for (auto& thread : pool) thread.join();
  if (failure) std::rethrow_exception(failure);

  util::write_file_atomic((root / "image_caption.csv").string(), dataset_csv(n, options));
  return summary;
}

}  // namespace loupe::synth
