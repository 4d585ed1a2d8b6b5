// Hook values against computations written out here, in float64, from each layer's weights and the
// hook inputs captured on the same forward pass (tests/fixtures/{gemma3,llava}-tiny, float32). The
// model parameters (eps, scales, RoPE, windows, activations) are read from config.json here, not
// from loupe's parsed config. Each hook is recomputed from the captured hook before it, so an error
// shows at the first hook that departs:
//   attn.hook_q|k|v  from hook_resid_pre (input norm, projections, Gemma 3's q/k norms; before RoPE)
//   attn.hook_attn_scores from attn.hook_q|k (RoPE, q·kᵀ·scale, masked keys at -inf)
//   attn.hook_pattern from attn.hook_attn_scores (softmax)
//   attn.hook_z      from attn.hook_pattern and attn.hook_v
//   hook_attn_out    from attn.hook_z (output projection; Gemma 3: then post_attention_layernorm)
//   hook_resid_mid   = hook_resid_pre + hook_attn_out
//   mlp.hook_post    from hook_resid_mid (pre-MLP norm, gate/up or fc1, activation)
//   hook_mlp_out     from mlp.hook_post (down or fc2; Gemma 3: then post_feedforward_layernorm)
//   hook_resid_post  = hook_resid_mid + hook_mlp_out
// float32 rounding against float64: every check is ‖a − b‖∞ / ‖b‖∞ ≤ 1e-5 (measured ≤ 1e-6).
#include <catch2/catch.hpp>

#include <cmath>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/model/hook_names.h"
#include "core/util/atomic_file.h"
#include "fixture_case.h"

using namespace loupe;
using model::HookPoint;
using model::Site;
using torch::Tensor;

