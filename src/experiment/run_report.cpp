#include "nmtx/experiment/run_report.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <stdexcept>

#include "nmtx/config/config.h"
#include "nmtx/data/text.h"
#include "nmtx/eval/bleu.h"
#include "nmtx/report/attention_export.h"
#include "nmtx/report/compare_report.h"
#include "nmtx/run/checkpoint.h"
#include "nmtx/run/run_data.h"
#include "nmtx/run/run_files.h"
#include "nmtx/run/snapshots.h"

namespace nmtx {

namespace fs = std::filesystem;

namespace {

constexpr std::size_t kHeatmapsPerSentence = 6;  // validations shown per watched sentence
constexpr std::size_t kDevExamples = 5;          // dev translations shown

template <class Entry, class Figure>
Series optional_curve(const std::vector<Entry>& entries, Figure figure, const std::string& name) {
  Series s{name, {}, {}};
  for (const Entry& e : entries) {
    if (const auto y = figure(e)) s.points.emplace_back(static_cast<double>(e.step), *y);
  }
  return s;
}

std::string results_table(const RunSummary& s) {
  const auto cell = [](const std::optional<double>& x, int digits) {
    return x ? fmt::format("{:.{}f}", *x, digits) : std::string("—");
  };
  std::string html = "<table><tr><th>steps</th><th>best step</th><th>dev ppl</th><th>dev BLEU</th><th>test ppl</th>"
                     "<th>test BLEU</th><th>train time (s)</th><th>target tok/s</th></tr>\n";
  html += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{:.0f}</td><td>{:.0f}</td></tr>\n",
                      s.steps, s.best_step, cell(s.dev.ppl, 3), cell(s.dev.bleu, 2),
                      cell(s.test ? std::optional<double>(s.test->ppl) : std::nullopt, 3),
                      cell(s.test ? std::optional<double>(s.test->bleu) : std::nullopt, 2), s.train_seconds,
                      s.tokens_per_second);
  return html + "</table>\n<p>" + html_escape(s.bleu_signature) + "</p>\n";
}

// The validations whose snapshots are shown: up to six, evenly spread, the first and the last included.
std::vector<std::int64_t> shown_steps(const std::vector<std::int64_t>& steps) {
  if (steps.size() <= kHeatmapsPerSentence) return steps;
  std::vector<std::int64_t> out;
  for (std::size_t k = 0; k < kHeatmapsPerSentence; ++k) {
    out.push_back(steps[k * (steps.size() - 1) / (kHeatmapsPerSentence - 1)]);
  }
  return out;
}

std::string snapshot_rows(const std::string& run_dir) {
  const fs::path watched_path = fs::path(snapshots_dir(run_dir)) / "sentences.json";
  const std::vector<std::int64_t> steps = shown_steps(snapshot_steps(run_dir));
  if (!fs::exists(watched_path) || steps.empty()) {
    return "<p>This run has no attention snapshots (validation.snapshots: 0, or trained before nmtx recorded "
           "them).</p>\n";
  }
  const SnapshotSentences watched = read_snapshot_sentences(watched_path.string());
  std::vector<Snapshot> snapshots;
  for (const std::int64_t step : steps) snapshots.push_back(read_snapshot(snapshot_path(run_dir, step)));
  std::vector<HeatmapRow> rows;
  for (std::size_t k = 0; k < watched.sentences.size(); ++k) {
    const SnapshotSentence& s = watched.sentences[k];
    HeatmapRow row;
    std::string source;
    for (const std::string& t : s.source) source += (source.empty() ? "" : " ") + t;
    row.caption = fmt::format("dev sentence {} (line {}): {}", s.index, s.line, source);
    for (const Snapshot& snapshot : snapshots) {
      if (k >= snapshot.sentences.size()) continue;
      SentenceAttention a;
      a.index = s.index;
      a.source = s.source;
      a.output = s.reference;
      a.output.push_back("</s>");
      a.eos = true;
      a.attention.weights = snapshot.sentences[k].reference_attention;
      a.attention.positions = snapshot.sentences[k].reference_positions;
      a.gold = s.gold;
      row.cells.emplace_back(fmt::format("step {}", snapshot.step), heatmap_svg(a));
    }
    rows.push_back(std::move(row));
  }
  return "<p>The watched dev sentences (validation.snapshots) at " + std::to_string(steps.size()) +
         " validations: forced decoding of the reference, rows its tokens (&lt;/s&gt; last), columns the source "
         "tokens; bluer is more attention; gold links outlined in red where they exist. nmtx inspect's Training "
         "tab shows every validation.</p>\n" + heatmap_rows_html(rows);
}

std::string dev_examples(const std::string& run_dir, const RunData& data, std::int64_t best_step) {
  const fs::path file = fs::path(run_dir) / "validations" / ("dev-" + checkpoint_name(best_step) + ".txt");
  if (best_step < 0 || !fs::exists(file)) return "<p>No validation's translations to show.</p>\n";
  const std::vector<std::string> hypotheses = read_lines(file.string());
  std::string html = "<table><tr><th>#</th><th>source</th><th>reference</th><th>translation</th></tr>\n";
  for (std::size_t i = 0; i < std::min({kDevExamples, hypotheses.size(), data.dev.sources.size()}); ++i) {
    html += fmt::format("<tr><td>{}</td><td style=\"text-align:left\">{}</td><td style=\"text-align:left\">{}</td>"
                        "<td style=\"text-align:left\">{}</td></tr>\n",
                        i, html_escape(data.dev.sources[i]), html_escape(data.dev.references[i]), html_escape(hypotheses[i]));
  }
  return html + "</table>\n<p>The best validation's (step " + std::to_string(best_step) +
         ") greedy translations of the first dev sentences (RUN/validations).</p>\n";
}

}  // namespace

