#include "core/eval/caption_report.h"

#include "core/eval/bleu.h"
#include "core/eval/rouge.h"

namespace loupe::eval {

nlohmann::ordered_json caption_report_json(const std::vector<CaptionedImage>& images, Language language,
                                           const SceneFigureCounts& reference, const LeakageOptions& leakage) {
  std::vector<std::string> captions, references;
  for (const CaptionedImage& image : images) {
    captions.push_back(image.caption);
    references.push_back(image.reference);
  }
  return {{"images", int64_t(images.size())},
          {"bleu", corpus_bleu(captions, references).score},
          {"rouge_l", corpus_rouge_l(captions, references).f1},
          {"bias", caption_bias_json(caption_bias(images, language, reference, leakage))}};
}

}  // namespace loupe::eval