namespace {

constexpr double kTolerance = 1e-5;

Tensor f64(const Tensor& t) { return t.detach().cpu().to(torch::kFloat64); }

Tensor affine(const Tensor& x, const Tensor& weight, const Tensor& bias = {}) {  // x [..., in] → [..., out]
  Tensor y = torch::matmul(x, f64(weight).t());
  return bias.defined() ? y + f64(bias) : y;
}

Tensor rms(const Tensor& x, double eps) { return x * torch::rsqrt(x.pow(2).mean(-1, true) + eps); }
// Gemma's RMSNorm scales by (1 + w): its weights are stored zero-centred.
Tensor gemma_rms(const Tensor& x, const Tensor& weight, double eps) { return rms(x, eps) * (1.0 + f64(weight)); }
Tensor llama_rms(const Tensor& x, const Tensor& weight, double eps) { return f64(weight) * rms(x, eps); }
Tensor layer_normed(const Tensor& x, const Tensor& weight, const Tensor& bias, double eps) {
  const Tensor centred = x - x.mean(-1, true);
  return centred * torch::rsqrt(centred.pow(2).mean(-1, true) + eps) * f64(weight) + f64(bias);
}

Tensor activation(const Tensor& x, const std::string& name) {
  if (name == "gelu_pytorch_tanh")
    return 0.5 * x * (1.0 + torch::tanh(std::sqrt(2.0 / M_PI) * (x + 0.044715 * x.pow(3))));
  if (name == "silu") return x * torch::sigmoid(x);
  if (name == "quick_gelu") return x * torch::sigmoid(1.702 * x);
  throw std::runtime_error("no reference activation for " + name);
}

// Rotary embedding, rotate_half convention, angles as transformers computes them (float32:
// inv_freq = 1 / theta^(2i/d) / factor, angle = position · inv_freq). x [B, T, heads, d].
Tensor rope(const Tensor& x, double theta, double factor) {
  const int64_t length = x.size(1), dim = x.size(3), half = dim / 2;
  const Tensor exponents = torch::arange(0, dim, 2, torch::kInt64).to(torch::kFloat32) / double(dim);
  Tensor inv_freq = 1.0 / torch::pow(torch::scalar_tensor(theta, torch::kFloat32), exponents);  // [d/2]
  if (factor != 1.0) inv_freq = inv_freq / factor;
  const Tensor angle = torch::outer(torch::arange(length, torch::kFloat32), inv_freq).to(torch::kFloat64);  // [T, d/2]
  const Tensor cos = angle.cos().view({1, length, 1, half}), sin = angle.sin().view({1, length, 1, half});
  const Tensor x1 = x.narrow(3, 0, half), x2 = x.narrow(3, half, half);
  return torch::cat({x1 * cos - x2 * sin, x2 * cos + x1 * sin}, 3);
}

// For each query head, the key/value head it reads (grouped-query attention).
Tensor kv_head_of(int64_t heads, int64_t kv_heads) { return torch::arange(heads, torch::kInt64).div(heads / kv_heads, "floor"); }

// Scaled scores [B, heads, T, T] with masked entries at -inf. q [B, T, heads, d], k [B, T, kv_heads, d].
Tensor scores_of(const Tensor& q, const Tensor& k, double scale, const Tensor& allowed) {
  const Tensor keys = k.index_select(2, kv_head_of(q.size(2), k.size(2)));  // [B, T, heads, d]
  Tensor scores = torch::einsum("bihd,bjhd->bhij", {q, keys}) * scale;
  if (allowed.defined()) scores = scores.masked_fill(allowed.logical_not(), -INFINITY);
  return scores;
}

// z [B, T, heads, d] from pattern [B, heads, T, T] and v [B, T, kv_heads, d].
Tensor z_of(const Tensor& pattern, const Tensor& v) {
  const Tensor values = v.index_select(2, kv_head_of(pattern.size(1), v.size(2)));  // [B, T, heads, d]
  return torch::einsum("bhij,bjhd->bihd", {pattern, values});
}

// Which keys each query sees, [T, T]: causal; Gemma 3 also lets the tokens of one contiguous image
// run see each other, and on sliding layers nothing older than the window (`window` > 0) is seen.
Tensor visible(const std::vector<int64_t>& token_types, int64_t window) {
  const int64_t length = int64_t(token_types.size());
  std::vector<int64_t> run(token_types.size(), 0);  // 0 text, k > 0 the k-th image run
  for (int64_t p = 0, runs = 0; p < length; ++p)
    if (token_types[size_t(p)] == 1) run[size_t(p)] = (p > 0 && token_types[size_t(p - 1)] == 1) ? run[size_t(p - 1)] : ++runs;
  std::vector<int64_t> allowed;
  for (int64_t q = 0; q < length; ++q)
    for (int64_t k = 0; k < length; ++k) {
      bool seen = k <= q || (run[size_t(q)] > 0 && run[size_t(q)] == run[size_t(k)]);
      if (window > 0) seen = seen && k > q - window;
      allowed.push_back(seen);
    }
  return torch::tensor(allowed, torch::kInt64).view({length, length}).to(torch::kBool);
}

// A layer's parameter by its checkpoint name under `prefix`.
struct Weights {
  std::map<std::string, Tensor> named;
  std::string prefix;
  Tensor operator()(const std::string& name) const {
    auto found = named.find(prefix + name);
    if (found == named.end()) throw std::runtime_error("no parameter " + prefix + name);
    return found->second;
  }
};

std::map<std::string, Tensor> parameters_of(const model::VlmImpl& vlm) {
  std::map<std::string, Tensor> named;
  for (const auto& item : vlm.named_parameters()) named[item.key()] = item.value();
  return named;
}

// What one forward pass captured, in float64.
struct Captured {
  const model::HookSet& hooks;
  bool vision;
  Tensor at(Site site, int64_t layer) const { return f64(hooks.captured({site, layer, vision})); }
};

constexpr Site kBlockSites[] = {Site::ResidPre, Site::Q,       Site::K,        Site::V,       Site::AttnScores, Site::Pattern,
                                Site::Z,        Site::AttnOut, Site::ResidMid, Site::MlpPost, Site::MlpOut,     Site::ResidPost};

void check_close(const Tensor& hooked, const Tensor& computed, const std::string& what) {
  INFO(what);
  REQUIRE(hooked.sizes() == computed.sizes());
  const double error = test::relative_error(hooked, computed);
  INFO("relative error " << error);
  CHECK(error <= kTolerance);
}

// Scores against a direct computation: -inf exactly where the mask hides a key, close elsewhere.
void check_scores(const Tensor& scores, const Tensor& computed, const std::string& what) {
  INFO(what);
  const Tensor masked = computed == -INFINITY;
  CHECK(torch::equal(scores == -INFINITY, masked));
  CHECK_FALSE(scores.isnan().any().item<bool>());
  check_close(scores.masked_fill(masked, 0), computed.masked_fill(masked, 0), what);
}

// Pattern rows against a direct softmax; masked entries must be exactly 0.
void check_pattern(const Tensor& pattern, const Tensor& scores, const std::string& what) {
  const Tensor expected = torch::softmax(scores, -1);  // exp(-inf) = 0 at masked keys
  check_close(pattern, expected, what);
  CHECK((pattern.masked_select(scores == -INFINITY) == 0).all().item<bool>());
}

}  // namespace

