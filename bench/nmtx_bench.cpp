// nmtx_bench: the nmtx side of bench/run.sh, and the exporter behind the PyTorch
// reference test.
//
//   nmtx_bench --size toy|medium|large --variant V [--threads N] --phase train|decode|beam
//       train: K timed training steps after warm-up (throughput, memory, GFLOP/s);
//       decode: greedy decoding of a few batches (throughput);
//       beam: beam search (--beam, 5) of a few batches (throughput); one JSON line.
//   nmtx_bench --export DIR --variant V
//       writes a tiny model's parameters, a padded batch, its loss and every gradient
//       under DIR as .npy (names of docs/model.md), for bench/torch_reference.py check.
//
// Sizes (hidden = every recurrent state: encoder hidden/2 per direction, decoder hidden):
//   toy     embed  64, hidden 128, vocab  1000, batch 64, lengths 20
//   medium  embed 256, hidden 256, vocab  8000, batch 64, lengths 25
//   large   embed 512, hidden 512, vocab 16000, batch 64, lengths 30
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cxxopts.hpp>
#include <filesystem>
#include <fmt/core.h>
#include <fstream>

#include "nmtx/core/blas.h"
#include "nmtx/core/rng.h"
#include "nmtx/data/vocab.h"
#include "nmtx/decode/beam.h"
#include "nmtx/io/npy.h"
#include "nmtx/core/optim.h"
#include "nmtx/train/train_step.h"

using namespace nmtx;

namespace {

struct Size {
  std::size_t embed, hidden, vocab, batch, length;
};

Size size_named(const std::string& name) {
  if (name == "toy") return {64, 128, 1000, 64, 20};
  if (name == "medium") return {256, 256, 8000, 64, 25};
  if (name == "large") return {512, 512, 16000, 64, 30};
  throw std::invalid_argument("unknown size \"" + name + "\"; valid: toy, medium, large");
}

ModelConfig config_for(const Size& s, const std::string& variant_name) {
  const Variant v = parse_variant(variant_name);
  ModelConfig c;
  c.src_vocab = c.tgt_vocab = s.vocab;
  c.embed = s.embed;
  c.hidden = s.hidden / 2;
  c.decoder_hidden = s.hidden;
  c.dropout = 0.0f;  // as the PyTorch reference (bench/torch_reference.py)
  c.attention.type = v.type;
  c.attention.score = v.score;
  return c;
}

double rss_mb() {  // resident set size now
  std::ifstream statm("/proc/self/statm");
  long pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * static_cast<double>(::sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0);
}

double peak_rss_mb() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024.0;
}

// The shortest decoding warm-up (see the decode phase).
constexpr std::chrono::milliseconds kMinWarmup{300};

// Random sentences of exactly `length` tokens (ids 4 .. vocab-1), seeded.
std::vector<std::vector<int>> random_sentences(std::size_t count, std::size_t length, std::size_t vocab, Rng& rng) {
  std::vector<std::vector<int>> out(count, std::vector<int>(length));
  for (auto& s : out)
    for (int& t : s) t = 4 + static_cast<int>(rng.below(vocab - 4));
  return out;
}

