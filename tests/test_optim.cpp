// Optimisers against values computed by hand (SGD) and by a plain double-precision
// transcription of the Adam paper's algorithm (Adam), to 1e-6.
#include <doctest/doctest.h>

#include <stdexcept>

#include "nmtx/core/params.h"
#include "nmtx/core/optim.h"

using namespace nmtx;

namespace {

// Two scalars p = (1.0, -0.5) and three fixed gradients.
struct Fixture {
  ParameterSet params;
  Parameter p;
  Fixture() : p(params.add("p", Shape{2}, Init::zeros())) {
    p.value()[0] = 1.0f;
    p.value()[1] = -0.5f;
  }
  void set_grad(float g0, float g1) {
    p.grad()[0] = g0;
    p.grad()[1] = g1;
  }
};

const float kGrads[3][2] = {{0.5f, -1.0f}, {-0.25f, 0.3f}, {0.1f, 0.2f}};

}  // namespace

TEST_CASE("SGD without momentum: p -= lr g") {
  Fixture f;
  Sgd sgd(0.1f);
  f.set_grad(0.5f, -1.0f);
  sgd.step(f.params);
  CHECK(f.p.value()[0] == doctest::Approx(0.95).epsilon(1e-6));
  CHECK(f.p.value()[1] == doctest::Approx(-0.4).epsilon(1e-6));
}

TEST_CASE("SGD with momentum 0.9 over three steps") {
  // v1 = g1 = (0.5, -1);              p1 = (0.95, -0.4)
  // v2 = 0.9 v1 + g2 = (0.2, -0.6);   p2 = (0.93, -0.34)
  // v3 = 0.9 v2 + g3 = (0.28, -0.34); p3 = (0.902, -0.306)
  Fixture f;
  Sgd sgd(0.1f, 0.9f);
  const float want[3][2] = {{0.95f, -0.4f}, {0.93f, -0.34f}, {0.902f, -0.306f}};
  for (int t = 0; t < 3; ++t) {
    CAPTURE(t);
    f.set_grad(kGrads[t][0], kGrads[t][1]);
    sgd.step(f.params);
    CHECK(f.p.value()[0] == doctest::Approx(want[t][0]).epsilon(1e-6));
    CHECK(f.p.value()[1] == doctest::Approx(want[t][1]).epsilon(1e-6));
  }
}

TEST_CASE("Adam with bias correction over three steps") {
  // m ← 0.9 m + 0.1 g; v ← 0.999 v + 0.001 g²; p ← p - 0.1 (m / (1 - 0.9^t)) / (sqrt(v / (1 - 0.999^t)) + 1e-8),
  // computed in double by a transcription of Algorithm 1 of Kingma & Ba (2015).
  Fixture f;
  Adam adam(0.1f);
  const double want[3][2] = {{0.900000002, -0.400000001}, {0.873366299, -0.357215142}, {0.841841943, -0.336764091}};
  for (int t = 0; t < 3; ++t) {
    CAPTURE(t);
    f.set_grad(kGrads[t][0], kGrads[t][1]);
    adam.step(f.params);
    CHECK(f.p.value()[0] == doctest::Approx(want[t][0]).epsilon(1e-6));
    CHECK(f.p.value()[1] == doctest::Approx(want[t][1]).epsilon(1e-6));
  }
  CHECK(adam.steps() == 3);
}

TEST_CASE("global-norm clipping") {
  ParameterSet params;
  const Parameter a = params.add("a", Shape{1}, Init::zeros());
  const Parameter b = params.add("b", Shape{1}, Init::zeros());
  a.grad()[0] = 3.0f;
  b.grad()[0] = 4.0f;
  SUBCASE("a norm below the limit is left alone") {
    CHECK(clip_grad_norm(params, 10.0f) == doctest::Approx(5.0));
    CHECK(a.grad()[0] == 3.0f);
    CHECK(b.grad()[0] == 4.0f);
  }
  SUBCASE("a norm above the limit is scaled to it: g · 1 / (5 + 1e-6)") {
    CHECK(clip_grad_norm(params, 1.0f) == doctest::Approx(5.0));
    CHECK(a.grad()[0] == doctest::Approx(0.59999988).epsilon(1e-6));
    CHECK(b.grad()[0] == doctest::Approx(0.79999984).epsilon(1e-6));
    CHECK(grad_norm(params) == doctest::Approx(1.0).epsilon(1e-6));
  }
}

TEST_CASE("optimiser arguments are checked") {
  CHECK_THROWS_AS(Sgd(0.1f, 1.0f), std::invalid_argument);
  CHECK_THROWS_AS(Adam(0.1f, 1.0f), std::invalid_argument);
}
