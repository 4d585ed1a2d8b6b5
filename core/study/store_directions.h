// Steering directions read off a workspace (`loupe direction --workspace`), saved as
// W/directions/NAME.safetensors: the tensor NAME [d], the metadata NAME → its hook (so that
// `--steer HOOK=FILE:NAME@ALPHA` and the desktop app's sliders read it) and `provenance`, a JSON
// object saying where it came from. Kinds:
//   mean-difference  mean pooled vector of the female entries minus the male ones at a store's hook
//                    (by figure or by caption; one language or both pooled), as the probes pool them
//   pc               a principal component of the pooled vectors (analysis::pca, its sign convention)
//   decoder          an SAE latent's decoder row, at the SAE's hook
//   selection        mean pooled vector of chosen store entries minus that of the other entries
//                    (the language and split filters apply to both), e.g. a box drawn on a map
// (A fifth kind, unembedding, reads the model rather than the workspace's files:
// core/study/unembedding_direction.h. save_direction writes it the same way.)
#pragma once
#include <torch/torch.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/analysis/feature_analysis.h"
#include "core/util/language.h"

namespace loupe::study {

struct StoreDirectionRequest {
  std::filesystem::path workspace;
  std::string kind = "mean-difference";  // mean-difference | pc | decoder | selection
  std::string store = "acts";
  std::string hook;                       // mean-difference and pc
  analysis::GenderGrouping grouping = analysis::GenderGrouping::Caption;
  std::optional<Language> lang;           // empty: both languages pooled
  std::string split;                      // empty: every entry
  int64_t component = 0;                  // pc: 0 is the first
  std::string sae;                        // decoder
  int64_t latent = -1;                    // decoder
  std::vector<int64_t> entries;           // selection: store entry numbers (a map's `entry` column)
  std::string name;                       // the file and tensor name
};

struct StoreDirection {
  std::string hook;
  torch::Tensor values;  // [d] float32, unnormalised
  nlohmann::json provenance;
  std::string description;  // one line
};

// Throws InputError, before writing anything, for an unknown kind, store, hook, SAE or latent, a
// split or language with no entries, a gender group with no entries, a component past the rank, a
// selection that is empty, names an entry the store lacks or holds every selected entry.
StoreDirection store_direction(const StoreDirectionRequest& request);

// Writes W/directions/NAME.safetensors (atomically) and returns its path.
std::filesystem::path save_direction(const std::filesystem::path& workspace, const std::string& name,
                                     const StoreDirection& direction);

}  // namespace loupe::study
