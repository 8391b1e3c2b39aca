#include "nmtx/train/compare.h"

#include <fmt/core.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "nmtx/data/text.h"
#include "nmtx/decode/beam.h"
#include "nmtx/eval/aer.h"
#include "nmtx/eval/bleu.h"
#include "nmtx/io/json_fields.h"
#include "nmtx/report/attention_export.h"
#include "nmtx/report/compare_report.h"
#include "nmtx/train/evaluate.h"
#include "nmtx/train/run_data.h"
#include "nmtx/train/run_model.h"
#include "nmtx/train/trainer.h"

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
          {"entropy", r.entropy}};
}

CompareRow row_from_json(const JsonFields& j) {
  CompareRow r;
  r.variant = j.string("variant");
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
  return r;
}

// The test set's gold alignments, one per kept test pair, or none.
std::vector<AlignmentLine> gold_alignments(const Recipe& compare, const Recipe& run, const fs::path& run_dir,
                                           const EvalSet& test) {
  std::string path = compare.string("compare.gold");
  bool one_based = compare.boolean("compare.gold_one_based");
  if (run.string("data.task") != "none") {
    path = (run_dir / run_files::toy_data / "test.align").string();
    one_based = false;
  }
  if (path.empty()) return {};
  const std::vector<std::string> lines = read_lines(path);
  std::vector<AlignmentLine> out;
  for (std::size_t line : test.lines) {
    if (line > lines.size()) {
      throw InputError(path, 0, "has " + std::to_string(lines.size()) + " lines, fewer than the test set");
    }
    try {
      out.push_back(parse_alignment(lines[line - 1], one_based));
      check_alignment_lengths(out.back(), test.corpus.src.length(out.size() - 1), test.corpus.tgt.length(out.size() - 1));
    } catch (const std::invalid_argument& e) {
      throw InputError(path, line, e.what());
    }
  }
  return out;
}

