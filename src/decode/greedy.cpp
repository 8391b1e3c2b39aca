#include "nmtx/decode/greedy.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "nmtx/core/packed_weights.h"
#include "nmtx/core/row_kernels.h"
#include "shards.h"

namespace nmtx {

std::size_t step_limit(const DecodeOptions& options, std::size_t source_length) {
  if (options.max_length_ratio <= 0.0f) return options.max_length;
  const auto by_ratio = static_cast<std::size_t>(options.max_length_ratio * static_cast<float>(source_length)) + 10;
  return std::min(options.max_length, by_ratio);
}

void check_prefix(const DecodeOptions& options, std::size_t vocab) {
  for (int token : options.prefix) {
    if (token < 0 || static_cast<std::size_t>(token) >= vocab || token == options.eos || token == options.bos) {
      throw std::invalid_argument("decoding: a forced prefix holds token id " + std::to_string(token) +
                                  " (ids are below " + std::to_string(vocab) + ", and neither </s> nor <s>)");
    }
  }
}

namespace {

std::vector<Hypothesis> decode_shard(const Seq2Seq& model, const std::vector<std::vector<int>>& sources,
                                     const DecodeOptions& options);

}  // namespace

std::vector<Hypothesis> greedy_decode(const Seq2Seq& model, const std::vector<std::vector<int>>& sources,
                                      const DecodeOptions& options) {
  return detail::decode_in_shards<Hypothesis>(sources, options.threads, [&](const std::vector<std::vector<int>>& part) {
    return decode_shard(model, part, options);
  });
}

namespace {

std::vector<Hypothesis> decode_shard(const Seq2Seq& model, const std::vector<std::vector<int>>& sources,
                                     const DecodeOptions& options) {
  const int bos = options.bos, eos = options.eos;
  check_prefix(options, model.config().tgt_vocab);
  const std::size_t B = sources.size();
  std::vector<Hypothesis> out(B);
  if (B == 0) return out;
  const Batch batch = make_batch(sources, std::vector<std::vector<int>>(B), /*pad=*/0, bos, eos);
  PackedWeightsScope packed;  // every step multiplies a few rows by the same weights: pack them once per thread
  Graph g;
  NoGradScope no_grad(g);
  const EncodedBatch encoded = model.encode(g, batch.src, batch.src_lengths, batch.src_len, nullptr);
  DecoderState state = model.start(g, encoded);
  std::vector<int> previous(B, bos);
  std::vector<bool> done(B, false);
  for (std::size_t t = 0; t < options.max_length && std::count(done.begin(), done.end(), false) > 0; ++t) {
    const DecoderStep step = model.step(g, encoded, state, previous, t, nullptr, options.constraints);
    const Expr logits = model.logits(g, step.output);  // (B, V)
    const std::size_t V = logits.shape()[1], S = batch.src_len;
    for (std::size_t b = 0; b < B; ++b) {
      if (done[b]) {
        previous[b] = eos;
        continue;
      }
      const float* row = logits.value().data() + b * V;
      const std::size_t best = t < options.prefix.size() ? static_cast<std::size_t>(options.prefix[t]) : row_argmax(row, V);
      Hypothesis& h = out[b];
      const double token_log_prob = row[best] - row_log_sum_exp(row, V);  // log softmax of the chosen token
      h.token_log_probs.push_back(token_log_prob);
      h.log_prob += token_log_prob;
      const float* w = step.attention.weights.value().data() + b * S;
      h.attention.weights.emplace_back(w, w + batch.src_lengths[b]);
      if (step.attention.position.valid()) h.attention.positions.push_back(step.attention.position.value()[b]);
      if (static_cast<int>(best) == eos && !options.ignore_eos) {
        done[b] = true;
        h.finished = true;
      } else {
        h.tokens.push_back(static_cast<int>(best));
        if (h.attention.steps() >= step_limit(options, sources[b].size())) done[b] = true;
      }
      previous[b] = static_cast<int>(best);
    }
  }
  for (Hypothesis& h : out) h.score = h.log_prob;
  return out;
}

}  // namespace

}  // namespace nmtx
