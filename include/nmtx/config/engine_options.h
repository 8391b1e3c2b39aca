// The option structs of the layers below, from the typed Config: one function each, the
// only place where a Config's fields are translated into them (the translation service's
// TranslateSettings come from evaluation_settings in translation/, the trainer's
// StepOptions from step_options in train/train_step.h).
#pragma once

#include <cstddef>
#include <memory>

#include "nmtx/config/config.h"
#include "nmtx/core/optim.h"
#include "nmtx/data/batching.h"
#include "nmtx/data/toy_tasks.h"
#include "nmtx/model/seq2seq.h"

namespace nmtx {

// The model model.* describes, for the given vocabulary sizes (the score resolved: the
// type's default when model.attention.score is empty).
ModelConfig model_config(const ModelSettings& settings, std::size_t src_vocab, std::size_t tgt_vocab);
// The toy task data.task and data.toy.* describe (data.task must name one).
ToyConfig toy_config(const ToyDataSettings& toy);
// How training.* cuts an epoch into batches.
BatchingOptions batching_options(const TrainingConfig& training);
// The optimiser training.optimizer names, with its training.* settings.
std::unique_ptr<Optimizer> make_optimizer(const TrainingConfig& training);

}  // namespace nmtx
