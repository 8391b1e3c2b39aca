// The whole model, for every attention variant: a gradient check of the loss over all
// parameters, and batch invariance (a sentence's loss in a padded batch equals its loss
// alone). Then the bridges against their equations, cells, depths and options, and the
// parameter names docs/model.md promises.
#include <doctest/doctest.h>

#include <cmath>
#include <stdexcept>

#include "decode/rows.h"
#include "decode_fixtures.h"
#include "grad_test.h"
#include "nmtx/model/seq2seq.h"

using namespace nmtx;

namespace {

using test::kBos;
using test::kEos;
using test::kPad;
const std::vector<std::vector<int>> kSources = {{1, 2, 3, 4}, {5, 6}, {2, 4, 6}};
const std::vector<std::vector<int>> kTargets = {{4, 5}, {5}, {4, 5, 1}};

ModelConfig tiny_config(const std::string& variant, const std::string& cell = "gru") {
  ModelConfig c = test::test_model(variant.c_str(), 7, 3, 2, 0.5f, cell.c_str());  // encoder states 4
  c.tgt_vocab = 6;
  c.decoder_hidden = 4;  // = 2H, so dot scores work
  c.attention.dim = 4;
  c.attention.heads = 2;
  c.attention.window = 2.0f;
  c.attention.max_src_len = 6;
  c.attention.location_filters = 2;
  c.attention.location_kernel = 3;
  return c;
}

// Σ_t -log p(y_t) for sentence b, from the logits in plain double arithmetic.
double sentence_loss(const Expr& logits, const Batch& batch, std::size_t b) {
  const std::size_t V = logits.shape()[1];
  double total = 0;
  for (std::size_t t = 0; t < static_cast<std::size_t>(batch.tgt_lengths[b]); ++t) {
    const float* row = logits.value().data() + (t * batch.size + b) * V;
    total -= nmtx::test::log_softmax_at(row, V, batch.tgt_out[t * batch.size + b]);
  }
  return total;
}

GradCheckReport check_model(const ModelConfig& config) {
  ParameterSet params(17);
  const Seq2Seq model(config, params);
  const Batch batch = make_batch(kSources, kTargets, kPad, kBos, kEos);
  return check_parameter_gradients([&](Graph& g) { return model.loss(g, batch, nullptr); }, params);
}

}  // namespace

TEST_CASE("every variant: the whole model's loss passes the gradient check") {
  for (const std::string& name : variant_names()) {
    CAPTURE(name);
    const GradCheckReport r = check_model(tiny_config(name));
    INFO(r.failures);
    CHECK(r.checked > 100);
    CHECK(r.ok);
    CHECK(r.nonsmooth <= r.checked / 50);  // kinks (maxout ties) are rare, not a loophole
  }
}

TEST_CASE("every variant: a sentence's loss inside a padded batch equals its loss alone") {
  for (const std::string& name : variant_names()) {
    CAPTURE(name);
    ParameterSet params(17);
    const Seq2Seq model(tiny_config(name), params);
    const Batch batch = make_batch(kSources, kTargets, kPad, kBos, kEos);
    Graph g;
    const Seq2Seq::Forward together = model.forward(g, batch, nullptr);
    REQUIRE(together.logits.shape() == Shape{batch.tgt_len * batch.size, 6});
    REQUIRE(together.attention.size() == batch.tgt_len);
    double sum = 0;
    for (std::size_t b = 0; b < batch.size; ++b) {
      CAPTURE(b);
      const Batch one = make_batch({kSources[b]}, {kTargets[b]}, kPad, kBos, kEos);
      const double alone = sentence_loss(model.forward(g, one, nullptr).logits, one, 0);
      const double inside = sentence_loss(together.logits, batch, b);
      CHECK(inside == doctest::Approx(alone).epsilon(1e-5));
      sum += inside;
    }
    CHECK(model.loss(g, batch, nullptr).item() == doctest::Approx(sum).epsilon(1e-5));
  }
}

TEST_CASE("every step returns its attention weights, and p_t for local attention") {
  for (const std::string& name : variant_names()) {
    CAPTURE(name);
    ParameterSet params(17);
    const Seq2Seq model(tiny_config(name), params);
    const Batch batch = make_batch(kSources, kTargets, kPad, kBos, kEos);
    Graph g;
    const Seq2Seq::Forward f = model.forward(g, batch, nullptr);
    REQUIRE(f.attention.size() == batch.tgt_len);
    const bool local = name.rfind("local-", 0) == 0;
    for (const AttentionOutput& a : f.attention) {
      CHECK(a.weights.shape() == Shape{batch.size, batch.src_len});
      CHECK(a.position.valid() == local);
      for (std::size_t b = 0; b < batch.size; ++b)
        for (std::size_t s = kSources[b].size(); s < batch.src_len; ++s) CHECK(a.weights.value()[b * batch.src_len + s] == 0.0f);
    }
  }
}

