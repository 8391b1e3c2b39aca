// The bidirectional RNN encoder: embedding, then N layers that each run a forward and a
// backward RNN over the source and concatenate their states (2H per position), with
// dropout on the embeddings and between layers.
//
// Padding: sentence b has lengths[b] real tokens; positions beyond are padding. The
// forward RNN keeps its state across padding, so its last state is the state after the
// sentence's own last token. The backward RNN stays at its zero initial state across
// padding, so it starts at the sentence's own last token. A sentence therefore gets
// exactly the states it would get alone.
//
// Parameters: encoder.embed (V_src, E); encoder.l{k}.{fwd,bwd}.{W_ih, W_hh, b_ih, b_hh}
// (see rnn.h), with input size E for k = 0 and 2H above.
#pragma once

#include <vector>

#include "nmtx/core/rng.h"
#include "nmtx/nn/rnn.h"

namespace nmtx {

struct EncoderConfig {
  CellType cell = CellType::gru;
  std::size_t vocab = 0, embed = 0, hidden = 0, layers = 1;
  float dropout = 0.0f;
};

struct EncoderOutput {
  std::size_t batch = 0, length = 0;  // B, S
  std::vector<int> lengths;           // (B) real tokens per sentence
  Expr states;                        // (S, B, 2H) time-major: [forward; backward] per position
  Expr memory;                        // (B, S, 2H) batch-major: what attention reads
  Expr mask;                          // (B, S) 1 at real tokens, 0 at padding
  // Per layer: the forward state after each sentence's last token, and the backward
  // state at position 0 (which has read the whole sentence), each (B, H).
  std::vector<RnnState> forward_final, backward_first;
};

class Encoder {
 public:
  Encoder(ParameterFactory& factory, const EncoderConfig& config);
  // src: (S, B) time-major ids, padded; lengths (B) in 1..S. dropout_rng null: no dropout.
  EncoderOutput encode(Graph& g, const std::vector<int>& src, const std::vector<int>& lengths, std::size_t S,
                       Rng* dropout_rng) const;
  const EncoderConfig& config() const { return config_; }
  std::size_t output_dim() const { return 2 * config_.hidden; }

 private:
  EncoderConfig config_;
  Parameter embed_;
  std::vector<RnnWeights> forward_, backward_;  // per layer
};

// The (S, B)-shaped 0/1 mask of real positions, row t holding [t < lengths[b]].
std::vector<float> time_major_mask(const std::vector<int>& lengths, std::size_t S);

}  // namespace nmtx
