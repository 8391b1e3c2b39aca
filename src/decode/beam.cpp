// Beam search over a batch: sentence i owns rows i·K .. i·K + K - 1 of every decoder
// tensor (its encoding repeated K times), and after each step the rows are reordered to
// follow the surviving hypotheses (gather_rows on the decoder state).
#include "nmtx/decode/beam.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <numeric>
#include <optional>
#include <stdexcept>

#include "nmtx/core/packed_weights.h"
#include "nmtx/core/row_kernels.h"
#include "rows.h"
#include "shards.h"

namespace nmtx {

double length_penalty(std::size_t length, float alpha) {
  if (alpha == 0.0f) return 1.0;
  return std::pow((5.0 + static_cast<double>(length)) / 6.0, static_cast<double>(alpha));
}

namespace {

struct Candidate {
  double log_prob;        // of the extended hypothesis
  std::size_t beam;       // the row it extends, within its sentence
  int token;
  double token_log_prob;  // of the token alone
  int node;               // its node in the sentence's BeamTree (-1: no tree kept)
};

// What the search needs to rebuild any hypothesis at the end instead of copying every
// live hypothesis's history at every step: per step, each row's attention (and p_t), and
// for each row after the step, the row it extends and the token it added.
class BeamHistory {
 public:
  void record(const StepScores& scores, std::size_t rows) {
    Step s;
    if (scores.attention != nullptr) s.attention.assign(scores.attention, scores.attention + rows * scores.attention_stride);
    s.stride = scores.attention_stride;
    if (scores.positions != nullptr) s.positions.assign(scores.positions, scores.positions + rows);
    if (scores.heads != nullptr) {
      s.heads.assign(scores.heads, scores.heads + rows * scores.head_count * scores.attention_stride);
      s.head_count = scores.head_count;
    }
    s.from.assign(rows, -1);
    s.token.assign(rows, -1);
    s.token_log_prob.assign(rows, 0.0);
    steps_.push_back(std::move(s));
  }
  // Row j after the current step continues row `from` with `token`.
  void link(std::size_t j, int from, int token, double token_log_prob) {
    steps_.back().from[j] = from;
    steps_.back().token[j] = token;
    steps_.back().token_log_prob[j] = token_log_prob;
  }
  // The hypothesis whose step t was row r: its tokens before step t and its attention
  // rows (`width` wide), positions and heads of steps 0 .. t.
  Hypothesis trace(std::size_t t, std::size_t r, std::size_t width) const {
    Hypothesis h;
    h.tokens.resize(t);
    h.token_log_probs.resize(t);
    if (!steps_[t].attention.empty()) h.attention.weights.resize(t + 1);
    if (!steps_[t].positions.empty()) h.attention.positions.resize(t + 1);
    if (!steps_[t].heads.empty()) h.attention.heads.assign(steps_[t].head_count, std::vector<std::vector<float>>(t + 1));
    for (std::size_t u = t + 1; u-- > 0;) {
      const Step& s = steps_[u];
      if (!s.attention.empty()) {
        const float* w = s.attention.data() + r * s.stride;
        h.attention.weights[u].assign(w, w + width);
      }
      if (!s.positions.empty()) h.attention.positions[u] = s.positions[r];
      for (std::size_t j = 0; j < s.head_count && !s.heads.empty(); ++j) {
        const float* w = s.heads.data() + (r * s.head_count + j) * s.stride;
        h.attention.heads[j][u].assign(w, w + width);
      }
      if (u == 0) break;
      // Row r of step u is row r after step u - 1.
      const Step& before = steps_[u - 1];
      h.tokens[u - 1] = before.token[r];
      h.token_log_probs[u - 1] = before.token_log_prob[r];
      r = static_cast<std::size_t>(before.from[r]);
    }
    return h;
  }
  // After the current step only `rows` (ascending) go on: the links are renumbered so that
  // row j after the step is the old row rows[j].
  void keep_rows(const std::vector<int>& rows) {
    Step& s = steps_.back();
    s.from = detail::pick(s.from, rows);
    s.token = detail::pick(s.token, rows);
    s.token_log_prob = detail::pick(s.token_log_prob, rows);
  }
  // Row j after step t: its origin and token.
  int from(std::size_t t, std::size_t j) const { return steps_[t].from[j]; }
  int token(std::size_t t, std::size_t j) const { return steps_[t].token[j]; }
  double token_log_prob(std::size_t t, std::size_t j) const { return steps_[t].token_log_prob[j]; }

