// Checkpoints: exact round trips of parameters and optimiser state, pointers, pruning,
// and clear errors for corrupt or truncated ones.
#include <doctest/doctest.h>

#include "test_files.h"
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "nmtx/core/rng.h"
#include "nmtx/io/json_fields.h"
#include "nmtx/run/checkpoint.h"

using namespace nmtx;
using nmtx::test::fresh_dir;
namespace fs = std::filesystem;

namespace {

void fill_params(ParameterSet& p) {
  p.add("encoder.embed", Shape{5, 3}, Init::uniform(0.5f));
  p.add("decoder.out.b", Shape{4}, Init::uniform(0.5f));
}

}  // namespace

TEST_CASE("a checkpoint restores parameters, Adam's state and the training state exactly") {
  const fs::path run = fresh_dir("ckpt");
  std::ofstream(run / "config.yaml") << "model: {}\n";
  ParameterSet params(3);
  fill_params(params);
  Adam adam(0.01f);
  for (int step = 0; step < 3; ++step) {
    for (std::size_t i = 0; i < params.numel(); ++i) params.grads()[i] = 0.1f * static_cast<float>(i % 7) - 0.3f;
    adam.step(params);
  }
  TrainingState state;
  state.step = 3;
  state.epoch = 2;
  state.batch_in_epoch = 1;
  state.learning_rate = 0.0123456789012345;
  Rng rng(9);
  rng.next_u64();
  state.dropout_rng = rng.state();
  state.interval_loss = 1.0 / 3.0;
  save_checkpoint(run.string(), params, adam, state, {"config.yaml"}, /*best=*/true);
  REQUIRE(fs::exists(run / "checkpoints" / "step-00000003" / "params" / "encoder.embed.npy"));
  CHECK(fs::exists(run / "checkpoints" / "step-00000003" / "config.yaml"));
  const auto latest = checkpoint_pointer(run.string(), "latest");
  REQUIRE(latest.has_value());
  CHECK(checkpoint_pointer(run.string(), "best") == latest);

  ParameterSet restored(99);  // a different initialisation, overwritten by the checkpoint
  fill_params(restored);
  Adam adam2(0.01f);
  const TrainingState back = load_checkpoint(*latest, restored, &adam2);
  REQUIRE(restored.numel() == params.numel());
  for (std::size_t i = 0; i < params.numel(); ++i) CHECK(restored.values()[i] == params.values()[i]);
  CHECK(adam2.steps() == 3);
  REQUIRE(adam2.first_moment().size() == params.numel());
  CHECK(adam2.first_moment() == adam.first_moment());
  CHECK(adam2.second_moment() == adam.second_moment());
  CHECK(back.step == 3);
  CHECK(back.epoch == 2);
  CHECK(back.batch_in_epoch == 1);
  CHECK(back.learning_rate == state.learning_rate);  // bit for bit through JSON
  CHECK(back.interval_loss == state.interval_loss);
  Rng rng2(0);
  rng2.restore(back.dropout_rng);
  CHECK(rng2.next_u64() == rng.next_u64());
  fs::remove_all(run);
}

TEST_CASE("corrupt, truncated and missing checkpoints are errors naming the file") {
  const fs::path run = fresh_dir("ckpt-bad");
  ParameterSet params(3);
  fill_params(params);
  Sgd sgd(0.1f, 0.9f);
  TrainingState state;
  state.step = 5;
  save_checkpoint(run.string(), params, sgd, state, {}, false);
  const fs::path dir = run / "checkpoints" / "step-00000005";
  ParameterSet other(4);
  fill_params(other);

  const fs::path npy = dir / "params" / "encoder.embed.npy";
  const auto size = fs::file_size(npy);
  fs::resize_file(npy, size - 8);
  CHECK_THROWS_WITH_AS(load_checkpoint(dir.string(), other, nullptr), doctest::Contains("encoder.embed.npy: truncated"),
                       CheckpointError);
  std::ofstream(dir / "state.json") << "{\"format\": 1, \"step\": ";
  CHECK_THROWS_WITH_AS(load_checkpoint(dir.string(), other, nullptr), doctest::Contains("state.json: corrupt"),
                       CheckpointError);
  fs::remove(dir / "state.json");
  CHECK_THROWS_WITH_AS(load_checkpoint(dir.string(), other, nullptr), doctest::Contains("state.json: cannot open"),
                       CheckpointError);
  std::ofstream(run / "checkpoints" / "latest") << "step-00000099\n";
  CHECK_THROWS_WITH_AS(checkpoint_pointer(run.string(), "latest"), doctest::Contains("does not exist"), CheckpointError);
  CHECK_FALSE(checkpoint_pointer(run.string(), "best").has_value());
  fs::remove_all(run);
}

