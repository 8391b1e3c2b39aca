// `nmtx compare`: trains each attention variant from one configuration (same data, seed
// and budget), evaluates each on the same test set and writes, into DIR,
//   runs/VARIANT/        each variant's run directory (nmtx train's), with compare.json;
//                        with compare.seeds N > 1 also runs/VARIANT-seed-S/ for the
//                        training seeds S = training.seed + 1 .. training.seed + N − 1
//   results.md, results.csv   the table, one row per variant (report/compare_table.h)
//   report.html          learning curves of all variants and their heatmaps side by side
// Every number in the table comes from the runs' own summary.json and compare.json.
// Rerunning the same command on the same DIR resumes: finished variants are kept,
// interrupted ones resumed from their checkpoints; raising compare.seeds reuses the seeds
// already trained. A variant whose training diverges is reported as such in the table
// (over seeds: counted, and left out of the statistics).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "nmtx/config/config.h"
#include "nmtx/report/compare_table.h"
#include "nmtx/train/trainer.h"

namespace nmtx {

struct CompareOptions {
  std::vector<std::string> variants;  // empty: the configuration's compare.variants
  std::string out;                    // DIR
  // Testing: faults injected into one variant's run (of one training seed; 0: every seed).
  std::string fault_variant;
  std::int64_t fault_seed = 0;
  TrainHooks faults;
};

// Runs the comparison of `config` (every variant trained with it, its attention type and
// score replaced); returns the table's rows.
std::vector<CompareRow> run_compare(const Config& config, const CompareOptions& options);

}  // namespace nmtx
