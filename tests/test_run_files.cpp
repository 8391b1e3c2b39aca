// A run directory's typed files (run/run_files.h, run/snapshots.h): summary.json,
// metrics.jsonl and the attention snapshots written and read back field for field, and a
// damaged file refused with its name, line and field.
#include <doctest/doctest.h>

#include "nmtx/io/json_fields.h"
#include "nmtx/run/run_files.h"
#include "nmtx/run/snapshots.h"
#include "test_files.h"

using namespace nmtx;

TEST_CASE("summary.json reads back what was written, with and without a test set and an average") {
  const auto d = test::fresh_dir("run-files-summary");
  RunSummary s;
  s.recipe = "recipes/reverse.yaml";
  s.variant = "luong-general";
  s.params = 123456;
  s.steps = 3910;
  s.epochs_completed = 5;
  s.stop_reason = "epochs";
  s.train_seconds = 61.25;
  s.target_tokens = 3250245;
  s.tokens_per_second = 53065.2;
  s.checkpoint = "step-00003500";
  s.best_step = 3500;
  s.dev = {0.004, 1.004008, 99.9};
  s.bleu_signature = "nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0";
  const std::string path = (d / "summary.json").string();
  for (bool with_test : {false, true}) {
    CAPTURE(with_test);
    if (with_test) {
      s.test = SetScores{0.008, 1.008032, 99.43};
      s.test_bleu_line = "BLEU = 99.43 99.5/99.5/99.4/99.3 (BP = 1.000 ...)";
      s.average = AverageSummary{"average-last-3", {"step-00003000", "step-00003500", "step-00003910"}, {0.1, 1.1, 98.0}, {}};
      s.session = nlohmann::json{{"steps_taken", 3910}};
    }
    test::write_file(path, summary_text(s));
    const RunSummary r = read_summary(path);
    CHECK(summary_text(r) == summary_text(s));  // every field, through its own text
    CHECK(r.steps == 3910);
    CHECK(r.best_step == 3500);
    CHECK(r.dev.bleu == 99.9);
    REQUIRE(r.test.has_value() == with_test);
    if (with_test) {
      CHECK(r.test->bleu == 99.43);
      REQUIRE(r.average.has_value());
      REQUIRE(r.average->checkpoints.size() == 3);
      CHECK(!r.average->test.has_value());
      CHECK(r.session["steps_taken"] == 3910);
    }
  }
  const auto j = nlohmann::json::parse(summary_text(s));
  CHECK(j["test_bleu"] == 99.43);  // the keys other tools read (bench/, tests/) keep their names
  CHECK(j["dev_ppl"] == 1.004008);
  // Damaged: the file and the field are named.
  test::write_file(path, "{\"recipe\": \"r\", \"variant\": \"v\", \"params\": -4}");
  CHECK_THROWS_WITH_AS(read_summary(path), doctest::Contains("summary.json: field \"params\""), JsonFileError);
  test::write_file(path, "[1, 2]");
  CHECK_THROWS_WITH_AS(read_summary(path), doctest::Contains("summary.json"), JsonFileError);
  std::filesystem::remove_all(d);
}

