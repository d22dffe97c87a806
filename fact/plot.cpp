// SVG text for the plots of fact/plot.hpp, built with fmt::format into one std::string: heatmaps on a
// diverging colour scale (per panel or shared), and line charts (or scatters: series with markers) with
// "nice" ticks, alone or several in one figure. Sizes are
// fixed in pixels; the viewBox lets a viewer scale the picture. Coordinates are written rounded to 0.1 px
// to keep files small.
#include "fact/plot.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <utility>

#include <fmt/format.h>

#include "autodiff/error.hpp"
#include "data/files.hpp"

namespace fact {
namespace {

// ---- text -------------------------------------------------------------------------------------------

/// Titles, labels and names go into element text and attribute values: escape the XML specials.
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

/// A pixel coordinate, rounded to 0.1 and written without trailing zeros: "70", "123.5".
std::string px(double v) {
    const double r = std::round(v * 10) / 10;
    return fmt::format("{:g}", r == 0 ? 0.0 : r);  // no "-0"
}

/// A colour-bar label: 3 significant digits are plenty to read a colour against.
std::string bar_label(double v) { return fmt::format("{:.3g}", v == 0 ? 0.0 : v); }

std::string svg_open(double width, double height) {
    return fmt::format(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
        "font-family=\"sans-serif\">\n<rect class=\"background\" width=\"{0}\" height=\"{1}\" fill=\"white\"/>\n",
        px(width), px(height));
}

/// <text> at (x, y); anchor is start, middle or end.
std::string text(double x, double y, const std::string& s, const char* anchor, int font_size,
                 const std::string& extra = "") {
    return fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"{}\" font-size=\"{}\"{}>{}</text>\n", px(x), px(y),
                       anchor, font_size, extra, xml_escape(s));
}

/// The number of characters of UTF-8 text (continuation bytes do not count): "‖∇L_λ‖" is 6 wide, not 12.
std::size_t glyphs(const std::string& s) {
    std::size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
}

/// Rough width of a string in a sans-serif font (for layout only: legend, title and caption room).
double text_width(const std::string& s, int font_size) { return 0.6 * font_size * double(glyphs(s)); }

/// Caption text split at '\n'; empty lines are kept out.
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

constexpr double caption_line = 17;  // px between caption lines (font 12)

/// Caption lines from (x, y) down, left-aligned, in a group of class "caption".
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

// ---- heatmaps ---------------------------------------------------------------------------------------

constexpr double margin = 20, panel_px = 240, panel_gap = 30, bar_w = 16;
constexpr double title_y = 28, panel_title_y = 58, image_top = 70;
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

// ---- line-chart axes --------------------------------------------------------------------------------

/// An axis from lo to hi (in log10 units when log) whose ends are its first and last tick.
struct Axis {
    double lo, hi;
    std::vector<double> ticks;  // data values (powers of ten when log)
    bool log;
    int digits;  // significant digits of the tick labels: at least 6, more when the step needs them

    std::string label(double v) const { return fmt::format("{:.{}g}", v == 0 ? 0.0 : v, digits); }

