// The processes of a data-parallel run (docs/distributed.md) and the few collective
// operations training needs, over MPI when nmtx is built with it (NMTX_MPI) and launched
// by mpirun; otherwise one process, for which every operation is a copy.
//
// Every collective must be called by every process in the same order; the callers in
// train/ do so by running the same loop on every rank.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

namespace nmtx::dist {

// Whether this process was started by mpirun (or another MPI launcher), read from the
// launcher's environment, before MPI is initialised.
bool launched_by_mpirun();
// Processes the launcher started (1 when not launched by it).
int launched_processes();
// Whether this binary can take part in an MPI job.
bool built_with_mpi();

// An error that every rank meets identically (a bad recipe, a recipe mismatch found by
// comparing all ranks): rank 0 reports it, the others stop without repeating it.
class SameOnEveryRank : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Communicator {
 public:
  // MPI_COMM_WORLD once a Session is open, else the single process.
  static Communicator& world();

  int rank() const { return rank_; }
  int size() const { return size_; }
  bool distributed() const { return size_ > 1; }
  // Processes on this machine (MPI's shared-memory split) and this machine's name.
  int local_size() const { return local_size_; }
  const std::string& host() const { return host_; }

  void barrier();
  // Rank 0's `text` on every rank.
  void broadcast(std::string& text);
  // Every rank's string, by rank.
  std::vector<std::string> all_gather(const std::string& mine);
  // Every rank's `mine` (the same count on every rank), concatenated by rank.
  std::vector<double> all_gather(const std::vector<double>& mine);
  // MPI_Alltoallv on floats: rank r sends send_counts[j] floats to rank j (consecutive in
  // `send`, by destination) and receives recv_counts[i] from rank i (consecutive by source).
  void all_to_all(const float* send, const std::vector<int>& send_counts, float* recv,
                  const std::vector<int>& recv_counts);
  // MPI_Allgatherv on floats: rank i's counts[i] floats at its offset in `all`.
  void all_gather(const float* mine, float* all, const std::vector<int>& counts);
  // Ends the whole job at once (MPI_Abort); in one process, exits.
  [[noreturn]] void abort(int code);

 private:
  friend class Session;
  Communicator();
  int rank_ = 0, size_ = 1, local_size_ = 1;
  std::string host_;
  bool mpi_ = false;
};

// MPI for the lifetime of `nmtx train` under mpirun: initialised when launched by it
// (a plain `nmtx train` never touches MPI), finalised at the end.
class Session {
 public:
  Session(int& argc, char**& argv);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

 private:
  bool initialised_ = false;
};

}  // namespace nmtx::dist
