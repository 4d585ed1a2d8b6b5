// The SVG back-end of the plot layer: a laid-out figure (core/report/figure.h) as one standalone
// SVG document, every shape written as it is laid out. Text runs right to left (direction="rtl")
// when it holds Arabic, so a browser shapes and orders it as the screen back-end does.
#pragma once
#include <string>

#include "core/report/figure.h"

namespace loupe::report {

std::string svg(const Figure& figure);

// XML (and HTML) text: & < > " escaped; bytes that are not UTF-8 and control characters XML
// forbids become U+FFFD, so the document always parses.
std::string xml_escape(const std::string& text);

// True when `text` holds a character of the Arabic blocks (U+0600-06FF, 0750-077F, 08A0-08FF,
// FB50-FDFF, FE70-FEFF).
bool has_arabic(const std::string& text);

}  // namespace loupe::report
