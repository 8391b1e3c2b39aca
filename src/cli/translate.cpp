// nmtx translate --model RUN_DIR [--input F] [--output F]: greedy or beam search over
//   lines of text; n-best lists in Moses form; Luong et al.'s unknown-word replacement;
//   the inference-time attention constraints; attention export (--attention DIR).
// nmtx score --model RUN_DIR --src F --tgt F: log p(target | source) of each pair by
//   forced decoding (natural log, </s> included), and the corpus perplexity.
// nmtx align --model RUN_DIR --src F --tgt F: attention under forced decoding, as hard
//   alignments and (--attention DIR) exported matrices and heatmaps.
// nmtx aer --gold F --test F: alignment error rate.
#include "options.h"
#include <fmt/core.h>

#include <cmath>
#include <iostream>

#include "commands.h"
#include "nmtx/data/batching.h"
#include "nmtx/data/text.h"
#include "nmtx/decode/beam.h"
#include "nmtx/eval/aer.h"
#include "nmtx/report/attention_export.h"
#include "nmtx/train/evaluate.h"
#include "nmtx/train/run_model.h"

namespace nmtx::cli {

namespace {

// Input lines from a file or standard input (checked as files are: UTF-8).
std::vector<std::string> read_input(const cxxopts::ParseResult& args, const char* key) {
  if (args.count(key)) return read_lines(args[key].as<std::string>());
  return read_lines(std::cin, "standard input");
}

// Writes to --output atomically, or to standard output.
void write_output(const cxxopts::ParseResult& args, const std::string& text) {
  if (args.count("output")) {
    write_file_atomically(args["output"].as<std::string>(), text);
  } else {
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
  }
}

void add_model_options(cxxopts::Options& options) {
  options.add_options()
      ("model", "run directory of a trained model", cxxopts::value<std::string>())
      ("checkpoint", "best, latest, or a checkpoint name (step-N) or directory", cxxopts::value<std::string>()->default_value("best"))
      ("batch", "sentences per batch", cxxopts::value<std::size_t>()->default_value("64"))
      ("threads", "threads", cxxopts::value<std::size_t>()->default_value("2"))
      ("h,help", "show this help");
}

std::unique_ptr<RunModel> load_model(const cxxopts::ParseResult& args) {
  if (!args.count("model")) throw cxxopts::exceptions::exception("--model RUN_DIR is required");
  return load_run_model(args["model"].as<std::string>(), args["checkpoint"].as<std::string>());
}

}  // namespace

int run_translate(int argc, char** argv) {
  cxxopts::Options options(argv[0], "Translate lines of text with a trained model (greedy, or beam search with --beam).");
  add_model_options(options);
  options.add_options()
      ("i,input", "input file (default: standard input)", cxxopts::value<std::string>())
      ("o,output", "output file, written atomically (default: standard output)", cxxopts::value<std::string>())
      ("beam", "beam size (1: greedy)", cxxopts::value<std::size_t>()->default_value("1"))
      ("alpha", "length normalisation ((5 + |y|) / 6)^alpha", cxxopts::value<float>()->default_value("0"))
      ("n-best", "print the n best hypotheses per sentence as `i ||| hyp ||| score`", cxxopts::value<std::size_t>()->default_value("1"))
      ("max-length-ratio", "stop after ratio × source length + 10 tokens", cxxopts::value<float>()->default_value("2"))
      ("replace-unk", "replace each <unk> by the most attended source token")
      ("hard-attention", "attend to the single most probable position")
      ("monotonic", "never attend before the previous step's focus")
      ("window", "attend only within this distance of the previous focus (0: off)", cxxopts::value<std::size_t>()->default_value("0"))
      ("attention", "export attention (JSON, .npy, SVG heatmaps, index.html) into this directory", cxxopts::value<std::string>());
  const auto args = options.parse(argc, argv);
  if (args.count("help")) {
    fmt::print("{}", options.help());
    return 0;
  }
  const auto m = load_model(args);
  DecodeOptions decode;
  decode.bos = Vocab::kBos;
  decode.eos = Vocab::kEos;
  decode.max_length = 1000;
  decode.max_length_ratio = args["max-length-ratio"].as<float>();
  decode.threads = args["threads"].as<std::size_t>();
  decode.constraints.hard = args.count("hard-attention") > 0;
  decode.constraints.monotonic = args.count("monotonic") > 0;
  decode.constraints.window = args["window"].as<std::size_t>();
  BeamOptions beam;
  beam.beam_size = args["beam"].as<std::size_t>();
  beam.alpha = args["alpha"].as<float>();
  beam.n_best = args["n-best"].as<std::size_t>();
  if (decode.max_length_ratio <= 0.0f) throw cxxopts::exceptions::exception("--max-length-ratio must be positive");
  if (beam.beam_size == 0) throw cxxopts::exceptions::exception("--beam must be at least 1");
  if (beam.n_best == 0 || beam.n_best > beam.beam_size) {
    throw cxxopts::exceptions::exception("--n-best must be between 1 and --beam");
  }

  const std::vector<std::string> lines = read_input(args, "input");
  // Segment every line; empty lines are not decoded (their translation is empty).
  std::vector<std::vector<std::string>> source_tokens(lines.size());
  std::vector<std::vector<int>> sources;
  std::vector<std::size_t> decoded;  // line index of each decoded source
  for (std::size_t i = 0; i < lines.size(); ++i) {
    m->src_segmenter->segment(lines[i], source_tokens[i]);
    if (source_tokens[i].empty()) continue;
    std::vector<int> ids;
    for (const std::string& t : source_tokens[i]) ids.push_back(m->src_vocab.id(t));
    sources.push_back(std::move(ids));
    decoded.push_back(i);
  }
  std::vector<std::vector<Hypothesis>> results(lines.size());
  const std::size_t chunk = args["batch"].as<std::size_t>() * std::max<std::size_t>(1, decode.threads);
  for (std::size_t k = 0; k < sources.size(); k += chunk) {
    const std::vector<std::vector<int>> part(sources.begin() + k, sources.begin() + std::min(sources.size(), k + chunk));
    std::vector<std::vector<Hypothesis>> out;
    if (beam.beam_size == 1) {
      for (Hypothesis& h : greedy_decode(*m->model, part, decode)) out.push_back({std::move(h)});
    } else {
      out = beam_decode(*m->model, part, decode, beam);
    }
    for (std::size_t j = 0; j < out.size(); ++j) results[decoded[k + j]] = std::move(out[j]);
  }

  auto output_tokens = [&](std::size_t i, const Hypothesis& h) {
    std::vector<std::string> tokens;
    for (std::size_t t = 0; t < h.tokens.size(); ++t) {
      std::string token = m->tgt_vocab.token(h.tokens[t]);
      if (h.tokens[t] == Vocab::kUnk && args.count("replace-unk") && t < h.attention.size()) {
        const auto& row = h.attention[t];
        token = source_tokens[i][static_cast<std::size_t>(std::max_element(row.begin(), row.end()) - row.begin())];
      }
      tokens.push_back(std::move(token));
    }
    return tokens;
  };
  std::string text;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (args.count("n-best") && beam.n_best > 1) {
      for (const Hypothesis& h : results[i]) {
        text += fmt::format("{} ||| {} ||| {:.6f}\n", i, m->tgt_segmenter->join(output_tokens(i, h)), h.score);
      }
    } else {
      text += (results[i].empty() ? std::string() : m->tgt_segmenter->join(output_tokens(i, results[i][0]))) + "\n";
    }
  }
  write_output(args, text);
  if (args.count("attention")) {
    std::vector<AttentionRecord> records;
    for (std::size_t i = 0; i < lines.size(); ++i) {
      AttentionRecord r;
      r.index = i;
      r.source = source_tokens[i];
      if (!results[i].empty()) {
        const Hypothesis& h = results[i][0];
        r.output = output_tokens(i, h);
        if (h.finished) r.output.push_back("</s>");
        r.attention = h.attention;
        r.positions = h.positions;
      }
      records.push_back(std::move(r));
    }
    const std::string dir = args["attention"].as<std::string>();
    export_attention(records, dir);
    fmt::print(stderr, "attention of {} sentences written to {} (open {}/index.html)\n", records.size(), dir, dir);
  }
  return 0;
}

