#include "ui/text/shape_cache.h"

#include "ui/text/bidi_text.h"

namespace loupe::ui {

namespace {
constexpr size_t kMaxEntries = 4096;
}

const std::string& ShapeCache::line(const std::string& text) {
  auto found = lines_.find(text);
  if (found != lines_.end()) return found->second;
  if (lines_.size() > kMaxEntries) lines_.clear();
  return lines_.emplace(text, shape_line(text)).first->second;
}

bool ShapeCache::rtl(const std::string& text) {
  auto found = rtl_.find(text);
  if (found != rtl_.end()) return found->second;
  if (rtl_.size() > kMaxEntries) rtl_.clear();
  return rtl_.emplace(text, is_rtl_paragraph(text)).first->second;
}

}  // namespace loupe::ui
