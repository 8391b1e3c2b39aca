#include "nmtx/train/run_model.h"

#include <filesystem>

#include "nmtx/io/npy.h"
#include "nmtx/train/checkpoint.h"
#include "nmtx/train/run_data.h"

namespace nmtx {

namespace fs = std::filesystem;

ModelConfig model_config(const Recipe& r, std::size_t src_vocab, std::size_t tgt_vocab) {
  ModelConfig c;
  c.cell = r.string("model.cell");
  c.src_vocab = src_vocab;
  c.tgt_vocab = tgt_vocab;
  c.embed = static_cast<std::size_t>(r.integer("model.embed"));
  c.hidden = static_cast<std::size_t>(r.integer("model.hidden"));
  c.decoder_hidden = static_cast<std::size_t>(r.integer("model.decoder_hidden"));
  c.encoder_layers = static_cast<std::size_t>(r.integer("model.encoder_layers"));
  c.decoder_layers = static_cast<std::size_t>(r.integer("model.decoder_layers"));
  c.dropout = static_cast<float>(r.number("model.dropout"));
  c.init = r.string("model.init");
  c.init_scale = static_cast<float>(r.number("model.init_scale"));
  c.bridge = r.string("model.bridge");
  c.input_feeding = r.boolean("model.input_feeding");
  c.maxout = r.boolean("model.maxout");
  c.output_dim = static_cast<std::size_t>(r.integer("model.output_dim"));
  c.tied_embeddings = r.boolean("model.tied_embeddings");
  AttentionConfig& a = c.attention;
  a.type = r.string("model.attention.type");
  a.score = resolved_attention_score(a.type, r.string("model.attention.score"));
  a.dim = static_cast<std::size_t>(r.integer("model.attention.dim"));
  a.window = static_cast<float>(r.number("model.attention.window"));
  a.max_src_len = static_cast<std::size_t>(r.integer("model.attention.max_src_len"));
  a.heads = static_cast<std::size_t>(r.integer("model.attention.heads"));
  a.location_filters = static_cast<std::size_t>(r.integer("model.attention.location_filters"));
  a.location_kernel = static_cast<std::size_t>(r.integer("model.attention.location_kernel"));
  a.normalize = r.string("model.attention.normalize");
  return c;
}

std::unique_ptr<RunModel> load_run_model(const std::string& run_dir, const std::string& which) {
  const fs::path dir(run_dir);
  if (!fs::is_directory(dir)) throw std::runtime_error("--model " + run_dir + ": no such run directory");
  const fs::path config = dir / run_files::config;
  if (!fs::exists(config)) throw std::runtime_error("--model " + run_dir + ": " + config.string() + " is missing: not a run directory");
  auto m = std::make_unique<RunModel>();
  m->recipe = Recipe::load(config.string());
  const bool lowercase = m->recipe.boolean("data.lowercase");
  if (m->recipe.string("data.subword.type") == "sentencepiece") {
    m->src_segmenter = load_sentencepiece((dir / run_files::src_spm).string(), lowercase);
    m->tgt_segmenter = load_sentencepiece((dir / run_files::tgt_spm).string(), lowercase);
  } else {
    const TokenLevel level = parse_token_level(m->recipe.string("data.level"));
    m->src_segmenter = make_plain_segmenter(level, lowercase);
    m->tgt_segmenter = make_plain_segmenter(level, lowercase);
  }
  m->src_vocab = Vocab::load((dir / run_files::src_vocab).string());
  m->tgt_vocab = Vocab::load((dir / run_files::tgt_vocab).string());
  std::string checkpoint;
  if (which == "best" || which == "latest") {
    const auto pointer = checkpoint_pointer(run_dir, which);
    if (!pointer) throw std::runtime_error(run_dir + " has no " + which + " checkpoint (is the run trained?)");
    checkpoint = *pointer;
  } else if (fs::is_directory(dir / "checkpoints" / which)) {
    checkpoint = (dir / "checkpoints" / which).string();
  } else if (fs::is_directory(which)) {
    checkpoint = which;
  } else {
    throw std::runtime_error("--checkpoint " + which + ": not best, latest, a checkpoint of " + run_dir +
                             " (checkpoints/step-N) or a checkpoint directory");
  }
  m->params = std::make_unique<ParameterSet>(static_cast<std::uint64_t>(m->recipe.integer("training.seed")));
  m->model = std::make_unique<Seq2Seq>(model_config(m->recipe, m->src_vocab.size(), m->tgt_vocab.size()), *m->params);
  load_checkpoint(checkpoint, *m->params, nullptr);
  m->checkpoint = checkpoint;
  return m;
}

}  // namespace nmtx
