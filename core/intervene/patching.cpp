#include "core/intervene/patching.h"

#include "core/error.h"
#include "core/model/inputs.h"

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

// The checks patch_sweep and attribution_patch share; returns the number of layers swept.
int64_t check_patch(const model::VlmImpl& vlm, const model::VlmInputs& clean, const model::VlmInputs& corrupt,
                    const PatchRequest& request) {
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
  return request.vision ? vlm.config.vision.layers : vlm.config.text.layers;
}

}  // namespace

PatchSweep patch_sweep(const model::VlmImpl& vlm, const model::VlmInputs& clean, const model::VlmInputs& corrupt,
                       const PatchRequest& request, jobs::JobContext& job) {
  torch::NoGradGuard no_grad;
  const int64_t layers = check_patch(vlm, clean, corrupt, request);
  const int64_t count = int64_t(request.positions.size());
  auto point_at = [&](int64_t layer) { return HookPoint{request.site, layer, request.vision}; };
  auto resid_pre = [](int64_t layer) { return HookPoint{model::Site::ResidPre, layer, false}; };
  const LogitReadout readout = request.readout ? request.readout : [](const torch::Tensor& logits) { return logits; };
  job.set_stage("clean and corrupted runs");
  job.restart_count(layers * count);

  model::Session clean_run;
  for (int64_t l = 0; l < layers; ++l) clean_run.hooks.capture(point_at(l));
  PatchSweep sweep;
  sweep.clean = readout(vlm.forward(clean, clean_run).select(1, -1).to(torch::kFloat32))[0];
  model::Session corrupt_run;
  if (!request.vision)
    for (int64_t l = 0; l < layers; ++l) corrupt_run.hooks.capture(resid_pre(l));
  sweep.corrupt = readout(vlm.forward(corrupt, corrupt_run).select(1, -1).to(torch::kFloat32))[0];

  job.set_stage("patched runs");
  std::vector<torch::Tensor> rows;  // one [positions, ...] per layer
  for (int64_t l = 0; l < layers; ++l) {
    const torch::Tensor source = clean_run.hooks.captured(point_at(l));  // [1, T, ...]
    std::vector<torch::Tensor> row;
    for (int64_t first = 0; first < count; first += request.batch) {
      job.throw_if_cancelled();
      const int64_t copies = std::min(request.batch, count - first);
      model::Session patched;
      for (int64_t i = 0; i < copies; ++i)
        patched.hooks.replace(point_at(l), source, {request.positions[size_t(first + i)]}, {i});
      const torch::Tensor logits =
          request.vision ? vlm.forward(model::repeated_inputs(corrupt, copies), patched)
                         : vlm.resume(corrupt, corrupt_run.hooks.captured(resid_pre(l)).expand({copies, -1, -1}), l, patched);
      row.push_back(readout(logits.select(1, -1).to(torch::kFloat32)));  // [copies, ...]
      job.advance(copies, model::hook_name(point_at(l)));
    }
    rows.push_back(torch::cat(row));
  }
  sweep.patched = torch::stack(rows);
  return sweep;
}

AttributionPatch attribution_patch(const model::VlmImpl& vlm, const model::VlmInputs& clean,
                                   const model::VlmInputs& corrupt, const PatchRequest& request,
                                   const std::function<torch::Tensor(const torch::Tensor&)>& metric, jobs::JobContext& job) {
  const int64_t layers = check_patch(vlm, clean, corrupt, request);
  auto point_at = [&](int64_t layer) { return HookPoint{request.site, layer, request.vision}; };
  job.set_stage("attribution: clean run, corrupted run and its gradient");
  job.restart_count(3);

  AttributionPatch result;
  model::Session clean_run;
  {
    torch::NoGradGuard no_grad;
    for (int64_t l = 0; l < layers; ++l) clean_run.hooks.capture(point_at(l));
    result.clean_metric = metric(vlm.forward(clean, clean_run)[0][-1].to(torch::kFloat32)).item<double>();
  }
  job.advance(1, "clean run");

  // The corrupted run with every swept activation kept in the autograd graph: the first becomes a
  // leaf (the weights need no gradient), the later ones derive from it and retain their gradient.
  torch::AutoGradMode grad_mode(true);
  std::vector<torch::Tensor> tracked(static_cast<size_t>(layers));
  model::Session corrupt_run;
  for (int64_t l = 0; l < layers; ++l)
    corrupt_run.hooks.callback(point_at(l), [&tracked, l](const torch::Tensor& x, const model::HookContext&) {
      torch::Tensor kept = x.requires_grad() ? x : x.detach().requires_grad_(true);
      if (!kept.is_leaf()) kept.retain_grad();
      tracked[size_t(l)] = kept;
      return kept;
    });
  const torch::Tensor corrupt_metric = metric(vlm.forward(corrupt, corrupt_run)[0][-1].to(torch::kFloat32));
  result.corrupt_metric = corrupt_metric.item<double>();
  job.throw_if_cancelled();
  job.advance(1, "corrupted run");
  corrupt_metric.backward();
  job.advance(1, "gradient");

  const int64_t axis = model::position_axis(request.site);
  const torch::Tensor positions = torch::tensor(request.positions, torch::kInt64);
  std::vector<torch::Tensor> rows;  // one [positions] per layer
  for (int64_t l = 0; l < layers; ++l) {
    const torch::Tensor& a = tracked[size_t(l)];
    if (!a.defined() || !a.grad().defined())
      throw Error("attribution patching found no gradient at " + model::hook_name(point_at(l)));
    const torch::Tensor change = (clean_run.hooks.captured(point_at(l)) - a.detach()) * a.grad();  // [1, T, ...] or [1, heads, T, keys]
    const torch::Tensor per_position = change[0].movedim(axis - 1, 0).reshape({change.size(axis), -1}).sum(1);  // [T]
    rows.push_back(per_position.to(torch::kCPU, torch::kFloat64).index_select(0, positions));
  }
  result.attribution = torch::stack(rows);
  return result;
}

}  // namespace loupe::intervene
