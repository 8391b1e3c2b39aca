// `nmtx report RUN`: one run's static page, as nmtx compare's report.html is a
// comparison's: its results, its learning curves (training loss, dev perplexity and BLEU,
// learning rate; dev AER and attention entropy where the dev set has gold alignments), its
// test BLEU by source length (from RUN/test.hyp), its attention snapshots over training
// (each watched dev sentence's reference attention at up to six validations, gold links
// outlined) and a few dev translations of its best validation. Everything is read from the
// run directory; nothing is decoded.
#pragma once

#include <string>

namespace nmtx {

// The page of the run in `run_dir`; throws naming what is missing (not a run directory, no
// metrics.jsonl yet).
std::string run_report_html(const std::string& run_dir);

}  // namespace nmtx
