// `nmtx compare`: trains each attention variant from one configuration (same data, seed
// and budget), evaluates each on the same test set and writes, into DIR,
//   runs/VARIANT/        each variant's run directory (nmtx train's), with compare.json
//   results.md, results.csv   the table, one row per variant (report/compare_table.h)
//   report.html          learning curves of all variants and their heatmaps side by side
// Every number in the table comes from the runs' own summary.json and compare.json.
// Rerunning the same command on the same DIR resumes: finished variants are kept,
// interrupted ones resumed from their checkpoints. A variant whose training diverges is
// reported as such in the table.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "nmtx/config/config.h"
#include "nmtx/report/compare_table.h"

namespace nmtx {

struct CompareOptions {
  std::vector<std::string> variants;  // empty: the configuration's compare.variants
  std::string out;                    // DIR
  std::string nan_variant;            // testing hook: this variant's gradient turns NaN at step nan_step
  std::int64_t nan_step = 0;
};

// Runs the comparison of `config` (every variant trained with it, its attention type and
// score replaced); returns the table's rows.
std::vector<CompareRow> run_compare(const Config& config, const CompareOptions& options);

}  // namespace nmtx