int run_score(int argc, char** argv) {
  cxxopts::Options options(argv[0], "Log-probability of each given translation under a model (forced decoding).");
  add_model_options(options);
  options.add_options()
      ("src", "source file", cxxopts::value<std::string>())
      ("tgt", "target file (one translation per source line)", cxxopts::value<std::string>())
      ("o,output", "output file, written atomically (default: standard output)", cxxopts::value<std::string>());
  const auto args = options.parse(argc, argv);
  if (args.count("help")) {
    fmt::print("{}", options.help());
    return 0;
  }
  if (!args.count("src") || !args.count("tgt")) throw cxxopts::exceptions::exception("--src and --tgt are required");
  const auto m = load_model(args);
  const auto src_lines = read_lines(args["src"].as<std::string>());
  const auto tgt_lines = read_lines(args["tgt"].as<std::string>());
  if (src_lines.size() != tgt_lines.size()) {
    throw InputError(args["tgt"].as<std::string>(), 0, "has " + std::to_string(tgt_lines.size()) + " lines but " +
                                                            args["src"].as<std::string>() + " has " +
                                                            std::to_string(src_lines.size()));
  }
  ParallelCorpus corpus;
  for (std::size_t i = 0; i < src_lines.size(); ++i) {
    std::vector<std::string> s, t;
    m->src_segmenter->segment(src_lines[i], s);
    m->tgt_segmenter->segment(tgt_lines[i], t);
    if (s.empty()) throw InputError(args["src"].as<std::string>(), i + 1, "an empty source cannot be scored");
    std::vector<int> si, ti;
    for (const auto& x : s) si.push_back(m->src_vocab.id(x));
    for (const auto& x : t) ti.push_back(m->tgt_vocab.id(x));
    corpus.src.push_back(si.data(), si.size());
    corpus.tgt.push_back(ti.data(), ti.size());
  }
  std::vector<double> log_probs(corpus.size());
  double total = 0;
  std::size_t tokens = 0;
  Graph g;
  NoGradScope no_grad(g);
  for (const BatchIndices& indices : evaluation_batches(corpus, args["batch"].as<std::size_t>())) {
    const Batch batch = make_batch(corpus, indices);
    g.clear();
    const Expr logits = m->model->forward(g, batch, nullptr).logits;  // (T·B, V)
    const std::size_t V = logits.shape()[1];
    for (std::size_t b = 0; b < batch.size; ++b) {
      double lp = 0;
      for (std::size_t t = 0; t < static_cast<std::size_t>(batch.tgt_lengths[b]); ++t) {
        const float* row = logits.value().data() + (t * batch.size + b) * V;
        const float mx = *std::max_element(row, row + V);
        double sum = 0;
        for (std::size_t v = 0; v < V; ++v) sum += std::exp(static_cast<double>(row[v] - mx));
        lp += static_cast<double>(row[batch.tgt_out[t * batch.size + b]]) - mx - std::log(sum);
      }
      log_probs[indices[b]] = lp;
      total += lp;
      tokens += static_cast<std::size_t>(batch.tgt_lengths[b]);
    }
  }
  std::string text;
  for (double lp : log_probs) text += fmt::format("{:.6f}\n", lp);
  write_output(args, text);
  fmt::print(stderr, "{} pairs, {} target tokens (</s> included): log-probability {:.4f}, perplexity {:.4f}\n",
             corpus.size(), tokens, total, std::exp(-total / static_cast<double>(tokens)));
  return 0;
}

}  // namespace nmtx::cli

