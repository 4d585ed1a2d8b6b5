#include "core/model/generate.h"

#include <algorithm>

#include "core/error.h"

namespace loupe::model {

namespace {

// Temperature, top-k, then top-p (nucleus) filtering as transformers' logits warpers do.
torch::Tensor filtered_logits(torch::Tensor logits, const Sampling& sampling) {
  if (sampling.temperature <= 0) throw InputError("temperature must be positive");
  logits = logits / sampling.temperature;
  const double minus_inf = -std::numeric_limits<double>::infinity();
  if (sampling.top_k > 0 && sampling.top_k < logits.size(-1)) {
    torch::Tensor kth = std::get<0>(logits.topk(sampling.top_k, -1)).narrow(-1, sampling.top_k - 1, 1);
    logits = logits.masked_fill(logits < kth, minus_inf);
  }
  if (sampling.top_p < 1.0) {
    auto [sorted, order] = logits.sort(-1, /*descending=*/false);
    torch::Tensor cumulative = sorted.softmax(-1).cumsum(-1);
    torch::Tensor remove_sorted = cumulative <= (1.0 - sampling.top_p);
    remove_sorted.narrow(-1, remove_sorted.size(-1) - 1, 1).fill_(false);  // keep at least one
    torch::Tensor remove = remove_sorted.scatter(-1, order, remove_sorted);
    logits = logits.masked_fill(remove, minus_inf);
  }
  return logits;
}

}  // namespace

GenerateResult generate(const VlmImpl& model, Session& session, const VlmInputs& prompt, const GenerateOptions& options) {
  if (session.length != 0) throw InputError("generate needs a fresh session (call reset first)");
  if (options.max_new_tokens < 1) throw InputError("max_new_tokens must be at least 1");
  torch::NoGradGuard no_grad;
  const int64_t batch = prompt.input_ids.size(0);
  GenerateResult result;
  result.tokens.resize(size_t(batch));
  std::vector<bool> finished(size_t(batch), false);
  std::vector<torch::Tensor> kept_logits;
  torch::Generator generator = torch::make_generator<at::CPUGeneratorImpl>(options.sampling.seed);
  const int64_t pad = std::max<int64_t>(model.config.text.pad_id, 0);

  torch::Tensor logits = model.forward(prompt, session).select(1, -1).to(torch::kFloat32);  // [B, V]
  for (int64_t step = 0; step < options.max_new_tokens; ++step) {
    // NaN logits argmax to token 0 and decode to an empty caption: say so instead.
    if (!torch::isfinite(logits).all().item<bool>())
      throw InputError("the model's logits hold NaN or infinite values at generated token " + std::to_string(step) +
                       ": an input (pixels, a steering vector or alpha, a patched activation) or an activation past the "
                       "range of " + std::string(c10::toString(model.dtype())) + " is not finite");
    if (options.keep_step_logits) kept_logits.push_back(logits.cpu());
    torch::Tensor scores = logits;
    if (step < options.min_new_tokens)
      for (int64_t id : options.stop_ids) scores = scores.index_fill(-1, torch::tensor({id}, torch::kInt64).to(scores.device()),
                                                                      -std::numeric_limits<float>::infinity());
    torch::Tensor next;
    if (options.sampling.greedy) {
      next = scores.argmax(-1);
    } else {
      torch::Tensor probabilities = filtered_logits(scores, options.sampling).softmax(-1).cpu();
      next = torch::multinomial(probabilities, 1, false, generator).squeeze(-1);
    }
    next = next.cpu();
    std::vector<int64_t> step_tokens(size_t(batch), pad);
    for (int64_t row = 0; row < batch; ++row) {
      if (finished[size_t(row)]) continue;
      const int64_t token = next[row].item<int64_t>();
      step_tokens[size_t(row)] = token;
      result.tokens[size_t(row)].push_back(token);
      finished[size_t(row)] = std::find(options.stop_ids.begin(), options.stop_ids.end(), token) != options.stop_ids.end();
    }
    if (options.on_step) options.on_step(step, step_tokens);
    const bool all_done = std::all_of(finished.begin(), finished.end(), [](bool done) { return done; });
    if (all_done || step + 1 == options.max_new_tokens) break;
    if (options.job) options.job->throw_if_cancelled();
    VlmInputs input;
    input.input_ids = torch::tensor(step_tokens, torch::kInt64).view({batch, 1});
    logits = model.forward(input, session).select(1, -1).to(torch::kFloat32);
  }
  if (options.keep_step_logits) result.step_logits = torch::stack(kept_logits, 1);
  return result;
}

}  // namespace loupe::model
