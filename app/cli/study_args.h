// Options shared by the study commands that run a workspace's model over one image or a dataset
// split (`steer`, `ablate`, `analyze lens`).
#pragma once
#include <string>
#include <vector>

#include "app/cli/args.h"
#include "core/study/dataset_image.h"
#include "core/util/language.h"
#include "core/workspace/workspace.h"

namespace loupe::cli {

// --lang en|ar|both (default both).
std::vector<Language> study_languages(const Args& args);

// --image PATH (one image, with its dataset row when the workspace's dataset holds it) or
// --split S [--where COLUMN=VALUE]... [--limit N] (the split's rows whose label columns hold those
// values, the first N of them); exactly one of --image and --split. Throws InputError.
std::vector<study::DatasetImage> study_images(const Args& args, const workspace::Workspace& space);
OptionSpec where_option();  // --where's help

}  // namespace loupe::cli