    /// Position of data value v along [px_lo, px_hi].
    double to_px(double v, double px_lo, double px_hi) const {
        const double t = log ? std::log10(v) : v;
        return px_lo + (t - lo) / (hi - lo) * (px_hi - px_lo);
    }
};

// Ratios within 1e-9 of an integer count as that integer (0.3 / 0.1 = 2.9999999999999996).
constexpr double snap = 1e-9;

/// Ticks at multiples of a step 1, 2 or 5 × 10^k, the step chosen so that the ticks covering [lo, hi]
/// number closest to 6 (in practice 4 to 8). lo > hi (no data) gives [0, 1]; lo = hi is widened by 10%
/// (by 1 around 0). integer: the data are whole numbers (epochs, iterations, layers), so no step below 1
/// when the range spans at least 2 (0, 1, 2 rather than a tick at layer 0.5).
Axis linear_axis(double lo, double hi, bool integer = false) {
    if (lo > hi) lo = 0, hi = 1;
    if (lo == hi) {
        const double d = lo == 0 ? 1 : std::abs(lo) / 10;
        lo -= d, hi += d;
    }
    const int k0 = int(std::floor(std::log10(hi - lo)));
    double step = 0, first = 0, last = 0;
    for (int k = k0 - 1; k <= k0 + 1; ++k) {
        for (double f : {1.0, 2.0, 5.0}) {
            const double s = f * std::pow(10.0, k);
            if (integer && s < 1 && hi - lo >= 2) continue;
            const double a = std::floor(lo / s + snap), b = std::ceil(hi / s - snap);
            // Steps ascend, so a tie keeps the smaller step (8 ticks rather than 4).
            if (step == 0 || std::abs(b - a + 1 - 6) < std::abs(last - first + 1 - 6))
                step = s, first = a, last = b;
        }
    }
    // 1000.5 to 1001.3 in steps of 0.1 needs 5 digits to tell the ticks apart.
    const double largest = std::max(std::abs(first), std::abs(last)) * step;
    const int digits = std::max(6, int(std::floor(std::log10(largest)) - std::floor(std::log10(step))) + 1);
    Axis axis{first * step, last * step, {}, false, digits};
    for (double i = first; i <= last; ++i) axis.ticks.push_back(i * step);
    return axis;
}

/// Decade ticks covering the positive range [lo, hi] (every n-th decade so that there are at most 8).
/// lo > hi (no positive data) gives 1 to 10.
Axis log_axis(double lo, double hi) {
    double a = 0, b = 1;
    if (lo <= hi) {
        a = std::floor(std::log10(lo) + snap), b = std::ceil(std::log10(hi) - snap);
        if (a == b) b = a + 1;
    }
    const double every = std::ceil((b - a) / 7);
    Axis axis{a, a, {}, true, 6};
    for (double d = a;; d += every) {
        axis.ticks.push_back(std::pow(10.0, d));
        axis.hi = d;
        if (d >= b) break;
    }
    return axis;
}

bool drawable(double x, double y, bool log_y) { return std::isfinite(x) && std::isfinite(y) && (!log_y || y > 0); }

// tab10, matplotlib's default cycle.
constexpr std::array<const char*, 10> palette = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                                 "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

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

namespace {

/// A chart drawn at the origin: its SVG elements and the size they take.
struct DrawnChart {
    std::string body;
    double width, height;
};

DrawnChart draw_chart(const LineChart& chart) {
    // Data range over the points that will be drawn.
    double x_lo = INFINITY, x_hi = -INFINITY, y_lo = INFINITY, y_hi = -INFINITY;
    std::size_t longest_name = 0;
    for (const Series& s : chart.series) {
        if (s.x.size() != s.y.size())
            throw ad::ShapeError(fmt::format("line_chart_svg: series \"{}\": {} x values but {} y values", s.name,
                                             s.x.size(), s.y.size()));
        longest_name = std::max(longest_name, s.name.size());
        for (std::size_t i = 0; i < s.x.size(); ++i) {
            if (!drawable(s.x[i], s.y[i], chart.log_y)) continue;
            x_lo = std::min(x_lo, s.x[i]), x_hi = std::max(x_hi, s.x[i]);
            y_lo = std::min(y_lo, s.y[i]), y_hi = std::max(y_hi, s.y[i]);
        }
    }
    bool integer_x = true;
    for (const Series& s : chart.series)
        for (std::size_t i = 0; i < s.x.size(); ++i)
            if (drawable(s.x[i], s.y[i], chart.log_y) && s.x[i] != std::round(s.x[i])) integer_x = false;
    const Axis xa = linear_axis(x_lo, x_hi, integer_x);
    const Axis ya = chart.log_y ? log_axis(y_lo, y_hi) : linear_axis(y_lo, y_hi);

    // Plot area [L, R] × [T, B]; the legend sits to its right and widens the picture for long names.
    // Caption lines, if any, under the x-axis label.
    constexpr double L = 70, R = 470, T = 50, B = 340;
    const std::vector<std::string> notes = lines_of(chart.caption);
    const double height = 400 + (notes.empty() ? 0 : caption_line * double(notes.size()) + 4);
    const double legend_w = std::max(145.0, 50 + text_width(std::string(longest_name, 'x'), 12));
    const double width = std::max({R + 15 + legend_w + 10, text_width(chart.title, 16) + 40, L + widest(notes, 12) + 20});

    std::string svg;
    svg += text(width / 2, title_y, chart.title, "middle", 16, " font-weight=\"bold\"");

    // Grid, ticks and tick labels.
    std::string grid = "<g class=\"grid\" stroke=\"#e6e6e6\">\n";
    std::string x_ticks = "<g class=\"x-ticks\">\n", y_ticks = "<g class=\"y-ticks\">\n";
    for (double t : xa.ticks) {
        const double x = xa.to_px(t, L, R);
        grid += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\"/>\n", px(x), px(T), px(B));
        x_ticks += text(x, B + 17, xa.label(t), "middle", 11);
    }
    for (double t : ya.ticks) {
        const double y = ya.to_px(t, B, T);
        grid += fmt::format("<line x1=\"{1}\" y1=\"{0}\" x2=\"{2}\" y2=\"{0}\"/>\n", px(y), px(L), px(R));
        y_ticks += text(L - 6, y + 4, ya.label(t), "end", 11);
    }
    svg += grid + "</g>\n" + x_ticks + "</g>\n" + y_ticks + "</g>\n";
    svg += fmt::format("<rect class=\"axes\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" "
                       "stroke=\"#333\"/>\n",
                       px(L), px(T), px(R - L), px(B - T));
    svg += text((L + R) / 2, B + 42, chart.x_label, "middle", 13, " class=\"x-label\"");
    svg += text(18, (T + B) / 2, chart.y_label, "middle", 13,
                fmt::format(" class=\"y-label\" transform=\"rotate(-90 18 {})\"", px((T + B) / 2)));
    svg += caption_svg(notes, L, 400);

