// An image a study action runs on, with its dataset row when it is one of the dataset's images.
#pragma once
#include <cstdint>
#include <string>

namespace loupe::study {

struct DatasetImage {
  std::string image;
  int64_t row = -1;  // dataset row, -1 for an image outside the dataset
};

}  // namespace loupe::study