// Evaluates a trained variant: the numbers of its table row beyond summary.json, and the
// heatmaps of the fixed sentences (written into RUN/compare_attention).
CompareRow evaluate_variant(const std::string& variant, const fs::path& run_dir, const Recipe& compare) {
  CompareRow row;
  row.variant = variant;
  row.status = "ok";
  const JsonFields summary = read_json(run_dir / "summary.json");
  row.params = summary.integer("params");
  row.steps = summary.integer("steps");
  row.train_seconds = summary.number("train_seconds");
  row.tokens_per_second = summary.number("tokens_per_second");
  row.dev_ppl = summary.number("dev_ppl");
  if (summary.is_null("test_bleu")) {
    throw std::runtime_error(run_dir.string() + ": no test set was scored: nmtx compare needs data.test");
  }
  row.test_bleu_greedy = summary.number("test_bleu");

  const auto m = load_run_model(run_dir.string(), "best");
  const RunData data = load_run_data(m->recipe, run_dir.string());
  const EvalSet& test = *data.test;
  const auto threads = static_cast<std::size_t>(m->recipe.integer("training.threads"));
  const auto batch_size = static_cast<std::size_t>(m->recipe.integer("validation.batch_size"));

  // Beam-search BLEU.
  DecodeOptions decode;
  decode.bos = Vocab::kBos;
  decode.eos = Vocab::kEos;
  decode.max_length = 1000;
  decode.max_length_ratio = static_cast<float>(m->recipe.number("validation.max_output_ratio"));
  decode.threads = threads;
  BeamOptions beam;
  beam.beam_size = static_cast<std::size_t>(compare.integer("compare.beam_size"));
  beam.alpha = static_cast<float>(compare.number("compare.alpha"));
  std::vector<std::string> hypotheses;
  for (const Hypothesis& h : translate_corpus(*m->model, test.corpus.src, batch_size, decode, &beam)) {
    hypotheses.push_back(hypothesis_text(h, m->tgt_vocab, *m->tgt_segmenter));
  }
  row.test_bleu_beam = corpus_bleu(hypotheses, {test.references}, recipe_bleu_options(m->recipe)).score;

  // Attention under forced decoding of the references: entropy, alignments, heatmaps.
  std::vector<AttentionRecord> records(test.corpus.size());
  for (std::size_t i = 0; i < records.size(); ++i) {
    AttentionRecord& r = records[i];
    r.index = i;
    for (std::size_t s = 0; s < test.corpus.src.length(i); ++s) r.source.push_back(m->src_vocab.token(test.corpus.src.begin(i)[s]));
    for (std::size_t t = 0; t < test.corpus.tgt.length(i); ++t) r.output.push_back(m->tgt_vocab.token(test.corpus.tgt.begin(i)[t]));
    r.output.push_back("</s>");
  }
  forced_attention(*m->model, test.corpus, batch_size, records);
  double entropy = 0.0;
  std::size_t rows = 0;
  for (const AttentionRecord& r : records) {
    for (std::size_t t = 0; t + 1 < r.attention.size(); ++t) {  // the target's tokens, </s> left out
      for (float p : r.attention[t]) entropy -= p > 0.0f ? static_cast<double>(p) * std::log(static_cast<double>(p)) : 0.0;
      ++rows;
    }
  }
  row.entropy = rows ? entropy / static_cast<double>(rows) : 0.0;
  const std::vector<AlignmentLine> gold = gold_alignments(compare, m->recipe, run_dir, test);
  if (!gold.empty()) {
    std::vector<AlignmentLine> predicted;
    std::size_t tokens = 0, hits = 0;
    for (std::size_t i = 0; i < records.size(); ++i) {
      AlignmentLine line;
      for (const auto& link : hard_alignment(records[i])) {
        line.sure.insert(link);
        line.possible.insert(link);
        ++tokens;
        hits += gold[i].possible.count(link);
      }
      predicted.push_back(std::move(line));
    }
    row.aer = alignment_error_rate(gold, predicted).aer;
    row.argmax_accuracy = tokens ? static_cast<double>(hits) / static_cast<double>(tokens) : 0.0;
  }
  std::vector<AttentionRecord> shown;
  for (const std::string& s : compare.list("compare.sentences")) {
    const auto i = static_cast<std::size_t>(std::stoul(s));
    if (i < records.size()) shown.push_back(records[i]);
  }
  export_attention(shown, (run_dir / kHeatmapDir).string());
  return row;
}

std::string cell(double v, const char* format) { return v < 0 ? "n/a" : fmt::format(fmt::runtime(format), v); }

Series curve(const fs::path& metrics, const std::string& type, const std::string& key, const std::string& name) {
  Series s;
  s.name = name;
  std::ifstream in(metrics);
  std::size_t number = 0;
  for (std::string line; std::getline(in, line);) {
    ++number;
    const json j = json::parse(line, nullptr, false);
    if (!j.is_object() || j.value("type", "") != type || !j.contains(key)) continue;  // other entries
    const JsonFields entry(j, metrics.string() + ":" + std::to_string(number));
    s.points.emplace_back(static_cast<double>(entry.integer("step")), entry.number(key));
  }
  return s;
}

