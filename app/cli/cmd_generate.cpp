// `loupe generate`: greedy or sampled generation with optional steering, as JSON.
#include <cmath>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "app/cli/commands.h"
#include "app/cli/model_args.h"
#include "core/error.h"
#include "core/model/generate.h"
#include "core/tensor/convert.h"

namespace loupe::cli {

namespace {

model::GenerateOptions generate_options(const Args& args, const io::ModelConfig& config) {
  model::GenerateOptions options;
  options.max_new_tokens = args.get_int("max-new-tokens", 32);
  options.min_new_tokens = args.get_int("min-new-tokens", 0);
  if (options.max_new_tokens < 0) throw InputError("--max-new-tokens must not be negative");
  if (options.min_new_tokens < 0) throw InputError("--min-new-tokens must not be negative");
  if (options.min_new_tokens > options.max_new_tokens)
    throw InputError("--min-new-tokens is larger than --max-new-tokens");
  if (!args.has("no-stop")) options.stop_ids = config.eos_ids;
  options.sampling.greedy = !args.has("sample");
  options.sampling.temperature = args.get_double("temperature", 1.0);
  options.sampling.top_k = args.get_int("top-k", 0);
  options.sampling.top_p = args.get_double("top-p", 1.0);
  const long long seed = args.get_int("seed", 0);
  // Written so that NaN fails every check.
  if (!(options.sampling.temperature > 0 && std::isfinite(options.sampling.temperature)))
    throw InputError("--temperature must be a positive finite number");
  if (options.sampling.top_k < 0) throw InputError("--top-k must not be negative (0 keeps every token)");
  if (!(options.sampling.top_p > 0 && options.sampling.top_p <= 1)) throw InputError("--top-p must be in (0, 1]");
  if (seed < 0) throw InputError("--seed must not be negative");
  options.sampling.seed = uint64_t(seed);
  options.keep_step_logits = args.has("step-logits");
  return options;
}

int run_generate(const Args& args) {
  const std::string folder = model_folder(args);
  auto vlm = model::load_vlm(folder, load_options(args));
  const auto options = generate_options(args, vlm->config);
  const model::VlmInputs inputs = model::prepare_inputs(*vlm, folder, input_spec(args));
  model::Session session;
  add_steering(args, *vlm, inputs.token_type_ids, options.max_new_tokens, session.hooks);

  const auto result = model::generate(*vlm, session, inputs, options);
  const auto& tokens = result.tokens[0];
  if (args.has("step-logits")) tensor::save(args.get("step-logits"), {{"step_logits", result.step_logits[0]}});

  nlohmann::json text = nullptr;  // null when the model folder has no tokenizer.json
  if (std::filesystem::exists(folder + "/tokenizer.json")) text = model::model_tokenizer(folder)->decode(tokens, true);
  nlohmann::json out = {{"tokens", tokens}, {"text", text}};
  if (args.has("json")) {
    std::cout << out.dump() << "\n";
  } else {
    std::cout << (text.is_null() ? out["tokens"].dump() : text.get<std::string>()) << "\n";
  }
  return 0;
}

}  // namespace

CommandSpec generate_command() {
  return {"generate",
          "generate a continuation of a prompt (greedy or sampled), optionally steered",
          "loupe generate --model DIR (--image PATH | --pixels FILE:KEY) (--prompt TEXT [--lang en|ar] | --ids LIST|@FILE) "
          "--max-new-tokens N [--min-new-tokens N] [--steer HOOK=FILE.safetensors:KEY@ALPHA[@POSITIONS]]... "
          "[--step-logits FILE.safetensors] [--json]",
          options({model_options(), input_options(),
                   {{"max-new-tokens", "N", "tokens to generate at most (default 32)"},
                    {"min-new-tokens", "N", "end tokens are suppressed before this many (default 0)"},
                    {"no-stop", "", "do not stop at the model's end tokens"},
                    {"sample", "", "sample instead of greedy argmax"},
                    {"temperature", "T", "sampling temperature (default 1)"},
                    {"top-k", "K", "keep the K most likely tokens when sampling"},
                    {"top-p", "P", "nucleus sampling threshold"},
                    {"seed", "S", "sampling seed (default 0)"},
                    steer_option(),
                    {"step-logits", "FILE", "write step_logits [N, vocab]: the raw logits of each step"},
                    {"json", "", "print {\"tokens\": [...], \"text\": ...}"}}}),
          run_generate};
}

}  // namespace loupe::cli
