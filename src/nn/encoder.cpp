#include "nmtx/nn/encoder.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace nmtx {

std::vector<float> time_major_mask(const std::vector<int>& lengths, std::size_t S) {
  const std::size_t B = lengths.size();
  std::vector<float> mask(S * B, 0.0f);
  for (std::size_t t = 0; t < S; ++t) {
    for (std::size_t b = 0; b < B; ++b) mask[t * B + b] = static_cast<int>(t) < lengths[b] ? 1.0f : 0.0f;
  }
  return mask;
}

Encoder::Encoder(ParameterFactory& f, const EncoderConfig& config) : config_(config) {
  if (config.vocab == 0 || config.embed == 0 || config.hidden == 0 || config.layers == 0) {
    throw std::invalid_argument("Encoder: vocabulary, embedding, hidden sizes and layers must be positive");
  }
  embed_ = f.embedding("encoder.embed", config.vocab, config.embed);
  for (std::size_t k = 0; k < config.layers; ++k) {
    const std::size_t input = k == 0 ? config.embed : 2 * config.hidden;
    const std::string layer = "encoder.l" + std::to_string(k);
    forward_.push_back(RnnWeights::add(f, layer + ".fwd", config.cell, input, config.hidden));
    backward_.push_back(RnnWeights::add(f, layer + ".bwd", config.cell, input, config.hidden));
  }
}

EncoderOutput Encoder::encode(Graph& g, const std::vector<int>& src, const std::vector<int>& lengths, std::size_t S,
                              Rng* dropout_rng) const {
  const std::size_t B = lengths.size();
  if (B == 0 || src.size() != S * B) {
    throw std::invalid_argument("Encoder::encode: " + std::to_string(src.size()) + " source ids for " +
                                std::to_string(B) + " sentences of padded length " + std::to_string(S));
  }
  for (std::size_t b = 0; b < B; ++b) {
    if (lengths[b] < 1 || static_cast<std::size_t>(lengths[b]) > S) {
      throw std::invalid_argument("Encoder::encode: sentence " + std::to_string(b) + " has length " +
                                  std::to_string(lengths[b]) + "; expected 1.." + std::to_string(S));
    }
  }
  const std::vector<float> mask = time_major_mask(lengths, S);
  const std::size_t shortest = static_cast<std::size_t>(*std::min_element(lengths.begin(), lengths.end()));
  auto maybe_dropout = [&](const Expr& x) {
    return dropout_rng != nullptr ? dropout(x, config_.dropout, *dropout_rng) : x;
  };

  EncoderOutput out;
  out.batch = B;
  out.length = S;
  out.lengths = lengths;
  Expr x = maybe_dropout(embedding(g.param(embed_), src));  // (S·B, E)
  for (std::size_t k = 0; k < config_.layers; ++k) {
    std::vector<Expr> directions;
    for (int dir = 0; dir < 2; ++dir) {
      const BoundRnn rnn(g, dir == 0 ? forward_[k] : backward_[k]);
      const Expr xp = rnn.project_input(x);  // (S·B, G·H), all steps in one GEMM
      RnnState state = rnn.zero_state(g, B);
      std::vector<Expr> hs(S);
      for (std::size_t i = 0; i < S; ++i) {
        const std::size_t t = dir == 0 ? i : S - 1 - i;
        // Where some sentences are padding, they keep their state.
        const Expr keep = t >= shortest ? g.constant(Shape{B, 1}, mask.data() + t * B) : Expr();
        state = rnn.step(slice(xp, 0, t * B, B), state, keep);
        hs[t] = state.h;
      }
      (dir == 0 ? out.forward_final : out.backward_first).push_back(state);
      directions.push_back(stack(hs));  // (S, B, H)
    }
    out.states = concat(directions, 2);  // (S, B, 2H)
    x = reshape(out.states, {S * B, 2 * config_.hidden});
    if (k + 1 < config_.layers) x = maybe_dropout(x);
  }
  out.memory = transpose(out.states, {1, 0, 2});
  std::vector<float> batch_major(B * S);
  for (std::size_t b = 0; b < B; ++b) {
    for (std::size_t t = 0; t < S; ++t) batch_major[b * S + t] = mask[t * B + b];
  }
  out.mask = g.constant(Shape{B, S}, batch_major.data());
  return out;
}

}  // namespace nmtx
