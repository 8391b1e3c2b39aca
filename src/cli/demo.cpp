// nmtx demo: trains an attention model on the reverse task (a few seconds), printing its
// loss falling, then decodes held-out sentences greedily and reports exact-match
// accuracy and one learned alignment. The README's main command until the recipes exist.
#include <fmt/core.h>
#include <fmt/ranges.h>

#include <chrono>

#include "commands.h"
#include "common.h"
#include "nmtx/core/optim.h"
#include "nmtx/data/toy_tasks.h"
#include "nmtx/data/vocab.h"
#include "nmtx/train/train_step.h"
#include "nmtx/translation/translator.h"

namespace nmtx::cli {

namespace {

constexpr int kFirstSymbol = Vocab::kSpecials;  // ids 0..3: <pad> <unk> <s> </s>

std::vector<int> to_ids(const std::vector<int>& symbols) {
  std::vector<int> ids;
  for (int s : symbols) ids.push_back(s + kFirstSymbol);
  return ids;
}

}  // namespace

int run_demo(int argc, char** argv) {
  cxxopts::Options options(argv[0], "Train an attention model on the reverse task and print its loss falling.");
  options.add_options()
      ("variant", "attention variant (" + [] { std::string s; for (auto& n : variant_names()) s += (s.empty() ? "" : ", ") + n; return s; }() + ")",
       cxxopts::value<std::string>()->default_value("luong-general"))
      ("task", "toy task: copy, reverse, sort, reorder", cxxopts::value<std::string>()->default_value("reverse"))
      ("steps", "training steps", cxxopts::value<int>()->default_value("500"))
      ("batch", "sentences per step", cxxopts::value<int>()->default_value("32"))
      ("symbols", "vocabulary of the task", cxxopts::value<int>()->default_value("10"))
      ("max-length", "longest sentence", cxxopts::value<int>()->default_value("10"))
      ("lr", "Adam learning rate", cxxopts::value<float>()->default_value("0.002"))
      ("seed", "random seed", cxxopts::value<std::uint64_t>()->default_value("1"))
      ("h,help", "show this help");
  const auto args = parse_command_line(options, argc, argv);
  if (print_help(args, options)) return 0;
  const int steps = args["steps"].as<int>(), batch_size = args["batch"].as<int>();
  const int symbols = args["symbols"].as<int>(), max_length = args["max-length"].as<int>();
  if (steps < 1 || batch_size < 1 || symbols < 1 || max_length < 1) {
    throw cxxopts::exceptions::exception("--steps, --batch, --symbols and --max-length must be positive");
  }
  const Variant variant = parse_variant(args["variant"].as<std::string>());
  const std::uint64_t seed = args["seed"].as<std::uint64_t>();
  const ToyConfig task{parse_toy_task(args["task"].as<std::string>()), static_cast<std::size_t>(symbols), 1,
                       static_cast<std::size_t>(max_length)};

  ModelConfig config;
  config.src_vocab = config.tgt_vocab = kFirstSymbol + symbols;
  config.embed = 32;
  config.hidden = 64;
  config.dropout = 0.0f;
  config.attention.type = variant.type;
  config.attention.score = variant.score;
  config.attention.window = 3.0f;
  ParameterSet params(seed);
  const Seq2Seq model(config, params);
  Adam adam(args["lr"].as<float>());
  fmt::print("training {} on the {} task ({} symbols, lengths 1..{}): {} parameters\n", variant.name(),
             toy_task_name(task.task), symbols, max_length, params.numel());

  const auto start = std::chrono::steady_clock::now();
  const std::vector<ToyExample> train = generate_toy(task, static_cast<std::size_t>(steps) * batch_size, seed);
  Graph g;
  for (int step = 1; step <= steps; ++step) {
    std::vector<std::vector<int>> src, tgt;
    for (int i = 0; i < batch_size; ++i) {
      const ToyExample& ex = train[(step - 1) * batch_size + i];
      src.push_back(to_ids(ex.source));
      tgt.push_back(to_ids(ex.target));
    }
    const StepResult r = train_step(model, params, adam, g, make_batch(src, tgt, Vocab::kPad, Vocab::kBos, Vocab::kEos));
    if (step == 1 || step % 50 == 0 || step == steps) {
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      fmt::print("step {:5d}  loss/token {:.4f}  {:.1f}s\n", step, r.loss_per_token(), seconds);
    }
  }

  const std::vector<ToyExample> test = generate_toy(task, 200, seed + 1000);
  std::vector<std::vector<int>> sources;
  for (const ToyExample& ex : test) sources.push_back(to_ids(ex.source));
  TranslateSettings greedy;  // beam 1
  greedy.max_length_ratio = 0.0f;
  greedy.max_length = 2 * static_cast<std::size_t>(max_length) + 2;
  std::vector<Hypothesis> out;
  for (std::vector<Hypothesis>& best : translate({{&model, sources}}, greedy)) out.push_back(std::move(best.at(0)));
  int exact = 0;
  for (std::size_t i = 0; i < test.size(); ++i) exact += out[i].tokens == to_ids(test[i].target);
  fmt::print("greedy exact match on 200 held-out sentences: {:.1f}%\n", 100.0 * exact / test.size());
  const ToyExample& ex = test[0];
  fmt::print("example: source {}\n         output {}\n         most attended source position per output token:",
             fmt::join(ex.source, " "), [&] { std::string s; for (int t : out[0].tokens) s += std::to_string(t - kFirstSymbol) + " "; return s; }());
  for (std::size_t t = 0; t < out[0].attention.steps(); ++t) fmt::print(" {}", out[0].attention.argmax(t));
  fmt::print("\n");
  return 0;
}

}  // namespace nmtx::cli
