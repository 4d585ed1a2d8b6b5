// Shaped, visual-order copies of the strings a frame draws, so shaping runs once per string and not
// once per frame. Owned by the UI thread (no statics).
#pragma once
#include <string>
#include <unordered_map>

namespace loupe::ui {

class ShapeCache {
 public:
  // shape_line(text), remembered; the cache is emptied when it grows past a few thousand strings.
  const std::string& line(const std::string& text);
  bool rtl(const std::string& text);  // is_rtl_paragraph(text), remembered

 private:
  std::unordered_map<std::string, std::string> lines_;
  std::unordered_map<std::string, bool> rtl_;
};

}  // namespace loupe::ui
