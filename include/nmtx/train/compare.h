// `nmtx compare`: trains each attention variant from one recipe (same data, seed and
// budget), evaluates each on the same test set and writes, into DIR,
//   runs/VARIANT/        each variant's run directory (nmtx train's), with compare.json
//   results.md, results.csv   the table, one row per variant
//   report.html          learning curves of all variants and their heatmaps side by side
// Every number in the table comes from the runs' own summary.json and compare.json.
// Rerunning the same command on the same DIR resumes: finished variants are kept,
// interrupted ones resumed from their checkpoints. A variant whose training diverges is
// reported as such in the table.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace nmtx {

struct CompareCommand {
  std::string recipe;
  std::vector<std::string> variants;   // empty: the recipe's compare.variants
  std::vector<std::string> overrides;  // --set KEY=VALUE, for every variant
  std::string out;                     // DIR
  std::string nan_variant;             // testing hook: this variant's gradient turns NaN at step nan_step
  std::int64_t nan_step = 0;
};

// The columns of the table, as compare.json and results.csv name them.
struct CompareRow {
  std::string variant, status;  // status: "ok", or "diverged: ..." / "failed: ..."
  double params = 0, steps = 0, train_seconds = 0, tokens_per_second = 0, dev_ppl = 0, test_bleu_greedy = 0,
         test_bleu_beam = 0, aer = -1, argmax_accuracy = -1, entropy = 0;
};

// Runs the comparison; returns the table's rows.
std::vector<CompareRow> run_compare(const CompareCommand& command);

// The table as Markdown and CSV (missing values: "n/a").
std::string compare_markdown(const std::vector<CompareRow>& rows);
std::string compare_csv(const std::vector<CompareRow>& rows);

}  // namespace nmtx
