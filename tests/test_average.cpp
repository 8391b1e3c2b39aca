// Checkpoint averaging: each parameter is the float32 rounding of the mean computed in
// double (not a float running sum), the newest checkpoints are chosen, the average loads
// like any checkpoint, and bad requests leave nothing behind.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "nmtx/core/optim.h"
#include "nmtx/run/average.h"
#include "nmtx/run/checkpoint.h"
#include "test_files.h"

using namespace nmtx;
using nmtx::test::fresh_dir;
namespace fs = std::filesystem;

namespace {

// Values whose float running sum rounds differently from the double mean: 1, 1 + u,
// 1 + u (u = 2^-23, one ulp of 1) sum to 3 + 2u in double, mean 1 + (2/3)u, which rounds
// to 1 + u; in float, 1 + (1 + u) = 2 + u rounds (to even) to 2, and 2 + 1 + u = 3 + u
// rounds to 3, mean exactly 1.
constexpr float kUlp = 1.0f / 8388608.0f;

void save_step(const fs::path& run, std::int64_t step, float a, float b) {
  ParameterSet params(1);
  params.add("decoder.out.b", Shape{2}, Init::zeros());
  params.add("encoder.embed", Shape{1, 3}, Init::zeros());
  float* v = params.values();  // sorted by name: decoder.out.b, then encoder.embed
  v[0] = a;
  v[1] = -a;
  v[2] = b;
  v[3] = 2 * b;
  v[4] = static_cast<float>(step);
  Sgd sgd(0.1f);
  TrainingState state;
  state.step = step;
  save_checkpoint(run.string(), params, sgd, state, {"config.yaml"}, false);
}

}  // namespace

TEST_CASE("averaging: the float32 rounding of the mean in double, of the newest checkpoints") {
  const fs::path run = fresh_dir("average");
  std::ofstream(run / "config.yaml") << "model: {}\n";
  save_step(run, 100, 7.0f, 7.0f);  // the oldest: not among the last 3
  save_step(run, 200, 1.0f, 0.1f);
  save_step(run, 300, 1.0f + kUlp, 0.2f);
  save_step(run, 400, 1.0f + kUlp, 0.3f);
  const std::vector<std::string> last = last_checkpoints(run.string(), 3);
  REQUIRE(last.size() == 3);
  CHECK(last == std::vector<std::string>{"step-00000200", "step-00000300", "step-00000400"});
  const std::string dir = average_checkpoints(run.string(), last, "average-last-3");
  CHECK(dir == (run / "checkpoints" / "average-last-3").string());
  CHECK(fs::exists(run / "checkpoints" / "average-last-3" / "average.json"));
  CHECK(fs::exists(run / "checkpoints" / "average-last-3" / "config.yaml"));

  ParameterSet loaded(5);
  loaded.add("decoder.out.b", Shape{2}, Init::uniform(1.0f));
  loaded.add("encoder.embed", Shape{1, 3}, Init::uniform(1.0f));
  const TrainingState state = load_checkpoint(dir, loaded, nullptr);
  CHECK(state.step == 400);  // the newest source's state
  REQUIRE(loaded.numel() == 5);
  const float* v = loaded.values();
  CHECK(v[0] == 1.0f + kUlp);  // a float running sum would give exactly 1
  CHECK(v[1] == -(1.0f + kUlp));
  const double b = (static_cast<double>(0.1f) + static_cast<double>(0.2f) + static_cast<double>(0.3f)) / 3.0;
  CHECK(v[2] == static_cast<float>(b));
  CHECK(v[3] == static_cast<float>((2.0 * 0.1f + 2.0 * 0.2f + 2.0 * 0.3f) / 3.0));
  CHECK(v[4] == 300.0f);

  // Named checkpoints; one checkpoint averages to itself.
  average_checkpoints(run.string(), {"step-00000100"}, "only-100");
  ParameterSet single(6);
  single.add("decoder.out.b", Shape{2}, Init::zeros());
  single.add("encoder.embed", Shape{1, 3}, Init::zeros());
  load_checkpoint((run / "checkpoints" / "only-100").string(), single, nullptr);
  CHECK(single.values()[0] == 7.0f);
  CHECK(single.values()[4] == 100.0f);
}

TEST_CASE("averaging refuses what it cannot do, and leaves nothing half-written") {
  const fs::path run = fresh_dir("average-bad");
  std::ofstream(run / "config.yaml") << "model: {}\n";
  save_step(run, 1, 1.0f, 1.0f);
  save_step(run, 2, 2.0f, 2.0f);
  CHECK_THROWS_WITH_AS(last_checkpoints(run.string(), 3), doctest::Contains("fewer than the 3"), std::runtime_error);
  CHECK_THROWS_AS(last_checkpoints(run.string(), 0), std::runtime_error);
  CHECK_THROWS_WITH_AS(average_checkpoints(run.string(), {"step-00000001", "step-00000009"}, "x"),
                       doctest::Contains("no checkpoint step-00000009"), std::runtime_error);
  for (const char* bad : {"", "../x", ".hidden", "step-00000005", "best", "latest"}) {
    CHECK_THROWS_AS(average_checkpoints(run.string(), {"step-00000001"}, bad), std::runtime_error);
  }
  // A parameter of another shape in one checkpoint: refused, naming the file; no directory left.
  ParameterSet other(1);
  other.add("decoder.out.b", Shape{3}, Init::zeros());
  other.add("encoder.embed", Shape{1, 3}, Init::zeros());
  Sgd sgd(0.1f);
  TrainingState state;
  state.step = 3;
  save_checkpoint(run.string(), other, sgd, state, {"config.yaml"}, false);
  CHECK_THROWS_WITH_AS(average_checkpoints(run.string(), {"step-00000002", "step-00000003"}, "mixed"),
                       doctest::Contains("decoder.out.b.npy"), CheckpointError);
  std::size_t leftovers = 0;
  for (const auto& entry : fs::directory_iterator(run / "checkpoints")) {
    const std::string name = entry.path().filename().string();
    leftovers += name == "mixed" || name.rfind(".partial-", 0) == 0;
  }
  CHECK(leftovers == 0);
}
