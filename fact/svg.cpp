// SVG text helpers for the plots of fact/plot.hpp: see svg.hpp. Coordinates are written rounded to 0.1 px
// to keep files small.
#include "fact/svg.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace fact::detail {

std::string xml_escape(const std::string& s) {
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            default: out += c;
        }
    }
    return out;
}

std::string px(double v) {
    const double r = std::round(v * 10) / 10;
    return fmt::format("{:g}", r == 0 ? 0.0 : r);  // no "-0"
}

std::string svg_open(double width, double height) {
    return fmt::format(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
        "font-family=\"sans-serif\">\n<rect class=\"background\" width=\"{0}\" height=\"{1}\" fill=\"white\"/>\n",
        px(width), px(height));
}

std::string text(double x, double y, const std::string& s, const char* anchor, int font_size,
                 const std::string& extra) {
    return fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"{}\" font-size=\"{}\"{}>{}</text>\n", px(x), px(y),
                       anchor, font_size, extra, xml_escape(s));
}

std::size_t glyphs(const std::string& s) {
    std::size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
}

double text_width(const std::string& s, int font_size) { return 0.6 * font_size * double(glyphs(s)); }

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t end = std::min(text.find('\n', start), text.size());
        if (end > start) out.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

std::string caption_svg(const std::vector<std::string>& lines, double x, double y) {
    if (lines.empty()) return "";
    std::string svg = "<g class=\"caption\" fill=\"#333\">\n";
    for (std::size_t k = 0; k < lines.size(); ++k) svg += text(x, y + caption_line * double(k), lines[k], "start", 12);
    return svg + "</g>\n";
}

double widest(const std::vector<std::string>& lines, int font_size) {
    double w = 0;
    for (const std::string& l : lines) w = std::max(w, text_width(l, font_size));
    return w;
}

}  // namespace fact::detail
