// The inspector's server apart from sockets: which Host headers it answers (DNS rebinding),
// and that a request naming no loaded run is refused (404, or 400 for a run that is not an
// index) before anything else of it is read, with the status and field the API promises.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "nmtx/config/config.h"
#include "nmtx/server/http_server.h"
#include "nmtx/server/inspector.h"
#include "nmtx/train/trainer.h"
#include "test_files.h"

using namespace nmtx;
using nlohmann::json;

namespace {

// The status and message of the RequestError `call` throws (status 0: none thrown).
template <class Call>
std::pair<int, std::string> refusal(Call call) {
  try {
    call();
  } catch (const RequestError& e) {
    return {e.status(), e.what()};
  }
  return {0, ""};
}

}  // namespace

TEST_CASE("the Host header must name a local or IP address, or --host, with the server's port") {
  CHECK(host_header_allowed("127.0.0.1:8017", "127.0.0.1", 8017));
  CHECK(host_header_allowed("localhost:8017", "127.0.0.1", 8017));
  CHECK(host_header_allowed("LOCALHOST:8017", "127.0.0.1", 8017));
  CHECK(host_header_allowed("[::1]:8017", "::1", 8017));
  CHECK(host_header_allowed("192.168.1.20:8017", "0.0.0.0", 8017));
  CHECK(host_header_allowed("inspector.lab:8017", "inspector.lab", 8017));  // the name the user gave
  CHECK(host_header_allowed("127.0.0.1", "127.0.0.1", 80));                // default port left out
  CHECK_FALSE(host_header_allowed("127.0.0.1", "127.0.0.1", 8017));
  CHECK_FALSE(host_header_allowed("127.0.0.1:8018", "127.0.0.1", 8017));
  CHECK_FALSE(host_header_allowed("attacker.example:8017", "127.0.0.1", 8017));
  CHECK_FALSE(host_header_allowed("127.0.0.1.attacker.example:8017", "127.0.0.1", 8017));
  CHECK_FALSE(host_header_allowed("1.2.3:8017", "127.0.0.1", 8017));
  CHECK_FALSE(host_header_allowed("", "127.0.0.1", 8017));
  CHECK_FALSE(host_header_allowed(":8017", "127.0.0.1", 8017));
  CHECK_FALSE(host_header_allowed("127.0.0.1:", "127.0.0.1", 8017));
  CHECK_FALSE(host_header_allowed("127.0.0.1:99999999", "127.0.0.1", 8017));
  CHECK_FALSE(host_header_allowed("127.0.0.1:80a", "127.0.0.1", 80));
  CHECK_FALSE(host_header_allowed("[::1]", "::1", 8017));
}

TEST_CASE("an inspector needs at least one run") {
  CHECK_THROWS_AS(Inspector({}), std::invalid_argument);
}