TEST_CASE("metrics.jsonl: entries as the trainer writes them, read back by type") {
  const auto d = test::fresh_dir("run-files-metrics");
  const std::string path = (d / "metrics.jsonl").string();
  const TrainMetrics t{100, 1, 3.25, 25.79, 0.5, 0.001, 12000};
  const ValidMetrics v{500, 1, 0.5, 1.65, 42.5, 0.0005, true, std::nullopt, std::nullopt, std::nullopt};
  test::write_file(path, metrics_entry(t).dump() + "\n" + metrics_entry(v).dump() + "\n" +
                             R"({"type": "note", "text": "a later version's entry"})" + "\n");
  const MetricsHistory h = read_metrics(path);
  REQUIRE(h.train.size() == 1);
  REQUIRE(h.valid.size() == 1);
  CHECK(h.train[0].step == 100);
  CHECK(h.train[0].loss == 3.25);
  CHECK(h.train[0].tokens == 12000);
  CHECK(h.valid[0].dev_bleu == 42.5);
  CHECK(h.valid[0].best);
  CHECK(metrics_entry(h.valid[0]) == metrics_entry(v));
  // The trainer's lines keep their keys (docs/recipes.md lists them; bench/ reads them).
  CHECK(metrics_entry(t).dump() ==
        R"({"epoch":1,"grad_norm":0.5,"learning_rate":0.001,"loss":3.25,"ppl":25.79,"step":100,"tokens":12000,"type":"train"})");
  // Where the dev set has gold: the attention's measures, written only then.
  ValidMetrics measured = v;
  measured.aer = 0.25;
  measured.argmax_accuracy = 0.75;
  measured.entropy = 0.125;
  test::write_file(path, metrics_entry(measured).dump() + "\n");
  const ValidMetrics back = read_metrics(path).valid.at(0);
  REQUIRE(back.aer.has_value());
  CHECK(*back.aer == 0.25);
  CHECK(*back.argmax_accuracy == 0.75);
  CHECK(*back.entropy == 0.125);
  CHECK_FALSE(h.valid[0].aer.has_value());
  CHECK(metrics_entry(v).dump().find("aer") == std::string::npos);
  test::write_file(path, metrics_entry(t).dump() + "\n" + R"({"type": "valid", "step": 7})" + "\n");
  CHECK_THROWS_WITH_AS(read_metrics(path), doctest::Contains("metrics.jsonl:2: field \"epoch\""), JsonFileError);
  std::filesystem::remove_all(d);
}

TEST_CASE("attention snapshots: the watched sentences and a validation's record read back, damage refused") {
  const auto d = test::fresh_dir("run-files-snapshots");
  const std::string run = d.string();
  SnapshotSentences watched;
  AlignmentLine gold;
  gold.sure = {{0, 1}, {1, 0}};
  gold.possible = {{0, 1}, {1, 0}, {1, 1}};
  watched.sentences.push_back({4, 5, {"a", "b"}, {"b", "a"}, gold});
  watched.sentences.push_back({9, 11, {"c"}, {"c", "c"}, std::nullopt});
  std::filesystem::create_directories(snapshots_dir(run));
  const std::string sentences_path = snapshots_dir(run) + "/sentences.json";
  test::write_file(sentences_path, snapshot_sentences_text(watched));
  const SnapshotSentences w = read_snapshot_sentences(sentences_path);
  REQUIRE(w.sentences.size() == 2);
  CHECK(w.sentences[0].index == 4);
  CHECK(w.sentences[0].line == 5);
  REQUIRE(w.sentences[0].gold.has_value());
  CHECK(w.sentences[0].gold->possible.count({1, 1}) == 1);
  CHECK_FALSE(w.sentences[1].gold.has_value());
  CHECK(snapshot_sentences_text(w) == snapshot_sentences_text(watched));

  Snapshot s{150, {}};
  // multi-head: two heads whose mean the rows are
  s.sentences.push_back({{"b", "a", "</s>"},
                         {{0.25f, 0.75f}, {1.0f, 0.0f}, {0.5f, 0.5f}},
                         {},
                         {{0.125f, 0.875f}, {1.0f, 0.0f}, {0.5f, 0.5f}},
                         {},
                         {{{0.5f, 0.5f}, {1.0f, 0.0f}, {0.0f, 1.0f}}, {{0.0f, 1.0f}, {1.0f, 0.0f}, {1.0f, 0.0f}}},
                         {{{0.25f, 0.75f}, {1.0f, 0.0f}, {0.0f, 1.0f}}, {{0.0f, 1.0f}, {1.0f, 0.0f}, {1.0f, 0.0f}}}});
  // cut at the length limit; local attention's p_t recorded for both
  s.sentences.push_back({{"c"}, {{1.0f}}, {0.375f}, {{1.0f}, {1.0f}, {1.0f}}, {0.0f, 0.25f, 0.5f}, {}, {}});
  test::write_file(snapshot_path(run, 150), snapshot_text(s));
  test::write_file(snapshot_path(run, 20), snapshot_text(Snapshot{20, {}}));
  test::write_file(snapshots_dir(run) + "/step-00000300.json.tmp-1", "half");  // an interrupted write's leftover
  CHECK(snapshot_steps(run) == std::vector<std::int64_t>{20, 150});
  const Snapshot r = read_snapshot(snapshot_path(run, 150));
  CHECK(r.step == 150);
  REQUIRE(r.sentences.size() == 2);
  REQUIRE(r.sentences[0].attention.size() == 3);
  CHECK(r.sentences[0].attention[0] == std::vector<float>{0.25f, 0.75f});
  CHECK(r.sentences[1].positions == std::vector<float>{0.375f});
  REQUIRE(r.sentences[0].reference_attention.size() == 3);
  CHECK(r.sentences[0].reference_attention[0] == std::vector<float>{0.125f, 0.875f});
  CHECK(r.sentences[1].reference_positions == std::vector<float>{0.0f, 0.25f, 0.5f});
  REQUIRE(r.sentences[0].heads.size() == 2);
  REQUIRE(r.sentences[0].heads[1].size() == 3);
  CHECK(r.sentences[0].heads[1][0] == std::vector<float>{0.0f, 1.0f});
  REQUIRE(r.sentences[0].reference_heads.size() == 2);
  CHECK(r.sentences[0].reference_heads[0][0] == std::vector<float>{0.25f, 0.75f});
  CHECK(r.sentences[1].heads.empty());
  CHECK(snapshot_text(r) == snapshot_text(s));

  s.sentences[0].heads[1].pop_back();  // a head a row short of the attention
  test::write_file(snapshot_path(run, 150), snapshot_text(s));
  CHECK_THROWS_WITH_AS(read_snapshot(snapshot_path(run, 150)),
                       doctest::Contains("step-00000150.json: sentences[0]: field \"heads\""), JsonFileError);
  s.sentences[0].heads[1].push_back({1.0f, 0.0f});

  s.sentences[0].attention.pop_back();  // a row short of the outputs
  test::write_file(snapshot_path(run, 150), snapshot_text(s));
  CHECK_THROWS_WITH_AS(read_snapshot(snapshot_path(run, 150)),
                       doctest::Contains("step-00000150.json: sentences[0]: field \"attention\""), JsonFileError);
  test::write_file(sentences_path, R"({"sentences": [{"index": 1, "line": 0, "source": [], "reference": []}]})");
  CHECK_THROWS_WITH_AS(read_snapshot_sentences(sentences_path), doctest::Contains("sentences[0]: field \"line\""),
                       JsonFileError);
  std::filesystem::remove_all(d);
}
