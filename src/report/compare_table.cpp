#include "nmtx/report/compare_table.h"

#include <fmt/core.h>

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

}  // namespace nmtx
