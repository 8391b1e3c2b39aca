#include "nmtx/report/length_buckets.h"

namespace nmtx {

nlohmann::json length_buckets_json(const std::vector<LengthBucket>& buckets) {
  nlohmann::json out = nlohmann::json::array();
  for (const LengthBucket& b : buckets) {
    out.push_back({{"from", b.from}, {"to", b.to}, {"sentences", b.sentences}, {"bleu", b.bleu}});
  }
  return out;
}

}  // namespace nmtx
