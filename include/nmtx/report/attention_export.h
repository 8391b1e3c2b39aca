// Looking at what attention learned: per sentence, the target-by-source attention
// matrix as JSON and as .npy, an SVG heatmap with the tokens on both axes, hard
// alignments in Pharaoh form, and an index.html showing every heatmap.
//
// The matrix of sentence i, DIR/NNNNNN.npy (float32, C order), has shape (T, S):
//   rows    the output tokens in order, the final </s> included when it was produced
//   columns the source tokens (nmtx's encoder reads no </s>, so there is no </s> column)
// DIR/NNNNNN.json holds the same matrix with the tokens ("source", "output"), p_t per
// step ("positions") for local-m / local-p, and for decoded output its log-probability
// ("log_prob") and each step's ("token_log_probs"). For multi-head attention, whose matrix
// is the mean over heads, DIR/NNNNNN.heads.npy (float32, (k, T, S)) and the JSON's "heads"
// hold each head's own, and DIR/NNNNNN.head-J.svg draws head J (0-based).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "nmtx/decode/attention_record.h"
#include "nmtx/eval/aer.h"

namespace nmtx {

// One sentence's attention with the tokens that label its axes.
struct SentenceAttention {
  std::size_t index = 0;                     // the sentence's 0-based line number
  std::vector<std::string> source, output;   // tokens; output ends with "</s>" when produced
  bool eos = false;                          // it was: the last output token and row are the </s> step
  AttentionRecord attention;                 // (T, S) rows per output token, p_t of local attention
  // When the output was decoded: log p of each output step (</s> included) and their sum
  // (natural log); empty otherwise.
  std::vector<double> token_log_probs;
  double log_prob = 0.0;
  // Ensembles (decode/ensemble.h): each member's attention over its own reading of the
  // source (forced decoding of the output); `attention` above is their mean when the
  // members read the source alike, else member 0's.
  struct Member {
    std::string model;                  // its run directory
    std::vector<std::string> source;    // the source as it reads it
    AttentionRecord attention;
  };
  std::vector<Member> members;
  // Gold links (source, output row), where the rows are the reference's tokens (forced
  // decoding) and a gold alignment exists: outlined on the heatmap, with the sentence's AER.
  std::optional<AlignmentLine> gold;

  // The rows of the output tokens: every row but the </s> step's.
  std::size_t token_rows() const { return attention.steps() - (eos && attention.steps() > 0 ? 1 : 0); }
  // Hard alignments over the output tokens (AttentionRecord::hard_alignment).
  std::vector<std::pair<int, int>> hard_alignment(float threshold = 0.0f) const {
    return attention.hard_alignment(token_rows(), threshold);
  }
  // The AER of hard_alignment() against `gold` (none without gold).
  std::optional<double> aer() const;
};

std::string pharaoh(const std::vector<std::pair<int, int>>& links);  // "0-0 2-1 1-2"

// The heatmap of one sentence as a standalone SVG document.
std::string heatmap_svg(const SentenceAttention& record);

// Writes DIR/NNNNNN.{json,npy,svg} for every record, DIR/alignments.txt (one Pharaoh line
// per record) and DIR/index.html, into a temporary directory renamed to DIR at the end
// (an existing DIR is replaced only then).
void export_attention(const std::vector<SentenceAttention>& records, const std::string& dir, float threshold = 0.0f);

}  // namespace nmtx
