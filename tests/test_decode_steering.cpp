// The decoder's entry points for steering and looking inside a search (what `nmtx inspect`
// is built on): the beam-search tree, forced prefixes, attention interventions (pin and
// scale) and per-token log-probabilities.
#include <doctest/doctest.h>

#include <cmath>
#include <map>
#include <stdexcept>

#include "decode_fixtures.h"
#include "nmtx/decode/beam.h"
#include "nmtx/decode/corpus.h"

using namespace nmtx;
using namespace nmtx::test;

namespace {

using Fate = BeamNode::Fate;

void check_node(const BeamNode& n, int parent, int token, std::size_t depth, double probability, Fate fate) {
  CHECK(n.parent == parent);
  CHECK(n.token == token);
  CHECK(n.depth == depth);
  CHECK(n.log_prob == doctest::Approx(std::log(probability)).epsilon(1e-6));
  CHECK(n.fate == fate);
}

Seq2Seq make_model(const char* variant, ParameterSet& params, const char* cell = "gru") {
  return Seq2Seq(small_model_config(variant, cell), params);
}

const char* const kVariants[] = {"bahdanau", "luong-general", "luong-dot", "local-p", "local-m",
                                 "location-sensitive", "luong-multi-head", "luong-location"};

}  // namespace

TEST_CASE("the beam-search tree holds every candidate, what went on, what finished and what was returned") {
  // Beam 2. Step 0 keeps a (0.6) and b (0.4). Step 1 considers a→a, a→b (0.21 each; a's
  // top 2, </s> 0.18 is third), b→</s> (0.36), b→a (0.02): b </s> finishes, a a goes on,
  // and then no live hypothesis can beat 0.36 (alpha 0), so the search ends.
  TableScorer scorer(garden_path(), 2);
  DecodeOptions o;
  o.max_length = 3;
  std::vector<BeamTree> trees;
  const auto result = beam_search(scorer, {2}, o, {2, 0.0f, 1}, &trees);
  REQUIRE(result.size() == 1);
  REQUIRE(result[0].size() == 1);
  CHECK(result[0][0].tokens == std::vector<int>{kB});
  REQUIRE(trees.size() == 1);
  const BeamTree& tree = trees[0];
  REQUIRE(tree.nodes.size() == 7);
  check_node(tree.nodes[0], -1, 2, 0, 1.0, Fate::kept);
  check_node(tree.nodes[1], 0, kA, 1, 0.6, Fate::kept);
  check_node(tree.nodes[2], 0, kB, 1, 0.4, Fate::kept);
  check_node(tree.nodes[3], 1, kA, 2, 0.6 * 0.35, Fate::kept);
  check_node(tree.nodes[4], 1, kB, 2, 0.6 * 0.35, Fate::pruned);
  check_node(tree.nodes[5], 2, kEos, 2, 0.4 * 0.9, Fate::finished);
  check_node(tree.nodes[6], 2, kA, 2, 0.4 * 0.05, Fate::pruned);
  CHECK(tree.nodes[5].token_log_prob == doctest::Approx(std::log(0.9)).epsilon(1e-6));
  CHECK(tree.results == std::vector<int>{5});
  // The returned hypothesis's path through the tree carries its numbers.
  CHECK(result[0][0].log_prob == tree.nodes[5].log_prob);
  REQUIRE(result[0][0].token_log_probs.size() == 2);
  CHECK(result[0][0].token_log_probs[0] == tree.nodes[2].token_log_prob);
  CHECK(result[0][0].token_log_probs[1] == tree.nodes[5].token_log_prob);
}

