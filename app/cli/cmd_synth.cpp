// `loupe synth`: renders the synthetic captioning dataset behind the bundled demo model.
#include <chrono>
#include <iostream>
#include <sstream>

#include "app/cli/commands.h"
#include "core/error.h"
#include "core/synth/dataset_writer.h"

namespace loupe::cli {

namespace {

std::string gender_counts(const int counts[synth::kSubjectCount]) {
  std::ostringstream text;
  for (int s = 0; s < synth::kSubjectCount; ++s)
    text << (s ? " " : "") << synth::subject_name(synth::Subject(s)) << " " << counts[s];
  return text.str();
}

long long required_int(const Args& args, const std::string& name) {
  args.get(name);  // throws "--name is required" when absent
  return args.get_int(name, 0);
}

int run_synth(const Args& args) {
  const std::string out = args.get("out");
  synth::SynthOptions options;
  options.pairs = args.has("pairs");
  if (options.pairs && args.has("n")) throw InputError("give --n (the three splits) or --pairs (counterfactual pairs), not both");
  const long long n = options.pairs ? 2 * required_int(args, "pairs") : required_int(args, "n");
  options.seed = args.get_seed();
  options.bias = args.get_double("bias", options.bias);
  synth::validate(options, n);

  const auto start = std::chrono::steady_clock::now();
  const synth::DatasetSummary summary = synth::write_dataset(out, int(n), options);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  const int sizes[synth::kSplitCount] = {summary.sizes.train, summary.sizes.balanced, summary.sizes.counter,
                                         summary.sizes.pairs};
  std::ostringstream line;
  line.precision(2);
  line << std::fixed << "synth: " << n << " images and image_caption.csv in " << out << " (" << seconds << " s)";
  for (int split = 0; split < synth::kSplitCount; ++split) {
    if (sizes[split] == 0 && (options.pairs || split == int(synth::Split::Pairs))) continue;
    line << " | " << synth::split_name(synth::Split(split)) << " " << sizes[split] << ": "
         << gender_counts(summary.figures[split]);
    if (split == int(synth::Split::Train)) line << " (captions: " << gender_counts(summary.captions[split]) << ")";
  }
  std::cout << line.str() << "\n";
  return 0;
}

}  // namespace

CommandSpec synth_command() {
  return {"synth",
          "render the synthetic gender-bias captioning dataset (images + English/Arabic captions)",
          "loupe synth --out DIR (--n N | --pairs N) [--seed S] [--bias P]",
          {{"out", "DIR", "output folder (created): images/NNNNN.png and image_caption.csv"},
           {"n", "N", "number of samples: 80% train, 10% balanced, 10% counter-stereotypical"},
           {"pairs", "N", "instead: N counterfactual pairs (2N images), a woman and a man in one scene rendered from one seed"},
           {"seed", "S", "random seed, a non-negative integer (default 1); same seed, same files"},
           {"bias", "P", "train share of figures with their scene's stereotyped gender (default 0.85)"}},
          run_synth};
}

}  // namespace loupe::cli