TEST_CASE("a trained run in the inspector: a request naming no loaded run is refused first, the training view, RUN@CHECKPOINT") {
  // A run of two steps of a tiny reverse task: something to load.
  const auto d = test::fresh_dir("server-run");
  test::write_file(d / "r.yaml",
                   "data: {task: reverse, toy: {train_size: 40, dev_size: 4, test_size: 4, symbols: 6, max_length: 5}}\n"
                   "model: {embed: 8, hidden: 8}\n"
                   "training: {steps: 2, epochs: 0, batch_size: 8, threads: 1, shards: 1}\n"
                   "validation: {every: 2}\n");
  Config config = load_config((d / "r.yaml").string());
  config.run.dir = (d / "run").string();
  train_new_run(config, false);
  const Inspector inspector({{config.run.dir, false, ""}});
  REQUIRE(inspector.size() == 1);
  const json source = inspector.sentences({{"run", 0}, {"set", "dev"}})["sentences"].at(0)["source"];
  REQUIRE(inspector.translate({{"run", 0}, {"source", source}})["hypotheses"].size() == 1);  // a good request is answered

  // The run is read first: a bad source after a run that is not loaded is a 404 for the run.
  const auto [status, what] = refusal([&] { inspector.translate({{"run", 1}, {"source", 42}}); });
  CHECK(status == 404);
  CHECK(what.find("field \"run\": no run 1 (1 loaded)") != std::string::npos);
  for (const json& request : {json{{"run", 7}, {"target", nullptr}}, json{{"run", 1}}}) {
    CAPTURE(request.dump());
    CHECK(refusal([&] { inspector.score(request); }).first == 404);
    CHECK(refusal([&] { inspector.triage(request); }).first == 404);
    CHECK(refusal([&] { inspector.sentences(request); }).first == 404);
  }
  // Not an index, or none: 400 naming the field.
  for (const json& request : {json{{"source", "a"}}, json{{"run", -1}}, json{{"run", "0"}}, json{{"run", 0.5}}}) {
    CAPTURE(request.dump());
    const auto [code, message] = refusal([&] { inspector.translate(request); });
    CHECK(code == 400);
    CHECK(message.find("\"run\"") != std::string::npos);
  }
  CHECK(refusal([&] { inspector.translate(json::array()); }).first == 400);
  CHECK(refusal([&] { inspector.sentences({{"run", 0}, {"set", "train"}}); }).first == 404);  // sets: dev, test

  // The training view: the run's one validation (step 2) recorded its 4 dev sentences.
  const json training = inspector.training({{"run", 0}});
  CHECK(training["steps"] == json::array({2}));
  REQUIRE(training["sentences"].size() == 4);  // validation.snapshots 8, but the dev set has 4
  CHECK(training["valid"].size() == 1);
  CHECK(training["sentences"][0]["gold"]["sure"].size() == training["sentences"][0]["reference"].size());
  const json snapshot = inspector.snapshot({{"run", 0}, {"step", 2}});
  REQUIRE(snapshot["sentences"].size() == 4);
  CHECK(snapshot["sentences"][0]["reference_attention"].size() == training["sentences"][0]["reference"].size() + 1);
  CHECK(snapshot["sentences"][0]["aer"].is_number());
  const auto [missing, why] = refusal([&] { inspector.snapshot({{"run", 0}, {"step", 3}}); });
  CHECK(missing == 404);
  CHECK(why.find("no snapshot at step 3 (it has: 2)") != std::string::npos);
  CHECK(refusal([&] { inspector.snapshot({{"run", 0}, {"step", "2"}}); }).first == 400);
  CHECK(refusal([&] { inspector.snapshot({{"run", 0}}); }).first == 400);

  // RUN@CHECKPOINT: one run's checkpoints side by side, each named so.
  const std::vector<InspectPath> paths = Inspector::expand_paths({config.run.dir + "@step-2", config.run.dir + "@latest",
                                                                  config.run.dir});
  REQUIRE(paths.size() == 3);
  CHECK(paths[0].dir == config.run.dir);
  CHECK(paths[0].checkpoint == "step-2");
  CHECK(paths[2].checkpoint.empty());
  const Inspector side_by_side(paths);
  const json runs = side_by_side.runs()["runs"];
  REQUIRE(runs.size() == 3);
  CHECK(runs[0]["name"] == "run@step-2");
  CHECK(runs[0]["checkpoint"] == "step-00000002");
  CHECK(runs[1]["name"] == "run@latest");
  CHECK(runs[2]["name"] == "run");
  CHECK_THROWS_WITH_AS(Inspector::expand_paths({config.run.dir + "@"}), doctest::Contains("name a checkpoint after @"),
                       std::runtime_error);
  CHECK_THROWS_WITH_AS(Inspector(Inspector::expand_paths({config.run.dir + "@step-7"})),
                       doctest::Contains("no checkpoint step-7"), std::exception);
  std::filesystem::remove_all(d);
}

TEST_CASE("docs/inspect.md lists every request limit from the one table the checks read") {
  const std::string table = request_limits_markdown();
  REQUIRE(request_limits().size() == 15);
  // The intervention's step reaches the last step decoding can produce: 2 x 150 + 10 steps.
  CHECK(table.find("so up to 309 for a source of 150 tokens") != std::string::npos);
  const std::string docs = test::read_file(std::filesystem::path(NMTX_SOURCE_DIR) / "docs" / "inspect.md");
  INFO("docs/inspect.md should hold this table:\n" << table);
  CHECK(docs.find(table) != std::string::npos);
}
