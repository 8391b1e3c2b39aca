// Beam search: a hand-made next-token distribution where greedy is suboptimal, n-best
// order and length normalisation, beam size 1 = greedy bit for bit on every kind of
// decoder state, sentences leaving the batch as they end (each still gets what it gets
// alone), multi-head attention's heads recorded on every path, and on a trained toy model
// a total score not below greedy's.
#include <doctest/doctest.h>

#include <cmath>
#include <algorithm>
#include <map>
#include <memory>
#include <stdexcept>

#include "decode_fixtures.h"
#include "grad_test.h"
#include "nmtx/data/toy_tasks.h"
#include "nmtx/decode/beam.h"
#include "nmtx/decode/corpus.h"
#include "nmtx/core/optim.h"
#include "nmtx/train/train_step.h"

using namespace nmtx;
using namespace nmtx::test;

namespace {

// TableScorer whose attention row for row r at step t is {t, previous[r]}: a
// hypothesis's attention rows tell which path computed them.
class TracingScorer final : public BeamScorer {
 public:
  TracingScorer(std::map<int, std::vector<double>> table, std::size_t rows) : table_(std::move(table), rows) {}
  StepScores step(const std::vector<int>& previous, std::size_t t) override {
    StepScores s = table_.step(previous, t);
    attention_.assign(previous.size() * 2, 0.0f);  // rows leave as sentences end
    for (std::size_t r = 0; r < previous.size(); ++r) {
      attention_[2 * r] = static_cast<float>(t);
      attention_[2 * r + 1] = static_cast<float>(previous[r]);
    }
    s.attention = attention_.data();
    s.attention_stride = 2;
    return s;
  }
  void reorder(const std::vector<int>& rows) override { table_.reorder(rows); }

 private:
  TableScorer table_;
  std::vector<float> attention_;
};

}  // namespace

TEST_CASE("every hypothesis carries the attention rows of its own path, and ties go to the lower id") {
  // After <s>: a and b tie at 0.45 (</s> 0.1); after a: a 0.5, </s> 0.5; after b: </s> 0.9, b 0.1.
  const double tiny = 1e-12;
  const std::map<int, std::vector<double>> table{{2, {tiny, tiny, tiny, 0.1, 0.45, 0.45}},
                                                 {kA, {tiny, tiny, tiny, 0.5, 0.5, tiny}},
                                                 {kB, {tiny, tiny, tiny, 0.9, tiny, 0.1}},
                                                 {kEos, {tiny, tiny, tiny, 1.0, tiny, tiny}}};
  auto check_paths = [](const std::vector<Hypothesis>& hyps) {
    for (const Hypothesis& h : hyps) {
      REQUIRE(h.attention.steps() == h.tokens.size() + (h.finished ? 1 : 0));
      for (std::size_t u = 0; u < h.attention.steps(); ++u) {
        REQUIRE(h.attention.weights[u].size() == 2);
        CHECK(h.attention.weights[u][0] == static_cast<float>(u));
        CHECK(h.attention.weights[u][1] == static_cast<float>(u == 0 ? 2 : h.tokens[u - 1]));
      }
    }
  };
  DecodeOptions o;
  o.max_length = 4;
  TracingScorer greedy_scorer(table, 1);
  const auto greedy = beam_search(greedy_scorer, {2}, o, {1, 0.0f, 1});
  REQUIRE(greedy[0].size() == 1);
  CHECK(greedy[0][0].tokens == std::vector<int>{kA});  // the tie after <s> goes to a (id 4), then </s> (id 3)
  check_paths(greedy[0]);
  // Beam 3: step 0 keeps a (row 0) and b (row 1) and finishes ""; step 1 finishes
  // "b" (0.405), "a" (0.225): three finished hypotheses end the search.
  TracingScorer scorer(table, 3);
  const auto beam = beam_search(scorer, {2}, o, {3, 0.0f, 3});
  REQUIRE(beam[0].size() == 3);
  CHECK(beam[0][0].tokens == std::vector<int>{kB});
  CHECK(beam[0][0].log_prob == doctest::Approx(std::log(0.45 * 0.9)).epsilon(1e-6));
  CHECK(beam[0][1].tokens == std::vector<int>{kA});
  CHECK(beam[0][2].tokens.empty());
  check_paths(beam[0]);
  // Without </s> ending anything, every hypothesis is cut at 4 steps. After step 1 the
  // rows are b </s> (from row 1), a </s> and a a (from row 0): the best path changes rows.
  o.ignore_eos = true;
  TracingScorer long_scorer(table, 3);
  const auto cut = beam_search(long_scorer, {2}, o, {3, 0.0f, 3});
  REQUIRE(cut[0].size() == 3);
  CHECK(cut[0][0].tokens == std::vector<int>{kB, kEos, kEos, kEos});
  CHECK(cut[0][0].log_prob == doctest::Approx(std::log(0.45 * 0.9)).epsilon(1e-6));
  CHECK(cut[0][1].tokens == std::vector<int>{kA, kEos, kEos, kEos});
  CHECK(cut[0][2].tokens == std::vector<int>{kA, kA, kEos, kEos});
  CHECK(cut[0][2].log_prob == doctest::Approx(std::log(0.45 * 0.5 * 0.5)).epsilon(1e-6));
  check_paths(cut[0]);
}

