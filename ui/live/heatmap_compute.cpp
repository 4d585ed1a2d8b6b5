#include "ui/live/heatmap_compute.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "core/sae/sae_io.h"
#include "ui/live/loaded_model.h"

namespace loupe::ui {

namespace {

std::vector<float> to_vector(const torch::Tensor& values) {  // [n] → floats
  const torch::Tensor flat = values.to(torch::kFloat32).contiguous().cpu();
  return std::vector<float>(flat.data_ptr<float>(), flat.data_ptr<float>() + flat.numel());
}

std::vector<int64_t> image_positions(const torch::Tensor& token_types) {  // [1, T]
  std::vector<int64_t> positions;
  for (int64_t p = 0; p < token_types.size(1); ++p)
    if (token_types[0][p].item<int64_t>() == 1) positions.push_back(p);
  return positions;
}

void set_grid(Heatmap& map, std::vector<float> values) {
  const int n = int(values.size());
  const int side = int(std::lround(std::sqrt(double(n))));
  map.grid_width = side * side == n ? side : n;
  map.grid_height = side * side == n ? side : 1;
  map.patches = std::move(values);
  if (map.patches.empty()) return;
  map.low = *std::min_element(map.patches.begin(), map.patches.end());
  map.high = *std::max_element(map.patches.begin(), map.patches.end());
  if (map.high <= map.low) map.high = map.low + 1e-6f;
}

// One value per captured position: [P, d] → [P].
torch::Tensor position_values(const HeatmapSpec& spec, const torch::Tensor& x, const std::string& hook,
                              std::map<std::string, std::shared_ptr<const sae::Sae>>& sae_cache) {
  switch (spec.quantity) {
    case HeatQuantity::Norm:
      return x.norm(2, -1);
    case HeatQuantity::Projection: {
      if (!spec.direction) throw InputError("choose a direction to project on");
      const auto& v = spec.direction->values;
      if (int64_t(v.size()) != x.size(-1))
        throw InputError("direction '" + spec.direction->name + "' has " + std::to_string(v.size()) + " values but " +
                         hook + " is " + std::to_string(x.size(-1)) + " wide");
      torch::Tensor d = torch::tensor(v, torch::kFloat32);
      return x.matmul(d / d.norm().clamp_min(1e-12));
    }
    case HeatQuantity::Latent: {
      if (spec.sae_path.empty()) throw InputError("load an SAE (Steering panel) to show one of its latents");
      auto& sae = sae_cache[spec.sae_path];
      if (!sae) sae = std::make_shared<const sae::Sae>(sae::load_sae(spec.sae_path));
      if (sae->config.d_in != x.size(-1))
        throw InputError("the SAE reads " + std::to_string(sae->config.d_in) + "-wide vectors but " + hook + " is " +
                         std::to_string(x.size(-1)) + " wide");
      if (spec.latent < 0 || spec.latent >= sae->config.d_sae)
        throw InputError("latent " + std::to_string(spec.latent) + " is outside 0.." + std::to_string(sae->config.d_sae - 1));
      return sae->encode(x).select(1, spec.latent);
    }
    case HeatQuantity::Attention:
      break;
  }
  throw InputError("attention maps are read from the pattern, not from activations");
}

}  // namespace

model::HookPoint heatmap_capture_point(const HeatmapSpec& spec, const io::ModelConfig& config) {
  model::HookPoint point = model::parse_hook(spec.hook, config);
  if (spec.quantity == HeatQuantity::Attention) {
    if (point.vision || point.layer < 0)
      throw InputError("attention from a caption token needs a decoder layer (blocks.L...), not " + spec.hook);
    point.site = model::Site::Pattern;
  }
  return point;
}

Heatmap compute_heatmap(const HeatmapSpec& spec, const model::HookPoint& point, const model::HookSet& hooks,
                        const torch::Tensor& token_types, int64_t caption_tokens,
                        std::map<std::string, std::shared_ptr<const sae::Sae>>& sae_cache) {
  Heatmap map;
  map.title = spec.hook + " \xC2\xB7 " + heat_quantity_name(spec.quantity);
  try {
    const int64_t prompt_length = token_types.size(1);
    const std::vector<int64_t> image = image_positions(token_types);
    const torch::Tensor image_index = torch::tensor(image, torch::kInt64);
    if (spec.quantity == HeatQuantity::Attention) {
      // chunks: prefill [1, H, T, T], then one [1, H, 1, T+s] per decoding step s.
      const auto& chunks = hooks.captured_chunks(point);
      const int64_t s = spec.caption_token;
      if (s < 0 || s >= caption_tokens || size_t(s) >= chunks.size())
        throw InputError("caption token " + std::to_string(s) + " is outside the caption (" +
                         std::to_string(caption_tokens) + " tokens)");
      // The query is the position whose output is token s: T-1 for the first, then each step's one.
      const torch::Tensor row = (s == 0 ? chunks[0][0].select(1, prompt_length - 1) : chunks[size_t(s)][0].select(1, 0))
                                    .to(torch::kFloat32).mean(0).cpu();  // [K]
      map.title = model::hook_name(point) + " \xC2\xB7 attention from token " + std::to_string(s);
      set_grid(map, to_vector(row.index_select(0, image_index)));
      for (int64_t j = 0; j < caption_tokens; ++j) {
        const int64_t key = prompt_length + j;  // caption token j is read at this position
        map.tokens.push_back(key < row.size(0) ? row[key].item<float>() : 0.0f);
      }
      return map;
    }
    torch::Tensor x = hooks.captured(point).to(torch::kFloat32).cpu();  // [B, P, ...]
    x = x[0].flatten(1);                                                // [P, d]
    const torch::Tensor values = position_values(spec, x, spec.hook, sae_cache);  // [P]
    if (point.vision || point.site == model::Site::ProjectorOut) {
      set_grid(map, to_vector(values));  // vision patches or projected image tokens, in raster order
      return map;
    }
    set_grid(map, to_vector(values.index_select(0, image_index)));
    for (int64_t s = 0; s < caption_tokens; ++s) {
      const int64_t position = prompt_length - 1 + s;  // the position whose output is token s
      map.tokens.push_back(position < values.size(0) ? values[position].item<float>() : 0.0f);
    }
  } catch (const std::exception& error) {
    map.error = error.what();
    map.patches.clear();
    map.tokens.clear();
  }
  return map;
}

}  // namespace loupe::ui
