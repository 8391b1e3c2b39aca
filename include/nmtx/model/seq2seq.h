// The attention-based sequence-to-sequence model: a bidirectional RNN encoder
// (nn/encoder.h), an RNN decoder whose first state comes from the encoder (a bridge), an
// attention variant (attention/attention.h) and an output layer. docs/model.md is the
// exact contract of its equations and parameter names.
//
// Two decoder orders, by attention type:
//   before the update (bahdanau, location-sensitive), Bahdanau et al. 2015:
//     c_i = attend(s_{i-1});  s_i = RNN([E y_{i-1}; c_i], s_{i-1})
//     t̃_i = U_o s_i + V_o E y_{i-1} + C_o c_i + b_o;  t_i = maxout(t̃_i) (or tanh(t̃_i))
//   after the update (luong, local-m, local-p), Luong et al. 2015:
//     h_t = RNN([E y_{t-1}; h̃_{t-1}], h_{t-1})   (input feeding; E y_{t-1} alone without)
//     c_t = attend(h_t);  h̃_t = tanh(W_c [c_t; h_t])
// then p(y | ...) = softmax(W_out o + b_out) for the output vector o (t_i or h̃_t).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "nmtx/attention/attention.h"
#include "nmtx/data/batch.h"
#include "nmtx/nn/encoder.h"
#include "nmtx/nn/init.h"

namespace nmtx {

// The decoder's first state from the encoder (docs/model.md): bahdanau (from the backward
// direction's first state), bridge (from both directions' final states), zeros; auto:
// bahdanau before the update, else bridge.
enum class BridgeType { automatic, bahdanau, bridge, zeros };
const EnumNames<BridgeType>& bridge_names();  // "auto", "bahdanau", "bridge", "zeros"

// The defaults are the recipe's (docs/recipes.md; a test checks that model_config of the
// recipe defaults gives ModelConfig{}).
struct ModelConfig {
  CellType cell = CellType::gru;       // encoder and decoder
  std::size_t src_vocab = 0, tgt_vocab = 0;
  std::size_t embed = 256;             // E, both sides
  std::size_t hidden = 256;            // H per encoder direction (states are 2H)
  std::size_t decoder_hidden = 0;      // Hd; 0: 2H
  std::size_t encoder_layers = 1, decoder_layers = 1;
  float dropout = 0.2f;                // embeddings, between layers, before the output layer
  InitScheme init = InitScheme::uniform;  // nn/init.h
  float init_scale = 0.1f;
  BridgeType bridge = BridgeType::automatic;
  bool input_feeding = true;           // Luong order only
  bool maxout = true;                  // Bahdanau order: maxout (pool 2) deep output, else tanh
  std::size_t output_dim = 0;          // Bahdanau order: deep output size L; 0: E
  bool tied_embeddings = false;        // W_out = the target embedding (needs output size E)
  AttentionConfig attention;

  std::size_t resolved_decoder_hidden() const { return decoder_hidden > 0 ? decoder_hidden : 2 * hidden; }
};

struct DecoderState {
  std::vector<RnnState> layers;  // per decoder layer, (B, Hd)
  Expr feed;                     // h̃_{t-1} (B, Hd) for input feeding; zeros at t = 0
  AttentionState attention;
};

// An encoded batch, ready to be decoded.
struct EncodedBatch {
  EncoderOutput encoder;
  PreparedMemory memory;
};

struct DecoderStep {
  Expr output;               // (B, O): the vector the output layer projects (h̃_t or t_i)
  AttentionOutput attention;
  // Bahdanau order: the deep output's inputs (s_i and E y_{i-1}; the context is in
  // `attention`), so that teacher forcing can compute every step's t_i in one product.
  Expr state, embedding;
};

// Throws InvalidSetting (attention.h; its field a path in ModelConfig: "tied_embeddings",
// "attention.window", ...) unless a model can be built with `config`; the constructor
// checks it first, and the configuration layer before anything is prepared (check_config).
void check_model_config(const ModelConfig& config);

class Seq2Seq {
 public:
  Seq2Seq(const ModelConfig& config, ParameterSet& params);
  const ModelConfig& config() const { return config_; }
  AttentionOrder order() const { return attention_->order(); }
  std::size_t output_dim() const { return output_dim_; }

  // dropout_rng null: no dropout (evaluation, decoding).
  EncodedBatch encode(Graph& g, const std::vector<int>& src, const std::vector<int>& lengths, std::size_t S,
                      Rng* dropout_rng) const;
  DecoderState start(Graph& g, const EncodedBatch& batch) const;
  // One decoder step at target position t from the previous tokens (B). With
  // with_output false, a Bahdanau-order step leaves `output` unset (see deep_output).
  DecoderStep step(Graph& g, const EncodedBatch& batch, DecoderState& state, const std::vector<int>& previous,
                   std::size_t t, Rng* dropout_rng, const InferenceConstraints& constraints = {},
                   bool with_output = true) const;
  // Bahdanau order: t = maxout(U_o s + V_o E y + C_o c + b_o) (or tanh) for N rows at once.
  Expr deep_output(Graph& g, const Expr& states, const Expr& embeddings, const Expr& contexts, Rng* dropout_rng) const;
  Expr logits(Graph& g, const Expr& outputs) const;  // (N, O) → (N, V)

  struct Forward {
    Expr logits;                              // (T·B, V), row t·B + b
    std::vector<AttentionOutput> attention;   // per target step
  };
  // Teacher forcing over a batch.
  Forward forward(Graph& g, const Batch& batch, Rng* dropout_rng) const;
  // Σ of the token cross-entropies (natural log) over the batch's real target tokens.
  Expr loss(Graph& g, const Batch& batch, Rng* dropout_rng, float label_smoothing = 0.0f) const;

 private:
  ModelConfig config_;
  CellType cell_;
  BridgeType bridge_;  // resolved: never automatic
  std::size_t output_dim_ = 0;
  std::unique_ptr<Encoder> encoder_;
  std::unique_ptr<Attention> attention_;
  Parameter tgt_embed_;
  std::vector<RnnWeights> layers_;
  std::vector<Parameter> init_W_, init_b_;
  Parameter W_c_;                       // Luong order
  Parameter U_o_, V_o_, C_o_, b_o_;     // Bahdanau order (deep output)
  Parameter out_W_, out_b_;
};

// The (T·B) 0/1 mask of real target tokens, time-major.
std::vector<float> target_mask(const Batch& batch);

}  // namespace nmtx
