// validation.snapshots: attention over training, recorded at every validation so that it can
// be watched forming (nmtx inspect's training view, nmtx report). K dev sentences are chosen
// once from the dev set alone: the sentences at the K quantiles of its source lengths (ties
// by position), so short and long ones are watched. Each validation records their greedy
// outputs (those it decoded for BLEU) with their attention, and their references' attention
// under forced decoding, whose rows stay the same from step to step (run/snapshots.h). Where the dev
// set has gold alignments (toy tasks), it also measures the references' attention (forced
// decoding) against them: AER, argmax accuracy and mean entropy, for metrics.jsonl.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "nmtx/config/config.h"
#include "nmtx/decode/hypothesis.h"
#include "nmtx/eval/aer.h"
#include "nmtx/run/run_data.h"
#include "nmtx/run/snapshots.h"
#include "nmtx/translation/translator.h"

namespace nmtx {

// The positions in `dev` of the K sentences watched (fewer when the set is smaller),
// ascending.
std::vector<std::size_t> snapshot_sentences(const EvalSet& dev, std::size_t k);

// The dev references' attention against gold: AER, argmax accuracy, mean entropy.
struct AttentionMeasures {
  double aer = 0.0, argmax_accuracy = 0.0, entropy = 0.0;
};

// Rank 0's: records the snapshots of one run.
class SnapshotRecorder {
 public:
  // Reads the dev set's gold alignments, where they exist.
  SnapshotRecorder(const Config& config, const RunData& data, std::string dir);

  bool recording() const { return !chosen_.empty(); }
  // Before the session's first step at `step` (0, or the checkpoint resumed): writes
  // sentences.json and removes what a killed session left (its snapshots after `step`, an
  // interrupted write's temporary file).
  void start(std::int64_t step) const;
  // At the validation of `step`: `dev_outputs` are the dev set's greedy hypotheses, with
  // their attention, by `translator`'s model.
  void record(std::int64_t step, const std::vector<Hypothesis>& dev_outputs, const Translator& translator) const;
  // The measures of `translator`'s model, or none without gold.
  std::optional<AttentionMeasures> measure(const Translator& translator, std::size_t batch) const;

 private:
  const RunData& data_;
  std::string dir_;
  std::vector<std::size_t> chosen_;
  std::vector<AlignmentLine> gold_;  // per dev sentence; empty without gold
};

}  // namespace nmtx
