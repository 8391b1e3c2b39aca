// Every accepted attention variant against a plain-loop reference written from its
// equations, reading the parameters by the names docs/model.md gives; a gradient check
// of each module; masks and local windows exactly 0; the inference constraints; the
// registry. The tests iterate accepted_variants(): a new variant without a reference
// below fails "every variant has a reference".
#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <map>
#include <stdexcept>

#include "attention/common.h"
#include "grad_test.h"
#include "nmtx/attention/attention.h"
#include "nmtx/core/params.h"

using namespace nmtx;
using nmtx::test::random_tensor;

namespace {

constexpr std::size_t B = 2, S = 6, Dq = 4, De = 4, A = 4, kStep = 3;
const std::vector<int> kLengths = {6, 4};

// A module of one variant with fixed inputs: query (B, Dq), memory (B, S, De) and, for
// location-sensitive, previous cumulative weights (B, S), 0 at padding.
struct Fixture {
  Variant variant;
  AttentionConfig config;
  ParameterSet params{21};
  std::unique_ptr<Attention> module;
  TensorData query = random_tensor({B, Dq}, 1), memory = random_tensor({B, S, De}, 2), cumulative{Shape{B, S}};

  explicit Fixture(const Variant& v, const std::string& normalize = "softmax") : variant(v) {
    config.type = v.type;
    config.score = v.score;
    config.dim = A;
    config.window = 2.0f;
    config.max_src_len = 8;
    config.heads = 2;
    config.location_filters = 2;
    config.location_kernel = 3;
    config.normalize = normalization_names().parse(normalize, "normalisation");
    ParameterFactory f(params, InitScheme::uniform, 0.5f);
    module = make_attention(config, f, Dq, De);
    const TensorData c = random_tensor({B, S}, 3, 0.0f, 1.0f);
    for (std::size_t b = 0; b < B; ++b)
      for (std::size_t s = 0; s < static_cast<std::size_t>(kLengths[b]); ++s) cumulative.values[b * S + s] = c.values[b * S + s];
  }

  Memory memory_in(Graph& g, const Expr& values) const {
    std::vector<float> mask(B * S);
    for (std::size_t b = 0; b < B; ++b)
      for (std::size_t s = 0; s < S; ++s) mask[b * S + s] = static_cast<int>(s) < kLengths[b] ? 1.0f : 0.0f;
    return {values, g.constant(Shape{B, S}, mask.data()), kLengths, B, S, De};
  }

