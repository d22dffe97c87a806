// Line charts of fact/plot.hpp (or scatters: series with markers) with "nice" ticks, alone or several in
// one figure, and write_svg; the heatmaps are in heatmap.cpp, the SVG text helpers in svg.hpp. Sizes are
// fixed in pixels; the viewBox lets a viewer scale the picture.
#include "fact/plot.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <utility>

#include <fmt/format.h>

#include "autodiff/error.hpp"
#include "data/files.hpp"
#include "fact/svg.hpp"

namespace fact {
namespace {

using namespace detail;  // the SVG text helpers of fact/svg.hpp

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
