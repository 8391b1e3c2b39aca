// Toy tasks (alignments that really point at the copied symbol) and greedy decoding
// (its log-probability equals forced decoding of its own output; shards and batches of many
// sentences give what one batch and each sentence alone give).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "decode_fixtures.h"
#include "grad_test.h"
#include "nmtx/data/toy_tasks.h"
#include "nmtx/decode/ensemble.h"
#include "nmtx/decode/greedy.h"

using namespace nmtx;

TEST_CASE("toy tasks: every alignment link points at the symbol the target copies") {
  for (ToyTask task : {ToyTask::copy, ToyTask::reverse, ToyTask::sort, ToyTask::reorder}) {
    CAPTURE(toy_task_name(task));
    const std::vector<ToyExample> xs = generate_toy({task, 5, 2, 12}, 300, 7);
    REQUIRE(xs.size() == 300);
    for (const ToyExample& ex : xs) {
      const std::size_t n = ex.source.size();
      REQUIRE(ex.target.size() == n);
      REQUIRE(ex.alignment.size() == n);
      CHECK(n >= 2);
      CHECK(n <= 12);
      std::vector<int> used;
      for (std::size_t t = 0; t < n; ++t) {
        const auto [s, tt] = ex.alignment[t];
        CHECK(tt == static_cast<int>(t));
        CHECK(ex.target[t] == ex.source[s]);
        used.push_back(s);
        if (task == ToyTask::copy) CHECK(s == static_cast<int>(t));
        if (task == ToyTask::reverse) CHECK(s == static_cast<int>(n - 1 - t));
        if (task == ToyTask::reorder) CHECK(s == static_cast<int>((t + n / 3) % n));
        // sort: equal symbols keep their source order (a stable sort)
        if (task == ToyTask::sort && t > 0 && ex.target[t] == ex.target[t - 1]) CHECK(s > ex.alignment[t - 1].first);
      }
      if (task == ToyTask::sort) CHECK(std::is_sorted(ex.target.begin(), ex.target.end()));
      std::sort(used.begin(), used.end());
      for (std::size_t i = 0; i < n; ++i) CHECK(used[i] == static_cast<int>(i));  // a permutation
    }
  }
  // Reorder: in "0 1 2 3 4 5" the first third moves to the end.
  const ToyExample r = generate_toy({ToyTask::reorder, 100, 6, 6}, 1, 3)[0];
  CHECK(std::vector<int>(r.target.begin(), r.target.begin() + 4) == std::vector<int>(r.source.begin() + 2, r.source.end()));
}

TEST_CASE("toy tasks are seeded and their options are checked") {
  const ToyConfig c{ToyTask::sort, 9, 1, 20};
  const auto a = generate_toy(c, 50, 1), b = generate_toy(c, 50, 1), d = generate_toy(c, 50, 2);
  bool same = true, differ = false;
  for (std::size_t i = 0; i < 50; ++i) {
    same = same && a[i].source == b[i].source;
    differ = differ || a[i].source != d[i].source;
  }
  CHECK(same);
  CHECK(differ);
  CHECK_THROWS_WITH_AS(parse_toy_task("shuffle"), doctest::Contains("valid: copy, reverse, sort, reorder"), std::invalid_argument);
  CHECK_THROWS_AS(generate_toy({ToyTask::copy, 5, 3, 2}, 1, 1), std::invalid_argument);
}

