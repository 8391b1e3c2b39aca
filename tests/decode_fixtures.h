// What the model, decoding and training tests share: the special token ids (the
// vocabulary's, never retyped), one way to describe a small model of any variant and cell,
// a beam scorer that reads p(next | previous token) from a hand-made table, and the table
// where greedy decoding is led astray.
#pragma once

#include <cmath>
#include <map>
#include <vector>

#include "nmtx/data/vocab.h"
#include "nmtx/decode/beam.h"
#include "nmtx/model/seq2seq.h"

namespace nmtx::test {

constexpr int kPad = Vocab::kPad, kBos = Vocab::kBos, kEos = Vocab::kEos;
constexpr int kA = 4, kB = 5;  // the first two ordinary tokens

// A small model: `variant` ("luong-general", "local-p", ... as nmtx compare names them),
// `vocab` tokens on each side (the 4 specials included), embeddings `embed`, encoder
// states `hidden` per direction, weights uniform in ±init_scale.
inline ModelConfig test_model(const char* variant, std::size_t vocab, std::size_t embed, std::size_t hidden,
                              float init_scale, const char* cell = "gru") {
  ModelConfig c;
  c.cell = cell_names().parse(cell, "cell");
  c.src_vocab = c.tgt_vocab = vocab;
  c.embed = embed;
  c.hidden = hidden;
  c.init_scale = init_scale;
  c.dropout = 0.0f;
  const Variant v = parse_variant(variant);
  c.attention.type = v.type;
  c.attention.score = v.score;
  return c;
}

// p(next | previous token) from a table; every row's history follows the reordering.
class TableScorer final : public BeamScorer {
 public:
  TableScorer(std::map<int, std::vector<double>> table, std::size_t rows) : table_(std::move(table)), logits_(rows * 6) {}
  StepScores step(const std::vector<int>& previous, std::size_t) override {
    for (std::size_t r = 0; r < previous.size(); ++r) {
      const auto& p = table_.at(previous[r]);
      for (std::size_t v = 0; v < 6; ++v) logits_[r * 6 + v] = static_cast<float>(std::log(p[v]));
    }
    StepScores s;
    s.logits = logits_.data();
    s.vocab = 6;
    return s;
  }
  void reorder(const std::vector<int>& rows) override { reorders.push_back(rows); }
  std::vector<std::vector<int>> reorders;

 private:
  std::map<int, std::vector<double>> table_;
  std::vector<float> logits_;
};

// p(next | previous): after <s>: a 0.6, b 0.4; after a: a 0.35, b 0.35, </s> 0.3; after
// b: </s> 0.9. Greedy takes a, then a again (the tie goes to the lower id) and is cut at
// 3 steps: 0.6 · 0.35 · 0.35. The best sequence is b </s>: 0.4 · 0.9 = 0.36.
inline std::map<int, std::vector<double>> garden_path() {
  const double tiny = 1e-12;
  return {{2, {tiny, tiny, tiny, tiny, 0.6, 0.4}},
          {kA, {tiny, tiny, tiny, 0.3, 0.35, 0.35}},
          {kB, {tiny, tiny, tiny, 0.9, 0.05, 0.05}},
          {kEos, {tiny, tiny, tiny, 1.0, tiny, tiny}}};
}

// The tiny model the training-step tests take by hand (10 tokens, embeddings 6, encoder 5).
inline ModelConfig tiny_train_config() { return test_model("luong-general", 10, 6, 5, 0.5f); }

// A model small enough to decode in microseconds, with weights large enough (U(-0.8, 0.8))
// that its choices are not all ties: 11 tokens, embeddings 6, encoder 5 per direction.
inline ModelConfig small_model_config(const char* variant, const char* cell = "gru") {
  ModelConfig c = test_model(variant, 11, 6, 5, 0.8f, cell);
  c.attention.window = 2.0f;
  c.attention.dim = 8;
  c.attention.heads = 2;
  return c;
}

}  // namespace nmtx::test
