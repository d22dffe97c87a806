// Heatmaps of fact/plot.hpp: matrices drawn cell by cell on a diverging colour scale (ColorBrewer RdBu,
// symmetric about 0), per panel or shared, with their colour bars. Sizes are fixed in pixels; the SVG text
// helpers are in svg.hpp.
#include "fact/plot.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>

#include <fmt/format.h>

#include "fact/svg.hpp"

namespace fact {
namespace {

using namespace detail;  // the SVG text helpers of fact/svg.hpp

// ---- diverging colour scale -------------------------------------------------------------------------

struct Rgb {
    int r, g, b;
};

// ColorBrewer RdBu (9 classes), from −m (blue) through 0 (#f7f7f7) to +m (red). Its classes are spaced
// evenly in perceived lightness, so interpolating linearly between neighbouring classes stays even.
constexpr std::array<Rgb, 9> rdbu = {{{0x21, 0x66, 0xac}, {0x43, 0x93, 0xc3}, {0x92, 0xc5, 0xde},
                                      {0xd1, 0xe5, 0xf0}, {0xf7, 0xf7, 0xf7}, {0xfd, 0xdb, 0xc7},
                                      {0xf4, 0xa5, 0x82}, {0xd6, 0x60, 0x4d}, {0xb2, 0x18, 0x2b}}};
constexpr const char* nan_grey = "#999999";

std::string hex(Rgb c) { return fmt::format("#{:02x}{:02x}{:02x}", c.r, c.g, c.b); }

/// The colour of v on the scale [−m, m]: NaN grey, m = 0 white, values beyond ±m (±inf) clamped.
std::string diverging_colour(double v, double m) {
    if (std::isnan(v)) return nan_grey;
    const double t = m > 0 ? std::clamp(v / m, -1.0, 1.0) : 0.0;  // in [−1, 1]
    const double pos = (t + 1) / 2 * double(rdbu.size() - 1);      // in [0, 8]; 0 ↦ class 4 exactly
    const std::size_t i = std::min(std::size_t(pos), rdbu.size() - 2);
    const double f = pos - double(i);
    auto mix = [f](int a, int b) { return int(std::lround(a + f * (b - a))); };
    const Rgb a = rdbu[i], b = rdbu[i + 1];
    return hex({mix(a.r, b.r), mix(a.g, b.g), mix(a.b, b.b)});
}

/// A colour-bar label: 3 significant digits are plenty to read a colour against.
std::string bar_label(double v) { return fmt::format("{:.3g}", v == 0 ? 0.0 : v); }

// ---- heatmaps ---------------------------------------------------------------------------------------

constexpr double panel_px = 240, panel_gap = 30, bar_w = 16;
constexpr double panel_title_y = 58, image_top = 70;
constexpr double hbar_gap = 10, hbar_h = 10;  // a panel's own colour bar: this far under the panel, this tall

/// One panel: its title, then the cells in a group scaled so that one cell is 1×1 (a rows×cols matrix
/// fills a panel_px square along its longer side), then a thin frame.
std::string heatmap_panel(const Heatmap& panel, double left, double m) {
    const std::size_t rows = panel.values.shape(0), cols = panel.values.shape(1);
    std::string svg = "<g class=\"panel\">\n";
    svg += text(left + panel_px / 2, panel_title_y, panel.title, "middle", 13);
    if (rows == 0 || cols == 0) return svg + "</g>\n";

    const double cell = panel_px / double(std::max(rows, cols));
    const double x0 = left + (panel_px - cell * double(cols)) / 2;
    svg += fmt::format("<g class=\"cells\" transform=\"translate({},{}) scale({:.6g})\" "
                       "shape-rendering=\"crispEdges\">\n",
                       px(x0), px(image_top), cell);
    for (std::size_t i = 0; i < rows; ++i) {
        for (std::size_t j = 0; j < cols; ++j)
            svg += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"1\" height=\"1\" fill=\"{}\"/>", j, i,
                               diverging_colour(panel.values(i, j), m));
        svg += '\n';
    }
    svg += "</g>\n";
    svg += fmt::format("<rect class=\"frame\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" "
                       "stroke=\"#444\" stroke-width=\"0.5\"/>\n</g>\n",
                       px(x0), px(image_top), px(cell * double(cols)), px(cell * double(rows)));
    return svg;
}

/// The gradients through the RdBu classes: "rdbu" from bottom (−m) to top (+m), "rdbu-h" from left to right.
std::string gradients() {
    std::string stops;
    for (std::size_t k = 0; k < rdbu.size(); ++k)
        stops += fmt::format("<stop offset=\"{:g}\" stop-color=\"{}\"/>", double(k) / double(rdbu.size() - 1),
                             hex(rdbu[k]));
    return "<defs><linearGradient id=\"rdbu\" x1=\"0\" y1=\"1\" x2=\"0\" y2=\"0\">" + stops +
           "</linearGradient><linearGradient id=\"rdbu-h\" x1=\"0\" y1=\"0\" x2=\"1\" y2=\"0\">" + stops +
           "</linearGradient></defs>\n";
}

/// A panel's own colour bar, under it: [left, left + panel_px] at height y, ticks at −m, 0, m (five labels of
/// 3 significant digits would run into each other over a panel's width).
std::string panel_colour_bar(double left, double y, double m) {
    std::string svg = fmt::format("<rect class=\"colorbar\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" "
                                  "fill=\"url(#rdbu-h)\" stroke=\"#444\" stroke-width=\"0.5\"/>\n",
                                  px(left), px(y), px(panel_px), px(hbar_h));
    svg += "<g class=\"colorbar-ticks\">\n";
    for (int k = -1; k <= 1; ++k) {
        if (m == 0 && k != 0) continue;  // a zero scale has a single tick, 0
        const double x = left + panel_px * (k + 1) / 2;
        svg += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"#444\"/>\n", px(x),
                           px(y + hbar_h), px(y + hbar_h + 4));
        svg += text(x, y + hbar_h + 16, bar_label(m * k), k == -1 ? "start" : k == 1 ? "end" : "middle", 11);
    }
    return svg + "</g>\n";
}

