// nmtx inspect RUN[@CHECKPOINT] [...] | COMPARE_DIR: the attention and alignment inspector, a local
// web server with the page built in (docs/inspect.md). Ctrl-C or SIGTERM stops it.
#include <fmt/core.h>

#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <csignal>
#include <thread>

#include "commands.h"
#include "common.h"
#include "nmtx/core/blas.h"
#include "nmtx/run/trained_run.h"
#include "nmtx/server/http_server.h"

namespace nmtx::cli {

namespace {
int stop_pipe[2] = {-1, -1};  // written by the signal handler, read by the stopper thread
}  // namespace

int run_inspect(int argc, char** argv) {
  cxxopts::Options options(argv[0], "Inspect trained runs in the browser: translate, beam trees, attention, "
                                    "interventions, runs side by side, corpus triage.");
  options.positional_help("RUN[@CHECKPOINT] [RUN[@CHECKPOINT] ...] | COMPARE_DIR").show_positional_help();
  options.add_options()
      ("runs", "run directories (RUN@step-500: that checkpoint; one run's checkpoints side by side), or a "
               "comparison's directory", cxxopts::value<std::vector<std::string>>())
      ("host", "address to listen on", cxxopts::value<std::string>()->default_value("127.0.0.1"))
      ("port", "port (0: a free one)", cxxopts::value<int>()->default_value("8017"))
      ("checkpoint", "each run's checkpoint: best, latest, step-N or an average's name", cxxopts::value<std::string>()->default_value("best"))
      ("server-threads", "requests answered at once", cxxopts::value<int>()->default_value("4"))
      ("h,help", "show this help");
  options.parse_positional({"runs"});
  const auto args = parse_command_line(options, argc, argv);
  if (print_help(args, options)) return 0;
  if (!args.count("runs")) throw cxxopts::exceptions::exception("give at least one run directory");

  // SIGINT and SIGTERM write a byte to a pipe (all a signal handler may safely do); a
  // thread waiting on it stops the server. (Blocking the signals for a sigwait thread is
  // not enough: OpenBLAS starts its threads before main, with the signals unblocked.)
  if (pipe(stop_pipe) != 0) throw std::runtime_error("nmtx inspect: cannot create a pipe");
  struct sigaction action {};
  action.sa_handler = [](int) {
    const char byte = 1;
    [[maybe_unused]] const auto n = write(stop_pipe[1], &byte, 1);
  };
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);

  // Requests decode one sentence each, concurrently, on the server's threads: BLAS on the
  // calling thread only, its idle workers stopped (as nmtx translate does).
  use_one_blas_thread();
  // A checkpoint's directory (RUN/checkpoints/NAME) is that run at that checkpoint: RUN@NAME.
  std::vector<std::string> paths;
  for (const std::string& path : args["runs"].as<std::vector<std::string>>()) {
    const auto c = run_checkpoint_of(path);
    paths.push_back(c ? c->run + "@" + c->name : path);
  }
  const Inspector inspector(Inspector::expand_paths(paths),
                            args["checkpoint"].as<std::string>(),
                            [](const std::string& line) { fmt::print(stderr, "loaded {}\n", line); });
  ServerOptions server_options;
  server_options.host = args["host"].as<std::string>();
  server_options.port = args["port"].as<int>();
  server_options.threads = args["server-threads"].as<int>();
  InspectServer server(inspector, server_options);
  std::mutex mutex;
  std::condition_variable ended;
  bool served = false;
  std::thread stopper([&] {
    char byte = 0;
    while (read(stop_pipe[0], &byte, 1) < 0 && errno == EINTR) {
    }
    server.stop();  // stalled clients are cut off; a request being computed (a triage) may run on
    std::unique_lock<std::mutex> lock(mutex);
    if (!ended.wait_for(lock, std::chrono::seconds(1), [&] { return served; })) {
      // The server writes no file and holds nothing a user would lose: stop now.
      fmt::print(stderr, "nmtx inspect: stopped (a request still being computed was dropped)\n");
      std::fflush(stderr);
      std::_Exit(0);
    }
  });
  fmt::print("nmtx inspect: {} run{} at {}  (Ctrl-C stops)\n", inspector.size(), inspector.size() == 1 ? "" : "s",
             server.url());
  std::fflush(stdout);
  server.run();
  {
    const std::lock_guard<std::mutex> lock(mutex);
    served = true;
  }
  ended.notify_all();
  const char byte = 0;  // wakes the stopper if the server ended on its own
  [[maybe_unused]] const auto n = write(stop_pipe[1], &byte, 1);
  stopper.join();
  fmt::print(stderr, "nmtx inspect: stopped\n");
  return 0;
}

}  // namespace nmtx::cli