TEST_CASE("beam search finds the better sequence where greedy is led astray") {
  DecodeOptions o;
  o.max_length = 3;
  TableScorer one(garden_path(), 1);
  const auto greedy = beam_search(one, {4}, o, {1, 0.0f, 1});
  REQUIRE(greedy.size() == 1);
  REQUIRE(greedy[0].size() == 1);
  CHECK(greedy[0][0].tokens == std::vector<int>{kA, kA, kA});
  CHECK(!greedy[0][0].finished);
  CHECK(greedy[0][0].log_prob == doctest::Approx(std::log(0.6) + 2 * std::log(0.35)).epsilon(1e-6));
  TableScorer two(garden_path(), 2);
  BeamOptions b2{2, 0.0f, 2};
  const auto beam = beam_search(two, {4}, o, b2);
  REQUIRE(beam[0].size() == 2);
  CHECK(beam[0][0].tokens == std::vector<int>{kB});
  CHECK(beam[0][0].finished);
  CHECK(beam[0][0].log_prob == doctest::Approx(std::log(0.4) + std::log(0.9)).epsilon(1e-6));
  CHECK(beam[0][0].score >= beam[0][1].score);  // n-best, best first
  CHECK(beam[0][0].log_prob > greedy[0][0].log_prob);
  // The reorder requests follow the surviving hypotheses: after step 0 both rows live.
  REQUIRE(!two.reorders.empty());
  CHECK(two.reorders[0] == std::vector<int>{0, 0});
}

TEST_CASE("length normalisation: GNMT's penalty ranks the finished hypotheses") {
  CHECK(length_penalty(7, 0.0f) == 1.0);
  CHECK(length_penalty(7, 1.0f) == doctest::Approx(2.0));
  CHECK(length_penalty(1, 0.6f) == doctest::Approx(1.0));
  // After <s>: </s> 0.5, a 0.5; after a: </s> 0.9. Beam 2 finishes "" (log 0.5) and
  // "a" (log 0.45): unnormalised "" wins; with alpha = 2, "a" scores
  // log(0.45) / (7/6)^2 = -0.587 > log(0.5) / 1 = -0.693 and wins.
  const double tiny = 1e-12;
  std::map<int, std::vector<double>> table{{2, {tiny, tiny, tiny, 0.5, 0.5, tiny}},
                                           {kA, {tiny, tiny, tiny, 0.9, 0.1, tiny}},
                                           {kEos, {tiny, tiny, tiny, 1.0, tiny, tiny}}};
  DecodeOptions o;
  o.max_length = 3;
  TableScorer plain(table, 2), normalised(table, 2);
  const auto a = beam_search(plain, {4}, o, {2, 0.0f, 1});
  const auto b = beam_search(normalised, {4}, o, {2, 2.0f, 2});
  CHECK(a[0][0].tokens.empty());
  REQUIRE(b[0].size() == 2);
  CHECK(b[0][0].tokens == std::vector<int>{kA});
  CHECK(b[0][0].score == doctest::Approx(std::log(0.45) / std::pow(7.0 / 6.0, 2)).epsilon(1e-6));
  CHECK(b[0][1].tokens.empty());
  CHECK(b[0][0].score == doctest::Approx(b[0][0].log_prob / length_penalty(b[0][0].token_log_probs.size(), 2.0f)));
}

