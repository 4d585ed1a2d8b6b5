// Reading the --texts option of `loupe tokenize` and `loupe gender`: a JSON file holding an array of strings.
#pragma once
#include <string>
#include <vector>

namespace loupe::cli {

// Throws IoError when the file cannot be read, FormatError naming the file when it is not JSON or
// not an array of strings.
std::vector<std::string> read_text_list(const std::string& path);

}  // namespace loupe::cli
