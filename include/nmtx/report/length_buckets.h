// BLEU by source length as JSON, the one form nmtx compare's compare.json and nmtx
// inspect's triage answer share: [{"from", "to", "sentences", "bleu"}, ...].
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "nmtx/eval/bleu.h"

namespace nmtx {

nlohmann::json length_buckets_json(const std::vector<LengthBucket>& buckets);

}  // namespace nmtx
