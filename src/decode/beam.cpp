// Beam search over a batch: sentence i owns rows i·K .. i·K + K - 1 of every decoder
// tensor (its source repeated K times), and after each step the rows are reordered to
// follow the surviving hypotheses (gather_rows on the decoder state).
#include "nmtx/decode/beam.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <numeric>
#include <stdexcept>

#include "shards.h"

namespace nmtx {

double length_penalty(std::size_t length, float alpha) {
  if (alpha == 0.0f) return 1.0;
  return std::pow((5.0 + static_cast<double>(length)) / 6.0, static_cast<double>(alpha));
}

namespace {

struct Candidate {
  double log_prob;  // of the extended hypothesis
  std::size_t beam; // the row it extends, within its sentence
  int token;
};

// The k best tokens of a row, best first; ties go to the lower id (as greedy's argmax).
std::vector<int> top_tokens(const float* row, std::size_t V, std::size_t k) {
  std::vector<int> ids(V);
  std::iota(ids.begin(), ids.end(), 0);
  k = std::min(k, V);
  std::partial_sort(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(k), ids.end(),
                    [&](int a, int b) { return row[a] != row[b] ? row[a] > row[b] : a < b; });
  ids.resize(k);
  return ids;
}

// The sequence-to-sequence model as a scorer: the source of sentence i repeated in rows
// i·K .. i·K + K - 1, its decoder state reordered with gather_rows.
class ModelScorer final : public BeamScorer {
 public:
  ModelScorer(const Seq2Seq& model, const std::vector<std::vector<int>>& sources, std::size_t K, const DecodeOptions& o)
      : model_(model), constraints_(o.constraints), no_grad_(g_) {
    g_.set_packed_weights(true);  // small products with the same weights at every step
    std::vector<std::vector<int>> rows;
    for (const auto& s : sources) {
      for (std::size_t k = 0; k < K; ++k) rows.push_back(s);
    }
    batch_ = make_batch(rows, std::vector<std::vector<int>>(rows.size()), /*pad=*/0, o.bos, o.eos);
    encoded_ = model.encode(g_, batch_.src, batch_.src_lengths, batch_.src_len, nullptr);
    state_ = model.start(g_, encoded_);
  }

  StepScores step(const std::vector<int>& previous, std::size_t t) override {
    step_ = model_.step(g_, encoded_, state_, previous, t, nullptr, constraints_);
    logits_ = model_.logits(g_, step_.output);
    StepScores s;
    s.logits = logits_.value().data();
    s.vocab = logits_.shape()[1];
    s.attention = step_.attention.weights.value().data();
    s.attention_stride = batch_.src_len;
    if (step_.attention.position.valid()) s.positions = step_.attention.position.value().data();
    return s;
  }

  void reorder(const std::vector<int>& rows) override {
    for (RnnState& layer : state_.layers) {
      layer.h = gather_rows(layer.h, rows);
      if (layer.c.valid()) layer.c = gather_rows(layer.c, rows);
    }
    if (state_.feed.valid()) state_.feed = gather_rows(state_.feed, rows);
    AttentionState& a = state_.attention;
    if (a.cumulative.valid()) a.cumulative = gather_rows(a.cumulative, rows);
    if (!a.focus.empty()) {
      std::vector<int> focus(rows.size());
      for (std::size_t j = 0; j < rows.size(); ++j) focus[j] = a.focus[static_cast<std::size_t>(rows[j])];
      a.focus = std::move(focus);
    }
  }

