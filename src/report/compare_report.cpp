#include "nmtx/report/compare_report.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "nmtx/report/run_colours.h"

namespace nmtx {

namespace {

std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '&') out += "&amp;";
    else if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '"') out += "&quot;";
    else out += c;
  }
  return out;
}

// About five round tick values covering [lo, hi].
std::vector<double> ticks(double lo, double hi) {
  const double span = hi - lo > 0 ? hi - lo : 1.0;
  const double raw = span / 5.0, magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  double step = magnitude;
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (m * magnitude >= raw) {
      step = m * magnitude;
      break;
    }
  }
  std::vector<double> out;
  for (double v = std::ceil(lo / step) * step; v <= hi + 1e-9 * step; v += step) out.push_back(v);
  return out;
}

std::string number(double v) {
  if (std::abs(v) < 1e-12) return "0";  // a tick at zero computed as -1e-17 is 0, not "-1.0e-17" or "-0"
  if (std::abs(v) >= 1e5 || std::abs(v) < 1e-2) return fmt::format("{:.1e}", v);
  return fmt::format("{:g}", std::round(v * 1000.0) / 1000.0 + 0.0);
}

}  // namespace

std::string line_chart_svg(const std::string& title, const std::string& x_label, const std::string& y_label,
                           const std::vector<Series>& series, bool log_y) {
  constexpr int width = 560, height = 340, left = 64, right = 150, top = 34, bottom = 46;
  double x_lo = std::numeric_limits<double>::infinity(), x_hi = -x_lo, y_lo = x_lo, y_hi = -x_lo;
  auto y_of = [&](double y) { return log_y ? std::log10(std::max(y, 1e-12)) : y; };
  for (const Series& s : series) {
    for (const auto& [x, y] : s.points) {
      if (!std::isfinite(y)) continue;
      x_lo = std::min(x_lo, x);
      x_hi = std::max(x_hi, x);
      y_lo = std::min(y_lo, y_of(y));
      y_hi = std::max(y_hi, y_of(y));
    }
    for (const auto& [lower, upper] : s.band) {
      if (std::isfinite(lower)) y_lo = std::min(y_lo, y_of(lower));
      if (std::isfinite(upper)) y_hi = std::max(y_hi, y_of(upper));
    }
  }
  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\" "
      "font-family=\"sans-serif\" font-size=\"11\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      "<text x=\"{}\" y=\"18\" font-size=\"14\" font-weight=\"bold\">{}</text>\n",
      width, height, width, height, left, escape(title));
  if (!std::isfinite(x_lo)) return svg + "<text x=\"64\" y=\"80\">no data</text>\n</svg>\n";
  if (x_hi == x_lo) x_hi = x_lo + 1;
  if (y_hi == y_lo) y_hi = y_lo + 1;
  const double pad = 0.05 * (y_hi - y_lo);
  y_lo -= pad;
  y_hi += pad;
  const int plot_w = width - left - right, plot_h = height - top - bottom;
  auto px = [&](double x) { return left + (x - x_lo) / (x_hi - x_lo) * plot_w; };
  auto py = [&](double y) { return top + (1.0 - (y_of(y) - y_lo) / (y_hi - y_lo)) * plot_h; };
  svg += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#888\"/>\n", left, top,
                     plot_w, plot_h);
  for (double t : ticks(x_lo, x_hi)) {
    const double x = px(t);
    svg += fmt::format("<line x1=\"{:.1f}\" y1=\"{}\" x2=\"{:.1f}\" y2=\"{}\" stroke=\"#eee\"/>"
                       "<text x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n",
                       x, top, x, top + plot_h, x, top + plot_h + 14, number(t));
  }
  for (double t : ticks(y_lo, y_hi)) {
    const double value = log_y ? std::pow(10.0, t) : t;
    const double y = top + (1.0 - (t - y_lo) / (y_hi - y_lo)) * plot_h;
    svg += fmt::format("<line x1=\"{}\" y1=\"{:.1f}\" x2=\"{}\" y2=\"{:.1f}\" stroke=\"#eee\"/>"
                       "<text x=\"{}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>\n",
                       left, y, left + plot_w, y, left - 4, y + 4, number(value));
  }
  svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n", left + plot_w / 2, height - 10,
                     escape(x_label));
  svg += fmt::format("<text x=\"14\" y=\"{}\" text-anchor=\"middle\" transform=\"rotate(-90 14 {})\">{}{}</text>\n",
                     top + plot_h / 2, top + plot_h / 2, escape(y_label), log_y ? " (log scale)" : "");
  for (std::size_t k = 0; k < series.size(); ++k) {
    const std::string colour = run_colour(series[k].name);
    const Series& s = series[k];
    if (s.band.size() == s.points.size() && !s.band.empty()) {  // upper edge forwards, lower edge back
      std::string band;
      for (std::size_t i = 0; i < s.points.size(); ++i) {
        band += fmt::format("{}{:.1f},{:.1f}", band.empty() ? "M" : " L", px(s.points[i].first), py(s.band[i].second));
      }
      for (std::size_t i = s.points.size(); i-- > 0;) {
        band += fmt::format(" L{:.1f},{:.1f}", px(s.points[i].first), py(s.band[i].first));
      }
      svg += fmt::format("<path class=\"band\" d=\"{} Z\" fill=\"{}\" fill-opacity=\"0.18\" stroke=\"none\"/>\n", band,
                         colour);
    }
    std::string path;
    for (const auto& [x, y] : series[k].points) {
      if (!std::isfinite(y)) continue;
      path += fmt::format("{}{:.1f},{:.1f}", path.empty() ? "M" : " L", px(x), py(y));
    }
    svg += fmt::format("<path d=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"1.6\"/>\n", path, colour);
    const int ly = top + 8 + static_cast<int>(k) * 16;
    svg += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" stroke-width=\"3\"/>"
                       "<text x=\"{}\" y=\"{}\">{}</text>\n",
                       left + plot_w + 10, ly, left + plot_w + 28, ly, colour, left + plot_w + 32, ly + 4,
                       escape(series[k].name));
  }
  return svg + "</svg>\n";
}

