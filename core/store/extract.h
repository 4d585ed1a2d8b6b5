// Activation extraction (`loupe extract` and the Jobs panel run it through core/study/extract_study.h): runs the model over a caption dataset (each row × language) with capture
// hooks and writes the chosen positions' activations to an activation store (store_writer.h).
// prepare() does every check that can fail before any work (model, hooks, positions, dataset, store
// state); run() does the work as a background job and can be killed at any point: `--resume`
// continues from the last committed shard, losing and duplicating nothing.
#pragma once
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/io/dataset.h"
#include "core/jobs/job.h"
#include "core/model/vlm.h"
#include "core/store/positions.h"
#include "core/store/store_parts.h"
#include "core/store/store_writer.h"
#include "core/text/prompt.h"
#include "core/text/tokenizer.h"
#include "core/util/language.h"

namespace loupe::store {

struct ExtractOptions {
  std::string model;                 // model folder
  std::string dataset;               // dataset folder (image_caption.csv)
  std::filesystem::path out;         // store folder
  std::string hooks;                 // decoder hook patterns, e.g. "blocks.{1,2}.hook_resid_post"
  std::string vision_hooks;          // or vision tower hook patterns (a store holds one kind)
  std::vector<Language> langs = {Language::English, Language::Arabic};  // each at most once
  std::string positions = "text";    // a store PositionSelector word (positions.h)
  std::string source = "caption";    // caption: teacher-force the reference; generate: greedy caption
  int64_t limit = 0;                 // first N dataset rows (0: all)
  int64_t batch = 8;                 // images per forward pass
  std::string dtype = "f32";         // stored dtype: f32 | bf16 | f16
  std::string device = "cpu";
  int64_t shard_vectors = 16384;     // a shard is committed once this many vectors are buffered
  int64_t max_new_tokens = 32;       // generate: caption length limit
  bool resume = false;
  std::optional<StorePart> part;     // --shard I/N: only that part's rows (store_parts.h)
};

// A dataset row the extraction skipped (missing or unreadable image, or a reference caption too long
// for the model's context), as the manifest lists it.
struct SkippedRow {
  int64_t row = -1;   // dataset row (-1 when a resumed manifest does not say)
  int64_t line = -1;  // image_caption.csv line
  std::string image;
  std::string reason;
};

// What one run of an extraction did (a resumed run counts only the units it added).
struct ExtractSummary {
  std::string store;           // the store folder
  int64_t rows = 0;            // (row, language) entries in the store
  int64_t vectors = 0;         // vectors in the store
  int64_t units = 0;           // (row, language) units this run processed
  int64_t dataset_rows = 0;    // dataset rows taken (--limit)
  std::vector<SkippedRow> skipped;
  // (row, language) units of this run whose reference caption is empty: stored, but they hold no
  // caption-token vectors (each is also logged as a warning).
  int64_t empty_captions = 0;
  double seconds = 0;
  double units_per_second = 0;

  nlohmann::json to_json() const;  // {store, rows, vectors, units, dataset_rows, skipped, empty_captions, seconds, units_per_second}
};

class Extraction {
 public:
  // Loads the model and dataset and opens the store. Throws InputError for an unknown hook, positions word,
  // language or source, a store that exists without --resume or differs from the resumed one.
  static std::unique_ptr<Extraction> prepare(const ExtractOptions& options);

  // The work. Rows whose image is missing or unreadable, or (source caption) whose reference caption
  // with the prompt runs past the model's context, are skipped and listed (summary "skipped", the
  // manifest). An empty reference caption is stored and warned about. A full disk ends it with IoError saying the store is consistent and how to resume.
  // InputError when no vector is stored (every image missing, say). A run that fails before its
  // first commit removes the store folder it made.
  ExtractSummary run(jobs::JobContext& context);

  int64_t units_total() const { return spec_.units_total; }
  int64_t units_done() const { return writer_ ? writer_->units_done() : 0; }

 private:
  struct Chunk;  // the rows of one batch and their pixels
  void run_chunk(const Chunk& chunk, int64_t first_unit, jobs::JobContext& context);
  // Source caption: the teacher-forced ids of `row` (prompt and reference caption) per --langs
  // language into `sequences`, and why the row cannot be run (a sequence longer than the model's
  // context), or "" when it can.
  std::string teacher_forced(const io::DatasetRow& row, std::vector<std::vector<int64_t>>& sequences) const;
  // After a failure: true when nothing was committed and this run made the store folder, which is
  // then removed (a failed extraction leaves no empty store behind).
  bool discard_empty_store();
  std::vector<UnitVectors> decoder_units(const Chunk& chunk, size_t lang_index);  // index into options_.langs
  std::vector<UnitVectors> vision_units(const Chunk& chunk);

  ExtractOptions options_;
  StoreSpec spec_;
  PositionSelector selector_ = parse_positions("text");
  bool vision_ = false;
  std::vector<model::HookPoint> points_;
  torch::ScalarType store_dtype_ = torch::kFloat32;
  std::shared_ptr<const model::VlmImpl> model_;
  std::shared_ptr<const text::Tokenizer> tokenizer_;
  std::vector<text::Prompt> prompts_;  // decoder stores: the captioning prompt of each --langs language
  io::Dataset dataset_;
  std::vector<io::DatasetRow> rows_;  // the first `limit` rows
  std::unique_ptr<StoreWriter> writer_;
  bool made_folder_ = false;  // the store folder did not exist before this extraction
  int64_t empty_captions_ = 0;  // this run's stored units with an empty reference caption
};

}  // namespace loupe::store