TEST_CASE("decoder hook values equal a direct computation from the layer's weights", "[hooks][model]") {
  for (const std::string family : {"gemma3-tiny", "llava-tiny"}) {
    INFO(family);
    const auto reference = test::reference_case(family);
    const auto json = nlohmann::json::parse(util::read_file(reference.folder + "/config.json"));
    const auto& text = json["text_config"];
    const bool gemma = text["model_type"] == "gemma3_text";
    auto vlm = model::load_vlm(reference.folder);
    const auto named = parameters_of(*vlm);

    model::Session session;
    const int64_t layers = text["num_hidden_layers"].get<int64_t>();
    for (int64_t l = 0; l < layers; ++l)
      for (Site site : kBlockSites) session.hooks.capture({site, l, false});
    torch::NoGradGuard no_grad;
    vlm->forward(reference.inputs(), session);
    const Captured captured{session.hooks, false};

    const int64_t heads = text["num_attention_heads"].get<int64_t>(), kv_heads = text["num_key_value_heads"].get<int64_t>();
    const int64_t head_dim = text["head_dim"].get<int64_t>();
    const double eps = text["rms_norm_eps"].get<double>();
    // Gemma 3 scales q·k by query_pre_attn_scalar^-1/2, Llama by head_dim^-1/2.
    const double scale = 1.0 / std::sqrt(gemma ? text["query_pre_attn_scalar"].get<double>() : double(head_dim));
    const std::string act = text[gemma ? "hidden_activation" : "hidden_act"].get<std::string>();
    const int64_t length = reference.ids().size(1);
    std::vector<int64_t> types(size_t(length), 0);  // Llama's mask is causal whatever the types
    if (gemma) types = reference.meta["token_type_ids"].get<std::vector<int64_t>>();

    for (int64_t l = 0; l < layers; ++l) {
      const std::string at = "blocks." + std::to_string(l) + ".";
      const Weights w{named, "language_model.model.layers." + std::to_string(l) + "."};
      const bool sliding = gemma && text["layer_types"][size_t(l)] == "sliding_attention";
      const auto& rope_config = gemma ? text["rope_parameters"][sliding ? "sliding_attention" : "full_attention"]
                                      : text["rope_parameters"];
      const double theta = rope_config["rope_theta"].get<double>(), factor = rope_config.value("factor", 1.0);
      const Tensor allowed = visible(types, sliding ? text["sliding_window"].get<int64_t>() : 0).view({1, 1, length, length});

      const Tensor resid_pre = captured.at(Site::ResidPre, l);  // [1, T, hidden]
      const Tensor x = gemma ? gemma_rms(resid_pre, w("input_layernorm.weight"), eps)
                             : llama_rms(resid_pre, w("input_layernorm.weight"), eps);
      Tensor q = affine(x, w("self_attn.q_proj.weight")).view({1, length, heads, head_dim});
      Tensor k = affine(x, w("self_attn.k_proj.weight")).view({1, length, kv_heads, head_dim});
      const Tensor v = affine(x, w("self_attn.v_proj.weight")).view({1, length, kv_heads, head_dim});
      if (gemma) {  // q/k norms over head_dim, before RoPE
        q = gemma_rms(q, w("self_attn.q_norm.weight"), eps);
        k = gemma_rms(k, w("self_attn.k_norm.weight"), eps);
      }
      check_close(captured.at(Site::Q, l), q, at + "attn.hook_q");
      check_close(captured.at(Site::K, l), k, at + "attn.hook_k");
      check_close(captured.at(Site::V, l), v, at + "attn.hook_v");

      const Tensor scores = captured.at(Site::AttnScores, l);  // [1, heads, T, T]
      check_scores(scores,
                   scores_of(rope(captured.at(Site::Q, l), theta, factor), rope(captured.at(Site::K, l), theta, factor), scale, allowed),
                   at + "attn.hook_attn_scores");
      const Tensor pattern = captured.at(Site::Pattern, l);
      check_pattern(pattern, scores, at + "attn.hook_pattern");
      CHECK(torch::allclose(pattern.sum(-1), torch::ones({1, heads, length}, torch::kFloat64), 0, 1e-6));

      const Tensor z = captured.at(Site::Z, l);
      check_close(z, z_of(pattern, captured.at(Site::V, l)), at + "attn.hook_z");
      Tensor attn_out = affine(z.reshape({1, length, heads * head_dim}), w("self_attn.o_proj.weight"));
      if (gemma) attn_out = gemma_rms(attn_out, w("post_attention_layernorm.weight"), eps);
      check_close(captured.at(Site::AttnOut, l), attn_out, at + "hook_attn_out");
      const Tensor resid_mid = captured.at(Site::ResidMid, l);
      check_close(resid_mid, resid_pre + captured.at(Site::AttnOut, l), at + "hook_resid_mid");

      // Llama names its pre-MLP norm post_attention_layernorm; Gemma 3 has pre_feedforward_layernorm.
      const Tensor mlp_in = gemma ? gemma_rms(resid_mid, w("pre_feedforward_layernorm.weight"), eps)
                                  : llama_rms(resid_mid, w("post_attention_layernorm.weight"), eps);
      const Tensor post = activation(affine(mlp_in, w("mlp.gate_proj.weight")), act) * affine(mlp_in, w("mlp.up_proj.weight"));
      check_close(captured.at(Site::MlpPost, l), post, at + "mlp.hook_post");
      Tensor mlp_out = affine(captured.at(Site::MlpPost, l), w("mlp.down_proj.weight"));
      if (gemma) mlp_out = gemma_rms(mlp_out, w("post_feedforward_layernorm.weight"), eps);
      check_close(captured.at(Site::MlpOut, l), mlp_out, at + "hook_mlp_out");
      check_close(captured.at(Site::ResidPost, l), resid_mid + captured.at(Site::MlpOut, l), at + "hook_resid_post");
    }
  }
}

