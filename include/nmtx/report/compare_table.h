// The table of `nmtx compare`, one row per attention variant, rendered as Markdown
// (results.md), CSV (results.csv) and HTML (report.html). Missing values: "n/a".
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "nmtx/eval/bleu.h"

namespace nmtx {

// The columns of the table, as compare.json and results.csv name them.
struct CompareRow {
  std::string variant, status;  // status: "ok", or "diverged: ..." / "failed: ..."
  std::int64_t seed = 0;        // its training.seed
  double params = 0, steps = 0, train_seconds = 0, tokens_per_second = 0, dev_ppl = 0, test_bleu_greedy = 0,
         test_bleu_beam = 0, aer = -1, argmax_accuracy = -1, entropy = 0;  // aer, argmax_accuracy < 0: no gold
  std::vector<LengthBucket> buckets;  // test BLEU (beam) by source length
};

std::string compare_markdown(const std::vector<CompareRow>& rows);
std::string compare_csv(const std::vector<CompareRow>& rows);
std::string compare_table_html(const std::vector<CompareRow>& rows);

// Over seeds (compare.seeds > 1): one row per variant with each metric's mean ± sample
// standard deviation (min–max) over the seeds that did not diverge, the count of those
// that did, and every seed's beam BLEU. `rows` holds every run, variants in order.
std::string compare_seeds_markdown(const std::vector<CompareRow>& rows);
std::string compare_seeds_html(const std::vector<CompareRow>& rows);
// One line per run, with its seed.
std::string compare_seeds_csv(const std::vector<CompareRow>& rows);

}  // namespace nmtx
