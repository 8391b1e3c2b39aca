#include "checkpoint_writer.h"

#include <filesystem>

#include "nmtx/run/run_data.h"

namespace nmtx {

namespace fs = std::filesystem;

CheckpointWriter::CheckpointWriter(std::string dir, const CheckpointConfig& config, const FaultInjection& faults)
    : dir_(std::move(dir)), keep_last_(static_cast<std::size_t>(config.keep_last)), faults_(faults) {
  for (const char* f : {run_files::config, run_files::src_vocab, run_files::tgt_vocab, run_files::src_spm,
                        run_files::tgt_spm}) {
    if (fs::exists(fs::path(dir_) / f)) run_files_.emplace_back(f);
  }
}

void CheckpointWriter::save(const ParameterSet& params, MovingAverage* average, const Optimizer& optimizer,
                            const TrainingState& state, bool best) {
  save_checkpoint(dir_, average ? average->values() : params, optimizer, state, run_files_, best,
                  faults_.in_checkpoint(state.step), average ? &params : nullptr);
  set_latest((fs::path(dir_) / "checkpoints" / checkpoint_name(state.step)).string(), state.step);
  prune_checkpoints(dir_, keep_last_, {state.best_checkpoint});
}

void CheckpointWriter::set_latest(const std::string& checkpoint, std::int64_t step) {
  latest_ = checkpoint;
  saved_step_ = step;
}

}  // namespace nmtx