  AttentionOutput run(Graph& g, AttentionState& state, const InferenceConstraints& c = {}) const {
    const PreparedMemory m = module->prepare(g, memory_in(g, g.constant(memory)));
    if (variant.type == AttentionType::location_sensitive) state.cumulative = g.constant(cumulative);
    return module->attend(g, m, g.constant(query), kStep, state, c);
  }
  AttentionOutput run(Graph& g) const {
    AttentionState state = initial_attention_state(B);
    return run(g, state);
  }
};

// ---- the plain-loop reference -------------------------------------------------------

struct Reference {
  std::vector<double> weights, context, position;  // (B, S), (B, De), (B)
  std::vector<double> heads;                        // multi-head: (B, k, S) each head's weights
};

double sigm(double x) { return 1.0 / (1.0 + std::exp(-x)); }

struct Reader {  // parameters by their documented names
  const ParameterSet& params;
  double operator()(const std::string& name, std::size_t i, std::size_t j = 0) const {
    const Parameter p = params.get("decoder.attn." + name);
    return p.shape().rank() == 1 ? p.value()[i] : p.value()[i * p.shape()[1] + j];
  }
};

// Normalises e over the allowed positions: softmax, or σ(e) / Σ σ(e).
std::vector<double> normalise(const std::vector<double>& e, const std::vector<bool>& allowed, bool sigmoid) {
  std::vector<double> a(e.size(), 0.0);
  double m = -1e300, total = 0;
  for (std::size_t s = 0; s < e.size(); ++s)
    if (allowed[s]) m = std::max(m, e[s]);
  for (std::size_t s = 0; s < e.size(); ++s) {
    if (!allowed[s]) continue;
    a[s] = sigmoid ? sigm(e[s]) : std::exp(e[s] - m);
    total += a[s];
  }
  for (double& v : a) v /= total;
  return a;
}

Reference reference(const Fixture& fx) {
  const Reader P{fx.params};
  // The reference reads the variant by its names, as docs/model.md writes them.
  const std::string type = attention_type_names().name(fx.variant.type), score = attention_score_names().name(fx.variant.score);
  const bool sigmoid = fx.config.normalize == Normalization::sigmoid;
  const double D = fx.config.window;
  auto q = [&](std::size_t b, std::size_t k) { return static_cast<double>(fx.query.values[b * Dq + k]); };
  auto h = [&](std::size_t b, std::size_t s, std::size_t k) { return static_cast<double>(fx.memory.values[(b * S + s) * De + k]); };
  Reference r;
  r.weights.assign(B * S, 0.0);
  r.context.assign(B * De, 0.0);
  for (std::size_t b = 0; b < B; ++b) {
    const std::size_t len = kLengths[b];
    std::vector<double> a(S, 0.0);
    if (score == "multi-head") {
      const std::size_t heads = 2, d = A / heads;
      r.heads.resize(B * heads * S, 0.0);
      std::vector<double> joined(A, 0.0);
      for (std::size_t j = 0; j < heads; ++j) {
        std::vector<double> qj(d, 0.0), e(S, 0.0);
        for (std::size_t i = 0; i < d; ++i)
          for (std::size_t k = 0; k < Dq; ++k) qj[i] += P("W_q", j * d + i, k) * q(b, k);
        std::vector<std::vector<double>> V(S, std::vector<double>(d, 0.0));
        for (std::size_t s = 0; s < S; ++s) {
          for (std::size_t i = 0; i < d; ++i) {
            double key = 0;
            for (std::size_t k = 0; k < De; ++k) {
              key += P("W_k", j * d + i, k) * h(b, s, k);
              V[s][i] += P("W_v", j * d + i, k) * h(b, s, k);
            }
            e[s] += qj[i] * key / std::sqrt(static_cast<double>(d));
          }
        }
        std::vector<bool> allowed(S);
        for (std::size_t s = 0; s < S; ++s) allowed[s] = s < len;
        const std::vector<double> aj = normalise(e, allowed, sigmoid);
        for (std::size_t s = 0; s < S; ++s) {
          a[s] += aj[s] / heads;
          r.heads[(b * heads + j) * S + s] = aj[s];
          for (std::size_t i = 0; i < d; ++i) joined[j * d + i] += aj[s] * V[s][i];
        }
      }
      for (std::size_t k = 0; k < De; ++k)
        for (std::size_t m = 0; m < A; ++m) r.context[b * De + k] += P("W_o", k, m) * joined[m];
      for (std::size_t s = 0; s < S; ++s) r.weights[b * S + s] = a[s];
      continue;
    }
    // Scores for every position.
    std::vector<double> e(S, 0.0);
    for (std::size_t s = 0; s < S; ++s) {
      if (type == "bahdanau" || type == "location-sensitive") {
        const bool loc = type == "location-sensitive";
        for (std::size_t i = 0; i < A; ++i) {
          double pre = loc ? P("b", i) : 0.0;
          for (std::size_t k = 0; k < Dq; ++k) pre += P(loc ? "W" : "W_a", i, k) * q(b, k);
          for (std::size_t k = 0; k < De; ++k) pre += P(loc ? "V" : "U_a", i, k) * h(b, s, k);
          if (loc) {  // f[s, n] = Σ_j F[n, j] α_cum[s + j - 1], then U f
            for (std::size_t n = 0; n < 2; ++n) {
              double f = 0;
              for (std::size_t j = 0; j < 3; ++j) {
                const long from = static_cast<long>(s + j) - 1;
                if (from >= 0 && from < static_cast<long>(S)) f += P("F", n, j) * fx.cumulative.values[b * S + from];
              }
              pre += P("U", i, n) * f;
            }
          }
          e[s] += P(loc ? "w" : "v_a", i) * std::tanh(pre);
        }
      } else if (score == "dot" || score == "scaled-dot") {
        for (std::size_t k = 0; k < De; ++k) e[s] += q(b, k) * h(b, s, k);
        if (score == "scaled-dot") e[s] /= std::sqrt(static_cast<double>(De));
      } else if (score == "general") {
        for (std::size_t i = 0; i < Dq; ++i)
          for (std::size_t j = 0; j < De; ++j) e[s] += q(b, i) * P("W_a", i, j) * h(b, s, j);
      } else if (score == "concat") {
        for (std::size_t i = 0; i < A; ++i) {
          double pre = 0;
          for (std::size_t k = 0; k < Dq; ++k) pre += P("W_a", i, k) * q(b, k);
          for (std::size_t k = 0; k < De; ++k) pre += P("W_a", i, Dq + k) * h(b, s, k);
          e[s] += P("v_a", i) * std::tanh(pre);
        }
      } else if (score == "location") {
        for (std::size_t k = 0; k < Dq; ++k) e[s] += P("W_a", s, k) * q(b, k);
      } else {
        throw std::logic_error("no reference for score " + score);
      }
    }
    // Where it may attend, and local-p's Gaussian.
    std::vector<bool> allowed(S);
    double p = 0;
    if (type == "local-m") p = std::min<double>(kStep, len - 1);
    if (type == "local-p") {
      double u = 0;
      for (std::size_t i = 0; i < A; ++i) {
        double pre = 0;
        for (std::size_t k = 0; k < Dq; ++k) pre += P("W_p", i, k) * q(b, k);
        u += P("v_p", i) * std::tanh(pre);
      }
      p = len * sigm(u);
    }
    const bool local = type == "local-m" || type == "local-p";
    for (std::size_t s = 0; s < S; ++s) allowed[s] = s < len && (!local || std::abs(s - p) <= D);
    a = normalise(e, allowed, sigmoid);
    if (type == "local-p") {
      const double sigma = D / 2;
      for (std::size_t s = 0; s < S; ++s) a[s] *= std::exp(-(s - p) * (s - p) / (2 * sigma * sigma));
    }
    if (local) r.position.push_back(p);
    for (std::size_t s = 0; s < S; ++s) {
      r.weights[b * S + s] = a[s];
      for (std::size_t k = 0; k < De; ++k) r.context[b * De + k] += a[s] * h(b, s, k);
    }
  }
  return r;
}

void expect_close(const Expr& got, const Shape& shape, const std::vector<double>& want) {
  REQUIRE(got.shape() == shape);
  REQUIRE(got.value().size() == want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    CAPTURE(i);
    if (want[i] == 0.0) CHECK(got.value()[i] == 0.0f);
    else CHECK(got.value()[i] == doctest::Approx(want[i]).epsilon(2e-5));
  }
}

}  // namespace

