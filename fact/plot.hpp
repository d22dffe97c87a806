/// \file
/// A small SVG plotting module, written by the project (no plotting dependency), readable in any browser:
/// heatmaps with a colour bar per panel (or one shared scale), and line charts with axes, axis labels,
/// ticks and a legend, alone or several in one figure; a series drawn with markers instead of lines makes a
/// line chart a scatter plot (a fitted line beside it). Files are written atomically (data::write_file).
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

/// How heatmaps_svg maps entries to colours: a diverging scale symmetric about 0, [−m, m] (blue, white at
/// 0, red), NaN cells grey, ±inf and anything beyond ±m at the ends of the scale.
enum class ColourScale {
    /// Each panel on its own scale, m = its own largest finite |entry|, with its own colour bar under it.
    /// The default: the matrices compared here (WᵀW, FACT, AGOP^½, feature matrices) are compared up to
    /// scale (Pearson), and a proportional matrix on a shared scale would be a blank panel.
    per_panel,
    /// One scale for all panels, m = the largest finite |entry| over all of them, one colour bar on the right.
    shared,
};

/// Panels side by side, each a matrix drawn cell by cell, on the colour scale chosen; a caption under the
/// panels says which (and then any caption lines given, '\n' separating lines). Returns the SVG text.
/// O(Σ rows·cols) cells.
std::string heatmaps_svg(const std::vector<Heatmap>& panels, const std::string& title,
                         ColourScale scale = ColourScale::per_panel, const std::string& caption = "");

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
    std::string caption = "";         ///< text under the chart (definitions, what a line means); '\n' breaks lines
};

/// A line chart with "nice" ticks (1, 2, 5 × 10^k), axis labels and a legend. Returns the SVG text.
/// A series with markers is drawn as semi-transparent dots (its legend key a dot), so a scatter plot with
/// its least-squares line is one marker series plus a two-point line series.
/// Throws ad::ShapeError if a series' x and y lengths differ.
std::string line_chart_svg(const LineChart& chart);

/// Several line charts in one figure under a common title, `columns` charts per row (0: all in one row).
/// Each chart is drawn as by line_chart_svg. Throws ad::ShapeError as line_chart_svg does.
std::string line_charts_svg(const std::vector<LineChart>& charts, const std::string& title, std::size_t columns = 0);

/// Write svg text to path atomically. \throws data::DataError if it cannot be written.
void write_svg(const std::string& path, const std::string& svg);

}  // namespace fact
