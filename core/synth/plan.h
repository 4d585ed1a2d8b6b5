// Which image and caption each sample gets: the splits and the planted bias.
//
// For n samples: train = n - 2 * floor(n / 10) (about 80%), then balanced = floor(n / 10), then
// counter = floor(n / 10); indices run through train, balanced, counter in that order.
//   train:    scene uniform; a neutral figure with probability neutral_share (captioned with the
//             scene's stereotyped word with probability neutral_stereotyped_caption, else "person");
//             otherwise the stereotyped gender with probability `bias`, else the other one.
//   balanced: scenes in turn and, per scene, woman / man / person in turn; captions truthful.
//   counter:  scenes in turn, figure of the gender opposite to the scene's stereotype; truthful.
// Activity (one of the scene's two) and phrasing are uniform. Everything about sample i is drawn
// from Rng::for_sample(seed, i), so samples can be made in any order.
//
// With SynthOptions::pairs the n samples are counterfactual pairs instead (split "pairs"): samples
// 2k (a woman) and 2k + 1 (a man) share scene (scenes in turn), activity, phrasing and render seed,
// captions are truthful. A woman and a man draw as many random numbers for their looks (one for
// bare legs, one for a beard), so everything drawn after the figure is the same for both and the two
// images differ only where the figure does.
#pragma once
#include <cstdint>

#include "core/synth/world.h"

namespace loupe::synth {

enum class Split { Train, Balanced, Counter, Pairs };
constexpr int kSplitCount = 4;
const char* split_name(Split split);  // "train", "balanced", "counter", "pairs"

struct SynthOptions {
  uint64_t seed = 1;
  double bias = 0.85;                        // P(stereotyped gender | gendered train figure)
  double neutral_share = 0.2;                // share of train figures with hidden gender cues
  double neutral_stereotyped_caption = 0.6;  // share of those captioned with the scene's stereotyped word
  bool pairs = false;                        // counterfactual woman / man pairs instead of the three splits
};

// Throws InputError when n < 1, n is odd for pairs, or a probability lies outside [0, 1].
void validate(const SynthOptions& options, long long n);

struct SplitSizes {
  int train = 0, balanced = 0, counter = 0, pairs = 0;
};
SplitSizes split_sizes(int n);                               // the three splits
SplitSizes split_sizes(int n, const SynthOptions& options);  // all n in `pairs` when options.pairs

struct SamplePlan {
  int index = 0;
  Split split = Split::Train;
  Scene scene = Scene::Kitchen;
  Activity activity = Activity::Cooking;
  Subject figure = Subject::Person;   // what the image shows
  Subject caption = Subject::Person;  // what the caption says
  int phrasing = 0;
  uint64_t render_seed = 0;
};

SamplePlan plan_sample(const SynthOptions& options, const SplitSizes& sizes, int index);

}  // namespace loupe::synth
