// `loupe analyze embed` and the desktop app's maps: 2-D maps (PCA or t-SNE) of a store's pooled entry
// vectors at a hook, or of an SAE's decoder directions, with every point's labels beside its
// coordinates, for the GUI to colour and reports to draw. Written to W/analyses/NAME/FILE.{csv,json,
// safetensors}.
#pragma once
#include <torch/torch.h>

#include <filesystem>
#include <optional>
#include <string>

#include "core/analysis/feature_analysis.h"
#include "core/analysis/tsne.h"
#include "core/jobs/job.h"
#include "core/util/table.h"

namespace loupe::study {

struct MapRequest {
  std::filesystem::path workspace;
  // What to map: the pooled vectors of `store` at `hook`, or the decoder rows of the SAE `sae`
  // (exactly one of hook and sae).
  std::string store;  // empty: acts for store maps, the store the SAE was trained on for SAE maps
  std::string hook;
  std::string sae;
  std::string split;  // store maps: only that split's entries; SAE maps: the feature analysis's split
  analysis::GenderGrouping grouping = analysis::GenderGrouping::Caption;  // SAE maps' Cohen's d
  std::string method = "pca";  // pca | tsne
  analysis::TsneOptions tsne;
  std::string device = "cpu";
};

struct LabelledMap {
  std::string name;         // the file name: HOOK-METHOD or decoder-SAE-METHOD
  util::Table points;       // labels, then x and y
  torch::Tensor embedding;  // [n, 2] float32
  torch::Tensor ids;        // [n] int64: store entries (store maps) or latents (SAE maps)
};

// Store maps: one point per entry with stored vectors at the hook; columns entry, row, lang, image,
// figure_gender, stated_gender, caption, every other label column of the dataset (split, scene, ...),
// x, y. SAE maps: one point per latent; the columns of the SAE's latents.csv (frequencies, Cohen's d,
// alignment; `loupe analyze features`, without the logit effects), then x, y. Throws InputError
// before any map for: both or neither of hook and sae, a hook the store lacks, a split with no
// entries, an unknown method, and whatever PCA and t-SNE refuse (too few points, a perplexity of at
// least the number of points, values that are not finite).
LabelledMap labelled_map(const MapRequest& request, jobs::JobContext& job);

// Writes DIR/NAME.csv, DIR/NAME.json and DIR/NAME.safetensors (embedding [n, 2], ids [n]).
void write_map(const std::filesystem::path& folder, const LabelledMap& map);

// `loupe analyze embed` as a workspace runs it (and the desktop app's Maps panel): one map per hook
// of `hooks` (one empty hook for an SAE map), every map made before any is written to
// W/analyses/NAME/, the run logged in runs.jsonl with its parameters and inputs. Throws
// InputError for a bad NAME before anything runs, and what labelled_map throws.
std::vector<LabelledMap> labelled_maps_logged(const MapRequest& request, const std::vector<std::string>& hooks,
                                              const std::string& name, jobs::JobContext& job);

}  // namespace loupe::study
