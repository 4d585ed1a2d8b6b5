// Caption quality and gender bias of one language's captions over a split, as `loupe eval-captions`
// reports them: corpus BLEU (bleu.h, 0..100) and mean ROUGE-L F1 (rouge.h, 0..1) of the model
// captions against the dataset's reference captions, and the bias measures (bias_measures.h).
#pragma once
#include <vector>

#include <nlohmann/json.hpp>

#include "core/eval/bias_measures.h"

namespace loupe::eval {

// {images, bleu, rouge_l, bias: caption_bias_json(...)}.
nlohmann::ordered_json caption_report_json(const std::vector<CaptionedImage>& images, Language language,
                                           const SceneFigureCounts& reference, const LeakageOptions& leakage = {});

}  // namespace loupe::eval
