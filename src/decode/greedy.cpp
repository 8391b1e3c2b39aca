#include "nmtx/decode/greedy.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <optional>
#include <stdexcept>

#include "nmtx/core/packed_weights.h"
#include "nmtx/core/row_kernels.h"
#include "rows.h"
#include "shards.h"

namespace nmtx {

namespace {

std::vector<Hypothesis> decode_shard(const Seq2Seq& model, const std::vector<std::vector<int>>& sources,
                                     const DecodeOptions& options, std::vector<BeamTree>* trees);

}  // namespace

std::vector<Hypothesis> greedy_decode(const Seq2Seq& model, const std::vector<std::vector<int>>& sources,
                                      const DecodeOptions& options, std::vector<BeamTree>* trees) {
  if (trees == nullptr) {
    return detail::decode_in_shards<Hypothesis>(sources, options.threads, [&](const std::vector<std::vector<int>>& part) {
      return decode_shard(model, part, options, nullptr);
    });
  }
  // With trees, as beam search keeps them (one hypothesis per list).
  auto lists = detail::search_in_shards(
      sources, options.threads, trees, [&](const std::vector<std::vector<int>>& part, std::vector<BeamTree>* part_trees) {
        std::vector<std::vector<Hypothesis>> out;
        for (Hypothesis& h : decode_shard(model, part, options, part_trees)) out.push_back({std::move(h)});
        return out;
      });
  std::vector<Hypothesis> out;
  for (auto& list : lists) out.push_back(std::move(list[0]));
  return out;
}

namespace {

// Greedy decoding's search tree, as beam search of size 1 draws it: the chosen token at
// every step, and on a forced step the model's own choice beside the prefix's (pruned).
class GreedyTree {
 public:
  explicit GreedyTree(int bos) : tree_(BeamTree::rooted(bos)) {}
  void add(int token, std::size_t depth, double log_prob, double token_log_prob, BeamNode::Fate fate) {
    tree_.nodes.push_back({last_, token, depth, log_prob, token_log_prob, fate});
    if (fate != BeamNode::Fate::pruned) last_ = static_cast<int>(tree_.nodes.size() - 1);
  }
  BeamTree finish() {
    tree_.results = {last_};
    return std::move(tree_);
  }