 private:
  struct Step {
    std::vector<float> attention, positions, heads;
    std::size_t stride = 0, head_count = 0;
    std::vector<int> from, token;
    std::vector<double> token_log_prob;
  };
  std::vector<Step> steps_;
};

// The sequence-to-sequence model as a scorer: sentence i is encoded once and decoded in
// rows i·K .. i·K + K - 1, its decoder state reordered with gather_rows.
class ModelScorer final : public BeamScorer {
 public:
  ModelScorer(const Seq2Seq& model, const std::vector<std::vector<int>>& sources, std::size_t K, const DecodeOptions& o)
      : model_(model), constraints_(o.constraints), keep_attention_(o.keep_attention), no_grad_(g_) {
    if (!PackedWeightsScope::in_force()) packed_.emplace();
    batch_ = make_batch(sources, std::vector<std::vector<int>>(sources.size()), /*pad=*/0, o.bos, o.eos);
    const Graph::Mark before_encoding = g_.mark();
    EncodedBatch once = model.encode(g_, batch_.src, batch_.src_lengths, batch_.src_len, nullptr);
    rewind_keeping(g_, before_encoding, once);  // the encoder's intermediate values go
    std::vector<int> rows;
    for (std::size_t i = 0; i < sources.size(); ++i) rows.insert(rows.end(), K, static_cast<int>(i));
    encoded_ = select_sentences(once, rows);
    state_ = model.start(g_, encoded_);
    step_start_ = g_.mark();  // each step's nodes are forgotten at the next reorder
  }

  StepScores step(const std::vector<int>& previous, std::size_t t) override {
    step_ = model_.step(g_, encoded_, state_, previous, t, nullptr, constraints_);
    logits_ = model_.logits(g_, step_.output);
    StepScores s;
    s.logits = logits_.value().data();
    s.vocab = logits_.shape()[1];
    if (keep_attention_) {
      s.attention = step_.attention.weights.value().data();
      s.attention_stride = batch_.src_len;
      if (step_.attention.position.valid()) s.positions = step_.attention.position.value().data();
      if (step_.attention.heads.valid()) {
        s.heads = step_.attention.heads.value().data();
        s.head_count = step_.attention.heads.shape()[1];
      }
    }
    return s;
  }

  void reorder(const std::vector<int>& rows) override {
    // Fewer rows: sentences whose search ended left, and the encodings follow (every row
    // continues a row of its own sentence).
    state_ = select_rows(state_, rows);
    rewind_keeping(g_, step_start_, state_);
    if (rows.size() != encoded_.encoder.batch) {
      encoded_ = select_sentences(encoded_, rows);
      step_start_ = g_.mark();  // the gathered encodings stay
    }
  }

