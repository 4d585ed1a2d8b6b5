#include "core/synth/plan.h"

#include <sstream>
#include <string>

#include "core/error.h"
#include "core/synth/captions.h"
#include "core/synth/random.h"

namespace loupe::synth {

namespace {
void check_probability(const char* name, double value) {
  if (value >= 0.0 && value <= 1.0) return;
  std::ostringstream message;
  message << name << " must be a probability between 0 and 1, got " << value;
  throw InputError(message.str());
}
}  // namespace

const char* split_name(Split split) {
  switch (split) {
    case Split::Train: return "train";
    case Split::Balanced: return "balanced";
    case Split::Counter: return "counter";
    case Split::Pairs: return "pairs";
  }
  return "?";
}

void validate(const SynthOptions& options, long long n) {
  if (n < 1) throw InputError("the number of samples must be at least 1, got " + std::to_string(n));
  if (n > 10'000'000) throw InputError("at most 10000000 samples can be generated, got " + std::to_string(n));
  if (options.pairs && n % 2 != 0)
    throw InputError("counterfactual pairs need an even number of samples, got " + std::to_string(n));
  check_probability("bias", options.bias);
  check_probability("neutral share", options.neutral_share);
  check_probability("neutral stereotyped-caption share", options.neutral_stereotyped_caption);
}

SplitSizes split_sizes(int n) {
  SplitSizes sizes;
  sizes.balanced = n / 10;
  sizes.counter = n / 10;
  sizes.train = n - sizes.balanced - sizes.counter;
  return sizes;
}

SplitSizes split_sizes(int n, const SynthOptions& options) {
  if (!options.pairs) return split_sizes(n);
  SplitSizes sizes;
  sizes.pairs = n;
  return sizes;
}

namespace {
SamplePlan plan_pair_sample(const SynthOptions& options, int index) {
  const int pair = index / 2;
  // Its own stream family, so pair k does not replay train sample k's numbers.
  Rng rng = Rng::for_sample(options.seed ^ 0x7061697273ull, uint64_t(pair));
  SamplePlan plan;
  plan.index = index;
  plan.split = Split::Pairs;
  plan.scene = Scene(pair % kSceneCount);
  plan.figure = index % 2 == 0 ? Subject::Woman : Subject::Man;
  plan.caption = plan.figure;
  plan.activity = scene_activities(plan.scene)[size_t(rng.uniform_int(0, 1))];
  plan.phrasing = rng.uniform_int(0, kPhrasingCount - 1);
  plan.render_seed = rng.next();
  return plan;
}
}  // namespace

SamplePlan plan_sample(const SynthOptions& options, const SplitSizes& sizes, int index) {
  if (options.pairs) return plan_pair_sample(options, index);
  Rng rng = Rng::for_sample(options.seed, uint64_t(index));
  SamplePlan plan;
  plan.index = index;
  if (index < sizes.train) {
    plan.split = Split::Train;
    plan.scene = Scene(rng.uniform_int(0, kSceneCount - 1));
    const Subject stereotyped = stereotype(plan.scene);
    if (rng.chance(options.neutral_share)) {
      plan.figure = Subject::Person;
      plan.caption = rng.chance(options.neutral_stereotyped_caption) ? stereotyped : Subject::Person;
    } else {
      plan.figure = rng.chance(options.bias) ? stereotyped : opposite(stereotyped);
      plan.caption = plan.figure;
    }
  } else if (index < sizes.train + sizes.balanced) {
    const int k = index - sizes.train;
    plan.split = Split::Balanced;
    plan.scene = Scene(k % kSceneCount);
    plan.figure = Subject((k / kSceneCount) % kSubjectCount);
    plan.caption = plan.figure;
  } else {
    const int k = index - sizes.train - sizes.balanced;
    plan.split = Split::Counter;
    plan.scene = Scene(k % kSceneCount);
    plan.figure = opposite(stereotype(plan.scene));
    plan.caption = plan.figure;
  }
  plan.activity = scene_activities(plan.scene)[size_t(rng.uniform_int(0, 1))];
  plan.phrasing = rng.uniform_int(0, kPhrasingCount - 1);
  plan.render_seed = rng.next();
  return plan;
}

}  // namespace loupe::synth
