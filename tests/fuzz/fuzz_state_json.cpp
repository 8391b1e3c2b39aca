// A checkpoint's state.json (nmtx train --resume): every field type- and range-checked.
#include "fuzz.h"
#include "nmtx/io/json_fields.h"
#include "nmtx/run/checkpoint.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace nmtx;
  fuzz::expect_value_or_error<JsonFileError>("state.json", [&] {
    std::int64_t optimizer_steps = -1;
    const TrainingState s = parse_training_state(fuzz::text(data, size), "state.json", &optimizer_steps);
    if (s.step < 0 || s.epoch < 1 || s.batch_in_epoch < 0 || optimizer_steps < 0 || !(s.learning_rate >= 0.0)) std::abort();
  });
  return 0;
}
