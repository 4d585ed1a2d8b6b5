#include "core/report/svg.h"

#include <cstdio>
#include <sstream>

#include "core/util/utf8.h"

namespace loupe::report {

namespace {

std::string number(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.2f", v);
  std::string text = buffer;
  while (text.back() == '0') text.pop_back();
  if (text.back() == '.') text.pop_back();
  return text == "-0" ? "0" : text;
}

std::string colour(const Rgba& c) {
  char buffer[8];
  std::snprintf(buffer, sizeof buffer, "#%02x%02x%02x", c.r, c.g, c.b);
  return buffer;
}

// fill="#rrggbb" with fill-opacity when not opaque; fill="none" when fully transparent.
std::string paint(const char* what, const Rgba& c) {
  if (c.a == 0) return std::string(" ") + what + "=\"none\"";
  std::string out = std::string(" ") + what + "=\"" + colour(c) + "\"";
  if (c.a < 255) out += std::string(" ") + what + "-opacity=\"" + number(c.a / 255.0) + "\"";
  return out;
}


struct Writer {
  std::ostringstream out;

  void operator()(const RectShape& r) {
    out << "<rect x=\"" << number(r.min.x) << "\" y=\"" << number(r.min.y) << "\" width=\"" << number(r.max.x - r.min.x)
        << "\" height=\"" << number(r.max.y - r.min.y) << "\"" << paint("fill", r.fill);
    if (r.stroke) out << paint("stroke", r.outline) << " stroke-width=\"1\"";
    out << " shape-rendering=\"crispEdges\"/>\n";  // abutting cells show no anti-aliased seams
  }
  void operator()(const LineShape& l) {
    out << "<polyline points=\"";
    for (size_t i = 0; i < l.points.size(); ++i) out << (i ? " " : "") << number(l.points[i].x) << "," << number(l.points[i].y);
    out << "\" fill=\"none\"" << paint("stroke", l.colour) << " stroke-width=\"" << number(l.width)
        << "\" stroke-linejoin=\"round\"/>\n";
  }
  void operator()(const CircleShape& c) {
    out << "<circle cx=\"" << number(c.centre.x) << "\" cy=\"" << number(c.centre.y) << "\" r=\"" << number(c.radius) << "\""
        << paint("fill", c.fill) << "/>\n";
  }
  void operator()(const TextShape& t) {
    static const char* anchors[] = {"start", "middle", "end"};
    const bool rtl = has_arabic(t.text);
    // In a right-to-left run "start" is the right end; swap so the anchor keeps its place.
    const int anchor = rtl && t.anchor != Anchor::Middle ? 2 - int(t.anchor) : int(t.anchor);
    out << "<text x=\"" << number(t.at.x) << "\" y=\"" << number(t.at.y) << "\" font-size=\"" << number(t.size)
        << "\" text-anchor=\"" << anchors[anchor] << "\"" << paint("fill", t.colour);
    if (t.bold) out << " font-weight=\"bold\"";
    if (rtl) out << " direction=\"rtl\" unicode-bidi=\"embed\"";
    if (t.vertical) out << " transform=\"rotate(-90 " << number(t.at.x) << " " << number(t.at.y) << ")\"";
    out << ">" << xml_escape(t.text) << "</text>\n";
  }
};

}  // namespace

std::string xml_escape(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size();) {
    size_t length = 1;
    const char32_t code = util::decode_checked(text, i, length);
    if (code == util::kInvalidCodePoint || (code < 0x20 && code != '\t' && code != '\n')) {
      out += "\xEF\xBF\xBD";
    } else if (code == '&') {
      out += "&amp;";
    } else if (code == '<') {
      out += "&lt;";
    } else if (code == '>') {
      out += "&gt;";
    } else if (code == '"') {
      out += "&quot;";
    } else {
      out.append(text, i, length);
    }
    i += length;
  }
  return out;
}

bool has_arabic(const std::string& text) {
  for (size_t i = 0; i < text.size();) {
    size_t length = 1;
    const char32_t c = util::decode_checked(text, i, length);
    if ((c >= 0x0600 && c <= 0x06FF) || (c >= 0x0750 && c <= 0x077F) || (c >= 0x08A0 && c <= 0x08FF) ||
        (c >= 0xFB50 && c <= 0xFDFF) || (c >= 0xFE70 && c <= 0xFEFF))
      return true;
    i += length;
  }
  return false;
}

std::string svg(const Figure& figure) {
  Writer writer;
  writer.out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
             << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << number(figure.width) << "\" height=\""
             << number(figure.height) << "\" viewBox=\"0 0 " << number(figure.width) << " " << number(figure.height)
             << "\" font-family=\"DejaVu Sans, Noto Sans Arabic, sans-serif\">\n";
  for (const Shape& shape : figure.shapes) std::visit(writer, shape);
  writer.out << "</svg>\n";
  return writer.out.str();
}

}  // namespace loupe::report
