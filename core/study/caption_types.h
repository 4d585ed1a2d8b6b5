// A caption as the model chose it, step by step: torch-free, so the app's panels and the CLI's
// printers include only this (core/study/traced_caption.h computes it).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/util/language.h"

namespace loupe::study {

struct TokenChoice {
  std::string text;
  float probability = 0;
};

struct TokenChip {
  int64_t id = 0;
  std::string text;  // decoded piece, special tokens shown as their name
  float logit = 0;
  float probability = 0;
  std::vector<TokenChoice> top;  // the 5 most likely tokens at this step
  bool changed = false;          // differs from the baseline caption (steered captions only)
};

struct CaptionText {
  Language lang = Language::English;
  std::string text;
  std::vector<TokenChip> tokens;
};

}  // namespace loupe::study
