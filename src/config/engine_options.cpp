#include "nmtx/config/engine_options.h"

namespace nmtx {

ModelConfig model_config(const ModelSettings& m, std::size_t src_vocab, std::size_t tgt_vocab) {
  ModelConfig c;
  c.cell = m.cell;
  c.src_vocab = src_vocab;
  c.tgt_vocab = tgt_vocab;
  c.embed = static_cast<std::size_t>(m.embed);
  c.hidden = static_cast<std::size_t>(m.hidden);
  c.decoder_hidden = static_cast<std::size_t>(m.decoder_hidden);
  c.encoder_layers = static_cast<std::size_t>(m.encoder_layers);
  c.decoder_layers = static_cast<std::size_t>(m.decoder_layers);
  c.dropout = static_cast<float>(m.dropout);
  c.init = m.init;
  c.init_scale = static_cast<float>(m.init_scale);
  c.bridge = m.bridge;
  c.input_feeding = m.input_feeding;
  c.maxout = m.maxout;
  c.output_dim = static_cast<std::size_t>(m.output_dim);
  c.tied_embeddings = m.tied_embeddings;
  const AttentionSettings& s = m.attention;
  AttentionConfig& a = c.attention;
  a.type = s.type;
  a.score = s.resolved_score();
  a.dim = static_cast<std::size_t>(s.dim);
  a.window = static_cast<float>(s.window);
  a.max_src_len = static_cast<std::size_t>(s.max_src_len);
  a.heads = static_cast<std::size_t>(s.heads);
  a.location_filters = static_cast<std::size_t>(s.location_filters);
  a.location_kernel = static_cast<std::size_t>(s.location_kernel);
  a.normalize = s.normalize;
  return c;
}

ToyConfig toy_config(const ToyDataSettings& toy) {
  ToyConfig config;
  config.task = toy.task.value();
  config.symbols = static_cast<std::size_t>(toy.symbols);
  config.min_length = static_cast<std::size_t>(toy.min_length);
  config.max_length = static_cast<std::size_t>(toy.max_length);
  return config;
}

BatchingOptions batching_options(const TrainingConfig& t) {
  BatchingOptions o;
  o.batch_size = static_cast<std::size_t>(t.batch_size);
  o.by_tokens = t.batch_by_tokens;
  o.shuffle = t.shuffle;
  o.bucket = t.bucket;
  return o;
}

std::unique_ptr<Optimizer> make_optimizer(const TrainingConfig& t) {
  const auto lr = static_cast<float>(t.learning_rate);
  if (t.optimizer == OptimizerType::sgd) return std::make_unique<Sgd>(lr, static_cast<float>(t.momentum));
  return std::make_unique<Adam>(lr, static_cast<float>(t.adam_beta1), static_cast<float>(t.adam_beta2),
                                static_cast<float>(t.adam_eps));
}

}  // namespace nmtx
