/// \file
/// A small SVG plotting module, written by the project (no plotting dependency), readable in any browser:
/// heatmaps with a shared colour scale and a colour bar, and line charts with axes, ticks and a legend; a
/// series drawn with markers instead of lines makes a line chart a scatter plot (a fitted line beside it).
/// Files are written atomically (data::write_file).
#pragma once

#include <string>
#include <vector>

#include "fact/linalg.hpp"

namespace fact {

/// One panel of heatmaps_svg.
struct Heatmap {
    std::string title;   ///< shown above the panel (e.g. "FACT (pearson 0.998)")
    Matrix values;       ///< (rows, cols), one cell per entry
};

/// Panels side by side with one diverging colour scale symmetric about 0 ([−m, m], m = the largest finite
/// |entry| over all panels; NaN cells grey, ±inf at the ends of the scale) and a colour bar. Returns the
/// SVG text. O(Σ rows·cols) cells.
std::string heatmaps_svg(const std::vector<Heatmap>& panels, const std::string& title);

/// One series of a LineChart.
struct Series {
    std::string name;                 ///< legend entry
    ///@{
    std::vector<double> x, y;         ///< same length; NaN y values leave a gap
    ///@}
    bool markers = false;             ///< a dot at every drawable point and no lines (a scatter)
};

/// A line chart (or scatter plot) for line_chart_svg.
struct LineChart {
    ///@{
    std::string title, x_label, y_label;  ///< the chart's title and the axis labels
    ///@}
    std::vector<Series> series;       ///< drawn in order, one legend entry each
    bool log_y = false;               ///< log10 axis (non-positive values leave a gap, like NaN)
};

/// A line chart with "nice" ticks (1, 2, 5 × 10^k), axis labels and a legend. Returns the SVG text.
/// A series with markers is drawn as semi-transparent dots (its legend key a dot), so a scatter plot with
/// its least-squares line is one marker series plus a two-point line series.
/// Throws ad::ShapeError if a series' x and y lengths differ.
std::string line_chart_svg(const LineChart& chart);

/// Write svg text to path atomically. \throws data::DataError if it cannot be written.
void write_svg(const std::string& path, const std::string& svg);

}  // namespace fact