TEST_CASE("a forced prefix: beam search holds it alone, keeps the alternatives in the tree, and goes on from it") {
  // Forcing a: step 0 keeps a only (b is pruned). Then a's best two, a a and a b, and
  // a b </s> (0.6·0.35·0.9) beats every continuation of a a.
  TableScorer scorer(garden_path(), 2);
  DecodeOptions o;
  o.max_length = 5;
  o.prefix = {kA};
  std::vector<BeamTree> trees;
  const auto result = beam_search(scorer, {3}, o, {2, 0.0f, 1}, &trees);
  REQUIRE(result.size() == 1);
  REQUIRE(result[0].size() == 1);
  CHECK(result[0][0].tokens == std::vector<int>{kA, kB});
  CHECK(result[0][0].finished);
  CHECK(result[0][0].log_prob == doctest::Approx(std::log(0.6 * 0.35 * 0.9)).epsilon(1e-6));
  REQUIRE(trees.size() == 1);
  const BeamTree& tree = trees[0];
  REQUIRE(tree.nodes.size() >= 3);
  check_node(tree.nodes[1], 0, kA, 1, 0.6, Fate::kept);
  check_node(tree.nodes[2], 0, kB, 1, 0.4, Fate::pruned);

  // Forcing b, which greedy would not choose: b then </s>.
  TableScorer greedy_like(garden_path(), 1);
  o.prefix = {kB};
  const auto forced_b = beam_search(greedy_like, {3}, o, {1, 0.0f, 1});
  REQUIRE(forced_b.size() == 1);
  REQUIRE(forced_b[0].size() == 1);
  CHECK(forced_b[0][0].tokens == std::vector<int>{kB});
  CHECK(forced_b[0][0].log_prob == doctest::Approx(std::log(0.4 * 0.9)).epsilon(1e-6));
}

TEST_CASE("forced prefixes on a model: beam 1 is greedy bit for bit, and the prefix's scores are forced decoding's") {
  for (const char* variant : kVariants) {
    CAPTURE(variant);
    ParameterSet params(5);
    const Seq2Seq model = make_model(variant, params);
    params.get("decoder.out.b").value()[kEos] -= 3.0f;  // </s> less likely: outputs of a few tokens
    const std::vector<std::vector<int>> sources = {{4, 5, 6, 7}, {8, 4, 9}};
    DecodeOptions o;
    o.max_length = 8;
    const auto free_run = greedy_decode(model, {sources[0]}, o);
    REQUIRE(free_run.size() == 1);
    // Forcing what greedy chooses anyway changes nothing, bit for bit (the same batch).
    REQUIRE(free_run[0].tokens.size() >= 2);
    o.prefix = {free_run[0].tokens[0], free_run[0].tokens[1]};
    const auto same = greedy_decode(model, {sources[0]}, o);
    REQUIRE(same.size() == 1);
    CHECK(same[0].tokens == free_run[0].tokens);
    CHECK(same[0].token_log_probs == free_run[0].token_log_probs);
    CHECK(same[0].attention.weights == free_run[0].attention.weights);

    o.prefix = {10, 4, 10};
    const auto forced = greedy_decode(model, sources, o);
    const auto beam1 = beam_decode(model, sources, o, {1, 0.0f, 1});
    REQUIRE(forced.size() == 2);
    REQUIRE(beam1.size() == 2);
    for (std::size_t i = 0; i < 2; ++i) {
      CAPTURE(i);
      REQUIRE(forced[i].tokens.size() >= 3);
      CHECK(std::vector<int>(forced[i].tokens.begin(), forced[i].tokens.begin() + 3) == o.prefix);
      REQUIRE(beam1[i].size() == 1);
      CHECK(beam1[i][0].tokens == forced[i].tokens);
      CHECK(beam1[i][0].log_prob == forced[i].log_prob);
      CHECK(beam1[i][0].token_log_probs == forced[i].token_log_probs);
      CHECK(beam1[i][0].attention.weights == forced[i].attention.weights);
      // The prefix's log-probabilities are those of forced decoding (another path through
      // the same equations: teacher forcing), to float rounding.
      ParallelCorpus corpus;
      corpus.src.push_back(sources[i].data(), sources[i].size());
      corpus.tgt.push_back(o.prefix.data(), o.prefix.size());
      const auto scored = forced_token_log_probs(model, corpus, 1);
      REQUIRE(scored.size() == 1);
      REQUIRE(scored[0].size() == 4);
      REQUIRE(forced[i].token_log_probs.size() >= 3);
      for (std::size_t t = 0; t < 3; ++t) CHECK(forced[i].token_log_probs[t] == doctest::Approx(scored[0][t]).epsilon(1e-5));
      double sum = 0;
      for (double x : forced[i].token_log_probs) sum += x;
      CHECK(sum == forced[i].log_prob);
    }
  }
}

