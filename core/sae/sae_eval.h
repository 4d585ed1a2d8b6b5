// The downstream check of an SAE: the model's teacher-forced caption loss (cross-entropy of the
// reference captions, as the captioner trains, core/train/caption_examples.h) when the hook's
// activation is replaced by the SAE's reconstruction, against the clean model and against zeroing
// the hook. Replacement and ablation act on the positions the SAE was trained on (the store's
// positions word: text = caption tokens, image = image tokens, all = every position, ...).
//   fraction of loss recovered = (zero - sae) / (zero - clean)
// Split by token type (docs/sae.md): the loss over the English and over the Arabic captions, and,
// for an SAE of image and text positions, the reconstruction spliced at the image tokens only and at
// the other tokens only.
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "core/io/dataset.h"
#include "core/model/vlm.h"
#include "core/sae/sae.h"
#include "core/text/position_selector.h"
#include "core/text/tokenizer.h"

namespace loupe::sae {

// The caption-loss check replaces the hook's activation at each selected position of every example:
// pooled words, `last` and lists are refused.
constexpr PositionUse kCaptionLossPositions{"the caption-loss check, which replaces per-token activations", false, false, false};

struct CaptionLossOptions {
  std::string split = "balanced";  // dataset split (train, balanced, counter); rows of every split when absent
  int64_t rows = 64;               // the split's first N rows (each gives an English and an Arabic example)
  int64_t batch = 16;              // examples per forward pass
  PositionSelector positions{PositionKind::Text};  // kCaptionLossPositions words
};

// Mean cross-entropy per answer token under the three conditions, over some of the answer tokens.
struct CaptionLoss {
  double clean = 0, reconstructed = 0, zero_ablated = 0;
  double fraction_recovered = 0;  // (zero - reconstructed) / (zero - clean); 0 when zero == clean
  int64_t answer_tokens = 0;
};

// The reconstruction spliced in at one token type only, the hook left clean elsewhere.
struct SplicedLoss {
  double reconstructed = 0, zero_ablated = 0, fraction_recovered = 0;  // against the same clean loss
  int64_t positions = 0;  // replaced positions, summed over the examples
};

struct CaptionLossResult {
  double clean = 0, reconstructed = 0, zero_ablated = 0;  // mean cross-entropy per answer token
  double fraction_recovered = 0;
  CaptionLoss english, arabic;  // the same runs, the loss over English / over Arabic captions
  // When the SAE's positions hold both image and caption tokens (all, non-image...): the
  // reconstruction (and the zero ablation) at the image tokens only, and at the others only.
  bool split_by_token_type = false;
  SplicedLoss image_only, text_only;
  double explained_variance = 0;  // of the SAE on the hook's activations at the replaced positions
  double l0 = 0;                  // mean active latents there
  int64_t examples = 0, answer_tokens = 0, replaced_positions = 0;

  nlohmann::json to_json() const;
};

// Throws InputError when the SAE's width differs from the hook's, the hook is unknown, the split
// has no rows or the positions are not kCaptionLossPositions (pooled: the SAE never saw per-token vectors).
// The job counts one item per example and may cancel between batches (loupe::Cancelled).
CaptionLossResult caption_loss_with_sae(const model::VlmImpl& model, const text::Tokenizer& tokenizer,
                                        const io::Dataset& dataset, const Sae& sae, const CaptionLossOptions& options,
                                        jobs::JobContext& job);

}  // namespace loupe::sae
