// Attention over training (validation.snapshots), typed: the dev sentences a run watches
// and what each validation recorded of them. One struct and one write/read pair each (io's
// checked JSON underneath: a damaged file is refused with its name and field).
//   RUN/snapshots/sentences.json    the watched dev sentences, their tokens and gold links
//   RUN/snapshots/step-N.json       at step N's validation: their greedy outputs with their
//                                   attention, and the attention over their references
//                                   (forced decoding: the same rows at every step, where
//                                   gold links sit)
// They are written atomically beside the checkpoints (pruning leaves them), and a resumed
// run removes what a killed session recorded after its checkpoint, so they equal an
// uninterrupted run's.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "nmtx/eval/aer.h"

namespace nmtx {

struct SnapshotSentence {
  std::size_t index = 0;                  // in the dev set (its kept pairs, 0-based)
  std::size_t line = 0;                   // its 1-based line in the dev files
  std::vector<std::string> source;        // tokens as the model reads them (no </s>)
  std::vector<std::string> reference;     // the reference's tokens (no </s>)
  std::optional<AlignmentLine> gold;      // (source, reference) links, 0-based, where gold exists
};
struct SnapshotSentences {
  std::vector<SnapshotSentence> sentences;
};
std::string snapshot_sentences_text(const SnapshotSentences& s);
SnapshotSentences read_snapshot_sentences(const std::string& path);

struct SnapshotOutput {                     // one watched sentence at one validation
  std::vector<std::string> output;          // greedy output tokens, </s> last when produced
  std::vector<std::vector<float>> attention;  // a row per output token (T × S)
  std::vector<float> positions;             // local attention's p_t per row (else empty)
  // Forced decoding of the reference: a row per reference token and one for </s>.
  std::vector<std::vector<float>> reference_attention;
  std::vector<float> reference_positions;
  // Multi-head attention (whose rows above are the mean over heads): each head's own rows,
  // (k × T × S) over the output and over the reference; empty for other variants.
  std::vector<std::vector<std::vector<float>>> heads, reference_heads;
};
struct Snapshot {
  std::int64_t step = 0;
  std::vector<SnapshotOutput> sentences;    // in sentences.json's order
};
std::string snapshot_text(const Snapshot& s);
Snapshot read_snapshot(const std::string& path);

// RUN/snapshots and the file of step `step` in it.
std::string snapshots_dir(const std::string& run_dir);
std::string snapshot_path(const std::string& run_dir, std::int64_t step);
// The steps recorded in RUN/snapshots, ascending (none without the directory).
std::vector<std::int64_t> snapshot_steps(const std::string& run_dir);

}  // namespace nmtx
