#include "core/intervene/patching.h"

#include "core/error.h"

namespace loupe::intervene {

using model::HookPoint;

model::HookPoint patch_site(const std::string& templated_name, const io::ModelConfig& config) {
  const size_t at = templated_name.find("{l}");
  if (at == std::string::npos)
    throw InputError("--hook must name a block hook with {l} for the layer, e.g. blocks.{l}.hook_resid_post; got '" +
                     templated_name + "'");
  HookPoint point = model::parse_hook(templated_name.substr(0, at) + "0" + templated_name.substr(at + 3), config);
  point.layer = -1;
  return point;
}

namespace {

// batch 1 → `copies` identical rows.
model::VlmInputs repeated(const model::VlmInputs& one, int64_t copies) {
  model::VlmInputs batch;
  batch.input_ids = one.input_ids.expand({copies, -1}).contiguous();
  if (one.token_type_ids.defined()) batch.token_type_ids = one.token_type_ids.expand({copies, -1}).contiguous();
  if (one.pixel_values.defined()) batch.pixel_values = one.pixel_values.repeat({copies, 1, 1, 1});
  return batch;
}

}  // namespace

PatchSweep patch_sweep(const model::VlmImpl& vlm, const model::VlmInputs& clean, const model::VlmInputs& corrupt,
                       const PatchRequest& request, jobs::JobContext& job) {
  torch::NoGradGuard no_grad;
  const int64_t length = clean.input_ids.size(1);
  if (clean.input_ids.size(0) != 1 || corrupt.input_ids.size(0) != 1)
    throw InputError("patching takes one clean and one corrupted input (batch 1)");
  if (corrupt.input_ids.size(1) != length)
    throw InputError("clean and corrupted inputs differ in length (" + std::to_string(length) + " vs " +
                     std::to_string(corrupt.input_ids.size(1)) + " tokens)");
  for (int64_t p : request.positions)
    if (p < 0 || p >= length)
      throw InputError("position " + std::to_string(p) + " is past the sequence of " + std::to_string(length) + " tokens");
  if (request.positions.empty()) throw InputError("patching needs at least one position");
  if (request.batch < 1) throw InputError("the patching batch must be at least 1, got " + std::to_string(request.batch));

  const int64_t layers = request.vision ? vlm.config.vision.layers : vlm.config.text.layers;
  const int64_t count = int64_t(request.positions.size());
  auto point_at = [&](int64_t layer) { return HookPoint{request.site, layer, request.vision}; };
  job.set_stage("clean and corrupted runs");
  job.restart_count(layers * count);

  model::Session clean_run;
  for (int64_t l = 0; l < layers; ++l) clean_run.hooks.capture(point_at(l));
  PatchSweep sweep;
  sweep.clean_last_logits = vlm.forward(clean, clean_run)[0][-1].to(torch::kFloat32);
  model::Session corrupt_run;
  sweep.corrupt_last_logits = vlm.forward(corrupt, corrupt_run)[0][-1].to(torch::kFloat32);

  job.set_stage("patched runs");
  std::vector<torch::Tensor> rows;  // one [positions, vocab] per layer
  for (int64_t l = 0; l < layers; ++l) {
    const torch::Tensor source = clean_run.hooks.captured(point_at(l));  // [1, T, ...]
    std::vector<torch::Tensor> row;
    for (int64_t first = 0; first < count; first += request.batch) {
      job.throw_if_cancelled();
      const int64_t copies = std::min(request.batch, count - first);
      model::Session patched;
      for (int64_t i = 0; i < copies; ++i)
        patched.hooks.replace(point_at(l), source, {request.positions[size_t(first + i)]}, {i});
      row.push_back(vlm.forward(repeated(corrupt, copies), patched).select(1, -1).to(torch::kFloat32));  // [copies, V]
      job.advance(copies, model::hook_name(point_at(l)));
    }
    rows.push_back(torch::cat(row));
  }
  sweep.patched_last_logits = torch::stack(rows);
  return sweep;
}

}  // namespace loupe::intervene
