// intervene::attribution_patch on the demo model: each cell is the derivative of the metric along
// (clean − corrupt) at that (layer, position), checked against a central finite difference taken
// through an additive hook; and the batched exact sweep, which resumes text layers from the
// corrupted run, against one full forward pass a cell.
#include <catch2/catch.hpp>

#include "cli_run.h"
#include "core/intervene/patching.h"
#include "core/jobs/standalone_job.h"
#include "core/model/inputs.h"
#include "core/text/prompt.h"

using namespace loupe;
using model::HookPoint;
using model::Site;

namespace {

struct DemoPair {
  std::shared_ptr<const model::VlmImpl> vlm = model::load_vlm(test::kDemoModel);
  model::VlmInputs clean = prompt_for("kitchen.png"), corrupt = prompt_for("kitchen-man.png");

  model::VlmInputs prompt_for(const std::string& image) const {
    const auto tokenizer = model::model_tokenizer(test::kDemoModel);
    const std::string path = std::string(LOUPE_SOURCE_DIR) + "/assets/demo/images/" + image;
    return model::caption_prompt(*vlm, *tokenizer, text::caption_question(Language::English),
                                 model::image_pixels(vlm->config, path));
  }
};

torch::Tensor logit_gap(const torch::Tensor& logits) { return logits.select(-1, 5) - logits.select(-1, 9); }  // [vocab] → []

}  // namespace

TEST_CASE("attribution patching is the metric's derivative along clean minus corrupt", "[patch][attribution]") {
  const DemoPair demo;
  intervene::PatchRequest request;
  request.site = Site::ResidPost;
  request.positions = {3, 10, demo.clean.input_ids.size(1) - 1};
  jobs::StandaloneJob job;
  const intervene::AttributionPatch estimate =
      intervene::attribution_patch(*demo.vlm, demo.clean, demo.corrupt, request, logit_gap, job.context());
  REQUIRE(estimate.attribution.sizes() == torch::IntArrayRef({demo.vlm->config.text.layers, 3}));

  torch::NoGradGuard no_grad;
  model::Session clean_run, corrupt_run;
  for (int64_t l = 0; l < demo.vlm->config.text.layers; ++l) {
    clean_run.hooks.capture({Site::ResidPost, l, false});
    corrupt_run.hooks.capture({Site::ResidPost, l, false});
  }
  CHECK(estimate.clean_metric == Approx(logit_gap(demo.vlm->forward(demo.clean, clean_run)[0][-1]).item<double>()).epsilon(1e-5));
  CHECK(estimate.corrupt_metric ==
        Approx(logit_gap(demo.vlm->forward(demo.corrupt, corrupt_run)[0][-1]).item<double>()).epsilon(1e-5));
  const double step = 0.05;
  double largest = 0;
  for (int64_t l = 0; l < demo.vlm->config.text.layers; ++l)
    for (size_t i = 0; i < request.positions.size(); ++i) {
      const int64_t p = request.positions[i];
      const HookPoint point{Site::ResidPost, l, false};
      const torch::Tensor change = (clean_run.hooks.captured(point) - corrupt_run.hooks.captured(point))[0][p];  // [hidden]
      const auto nudged = [&](double alpha) {
        model::Session run;
        run.hooks.add(point, change, alpha, {p});
        return logit_gap(demo.vlm->forward(demo.corrupt, run)[0][-1]).item<double>();
      };
      const double derivative = (nudged(step) - nudged(-step)) / (2 * step);
      const double attribution = estimate.attribution[l][int64_t(i)].item<double>();
      INFO("layer " << l << " position " << p);
      CHECK(attribution == Approx(derivative).epsilon(0.02).margin(1e-3));
      largest = std::max(largest, std::abs(attribution));
    }
  CHECK(largest > 0.01);  // the cells are not all zero
}

TEST_CASE("the resumed batched sweep gives each cell's full patched forward pass", "[patch]") {
  const DemoPair demo;
  intervene::PatchRequest request;
  request.site = Site::AttnOut;
  request.positions = {0, 7, 20, demo.clean.input_ids.size(1) - 1};
  request.batch = 3;  // two batches a layer, the second partial
  jobs::StandaloneJob job;
  const intervene::PatchSweep sweep = intervene::patch_sweep(*demo.vlm, demo.clean, demo.corrupt, request, job.context());

  torch::NoGradGuard no_grad;
  model::Session clean_run;
  for (int64_t l = 0; l < demo.vlm->config.text.layers; ++l) clean_run.hooks.capture({Site::AttnOut, l, false});
  demo.vlm->forward(demo.clean, clean_run);
  for (int64_t l = 0; l < demo.vlm->config.text.layers; ++l)
    for (size_t i = 0; i < request.positions.size(); ++i) {
      const HookPoint point{Site::AttnOut, l, false};
      model::Session patched;
      patched.hooks.replace(point, clean_run.hooks.captured(point), {request.positions[i]});
      const torch::Tensor expected = demo.vlm->forward(demo.corrupt, patched)[0][-1];
      INFO("layer " << l << " position " << request.positions[i]);
      CHECK(torch::allclose(sweep.patched[l][int64_t(i)], expected, 1e-4, 1e-4));
    }
}
