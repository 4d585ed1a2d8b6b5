#include "core/study/heatmap.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "core/error.h"
#include "core/model/hook_names.h"
#include "core/tensor/convert.h"
#include "core/study/prompt_types.h"
#include "core/text/position_selector.h"

namespace loupe::study {

namespace {

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
torch::Tensor position_values(const HeatmapInputs& inputs, const torch::Tensor& x) {
  switch (inputs.quantity) {
    case HeatQuantity::Norm:
      return x.norm(2, -1);
    case HeatQuantity::Projection: {
      if (inputs.direction.empty()) throw InputError("choose a direction to project on");
      if (int64_t(inputs.direction.size()) != x.size(-1))
        throw InputError("direction '" + inputs.direction_name + "' has " + std::to_string(inputs.direction.size()) +
                         " values but " + inputs.hook + " is " + std::to_string(x.size(-1)) + " wide");
      const torch::Tensor d = torch::tensor(inputs.direction, torch::kFloat32);  // [d]
      return x.matmul(d / d.norm().clamp_min(1e-12));
    }
    case HeatQuantity::Latent: {
      if (!inputs.sae) throw InputError("load an SAE to show one of its latents");
      const sae::Sae& sae = *inputs.sae;
      if (sae.config.d_in != x.size(-1))
        throw InputError("the SAE reads " + std::to_string(sae.config.d_in) + "-wide vectors but " + inputs.hook + " is " +
                         std::to_string(x.size(-1)) + " wide");
      if (inputs.latent < 0 || inputs.latent >= sae.config.d_sae)
        throw InputError("latent " + std::to_string(inputs.latent) + " is outside 0.." + std::to_string(sae.config.d_sae - 1));
      return sae.encode(x).select(1, inputs.latent);
    }
    case HeatQuantity::Attention:
      break;
  }
  throw InputError("attention maps are read from the pattern, not from activations");
}

// Inferno, the polynomial fit the heatmap shader uses (shaders/heatmap.frag), t in [0, 1].
std::array<float, 3> inferno(float t) {
  static constexpr float c[7][3] = {{0.0002189403691192265f, 0.001651004631001012f, -0.01948089843709184f},
                                    {0.1065134194856116f, 0.5639564367884091f, 3.932712388889277f},
                                    {11.60249308247187f, -3.972853965665698f, -15.9423941062914f},
                                    {-41.70399613139459f, 17.43639888205313f, 44.35414519872813f},
                                    {77.162935699427f, -33.40235894210092f, -81.80730925738993f},
                                    {-71.31942824499214f, 32.62606426397723f, 73.20951985803202f},
                                    {25.13112622477341f, -12.24266895238567f, -23.07032500287172f}};
  std::array<float, 3> rgb{};
  for (int k = 0; k < 3; ++k) {
    float value = c[6][k];
    for (int i = 5; i >= 0; --i) value = c[i][k] + t * value;
    rgb[size_t(k)] = std::clamp(value, 0.0f, 1.0f);
  }
  return rgb;
}

}  // namespace

bool heatmap_reads(const model::HookPoint& point) {
  return model::site_traits(point.site).storable;
}

model::HookPoint heatmap_capture_point(const std::string& hook, HeatQuantity quantity, const io::ModelConfig& config) {
  model::HookPoint point = model::parse_hook(hook, config);
  if (quantity == HeatQuantity::Attention) {
    if (point.vision || point.layer < 0)
      throw InputError("attention from a caption token needs a decoder layer (blocks.L...), not " + hook);
    point.site = model::Site::Pattern;
  }
  return point;
}

Heatmap compute_heatmap(const HeatmapInputs& inputs, const model::HookPoint& point, const model::HookSet& hooks,
                        const torch::Tensor& token_types, int64_t caption_tokens) {
  Heatmap map;
  map.title = inputs.hook + " \xC2\xB7 " + heat_quantity_name(inputs.quantity);
  try {
    const int64_t prompt_length = token_types.size(1);
    const torch::Tensor image_index =  // [I] on the CPU
        torch::tensor(select_positions(PositionSelector(PositionKind::Image), prompt_types(token_types)), torch::kInt64);
    if (inputs.quantity == HeatQuantity::Attention) {
      // chunks: prefill [1, H, T, T], then one [1, H, 1, T+s] per decoding step s.
      const auto& chunks = hooks.captured_chunks(point);
      const int64_t s = inputs.caption_token;
      if (s < 0 || s >= caption_tokens || size_t(s) >= chunks.size())
        throw InputError("caption token " + std::to_string(s) + " is outside the caption (" +
                         std::to_string(caption_tokens) + " tokens)");
      // The query is the position whose output is token s: T-1 for the first, then each step's one.
      const torch::Tensor row = (s == 0 ? chunks[0][0].select(1, prompt_length - 1) : chunks[size_t(s)][0].select(1, 0))
                                    .to(torch::kFloat32).mean(0).cpu();  // [K], averaged over heads
      map.title = model::hook_name(point) + " \xC2\xB7 attention from token " + std::to_string(s);
      set_grid(map, tensor::to_floats(row.index_select(0, image_index)));
      for (int64_t j = 0; j < caption_tokens; ++j) {
        const int64_t key = prompt_length + j;  // caption token j is read at this position
        map.tokens.push_back(key < row.size(0) ? row[key].item<float>() : 0.0f);
      }
      return map;
    }
    torch::Tensor x = hooks.captured(point).to(torch::kFloat32).cpu();  // [B, P, ...]
    x = x[0].flatten(1);                                                // [P, d]
    const torch::Tensor values = position_values(inputs, x);            // [P]
    if (point.vision || point.site == model::Site::ProjectorOut) {
      set_grid(map, tensor::to_floats(values));  // vision patches or projected image tokens, in raster order
      return map;
    }
    set_grid(map, tensor::to_floats(values.index_select(0, image_index)));
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

io::Image heatmap_overlay(const io::Image& image, const Heatmap& map, float opacity) {
  if (map.patches.empty() || map.grid_width <= 0 || map.grid_height <= 0)
    throw InputError("there is no heatmap to draw" + (map.error.empty() ? std::string() : ": " + map.error));
  io::Image out = image;
  const float range = std::max(map.high - map.low, 1e-12f);
  for (int y = 0; y < image.height; ++y) {
    const float gy = float(y) + 0.5f, cell_h = float(image.height) / float(map.grid_height);
    const int row = std::min(int(gy / cell_h), map.grid_height - 1);
    for (int x = 0; x < image.width; ++x) {
      const float gx = float(x) + 0.5f, cell_w = float(image.width) / float(map.grid_width);
      const int column = std::min(int(gx / cell_w), map.grid_width - 1);
      const float t = std::clamp((map.patches[size_t(row * map.grid_width + column)] - map.low) / range, 0.0f, 1.0f);
      const std::array<float, 3> colour = inferno(t);
      const float edge = std::min({gx - float(column) * cell_w, float(column + 1) * cell_w - gx, gy - float(row) * cell_h,
                                   float(row + 1) * cell_h - gy}) < 1.0f ? 1.0f : 0.0f;  // within a pixel of a border
      uint8_t* pixel = &out.pixels[(size_t(y) * size_t(image.width) + size_t(x)) * 3];
      for (int k = 0; k < 3; ++k) {
        const float base = float(pixel[k]) / 255.0f;
        float blended = base + (colour[size_t(k)] - base) * opacity;
        blended *= 1.0f - 0.45f * edge * opacity;
        pixel[k] = uint8_t(std::lround(std::clamp(blended, 0.0f, 1.0f) * 255.0f));
      }
    }
  }
  return out;
}

}  // namespace loupe::study