TEST_CASE("greedy decoding: its log-probability is that of forced decoding of its own output") {
  // Counted as compared: every decoding step whose log-probability was recomputed, and every
  // hypothesis that ended with </s> and so could be compared with the whole forced loss.
  std::size_t steps_compared = 0, losses_compared = 0;
  for (const char* variant : {"bahdanau", "luong-general", "luong-dot", "luong-concat", "luong-location",
                              "luong-scaled-dot", "luong-multi-head", "local-m", "local-p", "location-sensitive"}) {
    CAPTURE(variant);
    ModelConfig c = test::test_model(variant, 9, 6, 5, 0.8f);  // an untrained but opinionated model
    c.attention.heads = 2;  // multi-head: the attention size 10 in 2 heads
    ParameterSet params(3);
    const Seq2Seq model(c, params);
    // A push towards </s> (id 3), so that some hypotheses end before the length limit and
    // their whole forced loss can be compared too.
    params.get("decoder.out.b").value()[test::kEos] += 3.0f;
    const std::vector<std::vector<int>> sources = {{4, 5, 6, 7}, {8, 4}, {5, 5, 6}};
    DecodeOptions options;
    options.max_length = 6;
    const std::vector<Hypothesis> out = greedy_decode(model, sources, options);
    REQUIRE(out.size() == 3);
    for (std::size_t i = 0; i < 3; ++i) {
      CAPTURE(i);
      const Hypothesis& h = out[i];
      CHECK(h.tokens.size() <= 6);
      const bool ended = h.attention.steps() == h.tokens.size() + 1;
      CHECK((ended || h.tokens.size() == 6));
      for (const auto& row : h.attention.weights) CHECK(row.size() == sources[i].size());
      const bool local = is_local(c.attention.type);  // local-m and local-p predict p_t
      CHECK(h.attention.positions.size() == (local ? h.attention.steps() : 0));
      // Forced decoding of (source, output) with the same model: Σ_t log p(y_t) over the
      // steps greedy took (</s> included when it was produced), from the logits.
      Graph g;
      const Batch forced = make_batch({sources[i]}, {h.tokens}, test::kPad, test::kBos, test::kEos);
      const Expr logits = model.forward(g, forced, nullptr).logits;  // (T, V) for one sentence
      const std::size_t V = logits.shape()[1], steps = h.attention.steps();
      REQUIRE(steps >= 1);
      REQUIRE(logits.shape()[0] >= steps);
      double log_prob = 0;
      for (std::size_t t = 0; t < steps; ++t) {
        const float* row = logits.value().data() + t * V;
        log_prob += nmtx::test::log_softmax_at(row, V, t < h.tokens.size() ? h.tokens[t] : 3);
      }
      CHECK(log_prob == doctest::Approx(h.log_prob).epsilon(1e-5));
      steps_compared += steps;
      if (ended) {
        CHECK(-model.loss(g, forced, nullptr).item() == doctest::Approx(h.log_prob).epsilon(1e-5));
        ++losses_compared;
      }
    }
  }
  CHECK(steps_compared >= 30);  // 10 variants x 3 sentences, at least a step each
  // Both kinds occur: hypotheses that ended with </s> and ones cut at 6 steps.
  CHECK(losses_compared >= 3);
  CHECK(losses_compared < 30);
}

TEST_CASE("greedy decoding in parallel shards gives the same hypotheses as one batch") {
  const ModelConfig c = test::test_model("bahdanau", 12, 6, 5, 0.8f);
  ParameterSet params(4);
  const Seq2Seq model(c, params);
  std::vector<std::vector<int>> sources;
  for (int i = 0; i < 7; ++i) sources.push_back(std::vector<int>(2 + i % 4, 4 + i));
  DecodeOptions one;
  one.max_length = 8;
  DecodeOptions three = one;
  three.threads = 3;
  const auto a = greedy_decode(model, sources, one), b = greedy_decode(model, sources, three);
  REQUIRE(a.size() == 7);
  REQUIRE(b.size() == 7);
  for (std::size_t i = 0; i < 7; ++i) {
    CAPTURE(i);
    CHECK(a[i].tokens == b[i].tokens);
    CHECK(a[i].log_prob == doctest::Approx(b[i].log_prob).epsilon(1e-5));
    REQUIRE(a[i].attention.steps() == b[i].attention.steps());
  }
}

TEST_CASE("many sentences in batches: input order kept, each batch's bits whatever the thread count") {
  ParameterSet params(4);
  const Seq2Seq model(test::small_model_config("luong-general"), params);
  // 11 sentences of lengths 1 .. 6 in shuffled order: sorted, they make batches of 4, 4 and 3.
  std::vector<std::vector<int>> sources;
  for (int i = 0; i < 11; ++i) sources.push_back(std::vector<int>(1 + (i * 7) % 6, 4 + i % 7));
  DecodeOptions o;
  o.max_length = 9;
  std::vector<std::vector<std::vector<Hypothesis>>> runs;
  for (const std::size_t threads : {1, 2, 3}) {
    o.threads = threads;
    runs.push_back(ensemble_decode_batched({{&model, sources}}, 4, o, {2, 0.0f, 1}, false));
  }
  for (const auto& run : runs) {
    REQUIRE(run.size() == sources.size());
    for (std::size_t i = 0; i < sources.size(); ++i) {
      CAPTURE(i);
      REQUIRE(run[i].size() == 1);
      CHECK(run[i][0].tokens == runs[0][i][0].tokens);
      CHECK(run[i][0].log_prob == runs[0][i][0].log_prob);  // the same batches: the same bits
      CHECK(run[i][0].attention.weights == runs[0][i][0].attention.weights);
      REQUIRE(run[i][0].attention.steps() >= 1);
      CHECK(run[i][0].attention.weights[0].size() == sources[i].size());  // sentence i's own, in input order
    }
  }
  o.threads = 1;
  for (std::size_t i = 0; i < sources.size(); ++i) {  // each as decoded alone
    CAPTURE(i);
    const auto alone = beam_decode(model, {sources[i]}, o, {2, 0.0f, 1});
    REQUIRE(alone.size() == 1);
    CHECK(alone[0][0].tokens == runs[0][i][0].tokens);
    CHECK(alone[0][0].log_prob == doctest::Approx(runs[0][i][0].log_prob).epsilon(1e-5));
  }
}
