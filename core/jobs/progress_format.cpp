#include "core/jobs/progress_format.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace loupe::jobs {
namespace {

constexpr int kBarCells = 24;

std::string printf_string(const char* format, double value) {
  char text[64];
  std::snprintf(text, sizeof text, format, value);
  return text;
}

int percent(const JobSnapshot& snapshot) {
  const double fraction = static_cast<double>(snapshot.done) / static_cast<double>(snapshot.total);
  return static_cast<int>(std::floor(100.0 * std::clamp(fraction, 0.0, 1.0)));
}

// Keeps the first `columns` code points of UTF-8 `text`.
std::string cut_to_columns(const std::string& text, int columns) {
  int seen = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const bool starts_code_point = (static_cast<unsigned char>(text[i]) & 0xC0) != 0x80;
    if (starts_code_point && seen++ == columns) return text.substr(0, i);
  }
  return text;
}

}  // namespace

std::string format_duration(double seconds) {
  const long total = std::lround(std::max(0.0, seconds));
  const long hours = total / 3600, minutes = total / 60 % 60, secs = total % 60;
  char text[48];
  if (hours > 0)
    std::snprintf(text, sizeof text, "%ld:%02ld:%02ld", hours, minutes, secs);
  else
    std::snprintf(text, sizeof text, "%ld:%02ld", minutes, secs);
  return text;
}

std::string format_rate(double per_second) {
  if (per_second >= 1e6) return printf_string("%.3gM/s", per_second / 1e6);
  if (per_second >= 1e3) return printf_string("%.3gk/s", per_second / 1e3);
  return printf_string("%.3g/s", per_second);
}

std::string progress_summary(const JobSnapshot& snapshot) {
  std::string text = std::to_string(snapshot.done);
  if (snapshot.total > 0)
    text += "/" + std::to_string(snapshot.total) + " (" + std::to_string(percent(snapshot)) + "%)";
  else
    text += " done";
  if (snapshot.rate > 0) text += ", " + format_rate(snapshot.rate);
  if (snapshot.eta_seconds) text += ", ETA " + format_duration(*snapshot.eta_seconds);
  return text;
}

std::string progress_bar_line(const JobSnapshot& snapshot, int columns) {
  std::string line = snapshot.name;
  if (!snapshot.stage.empty()) line += " [" + snapshot.stage + "]";
  if (snapshot.total > 0) {
    const int filled = percent(snapshot) * kBarCells / 100;
    line += " [" + std::string(filled, '#') + std::string(kBarCells - filled, '-') + "] " +
            std::to_string(snapshot.done) + "/" + std::to_string(snapshot.total) + " " +
            std::to_string(percent(snapshot)) + "%";
  } else {
    line += " " + std::to_string(snapshot.done);
  }
  if (snapshot.rate > 0) line += " " + format_rate(snapshot.rate);
  if (snapshot.eta_seconds) line += " ETA " + format_duration(*snapshot.eta_seconds);
  if (!snapshot.current_item.empty()) line += " " + snapshot.current_item;
  return cut_to_columns(line, columns);
}

}  // namespace loupe::jobs