TEST_CASE("vision tower hook values equal a direct computation from the layer's weights", "[hooks][model]") {
  for (const std::string family : {"gemma3-tiny", "llava-tiny"}) {
    INFO(family);
    const auto reference = test::reference_case(family);
    const auto json = nlohmann::json::parse(util::read_file(reference.folder + "/config.json"));
    const auto& vision = json["vision_config"];
    auto vlm = model::load_vlm(reference.folder);
    const auto named = parameters_of(*vlm);

    model::HookSet hooks;
    const int64_t layers = vision["num_hidden_layers"].get<int64_t>();
    for (int64_t l = 0; l < layers; ++l)
      for (Site site : kBlockSites) hooks.capture({site, l, true});
    torch::NoGradGuard no_grad;
    vlm->image_features(reference.inputs().pixel_values, hooks);
    const Captured captured{hooks, true};

    const int64_t hidden = vision["hidden_size"].get<int64_t>(), heads = vision["num_attention_heads"].get<int64_t>();
    const int64_t head_dim = hidden / heads;
    const double eps = vision["layer_norm_eps"].get<double>();
    const std::string act = vision["hidden_act"].get<std::string>();
    for (int64_t l = 0; l < layers; ++l) {
      const std::string at = "vision.blocks." + std::to_string(l) + ".";
      const Weights w{named, "vision_tower.encoder.layers." + std::to_string(l) + "."};
      const Tensor resid_pre = captured.at(Site::ResidPre, l);  // [1, P, hidden]
      const int64_t patches = resid_pre.size(1);
      const Tensor x = layer_normed(resid_pre, w("layer_norm1.weight"), w("layer_norm1.bias"), eps);
      auto project = [&](const std::string& name) {
        return affine(x, w("self_attn." + name + ".weight"), w("self_attn." + name + ".bias")).view({1, patches, heads, head_dim});
      };
      check_close(captured.at(Site::Q, l), project("q_proj"), at + "attn.hook_q");
      check_close(captured.at(Site::K, l), project("k_proj"), at + "attn.hook_k");
      check_close(captured.at(Site::V, l), project("v_proj"), at + "attn.hook_v");

      // No rotary embedding and no mask: every patch sees every patch.
      const Tensor scores = captured.at(Site::AttnScores, l);  // [1, heads, P, P]
      check_scores(scores, scores_of(captured.at(Site::Q, l), captured.at(Site::K, l), 1.0 / std::sqrt(double(head_dim)), {}),
                   at + "attn.hook_attn_scores");
      const Tensor pattern = captured.at(Site::Pattern, l);
      check_pattern(pattern, scores, at + "attn.hook_pattern");
      const Tensor z = captured.at(Site::Z, l);
      check_close(z, z_of(pattern, captured.at(Site::V, l)), at + "attn.hook_z");
      check_close(captured.at(Site::AttnOut, l),
                  affine(z.reshape({1, patches, hidden}), w("self_attn.out_proj.weight"), w("self_attn.out_proj.bias")),
                  at + "hook_attn_out");
      const Tensor resid_mid = captured.at(Site::ResidMid, l);
      check_close(resid_mid, resid_pre + captured.at(Site::AttnOut, l), at + "hook_resid_mid");
      const Tensor mlp_in = layer_normed(resid_mid, w("layer_norm2.weight"), w("layer_norm2.bias"), eps);
      check_close(captured.at(Site::MlpPost, l), activation(affine(mlp_in, w("mlp.fc1.weight"), w("mlp.fc1.bias")), act),
                  at + "mlp.hook_post");
      check_close(captured.at(Site::MlpOut, l), affine(captured.at(Site::MlpPost, l), w("mlp.fc2.weight"), w("mlp.fc2.bias")),
                  at + "hook_mlp_out");
      check_close(captured.at(Site::ResidPost, l), resid_mid + captured.at(Site::MlpOut, l), at + "hook_resid_post");
    }
  }
}

