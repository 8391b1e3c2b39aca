// nmtx compare: the variants trained in turn, each evaluated (beam BLEU, attention
// entropy, AER against gold alignments, heatmaps of fixed sentences), then the table and
// report.html.
#include "nmtx/experiment/compare.h"

#include <fmt/core.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "nmtx/attention/attention.h"
#include "nmtx/data/text.h"
#include "nmtx/decode/corpus.h"
#include "nmtx/eval/aer.h"
#include "nmtx/eval/bleu.h"
#include "nmtx/io/files.h"
#include "nmtx/io/json_fields.h"
#include "nmtx/report/attention_export.h"
#include "nmtx/report/compare_report.h"
#include "nmtx/report/length_buckets.h"
#include "nmtx/report/seed_stats.h"
#include "nmtx/run/gold_alignments.h"
#include "nmtx/run/run_data.h"
#include "nmtx/run/run_files.h"
#include "nmtx/run/trained_run.h"
#include "nmtx/train/trainer.h"
#include "nmtx/translation/translator.h"

namespace nmtx {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

constexpr const char* kRowFile = "compare.json";
constexpr const char* kHeatmapDir = "compare_attention";

// compare.json, summary.json and exported attention are a few KB; metrics.jsonl lines
// are short.
constexpr std::size_t kMaxJsonBytes = 64 << 20;

JsonFields read_json(const fs::path& path) {
  return JsonFields(parse_json_object(read_file_limited(path.string(), kMaxJsonBytes), path.string()), path.string());
}

json row_to_json(const CompareRow& r) {
  return {{"variant", r.variant},
          {"seed", r.seed},
          {"status", r.status},
          {"params", r.params},
          {"steps", r.steps},
          {"train_seconds", r.train_seconds},
          {"tokens_per_second", r.tokens_per_second},
          {"dev_ppl", r.dev_ppl},
          {"test_bleu_greedy", r.test_bleu_greedy},
          {"test_bleu_beam", r.test_bleu_beam},
          {"aer", r.aer},
          {"argmax_accuracy", r.argmax_accuracy},
          {"entropy", r.entropy},
          {"buckets", length_buckets_json(r.buckets)}};
}

CompareRow row_from_json(const JsonFields& j) {
  CompareRow r;
  r.variant = j.string("variant");
  if (j.has("seed")) r.seed = j.integer("seed");  // rows written before compare --seeds have none
  r.status = j.string("status", 4096);
  r.params = j.number("params", 0.0);
  r.steps = j.number("steps", 0.0);
  r.train_seconds = j.number("train_seconds");
  r.tokens_per_second = j.number("tokens_per_second");
  r.dev_ppl = j.number("dev_ppl");
  r.test_bleu_greedy = j.number("test_bleu_greedy");
  r.test_bleu_beam = j.number("test_bleu_beam");
  r.aer = j.number("aer");
  r.argmax_accuracy = j.number("argmax_accuracy");
  r.entropy = j.number("entropy");
  if (j.has("buckets")) {  // rows written before nmtx had the chart have none
    for (const json& item : j.array("buckets", 10000)) {
      const JsonFields b(item.is_object() ? item : json::object(), j.file() + ": buckets");
      r.buckets.push_back({static_cast<std::size_t>(b.integer("from")), static_cast<std::size_t>(b.integer("to")),
                           static_cast<std::size_t>(b.integer("sentences")), b.number("bleu", 0.0, 100.0)});
    }
  }
  return r;
}

// The numbers of a trained variant that summary.json holds.
CompareRow row_from_summary(const std::string& variant, const fs::path& run_dir) {
  CompareRow row;
  row.variant = variant;
  row.status = "ok";
  const RunSummary summary = read_summary((run_dir / "summary.json").string());
  row.params = static_cast<double>(summary.params);
  row.steps = static_cast<double>(summary.steps);
  row.train_seconds = summary.train_seconds;
  row.tokens_per_second = summary.tokens_per_second;
  row.dev_ppl = summary.dev.ppl;
  if (!summary.test) throw std::runtime_error(run_dir.string() + ": no test set was scored: nmtx compare needs data.test");
  row.test_bleu_greedy = summary.test->bleu;
  return row;
}

// Test BLEU with beam search (compare.beam_size, compare.alpha), and by source length.
void beam_bleu(const TrainedRun& run, const EvalSet& test, const CompareConfig& compare, CompareRow& row) {
  TranslateSettings settings =
      evaluation_settings(run.config, static_cast<std::size_t>(compare.beam_size), static_cast<float>(compare.alpha));
  settings.keep_attention = false;  // the texts only
  const BleuOptions options = run.config.validation.bleu_options();
  const SetTranslation translated = translate_set(translator_of(run), test, settings, options);
  row.test_bleu_beam = translated.bleu.score;
  std::vector<std::size_t> lengths;
  for (std::size_t i = 0; i < test.corpus.size(); ++i) lengths.push_back(test.corpus.src.length(i));
  row.buckets = bleu_by_source_length(translated.texts, test.references, lengths, options);
}

// Evaluates a trained variant: the numbers of its table row beyond summary.json, and the
// heatmaps of the fixed sentences (written into RUN/compare_attention).
CompareRow evaluate_variant(const std::string& variant, const fs::path& run_dir, const CompareConfig& compare) {
  CompareRow row = row_from_summary(variant, run_dir);
  const auto run = load_trained_run(run_dir.string(), "best");
  const RunData data = load_run_data(run->config, run_dir.string());
  const EvalSet& test = *data.test;
  beam_bleu(*run, test, compare, row);
  // Attention under forced decoding of the references: entropy, alignments, heatmaps.
  const std::vector<SentenceAttention> sentences =
      reference_attention(translator_of(*run), test, evaluation_settings(run->config).batch);
  row.entropy = mean_reference_entropy(sentences);
  const std::vector<AlignmentLine> gold =
      gold_alignments(run->config, run_dir.string(), test, compare.gold, compare.gold_one_based);
  if (!gold.empty()) {
    const GoldAgreement agreement = agreement_with_gold(sentences, gold);
    row.aer = agreement.aer;
    row.argmax_accuracy = agreement.argmax_accuracy;
  }
  std::vector<SentenceAttention> shown;  // with their gold links outlined, where gold exists
  for (std::size_t i : compare.sentences) {
    if (i >= sentences.size()) continue;
    shown.push_back(sentences[i]);
    if (!gold.empty()) shown.back().gold = gold[i];
  }
  export_attention(shown, (run_dir / kHeatmapDir).string());
  return row;
}

// A run's curve of one figure of metrics.jsonl's entries (training or validation).
template <class Entry, class Figure>
Series curve(const std::vector<Entry>& entries, Figure figure, const std::string& name) {
  Series s;
  s.name = name;
  for (const Entry& e : entries) s.points.emplace_back(static_cast<double>(e.step), figure(e));
  return s;
}

// Every variant's heatmap of each fixed sentence, side by side.
std::vector<HeatmapRow> heatmap_rows(const fs::path& out, const std::vector<std::string>& variants,
                                     const CompareConfig& compare) {
  std::vector<HeatmapRow> heatmaps;
  for (std::size_t i : compare.sentences) {
    HeatmapRow hr;
    for (const std::string& v : variants) {
      const fs::path dir = out / "runs" / v / kHeatmapDir;
      const fs::path svg = dir / fmt::format("{:06d}.svg", i);
      if (!fs::exists(svg)) continue;
      if (hr.caption.empty()) {
        const JsonFields j = read_json(dir / fmt::format("{:06d}.json", i));
        std::string source;
        for (const auto& t : j.array("source", 100000)) {
          if (!t.is_string()) j.fail("source", "expected a list of tokens");
          source += (source.empty() ? "" : " ") + t.get<std::string>();
        }
        hr.caption = "test sentence " + std::to_string(i) + ": " + source;
      }
      hr.cells.emplace_back(v, read_file_limited(svg.string(), kMaxJsonBytes));
    }
    if (!hr.cells.empty()) heatmaps.push_back(std::move(hr));
  }
  return heatmaps;
}

// Test BLEU (beam) by source length, every variant (Bahdanau et al. 2015, Fig. 2).
std::string length_chart(const std::vector<CompareRow>& rows) {
  std::vector<std::pair<std::size_t, std::size_t>> ranges;
  for (const CompareRow& r : rows) {
    for (const LengthBucket& b : r.buckets) ranges.emplace_back(b.from, b.to);
  }
  std::sort(ranges.begin(), ranges.end());
  ranges.erase(std::unique(ranges.begin(), ranges.end()), ranges.end());
  std::vector<std::string> categories;
  for (const auto& [from, to] : ranges) categories.push_back(std::to_string(from) + "-" + std::to_string(to));
  std::vector<BarSeries> series;
  for (const CompareRow& r : rows) {
    BarSeries s{r.variant, std::vector<double>(ranges.size(), std::nan(""))};
    for (const LengthBucket& b : r.buckets) {
      const auto at = std::find(ranges.begin(), ranges.end(), std::make_pair(b.from, b.to)) - ranges.begin();
      s.values[static_cast<std::size_t>(at)] = b.bleu;
    }
    series.push_back(std::move(s));
  }
  return bar_chart_svg("test BLEU (beam) by source length", "source tokens", "BLEU", categories, series);
}

// A variant's run directory for one of its seeds: runs/VARIANT for the recipe's own
// training.seed (what a one-seed comparison trains), runs/VARIANT-seed-S for the others.
fs::path run_dir(const fs::path& out, const std::string& variant, std::int64_t seed, std::int64_t base_seed) {
  return out / "runs" / (seed == base_seed ? variant : variant + "-seed-" + std::to_string(seed));
}

void write_report(const fs::path& out, const Config& config, const std::vector<std::string>& variants,
                  const std::vector<CompareRow>& rows) {
  const std::int64_t base = config.training.seed, seeds = config.compare.seeds;
  std::vector<Series> loss, ppl, bleu;
  for (const std::string& v : variants) {
    // One seed: the run's curves; several: the mean over the seeds that trained, with a
    // min-max band.
    std::vector<Series> l, p, b;
    for (std::int64_t s = base; s < base + seeds; ++s) {
      const fs::path metrics = run_dir(out, v, s, base) / "metrics.jsonl";
      if (!fs::exists(metrics)) continue;
      const bool ok = std::any_of(rows.begin(), rows.end(), [&](const CompareRow& r) {
        return r.variant == v && (r.seed == s || seeds == 1) && r.status == "ok";
      });
      if (seeds > 1 && !ok) continue;  // a diverged seed's curve is not averaged in
      const MetricsHistory history = read_metrics(metrics.string());
      l.push_back(curve(history.train, [](const TrainMetrics& m) { return m.loss; }, v));
      p.push_back(curve(history.valid, [](const ValidMetrics& m) { return m.dev_ppl; }, v));
      b.push_back(curve(history.valid, [](const ValidMetrics& m) { return m.dev_bleu; }, v));
    }
    if (seeds == 1) {
      loss.push_back(l.empty() ? Series{v, {}, {}} : l[0]);
      ppl.push_back(p.empty() ? Series{v, {}, {}} : p[0]);
      bleu.push_back(b.empty() ? Series{v, {}, {}} : b[0]);
    } else {
      loss.push_back(seed_band(l, v));
      ppl.push_back(seed_band(p, v));
      bleu.push_back(seed_band(b, v));
    }
  }
  std::vector<std::string> charts = {
      line_chart_svg("training loss", "step", "loss per target token (nats)", loss, /*log_y=*/true),
      line_chart_svg("dev perplexity", "step", "perplexity", ppl, /*log_y=*/true),
      line_chart_svg("dev BLEU (greedy)", "step", "BLEU", bleu)};
  std::vector<CompareRow> first_seed;  // BLEU by length: each variant's recipe-seed run
  for (const CompareRow& r : rows) {
    if (r.seed == base || seeds == 1) first_seed.push_back(r);
  }
  charts.push_back(length_chart(first_seed));
  const std::string seeds_text =
      seeds == 1 ? std::string("the same seed")
                 : fmt::format("training seeds {} to {} (the table: mean ± sample standard deviation, min–max, over "
                               "the seeds that did not diverge; the curves: their mean and min–max band; BLEU by "
                               "length and the heatmaps: seed {})",
                               base, base + seeds - 1, base);
  const std::string intro = "<p>nmtx compare " + config.source + ": every variant trained on the same data with " +
                            seeds_text + " and the same budget, evaluated on the same test set (BLEU on the test "
                            "set; beam " + std::to_string(config.compare.beam_size) + "; AER and argmax accuracy "
                            "against gold alignments where they exist; entropy: mean attention entropy in nats over "
                            "the reference's tokens, under forced decoding).</p>";
  write_file_atomically((out / "report.html").string(),
                        compare_report_html("nmtx compare: " + fs::path(config.source).stem().string(), intro,
                                            seeds == 1 ? compare_table_html(rows) : compare_seeds_html(rows), charts,
                                            heatmap_rows(out, variants, config.compare)));
}

// The same DIR must keep meaning the same comparison: its resolved recipe is kept and a
// rerun with another is refused, naming the first key that differs. Compared as values,
// not text (a kept "1e-8" is 1e-08). compare.seeds may change between reruns (more seeds
// reuse the finished runs), and so may the keys that only extend or stop a run
// (resume_keys(): more steps or epochs for a finished comparison): those come back as
// "KEY=VALUE" for each variant's resume. The kept recipe records the latest.
std::vector<std::string> keep_or_check_recipe(const fs::path& out, const Config& config) {
  const fs::path kept = out / "compare.yaml";
  std::vector<std::string> budget;
  if (fs::exists(kept)) {
    const Config before = parse_config(read_file_limited(kept.string(), kMaxJsonBytes), kept.string());
    const auto& extend = resume_keys();
    for (const KeyDifference& d : config_differences(before, config)) {
      if (d.key == "compare.seeds") continue;
      if (std::find(extend.begin(), extend.end(), d.key) == extend.end()) {
        throw RecipeError(fmt::format("{} holds a different recipe: {} is {} there and {} here (recipe or --set); this "
                                      "directory is another comparison: use another --out",
                                      kept.string(), d.key, d.before, d.after));
      }
      budget.push_back(d.key + "=" + d.after);
    }
  }
  write_file_atomically(kept.string(), config_yaml(config));
  return budget;
}

// Trains (or resumes) one variant's run and evaluates it; a diverging run is a row too.
CompareRow compare_variant(const Config& config, const std::string& variant, const fs::path& run,
                           const CompareOptions& options, const std::vector<std::string>& budget) {
  TrainHooks hooks;
  if (variant == options.fault_variant && (options.fault_seed == 0 || options.fault_seed == config.training.seed)) {
    hooks = options.faults;
  }
  try {
    if (!fs::exists(run / "summary.json") || !budget.empty()) {
      if (fs::exists(run / run_files::config)) {
        resume_run(run.string(), hooks, budget);
      } else {
        const Variant v = parse_variant(variant);
        Config c = config;
        c.model.attention.type = v.type;
        c.model.attention.score = v.score;
        c.run.dir = run.string();
        train_new_run(c, /*overwrite=*/true, hooks);  // a directory without config.yaml holds no run
      }
    }
    CompareRow row = evaluate_variant(variant, run, config.compare);
    row.seed = config.training.seed;
    return row;
  } catch (const TrainingDiverged& e) {
    CompareRow row;
    row.variant = variant;
    row.seed = config.training.seed;
    row.status = std::string("diverged: ") + e.what();
    return row;
  }
}

}  // namespace