void write_report(const fs::path& out, const std::string& recipe, const std::vector<std::string>& variants,
                  const std::vector<CompareRow>& rows, const Recipe& compare) {
  std::vector<Series> loss, ppl, bleu;
  for (const std::string& v : variants) {
    const fs::path metrics = out / "runs" / v / "metrics.jsonl";
    loss.push_back(curve(metrics, "train", "loss", v));
    ppl.push_back(curve(metrics, "valid", "dev_ppl", v));
    bleu.push_back(curve(metrics, "valid", "dev_bleu", v));
  }
  const std::vector<std::string> charts = {
      line_chart_svg("training loss", "step", "loss per target token (nats)", loss, /*log_y=*/true),
      line_chart_svg("dev perplexity", "step", "perplexity", ppl, /*log_y=*/true),
      line_chart_svg("dev BLEU (greedy)", "step", "BLEU", bleu)};
  std::vector<HeatmapRow> heatmaps;
  for (const std::string& s : compare.list("compare.sentences")) {
    HeatmapRow hr;
    for (const std::string& v : variants) {
      const fs::path dir = out / "runs" / v / kHeatmapDir;
      const fs::path svg = dir / fmt::format("{:06d}.svg", std::stoul(s));
      if (!fs::exists(svg)) continue;
      if (hr.caption.empty()) {
        const JsonFields j = read_json(dir / fmt::format("{:06d}.json", std::stoul(s)));
        std::string source;
        for (const auto& t : j.array("source", 100000)) {
          if (!t.is_string()) j.fail("source", "expected a list of tokens");
          source += (source.empty() ? "" : " ") + t.get<std::string>();
        }
        hr.caption = "test sentence " + s + ": " + source;
      }
      std::ifstream in(svg);
      hr.cells.emplace_back(v, std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>()));
    }
    if (!hr.cells.empty()) heatmaps.push_back(std::move(hr));
  }
  // The table as HTML, from the same rows.
  std::string table = "<table>\n<tr><th>variant</th><th>status</th><th>params</th><th>steps</th><th>train s</th>"
                      "<th>tok/s</th><th>dev ppl</th><th>BLEU greedy</th><th>BLEU beam</th><th>AER</th>"
                      "<th>argmax acc.</th><th>entropy</th></tr>\n";
  for (const CompareRow& r : rows) {
    const bool ok = r.status == "ok";
    table += fmt::format("<tr><td>{}</td><td>{}</td>", r.variant, r.status);
    if (ok) {
      table += fmt::format("<td>{:.0f}</td><td>{:.0f}</td><td>{:.0f}</td><td>{:.0f}</td><td>{:.3f}</td><td>{:.2f}</td>"
                           "<td>{:.2f}</td><td>{}</td><td>{}</td><td>{:.3f}</td></tr>\n",
                           r.params, r.steps, r.train_seconds, r.tokens_per_second, r.dev_ppl, r.test_bleu_greedy,
                           r.test_bleu_beam, cell(r.aer, "{:.4f}"), cell(r.argmax_accuracy, "{:.3f}"), r.entropy);
    } else {
      table += "<td colspan=\"10\">n/a</td></tr>\n";
    }
  }
  table += "</table>\n";
  const std::string intro = "<p>nmtx compare " + recipe + ": every variant trained on the same data with the same seed "
                            "and budget, evaluated on the same test set (BLEU on the test set; beam " +
                            std::to_string(compare.integer("compare.beam_size")) + "; AER and argmax accuracy against "
                            "gold alignments where they exist; entropy: mean attention entropy in nats over the "
                            "reference's tokens, under forced decoding).</p>";
  write_file_atomically((out / "report.html").string(),
                        compare_report_html("nmtx compare: " + fs::path(recipe).stem().string(), intro, table, charts, heatmaps));
}

}  // namespace

std::string compare_markdown(const std::vector<CompareRow>& rows) {
  std::string md = "| variant | status | params | steps | train time (s) | target tok/s | dev ppl | test BLEU greedy | "
                   "test BLEU beam | AER | argmax acc. | entropy (nats) |\n"
                   "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
  for (const CompareRow& r : rows) {
    if (r.status != "ok") {
      md += fmt::format("| {} | {} | n/a | n/a | n/a | n/a | n/a | n/a | n/a | n/a | n/a | n/a |\n", r.variant, r.status);
      continue;
    }
    md += fmt::format("| {} | ok | {:.0f} | {:.0f} | {:.0f} | {:.0f} | {:.3f} | {:.2f} | {:.2f} | {} | {} | {:.3f} |\n",
                      r.variant, r.params, r.steps, r.train_seconds, r.tokens_per_second, r.dev_ppl, r.test_bleu_greedy,
                      r.test_bleu_beam, cell(r.aer, "{:.4f}"), cell(r.argmax_accuracy, "{:.3f}"), r.entropy);
  }
  return md;
}

