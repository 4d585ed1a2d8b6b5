// Hook operations on their own and in the model: order, positions, and every operation's effect.
#include <catch2/catch.hpp>

#include "core/error.h"
#include "core/io/hf_config.h"
#include "core/model/hook_names.h"
#include "core/model/hooks.h"
#include "fixture_case.h"

using namespace loupe;
using model::HookContext;
using model::HookPoint;
using model::Site;

namespace {

const HookPoint kPoint{Site::ResidPost, 1, false};

HookContext context_at(int64_t first_position) { return {kPoint, first_position, first_position == 0}; }

torch::Tensor sequence() { return torch::arange(12, torch::kFloat32).view({1, 4, 3}); }  // [B=1, T=4, d=3]

}  // namespace

TEST_CASE("several hooks on one point run in the order they were added", "[hooks]") {
  model::HookSet hooks;
  hooks.callback(kPoint, [](const torch::Tensor& x, const HookContext&) { return x * 2; });
  hooks.add(kPoint, torch::ones({3}), 1.0);
  hooks.capture(kPoint);
  const torch::Tensor out = hooks.apply(kPoint, sequence(), context_at(0));
  CHECK(torch::equal(out, sequence() * 2 + 1));                  // (x·2)+1, not (x+1)·2
  CHECK(torch::equal(hooks.captured(kPoint), sequence() * 2 + 1));  // the capture saw both
}

TEST_CASE("an empty hook set returns its input untouched", "[hooks]") {
  model::HookSet hooks;
  const torch::Tensor x = sequence();
  CHECK(hooks.empty());
  CHECK(hooks.apply(kPoint, x, context_at(0)).data_ptr() == x.data_ptr());
  // The pre-softmax scores too: the tensor the softmax reads is handed back, no copy is made.
  const HookPoint scores{Site::AttnScores, 0, false};
  const torch::Tensor map = torch::zeros({1, 2, 4, 4});  // [B, head, query, key]
  CHECK(hooks.apply(scores, map, {scores, 0, true}).data_ptr() == map.data_ptr());
}

TEST_CASE("attn.hook_attn_scores is a hook point of every attention layer, positioned by query", "[hooks]") {
  const auto config = io::read_model_config(std::string(LOUPE_FIXTURES) + "/gemma3-tiny");
  const HookPoint point = model::parse_hook("blocks.2.attn.hook_attn_scores", config);
  CHECK(point == HookPoint{Site::AttnScores, 2, false});
  CHECK(model::hook_name({Site::AttnScores, 1, true}) == "vision.blocks.1.attn.hook_attn_scores");
  CHECK(model::expand_hook_patterns("blocks.*.attn.hook_attn_scores", config).size() == size_t(config.text.layers));
  CHECK(model::hook_width(point, config) == -1);  // no fixed width: the key axis grows
  CHECK(model::position_axis(Site::AttnScores) == 2);

  // Positions select queries: a capture of query 2 keeps [B, head, 1, key].
  model::HookSet hooks;
  hooks.capture(point, {2});
  const torch::Tensor map = torch::arange(32, torch::kFloat32).view({1, 2, 4, 4});
  hooks.apply(point, map, {point, 0, true});
  CHECK(torch::equal(hooks.captured(point), map.narrow(2, 2, 1)));
}

TEST_CASE("one table says which sites are steered, stored and read per head", "[hooks]") {
  const auto config = io::read_model_config(std::string(LOUPE_FIXTURES) + "/gemma3-tiny");
  for (const HookPoint& point : model::all_hook_points(config)) {
    INFO(model::hook_name(point));
    const model::SiteTraits& traits = model::site_traits(point.site);
    const int64_t width = model::hook_width(point, config);
    CHECK(traits.attention_map == (width < 0));           // only maps lack a fixed width
    CHECK(traits.storable == (width > 0 && point.site != Site::Logits));
    CHECK_FALSE((traits.steerable && traits.per_head));  // q, k, v, z are read, not steered
    CHECK(model::position_axis(point.site) == (traits.attention_map ? 2 : 1));
  }
  CHECK(model::site_traits(Site::ResidPost).steerable);
  CHECK(model::site_traits(Site::ProjectorOut).steerable);
  CHECK(model::site_traits(Site::Z).per_head);
  CHECK_FALSE(model::site_traits(Site::Logits).storable);
  CHECK_FALSE(model::site_traits(Site::Pattern).steerable);
}

TEST_CASE("positions are absolute: prompt and decode steps alike", "[hooks]") {
  model::HookSet hooks;
  hooks.add(kPoint, torch::ones({3}), 10.0, {1, 5});
  hooks.capture(kPoint, {5});
  const torch::Tensor prefill = hooks.apply(kPoint, sequence(), context_at(0));  // positions 0..3
  CHECK(torch::equal(prefill[0][1], sequence()[0][1] + 10));
  CHECK(torch::equal(prefill[0][0], sequence()[0][0]));
  const torch::Tensor step = torch::zeros({1, 1, 3});
  CHECK(torch::equal(hooks.apply(kPoint, step, context_at(4)), step));         // position 4: untouched
  CHECK(torch::equal(hooks.apply(kPoint, step, context_at(5)), step + 10));    // position 5: steered
  CHECK(torch::equal(hooks.captured(kPoint), torch::full({1, 1, 3}, 10.f)));   // only position 5 kept
}