 private:
  BeamTree tree_;
  int last_ = 0;  // the node the hypothesis ends in so far (0: the root)
};

// Decodes `sources` as one batch; with `trees`, sets it to their search trees.
std::vector<Hypothesis> decode_shard(const Seq2Seq& model, const std::vector<std::vector<int>>& sources,
                                     const DecodeOptions& options, std::vector<BeamTree>* trees) {
  const int bos = options.bos, eos = options.eos;
  check_prefix(options, model.config().tgt_vocab);
  const std::size_t B = sources.size();
  std::vector<Hypothesis> out(B);
  std::vector<GreedyTree> tree(trees != nullptr ? B : 0, GreedyTree(bos));
  auto result = [&] {
    for (Hypothesis& h : out) h.score = h.log_prob;
    if (trees != nullptr) {
      trees->clear();
      for (GreedyTree& t : tree) trees->push_back(t.finish());
    }
    return std::move(out);
  };
  if (B == 0) return result();
  const Batch batch = make_batch(sources, std::vector<std::vector<int>>(B), /*pad=*/0, bos, eos);
  // Every step multiplies a few rows by the same weights: pack them once per thread (or
  // use the caller's packs, kept over its batches).
  std::optional<PackedWeightsScope> packed;
  if (!PackedWeightsScope::in_force()) packed.emplace();
  Graph g;
  NoGradScope no_grad(g);
  const Graph::Mark before_encoding = g.mark();
  EncodedBatch encoded = model.encode(g, batch.src, batch.src_lengths, batch.src_len, nullptr);
  rewind_keeping(g, before_encoding, encoded);  // the encoder's intermediate values go
  DecoderState state = model.start(g, encoded);
  // Row j of the decoder's tensors is sentence sentence_of[j]; finished sentences leave.
  std::vector<int> sentence_of(B), previous(B, bos);
  std::iota(sentence_of.begin(), sentence_of.end(), 0);
  std::vector<char> done(B, 0);
  const std::size_t S = batch.src_len;
  Graph::Mark step_start = g.mark();  // each step's nodes are forgotten once read
  for (std::size_t t = 0; t < options.max_length && !sentence_of.empty(); ++t) {
    const DecoderStep step = model.step(g, encoded, state, previous, t, nullptr, options.constraints);
    const Expr logits = model.logits(g, step.output);  // (rows, V)
    const std::size_t V = logits.shape()[1];
    const float* all_logits = logits.value().data();
    const float* all_weights = step.attention.weights.value().data();
    const float* positions = step.attention.position.valid() ? step.attention.position.value().data() : nullptr;
    const float* heads = step.attention.heads.valid() ? step.attention.heads.value().data() : nullptr;  // (rows, k, S)
    const std::size_t k = heads != nullptr ? step.attention.heads.shape()[1] : 0;
    std::size_t finished_rows = 0;
    for (std::size_t j = 0; j < sentence_of.size(); ++j) {
      const auto b = static_cast<std::size_t>(sentence_of[j]);
      if (done[b]) {
        previous[j] = eos;
        ++finished_rows;
        continue;
      }
      const float* row = all_logits + j * V;
      const RowChoice choice = row_argmax_log_sum_exp(row, V);
      const std::size_t best = t < options.prefix.size() ? static_cast<std::size_t>(options.prefix[t]) : choice.argmax;
      Hypothesis& h = out[b];
      const double token_log_prob = row[best] - choice.log_sum_exp;  // log softmax of the chosen token
      if (trees != nullptr && best != choice.argmax) {  // a forced step: what the model would have said
        const double own = row[choice.argmax] - choice.log_sum_exp;
        tree[b].add(static_cast<int>(choice.argmax), t + 1, h.log_prob + own, own, BeamNode::Fate::pruned);
      }
      h.token_log_probs.push_back(token_log_prob);
      h.log_prob += token_log_prob;
      if (options.keep_attention) {
        const float* w = all_weights + j * S;
        h.attention.weights.emplace_back(w, w + batch.src_lengths[b]);
        if (positions != nullptr) h.attention.positions.push_back(positions[j]);
        if (heads != nullptr) h.attention.append_heads(heads + j * k * S, k, S, batch.src_lengths[b]);
      }
      if (static_cast<int>(best) == eos && !options.ignore_eos) {
        done[b] = 1;
        h.finished = true;
      } else {
        h.tokens.push_back(static_cast<int>(best));
        if (h.token_log_probs.size() >= step_limit(options, sources[b].size())) done[b] = 1;
      }
      if (trees != nullptr) {
        tree[b].add(static_cast<int>(best), t + 1, h.log_prob, token_log_prob,
                    done[b] ? BeamNode::Fate::finished : BeamNode::Fate::kept);
      }
      if (done[b]) ++finished_rows;
      previous[j] = static_cast<int>(best);
    }
    rewind_keeping(g, step_start, state);
    if (detail::worth_dropping(finished_rows, sentence_of.size())) {
      std::vector<int> live;
      for (std::size_t j = 0; j < sentence_of.size(); ++j) {
        if (!done[static_cast<std::size_t>(sentence_of[j])]) live.push_back(static_cast<int>(j));
      }
      if (live.empty()) break;
      encoded = select_sentences(encoded, live);
      state = select_rows(state, live);
      sentence_of = detail::pick(sentence_of, live);
      previous = detail::pick(previous, live);
      step_start = g.mark();  // the gathered encodings and state stay
    }
  }
  return result();
}

}  // namespace

}  // namespace nmtx