std::vector<CompareRow> run_compare(const Config& config, const CompareOptions& options) {
  const std::vector<std::string> variants = options.variants.empty() ? config.compare.variants : options.variants;
  if (variants.empty()) throw RecipeError("no variants to compare (--variants, or compare.variants in the recipe)");
  for (const std::string& v : variants) parse_variant(v);  // throws, listing the valid names
  if (options.out.empty()) throw RecipeError("give the comparison's directory with --out DIR");
  const fs::path out(options.out);
  fs::create_directories(out / "runs");
  const std::vector<std::string> budget = keep_or_check_recipe(out, config);
  const std::int64_t base = config.training.seed, seeds = config.compare.seeds;
  std::vector<CompareRow> rows;
  std::size_t done = 0;
  const std::size_t total = variants.size() * static_cast<std::size_t>(seeds);
  for (const std::string& v : variants) {
    for (std::int64_t seed = base; seed < base + seeds; ++seed) {
      const fs::path run = run_dir(out, v, seed, base);
      fmt::print("==== [{}/{}] {}{} ====\n", ++done, total, v, seeds > 1 ? fmt::format(" (seed {})", seed) : "");
      std::fflush(stdout);
      if (fs::exists(run / kRowFile) && budget.empty()) {  // done in an earlier invocation
        rows.push_back(row_from_json(read_json(run / kRowFile)));
        rows.back().seed = seed;
        fmt::print("already evaluated ({})\n", rows.back().status);
        continue;
      }
      Config c = config;
      c.training.seed = seed;
      // Only the training seed varies: SentencePiece keeps the recipe seed's segmentation.
      if (seed != base && c.data.subword_seed < 0) c.data.subword_seed = base;
      rows.push_back(compare_variant(c, v, run, options, budget));
      write_file_atomically((run / kRowFile).string(), row_to_json(rows.back()).dump(2) + "\n");
    }
  }
  const std::string md = seeds == 1 ? compare_markdown(rows) : compare_seeds_markdown(rows);
  write_file_atomically((out / "results.md").string(), md);
  write_file_atomically((out / "results.csv").string(), seeds == 1 ? compare_csv(rows) : compare_seeds_csv(rows));
  write_report(out, config, variants, rows);
  fmt::print("\n{}\nwrote {}, {} and {}\n", md, (out / "results.md").string(), (out / "results.csv").string(),
             (out / "report.html").string());
  return rows;
}

}  // namespace nmtx
