// nmtx demo: trains a 2-layer perceptron on XOR with Adam and prints its loss falling.
// A smoke test of the whole engine (parameters, ops, backward, optimiser) in a second;
// the README's main command until the default recipe exists.
#include <cxxopts.hpp>
#include <fmt/core.h>

#include "commands.h"
#include "nmtx/core/ops.h"
#include "nmtx/core/params.h"
#include "nmtx/train/optim.h"

namespace nmtx::cli {

int run_demo(int argc, char** argv) {
  cxxopts::Options options(argv[0], "Train a tiny network on XOR and print its loss.");
  options.add_options()
      ("steps", "training steps", cxxopts::value<int>()->default_value("300"))
      ("hidden", "hidden units", cxxopts::value<int>()->default_value("8"))
      ("lr", "Adam learning rate", cxxopts::value<float>()->default_value("0.05"))
      ("seed", "random seed", cxxopts::value<std::uint64_t>()->default_value("1"))
      ("h,help", "show this help");
  const auto args = options.parse(argc, argv);
  if (args.count("help")) {
    fmt::print("{}", options.help());
    return 0;
  }
  const int steps = args["steps"].as<int>();
  const auto hidden = static_cast<std::size_t>(args["hidden"].as<int>());
  if (steps < 1 || hidden < 1) throw cxxopts::exceptions::exception("--steps and --hidden must be positive");

  ParameterSet params(args["seed"].as<std::uint64_t>());
  const Parameter W1 = params.add("mlp.W1", Shape{hidden, 2}, Init::glorot_uniform());
  const Parameter b1 = params.add("mlp.b1", Shape{hidden}, Init::zeros());
  const Parameter W2 = params.add("mlp.W2", Shape{2, hidden}, Init::glorot_uniform());
  const Parameter b2 = params.add("mlp.b2", Shape{2}, Init::zeros());
  Adam adam(args["lr"].as<float>());
  const std::vector<int> labels = {0, 1, 1, 0};

  Graph g;
  fmt::print("training a 2-{}-2 tanh network on XOR with Adam ({} parameters)\n", hidden, params.numel());
  for (int step = 1; step <= steps; ++step) {
    g.clear();
    params.zero_grad();
    const Expr x = g.constant(Shape{4, 2}, {0, 0, 0, 1, 1, 0, 1, 1});
    const Expr h = tanh(matmul(x, g.param(W1), false, true) + g.param(b1));  // (4, hidden)
    const Expr logits = matmul(h, g.param(W2), false, true) + g.param(b2);   // (4, 2)
    const Expr loss = scale(cross_entropy(logits, labels), 0.25f);           // mean over 4
    g.backward(loss);
    adam.step(params);
    if (step == 1 || step % 25 == 0 || step == steps) fmt::print("step {:4d}  loss {:.6f}\n", step, loss.item());
  }
  return 0;
}

}  // namespace nmtx::cli
