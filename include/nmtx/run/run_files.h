// The files a run directory holds about its training, typed: each has one struct and one
// write/read pair here (io's checked JSON underneath, so a damaged file is refused with its
// name, line and field). state.json's is in checkpoint.h, the attention snapshots' in
// snapshots.h, the comparison's compare.json in nmtx compare's own code.
//   RUN/metrics.jsonl   one JSON object per line: a log interval's training figures
//                       ("type": "train") or a validation's dev figures ("type": "valid")
//   RUN/summary.json    what a finished run reports (README's "What the main job prints")
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace nmtx {

// metrics.jsonl: only numbers the same recipe and seed reproduce bit for bit.
struct TrainMetrics {  // a log interval (training.log_every steps)
  std::int64_t step = 0, epoch = 0;
  double loss = 0.0, ppl = 0.0;  // per target token over the interval
  double grad_norm = 0.0;        // the interval's mean, before clipping
  double learning_rate = 0.0;
  std::int64_t tokens = 0;       // target tokens of the interval
};
struct ValidMetrics {  // a validation on the dev set
  std::int64_t step = 0, epoch = 0;
  double dev_loss = 0.0, dev_ppl = 0.0, dev_bleu = 0.0;
  double learning_rate = 0.0;
  bool best = false;  // the best so far by validation.metric
  // Where the dev set has gold alignments (toy tasks): the references' attention (forced
  // decoding) against them, and its mean entropy in nats (translator.h's measures).
  std::optional<double> aer, argmax_accuracy, entropy;
};
nlohmann::json metrics_entry(const TrainMetrics& m);
nlohmann::json metrics_entry(const ValidMetrics& m);
struct MetricsHistory {
  std::vector<TrainMetrics> train;
  std::vector<ValidMetrics> valid;
};
// Reads RUN/metrics.jsonl (`path`); a line of another type is skipped (later versions may
// add some).
MetricsHistory read_metrics(const std::string& path);

// summary.json.
struct SetScores {  // a set scored (teacher-forced loss per token, perplexity, corpus BLEU)
  double loss = 0.0, ppl = 0.0, bleu = 0.0;
};
struct AverageSummary {  // checkpoint.average_last's average, scored
  std::string checkpoint;                // its directory's name
  std::vector<std::string> checkpoints;  // the checkpoints averaged
  SetScores dev;
  std::optional<SetScores> test;
};
struct RunSummary {
  std::string recipe;                    // the recipe file
  std::string variant;                   // the attention variant ("luong-general")
  std::int64_t params = 0;               // parameters of the model
  std::int64_t steps = 0, epochs_completed = 0;
  std::string stop_reason;               // "steps", "epochs", "early stopping: ...", ...
  double train_seconds = 0.0;            // wall time spent training, every session
  std::int64_t target_tokens = 0;
  double tokens_per_second = 0.0;
  std::string checkpoint;                // what was scored: best, or the last step's
  std::int64_t best_step = -1;
  SetScores dev;
  std::string bleu_signature;            // sacreBLEU's signature of the BLEU scores
  std::optional<SetScores> test;         // with data.test
  std::string test_bleu_line;            // with data.test: sacreBLEU's line
  std::optional<AverageSummary> average;
  nlohmann::json data_parallel;          // shards and processes' report (null: none)
  nlohmann::json session;                // the last session's times and memory (null: none)
};
std::string summary_text(const RunSummary& s);  // summary.json's content
RunSummary read_summary(const std::string& path);

}  // namespace nmtx
