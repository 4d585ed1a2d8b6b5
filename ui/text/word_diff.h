// Which words of a steered caption differ from the baseline caption: a longest-common-subsequence
// alignment, so an inserted or replaced word is marked and the words around it are not.
#pragma once
#include <string>
#include <vector>

namespace loupe::ui {

// One flag per item of `current`: true when it is not part of the longest common subsequence.
std::vector<bool> changed_items(const std::vector<std::string>& baseline, const std::vector<std::string>& current);

}  // namespace loupe::ui