TEST_CASE("attention knockout is a hook: a key set to -inf in attn.hook_attn_scores gets 0 and rows still sum to 1", "[hooks][model]") {
  const auto reference = test::reference_case("gemma3-tiny");
  auto vlm = model::load_vlm(reference.folder);
  const int64_t layer = 3, key = 12;  // the full-attention layer; an image token of the fixture prompt
  const HookPoint scores_point{Site::AttnScores, layer, false}, pattern_point{Site::Pattern, layer, false};
  torch::NoGradGuard no_grad;

  model::Session plain;  // nothing hooked
  const Tensor plain_logits = vlm->forward(reference.inputs(), plain);
  model::Session clean;
  clean.hooks.capture(scores_point);
  clean.hooks.capture(pattern_point);
  const Tensor clean_logits = vlm->forward(reference.inputs(), clean);
  CHECK(torch::equal(clean_logits, plain_logits));  // capturing the scores changes nothing
  const Tensor clean_scores = f64(clean.hooks.captured(scores_point));    // [1, heads, T, T]
  const Tensor clean_pattern = f64(clean.hooks.captured(pattern_point));  // [1, heads, T, T]
  const int64_t length = clean_pattern.size(2);
  const Tensor ones = torch::ones({1, clean_pattern.size(1), length}, torch::kFloat64);

  SECTION("knockout") {
    model::Session knocked;
    knocked.hooks.callback(scores_point, [&](const Tensor& x, const model::HookContext&) {
      Tensor out = x.clone();
      out.select(3, key).fill_(-INFINITY);  // no query reads this key
      return out;
    });
    knocked.hooks.capture(scores_point);  // after the callback: sees its result
    knocked.hooks.capture(pattern_point);
    const Tensor logits = vlm->forward(reference.inputs(), knocked);
    CHECK((knocked.hooks.captured(scores_point).select(3, key) == -INFINITY).all().item<bool>());
    const Tensor pattern = f64(knocked.hooks.captured(pattern_point));
    CHECK((pattern.select(3, key) == 0).all().item<bool>());
    CHECK(torch::allclose(pattern.sum(-1), ones, 0, 1e-6));
    // The other keys keep their proportions: the clean rows without that key, renormalised.
    Tensor expected = clean_pattern.clone();
    expected.select(3, key).zero_();
    check_close(pattern, expected / expected.sum(-1, true), "knocked-out pattern");
    CHECK(test::relative_error(logits, clean_logits) > 1e-4);  // the later layers see the change
  }

  SECTION("replace and add") {
    const int64_t last = length - 1;
    model::Session replaced;  // every score of the last query 0: a uniform pattern over all keys
    replaced.hooks.replace(scores_point, torch::zeros({1, clean_pattern.size(1), length, length}), {last});
    replaced.hooks.capture(pattern_point);
    vlm->forward(reference.inputs(), replaced);
    const Tensor uniform = f64(replaced.hooks.captured(pattern_point));
    check_close(uniform.select(2, last), torch::full({1, clean_pattern.size(1), length}, 1.0 / double(length), torch::kFloat64),
                "replaced row");
    CHECK(torch::equal(uniform.narrow(2, 0, last), clean_pattern.narrow(2, 0, last)));  // the other queries: untouched

    model::Session added;  // +4 on key 0's score for the last query
    Tensor bump = torch::zeros({length});
    bump[0] = 1.0;
    added.hooks.add(scores_point, bump, 4.0, {last});
    added.hooks.capture(pattern_point);
    vlm->forward(reference.inputs(), added);
    Tensor expected = clean_scores.clone();
    expected.select(2, last).select(2, 0).add_(4.0);
    check_close(f64(added.hooks.captured(pattern_point)), torch::softmax(expected, -1), "pattern after add");
  }
}