TEST_CASE("replace and project-out change exactly what they name", "[hooks]") {
  model::HookSet hooks;
  const torch::Tensor source = -sequence();
  hooks.replace(kPoint, source, {2});
  torch::Tensor out = hooks.apply(kPoint, sequence(), context_at(0));
  CHECK(torch::equal(out[0][2], source[0][2]));
  CHECK(torch::equal(out[0][3], sequence()[0][3]));

  model::HookSet ablate;
  ablate.project_out(kPoint, torch::tensor({0.f, 2.f, 0.f}));
  out = ablate.apply(kPoint, sequence(), context_at(0));
  CHECK(torch::allclose(out.select(-1, 1), torch::zeros({1, 4})));
  CHECK(torch::equal(out.select(-1, 0), sequence().select(-1, 0)));
}

TEST_CASE("hooks refuse inputs that cannot fit", "[hooks][errors]") {
  model::HookSet hooks;
  CHECK_THROWS_WITH(hooks.project_out(kPoint, torch::zeros({3})), Catch::Contains("zero length"));
  hooks.add(kPoint, torch::ones({4}), 1.0);
  CHECK_THROWS_WITH(hooks.apply(kPoint, sequence(), context_at(0)), Catch::Contains("has 4 values but the hook's width is 3"));
  model::HookSet replace;
  replace.replace(kPoint, torch::zeros({1, 4, 5}));
  CHECK_THROWS_WITH(replace.apply(kPoint, sequence(), context_at(0)), Catch::Contains("does not fit"));
  CHECK_THROWS_WITH(model::HookSet().captured(kPoint), Catch::Contains("nothing was captured at blocks.1.hook_resid_post"));
}

TEST_CASE("every hook point of a model fires once per forward pass, with its documented shape", "[hooks][model]") {
  const auto reference = test::reference_case("gemma3-tiny");
  auto vlm = model::load_vlm(std::string(LOUPE_FIXTURES) + "/gemma3-tiny");
  model::Session session;
  const auto points = model::all_hook_points(vlm->config);
  for (const auto& point : points) session.hooks.capture(point);
  torch::NoGradGuard no_grad;
  vlm->forward(reference.inputs(), session);
  const auto& c = vlm->config;
  for (const auto& point : points) {
    INFO(model::hook_name(point));
    const auto& chunks = session.hooks.captured_chunks(point);
    REQUIRE(chunks.size() == 1);
    const torch::Tensor& x = chunks[0];
    const int64_t tokens = point.vision ? c.vision.patches_per_side() * c.vision.patches_per_side() : 32;
    if (model::is_attention_map(point.site)) {
      CHECK(x.sizes() == c10::IntArrayRef({1, point.vision ? c.vision.heads : c.text.heads, tokens, tokens}));
    } else if (point.site == Site::ProjectorOut) {
      CHECK(x.sizes() == c10::IntArrayRef({1, c.image_tokens, c.text.hidden}));
    } else if (point.site == Site::Q || point.site == Site::K || point.site == Site::V || point.site == Site::Z) {
      CHECK(x.size(1) == tokens);
      CHECK(x.size(2) * x.size(3) == model::hook_width(point, c));
    } else {
      CHECK(x.sizes() == c10::IntArrayRef({1, tokens, model::hook_width(point, c)}));
    }
  }
}

TEST_CASE("an operation limited to batch rows changes only those rows", "[hooks]") {
  const torch::Tensor batch = torch::arange(24, torch::kFloat32).view({2, 4, 3});  // [B=2, T=4, d=3]
  model::HookSet hooks;
  // Each row patched at its own position: row 0 at 1, row 1 at 3, from a [1, T, d] source.
  const torch::Tensor source = -torch::ones({1, 4, 3});
  hooks.replace(kPoint, source, {1}, {0});
  hooks.replace(kPoint, source, {3}, {1});
  hooks.capture(kPoint, {}, {1});
  const torch::Tensor out = hooks.apply(kPoint, batch, context_at(0));
  CHECK(torch::equal(out[0][1], source[0][1]));
  CHECK(torch::equal(out[1][3], source[0][3]));
  CHECK(torch::equal(out[0][3], batch[0][3]));
  CHECK(torch::equal(out[1][1], batch[1][1]));
  CHECK(torch::equal(hooks.captured(kPoint), out.narrow(0, 1, 1)));  // only row 1 kept

  model::HookSet outside;
  outside.add(kPoint, torch::ones({3}), 1.0, {}, {2});
  CHECK_THROWS_WITH(outside.apply(kPoint, batch, context_at(0)), Catch::Contains("names batch row 2 but the batch has 2 rows"));
}