int benchmark(const cxxopts::ParseResult& args) {
  const std::string size_name = args["size"].as<std::string>(), variant = args["variant"].as<std::string>();
  const Size s = size_named(size_name);
  const int threads = args["threads"].as<int>(), steps = args["steps"].as<int>(), warmup = args["warmup"].as<int>();
  set_blas_threads(threads);
  ParameterSet params(1);
  const Seq2Seq model(config_for(s, variant), params);
  Adam adam(1e-3f);
  const double rss_built = rss_mb();
  Rng rng(7);
  const auto src = random_sentences(s.batch, s.length, s.vocab, rng), tgt = random_sentences(s.batch, s.length, s.vocab, rng);
  const Batch batch = make_batch(src, tgt, Vocab::kPad, Vocab::kBos, Vocab::kEos);
  Graph g;
  auto step = [&] { return train_step(model, params, adam, g, batch).loss_per_token(); };
  // Training and decoding are measured in separate processes (--phase): an idle BLAS
  // worker keeps spinning for a while after the last product, which would otherwise
  // steal a core from the decoding threads.
  const std::string phase = args["phase"].as<std::string>();
  double train_seconds = 0, gflops = 0, peak_train = 0;
  float last = 0;
  if (phase == "train") {
    for (int i = 0; i < warmup; ++i) step();
    const std::uint64_t flops_before = gemm_flop_count();
    auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < steps; ++i) last = step();
    train_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    gflops = (gemm_flop_count() - flops_before) / train_seconds / 1e9;
    peak_train = peak_rss_mb();
    g.clear();
    fmt::print(
        "{{\"impl\": \"nmtx\", \"phase\": \"train\", \"size\": \"{}\", \"variant\": \"{}\", \"threads\": {}, "
        "\"steps\": {}, \"train_tokens_per_s\": {:.1f}, \"rss_after_build_mb\": {:.1f}, \"peak_rss_mb\": {:.1f}, "
        "\"growth_mb\": {:.1f}, \"gflops\": {:.2f}, \"params\": {}, \"last_loss\": {:.4f}}}\n",
        size_name, variant, threads, steps, steps * batch.target_tokens() / train_seconds, rss_built, peak_train,
        peak_train - rss_built, gflops, params.numel(), last);
    return 0;
  }
  if (phase != "decode" && phase != "beam") throw std::invalid_argument("--phase must be train, decode or beam");

  const int decode_batches = args["decode-batches"].as<int>(), warmup_decode = args["decode-warmup"].as<int>();
  DecodeOptions decode;
  decode.max_length = s.length + 1;
  decode.ignore_eos = true;  // the same number of steps on both sides
  decode.threads = static_cast<std::size_t>(threads);
  BeamOptions beam;
  beam.beam_size = phase == "beam" ? args["beam"].as<std::size_t>() : 1;
  auto decode_batch = [&] {  // output steps of the longest hypothesis
    std::size_t steps = 0;
    if (phase == "decode") {
      for (const auto& h : greedy_decode(model, src, decode)) steps = std::max(steps, h.attention.steps());
    } else {
      for (const auto& nbest : beam_decode(model, src, decode, beam)) steps = std::max(steps, nbest[0].attention.steps());
    }
    return steps;
  };
  // Warm-up: OpenBLAS's worker thread spins for about 0.1 s after the library loads,
  // taking a core from the decoding threads; measure after it has gone to sleep (at least
  // `--decode-warmup` batches and kMinWarmup seconds, as torch_reference.py does).
  const auto w0 = std::chrono::steady_clock::now();
  for (int i = 0; i < warmup_decode || std::chrono::steady_clock::now() - w0 < kMinWarmup; ++i) decode_batch();
  const auto t0 = std::chrono::steady_clock::now();
  std::size_t decode_steps = 0;
  for (int i = 0; i < decode_batches; ++i) decode_steps = std::max(decode_steps, decode_batch());
  const double decode_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  fmt::print(
      "{{\"impl\": \"nmtx\", \"phase\": \"{}\", \"size\": \"{}\", \"variant\": \"{}\", \"threads\": {}, "
      "\"beam\": {}, \"decode_sentences_per_s\": {:.1f}, \"decode_steps\": {}}}\n",
      phase, size_name, variant, threads, beam.beam_size, decode_batches * s.batch / decode_seconds, decode_steps);
  return 0;
}

