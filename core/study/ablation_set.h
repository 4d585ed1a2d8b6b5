// The ablations of an intervention set: a steering set's JSON list may also hold ablations, told
// apart from steers by their "ablate" key (`loupe mitigate --set` applies both):
//   {"ablate": "latents", "sae": "saes/gender", "latents": [3, 17], "how": "zero" | "mean",
//    "means": "analyses/gender/latents.csv", "mode": "replace" | "residual", "delta_scale": 1,
//    "positions": "all"}
//   {"ablate": "heads", "heads": "2.1,1.1", "how": "zero" | "mean", "positions": "all"}
//   {"ablate": "knockout", "layers": [1, 2], "positions": "non-image"}
// The fields mean what `loupe ablate`'s options of those names mean (core/study/ablation.h). A latent
// mean ablation reads its targets from `means`, a feature analysis's latents.csv; a head mean
// ablation averages the heads' outputs over the images it is applied to. Relative paths are
// relative to the set file's folder. Torch-free: the SAE and the means are read when applied.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/study/steer_positions.h"
#include "core/util/json_fields.h"

namespace loupe::study {

// One attention head of the decoder.
struct HeadRef {
  int64_t layer = 0, head = 0;
};
// "L.H,L.H", e.g. "2.1,1.1". Throws InputError naming the part that is not LAYER.HEAD.
std::vector<HeadRef> parse_heads(const std::string& list);
std::string heads_word(const std::vector<HeadRef>& heads);  // the inverse of parse_heads

struct AblationSpec {
  enum class Kind { Latents, Heads, Knockout };
  Kind kind = Kind::Latents;
  bool mean = false;  // how: the mean (true) or zero (false); latents and heads
  // Latents
  std::string sae_folder;
  std::vector<int64_t> latents;
  std::string means_csv;     // mean: the feature analysis's latents.csv
  bool residual = false;     // mode residual (true) or replace (false)
  double delta_scale = 1;    // residual: the share of the contribution removed
  // Heads
  std::vector<HeadRef> heads;
  // Knockout
  std::vector<int64_t> layers;
  PositionSelector positions;  // kSteerPositions words; a knockout's queries (default non-image)
};

// The ablation in one set entry; `folder` anchors relative paths. Throws FormatError naming the
// entry and field.
AblationSpec parse_ablation_entry(const util::JsonFields& fields, const std::filesystem::path& folder);
// The entry as a set file holds it.
nlohmann::ordered_json ablation_entry_json(const AblationSpec& spec);

}  // namespace loupe::study
