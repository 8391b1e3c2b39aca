// The rows of decoding: the sentences of an encoded batch and the rows of a decoder state
// selected (beam search encodes each sentence once and decodes it in K rows, follows its
// surviving hypotheses; decoding drops finished sentences), and a step's memory rewound
// keeping them. Private to decode (greedy.cpp, beam.cpp).
#pragma once

#include <vector>

#include "nmtx/core/graph.h"
#include "nmtx/model/seq2seq.h"

namespace nmtx {

// The encoded sentences `rows` (indices into the batch; repeats allowed) as a batch of
// their own, without encoding again: beam search encodes each sentence once and decodes
// it in K rows. Per-sentence fields are gathered; attention's shared fields are kept.
EncodedBatch select_sentences(const EncodedBatch& batch, const std::vector<int>& rows);
// The decoder state of rows `rows` (indices into the state's batch; repeats allowed):
// beam search follows its surviving hypotheses, and decoding drops finished sentences.
DecoderState select_rows(const DecoderState& state, const std::vector<int>& rows);
// Forgets the nodes recorded since `m` except the decoder state, copied to just after it
// (Graph::rewind): decoding reuses one step's memory for the next.
void rewind_keeping(Graph& g, const Graph::Mark& m, DecoderState& state);
// The same for an encoded batch: the encoder's intermediate values go, what the decoder
// reads stays.
void rewind_keeping(Graph& g, const Graph::Mark& m, EncodedBatch& batch);

}  // namespace nmtx