TEST_CASE("beam size 1 is greedy decoding, bit for bit, for every kind of decoder state") {
  for (const char* variant : {"bahdanau", "luong-general", "local-p", "location-sensitive", "luong-dot", "luong-multi-head"}) {
    for (const char* cell : {"gru", "lstm"}) {
      CAPTURE(variant);
      CAPTURE(cell);
      ParameterSet params(5);
      const Seq2Seq model(small_model_config(variant, cell), params);
      const std::vector<std::vector<int>> sources = {{4, 5, 6, 7}, {8, 4}, {5, 5, 6, 9, 10}, {7}};
      DecodeOptions o;
      o.max_length = 9;
      const auto greedy = greedy_decode(model, sources, o);
      const auto beam = beam_decode(model, sources, o, {1, 0.0f, 1});
      REQUIRE(greedy.size() == 4);
      REQUIRE(beam.size() == 4);
      for (std::size_t i = 0; i < 4; ++i) {
        CAPTURE(i);
        REQUIRE(beam[i].size() == 1);
        const Hypothesis& b = beam[i][0];
        CHECK(b.tokens == greedy[i].tokens);
        CHECK(b.log_prob == greedy[i].log_prob);
        CHECK(b.token_log_probs == greedy[i].token_log_probs);
        CHECK(b.finished == greedy[i].finished);
        REQUIRE(b.attention.steps() == greedy[i].attention.steps());
        CHECK(b.attention.weights == greedy[i].attention.weights);
        CHECK(b.attention.positions == greedy[i].attention.positions);
        CHECK(b.attention.heads == greedy[i].attention.heads);
        CHECK(b.attention.heads.size() == (std::string(variant) == "luong-multi-head" ? 2u : 0u));
      }
    }
  }
}

TEST_CASE("multi-head attention: greedy, beam search and forced decoding record each head, whose mean is the row") {
  ParameterSet params(5);
  const Seq2Seq model(small_model_config("luong-multi-head"), params);  // 2 heads
  const std::vector<std::vector<int>> sources = {{4, 5, 6, 7}, {8, 4}, {5, 5, 6, 9, 10}};
  DecodeOptions o;
  o.max_length = 9;
  const auto greedy = greedy_decode(model, sources, o);
  const auto beams = beam_decode(model, sources, o, {3, 0.0f, 3});
  REQUIRE(greedy.size() == 3);
  REQUIRE(beams.size() == 3);
  auto check_heads = [](const AttentionRecord& a, std::size_t S) {
    REQUIRE(a.heads.size() == 2);
    for (const auto& head : a.heads) {
      REQUIRE(head.size() == a.steps());
      for (const auto& row : head) {
        REQUIRE(row.size() == S);
        double sum = 0;
        for (float w : row) sum += w;
        CHECK(sum == doctest::Approx(1.0).epsilon(1e-5));  // each head a distribution of its own
      }
    }
    for (std::size_t t = 0; t < a.steps(); ++t) {
      for (std::size_t s = 0; s < S; ++s) CHECK(a.weights[t][s] == doctest::Approx((a.heads[0][t][s] + a.heads[1][t][s]) / 2).epsilon(1e-6));
    }
  };
  ParallelCorpus outputs;
  for (std::size_t i = 0; i < 3; ++i) {
    CAPTURE(i);
    check_heads(greedy[i].attention, sources[i].size());
    for (const Hypothesis& h : beams[i]) check_heads(h.attention, sources[i].size());
    outputs.src.push_back(sources[i].data(), sources[i].size());
    outputs.tgt.push_back(greedy[i].tokens.data(), greedy[i].tokens.size());
  }
  // Teacher forcing of the greedy outputs attends as decoding did, head by head.
  const std::vector<AttentionRecord> forced = forced_attention(model, outputs, 3);
  REQUIRE(forced.size() == 3);
  for (std::size_t i = 0; i < 3; ++i) {
    CAPTURE(i);
    REQUIRE(forced[i].heads.size() == 2);
    const std::size_t steps = std::min(forced[i].steps(), greedy[i].attention.steps());  // a cut output has no </s> row
    for (std::size_t j = 0; j < 2; ++j) {
      REQUIRE(forced[i].heads[j].size() == forced[i].steps());
      for (std::size_t t = 0; t < steps; ++t) {
        for (std::size_t s = 0; s < sources[i].size(); ++s) {
          CHECK(forced[i].heads[j][t][s] == doctest::Approx(greedy[i].attention.heads[j][t][s]).epsilon(1e-5));
        }
      }
    }
  }
  // Truncation keeps every head in step with the rows.
  AttentionRecord cut = greedy[2].attention;
  cut.truncate(1);
  CHECK(cut.steps() == 1);
  CHECK(cut.heads[1].size() == 1);
}

