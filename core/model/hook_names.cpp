#include "core/model/hook_names.h"

#include <algorithm>
#include <tuple>

#include "core/error.h"
#include "core/util/near_matches.h"

namespace loupe::model {

namespace {

struct SiteName {
  Site site;
  const char* suffix;  // after "blocks.{l}." for block sites, the whole name otherwise
  bool in_block;
};
constexpr SiteName kSites[] = {
    {Site::Embed, "hook_embed", false},
    {Site::ResidPre, "hook_resid_pre", true},
    {Site::Q, "attn.hook_q", true},
    {Site::K, "attn.hook_k", true},
    {Site::V, "attn.hook_v", true},
    {Site::AttnScores, "attn.hook_attn_scores", true},
    {Site::Pattern, "attn.hook_pattern", true},
    {Site::Z, "attn.hook_z", true},
    {Site::AttnOut, "hook_attn_out", true},
    {Site::ResidMid, "hook_resid_mid", true},
    {Site::MlpPost, "mlp.hook_post", true},
    {Site::MlpOut, "hook_mlp_out", true},
    {Site::ResidPost, "hook_resid_post", true},
    {Site::FinalNorm, "ln_final.hook_normalized", false},
    {Site::Logits, "logits", false},
    {Site::ProjectorOut, "projector.hook_out", false},
};

const SiteName& site_name(Site site) {
  for (const auto& entry : kSites)
    if (entry.site == site) return entry;
  throw InputError("unknown hook site");
}

}  // namespace

const SiteTraits& site_traits(Site site) {
  //                                  map    per_head steerable storable
  static const SiteTraits kVector{false, false, true, true};  // [batch, pos, d]
  static const SiteTraits kPerHead{false, true, false, true};
  static const SiteTraits kMap{true, false, false, false};
  static const SiteTraits kLogits{false, false, false, false};
  switch (site) {  // every site named, so that a new one is a compiler warning until it is placed
    case Site::Embed: case Site::ResidPre: case Site::ResidMid: case Site::ResidPost: case Site::AttnOut:
    case Site::MlpOut: case Site::MlpPost: case Site::FinalNorm: case Site::ProjectorOut: return kVector;
    case Site::Q: case Site::K: case Site::V: case Site::Z: return kPerHead;
    case Site::AttnScores: case Site::Pattern: return kMap;
    case Site::Logits: break;
  }
  return kLogits;
}

bool is_attention_map(Site site) { return site_traits(site).attention_map; }

int64_t position_axis(Site site) { return is_attention_map(site) ? 2 : 1; }

bool HookPoint::operator<(const HookPoint& other) const {
  return std::tie(vision, layer, site) < std::tie(other.vision, other.layer, other.site);
}

std::string hook_name(const HookPoint& point) {
  const SiteName& entry = site_name(point.site);
  std::string name = point.vision && point.site != Site::ProjectorOut ? "vision." : "";
  if (entry.in_block) name += "blocks." + std::to_string(point.layer) + ".";
  return name + entry.suffix;
}

int64_t hook_width(const HookPoint& point, const io::ModelConfig& config) {
  const bool vision = point.vision;
  const int64_t hidden = vision ? config.vision.hidden : config.text.hidden;
  switch (point.site) {
    case Site::Q:
    case Site::Z: return vision ? hidden : config.text.heads * config.text.head_dim;
    case Site::K:
    case Site::V: return vision ? hidden : config.text.kv_heads * config.text.head_dim;
    case Site::MlpPost: return vision ? config.vision.intermediate : config.text.intermediate;
    case Site::AttnScores:
    case Site::Pattern: return -1;
    case Site::Logits: return config.text.vocab;
    case Site::ProjectorOut: return config.text.hidden;
    default: return hidden;
  }
}

std::vector<HookPoint> all_hook_points(const io::ModelConfig& config) {
  std::vector<HookPoint> points;
  auto add_tower = [&](bool vision, int64_t layers) {
    points.push_back({Site::Embed, -1, vision});
    for (int64_t layer = 0; layer < layers; ++layer)
      for (const auto& entry : kSites)
        if (entry.in_block) points.push_back({entry.site, layer, vision});
  };
  add_tower(true, config.vision.layers);
  if (config.vision.kind == io::VisionKind::Siglip) points.push_back({Site::FinalNorm, -1, true});
  points.push_back({Site::ProjectorOut, -1, false});
  add_tower(false, config.text.layers);
  points.push_back({Site::FinalNorm, -1, false});
  points.push_back({Site::Logits, -1, false});
  return points;
}

HookPoint parse_hook(const std::string& name, const io::ModelConfig& config) {
  const auto points = all_hook_points(config);
  for (const auto& point : points)
    if (hook_name(point) == name) return point;
  std::vector<std::string> names;
  for (const auto& point : points) names.push_back(hook_name(point));
  std::string message = "unknown hook '" + name + "' for this " + io::family_name(config.family) + " model (" +
                        std::to_string(config.text.layers) + " decoder layers, " +
                        std::to_string(config.vision.layers) + " vision layers); near matches:";
  for (const std::string& near : util::near_matches(name, names)) message += " " + near;
  throw InputError(message);
}

std::vector<HookPoint> expand_hook_patterns(const std::string& patterns, const io::ModelConfig& config) {
  // Split on commas outside braces.
  std::vector<std::string> items;
  std::string item;
  int depth = 0;
  for (char c : patterns) {
    if (c == '{') ++depth;
    if (c == '}') --depth;
    if (c == ',' && depth == 0) {
      if (!item.empty()) items.push_back(item);
      item.clear();
    } else {
      item += c;
    }
  }
  if (!item.empty()) items.push_back(item);

  std::vector<HookPoint> result;
  for (const auto& pattern : items) {
    const size_t star = pattern.find('*');
    const size_t brace = pattern.find('{');
    if (star == std::string::npos && brace == std::string::npos) {
      result.push_back(parse_hook(pattern, config));
      continue;
    }
    std::vector<std::string> names;
    if (brace != std::string::npos) {
      const size_t close = pattern.find('}', brace);
      if (close == std::string::npos) throw InputError("hook pattern '" + pattern + "' has an unclosed '{'");
      std::string inside = pattern.substr(brace + 1, close - brace - 1), layer;
      for (size_t i = 0; i <= inside.size(); ++i) {
        if (i == inside.size() || inside[i] == ',') {
          if (!layer.empty()) names.push_back(pattern.substr(0, brace) + layer + pattern.substr(close + 1));
          layer.clear();
        } else {
          layer += inside[i];
        }
      }
    } else {
      const bool vision = pattern.rfind("vision.", 0) == 0;
      const int64_t layers = vision ? config.vision.layers : config.text.layers;
      for (int64_t l = 0; l < layers; ++l)
        names.push_back(pattern.substr(0, star) + std::to_string(l) + pattern.substr(star + 1));
    }
    for (const auto& name : names) result.push_back(parse_hook(name, config));
  }
  if (result.empty()) throw InputError("no hook names in '" + patterns + "'");
  return result;
}

}  // namespace loupe::model