// The sgemm rate on one shape (C (M, N) = A (M, K) · B (N, K)ᵀ, as the output projection
// computes it) with the given BLAS threads: the best of several timed repetitions.
int measure_sgemm(const cxxopts::ParseResult& args) {
  std::size_t M = 0, N = 0, K = 0;
  if (std::sscanf(args["sgemm"].as<std::string>().c_str(), "%zu,%zu,%zu", &M, &N, &K) != 3) {
    throw std::invalid_argument("--sgemm expects M,N,K");
  }
  const int threads = args["threads"].as<int>();
  set_blas_threads(threads);
  std::vector<float> A(M * K, 0.5f), B(N * K, 0.25f), C(M * N, 0.0f);
  double best = 1e30;
  for (int rep = 0; rep < 7; ++rep) {
    const auto t0 = std::chrono::steady_clock::now();
    gemm(false, true, M, N, K, 1.0f, A.data(), B.data(), 0.0f, C.data());
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  fmt::print("{{\"impl\": \"sgemm\", \"shape\": [{}, {}, {}], \"threads\": {}, \"gflops\": {:.1f}}}\n", M, N, K,
             threads, 2.0 * M * N * K / best / 1e9);
  return 0;
}

int export_reference(const cxxopts::ParseResult& args) {
  namespace fs = std::filesystem;
  const fs::path dir = args["export"].as<std::string>();
  const std::string variant = args["variant"].as<std::string>();
  ModelConfig c = config_for({6, 8, 0, 0, 0}, variant);
  c.src_vocab = 11;
  c.tgt_vocab = 13;
  c.init_scale = 0.3f;
  ParameterSet params(5);
  const Seq2Seq model(c, params);
  // Four sentence pairs of different lengths: padding on both sides.
  const std::vector<std::vector<int>> src = {{4, 5, 6, 7, 8}, {9, 10, 4}, {5, 5, 6, 7}, {10, 9}};
  const std::vector<std::vector<int>> tgt = {{4, 5, 6}, {7, 8, 9, 10}, {11}, {12, 4}};
  const Batch batch = make_batch(src, tgt, Vocab::kPad, Vocab::kBos, Vocab::kEos);
  Graph g;
  params.zero_grad();
  const Expr loss = model.loss(g, batch, nullptr);
  g.backward(loss);
  save_parameters(params, (dir / "params").string());
  fs::create_directories(dir / "grads");
  for (const Parameter& p : params.all()) save_npy((dir / "grads" / (p.name() + ".npy")).string(), p.grad());
  fs::create_directories(dir / "batch");
  save_npy((dir / "batch" / "src.npy").string(), batch.src, Shape{batch.src_len, batch.size});
  save_npy((dir / "batch" / "src_lengths.npy").string(), batch.src_lengths, Shape{batch.size});
  save_npy((dir / "batch" / "tgt_in.npy").string(), batch.tgt_in, Shape{batch.tgt_len, batch.size});
  save_npy((dir / "batch" / "tgt_out.npy").string(), batch.tgt_out, Shape{batch.tgt_len, batch.size});
  save_npy((dir / "batch" / "tgt_lengths.npy").string(), batch.tgt_lengths, Shape{batch.size});
  save_npy((dir / "loss.npy").string(), loss.value());
  std::ofstream((dir / "config.json").string())
      << fmt::format("{{\"variant\": \"{}\", \"type\": \"{}\", \"score\": \"{}\", \"embed\": {}, \"hidden\": {}, "
                     "\"decoder_hidden\": {}, \"src_vocab\": {}, \"tgt_vocab\": {}, \"attention_dim\": {}, "
                     "\"maxout\": {}, \"output_dim\": {}}}\n",
                     variant, attention_type_names().name(c.attention.type), attention_score_names().name(c.attention.score), c.embed, c.hidden, c.resolved_decoder_hidden(),
                     c.src_vocab, c.tgt_vocab, c.resolved_decoder_hidden(), c.maxout ? "true" : "false", c.embed);
  fmt::print("exported {} ({} parameters, loss {:.6f}) to {}\n", variant, params.numel(), loss.item(), dir.string());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  cxxopts::Options options("nmtx_bench", "Benchmark nmtx, or export a tiny model for the PyTorch reference check.");
  options.add_options()
      ("size", "toy, medium or large", cxxopts::value<std::string>()->default_value("toy"))
      ("variant", "attention variant", cxxopts::value<std::string>()->default_value("bahdanau"))
      ("threads", "BLAS threads", cxxopts::value<int>()->default_value("2"))
      ("steps", "timed training steps", cxxopts::value<int>()->default_value("20"))
      ("warmup", "untimed training steps first", cxxopts::value<int>()->default_value("2"))
      ("decode-batches", "timed greedy-decoding batches", cxxopts::value<int>()->default_value("20"))
      ("decode-warmup", "untimed greedy-decoding batches first", cxxopts::value<int>()->default_value("5"))
      ("phase", "what to measure: train, decode (greedy) or beam", cxxopts::value<std::string>()->default_value("train"))
      ("beam", "beam size of the beam phase", cxxopts::value<std::size_t>()->default_value("5"))
      ("export", "write a tiny model, batch, loss and gradients to this directory", cxxopts::value<std::string>())
      ("sgemm", "measure sgemm on M,N,K (A · Bᵀ) instead", cxxopts::value<std::string>())
      ("h,help", "show this help");
  try {
    const auto args = options.parse(argc, argv);
    if (args.count("help")) {
      fmt::print("{}", options.help());
      return 0;
    }
    if (args.count("sgemm")) return measure_sgemm(args);
    return args.count("export") ? export_reference(args) : benchmark(args);
  } catch (const std::exception& e) {
    fmt::print(stderr, "nmtx_bench: {}\n", e.what());
    return 1;
  }
}