TEST_CASE("without the attention kept, greedy and beam search find the same hypotheses and scores, with no rows") {
  for (const char* variant : {"luong-general", "local-p"}) {
    CAPTURE(variant);
    ParameterSet params(5);
    const Seq2Seq model(small_model_config(variant), params);
    const std::vector<std::vector<int>> sources = {{4, 5, 6, 7}, {8, 4}, {5, 5, 6, 9, 10}, {7}};
    DecodeOptions with, without;
    with.max_length = without.max_length = 9;
    without.keep_attention = false;
    const auto greedy = greedy_decode(model, sources, with), greedy_bare = greedy_decode(model, sources, without);
    const BeamOptions beam{3, 0.6f, 2};  // length normalisation counts the steps
    const auto beams = beam_decode(model, sources, with, beam), beams_bare = beam_decode(model, sources, without, beam);
    REQUIRE(greedy_bare.size() == 4);
    REQUIRE(beams_bare.size() == 4);
    for (std::size_t i = 0; i < 4; ++i) {
      CAPTURE(i);
      CHECK(greedy_bare[i].tokens == greedy[i].tokens);
      CHECK(greedy_bare[i].token_log_probs == greedy[i].token_log_probs);
      CHECK(greedy_bare[i].finished == greedy[i].finished);
      CHECK(greedy[i].attention.steps() == greedy[i].token_log_probs.size());
      CHECK(greedy_bare[i].attention.steps() == 0);
      CHECK(greedy_bare[i].attention.positions.empty());
      REQUIRE(beams_bare[i].size() == beams[i].size());
      for (std::size_t k = 0; k < beams[i].size(); ++k) {
        CAPTURE(k);
        CHECK(beams_bare[i][k].tokens == beams[i][k].tokens);
        CHECK(beams_bare[i][k].score == beams[i][k].score);
        CHECK(beams[i][k].attention.steps() == beams[i][k].token_log_probs.size());
        CHECK(beams_bare[i][k].attention.steps() == 0);
        CHECK(beams_bare[i][k].attention.positions.empty());
      }
    }
  }
}

namespace {

// The model's scorer, recording how many rows each step scores.
class CountingScorer final : public BeamScorer {
 public:
  explicit CountingScorer(std::unique_ptr<BeamScorer> inner) : inner_(std::move(inner)) {}
  StepScores step(const std::vector<int>& previous, std::size_t t) override {
    rows.push_back(previous.size());
    return inner_->step(previous, t);
  }
  void reorder(const std::vector<int>& r) override { inner_->reorder(r); }
  std::vector<std::size_t> rows;

 private:
  std::unique_ptr<BeamScorer> inner_;
};

}  // namespace

