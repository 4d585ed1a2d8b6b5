// "Did you mean": the candidates closest to a misspelt name, for error messages.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

namespace loupe::util {

// Levenshtein distance (insertions, deletions, substitutions of bytes).
size_t edit_distance(const std::string& a, const std::string& b);

// The `count` candidates nearest to `word` by edit distance, nearest first (ties in the
// candidates' order), each listed once.
std::vector<std::string> near_matches(const std::string& word, const std::vector<std::string>& candidates, size_t count = 5);

}  // namespace loupe::util
