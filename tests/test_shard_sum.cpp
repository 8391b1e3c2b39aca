// Data-parallel pieces that one process can check (tests/dist/data_parallel.sh runs them
// under mpirun): how a batch is cut into shards, the shard-order sum, and the sharded step
// against the same sequence written out by hand.
#include <doctest/doctest.h>

#include <cmath>

#include "decode_fixtures.h"
#include "nmtx/core/ops.h"
#include "nmtx/core/optim.h"
#include "nmtx/data/batching.h"
#include "nmtx/dist/same_job.h"
#include "nmtx/dist/shard_sum.h"
#include "nmtx/train/train_step.h"

using namespace nmtx;

namespace {

ParallelCorpus tiny_corpus() {
  ParallelCorpus c;
  const std::vector<std::vector<int>> src{{4, 5, 6}, {7, 8}, {9, 4}, {5}, {6, 7, 8, 9}};
  const std::vector<std::vector<int>> tgt{{5, 4}, {9, 8, 7}, {4}, {6, 6}, {7, 5, 4}};
  for (std::size_t i = 0; i < src.size(); ++i) {
    c.src.push_back(src[i].data(), src[i].size());
    c.tgt.push_back(tgt[i].data(), tgt[i].size());
  }
  return c;
}


std::vector<float> values(const ParameterSet& p) { return std::vector<float>(p.values(), p.values() + p.numel()); }
std::vector<float> grads(const ParameterSet& p) { return std::vector<float>(p.grads(), p.grads() + p.numel()); }

}  // namespace

TEST_CASE("a batch is cut into shards of floor(k*B/S) .. floor((k+1)*B/S), in the batch's order") {
  const BatchIndices batch{7, 3, 9, 1, 0, 4, 8, 2, 6, 5};
  const std::vector<BatchIndices> expected{{7, 3}, {9, 1, 0}, {4, 8}, {2, 6, 5}};
  for (std::size_t k = 0; k < 4; ++k) CHECK(batch_shard(batch, 4, k) == expected[k]);
  CHECK(batch_shard(batch, 1, 0) == batch);
  // A short batch leaves shards empty.
  const BatchIndices two{3, 1};
  CHECK(batch_shard(two, 4, 0).empty());
  CHECK(batch_shard(two, 4, 1) == BatchIndices{3});
  CHECK(batch_shard(two, 4, 2).empty());
  CHECK(batch_shard(two, 4, 3) == BatchIndices{1});
  const ParallelCorpus corpus = tiny_corpus();
  const BatchIndices all{4, 0, 2};
  CHECK(target_tokens(corpus, all) == make_batch(corpus, all).target_tokens());
  CHECK(target_tokens(corpus, all) == 4 + 3 + 2);
}

TEST_CASE("shards are summed left to right in shard order, in float") {
  dist::Communicator& one = dist::Communicator::world();
  REQUIRE(one.size() == 1);
  dist::ShardSum sum(one, 4, 2);
  REQUIRE(sum.local_shards() == 4);
  // Element 0: ((1e8 + 1) + -1e8) + 1 = 1 in float (1e8 + 1 rounds to 1e8); a pairwise
  // tree (1e8 + 1) + (-1e8 + 1) gives 0 and a sum in double 2.
  const float x[4][2] = {{1e8f, 0.5f}, {1.0f, 0.25f}, {-1e8f, 0.125f}, {1.0f, -0.875f}};
  for (std::size_t k = 0; k < 4; ++k) std::copy_n(x[k], 2, sum.shard(k));
  float out[2] = {-7, -7};
  sum.sum(out);
  CHECK(out[0] == 1.0f);
  CHECK(out[1] == 0.0f);
  CHECK(sum.sum_losses({1e17, 1.0, -1e17, 1.0}) == 1.0);  // the same fold in double
  CHECK(sum.stats().steps == 1);
  CHECK(sum.stats().bytes_sent == 0);  // one process sends nothing
}

TEST_CASE("the process count must divide training.shards") {
  dist::Communicator& one = dist::Communicator::world();
  CHECK_NOTHROW(dist::check_shards(one, 3));
  CHECK_THROWS_AS(dist::check_shards(one, 0), dist::SameOnEveryRank);
}