TEST_CASE("sentences leave the batch as their search ends, and each still gets the hypothesis it gets alone") {
  // Step limits n + 10 for source lengths n = 1 .. 4, two sentences each: rows leave at
  // steps 11 .. 13 (or earlier at </s>) while the others go on.
  const std::vector<std::vector<int>> sources = {{4}, {5}, {4, 6}, {7, 8}, {5, 6, 7}, {9, 4, 5}, {6, 6, 7, 8}, {10, 4, 9, 5}};
  for (const char* variant : {"bahdanau", "luong-general", "local-p", "location-sensitive"}) {
    for (const char* cell : {"gru", "lstm"}) {
      for (const bool monotonic : {false, true}) {
        CAPTURE(variant);
        CAPTURE(cell);
        CAPTURE(monotonic);
        ParameterSet params(5);
        const Seq2Seq model(small_model_config(variant, cell), params);
        DecodeOptions o;
        o.max_length = 30;
        o.max_length_ratio = 1.0f;
        o.constraints.monotonic = monotonic;
        const BeamOptions beam{3, 0.0f, 1};
        CountingScorer scorer(make_model_scorer(model, sources, beam.beam_size, o));
        std::vector<std::size_t> lengths;
        for (const auto& s : sources) lengths.push_back(s.size());
        const auto together = beam_search(scorer, lengths, o, beam);
        REQUIRE(scorer.rows.size() >= 2);
        CHECK(scorer.rows.front() == sources.size() * beam.beam_size);
        CHECK(scorer.rows.back() < scorer.rows.front());  // rows did leave
        CHECK(std::is_sorted(scorer.rows.rbegin(), scorer.rows.rend()));
        const auto greedy = greedy_decode(model, sources, o);
        REQUIRE(together.size() == sources.size());
        REQUIRE(greedy.size() == sources.size());
        for (std::size_t i = 0; i < sources.size(); ++i) {
          CAPTURE(i);
          const auto alone = beam_decode(model, {sources[i]}, o, beam);
          REQUIRE(alone.size() == 1);
          REQUIRE(together[i].size() == 1);
          REQUIRE(alone[0].size() == 1);
          CHECK(together[i][0].tokens == alone[0][0].tokens);
          CHECK(together[i][0].log_prob == doctest::Approx(alone[0][0].log_prob).epsilon(1e-5));
          const auto greedy_alone = greedy_decode(model, {sources[i]}, o);
          REQUIRE(greedy_alone.size() == 1);
          CHECK(greedy[i].tokens == greedy_alone[0].tokens);
          CHECK(greedy[i].log_prob == doctest::Approx(greedy_alone[0].log_prob).epsilon(1e-5));
          REQUIRE(greedy[i].attention.steps() == greedy_alone[0].attention.steps());
        }
      }
    }
  }
}

TEST_CASE("on a trained toy model, beam search's total score is not below greedy's") {
  const ModelConfig c = test::test_model("luong-general", 4 + 8, 16, 16, 0.1f);
  ParameterSet params(2);
  const Seq2Seq model(c, params);
  Adam adam(0.01f);
  const ToyConfig task{ToyTask::reverse, 8, 1, 7};
  const auto train = generate_toy(task, 64 * 120, 11);
  Graph g;
  auto ids = [](const std::vector<int>& xs) {
    std::vector<int> out;
    for (int x : xs) out.push_back(x + 4);
    return out;
  };
  for (int step = 0; step < 120; ++step) {  // a half-trained model: greedy still makes mistakes
    std::vector<std::vector<int>> src, tgt;
    for (int i = 0; i < 64; ++i) {
      src.push_back(ids(train[step * 64 + i].source));
      tgt.push_back(ids(train[step * 64 + i].target));
    }
    REQUIRE(train_step(model, params, adam, g, make_batch(src, tgt, test::kPad, test::kBos, test::kEos)).applied);
  }
  std::vector<std::vector<int>> sources;
  for (const ToyExample& ex : generate_toy(task, 100, 99)) sources.push_back(ids(ex.source));
  DecodeOptions o;
  o.max_length = 20;
  const auto greedy = greedy_decode(model, sources, o);
  const auto beam = beam_decode(model, sources, o, {4, 0.0f, 1});
  REQUIRE(beam.size() == greedy.size());
  double greedy_total = 0, beam_total = 0;
  std::size_t differ = 0;
  for (std::size_t i = 0; i < greedy.size(); ++i) {
    REQUIRE(beam[i].size() == 1);
    greedy_total += greedy[i].log_prob;
    beam_total += beam[i][0].log_prob;
    differ += beam[i][0].tokens != greedy[i].tokens;
  }
  MESSAGE("greedy " << greedy_total << ", beam 4 " << beam_total << ", " << differ << " of 100 outputs differ");
  CHECK(beam_total >= greedy_total - 1e-9);
  CHECK(differ > 0);  // the test means something only where the two disagree
}

TEST_CASE("beam options are checked") {
  ParameterSet params(1);
  const Seq2Seq model(test::test_model("luong-general", 8, 64, 128, 0.1f), params);
  CHECK_THROWS_WITH_AS(beam_decode(model, {{4}}, {}, {0, 0.0f, 1}), doctest::Contains("at least 1"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(beam_decode(model, {{4}}, {}, {2, 0.0f, 3}), doctest::Contains("n-best 3"), std::invalid_argument);
}
