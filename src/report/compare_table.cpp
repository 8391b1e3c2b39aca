#include "nmtx/report/compare_table.h"

#include <fmt/core.h>

#include <algorithm>
#include <functional>

#include "nmtx/report/seed_stats.h"

namespace nmtx {

namespace {

std::string cell(double v, const char* format) { return v < 0 ? "n/a" : fmt::format(fmt::runtime(format), v); }

}  // namespace

std::string compare_markdown(const std::vector<CompareRow>& rows) {
  std::string md = "| variant | status | params | steps | train time (s) | target tok/s | dev ppl | test BLEU greedy | "
                   "test BLEU beam | AER | argmax acc. | entropy (nats) |\n"
                   "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
  for (const CompareRow& r : rows) {
    if (r.status != "ok") {
      md += fmt::format("| {} | {} | n/a | n/a | n/a | n/a | n/a | n/a | n/a | n/a | n/a | n/a |\n", r.variant, r.status);
      continue;
    }
    md += fmt::format("| {} | ok | {:.0f} | {:.0f} | {:.0f} | {:.0f} | {:.3f} | {:.2f} | {:.2f} | {} | {} | {:.3f} |\n",
                      r.variant, r.params, r.steps, r.train_seconds, r.tokens_per_second, r.dev_ppl, r.test_bleu_greedy,
                      r.test_bleu_beam, cell(r.aer, "{:.4f}"), cell(r.argmax_accuracy, "{:.3f}"), r.entropy);
  }
  return md;
}

std::string compare_csv(const std::vector<CompareRow>& rows) {
  std::string csv = "variant,status,params,steps,train_seconds,tokens_per_second,dev_ppl,test_bleu_greedy,test_bleu_beam,"
                    "aer,argmax_accuracy,entropy\n";
  for (const CompareRow& r : rows) {
    std::string status = r.status;
    for (char& c : status) {
      if (c == '"' || c == ',' || c == '\n') c = ' ';
    }
    if (r.status != "ok") {
      csv += r.variant + ",\"" + status + "\",,,,,,,,,,\n";
      continue;
    }
    csv += fmt::format("{},ok,{:.0f},{:.0f},{:.3f},{:.1f},{:.6f},{:.4f},{:.4f},{},{},{:.6f}\n", r.variant, r.params, r.steps,
                       r.train_seconds, r.tokens_per_second, r.dev_ppl, r.test_bleu_greedy, r.test_bleu_beam,
                       r.aer < 0 ? "" : fmt::format("{:.6f}", r.aer),
                       r.argmax_accuracy < 0 ? "" : fmt::format("{:.6f}", r.argmax_accuracy), r.entropy);
  }
  return csv;
}

std::string compare_table_html(const std::vector<CompareRow>& rows) {
  std::string table = "<table>\n<tr><th>variant</th><th>status</th><th>params</th><th>steps</th><th>train s</th>"
                      "<th>tok/s</th><th>dev ppl</th><th>BLEU greedy</th><th>BLEU beam</th><th>AER</th>"
                      "<th>argmax acc.</th><th>entropy</th></tr>\n";
  for (const CompareRow& r : rows) {
    table += fmt::format("<tr><td>{}</td><td>{}</td>", r.variant, r.status);
    if (r.status == "ok") {
      table += fmt::format("<td>{:.0f}</td><td>{:.0f}</td><td>{:.0f}</td><td>{:.0f}</td><td>{:.3f}</td><td>{:.2f}</td>"
                           "<td>{:.2f}</td><td>{}</td><td>{}</td><td>{:.3f}</td></tr>\n",
                           r.params, r.steps, r.train_seconds, r.tokens_per_second, r.dev_ppl, r.test_bleu_greedy,
                           r.test_bleu_beam, cell(r.aer, "{:.4f}"), cell(r.argmax_accuracy, "{:.3f}"), r.entropy);
    } else {
      table += "<td colspan=\"10\">n/a</td></tr>\n";
    }
  }
  return table + "</table>\n";
}

namespace {

// The variants in order of first appearance, each with its runs.
std::vector<std::pair<std::string, std::vector<const CompareRow*>>> by_variant(const std::vector<CompareRow>& rows) {
  std::vector<std::pair<std::string, std::vector<const CompareRow*>>> out;
  for (const CompareRow& r : rows) {
    auto it = std::find_if(out.begin(), out.end(), [&](const auto& v) { return v.first == r.variant; });
    if (it == out.end()) {
      out.push_back({r.variant, {}});
      it = out.end() - 1;
    }
    it->second.push_back(&r);
  }
  return out;
}

struct SeedColumn {
  const char* title;
  std::function<double(const CompareRow&)> value;
  int decimals;
};

const std::vector<SeedColumn>& seed_columns() {
  static const std::vector<SeedColumn> columns{
      {"test BLEU beam", [](const CompareRow& r) { return r.test_bleu_beam; }, 2},
      {"test BLEU greedy", [](const CompareRow& r) { return r.test_bleu_greedy; }, 2},
      {"dev ppl", [](const CompareRow& r) { return r.dev_ppl; }, 3},
      {"AER", [](const CompareRow& r) { return r.aer; }, 4},
      {"entropy (nats)", [](const CompareRow& r) { return r.entropy; }, 3},
      {"train time (s)", [](const CompareRow& r) { return r.train_seconds; }, 0}};
  return columns;
}

// The cells of one variant's row: seeds trained / diverged, each column's statistics,
// every seed's beam BLEU ("diverged" for those that did).
std::vector<std::string> seed_cells(const std::vector<const CompareRow*>& runs) {
  std::size_t diverged = 0;
  std::vector<const CompareRow*> ok;
  std::string each;
  for (const CompareRow* r : runs) {
    if (r->status == "ok") {
      ok.push_back(r);
    } else {
      ++diverged;
    }
    each += fmt::format("{}{}: {}", each.empty() ? "" : ", ", r->seed,
                        r->status == "ok" ? fmt::format("{:.2f}", r->test_bleu_beam) : std::string("diverged"));
  }
  std::vector<std::string> cells{fmt::format("{}", ok.size()), fmt::format("{}", diverged)};
  for (const SeedColumn& c : seed_columns()) {
    std::vector<double> values;
    for (const CompareRow* r : ok) {
      if (c.value(*r) >= 0) values.push_back(c.value(*r));  // AER < 0: no gold
    }
    cells.push_back(format_stats(seed_stats(values), c.decimals));
  }
  cells.push_back(each);
  return cells;
}

std::vector<std::string> seed_header() {
  std::vector<std::string> h{"variant", "seeds", "diverged"};
  for (const SeedColumn& c : seed_columns()) h.emplace_back(c.title);
  h.emplace_back("test BLEU beam by seed");
  return h;
}

}  // namespace

std::string compare_seeds_markdown(const std::vector<CompareRow>& rows) {
  const std::vector<std::string> header = seed_header();
  std::string md = "|", rule = "|";
  for (const std::string& h : header) {
    md += " " + h + " |";
    rule += h == "variant" || h == "test BLEU beam by seed" ? "---|" : "---:|";
  }
  md += "\n" + rule + "\n";
  for (const auto& [variant, runs] : by_variant(rows)) {
    md += "| " + variant + " |";
    for (const std::string& c : seed_cells(runs)) md += " " + c + " |";
    md += "\n";
  }
  return md;
}

std::string compare_seeds_html(const std::vector<CompareRow>& rows) {
  std::string html = "<table>\n<tr>";
  for (const std::string& h : seed_header()) html += "<th>" + h + "</th>";
  html += "</tr>\n";
  for (const auto& [variant, runs] : by_variant(rows)) {
    html += "<tr><td>" + variant + "</td>";
    for (const std::string& c : seed_cells(runs)) html += "<td>" + c + "</td>";
    html += "</tr>\n";
  }
  return html + "</table>\n";
}

std::string compare_seeds_csv(const std::vector<CompareRow>& rows) {
  // The one-seed CSV with the seed after the variant.
  const std::string plain = compare_csv(rows);
  std::string out;
  std::size_t start = 0, line = 0;
  while (start < plain.size()) {
    const std::size_t end = plain.find('\n', start);
    const std::string text = plain.substr(start, end - start);
    const std::size_t comma = text.find(',');
    out += text.substr(0, comma) + "," + (line == 0 ? std::string("seed") : std::to_string(rows[line - 1].seed)) +
           text.substr(comma) + "\n";
    start = end + 1;
    ++line;
  }
  return out;
}

}  // namespace nmtx
