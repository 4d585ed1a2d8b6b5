#include "ui/text/word_diff.h"

#include <algorithm>

namespace loupe::ui {

std::vector<bool> changed_items(const std::vector<std::string>& baseline, const std::vector<std::string>& current) {
  const size_t n = baseline.size(), m = current.size();
  // lcs[i][j]: the longest common subsequence of baseline[i:] and current[j:].
  std::vector<std::vector<int>> lcs(n + 1, std::vector<int>(m + 1, 0));
  for (size_t i = n; i-- > 0;)
    for (size_t j = m; j-- > 0;)
      lcs[i][j] = baseline[i] == current[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
  std::vector<bool> changed(m, true);
  for (size_t i = 0, j = 0; i < n && j < m;) {
    if (baseline[i] == current[j]) {
      changed[j] = false;
      ++i, ++j;
    } else if (lcs[i + 1][j] >= lcs[i][j + 1]) {
      ++i;
    } else {
      ++j;
    }
  }
  return changed;
}

}  // namespace loupe::ui
