// The subcommands of the nmtx tool; each lives in its own file and returns the exit
// status (0 success, 1 failure while running, 2 bad usage).
#pragma once

namespace nmtx::cli {

struct Command {
  const char* name;
  const char* summary;
  int (*run)(int argc, char** argv);  // argv[0] is "nmtx NAME"
};

int run_demo(int argc, char** argv);
int run_train(int argc, char** argv);
int run_bleu(int argc, char** argv);
int run_chrf(int argc, char** argv);
int run_ter(int argc, char** argv);
int run_translate(int argc, char** argv);
int run_score(int argc, char** argv);
int run_align(int argc, char** argv);
int run_aer(int argc, char** argv);
int run_compare(int argc, char** argv);
int run_inspect(int argc, char** argv);
int run_average(int argc, char** argv);
int run_report(int argc, char** argv);

}  // namespace nmtx::cli