TEST_CASE("greedy decoding's search tree is beam size 1's, node for node, with and without a forced prefix") {
  for (const char* variant : kVariants) {
    ParameterSet params(5);
    const Seq2Seq model = make_model(variant, params);
    params.get("decoder.out.b").value()[kEos] -= 3.0f;  // </s> less likely: some outputs reach the limit
    const std::vector<std::vector<int>> sources = {{4, 5, 6, 7}, {8, 4, 9}, {5}};
    for (const std::vector<int>& prefix : std::vector<std::vector<int>>{{}, {10, 4, 10}, {4}}) {
      for (std::size_t threads : {1, 2}) {
        CAPTURE(variant);
        CAPTURE(prefix.size());
        CAPTURE(threads);
        DecodeOptions o;
        o.max_length = 7;
        o.prefix = prefix;
        o.threads = threads;
        std::vector<BeamTree> greedy_trees, beam_trees;
        const auto greedy = greedy_decode(model, sources, o, &greedy_trees);
        const auto beam = beam_decode(model, sources, o, {1, 0.0f, 1}, &beam_trees);
        REQUIRE(greedy_trees.size() == sources.size());
        REQUIRE(beam_trees.size() == sources.size());
        const auto plain = greedy_decode(model, sources, o);  // the tree changes nothing else
        REQUIRE(plain.size() == greedy.size());
        for (std::size_t i = 0; i < plain.size(); ++i) {
          CHECK(plain[i].tokens == greedy[i].tokens);
          CHECK(plain[i].token_log_probs == greedy[i].token_log_probs);
          CHECK(plain[i].attention.weights == greedy[i].attention.weights);
        }
        std::size_t pruned = 0;
        for (std::size_t i = 0; i < sources.size(); ++i) {
          CAPTURE(i);
          const BeamTree &g = greedy_trees[i], &b = beam_trees[i];
          REQUIRE(g.nodes.size() == b.nodes.size());
          for (std::size_t n = 0; n < g.nodes.size(); ++n) {
            CAPTURE(n);
            CHECK(g.nodes[n].parent == b.nodes[n].parent);
            CHECK(g.nodes[n].token == b.nodes[n].token);
            CHECK(g.nodes[n].depth == b.nodes[n].depth);
            CHECK(g.nodes[n].log_prob == b.nodes[n].log_prob);
            CHECK(g.nodes[n].token_log_prob == b.nodes[n].token_log_prob);
            CHECK(g.nodes[n].fate == b.nodes[n].fate);
            pruned += g.nodes[n].fate == BeamNode::Fate::pruned;
          }
          CHECK(g.results == b.results);
          REQUIRE(g.results.size() == 1);
          // The chain ends in the node of the hypothesis's last token.
          const BeamNode& last = g.nodes.at(static_cast<std::size_t>(g.results[0]));
          CHECK(last.log_prob == greedy[i].log_prob);
          CHECK(last.depth == greedy[i].token_log_probs.size());
        }
        if (prefix.size() == 3) CHECK(pruned > 0);  // the model's own choice beside a forced token it would not take
        if (prefix.empty()) CHECK(pruned == 0);
      }
    }
  }
}

TEST_CASE("forced prefixes are checked") {
  ParameterSet params(5);
  const Seq2Seq model = make_model("luong-general", params);
  DecodeOptions o;
  for (const std::vector<int>& bad : {std::vector<int>{4, 3}, {2}, {-1}, {11}}) {
    o.prefix = bad;
    CHECK_THROWS_AS(greedy_decode(model, {{4, 5}}, o), std::invalid_argument);
    CHECK_THROWS_AS(beam_decode(model, {{4, 5}}, o, {2, 0.0f, 1}), std::invalid_argument);
  }
}

