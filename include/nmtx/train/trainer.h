// `nmtx train`: a recipe becomes a trained model in a run directory
//   RUN/config.yaml           the resolved recipe (every key)
//   RUN/src.vocab, tgt.vocab  vocabularies (and src/tgt.spm.model with SentencePiece)
//   RUN/data/                 a toy task's generated sets with gold alignments
//   RUN/checkpoints/          step-N directories, `latest` and `best` pointers (checkpoint.h)
//   RUN/metrics.jsonl         one JSON object per log interval and per validation
//   RUN/validations/          the dev translations of every validation
//   RUN/train.log             the log lines, with speed and time
//   RUN/summary.json          the results, when training ends
// metrics.jsonl holds only what the same recipe and seed reproduce bit for bit (losses,
// learning rates, BLEU); wall-clock figures go to train.log and summary.json.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace nmtx {

struct TrainCommand {
  std::string recipe;                  // a new run from this recipe file
  std::vector<std::string> overrides;  // "KEY=VALUE"
  std::string out;                     // run directory (overrides run.dir)
  bool overwrite = false;              // replace an existing run directory
  std::string resume;                  // or: continue the run in this directory
  std::int64_t inject_nan_at = 0;      // testing hook: a NaN gradient at this step
  // Testing hook: SIGKILL itself while writing the checkpoint of this step, at a stage
  // of save_checkpoint ("written" or "renamed").
  std::int64_t kill_in_checkpoint_at = 0;
  std::string kill_stage = "written";
};

// A NaN or infinite loss or gradient: training stopped, the last good checkpoint kept.
class TrainingDiverged : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Runs the command to its end; returns the run directory.
std::string run_training(const TrainCommand& command);

}  // namespace nmtx
