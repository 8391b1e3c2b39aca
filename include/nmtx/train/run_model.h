// A trained model as a run directory holds it: its resolved recipe, segmenters,
// vocabularies and the parameters of one checkpoint (the best by default). What
// `nmtx translate`, `nmtx score` and `nmtx align` load.
#pragma once

#include <memory>
#include <string>

#include "nmtx/core/params.h"
#include "nmtx/data/segmenter.h"
#include "nmtx/data/vocab.h"
#include "nmtx/model/seq2seq.h"
#include "nmtx/train/recipe.h"

namespace nmtx {

// The model a recipe describes, for the given vocabulary sizes.
ModelConfig model_config(const Recipe& recipe, std::size_t src_vocab, std::size_t tgt_vocab);

struct RunModel {
  Recipe recipe;
  std::unique_ptr<Segmenter> src_segmenter, tgt_segmenter;
  Vocab src_vocab, tgt_vocab;
  std::unique_ptr<ParameterSet> params;
  std::unique_ptr<Seq2Seq> model;
  std::string checkpoint;  // the directory the parameters came from
};

// Loads RUN_DIR with the checkpoint `which`: "best", "latest", a checkpoint's name
// (step-00001200) or a checkpoint directory's path. Errors name what is missing.
std::unique_ptr<RunModel> load_run_model(const std::string& run_dir, const std::string& which = "best");

}  // namespace nmtx
