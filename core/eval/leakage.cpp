#include "core/eval/leakage.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <random>

#include "core/error.h"
#include "core/eval/gender.h"

namespace loupe::eval {

namespace {

using Features = std::vector<int64_t>;  // sorted distinct word indices

struct BagOfWords {
  std::vector<Features> features;  // one per caption
  size_t vocabulary = 0;           // distinct masked words over all captions
};

BagOfWords bag_of_words(const std::vector<std::string>& captions, Language language) {
  std::vector<std::vector<std::string>> words;
  std::map<std::string, int64_t> vocabulary;
  for (const std::string& caption : captions) {
    words.push_back(gender_masked_words(caption, language));
    for (const std::string& word : words.back()) vocabulary.emplace(word, 0);
  }
  int64_t next = 0;
  for (auto& entry : vocabulary) entry.second = next++;
  BagOfWords bag{{}, vocabulary.size()};
  for (const auto& caption_words : words) {
    Features indices;
    for (const std::string& word : caption_words) indices.push_back(vocabulary.at(word));
    std::sort(indices.begin(), indices.end());
    indices.erase(std::unique(indices.begin(), indices.end()), indices.end());
    bag.features.push_back(indices);
  }
  return bag;
}

struct Model {
  std::vector<double> weights;
  double bias = 0.0;
  double probability(const Features& x) const {  // P(woman)
    double logit = bias;
    for (int64_t j : x) logit += weights[size_t(j)];
    return 1.0 / (1.0 + std::exp(-logit));
  }
};

Model train(const std::vector<Features>& x, const std::vector<bool>& y, const std::vector<size_t>& rows,
            size_t vocabulary, const LeakageOptions& options) {
  Model model{std::vector<double>(vocabulary, 0.0), 0.0};
  std::vector<double> gradient(vocabulary);
  const double scale = 1.0 / double(rows.size());
  for (int step = 0; step < options.iterations; ++step) {
    std::fill(gradient.begin(), gradient.end(), 0.0);
    double bias_gradient = 0.0;
    for (size_t row : rows) {
      const double error = (model.probability(x[row]) - (y[row] ? 1.0 : 0.0)) * scale;
      bias_gradient += error;
      for (int64_t j : x[row]) gradient[size_t(j)] += error;
    }
    for (size_t j = 0; j < vocabulary; ++j)
      model.weights[j] -= options.learning_rate * (gradient[j] + options.l2 * model.weights[j]);
    model.bias -= options.learning_rate * bias_gradient;
  }
  return model;
}

std::vector<size_t> fold_of_each(size_t count, int folds, uint64_t seed) {
  std::vector<size_t> order(count);
  for (size_t i = 0; i < count; ++i) order[i] = i;
  std::mt19937_64 draw(seed);
  for (size_t i = count - 1; i > 0; --i) std::swap(order[i], order[size_t(draw() % (i + 1))]);
  std::vector<size_t> fold(count);
  for (size_t position = 0; position < count; ++position) fold[order[position]] = position % size_t(folds);
  return fold;
}

}  // namespace

std::optional<Leakage> gender_leakage(const std::vector<std::string>& captions, const std::vector<bool>& is_woman,
                                      Language language, const LeakageOptions& options) {
  if (captions.size() != is_woman.size())
    throw InputError("leakage needs one gender per caption; got " + std::to_string(captions.size()) + " captions and " +
                     std::to_string(is_woman.size()) + " genders");
  if (options.folds < 2 || options.iterations < 0 || !(options.learning_rate > 0) || !(options.l2 >= 0))
    throw InputError("leakage options out of range: folds must be at least 2, iterations at least 0, the learning "
                     "rate above 0 and l2 at least 0");
  const size_t women = size_t(std::count(is_woman.begin(), is_woman.end(), true));
  if (captions.size() < 2 || women == 0 || women == captions.size()) return std::nullopt;

  const BagOfWords bag = bag_of_words(captions, language);
  const int folds = int(std::min(size_t(options.folds), captions.size()));
  const std::vector<size_t> fold = fold_of_each(captions.size(), folds, options.seed);

  double score = 0.0;
  int64_t correct = 0;
  for (int k = 0; k < folds; ++k) {
    std::vector<size_t> training, held_out;
    for (size_t i = 0; i < captions.size(); ++i) (fold[i] == size_t(k) ? held_out : training).push_back(i);
    const Model model = train(bag.features, is_woman, training, bag.vocabulary, options);
    for (size_t i : held_out) {
      const double woman = model.probability(bag.features[i]);
      const bool predicts_woman = woman >= 0.5;
      if (predicts_woman != is_woman[i]) continue;
      ++correct;
      score += predicts_woman ? woman : 1.0 - woman;
    }
  }
  const double n = double(captions.size());
  return Leakage{int64_t(captions.size()), score / n, double(correct) / n};
}

}  // namespace loupe::eval