std::string compare_csv(const std::vector<CompareRow>& rows) {
  std::string csv = "variant,status,params,steps,train_seconds,tokens_per_second,dev_ppl,test_bleu_greedy,test_bleu_beam,"
                    "aer,argmax_accuracy,entropy\n";
  for (const CompareRow& r : rows) {
    std::string status = r.status;
    for (char& c : status) {
      if (c == '"' || c == ',' || c == '\n') c = ' ';
    }
    if (r.status != "ok") {
      csv += r.variant + ",\"" + status + "\",,,,,,,,,,\n";
      continue;
    }
    csv += fmt::format("{},ok,{:.0f},{:.0f},{:.3f},{:.1f},{:.6f},{:.4f},{:.4f},{},{},{:.6f}\n", r.variant, r.params, r.steps,
                       r.train_seconds, r.tokens_per_second, r.dev_ppl, r.test_bleu_greedy, r.test_bleu_beam,
                       r.aer < 0 ? "" : fmt::format("{:.6f}", r.aer),
                       r.argmax_accuracy < 0 ? "" : fmt::format("{:.6f}", r.argmax_accuracy), r.entropy);
  }
  return csv;
}

std::vector<CompareRow> run_compare(const CompareCommand& c) {
  Recipe recipe = Recipe::load(c.recipe);
  for (const std::string& o : c.overrides) recipe.set_override(o);
  recipe.check();
  const std::vector<std::string> variants = c.variants.empty() ? recipe.list("compare.variants") : c.variants;
  if (variants.empty()) throw RecipeError("no variants to compare (--variants, or compare.variants in the recipe)");
  for (const std::string& v : variants) parse_variant(v);  // throws, listing the valid names
  if (c.out.empty()) throw RecipeError("give the comparison's directory with --out DIR");
  const fs::path out(c.out);
  fs::create_directories(out / "runs");
  // The same DIR must keep meaning the same comparison: its resolved recipe is kept and
  // a rerun with another is refused.
  const std::string resolved = recipe.to_yaml();
  const fs::path kept = out / "compare.yaml";
  if (fs::exists(kept)) {
    std::ifstream in(kept);
    const std::string before((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (before != resolved) {
      throw RecipeError(kept.string() + " holds a different recipe (or --set): this directory is another comparison; "
                        "use another --out");
    }
  } else {
    write_file_atomically(kept.string(), resolved);
  }

  std::vector<CompareRow> rows;
  for (std::size_t k = 0; k < variants.size(); ++k) {
    const std::string& v = variants[k];
    const fs::path run = out / "runs" / v;
    fmt::print("==== [{}/{}] {} ====\n", k + 1, variants.size(), v);
    std::fflush(stdout);
    if (fs::exists(run / kRowFile)) {  // done in an earlier invocation
      rows.push_back(row_from_json(read_json(run / kRowFile)));
      fmt::print("already evaluated ({})\n", rows.back().status);
      continue;
    }
    CompareRow row;
    row.variant = v;
    try {
      if (!fs::exists(run / "summary.json")) {
        TrainCommand t;
        if (fs::exists(run / run_files::config)) {
          t.resume = run.string();
        } else {
          const Variant variant = parse_variant(v);
          t.recipe = c.recipe;
          t.overrides = c.overrides;
          t.overrides.push_back("model.attention.type=" + variant.type);
          t.overrides.push_back("model.attention.score=" + variant.score);
          t.out = run.string();
          t.overwrite = true;  // a directory without config.yaml holds no run
        }
        if (v == c.nan_variant) t.inject_nan_at = c.nan_step;
        run_training(t);
      }
      row = evaluate_variant(v, run, recipe);
    } catch (const TrainingDiverged& e) {
      row.status = std::string("diverged: ") + e.what();
    }
    write_file_atomically((run / kRowFile).string(), row_to_json(row).dump(2) + "\n");
    rows.push_back(row);
  }
  const std::string md = compare_markdown(rows);
  write_file_atomically((out / "results.md").string(), md);
  write_file_atomically((out / "results.csv").string(), compare_csv(rows));
  write_report(out, c.recipe, variants, rows, recipe);
  fmt::print("\n{}\nwrote {}, {} and {}\n", md, (out / "results.md").string(), (out / "results.csv").string(),
             (out / "report.html").string());
  return rows;
}

}  // namespace nmtx
