// Greedy decoding: at every step the most probable token, until </s> or a length limit.
#pragma once

#include <vector>

#include "nmtx/decode/decode_options.h"
#include "nmtx/decode/hypothesis.h"
#include "nmtx/model/seq2seq.h"

namespace nmtx {

// Decodes token-id sources (without <s> / </s>) as one batch; finished sentences leave it
// (in groups, see decode/shards.h), so later steps compute only the unfinished ones. With
// `trees`, also each sentence's search tree (hypothesis.h). Exactly beam search of size 1.
std::vector<Hypothesis> greedy_decode(const Seq2Seq& model, const std::vector<std::vector<int>>& sources,
                                      const DecodeOptions& options, std::vector<BeamTree>* trees = nullptr);

}  // namespace nmtx
