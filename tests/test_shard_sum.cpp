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
  ShardedStep sharded(dist::Communicator::world(), 2, a.numel(), 1);
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
  ShardedStep four(dist::Communicator::world(), 4, a.numel(), 1), two(dist::Communicator::world(), 2, b.numel(), 1);
  for (std::int64_t step = 1; step <= 2; ++step) {
    const StepResult r4 = four(model_a, a, adam_a, ga, corpus, batch, step, {});
    const StepResult r2 = two(model_b, b, adam_b, gb, corpus, batch, step, {});
    CHECK(r4.loss == r2.loss);
    CHECK(r4.grad_norm == r2.grad_norm);
    CHECK(values(a) == values(b));
  }
}