    // Series: one polyline per run of drawable points, a run of one point a dot; or, with markers, a
    // semi-transparent dot per point (overlapping dots of a dense scatter read as darker).
    for (std::size_t k = 0; k < chart.series.size(); ++k) {
        const Series& s = chart.series[k];
        const char* colour = palette[k % palette.size()];
        if (s.markers) {
            svg += fmt::format("<g class=\"series\" fill=\"{}\" fill-opacity=\"0.45\" stroke=\"none\">\n", colour);
            for (std::size_t i = 0; i < s.x.size(); ++i)
                if (drawable(s.x[i], s.y[i], chart.log_y))
                    svg += fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"2\"/>\n", px(xa.to_px(s.x[i], L, R)),
                                       px(ya.to_px(s.y[i], B, T)));
            svg += "</g>\n";
            continue;
        }
        svg += fmt::format("<g class=\"series\" fill=\"none\" stroke=\"{}\" stroke-width=\"1.5\" "
                           "stroke-linejoin=\"round\">\n", colour);
        std::vector<std::pair<std::string, std::string>> run;  // pixel (x, y) of the current run
        auto flush = [&] {
            if (run.size() == 1)
                svg += fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"2.5\" fill=\"{}\" stroke=\"none\"/>\n",
                                   run[0].first, run[0].second, colour);
            if (run.size() >= 2) {
                svg += "<polyline points=\"";
                for (std::size_t i = 0; i < run.size(); ++i)
                    svg += fmt::format("{}{},{}", i == 0 ? "" : " ", run[i].first, run[i].second);
                svg += "\"/>\n";
            }
            run.clear();
        };
        for (std::size_t i = 0; i < s.x.size(); ++i) {
            if (drawable(s.x[i], s.y[i], chart.log_y))
                run.emplace_back(px(xa.to_px(s.x[i], L, R)), px(ya.to_px(s.y[i], B, T)));
            else
                flush();
        }
        flush();
        svg += "</g>\n";
    }

    // Legend: a short line in the series colour and its name, one entry per series.
    if (!chart.series.empty()) {
        const double lx = R + 15, ly = T;
        svg += fmt::format("<g class=\"legend\">\n<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"white\" "
                           "stroke=\"#999\"/>\n",
                           px(lx), px(ly), px(legend_w), px(10 + 20 * double(chart.series.size())));
        for (std::size_t k = 0; k < chart.series.size(); ++k) {
            const double y = ly + 15 + 20 * double(k);
            const char* colour = palette[k % palette.size()];
            if (chart.series[k].markers)
                svg += fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"3\" fill=\"{}\"/>\n", px(lx + 20), px(y), colour);
            else
                svg += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" stroke-width=\"2\"/>\n",
                                   px(lx + 8), px(y), px(lx + 32), px(y), colour);
            svg += text(lx + 40, y + 4, chart.series[k].name, "start", 12);
        }
        svg += "</g>\n";
    }
    return {svg, width, height};
}

}  // namespace

std::string line_chart_svg(const LineChart& chart) {
    const DrawnChart d = draw_chart(chart);
    return svg_open(d.width, d.height) + d.body + "</svg>\n";
}

std::string line_charts_svg(const std::vector<LineChart>& charts, const std::string& title, std::size_t columns) {
    if (columns == 0) columns = std::max<std::size_t>(charts.size(), 1);
    std::vector<DrawnChart> drawn;
    for (const LineChart& c : charts) drawn.push_back(draw_chart(c));
    // Rows of `columns` charts; a row is as tall as its tallest chart, the figure as wide as its widest row.
    constexpr double top = 40;  // room for the common title
    std::string body;
    double y = top, width = text_width(title, 17) + 2 * margin;
    for (std::size_t first = 0; first < drawn.size(); first += columns) {
        double x = 0, row_height = 0;
        for (std::size_t k = first; k < std::min(drawn.size(), first + columns); ++k) {
            body += fmt::format("<g class=\"chart\" transform=\"translate({},{})\">\n", px(x), px(y)) + drawn[k].body +
                    "</g>\n";
            x += drawn[k].width;
            row_height = std::max(row_height, drawn[k].height);
        }
        width = std::max(width, x);
        y += row_height;
    }
    std::string svg = svg_open(width, y);
    svg += text(width / 2, 26, title, "middle", 17, " font-weight=\"bold\"");
    return svg + body + "</svg>\n";
}

void write_svg(const std::string& path, const std::string& svg) { data::write_file(path, svg); }

}  // namespace fact