TEST_CASE("pruning keeps the newest checkpoints and the protected best one, and clears leftovers") {
  const fs::path run = fresh_dir("prune");
  ParameterSet params(3);
  fill_params(params);
  Sgd sgd(0.1f);
  for (std::int64_t step : {10, 20, 30, 40, 50}) {
    TrainingState s;
    s.step = step;
    save_checkpoint(run.string(), params, sgd, s, {}, false);
  }
  fs::create_directories(run / "checkpoints" / ".partial-step-00000060-123");
  prune_checkpoints(run.string(), 2, {"step-00000020"});
  std::vector<std::string> left;
  for (const auto& e : fs::directory_iterator(run / "checkpoints")) {
    if (e.is_directory()) left.push_back(e.path().filename().string());
  }
  std::sort(left.begin(), left.end());
  CHECK(left == std::vector<std::string>{"step-00000020", "step-00000040", "step-00000050"});
  fs::remove_all(run);
}

TEST_CASE("hostile state.json: every field type- and range-checked, the error naming the file and the field") {
  TrainingState state;
  state.step = 7;
  state.best_checkpoint = "step-00000007";
  const fs::path run = fresh_dir("ckpt-state");
  ParameterSet params(3);
  fill_params(params);
  Sgd sgd(0.1f, 0.9f);
  save_checkpoint(run.string(), params, sgd, state, {}, false);
  const std::string good = nmtx::test::read_file(run / "checkpoints" / "step-00000007" / "state.json");
  std::int64_t steps = -1;
  CHECK(parse_training_state(good, "state.json", &steps).step == 7);
  CHECK(steps == 0);
  // Replaces one field's value in the good file.
  const auto with = [&](const std::string& field, const std::string& value) {
    nlohmann::json j = nlohmann::json::parse(good);
    j[field] = nlohmann::json::parse(value);
    return j.dump();
  };
  const auto fails = [&](const std::string& text, const std::string& message) {
    CAPTURE(text);
    CHECK_THROWS_WITH_AS(parse_training_state(text, "S/state.json", nullptr), doctest::Contains(("S/state.json: " + message).c_str()),
                         JsonFileError);
  };
  fails(R"({"format":1,"step":1e19})", "field \"step\": expected an integer in [0, 9007199254740992], got 1e+19");
  fails(with("step", "1e19"), "field \"step\": expected an integer in [0, 9007199254740992], got 1e+19");
  fails(with("step", "1234567890123456789012345678901234567890123456789012345"), "field \"step\": expected an integer");
  fails(with("step", "18446744073709551615"), "field \"step\": expected an integer");
  fails(with("step", "-1"), "field \"step\": expected an integer in [0, 9007199254740992], got -1");
  fails(with("step", "\"7\""), "field \"step\": expected an integer in [0, 9007199254740992], got \"7\"");
  fails(with("epoch", "0"), "field \"epoch\": expected an integer in [1, ");
  fails(with("learning_rate", "-0.5"), "field \"learning_rate\": expected a finite number in [0.0, ");
  fails(with("best_metric", "null"), "field \"best_metric\": expected a number, got null");
  fails(with("finished", "1"), "field \"finished\": expected true or false, got 1");
  fails(with("best_checkpoint", "\"../../etc\""), "field \"best_checkpoint\": expected a checkpoint's name");
  fails(with("dropout_rng", "\"" + std::string(20000, '7') + "\""), "field \"dropout_rng\": a string of 20000 bytes");
  fails(with("format", "2"), "field \"format\": checkpoint format 2, this nmtx reads 1");
  fails(R"({"format":1})", "field \"step\": missing");
  fails("[1, 2]", "expected a JSON object");
  fails("{\"format\": 1, \"step\": ", "not valid JSON");
  fs::remove_all(run);
}