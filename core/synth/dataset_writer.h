// Writes a synthetic captioning dataset: images/NNNNN.png (128x128 RGB) and image_caption.csv with
// columns image,en_caption,ar_caption,gender,scene,activity,split,caption_gender, where `gender` is
// the figure's visible gender and `caption_gender` the subject word of the captions (a neutral figure
// may be captioned "woman" or "man" in the train split). Fields are quoted per RFC 4180 when needed;
// lines end with "\n". Output is identical for the same n and options, whatever the thread count.
#pragma once
#include <string>

#include "core/synth/plan.h"

namespace loupe::synth {

struct DatasetSummary {
  SplitSizes sizes;
  int figures[kSplitCount][kSubjectCount] = {};   // [split][figure gender]
  int captions[kSplitCount][kSubjectCount] = {};  // [split][caption subject]
};

// The CSV text for samples 0..n-1 (no images are rendered).
std::string dataset_csv(int n, const SynthOptions& options);

// Validates the options, creates out_dir (and out_dir/images), renders every sample on `threads`
// threads (0: twice the cores, 4 to 16) and writes the CSV last, atomically. Throws InputError for bad
// options or an out_dir that already holds a dataset (a CSV or images), IoError when the folder or a
// file cannot be written.
DatasetSummary write_dataset(const std::string& out_dir, int n, const SynthOptions& options, int threads = 0);

}  // namespace loupe::synth
