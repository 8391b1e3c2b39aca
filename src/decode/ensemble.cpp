#include "nmtx/decode/ensemble.h"

#include <cmath>
#include <memory>
#include <stdexcept>

#include "nmtx/core/row_kernels.h"
#include "nmtx/decode/corpus.h"
#include "shards.h"

namespace nmtx {

namespace {

// The members' scorers side by side: every step each member scores its rows, and the
// search sees the rows' averaged log-probabilities.
class EnsembleScorer final : public BeamScorer {
 public:
  EnsembleScorer(const std::vector<EnsembleMember>& members, const std::vector<std::size_t>& sentences, std::size_t K,
                 const DecodeOptions& options, bool average_attention)
      : average_attention_(average_attention) {
    for (const EnsembleMember& m : members) {
      std::vector<std::vector<int>> part;
      for (std::size_t i : sentences) part.push_back(m.sources[i]);
      scorers_.push_back(make_model_scorer(*m.model, part, K, options));
    }
  }

  // Each member's scorer may open a PackedWeightsScope, and scopes must close in the
  // reverse order of opening (core/packed_weights.h): the last member first.
  ~EnsembleScorer() override {
    while (!scorers_.empty()) scorers_.pop_back();
  }
  EnsembleScorer(const EnsembleScorer&) = delete;
  EnsembleScorer& operator=(const EnsembleScorer&) = delete;

  StepScores step(const std::vector<int>& previous, std::size_t t) override {
    const std::size_t R = previous.size(), M = scorers_.size();
    std::vector<StepScores> s;
    for (auto& scorer : scorers_) s.push_back(scorer->step(previous, t));
    const std::size_t V = s[0].vocab;
    for (const StepScores& x : s) {
      if (x.vocab != V) throw std::invalid_argument("ensemble: the members' target vocabularies differ in size");
    }
    log_probs_.assign(R * V, 0.0f);
    std::vector<double> sum(V);
    for (std::size_t r = 0; r < R; ++r) {
      std::fill(sum.begin(), sum.end(), 0.0);
      for (const StepScores& x : s) {
        const float* row = x.logits + r * V;
        const double lse = row_log_sum_exp(row, V);
        for (std::size_t v = 0; v < V; ++v) sum[v] += row[v] - lse;
      }
      for (std::size_t v = 0; v < V; ++v) log_probs_[r * V + v] = static_cast<float>(sum[v] / static_cast<double>(M));
    }
    StepScores out = s[0];  // member 0's attention unless averaged
    out.logits = log_probs_.data();
    out.log_probs = true;
    if (average_attention_ && out.attention != nullptr) {
      const std::size_t n = R * out.attention_stride;
      attention_.assign(n, 0.0f);
      for (const StepScores& x : s) {
        for (std::size_t i = 0; i < n; ++i) attention_[i] += x.attention[i] / static_cast<float>(M);
      }
      out.attention = attention_.data();
      out.heads = nullptr;  // the members' heads are not one model's
      out.head_count = 0;
      bool positions = true;
      for (const StepScores& x : s) positions = positions && x.positions != nullptr;
      if (positions) {
        positions_.assign(R, 0.0f);
        for (const StepScores& x : s) {
          for (std::size_t r = 0; r < R; ++r) positions_[r] += x.positions[r] / static_cast<float>(M);
        }
        out.positions = positions_.data();
      } else {
        out.positions = nullptr;
      }
    }
    return out;
  }

  void reorder(const std::vector<int>& rows) override {
    for (auto& scorer : scorers_) scorer->reorder(rows);
  }

