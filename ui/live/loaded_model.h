// A model as the desktop app holds it: loaded once, never changed, shared by the workers (each
// worker runs it with its own Session). Torch: include only from ui/live/*.cpp.
#pragma once
#include <memory>
#include <string>

#include "core/model/vlm.h"
#include "core/text/tokenizer.h"
#include "ui/live/model_info.h"

namespace loupe::ui {

struct LoadedModel {
  std::string folder;
  std::shared_ptr<const model::VlmImpl> vlm;
  std::shared_ptr<const text::Tokenizer> tokenizer;
  ModelInfo info;
};

}  // namespace loupe::ui
