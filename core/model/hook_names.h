// The one place where hook names are made and read (TransformerLens's names):
//   decoder: hook_embed, blocks.{l}.hook_resid_pre|hook_resid_mid|hook_resid_post|hook_attn_out|
//            hook_mlp_out, blocks.{l}.attn.hook_q|hook_k|hook_v|hook_attn_scores|hook_pattern|hook_z,
//            blocks.{l}.mlp.hook_post, ln_final.hook_normalized, logits
//   vision tower: the same under "vision." (no logits); projector.hook_out.
// Shapes: [batch, pos, d]; q/k/v/z [batch, pos, head, head_dim]; attn_scores and pattern
// [batch, head, query, key].
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/io/hf_config.h"

namespace loupe::model {

enum class Site {
  Embed, ResidPre, ResidMid, ResidPost, AttnOut, MlpOut,
  Q, K, V, AttnScores, Z, Pattern, MlpPost, FinalNorm, Logits, ProjectorOut,
};

// What each site is, in one table that validation, the CLI and the desktop app all read.
struct SiteTraits {
  // Attention scores and patterns, [batch, head, query, key]: their position axis is the query
  // axis and they have no fixed width (the key axis grows with the sequence).
  bool attention_map = false;
  bool per_head = false;   // q, k, v, z: [batch, pos, head, head_dim]
  bool steerable = false;  // a vector may be added there: embeddings, residuals, attention and MLP outputs, projector
  bool storable = false;   // one vector per position that stores, SAEs and heatmaps read (not maps, not logits)
};
const SiteTraits& site_traits(Site site);

bool is_attention_map(Site site);  // site_traits(site).attention_map
// The axis of a hooked tensor that holds positions: 2 for attention maps, else 1.
int64_t position_axis(Site site);

struct HookPoint {
  Site site = Site::Embed;
  int64_t layer = -1;   // -1 for points outside the blocks
  bool vision = false;  // vision tower rather than decoder

  bool operator==(const HookPoint& other) const {
    return site == other.site && layer == other.layer && vision == other.vision;
  }
  bool operator<(const HookPoint& other) const;
};

std::string hook_name(const HookPoint& point);

// The size of a hook's last axis (q/k/v/z: heads × head_dim), or -1 for attention maps.
int64_t hook_width(const HookPoint& point, const io::ModelConfig& config);

// Every hook point the model has, in forward order (vision tower, projector, decoder).
std::vector<HookPoint> all_hook_points(const io::ModelConfig& config);

// Reads a name; throws InputError listing near matches when the model has no such point.
HookPoint parse_hook(const std::string& name, const io::ModelConfig& config);

// Expands a pattern with `*` or `{a,b,c}` in the layer index ("blocks.*.hook_resid_post",
// "blocks.{6,12}.hook_resid_post") and comma-separated lists into hook points, checking each.
std::vector<HookPoint> expand_hook_patterns(const std::string& patterns, const io::ModelConfig& config);

}  // namespace loupe::model