TEST_CASE("pinning a step's attention: that row is exactly one-hot, earlier steps are untouched, later ones follow") {
  for (const char* variant : kVariants) {
    for (const char* cell : {"gru", "lstm"}) {
      CAPTURE(variant);
      CAPTURE(cell);
      ParameterSet params(7);
      const Seq2Seq model = make_model(variant, params, cell);
      const std::vector<std::vector<int>> sources = {{4, 5, 6, 7, 8}};
      DecodeOptions o;
      o.max_length = 6;
      o.ignore_eos = true;  // a fixed number of steps to compare
      const auto plain = greedy_decode(model, sources, o);
      o.constraints.intervention = {AttentionIntervention::Kind::pin, 2, 3, 1.0f};
      const auto pinned = greedy_decode(model, sources, o);
      const auto pinned_beam = beam_decode(model, sources, o, {3, 0.0f, 1});
      REQUIRE(plain.size() == 1);
      REQUIRE(pinned.size() == 1);
      REQUIRE(plain[0].attention.steps() == 6);
      REQUIRE(pinned[0].attention.steps() == 6);
      CHECK(pinned[0].attention.weights[0] == plain[0].attention.weights[0]);
      CHECK(pinned[0].attention.weights[1] == plain[0].attention.weights[1]);
      CHECK(pinned[0].attention.weights[2] == std::vector<float>{0, 0, 0, 1, 0});
      CHECK(pinned[0].attention.weights[3] != plain[0].attention.weights[3]);  // the state changed
      REQUIRE(pinned_beam.size() == 1);
      REQUIRE(pinned_beam[0].size() == 1);
      REQUIRE(pinned_beam[0][0].attention.steps() == 6);
      CHECK(pinned_beam[0][0].attention.weights[2] == std::vector<float>{0, 0, 0, 1, 0});
    }
  }
}

TEST_CASE("scaling one weight renormalises the row, and the factor and position are checked") {
  for (const char* variant : kVariants) {
    CAPTURE(variant);
    ParameterSet params(9);
    const Seq2Seq model = make_model(variant, params);
    const std::vector<std::vector<int>> sources = {{4, 5, 6, 7}};
    DecodeOptions o;
    o.max_length = 4;
    o.ignore_eos = true;
    const auto plain = greedy_decode(model, sources, o);
    o.constraints.intervention = {AttentionIntervention::Kind::scale, 1, 2, 3.0f};
    const auto scaled = greedy_decode(model, sources, o);
    REQUIRE(plain.size() == 1);
    REQUIRE(scaled.size() == 1);
    REQUIRE(scaled[0].attention.steps() == 4);
    CHECK(scaled[0].attention.weights[0] == plain[0].attention.weights[0]);
    // Multi-head attention scales every head's row before their mean; the others, the row.
    if (std::string(variant) != "luong-multi-head") {
      std::vector<float> expected = plain[0].attention.weights[1];
      REQUIRE(expected.size() == 4);
      double mass = 0, total = 0;
      for (float w : expected) mass += w;
      expected[2] *= 3.0f;
      for (float w : expected) total += w;
      for (float& w : expected) w = static_cast<float>(w * mass / total);
      CHECK(scaled[0].attention.weights[1] == expected);
    }
    double before = 0, after = 0;  // the row keeps its mass
    for (float w : plain[0].attention.weights[1]) before += w;
    for (float w : scaled[0].attention.weights[1]) after += w;
    CHECK(after == doctest::Approx(before).epsilon(1e-6));
    CHECK(scaled[0].attention.weights[1][2] > plain[0].attention.weights[1][2]);

    o.constraints.intervention = {AttentionIntervention::Kind::pin, 1, 4, 1.0f};  // one past the last position
    CHECK_THROWS_AS(greedy_decode(model, sources, o), std::invalid_argument);
    o.constraints.intervention = {AttentionIntervention::Kind::scale, 1, 0, -1.0f};
    CHECK_THROWS_AS(greedy_decode(model, sources, o), std::invalid_argument);
  }
}

TEST_CASE("per-token log-probabilities sum, in order, to the hypothesis's log-probability") {
  ParameterSet params(3);
  const Seq2Seq model = make_model("bahdanau", params);
  const std::vector<std::vector<int>> sources = {{4, 5, 6}, {7, 8, 9, 10, 4}};
  DecodeOptions o;
  o.max_length = 7;
  for (const Hypothesis& h : greedy_decode(model, sources, o)) {
    REQUIRE(h.token_log_probs.size() == h.attention.steps());
    double sum = 0;
    for (double x : h.token_log_probs) sum += x;
    CHECK(sum == h.log_prob);
  }
  for (const auto& n_best : beam_decode(model, sources, o, {4, 0.0f, 3})) {
    REQUIRE(n_best.size() == 3);
    for (const Hypothesis& h : n_best) {
      REQUIRE(h.token_log_probs.size() == h.attention.steps());
      double sum = 0;
      for (double x : h.token_log_probs) sum += x;
      CHECK(sum == h.log_prob);
    }
  }
}