std::string bar_chart_svg(const std::string& title, const std::string& x_label, const std::string& y_label,
                          const std::vector<std::string>& categories, const std::vector<BarSeries>& series) {
  constexpr int height = 340, left = 64, right = 150, top = 34, bottom = 46, bar = 12;
  const int group = std::max(40, bar * static_cast<int>(series.size()) + 16);
  const int plot_w = group * static_cast<int>(categories.size()), plot_h = height - top - bottom;
  const int width = left + plot_w + right;
  double y_hi = 0.0;
  for (const BarSeries& s : series) {
    for (double v : s.values) {
      if (std::isfinite(v)) y_hi = std::max(y_hi, v);
    }
  }
  y_hi = y_hi > 0.0 ? std::ceil(y_hi / 10.0) * 10.0 : 1.0;
  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\" "
      "font-family=\"sans-serif\" font-size=\"12\">\n<text x=\"{}\" y=\"20\" font-weight=\"bold\">{}</text>\n",
      width, height, width, height, left, escape(title));
  svg += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#888\"/>\n", left, top,
                     plot_w, plot_h);
  for (int k = 0; k <= 4; ++k) {
    const double v = y_hi * k / 4.0;
    const double y = top + plot_h - plot_h * k / 4.0;
    svg += fmt::format("<line x1=\"{}\" y1=\"{:.1f}\" x2=\"{}\" y2=\"{:.1f}\" stroke=\"#eee\"/>"
                       "<text x=\"{}\" y=\"{:.1f}\" text-anchor=\"end\">{:g}</text>\n",
                       left, y, left + plot_w, y, left - 4, y + 4, v);
  }
  for (std::size_t c = 0; c < categories.size(); ++c) {
    const int x0 = left + static_cast<int>(c) * group + 8;
    for (std::size_t k = 0; k < series.size(); ++k) {
      const double v = c < series[k].values.size() ? series[k].values[c] : std::nan("");
      if (!std::isfinite(v)) continue;
      const double h = plot_h * v / y_hi;
      svg += fmt::format("<rect class=\"bar\" x=\"{}\" y=\"{:.1f}\" width=\"{}\" height=\"{:.1f}\" fill=\"{}\">"
                         "<title>{}: {} {:.2f}</title></rect>\n",
                         x0 + static_cast<int>(k) * bar, top + plot_h - h, bar - 1, h,
                         run_colour(series[k].name), escape(series[k].name),
                         escape(categories[c]), v);
    }
    svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n", left + static_cast<int>(c) * group + group / 2,
                       top + plot_h + 16, escape(categories[c]));
  }
  svg += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n", left + plot_w / 2, height - 10,
                     escape(x_label));
  svg += fmt::format("<text x=\"14\" y=\"{}\" text-anchor=\"middle\" transform=\"rotate(-90 14 {})\">{}</text>\n",
                     top + plot_h / 2, top + plot_h / 2, escape(y_label));
  for (std::size_t k = 0; k < series.size(); ++k) {
    const int ly = top + 8 + static_cast<int>(k) * 16;
    svg += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"14\" height=\"10\" fill=\"{}\"/><text x=\"{}\" y=\"{}\">{}</text>\n",
                       left + plot_w + 10, ly - 5, run_colour(series[k].name), left + plot_w + 30,
                       ly + 4, escape(series[k].name));
  }
  return svg + "</svg>\n";
}

