// nmtx: attention-based neural machine translation. `nmtx COMMAND --help` for details.
#include "options.h"
#include <exception>
#include <iostream>
#include <string>

#include "commands.h"
#include "nmtx/dist/communicator.h"

namespace {

constexpr nmtx::cli::Command kCommands[] = {
    {"train", "train a model from a recipe (or --resume a run)", nmtx::cli::run_train},
    {"compare", "train attention variants side by side: table and report.html", nmtx::cli::run_compare},
    {"translate", "translate text with a trained model (greedy or beam; attention export)", nmtx::cli::run_translate},
    {"score", "log-probability of given translations under a model", nmtx::cli::run_score},
    {"align", "attention of a model over given translations: alignments, heatmaps", nmtx::cli::run_align},
    {"aer", "alignment error rate against gold alignments", nmtx::cli::run_aer},
    {"bleu", "corpus BLEU of hypotheses (stdin) against references, as sacreBLEU", nmtx::cli::run_bleu},
    {"chrf", "chrF / chrF++ of hypotheses (stdin) against references, as sacreBLEU", nmtx::cli::run_chrf},
    {"ter", "TER of hypotheses (stdin) against references, as sacreBLEU", nmtx::cli::run_ter},
    {"average", "average a run's checkpoints (the last N, or named ones) into a new checkpoint", nmtx::cli::run_average},
    {"inspect", "explore runs in the browser: attention, beam trees, interventions, triage", nmtx::cli::run_inspect},
    {"report", "one run's report.html: curves, attention over training, BLEU by length", nmtx::cli::run_report},
    {"demo", "train an attention model on a toy task and print its loss falling", nmtx::cli::run_demo},
};

void print_usage(std::ostream& out) {
  out << "nmtx: attention-based sequence-to-sequence translation\n\n"
         "usage: nmtx COMMAND [OPTIONS]   (nmtx COMMAND --help for its options)\n\ncommands:\n";
  for (const auto& c : kCommands) out << "  " << c.name << std::string(12 - std::string(c.name).size(), ' ') << c.summary << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h") {
    print_usage(argc < 2 ? std::cerr : std::cout);
    return argc < 2 ? 2 : 0;
  }
  const std::string name = argv[1];
  if (name == "--version") {
    std::cout << "nmtx 0.1.0\n";
    return 0;
  }
  for (const auto& c : kCommands) {
    if (name != c.name) continue;
    std::string program = "nmtx " + name;
    if (nmtx::dist::launched_processes() > 1 && name != "train") {
      std::cerr << program << ": error: only nmtx train runs under mpirun (data-parallel); run " << program
                << " as one process\n";
      return 2;
    }
    if (nmtx::dist::launched_processes() > 1 && !nmtx::dist::built_with_mpi()) {
      std::cerr << program << ": error: started by mpirun, but this nmtx was built without MPI "
                << "(install libopenmpi-dev and rebuild; CMake option NMTX_MPI)\n";
      return 2;
    }
    // Under mpirun, MPI lives as long as the command; a plain run never initialises it.
    const nmtx::dist::Session mpi(argc, argv);
    const nmtx::dist::Communicator& world = nmtx::dist::Communicator::world();
    const std::string who = world.distributed() ? " (rank " + std::to_string(world.rank()) + ")" : "";
    argv[1] = program.data();
    try {
      return c.run(argc - 1, argv + 1);
    } catch (const cxxopts::exceptions::exception& e) {
      if (world.rank() == 0) std::cerr << program << ": " << e.what() << " (see " << program << " --help)\n";
      return 2;
    } catch (const nmtx::dist::SameOnEveryRank& e) {
      // Every rank met it; rank 0 says it once, and all leave together.
      if (world.rank() == 0) std::cerr << program << ": error: " << e.what() << "\n";
      return 1;
    } catch (const std::exception& e) {
      std::cerr << program << ": error" << who << ": " << e.what() << "\n";
      // This rank alone may have failed: end the job rather than leave the others waiting.
      if (world.distributed()) nmtx::dist::Communicator::world().abort(1);
      return 1;
    }
  }
  std::cerr << "nmtx: unknown command '" << name << "'\n\n";
  print_usage(std::cerr);
  return 2;
}
