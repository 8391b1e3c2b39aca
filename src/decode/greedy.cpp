#include "nmtx/decode/greedy.h"

#include "../core/simd.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace nmtx {

namespace {

// log Σ_v e^{x_v}, vectorised (the vocabulary is the widest loop of a decoding step).
double log_sum_exp(const float* x, std::size_t n) {
  thread_local std::vector<float> buffer;
  buffer.resize(n);
  const float m = simd::max(x, n);
  simd::map(buffer.data(), n, [m](auto v) { return xsimd::exp(v - m); }, x);
  return m + std::log(static_cast<double>(simd::sum(buffer.data(), n)));
}

}  // namespace

std::vector<Hypothesis> greedy_decode(const Seq2Seq& model, const std::vector<std::vector<int>>& sources,
                                      const DecodeOptions& options) {
  const int bos = options.bos, eos = options.eos;
  const std::size_t B = sources.size();
  std::vector<Hypothesis> out(B);
  if (B == 0) return out;
  const Batch batch = make_batch(sources, std::vector<std::vector<int>>(B), /*pad=*/0, bos, eos);
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
      const std::size_t best = simd::argmax(row, V);
      Hypothesis& h = out[b];
      h.log_prob += row[best] - log_sum_exp(row, V);  // log softmax of the best token
      const float* w = step.attention.weights.value().data() + b * S;
      h.attention.emplace_back(w, w + batch.src_lengths[b]);
      if (step.attention.position.valid()) h.positions.push_back(step.attention.position.value()[b]);
      if (static_cast<int>(best) == eos && !options.ignore_eos) {
        done[b] = true;
      } else {
        h.tokens.push_back(static_cast<int>(best));
      }
      previous[b] = static_cast<int>(best);
    }
  }
  return out;
}

}  // namespace nmtx