TEST_CASE("every attention variant matches its plain-loop reference, with softmax and sigmoid normalisation") {
  for (const Variant& v : accepted_variants()) {
    for (const char* normalize : {"softmax", "sigmoid"}) {
      CAPTURE(v.name());
      CAPTURE(normalize);
      Fixture fx(v, normalize);
      Graph g;
      const AttentionOutput out = fx.run(g);
      const Reference want = reference(fx);
      expect_close(out.weights, {B, S}, want.weights);
      expect_close(out.context, {B, De}, want.context);
      if (is_local(v.type)) expect_close(out.position, {B, 1}, want.position);
      else CHECK_FALSE(out.position.valid());
      if (v.score == AttentionScore::multi_head) expect_close(out.heads, {B, 2, S}, want.heads);  // each head's own
      else CHECK_FALSE(out.heads.valid());
    }
  }
}

TEST_CASE("every attention variant passes the gradient check: parameters, query, memory and state") {
  for (const Variant& v : accepted_variants()) {
    CAPTURE(v.name());
    Fixture fx(v);
    const Parameter query = fx.params.add("input.query", {B, Dq}, Init::uniform(1.0f));
    const Parameter memory = fx.params.add("input.memory", {B, S, De}, Init::uniform(1.0f));
    const Parameter cumulative = fx.params.add("input.cumulative", {B, S}, Init::uniform(1.0f));
    const GradCheckReport r = check_parameter_gradients([&](Graph& g) {
      const PreparedMemory m = fx.module->prepare(g, fx.memory_in(g, g.param(memory)));
      AttentionState state = initial_attention_state(B);
      state.cumulative = g.param(cumulative);
      const AttentionOutput out = fx.module->attend(g, m, g.param(query), kStep, state, {});
      std::vector<Expr> parts = {out.context, out.weights};
      if (out.position.valid()) parts.push_back(reshape(out.position, {B, 1}));
      if (state.cumulative.id() != g.param(cumulative).id() - 1) parts.push_back(state.cumulative);
      return concat(parts, 1);
    }, fx.params);
    INFO(r.failures);
    CHECK(r.ok);
  }
}

TEST_CASE("padding gets exactly 0 weight, and local windows are exactly 0 outside [p - D, p + D]") {
  for (const Variant& v : accepted_variants()) {
    CAPTURE(v.name());
    Fixture fx(v);
    Graph g;
    const AttentionOutput out = fx.run(g);
    for (std::size_t b = 0; b < B; ++b) {
      double total = 0;
      for (std::size_t s = 0; s < S; ++s) {
        const float w = out.weights.value()[b * S + s];
        total += w;
        if (static_cast<int>(s) >= kLengths[b]) CHECK(w == 0.0f);
        if (out.position.valid() && std::abs(static_cast<float>(s) - out.position.value()[b]) > fx.config.window) CHECK(w == 0.0f);
      }
      if (v.type != AttentionType::local_p) CHECK(total == doctest::Approx(1.0));  // local-p is not renormalised
      else CHECK(total < 1.0 + 1e-6);
    }
  }
}

