// Gender leakage of captions (Hirota et al. 2022, "Quantifying Societal Bias Amplification in Image
// Captioning"): how well a classifier tells the figure's gender from a caption whose gender words
// are masked (gender_masked_words).
//
// The classifier is a bag-of-words logistic regression, not the paper's LSTM or BERT: binary
// features (each distinct masked word of the caption), a bias, full-batch gradient descent from
// zero weights for a fixed number of steps on the mean log-loss plus an L2 penalty on the word
// weights (not the bias). It is scored by k-fold cross-validation: the images are shuffled with a
// fixed-seed std::mt19937_64 (Fisher-Yates, j = draw % (i + 1)), the image at shuffled position p
// goes to fold p % k, and each fold is predicted by a classifier trained on the others.
//
// Leakage = (1 / n) * sum over images of s_i * [prediction_i == gender_i], where the prediction is
// woman when P(woman) >= 0.5 and s_i is the probability of the predicted gender (the paper's score).
// Only woman and man figures take part. The same inputs and options give the same value.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/util/language.h"

namespace loupe::eval {

struct LeakageOptions {
  int folds = 5;            // k; at most the number of images
  uint64_t seed = 1;        // of the fold shuffle
  int iterations = 300;     // gradient steps per fold
  double learning_rate = 1.0;
  double l2 = 1e-3;         // penalty on the word weights
};

struct Leakage {
  int64_t images = 0;     // woman and man images scored
  double leakage = 0.0;   // as defined above, in [0, 1]
  double accuracy = 0.0;  // share predicted right
};

// `is_woman[i]` is the figure's gender of `captions[i]` (true: woman, false: man). nullopt when
// there are fewer than 2 images or only one gender. Throws InputError when the lists differ in
// length or the options are out of range (folds < 2, iterations < 0, learning rate <= 0, l2 < 0).
std::optional<Leakage> gender_leakage(const std::vector<std::string>& captions, const std::vector<bool>& is_woman,
                                      Language language, const LeakageOptions& options = {});

}  // namespace loupe::eval