std::string run_report_html(const std::string& run_dir) {
  const fs::path dir(run_dir), config_path = dir / run_files::config, metrics_path = dir / "metrics.jsonl";
  if (!fs::exists(config_path)) throw std::runtime_error(run_dir + ": " + config_path.string() + " is missing: not a run directory");
  if (!fs::exists(metrics_path)) throw std::runtime_error(run_dir + ": no metrics.jsonl yet: the run has not started training");
  const Config config = load_config(config_path.string());
  const MetricsHistory history = read_metrics(metrics_path.string());
  const std::optional<RunSummary> summary =
      fs::exists(dir / "summary.json") ? std::optional<RunSummary>(read_summary((dir / "summary.json").string())) : std::nullopt;
  const RunData data = load_run_data(config, run_dir);
  const std::string name = dir.lexically_normal().filename().string();
  const std::string variant =
      Variant{config.model.attention.type, config.model.attention.resolved_score()}.name();

  std::vector<std::string> charts = {
      line_chart_svg("training loss", "step", "loss per target token (nats)",
                     {optional_curve(history.train, [](const TrainMetrics& m) { return std::optional<double>(m.loss); }, variant)}, true),
      line_chart_svg("dev perplexity", "step", "perplexity",
                     {optional_curve(history.valid, [](const ValidMetrics& m) { return std::optional<double>(m.dev_ppl); }, variant)}, true),
      line_chart_svg("dev BLEU (greedy)", "step", "BLEU",
                     {optional_curve(history.valid, [](const ValidMetrics& m) { return std::optional<double>(m.dev_bleu); }, variant)}),
      line_chart_svg("learning rate", "step", "learning rate",
                     {optional_curve(history.train, [](const TrainMetrics& m) { return std::optional<double>(m.learning_rate); }, variant)}, true)};
  const Series aer = optional_curve(history.valid, [](const ValidMetrics& m) { return m.aer; }, variant);
  if (!aer.points.empty()) {
    charts.push_back(line_chart_svg("dev AER (references, forced)", "step", "AER", {aer}));
    charts.push_back(line_chart_svg("attention entropy", "step", "nats",
                                    {optional_curve(history.valid, [](const ValidMetrics& m) { return m.entropy; }, variant)}));
  }
  const fs::path test_hyp = dir / "test.hyp";
  if (data.test && fs::exists(test_hyp)) {
    const std::vector<std::string> hypotheses = read_lines(test_hyp.string());
    if (hypotheses.size() == data.test->references.size()) {
      std::vector<std::size_t> lengths;
      for (std::size_t i = 0; i < data.test->corpus.size(); ++i) lengths.push_back(data.test->corpus.src.length(i));
      const std::vector<LengthBucket> buckets =
          bleu_by_source_length(hypotheses, data.test->references, lengths, config.validation.bleu_options());
      std::vector<std::string> categories;
      BarSeries bars{variant, {}};
      for (const LengthBucket& b : buckets) {
        categories.push_back(fmt::format("{}-{}", b.from, b.to));
        bars.values.push_back(b.bleu);
      }
      charts.push_back(bar_chart_svg("test BLEU (greedy) by source length", "source tokens", "BLEU", categories, {bars}));
    }
  }
  std::string intro = fmt::format("<p>nmtx report {}: {} ({}, {} attention), {} validations.", html_escape(run_dir),
                                  html_escape(summary ? summary->recipe : name), cell_name(config.model.cell),
                                  html_escape(variant), history.valid.size());
  intro += summary ? fmt::format(" Trained {} steps ({}); scored: the {} checkpoint.</p>\n", summary->steps,
                                 html_escape(summary->stop_reason), html_escape(summary->checkpoint))
                   : std::string(" Still training: no summary.json yet.</p>\n");
  const std::int64_t best = summary ? summary->best_step : -1;
  return report_page_html("nmtx report: " + name,
                          {{"", intro},
                           {"Results", summary ? results_table(*summary) : std::string("<p>Not finished yet.</p>\n")},
                           {"Learning curves; BLEU by source length", charts_html(charts)},
                           {"Attention over training", snapshot_rows(run_dir)},
                           {"Dev translations", dev_examples(run_dir, data, best)}});
}

}  // namespace nmtx