namespace nmtx::cli {

int run_align(int argc, char** argv) {
  cxxopts::Options options(argv[0], "Attention of a model over given translations (forced decoding): Pharaoh "
                                    "alignments, and with --attention the matrices, heatmaps and index.html.");
  add_model_options(options);
  options.add_options()
      ("src", "source file", cxxopts::value<std::string>())
      ("tgt", "target file (one translation per source line)", cxxopts::value<std::string>())
      ("o,output", "alignments file, written atomically (default: standard output)", cxxopts::value<std::string>())
      ("threshold", "every link whose weight reaches this (0: the argmax per target token)",
       cxxopts::value<float>()->default_value("0"))
      ("attention", "export attention into this directory", cxxopts::value<std::string>());
  const auto args = options.parse(argc, argv);
  if (args.count("help")) {
    fmt::print("{}", options.help());
    return 0;
  }
  if (!args.count("src") || !args.count("tgt")) throw cxxopts::exceptions::exception("--src and --tgt are required");
  const float threshold = args["threshold"].as<float>();
  if (threshold < 0.0f || threshold > 1.0f) throw cxxopts::exceptions::exception("--threshold must be in [0, 1]");
  const auto m = load_model(args);
  const std::string src_path = args["src"].as<std::string>(), tgt_path = args["tgt"].as<std::string>();
  const auto src_lines = read_lines(src_path), tgt_lines = read_lines(tgt_path);
  if (src_lines.size() != tgt_lines.size()) {
    throw InputError(tgt_path, 0, "has " + std::to_string(tgt_lines.size()) + " lines but " + src_path + " has " +
                                      std::to_string(src_lines.size()));
  }
  std::vector<AttentionRecord> records(src_lines.size());
  ParallelCorpus corpus;
  for (std::size_t i = 0; i < src_lines.size(); ++i) {
    AttentionRecord& r = records[i];
    r.index = i;
    m->src_segmenter->segment(src_lines[i], r.source);
    m->tgt_segmenter->segment(tgt_lines[i], r.output);
    if (r.source.empty()) throw InputError(src_path, i + 1, "an empty source cannot be aligned");
    r.output.push_back("</s>");
    std::vector<int> si, ti;
    for (const auto& x : r.source) si.push_back(m->src_vocab.id(x));
    for (std::size_t k = 0; k + 1 < r.output.size(); ++k) ti.push_back(m->tgt_vocab.id(r.output[k]));
    corpus.src.push_back(si.data(), si.size());
    corpus.tgt.push_back(ti.data(), ti.size());
  }
  forced_attention(*m->model, corpus, args["batch"].as<std::size_t>(), records);
  std::string text;
  for (const AttentionRecord& r : records) text += pharaoh(hard_alignment(r, threshold)) + "\n";
  write_output(args, text);
  if (args.count("attention")) {
    export_attention(records, args["attention"].as<std::string>(), threshold);
    fmt::print(stderr, "attention of {} sentences written to {}\n", records.size(), args["attention"].as<std::string>());
  }
  return 0;
}

int run_aer(int argc, char** argv) {
  cxxopts::Options options(argv[0], "Alignment error rate of test alignments (Pharaoh, 0-based) against gold ones.");
  options.add_options()
      ("gold", "gold alignments: i-j sure, ipj (or i?j) possible links", cxxopts::value<std::string>())
      ("test", "test alignments, 0-based i-j (source-target)", cxxopts::value<std::string>())
      ("gold-one-based", "the gold positions count from 1")
      ("reverse", "the gold lists target-source: swap its sides")
      ("h,help", "show this help");
  const auto args = options.parse(argc, argv);
  if (args.count("help")) {
    fmt::print("{}", options.help());
    return 0;
  }
  if (!args.count("gold") || !args.count("test")) throw cxxopts::exceptions::exception("--gold and --test are required");
  auto read = [](const std::string& path, bool one_based, bool reverse) {
    std::vector<AlignmentLine> lines;
    std::size_t number = 0;
    for (const std::string& line : read_lines(path)) {
      ++number;
      try {
        lines.push_back(parse_alignment(line, one_based, reverse));
      } catch (const std::invalid_argument& e) {
        throw InputError(path, number, e.what());
      }
    }
    return lines;
  };
  const std::string gold_path = args["gold"].as<std::string>(), test_path = args["test"].as<std::string>();
  const auto gold = read(gold_path, args.count("gold-one-based") > 0, args.count("reverse") > 0);
  const auto test = read(test_path, false, false);
  if (gold.size() != test.size()) {
    throw InputError(test_path, 0, "has " + std::to_string(test.size()) + " lines but " + gold_path + " has " +
                                       std::to_string(gold.size()));
  }
  const Aer a = alignment_error_rate(gold, test);
  fmt::print("AER = {:.4f}\nprecision = {:.4f} recall = {:.4f} (test links {}, sure {}, test links in sure {}, in possible {})\n",
             a.aer, a.precision, a.recall, a.test_links, a.sure_links, a.hits_sure, a.hits_possible);
  return 0;
}

}  // namespace nmtx::cli
