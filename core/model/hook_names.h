// The one place where hook names are made and read (TransformerLens's names):
//   decoder: hook_embed, blocks.{l}.hook_resid_pre|hook_resid_mid|hook_resid_post|hook_attn_out|
//            hook_mlp_out, blocks.{l}.attn.hook_q|hook_k|hook_v|hook_z|hook_pattern,
//            blocks.{l}.mlp.hook_post, ln_final.hook_normalized, logits
//   vision tower: the same under "vision." (no logits); projector.hook_out.
// Shapes: [batch, pos, d]; q/k/v/z [batch, pos, head, head_dim]; pattern [batch, head, query, key].
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/io/hf_config.h"

namespace loupe::model {

enum class Site {
  Embed, ResidPre, ResidMid, ResidPost, AttnOut, MlpOut,
  Q, K, V, Z, Pattern, MlpPost, FinalNorm, Logits, ProjectorOut,
};

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

// The size of a hook's last axis (q/k/v/z: heads × head_dim), or -1 for attention patterns.
int64_t hook_width(const HookPoint& point, const io::ModelConfig& config);

// Every hook point the model has, in forward order (vision tower, projector, decoder).
std::vector<HookPoint> all_hook_points(const io::ModelConfig& config);

// Reads a name; throws InputError listing near matches when the model has no such point.
HookPoint parse_hook(const std::string& name, const io::ModelConfig& config);

// Expands a pattern with `*` or `{a,b,c}` in the layer index ("blocks.*.hook_resid_post",
// "blocks.{6,12}.hook_resid_post") and comma-separated lists into hook points, checking each.
std::vector<HookPoint> expand_hook_patterns(const std::string& patterns, const io::ModelConfig& config);

}  // namespace loupe::model
