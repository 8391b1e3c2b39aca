// The inspector's training view (POST /api/training, /api/snapshot): a run's curves from
// metrics.jsonl and its attention snapshots (run/snapshots.h), read from the run directory at
// each request, so a run still training shows its latest validation. Private to server/.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace nmtx {

// {steps, sentences, train, valid, note}: the validations with a snapshot, the watched
// sentences (index, line, source, reference, gold), the curves' points, and why there are no
// snapshots when there are none.
nlohmann::json training_view(const std::string& run_dir);

// {step, sentences: [{output, attention, positions, reference_attention, reference_positions,
// heads, reference_heads, aer}]}; a step without a snapshot is a
// RequestError (404) naming the steps there are.
nlohmann::json snapshot_view(const std::string& run_dir, std::int64_t step);

}  // namespace nmtx
