// Gold word alignments of a run's evaluation set, for AER and argmax accuracy (nmtx
// compare, nmtx inspect): a toy task's own (RUN/data/{dev,test}.align, 0-based), or a
// Pharaoh file the caller names (compare.gold, for the test set).
#pragma once

#include <string>
#include <vector>

#include "nmtx/config/config.h"
#include "nmtx/eval/aer.h"
#include "nmtx/run/run_data.h"

namespace nmtx {

// One AlignmentLine per kept pair of `set` (its file lines pick the gold lines), each
// checked against the pair's lengths; empty when there is no gold file. Errors name the
// file and line.
std::vector<AlignmentLine> gold_alignments(const Config& run, const std::string& run_dir, const EvalSet& set,
                                           const std::string& path = "", bool one_based = false);

}  // namespace nmtx