TEST_CASE("every variant: selected encoded sentences decode as if those sentences were encoded") {
  // Beam search encodes each sentence once and repeats it (select_sentences); decoding
  // from that must equal decoding a batch that holds the repeated sentences.
  const std::vector<int> rows = {2, 2, 0, 1, 1, 2};
  for (const std::string& name : variant_names()) {
    for (const std::string cell : {"gru", "lstm"}) {
      CAPTURE(name);
      CAPTURE(cell);
      ParameterSet params(17);
      ModelConfig config = tiny_config(name, cell);
      config.encoder_layers = 2;
      const Seq2Seq model(config, params);
      std::vector<std::vector<int>> repeated;
      for (int r : rows) repeated.push_back(kSources[static_cast<std::size_t>(r)]);
      const Batch once = make_batch(kSources, kTargets, kPad, kBos, kEos);
      const Batch direct = make_batch(repeated, std::vector<std::vector<int>>(rows.size()), kPad, kBos, kEos);
      Graph g;
      NoGradScope no_grad(g);
      const EncodedBatch selected =
          select_sentences(model.encode(g, once.src, once.src_lengths, once.src_len, nullptr), rows);
      const EncodedBatch encoded = model.encode(g, direct.src, direct.src_lengths, direct.src_len, nullptr);
      REQUIRE(selected.encoder.batch == rows.size());
      CHECK(selected.encoder.lengths == encoded.encoder.lengths);
      CHECK(selected.encoder.states.shape() == encoded.encoder.states.shape());
      DecoderState a = model.start(g, selected), b = model.start(g, encoded);
      std::vector<int> previous(rows.size(), kBos);
      for (std::size_t t = 0; t < 3; ++t) {
        CAPTURE(t);
        const DecoderStep x = model.step(g, selected, a, previous, t, nullptr);
        const DecoderStep y = model.step(g, encoded, b, previous, t, nullptr);
        for (const auto& [u, v] : {std::pair{x.output, y.output}, std::pair{x.attention.weights, y.attention.weights}}) {
          REQUIRE(u.shape() == v.shape());
          for (std::size_t i = 0; i < u.value().size(); ++i) CHECK(u.value()[i] == doctest::Approx(v.value()[i]).epsilon(1e-6));
        }
        for (std::size_t r = 0; r < rows.size(); ++r) previous[r] = 4 + static_cast<int>((r + t) % 2);
      }
    }
  }
}

TEST_CASE("cells, depths and options pass the gradient check") {
  struct Case {
    const char* what;
    ModelConfig config;
  };
  std::vector<Case> cases;
  for (const char* cell : {"lstm", "rnn"}) {
    cases.push_back({cell, tiny_config("luong-general", cell)});
    cases.push_back({cell, tiny_config("bahdanau", cell)});
  }
  ModelConfig deep = tiny_config("local-p", "lstm");
  deep.encoder_layers = 2;
  deep.decoder_layers = 2;
  cases.push_back({"two encoder and two decoder layers", deep});
  ModelConfig plain = tiny_config("luong-dot");
  plain.input_feeding = false;
  plain.bridge = BridgeType::zeros;
  cases.push_back({"no input feeding, zero initial state", plain});
  ModelConfig no_maxout = tiny_config("bahdanau");
  no_maxout.maxout = false;
  no_maxout.bridge = BridgeType::bridge;
  no_maxout.output_dim = 5;
  cases.push_back({"tanh deep output, bridge", no_maxout});
  ModelConfig tied = tiny_config("bahdanau");
  tied.tied_embeddings = true;
  cases.push_back({"tied embeddings", tied});
  ModelConfig glorot = tiny_config("location-sensitive");
  glorot.init = InitScheme::glorot;
  glorot.attention.normalize = Normalization::sigmoid;
  cases.push_back({"glorot initialisation, sigmoid normalisation", glorot});
  for (const Case& c : cases) {
    CAPTURE(c.what);
    const GradCheckReport r = check_model(c.config);
    INFO(r.failures);
    CHECK(r.ok);
    CHECK(r.nonsmooth <= r.checked / 50);
  }
}

TEST_CASE("initial decoder states follow their equations") {
  const Batch batch = make_batch(kSources, kTargets, kPad, kBos, kEos);
  for (const char* bridge : {"bahdanau", "bridge", "zeros"}) {
    CAPTURE(bridge);
    ModelConfig c = tiny_config("bahdanau");
    c.bridge = bridge_names().parse(bridge, "bridge");
    ParameterSet params(17);
    const Seq2Seq model(c, params);
    Graph g;
    const EncodedBatch enc = model.encode(g, batch.src, batch.src_lengths, batch.src_len, nullptr);
    const DecoderState s = model.start(g, enc);
    REQUIRE(s.layers.size() == 1);
    REQUIRE(s.layers[0].h.shape() == Shape{3, 4});
    const Tensor fwd = enc.encoder.forward_final[0].h.value(), bwd = enc.encoder.backward_first[0].h.value();
    for (std::size_t b = 0; b < 3; ++b) {
      for (std::size_t k = 0; k < 4; ++k) {
        double want = 0;
        if (std::string(bridge) != "zeros") {
          // bahdanau: tanh(W h←_1 + b), W (Hd, H); bridge: tanh(W [h→_last; h←_1] + b), W (Hd, 2H)
          const Tensor W = params.get("decoder.init.l0.W").value(), bias = params.get("decoder.init.l0.b").value();
          double pre = bias[k];
          if (std::string(bridge) == "bahdanau") {
            for (std::size_t j = 0; j < 2; ++j) pre += W[k * 2 + j] * bwd[b * 2 + j];
          } else {
            for (std::size_t j = 0; j < 2; ++j) pre += W[k * 4 + j] * fwd[b * 2 + j] + W[k * 4 + 2 + j] * bwd[b * 2 + j];
          }
          want = std::tanh(pre);
        }
        CHECK(s.layers[0].h.value()[b * 4 + k] == doctest::Approx(want).epsilon(1e-5));
      }
    }
  }
}

