// Checkpoint averaging (OpenNMT-py's average_models.py, fairseq's average_checkpoints.py):
// a checkpoint whose every parameter is the float32 rounding of the mean, computed in
// double, of that parameter in the chosen checkpoints of one run. It is written as
//   RUN/checkpoints/NAME/   params/*.npy, the newest source's state.json, config and
//                           vocabularies, and average.json (the sources and the rule)
// (without optimiser state: it is for translating, scoring and inspecting, not for
// resuming), under a temporary name renamed into place; `--checkpoint NAME` loads it like
// any other. Training never prunes it (only step-N checkpoints are pruned).
#pragma once

#include <string>
#include <vector>

namespace nmtx {

// The names of the newest `count` step-N checkpoints of the run, oldest first; throws
// std::runtime_error when the run has fewer.
std::vector<std::string> last_checkpoints(const std::string& run_dir, std::size_t count);

// Averages the named checkpoints of the run (at least one; every parameter file present in
// each, with the same shape) into RUN/checkpoints/NAME, replacing an earlier average of
// that name. Returns the directory written. Errors name the checkpoint and the file.
std::string average_checkpoints(const std::string& run_dir, const std::vector<std::string>& checkpoints,
                                const std::string& name);

}  // namespace nmtx