TEST_CASE("local-m's position is the target step, clipped to each sentence") {
  Fixture fx(parse_variant("local-m"));
  Graph g;
  AttentionState state = initial_attention_state(B);
  const PreparedMemory m = fx.module->prepare(g, fx.memory_in(g, g.constant(fx.memory)));
  const AttentionOutput early = fx.module->attend(g, m, g.constant(fx.query), 1, state, {});
  const AttentionOutput late = fx.module->attend(g, m, g.constant(fx.query), 5, state, {});
  CHECK(early.position.value()[0] == 1.0f);
  CHECK(early.position.value()[1] == 1.0f);
  CHECK(late.position.value()[0] == 5.0f);
  CHECK(late.position.value()[1] == 3.0f);  // sentence 1 has 4 tokens
  // t = 5, D = 2, sentence 1 (4 tokens): p = 3, window [1, 3]
  CHECK(late.weights.value()[1 * S + 0] == 0.0f);
  const float* w = late.weights.value().data() + S;
  CHECK(w[1] + w[2] + w[3] == doctest::Approx(1.0));
}

TEST_CASE("inference constraints: hard, monotonic and windowed attention") {
  for (const char* name : {"bahdanau", "luong-general", "local-p", "luong-multi-head", "location-sensitive"}) {
    CAPTURE(name);
    Fixture fx(parse_variant(name));
    Graph g;
    AttentionState soft_state = initial_attention_state(B);
    const AttentionOutput soft = fx.run(g, soft_state);
    SUBCASE("hard attention is one-hot at the soft maximum, and becomes the focus") {
      AttentionState state = initial_attention_state(B);
      const AttentionOutput hard = fx.run(g, state, {true, false, 0, {}});
      for (std::size_t b = 0; b < B; ++b) {
        std::size_t best = 0;
        for (std::size_t s = 1; s < S; ++s)
          if (soft.weights.value()[b * S + s] > soft.weights.value()[b * S + best]) best = s;
        CHECK(state.focus[b] == static_cast<int>(best));
        if (std::string(name) != "luong-multi-head") {  // multi-head hardens each head; its mean need not be one-hot
          for (std::size_t s = 0; s < S; ++s) CHECK(hard.weights.value()[b * S + s] == (s == best ? 1.0f : 0.0f));
        } else {  // every head one-hot at its own soft maximum
          REQUIRE(hard.heads.shape() == Shape{B, 2, S});
          for (std::size_t j = 0; j < 2; ++j) {
            const float* soft_head = soft.heads.value().data() + (b * 2 + j) * S;
            const float* hard_head = hard.heads.value().data() + (b * 2 + j) * S;
            const auto own = static_cast<std::size_t>(std::max_element(soft_head, soft_head + S) - soft_head);
            for (std::size_t s = 0; s < S; ++s) CHECK(hard_head[s] == (s == own ? 1.0f : 0.0f));
          }
        }
      }
    }
    SUBCASE("monotonic: nothing before the previous focus") {
      AttentionState state = initial_attention_state(B);
      state.focus = {3, 2};
      const AttentionOutput out = fx.run(g, state, {false, true, 0, {}});
      for (std::size_t b = 0; b < B; ++b) {
        const int previous = b == 0 ? 3 : 2;
        for (int s = 0; s < previous; ++s) CHECK(out.weights.value()[b * S + s] == 0.0f);
        CHECK(state.focus[b] >= previous);
      }
    }
    SUBCASE("windowed: nothing farther than W from the previous focus") {
      AttentionState state = initial_attention_state(B);
      state.focus = {4, 0};
      const AttentionOutput out = fx.run(g, state, {false, false, 1, {}});
      for (std::size_t b = 0; b < B; ++b) {
        const int previous = b == 0 ? 4 : 0;
        for (int s = 0; s < static_cast<int>(S); ++s) {
          if (std::abs(s - previous) > 1) CHECK(out.weights.value()[b * S + s] == 0.0f);
        }
      }
    }
  }
}