TEST_CASE("parameter names and shapes are those docs/model.md lists") {
  auto names_of = [](const ModelConfig& c) {
    ParameterSet params(1);
    const Seq2Seq model(c, params);
    std::vector<std::string> out;
    for (const Parameter& p : params.all()) out.push_back(p.name() + " " + p.shape().str());
    return out;
  };
  // GRU, E = 3, H = 2 (De = 4), Hd = 4, A = 4, V_src = 7, V_tgt = 6.
  const std::vector<std::string> luong = {
      "decoder.W_c (4, 8)",        "decoder.attn.W_a (4, 4)",  "decoder.embed (6, 3)",     "decoder.init.l0.W (4, 4)",
      "decoder.init.l0.b (4,)",    "decoder.l0.W_hh (12, 4)",  "decoder.l0.W_ih (12, 7)",  "decoder.l0.b_hh (12,)",
      "decoder.l0.b_ih (12,)",     "decoder.out.W (6, 4)",     "decoder.out.b (6,)",       "encoder.embed (7, 3)",
      "encoder.l0.bwd.W_hh (6, 2)", "encoder.l0.bwd.W_ih (6, 3)", "encoder.l0.bwd.b_hh (6,)", "encoder.l0.bwd.b_ih (6,)",
      "encoder.l0.fwd.W_hh (6, 2)", "encoder.l0.fwd.W_ih (6, 3)", "encoder.l0.fwd.b_hh (6,)", "encoder.l0.fwd.b_ih (6,)"};
  CHECK(names_of(tiny_config("luong-general")) == luong);
  const std::vector<std::string> bahdanau = {
      "decoder.attn.U_a (4, 4)",   "decoder.attn.W_a (4, 4)",  "decoder.attn.v_a (4,)",    "decoder.deep.C_o (6, 4)",
      "decoder.deep.U_o (6, 4)",   "decoder.deep.V_o (6, 3)",  "decoder.deep.b_o (6,)",    "decoder.embed (6, 3)",
      "decoder.init.l0.W (4, 2)",  "decoder.init.l0.b (4,)",   "decoder.l0.W_hh (12, 4)",  "decoder.l0.W_ih (12, 7)",
      "decoder.l0.b_hh (12,)",     "decoder.l0.b_ih (12,)",    "decoder.out.W (6, 3)",     "decoder.out.b (6,)",
      "encoder.embed (7, 3)",      "encoder.l0.bwd.W_hh (6, 2)", "encoder.l0.bwd.W_ih (6, 3)", "encoder.l0.bwd.b_hh (6,)",
      "encoder.l0.bwd.b_ih (6,)",  "encoder.l0.fwd.W_hh (6, 2)", "encoder.l0.fwd.W_ih (6, 3)", "encoder.l0.fwd.b_hh (6,)",
      "encoder.l0.fwd.b_ih (6,)"};
  CHECK(names_of(tiny_config("bahdanau")) == bahdanau);
}

TEST_CASE("impossible model configurations are errors that say what would be right") {
  ParameterSet params;
  ModelConfig tied = tiny_config("luong-general");
  tied.tied_embeddings = true;  // h̃ has size 4, embeddings 3
  // The model names its own field (ModelConfig's), never a recipe key: check_config adds that.
  CHECK_THROWS_WITH_AS(Seq2Seq(tied, params),
                       "tied_embeddings: tying needs the output vector (size 4) to have the embedding size 3: make the "
                       "decoder's hidden size the embedding size",
                       InvalidSetting);
  ModelConfig heads = tiny_config("luong-multi-head");
  heads.attention.heads = 3;  // the attention size is the decoder's, 4
  try {
    check_model_config(heads);
    FAIL("3 heads cannot split 4");
  } catch (const InvalidSetting& e) {
    CHECK(e.field() == "attention.heads");
    CHECK(e.why() == "the attention size 4 must be a multiple of the heads (3)");
  }
  ParameterSet p2;
  ModelConfig dot = tiny_config("luong-dot");
  dot.decoder_hidden = 6;
  CHECK_THROWS_WITH_AS(Seq2Seq(dot, p2), doctest::Contains("decoder state size (6)"), std::invalid_argument);
  // An unknown bridge cannot reach the model (an enum); its name is refused by the one table.
  CHECK_THROWS_WITH_AS(bridge_names().parse("average", "model.bridge"),
                       doctest::Contains("unknown model.bridge \"average\"; valid: auto, bahdanau, bridge, zeros"),
                       std::invalid_argument);
}