 private:
  const Seq2Seq& model_;
  InferenceConstraints constraints_;
  bool keep_attention_;
  // Decoding steps multiply a few rows by the same weights: pack them once (or use the
  // caller's packs, kept over its batches).
  std::optional<PackedWeightsScope> packed_;
  Graph g_;
  NoGradScope no_grad_;
  Batch batch_;
  EncodedBatch encoded_;
  DecoderState state_;
  Graph::Mark step_start_;
  DecoderStep step_;
  Expr logits_;
};

}  // namespace

std::unique_ptr<BeamScorer> make_model_scorer(const Seq2Seq& model, const std::vector<std::vector<int>>& sources,
                                              std::size_t K, const DecodeOptions& options) {
  return std::make_unique<ModelScorer>(model, sources, K, options);
}

std::vector<std::vector<Hypothesis>> beam_search(BeamScorer& scorer, const std::vector<std::size_t>& source_lengths,
                                                 const DecodeOptions& o, const BeamOptions& beam,
                                                 std::vector<BeamTree>* trees) {
  const std::size_t N = source_lengths.size(), K = beam.beam_size;
  std::vector<std::vector<Hypothesis>> finished(N);
  std::vector<std::vector<int>> finished_nodes(N);  // the tree node each finished hypothesis ends in
  if (trees != nullptr) trees->assign(N, BeamTree::rooted(o.bos));
  if (N == 0) return finished;
  BeamHistory history;
  // Rows a·K .. a·K + K - 1 belong to sentence active[a]; sentences whose search ended
  // leave (worth_dropping), the others keep their order.
  std::vector<std::size_t> active(N);
  std::iota(active.begin(), active.end(), std::size_t{0});
  std::vector<double> log_prob(N * K, 0.0);  // of row r's hypothesis
  std::vector<char> alive(N * K, 0), done(N, 0);
  std::vector<int> node(N * K, 0);           // row r's last node in its sentence's tree (0: the root)
  for (std::size_t a = 0; a < N; ++a) alive[a * K] = 1;  // one live hypothesis to start: no duplicates
  std::vector<int> previous(N * K, o.bos);
  // The hypothesis whose last step t was row r, extended by `token` (</s>: not added).
  auto finish = [&](std::size_t i, std::size_t t, std::size_t r, int token, double token_lp, double lp, bool with_eos,
                    int at_node) {
    Hypothesis h = history.trace(t, r, source_lengths[i]);
    if (!with_eos) h.tokens.push_back(token);
    h.token_log_probs.push_back(token_lp);
    h.log_prob = lp;
    h.finished = with_eos;
    h.score = lp / length_penalty(h.token_log_probs.size(), beam.alpha);
    finished[i].push_back(std::move(h));
    finished_nodes[i].push_back(at_node);
    if (trees != nullptr) (*trees)[i].nodes[static_cast<std::size_t>(at_node)].fate = BeamNode::Fate::finished;
  };
  // A candidate's node: a child of row r's node (no tree kept: -1).
  auto add_node = [&](std::size_t i, std::size_t r, int token, double token_lp, double lp, std::size_t t) {
    if (trees == nullptr) return -1;
    std::vector<BeamNode>& nodes = (*trees)[i].nodes;
    nodes.push_back({node[r], token, t + 1, lp, token_lp, BeamNode::Fate::pruned});
    return static_cast<int>(nodes.size() - 1);
  };

  std::vector<Candidate> candidates;
  std::vector<int> best;
  std::size_t t = 0;
  for (; t < o.max_length && !active.empty(); ++t) {
    const std::size_t R = active.size() * K;
    const StepScores scores = scorer.step(previous, t);
    history.record(scores, R);
    const std::size_t V = scores.vocab;
    const float* all = scores.logits;
    const bool forced = t < o.prefix.size();
    if (forced && (o.prefix[t] < 0 || static_cast<std::size_t>(o.prefix[t]) >= V)) {
      throw std::invalid_argument("beam search: forced token id " + std::to_string(o.prefix[t]) + " is not below " +
                                  std::to_string(V));
    }
    std::vector<int> parent(R), next_token(R, o.eos), next_node(R, 0);
    std::iota(parent.begin(), parent.end(), 0);
    std::vector<double> next_log_prob(R, 0.0);
    std::vector<char> next_alive(R, 0);
    std::size_t ended_rows = 0;  // rows of sentences whose search has ended
    for (std::size_t a = 0; a < active.size(); ++a) {
      const std::size_t i = active[a];
      if (done[i]) {
        ended_rows += K;
        continue;
      }
      candidates.clear();
      for (std::size_t k = 0; k < K; ++k) {
        const std::size_t r = a * K + k;
        if (!alive[r]) continue;
        const float* row = all + r * V;
        const double lse = scores.log_probs ? 0.0 : row_log_sum_exp(row, V);
        row_top_k(row, V, K, best);
        // A forced step goes on with the prefix's token only; the others stay in the tree.
        if (forced && std::find(best.begin(), best.end(), o.prefix[t]) == best.end()) best.push_back(o.prefix[t]);
        for (int v : best) {
          // Summed as greedy decoding sums, so that beam size 1 reproduces it bit for bit.
          const double token_lp = row[v] - lse, lp = log_prob[r] + token_lp;
          candidates.push_back({lp, k, v, token_lp, add_node(i, r, v, token_lp, lp, t)});
        }
      }
      std::stable_sort(candidates.begin(), candidates.end(),
                       [](const Candidate& x, const Candidate& y) { return x.log_prob > y.log_prob; });
      if (forced) {
        candidates.erase(std::remove_if(candidates.begin(), candidates.end(),
                                        [&](const Candidate& c) { return c.token != o.prefix[t]; }),
                         candidates.end());
      }
      if (candidates.size() > K) candidates.resize(K);
      // Every live hypothesis has t + 1 output steps after this one.
      const bool at_limit = t + 1 >= step_limit(o, source_lengths[i]);
      std::size_t slot = 0;
      for (const Candidate& c : candidates) {
        const std::size_t r = a * K + c.beam;
        if ((c.token == o.eos && !o.ignore_eos) || at_limit) {
          finish(i, t, r, c.token, c.token_log_prob, c.log_prob, /*with_eos=*/c.token == o.eos && !o.ignore_eos, c.node);
          continue;
        }
        const std::size_t j = a * K + slot++;
        next_log_prob[j] = c.log_prob;
        next_alive[j] = 1;
        parent[j] = static_cast<int>(r);
        next_token[j] = c.token;
        next_node[j] = c.node;
        if (trees != nullptr) (*trees)[i].nodes[static_cast<std::size_t>(c.node)].fate = BeamNode::Fate::kept;
        history.link(j, static_cast<int>(r), c.token, c.token_log_prob);
      }
      for (std::size_t k = slot; k < K; ++k) parent[a * K + k] = static_cast<int>(a * K);  // dead rows: any state
      // Done when the beam is full of finished hypotheses or empty; without length
      // normalisation also when no live hypothesis can overtake the n-best finished ones
      // (extending a hypothesis only lowers its log-probability).
      bool end = finished[i].size() >= K || slot == 0;
      if (!end && beam.alpha == 0.0f && finished[i].size() >= beam.n_best) {
        std::vector<double> ranked;
        for (const Hypothesis& h : finished[i]) ranked.push_back(h.score);
        std::nth_element(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(beam.n_best - 1), ranked.end(),
                         std::greater<>());
        double best_live = -std::numeric_limits<double>::infinity();
        for (std::size_t k = 0; k < slot; ++k) best_live = std::max(best_live, next_log_prob[a * K + k]);
        end = best_live <= ranked[beam.n_best - 1];
      }
      if (end) {
        done[i] = 1;
        ended_rows += K;
        std::fill(next_alive.begin() + static_cast<std::ptrdiff_t>(a * K),
                  next_alive.begin() + static_cast<std::ptrdiff_t>(a * K + K), 0);
      }
    }
    if (detail::worth_dropping(ended_rows, R)) {  // the ended sentences' rows leave
      std::vector<std::size_t> kept;
      std::vector<int> rows;  // the rows kept, in this step's numbering
      for (std::size_t a = 0; a < active.size(); ++a) {
        if (done[active[a]]) continue;
        kept.push_back(active[a]);
        for (std::size_t k = 0; k < K; ++k) rows.push_back(static_cast<int>(a * K + k));
      }
      active = std::move(kept);
      history.keep_rows(rows);
      parent = detail::pick(parent, rows);
      next_log_prob = detail::pick(next_log_prob, rows);
      next_alive = detail::pick(next_alive, rows);
      next_token = detail::pick(next_token, rows);
      next_node = detail::pick(next_node, rows);
      if (active.empty()) break;
    }
    scorer.reorder(parent);
    log_prob = std::move(next_log_prob);
    alive = std::move(next_alive);
    previous = std::move(next_token);
    node = std::move(next_node);
  }
  // Sentences still open when the steps ran out: their live hypotheses, cut off.
  for (std::size_t a = 0; a < active.size(); ++a) {
    const std::size_t i = active[a];
    for (std::size_t j = a * K; j < a * K + K; ++j) {
      if (!alive[j]) continue;
      if (t == 0) {  // no step at all (max_length 0): the empty hypothesis
        finished[i].emplace_back();
        finished_nodes[i].push_back(0);
        continue;
      }
      const auto from = static_cast<std::size_t>(history.from(t - 1, j));
      finish(i, t - 1, from, history.token(t - 1, j), history.token_log_prob(t - 1, j), log_prob[j],
             /*with_eos=*/false, node[j]);
    }
  }
  for (std::size_t i = 0; i < N; ++i) {
    std::vector<std::size_t> order(finished[i].size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return finished[i][a].score > finished[i][b].score; });
    if (order.size() > beam.n_best) order.resize(beam.n_best);
    std::vector<Hypothesis> ranked;
    for (std::size_t k : order) {
      ranked.push_back(std::move(finished[i][k]));
      if (trees != nullptr) (*trees)[i].results.push_back(finished_nodes[i][k]);
    }
    finished[i] = std::move(ranked);
  }
  return finished;
}

std::vector<std::vector<Hypothesis>> beam_decode(const Seq2Seq& model, const std::vector<std::vector<int>>& sources,
                                                 const DecodeOptions& options, const BeamOptions& beam,
                                                 std::vector<BeamTree>* trees) {
  if (beam.beam_size == 0) throw std::invalid_argument("beam search: the beam size must be at least 1");
  if (beam.n_best == 0 || beam.n_best > beam.beam_size) {
    throw std::invalid_argument("beam search: n-best " + std::to_string(beam.n_best) + " must be in [1, beam size " +
                                std::to_string(beam.beam_size) + "]");
  }
  if (beam.alpha < 0.0f) throw std::invalid_argument("beam search: alpha must not be negative");
  check_prefix(options, model.config().tgt_vocab);
  return detail::search_in_shards(
      sources, options.threads, trees, [&](const std::vector<std::vector<int>>& part, std::vector<BeamTree>* part_trees) {
        // Every step multiplies a few rows by the same weights: pack them once per thread.
        ModelScorer scorer(model, part, beam.beam_size, options);
        std::vector<std::size_t> lengths;
        for (const auto& s : part) lengths.push_back(s.size());
        return beam_search(scorer, lengths, options, beam, part_trees);
      });
}

}  // namespace nmtx
