// SVG text helpers shared by the heatmaps (heatmap.cpp) and line charts (plot.cpp) of fact/plot.hpp:
// escaping, pixel coordinates, <text> and caption elements, and rough text widths for layout.
// Internal to the fact library (not installed); fact/plot.hpp is the public header.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace fact::detail {

// Layout shared by both kinds of figure, in px.
constexpr double margin = 20;        // around a figure
constexpr double title_y = 28;       // baseline of a figure's or chart's title
constexpr double caption_line = 17;  // between caption lines (font 12)

/// Titles, labels and names go into element text and attribute values: escape the XML specials.
std::string xml_escape(const std::string& s);

/// A pixel coordinate, rounded to 0.1 and written without trailing zeros: "70", "123.5".
std::string px(double v);

/// The opening <svg> tag of a width × height picture and its white background.
std::string svg_open(double width, double height);

/// <text> at (x, y); anchor is start, middle or end.
std::string text(double x, double y, const std::string& s, const char* anchor, int font_size,
                 const std::string& extra = "");

/// The number of characters of UTF-8 text (continuation bytes do not count): "‖∇L_λ‖" is 6 wide, not 12.
std::size_t glyphs(const std::string& s);

/// Rough width of a string in a sans-serif font (for layout only: legend, title and caption room).
double text_width(const std::string& s, int font_size);

/// Caption text split at '\n'; empty lines are kept out.
std::vector<std::string> lines_of(const std::string& text);

/// Caption lines from (x, y) down, left-aligned, in a group of class "caption".
std::string caption_svg(const std::vector<std::string>& lines, double x, double y);

/// The rough width of the widest of lines.
double widest(const std::vector<std::string>& lines, int font_size);

}  // namespace fact::detail
