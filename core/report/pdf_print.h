// report.pdf: the HTML report printed by headless Chromium, when it is installed.
#pragma once
#include <filesystem>
#include <optional>
#include <string>

namespace loupe::report {

// The first of chromium, chromium-browser, google-chrome on PATH (or $LOUPE_CHROMIUM), if any.
std::optional<std::string> find_chromium();

// Prints `html` to `pdf` with `chromium --headless --print-to-pdf`, through a temporary file
// renamed at the end, so `pdf` is whole or absent. Throws IoError when Chromium fails or writes
// nothing within two minutes.
void print_pdf(const std::string& chromium, const std::filesystem::path& html, const std::filesystem::path& pdf);

}  // namespace loupe::report