namespace {

const char* kStyle =
    "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
    "td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#f4f4f4}"
    "td:first-child{text-align:left}.charts,.row{display:flex;flex-wrap:wrap;gap:12px}"
    ".row{flex-wrap:nowrap;overflow-x:auto}figure{margin:0}figcaption{font-weight:bold;margin-bottom:4px}"
    "</style>\n";

}  // namespace

std::string html_escape(const std::string& text) { return escape(text); }

std::string charts_html(const std::vector<std::string>& charts) {
  std::string html = "<div class=\"charts\">\n";
  for (const std::string& c : charts) html += c;
  return html + "</div>\n";
}

std::string heatmap_rows_html(const std::vector<HeatmapRow>& rows) {
  std::string html;
  for (const HeatmapRow& row : rows) {
    html += "<h3>" + escape(row.caption) + "</h3>\n<div class=\"row\">\n";
    for (const auto& [name, svg] : row.cells) {
      html += "<figure class=\"heatmap\"><figcaption>" + escape(name) + "</figcaption>\n" + svg + "</figure>\n";
    }
    html += "</div>\n";
  }
  return html;
}

std::string report_page_html(const std::string& title, const std::vector<ReportSection>& sections) {
  std::string html = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + escape(title) +
                     "</title>\n" + kStyle + "</head><body>\n<h1>" + escape(title) + "</h1>\n";
  for (const ReportSection& s : sections) {
    if (!s.heading.empty()) html += "<h2>" + escape(s.heading) + "</h2>\n";
    html += s.html;
  }
  return html + "</body></html>\n";
}

std::string compare_report_html(const std::string& title, const std::string& intro_html, const std::string& table_html,
                                const std::vector<std::string>& charts, const std::vector<HeatmapRow>& heatmaps) {
  return report_page_html(
      title, {{"", intro_html + "\n"},
              {"Results", table_html + "\n"},
              {"Learning curves; BLEU by source length", charts_html(charts)},
              {"Attention, variant by variant",
               "<p>Forced decoding of the reference translation: rows are its tokens (&lt;/s&gt; last), columns the "
               "source tokens; bluer is more attention (white 0, full blue 1); each variant's curves keep its colour "
               "in nmtx inspect.</p>\n" + heatmap_rows_html(heatmaps)}});
}

}  // namespace nmtx