TEST_CASE("a row with no allowed position gets all-zero weights with softmax and with sigmoid, never NaN") {
  // Only inference constraints make such a row (a local window that --monotonic excludes).
  for (const auto n : {Normalization::softmax, Normalization::sigmoid}) {
    Graph g;
    NoGradScope no_grad(g);
    const Expr e = g.constant({2, 3}, {0.5f, -1.0f, 2.0f, 0.1f, 0.2f, 0.3f});
    const Expr allowed = g.constant({2, 3}, {1.0f, 1.0f, 0.0f, 0.0f, 0.0f, 0.0f});
    const Expr a = attention::normalize_scores(e, allowed, n);
    REQUIRE(a.shape() == Shape{2, 3});
    CHECK(a.value()[0] + a.value()[1] == doctest::Approx(1.0f));
    CHECK(a.value()[2] == 0.0f);
    for (std::size_t s = 3; s < 6; ++s) CHECK(a.value()[s] == 0.0f);  // not NaN
  }
  // And the sigmoid's value on an ordinary row is σ(e)/Σσ(e), as before.
  Graph g;
  const Expr e = g.constant({1, 2}, {0.5f, -1.0f});
  const Expr a = attention::normalize_scores(e, g.constant({1, 2}, {1.0f, 1.0f}), Normalization::sigmoid);
  const double s0 = 1.0 / (1.0 + std::exp(-0.5)), s1 = 1.0 / (1.0 + std::exp(1.0));
  CHECK(a.value()[0] == doctest::Approx(s0 / (s0 + s1)));
}

TEST_CASE("location-sensitive attention accumulates its weights") {
  Fixture fx(parse_variant("location-sensitive"));
  Graph g;
  AttentionState state = initial_attention_state(B);
  const PreparedMemory m = fx.module->prepare(g, fx.memory_in(g, g.constant(fx.memory)));
  const AttentionOutput first = fx.module->attend(g, m, g.constant(fx.query), 0, state, {});
  REQUIRE(state.cumulative.valid());
  for (std::size_t i = 0; i < B * S; ++i) CHECK(state.cumulative.value()[i] == first.weights.value()[i]);
  const AttentionOutput second = fx.module->attend(g, m, g.constant(fx.query), 1, state, {});
  for (std::size_t i = 0; i < B * S; ++i) {
    CHECK(state.cumulative.value()[i] == doctest::Approx(first.weights.value()[i] + second.weights.value()[i]));
  }
}

TEST_CASE("the variant registry: names, parsing and errors that list what is valid") {
  const std::vector<std::string> names = variant_names();
  REQUIRE(names.size() == 16);
  for (const char* n : {"bahdanau", "luong-dot", "luong-general", "luong-concat", "luong-location", "luong-scaled-dot",
                        "luong-multi-head", "local-m", "local-m-dot", "local-p", "local-p-dot", "location-sensitive"}) {
    CAPTURE(n);
    CHECK(std::find(names.begin(), names.end(), n) != names.end());
    CHECK(parse_variant(n).name() == n);
  }
  CHECK(parse_variant("local-p").score == AttentionScore::general);
  CHECK(parse_variant("local-m-general").name() == "local-m");
  CHECK(parse_variant("luong").name() == "luong-general");
  CHECK_THROWS_WITH_AS(parse_variant("luong-cosine"), doctest::Contains("valid: bahdanau, luong-general"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(validate_variant(AttentionType::bahdanau, AttentionScore::dot),
                       "attention type \"bahdanau\" does not take the score \"dot\"; valid scores for it: concat",
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(variant_of("local-p", "location"),
                       doctest::Contains("valid scores for it: general, dot, concat, scaled-dot"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(variant_of("global", "dot"),
                       doctest::Contains("unknown attention type \"global\"; valid: luong, bahdanau, local-m, local-p, location-sensitive"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(variant_of("luong", "cosine"),
                       doctest::Contains("does not take the score \"cosine\"; valid scores for it: general, dot, concat, location"),
                       std::invalid_argument);
  CHECK(variant_of("local-m", "").score == AttentionScore::general);  // the type's default
  ParameterSet params;
  ParameterFactory f(params, InitScheme::uniform, 0.1f);
  AttentionConfig c;
  c.score = AttentionScore::dot;
  CHECK_THROWS_WITH_AS(make_attention(c, f, 4, 6), doctest::Contains("decoder state size (4) to equal the encoder state size (6)"),
                       std::invalid_argument);
}

TEST_CASE("the location score refuses sources longer than max_src_len") {
  Fixture fx(parse_variant("luong-location"));
  fx.config.max_src_len = 8;
  Graph g;
  const TensorData long_memory = random_tensor({1, 9, De}, 4);
  Memory m{g.constant(long_memory), g.constant(TensorData(Shape{1, 9}, 1.0f)), {9}, 1, 9, De};
  CHECK_THROWS_WITH_AS(fx.module->prepare(g, m), doctest::Contains("a source sentence of 9 tokens is longer than the 8 positions the location score was built for (its max_src_len)"),
                       std::invalid_argument);
}