TEST_CASE("the sharded step is each shard's gradient of L_k / T summed in shard order, then clip and update") {
  const ParallelCorpus corpus = tiny_corpus();
  const BatchIndices batch{0, 1, 2, 3, 4};
  ParameterSet a(3), b(3), whole(3);
  const Seq2Seq model_a(test::tiny_train_config(), a), model_b(test::tiny_train_config(), b), model_whole(test::tiny_train_config(), whole);
  Adam adam_a(0.01f), adam_b(0.01f), adam_whole(0.01f);
  Graph ga, gb, gw;
  StepOptions clip;
  clip.clip_norm = 0.5f;
  ShardedStep sharded(dist::Communicator::world(), a, 2, 1);
  const std::size_t T = target_tokens(corpus, batch);
  REQUIRE(T == 2 + 3 + 1 + 2 + 3 + 5);  // targets and a </s> each
  for (std::int64_t step = 1; step <= 3; ++step) {
    const StepResult r = sharded(model_a, a, adam_a, ga, corpus, batch, step, clip);
    // By hand: shard 0 = sentences {0, 1}, shard 1 = {2, 3, 4}.
    std::vector<std::vector<float>> g;
    std::vector<double> l;
    for (const BatchIndices& shard : {BatchIndices{0, 1}, BatchIndices{2, 3, 4}}) {
      gb.clear();
      b.zero_grad();
      const Expr loss = model_b.loss(gb, make_batch(corpus, shard), nullptr);
      gb.backward(scale(loss, static_cast<float>(1.0 / static_cast<double>(T))));
      g.push_back(grads(b));
      l.push_back(loss.item());
    }
    for (std::size_t i = 0; i < b.numel(); ++i) b.grads()[i] = g[0][i] + g[1][i];
    const double norm = clip_grad_norm(b, 0.5f);
    adam_b.step(b);
    CHECK(r.applied);
    CHECK(r.tokens == T);
    CHECK(r.loss == l[0] + l[1]);
    CHECK(r.grad_norm == norm);
    CHECK(values(a) == values(b));
    // And the whole batch in one piece gives the same step up to rounding.
    const StepResult w = train_step(model_whole, whole, adam_whole, gw, make_batch(corpus, batch), clip);
    CHECK(w.loss == doctest::Approx(r.loss).epsilon(1e-6));
    CHECK(w.grad_norm == doctest::Approx(r.grad_norm).epsilon(1e-5));
    for (std::size_t i = 0; i < a.numel(); ++i) REQUIRE(whole.values()[i] == doctest::Approx(a.values()[i]).epsilon(1e-4));
  }
}

TEST_CASE("empty shards contribute nothing: 4 shards of a 2-sentence batch step as 2 shards do") {
  const ParallelCorpus corpus = tiny_corpus();
  const BatchIndices batch{1, 4};
  ParameterSet a(5), b(5);
  const Seq2Seq model_a(test::tiny_train_config(), a), model_b(test::tiny_train_config(), b);
  Adam adam_a(0.01f), adam_b(0.01f);
  Graph ga, gb;
  ShardedStep four(dist::Communicator::world(), a, 4, 1), two(dist::Communicator::world(), b, 2, 1);
  for (std::int64_t step = 1; step <= 2; ++step) {
    const StepResult r4 = four(model_a, a, adam_a, ga, corpus, batch, step, {});
    const StepResult r2 = two(model_b, b, adam_b, gb, corpus, batch, step, {});
    CHECK(r4.loss == r2.loss);
    CHECK(r4.grad_norm == r2.grad_norm);
    CHECK(values(a) == values(b));
  }
}

TEST_CASE("shards on two threads step exactly as on one: the same bits, with dropout") {
  const ParallelCorpus corpus = tiny_corpus();
  const BatchIndices batch{0, 1, 2, 3, 4};
  ParameterSet one(7), two(7);
  ModelConfig config = test::tiny_train_config();
  config.dropout = 0.2f;
  const Seq2Seq model_one(config, one), model_two(config, two);
  Adam adam_one(0.01f), adam_two(0.01f);
  Graph g1, g2;
  Rng unused(1);
  StepOptions options;
  options.dropout = &unused;  // asks for dropout; each shard draws from its own stream
  ShardedStep serial(dist::Communicator::world(), one, 4, 9, 1), parallel(dist::Communicator::world(), two, 4, 9, 2);
  for (std::int64_t step = 1; step <= 3; ++step) {
    const StepResult a = serial(model_one, one, adam_one, g1, corpus, batch, step, options);
    const StepResult b = parallel(model_two, two, adam_two, g2, corpus, batch, step, options);
    REQUIRE(a.applied);
    CHECK(a.loss == b.loss);
    CHECK(a.grad_norm == b.grad_norm);
    REQUIRE(one.numel() == two.numel());
    CHECK(values(one) == values(two));
    CHECK(grads(one) == grads(two));
  }
}

TEST_CASE("a shard sum whose first buffer is the caller's sums into it, as with its own") {
  dist::Communicator& world = dist::Communicator::world();
  std::vector<float> first{1.0f, 2.0f, 3.0f};
  dist::ShardSum borrowed(world, 3, 3, first.data()), owned(world, 3, 3);
  REQUIRE(borrowed.shard(0) == first.data());
  std::copy_n(first.data(), 3, owned.shard(0));
  for (std::size_t l = 1; l < 3; ++l) {
    for (std::size_t i = 0; i < 3; ++i) borrowed.shard(l)[i] = owned.shard(l)[i] = 0.25f * static_cast<float>(l + i);
  }
  std::vector<float> out(3);
  owned.sum(out.data());
  borrowed.sum(first.data());
  CHECK(first == out);
  CHECK(out == std::vector<float>{1.75f, 3.25f, 4.75f});  // e.g. 1 + 0.25 + 0.5
}
