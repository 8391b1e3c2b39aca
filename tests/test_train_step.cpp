// train_step, the one optimisation step the trainer, demo, benchmark and tests share:
// the same numbers as the sequence written out by hand, and a NaN leaves the parameters
// untouched.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "decode_fixtures.h"
#include "nmtx/core/ops.h"
#include "nmtx/core/optim.h"
#include "nmtx/train/train_step.h"

using namespace nmtx;

namespace {


Batch tiny_batch() { return make_batch({{4, 5, 6}, {7, 8}}, {{5, 4}, {9, 8, 7}}, test::kPad, test::kBos, test::kEos); }

std::vector<float> values(const ParameterSet& p) { return std::vector<float>(p.values(), p.values() + p.numel()); }

}  // namespace

TEST_CASE("train_step is zero-grad, token-normalised loss, backward, clipping and the update, bit for bit") {
  ParameterSet a(3), b(3);
  const Seq2Seq model_a(test::tiny_train_config(), a), model_b(test::tiny_train_config(), b);
  Adam adam_a(0.01f), adam_b(0.01f);
  const Batch batch = tiny_batch();
  Graph ga, gb;
  StepOptions clip;
  clip.clip_norm = 0.5f;
  for (int step = 0; step < 3; ++step) {
    const StepResult r = train_step(model_a, a, adam_a, ga, batch, clip);
    // By hand.
    gb.clear();
    b.zero_grad();
    const Expr loss = model_b.loss(gb, batch, nullptr);
    gb.backward(scale(loss, static_cast<float>(1.0 / static_cast<double>(batch.target_tokens()))));
    const double norm = clip_grad_norm(b, 0.5f);
    adam_b.step(b);
    CHECK(r.applied);
    CHECK(r.tokens == batch.target_tokens());
    CHECK(r.tokens == 7);  // 2 + 3 target tokens and a </s> each
    CHECK(r.loss == loss.item());
    CHECK(r.grad_norm == norm);
    CHECK(r.loss_per_token() == r.loss / 7.0);
    CHECK(values(a) == values(b));
  }
}

TEST_CASE("train_step makes no update when the loss or the gradient norm is not finite") {
  ParameterSet p(4);
  const Seq2Seq model(test::tiny_train_config(), p);
  Adam adam(0.01f);
  Graph g;
  REQUIRE(train_step(model, p, adam, g, tiny_batch()).applied);
  const std::vector<float> before = values(p);
  StepOptions o;
  o.after_backward = [](ParameterSet& params) { params.grads()[0] = std::numeric_limits<float>::quiet_NaN(); };
  const StepResult r = train_step(model, p, adam, g, tiny_batch(), o);
  CHECK_FALSE(r.applied);
  CHECK(std::isnan(r.grad_norm));
  CHECK(std::isfinite(r.loss));
  CHECK(values(p) == before);
  CHECK(adam.steps() == 1);  // the optimiser did not step either
  // Without clipping the norm is measured, not applied.
  o.after_backward = nullptr;
  o.clip_norm = 0.0f;
  const StepResult measured = train_step(model, p, adam, g, tiny_batch(), o);
  CHECK(measured.applied);
  CHECK(measured.grad_norm > 0.0);
}