/// The shared colour bar at x = left: ticks at −m, −m/2, 0, m/2, m from the bottom up.
std::string colour_bar(double left, double m) {
    std::string svg = fmt::format("<rect class=\"colorbar\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"url(#rdbu)\" "
                       "stroke=\"#444\" stroke-width=\"0.5\"/>\n",
                       px(left), px(image_top), px(bar_w), px(panel_px));
    svg += "<g class=\"colorbar-ticks\">\n";
    for (int k = -2; k <= 2; ++k) {
        if (m == 0 && k != 0) continue;  // a zero scale has a single tick, 0
        const double y = image_top + panel_px * (2 - k) / 4;
        svg += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#444\"/>\n", px(left + bar_w),
                           px(y), px(left + bar_w + 4), px(y));
        svg += text(left + bar_w + 7, y + 4, bar_label(m * k / 2), "start", 11);
    }
    return svg + "</g>\n";
}

}  // namespace

/// The largest finite |entry| of a matrix (0 for none): NaN is drawn grey and ±inf clamps to the ends.
double largest_finite(const Matrix& values) {
    double m = 0;
    for (double v : values)
        if (std::isfinite(v)) m = std::max(m, std::abs(v));
    return m;
}

std::string heatmaps_svg(const std::vector<Heatmap>& panels, const std::string& title, ColourScale scale,
                         const std::string& caption) {
    const bool own = scale == ColourScale::per_panel;
    double shared_m = 0;
    for (const Heatmap& p : panels) shared_m = std::max(shared_m, largest_finite(p.values));

    std::vector<std::string> notes = {
        own ? "Colour: each panel on its own scale, blue −m to red +m with m = that panel's largest |entry| "
              "(its bar under it); white = 0"
            : "Colour: one scale for all panels, blue −m to red +m with m = the largest |entry| of any panel; white = 0"};
    for (const std::string& l : lines_of(caption)) notes.push_back(l);

    const double panels_right = margin + double(panels.size()) * (panel_px + panel_gap);
    const double bar_left = panels_right;
    const double images_bottom = image_top + panel_px + (own ? hbar_gap + hbar_h + 20 : 0);
    const double caption_top = images_bottom + 22;
    const double width = std::max({own ? panels_right - panel_gap + margin : bar_left + bar_w + 70 + margin,
                                   text_width(title, 16) + 2 * margin, widest(notes, 12) + 2 * margin});
    const double height = caption_top + caption_line * double(notes.size() - 1) + margin;

    std::string svg = svg_open(width, height);
    svg += gradients();
    svg += text(width / 2, title_y, title, "middle", 16, " font-weight=\"bold\"");
    for (std::size_t i = 0; i < panels.size(); ++i) {
        const double left = margin + double(i) * (panel_px + panel_gap);
        const double m = own ? largest_finite(panels[i].values) : shared_m;
        std::string panel = heatmap_panel(panels[i], left, m);
        if (own) {  // the bar goes inside the panel's group, before its closing tag
            panel.resize(panel.size() - std::string("</g>\n").size());
            panel += panel_colour_bar(left, image_top + panel_px + hbar_gap, m) + "</g>\n";
        }
        svg += panel;
    }
    if (!own) svg += colour_bar(bar_left, shared_m);
    svg += caption_svg(notes, margin, caption_top);
    return svg + "</svg>\n";
}

}  // namespace fact