 private:
  bool average_attention_;
  std::vector<std::unique_ptr<BeamScorer>> scorers_;
  std::vector<float> log_probs_, attention_, positions_;
};

}  // namespace

std::vector<std::vector<Hypothesis>> ensemble_decode(const std::vector<EnsembleMember>& members,
                                                     const DecodeOptions& options, const BeamOptions& beam,
                                                     bool average_attention, std::vector<BeamTree>* trees) {
  if (members.empty()) throw std::invalid_argument("ensemble: no members");
  const std::size_t N = members[0].sources.size();
  for (const EnsembleMember& m : members) {
    if (m.sources.size() != N) throw std::invalid_argument("ensemble: the members were given different sentence counts");
    check_prefix(options, m.model->config().tgt_vocab);
  }
  if (members.size() == 1) {  // the member itself, bit for bit
    const EnsembleMember& m = members[0];
    if (beam.beam_size > 1) return beam_decode(*m.model, m.sources, options, beam, trees);
    std::vector<std::vector<Hypothesis>> out;
    for (Hypothesis& h : greedy_decode(*m.model, m.sources, options, trees)) out.push_back({std::move(h)});
    return out;
  }
  if (beam.beam_size == 0 || beam.n_best == 0 || beam.n_best > beam.beam_size) {
    throw std::invalid_argument("ensemble: beam size and n-best must satisfy 1 <= n-best <= beam size");
  }
  // Shards of sentence indices (search_in_shards cuts "sources": here one index each).
  std::vector<std::vector<int>> index(N);
  for (std::size_t i = 0; i < N; ++i) index[i] = {static_cast<int>(i)};
  return detail::search_in_shards(
      index, options.threads, trees, [&](const std::vector<std::vector<int>>& part, std::vector<BeamTree>* part_trees) {
        std::vector<std::size_t> sentences, lengths;
        for (const auto& p : part) {
          sentences.push_back(static_cast<std::size_t>(p[0]));
          lengths.push_back(members[0].sources[sentences.back()].size());  // member 0's step limits
        }
        EnsembleScorer scorer(members, sentences, beam.beam_size, options, average_attention);
        return beam_search(scorer, lengths, options, beam, part_trees);
      });
}

std::vector<std::vector<Hypothesis>> ensemble_decode_batched(const std::vector<EnsembleMember>& members,
                                                             std::size_t batch, const DecodeOptions& options,
                                                             const BeamOptions& beam, bool average_attention) {
  if (members.empty()) throw std::invalid_argument("ensemble: no members");
  std::vector<std::size_t> lengths;
  for (const std::vector<int>& sentence : members[0].sources) lengths.push_back(sentence.size());
  return detail::decode_in_batches<std::vector<Hypothesis>>(
      lengths, batch, options, [&](const std::vector<std::size_t>& sentences, const DecodeOptions& one_thread) {
        std::vector<EnsembleMember> part(members.size());
        for (std::size_t m = 0; m < members.size(); ++m) {
          part[m].model = members[m].model;
          for (std::size_t i : sentences) part[m].sources.push_back(members[m].sources.at(i));
        }
        return ensemble_decode(part, one_thread, beam, average_attention);
      });
}

std::vector<std::vector<double>> ensemble_forced_token_log_probs(const std::vector<const Seq2Seq*>& models,
                                                                 const std::vector<ParallelCorpus>& corpora,
                                                                 std::size_t batch_size) {
  if (models.empty() || models.size() != corpora.size()) throw std::invalid_argument("ensemble: one corpus per member");
  std::vector<std::vector<double>> sum = forced_token_log_probs(*models[0], corpora[0], batch_size);
  if (models.size() == 1) return sum;
  for (std::size_t m = 1; m < models.size(); ++m) {
    const std::vector<std::vector<double>> lp = forced_token_log_probs(*models[m], corpora[m], batch_size);
    for (std::size_t i = 0; i < sum.size(); ++i) {
      for (std::size_t t = 0; t < sum[i].size(); ++t) sum[i][t] += lp[i][t];
    }
  }
  for (auto& sentence : sum) {
    for (double& x : sentence) x /= static_cast<double>(models.size());
  }
  return sum;
}

AttentionRecord average_attention(const std::vector<AttentionRecord>& records) {
  if (records.empty()) throw std::invalid_argument("average_attention: no records");
  AttentionRecord out = records[0];
  if (records.size() == 1) return out;
  const auto M = static_cast<float>(records.size());
  for (auto& row : out.weights) {
    for (float& w : row) w = 0.0f;
  }
  bool positions = true;
  for (const AttentionRecord& r : records) {
    if (r.weights.size() != out.weights.size()) throw std::invalid_argument("average_attention: records differ in steps");
    for (std::size_t t = 0; t < r.weights.size(); ++t) {
      if (r.weights[t].size() != out.weights[t].size()) {
        throw std::invalid_argument("average_attention: records differ in source length");
      }
      for (std::size_t j = 0; j < r.weights[t].size(); ++j) out.weights[t][j] += r.weights[t][j] / M;
    }
    positions = positions && r.positions.size() == out.weights.size();
  }
  out.positions.clear();
  out.heads.clear();  // the members' heads are not one model's
  if (positions) {
    out.positions.assign(out.weights.size(), 0.0f);
    for (const AttentionRecord& r : records) {
      for (std::size_t t = 0; t < r.positions.size(); ++t) out.positions[t] += r.positions[t] / M;
    }
  }
  return out;
}

}  // namespace nmtx
