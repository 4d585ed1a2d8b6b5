// `loupe analyze lens|dla` as a workspace runs them (and the desktop app's Study panel): the
// captions' logit lens and direct logit attribution at their first gendered word, logged in
// runs.jsonl with the parameters and inputs, written to W/analyses/NAME/{lens,dla,lens_entries}
// .{csv,json} when it succeeds, nothing when it fails.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/study/logit_lens.h"
#include "core/util/table.h"
#include "core/workspace/workspace.h"

namespace loupe::study {

struct LensRun {
  std::string command = "analyze lens";  // or "analyze dla": the same run, another table printed
  std::string image, split;              // what the images are (one image, or a split's rows)
  int64_t limit = 0;
  std::vector<std::string> where;
  std::string lang = "both";
  std::string name = "lens";
};

struct LensEntries {
  std::vector<LensEntry> entries;
  int64_t layers = 0, heads = 0;  // the model's
};

struct LensTables {
  util::Table lens, dla;
  size_t entries = 0;
};

// `compute` captions the images and reads the lens (study::logit_lens). Throws InputError for a
// bad NAME before anything runs, and when no caption names a gendered word with a one-token
// counterpart; rethrows what `compute` throws.
LensTables logit_lens_logged(const workspace::Workspace& space, const LensRun& run, const std::vector<Language>& langs,
                             const std::function<LensEntries()>& compute);

}  // namespace loupe::study
