// The pictures of `nmtx compare`: line charts of learning curves (every variant on one
// chart) and bar charts (BLEU by source length) drawn as SVG, and report.html putting the table, the charts and every variant's
// heatmaps of the same sentences side by side.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace nmtx {

struct Series {
  std::string name;
  std::vector<std::pair<double, double>> points;  // (x, y), x ascending
  // Optional: (lower, upper) at each point, drawn as a shaded band (a variant over seeds).
  std::vector<std::pair<double, double>> band;
};

// A line chart with axes, ticks and a legend; y on a log scale when log_y (values > 0).
std::string line_chart_svg(const std::string& title, const std::string& x_label, const std::string& y_label,
                           const std::vector<Series>& series, bool log_y = false);

// Grouped bars: for each category (x), one bar per series; NaN values are left out.
struct BarSeries {
  std::string name;
  std::vector<double> values;  // one per category
};
std::string bar_chart_svg(const std::string& title, const std::string& x_label, const std::string& y_label,
                          const std::vector<std::string>& categories, const std::vector<BarSeries>& series);

struct HeatmapRow {
  std::string caption;                                     // e.g. "test sentence 3: <source>"
  std::vector<std::pair<std::string, std::string>> cells;  // (variant, heatmap SVG document)
};

std::string compare_report_html(const std::string& title, const std::string& intro_html, const std::string& table_html,
                                const std::vector<std::string>& charts, const std::vector<HeatmapRow>& heatmaps);

// A static page as report.html's: a title, then sections (a heading and its HTML), with its
// styles (tables, charts side by side, rows of heatmaps). nmtx report's page for one run.
struct ReportSection {
  std::string heading, html;
};
std::string report_page_html(const std::string& title, const std::vector<ReportSection>& sections);
std::string charts_html(const std::vector<std::string>& charts);      // side by side, wrapping
std::string heatmap_rows_html(const std::vector<HeatmapRow>& rows);   // each row: its caption, then its cells
std::string html_escape(const std::string& text);

}  // namespace nmtx