 private:
  const Seq2Seq& model_;
  InferenceConstraints constraints_;
  Graph g_;
  NoGradScope no_grad_;
  Batch batch_;
  EncodedBatch encoded_;
  DecoderState state_;
  DecoderStep step_;
  Expr logits_;
};

}  // namespace

std::vector<std::vector<Hypothesis>> beam_search(BeamScorer& scorer, const std::vector<std::size_t>& source_lengths,
                                                 const DecodeOptions& o, const BeamOptions& beam) {
  const std::size_t N = source_lengths.size(), K = beam.beam_size, R = N * K;
  std::vector<std::vector<Hypothesis>> finished(N);
  if (N == 0) return finished;
  std::vector<Hypothesis> live(R);
  std::vector<char> alive(R, 0), done(N, 0);
  for (std::size_t i = 0; i < N; ++i) alive[i * K] = 1;  // one live hypothesis to start: no duplicates
  std::vector<int> previous(R, o.bos);
  auto finish = [&](std::size_t i, Hypothesis h, bool with_eos) {
    h.finished = with_eos;
    h.score = h.log_prob / length_penalty(h.attention.size(), beam.alpha);
    finished[i].push_back(std::move(h));
  };

  for (std::size_t t = 0; t < o.max_length && std::count(done.begin(), done.end(), 0) > 0; ++t) {
    const StepScores scores = scorer.step(previous, t);
    const std::size_t V = scores.vocab;
    const float* all = scores.logits;
    std::vector<int> parent(R), next_token(R, o.eos);
    std::iota(parent.begin(), parent.end(), 0);
    std::vector<Hypothesis> next_live(R);
    std::vector<char> next_alive(R, 0);
    for (std::size_t i = 0; i < N; ++i) {
      if (done[i]) continue;
      std::vector<Candidate> candidates;
      for (std::size_t k = 0; k < K; ++k) {
        const std::size_t r = i * K + k;
        if (!alive[r]) continue;
        const float* row = all + r * V;
        const double lse = detail::log_sum_exp(row, V);
        for (int v : top_tokens(row, V, K)) {
          // Summed as greedy decoding sums, so that beam size 1 reproduces it bit for bit.
          candidates.push_back({live[r].log_prob + (row[v] - lse), k, v});
        }
      }
      std::stable_sort(candidates.begin(), candidates.end(),
                       [](const Candidate& a, const Candidate& b) { return a.log_prob > b.log_prob; });
      if (candidates.size() > K) candidates.resize(K);
      const std::size_t limit = step_limit(o, source_lengths[i]);
      std::size_t slot = 0;
      for (const Candidate& c : candidates) {
        const std::size_t r = i * K + c.beam;
        Hypothesis h = live[r];
        h.log_prob = c.log_prob;
        if (scores.attention != nullptr) {
          const float* w = scores.attention + r * scores.attention_stride;
          h.attention.emplace_back(w, w + source_lengths[i]);
        } else {
          h.attention.emplace_back();  // steps are counted by attention rows
        }
        if (scores.positions != nullptr) h.positions.push_back(scores.positions[r]);
        if (c.token == o.eos && !o.ignore_eos) {
          finish(i, std::move(h), /*with_eos=*/true);
          continue;
        }
        h.tokens.push_back(c.token);
        if (h.attention.size() >= limit) {
          finish(i, std::move(h), /*with_eos=*/false);
          continue;
        }
        const std::size_t j = i * K + slot++;
        next_live[j] = std::move(h);
        next_alive[j] = 1;
        parent[j] = static_cast<int>(r);
        next_token[j] = c.token;
      }
      for (std::size_t k = slot; k < K; ++k) parent[i * K + k] = static_cast<int>(i * K);  // dead rows: any state
      // Done when the beam is full of finished hypotheses or empty; without length
      // normalisation also when no live hypothesis can overtake the n-best finished ones
      // (extending a hypothesis only lowers its log-probability).
      bool end = finished[i].size() >= K || slot == 0;
      if (!end && beam.alpha == 0.0f && finished[i].size() >= beam.n_best) {
        std::vector<double> scores;
        for (const Hypothesis& h : finished[i]) scores.push_back(h.score);
        std::nth_element(scores.begin(), scores.begin() + static_cast<std::ptrdiff_t>(beam.n_best - 1), scores.end(),
                         std::greater<>());
        double best_live = -std::numeric_limits<double>::infinity();
        for (std::size_t k = 0; k < slot; ++k) best_live = std::max(best_live, next_live[i * K + k].log_prob);
        end = best_live <= scores[beam.n_best - 1];
      }
      if (end) {
        done[i] = 1;
        std::fill(next_alive.begin() + static_cast<std::ptrdiff_t>(i * K),
                  next_alive.begin() + static_cast<std::ptrdiff_t>(i * K + K), 0);
      }
    }
    scorer.reorder(parent);
    live = std::move(next_live);
    alive = std::move(next_alive);
    previous = std::move(next_token);
  }
  // Sentences still open at the global step limit: their live hypotheses, cut off.
  for (std::size_t i = 0; i < N; ++i) {
    for (std::size_t k = 0; k < K; ++k) {
      if (alive[i * K + k]) finish(i, std::move(live[i * K + k]), /*with_eos=*/false);
    }
  }
  for (auto& hyps : finished) {
    std::stable_sort(hyps.begin(), hyps.end(), [](const Hypothesis& a, const Hypothesis& b) { return a.score > b.score; });
    if (hyps.size() > beam.n_best) hyps.resize(beam.n_best);
  }
  return finished;
}

std::vector<std::vector<Hypothesis>> beam_decode(const Seq2Seq& model, const std::vector<std::vector<int>>& sources,
                                                 const DecodeOptions& options, const BeamOptions& beam) {
  if (beam.beam_size == 0) throw std::invalid_argument("beam search: the beam size must be at least 1");
  if (beam.n_best == 0 || beam.n_best > beam.beam_size) {
    throw std::invalid_argument("beam search: n-best " + std::to_string(beam.n_best) + " must be in [1, beam size " +
                                std::to_string(beam.beam_size) + "]");
  }
  if (beam.alpha < 0.0f) throw std::invalid_argument("beam search: alpha must not be negative");
  return detail::decode_in_shards<std::vector<Hypothesis>>(
      sources, options.threads,
      [&](const std::vector<std::vector<int>>& part) {
        ModelScorer scorer(model, part, beam.beam_size, options);
        std::vector<std::size_t> lengths;
        for (const auto& s : part) lengths.push_back(s.size());
        return beam_search(scorer, lengths, options, beam);
      });
}

}  // namespace nmtx
