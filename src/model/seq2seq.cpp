// The model's construction, bridge, decoder step and output layer (equations in
// nmtx/model/seq2seq.h and docs/model.md).
#include "nmtx/model/seq2seq.h"

#include <stdexcept>

#include "nmtx/nn/linear.h"

namespace nmtx {

namespace {

BridgeType resolve_bridge(BridgeType bridge, AttentionOrder order) {
  if (bridge != BridgeType::automatic) return bridge;
  return order == AttentionOrder::before_update ? BridgeType::bahdanau : BridgeType::bridge;
}

}  // namespace

const EnumNames<BridgeType>& bridge_names() {
  static const EnumNames<BridgeType> names{{"auto", BridgeType::automatic},
                                           {"bahdanau", BridgeType::bahdanau},
                                           {"bridge", BridgeType::bridge},
                                           {"zeros", BridgeType::zeros}};
  return names;
}

std::vector<float> target_mask(const Batch& batch) { return time_major_mask(batch.tgt_lengths, batch.tgt_len); }

void check_model_config(const ModelConfig& config) {
  if (config.src_vocab == 0 || config.tgt_vocab == 0) throw std::invalid_argument("model: vocabulary sizes must be positive");
  const std::size_t E = config.embed, Hd = config.resolved_decoder_hidden();
  try {
    check_attention_config(config.attention, Hd, 2 * config.hidden);
  } catch (const InvalidSetting& e) {
    throw InvalidSetting("attention." + e.field(), e.why());
  }
  // The output vector: Bahdanau order's deep output t_i (output_dim, default E), Luong
  // order's h̃_t (Hd).
  const bool bahdanau_order = attention_order(config.attention.type) == AttentionOrder::before_update;
  const std::size_t output = bahdanau_order ? (config.output_dim > 0 ? config.output_dim : E) : Hd;
  if (config.tied_embeddings && output != E) {
    throw InvalidSetting("tied_embeddings", "tying needs the output vector (size " + std::to_string(output) +
                                                ") to have the embedding size " + std::to_string(E) +
                                                (bahdanau_order ? "" : ": make the decoder's hidden size the embedding size"));
  }
}

Seq2Seq::Seq2Seq(const ModelConfig& config, ParameterSet& params) : config_(config), cell_(config.cell) {
  check_model_config(config);
  ParameterFactory f(params, config.init, config.init_scale);
  const std::size_t E = config.embed, H = config.hidden, Hd = config.resolved_decoder_hidden(), De = 2 * H;
  encoder_ = std::make_unique<Encoder>(f, EncoderConfig{cell_, config.src_vocab, E, H, config.encoder_layers, config.dropout});
  attention_ = make_attention(config.attention, f, Hd, De);
  const bool bahdanau_order = attention_->order() == AttentionOrder::before_update;
  bridge_ = resolve_bridge(config.bridge, attention_->order());

  tgt_embed_ = f.embedding("decoder.embed", config.tgt_vocab, E);
  for (std::size_t k = 0; k < config.decoder_layers; ++k) {
    std::size_t input = Hd;
    if (k == 0) input = bahdanau_order ? E + De : (config.input_feeding ? E + Hd : E);
    layers_.push_back(RnnWeights::add(f, "decoder.l" + std::to_string(k), cell_, input, Hd));
    if (bridge_ != BridgeType::zeros) {
      const std::string p = "decoder.init.l" + std::to_string(k);
      init_W_.push_back(f.weight(p + ".W", {Hd, bridge_ == BridgeType::bahdanau ? H : 2 * H}));
      init_b_.push_back(f.bias(p + ".b", Hd));
    }
  }
  if (bahdanau_order) {
    output_dim_ = config.output_dim > 0 ? config.output_dim : E;
    const std::size_t pre = (config.maxout ? 2 : 1) * output_dim_;  // t̃ before the maxout
    U_o_ = f.weight("decoder.deep.U_o", {pre, Hd});
    V_o_ = f.weight("decoder.deep.V_o", {pre, E});
    C_o_ = f.weight("decoder.deep.C_o", {pre, De});
    b_o_ = f.bias("decoder.deep.b_o", pre);
  } else {
    output_dim_ = Hd;
    W_c_ = f.weight("decoder.W_c", {Hd, De + Hd});  // no bias, as Luong et al. write it
  }
  if (!config.tied_embeddings) out_W_ = f.weight("decoder.out.W", {config.tgt_vocab, output_dim_});
  out_b_ = f.bias("decoder.out.b", config.tgt_vocab);
}

EncodedBatch Seq2Seq::encode(Graph& g, const std::vector<int>& src, const std::vector<int>& lengths, std::size_t S,
                             Rng* dropout_rng) const {
  EncodedBatch out;
  out.encoder = encoder_->encode(g, src, lengths, S, dropout_rng);
  const Memory memory{out.encoder.memory, out.encoder.mask, lengths, out.encoder.batch, S, encoder_->output_dim()};
  out.memory = attention_->prepare(g, memory);
  return out;
}

DecoderState Seq2Seq::start(Graph& g, const EncodedBatch& batch) const {
  const std::size_t B = batch.encoder.batch, Hd = config_.resolved_decoder_hidden();
  const TensorData zeros(Shape{B, Hd});
  DecoderState state;
  // Bahdanau: s_0 = tanh(W h←_1 + b); bridge: s_0 = tanh(W [h→_last; h←_1] + b), from the top encoder layer.
  const Expr source = bridge_ == BridgeType::bahdanau
                          ? batch.encoder.backward_first.back().h
                          : (bridge_ == BridgeType::bridge ? concat({batch.encoder.forward_final.back().h,
                                                           batch.encoder.backward_first.back().h}, 1)
                                                 : Expr());
  for (std::size_t k = 0; k < layers_.size(); ++k) {
    RnnState s;
    if (bridge_ == BridgeType::zeros) {
      s.h = g.constant(zeros);
      if (cell_ == CellType::lstm) s.c = g.constant(zeros);
    } else {
      s.h = tanh(linear(source, g.param(init_W_[k]), g.param(init_b_[k])));
      if (cell_ == CellType::lstm) s.c = s.h;  // the cell starts where the state does (as Joey NMT)
    }
    state.layers.push_back(s);
  }
  state.feed = g.constant(zeros);
  state.attention = initial_attention_state(B);
  return state;
}

Expr Seq2Seq::deep_output(Graph& g, const Expr& states, const Expr& embeddings, const Expr& contexts,
                          Rng* dropout_rng) const {
  const Expr pre = affine({states, embeddings, contexts},  // t̃ = U_o s_i + V_o E y + C_o c_i + b_o
                          {g.param(U_o_), g.param(V_o_), g.param(C_o_)}, g.param(b_o_));
  const Expr t = config_.maxout ? maxout(pre, 2) : tanh(pre);
  return dropout_rng != nullptr ? dropout(t, config_.dropout, *dropout_rng) : t;
}

DecoderStep Seq2Seq::step(Graph& g, const EncodedBatch& batch, DecoderState& state, const std::vector<int>& previous,
                          std::size_t t, Rng* dropout_rng, const InferenceConstraints& constraints,
                          bool with_output) const {
  auto maybe_dropout = [&](const Expr& x) { return dropout_rng ? dropout(x, config_.dropout, *dropout_rng) : x; };
  const Expr y_prev = maybe_dropout(embedding(g.param(tgt_embed_), previous));  // E y_{t-1}: (B, E)
  auto run_layers = [&](Expr input) {  // the stacked RNN; returns the top state
    for (std::size_t k = 0; k < layers_.size(); ++k) {
      const BoundRnn rnn(g, layers_[k]);
      state.layers[k] = rnn.step(rnn.project_input(input), state.layers[k]);
      input = k + 1 < layers_.size() ? maybe_dropout(state.layers[k].h) : state.layers[k].h;
    }
    return input;
  };
  DecoderStep out;
  if (order() == AttentionOrder::before_update) {
    out.attention = attention_->attend(g, batch.memory, state.layers.back().h, t, state.attention, constraints);
    out.state = run_layers(concat({y_prev, out.attention.context}, 1));  // s_i
    out.embedding = y_prev;
    if (with_output) out.output = deep_output(g, out.state, y_prev, out.attention.context, dropout_rng);
  } else {
    const Expr h_t = run_layers(config_.input_feeding ? concat({y_prev, state.feed}, 1) : y_prev);
    out.attention = attention_->attend(g, batch.memory, h_t, t, state.attention, constraints);
    out.output = tanh(linear(concat({out.attention.context, h_t}, 1), g.param(W_c_)));  // h̃_t
    state.feed = out.output;  // fed back before dropout
    out.output = maybe_dropout(out.output);
  }
  return out;
}

Expr Seq2Seq::logits(Graph& g, const Expr& outputs) const {
  const Expr W = config_.tied_embeddings ? g.param(tgt_embed_) : g.param(out_W_);
  return linear(outputs, W, g.param(out_b_));
}

Seq2Seq::Forward Seq2Seq::forward(Graph& g, const Batch& batch, Rng* dropout_rng) const {
  const EncodedBatch encoded = encode(g, batch.src, batch.src_lengths, batch.src_len, dropout_rng);
  DecoderState state = start(g, encoded);
  const std::size_t B = batch.size;
  Forward out;
  const bool bahdanau_order = order() == AttentionOrder::before_update;
  std::vector<Expr> outputs, states, embeddings, contexts;
  for (std::size_t t = 0; t < batch.tgt_len; ++t) {
    const std::vector<int> previous(batch.tgt_in.begin() + t * B, batch.tgt_in.begin() + (t + 1) * B);
    DecoderStep s = step(g, encoded, state, previous, t, dropout_rng, {}, /*with_output=*/!bahdanau_order);
    if (bahdanau_order) {
      states.push_back(s.state);
      embeddings.push_back(s.embedding);
      contexts.push_back(s.attention.context);
    } else {
      outputs.push_back(s.output);
    }
    out.attention.push_back(s.attention);
  }
  const std::size_t N = batch.tgt_len * B;
  auto rows = [N](const std::vector<Expr>& xs) { return reshape(stack(xs), {N, xs.front().shape()[1]}); };
  // The deep output does not feed back: every step's in one product of T·B rows.
  const Expr o = bahdanau_order ? deep_output(g, rows(states), rows(embeddings), rows(contexts), dropout_rng) : rows(outputs);
  out.logits = logits(g, o);  // one output projection for all steps: (T·B, O) · W_outᵀ
  return out;
}

Expr Seq2Seq::loss(Graph& g, const Batch& batch, Rng* dropout_rng, float label_smoothing) const {
  const Forward f = forward(g, batch, dropout_rng);
  const std::vector<float> mask = target_mask(batch);
  // Nothing else reads the logits: backward writes their gradient over them.
  return cross_entropy_in_place(f.logits, batch.tgt_out, g.constant(Shape{mask.size()}, mask.data()), label_smoothing);
}

}  // namespace nmtx
