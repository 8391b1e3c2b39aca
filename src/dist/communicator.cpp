#include "nmtx/dist/communicator.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#ifdef NMTX_WITH_MPI
#include <mpi.h>
#endif

namespace nmtx::dist {

namespace {

std::string this_host() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return "?";
  return name;
}

[[maybe_unused]] std::vector<int> displacements(const std::vector<int>& counts) {
  std::vector<int> d(counts.size(), 0);
  for (std::size_t i = 1; i < counts.size(); ++i) d[i] = d[i - 1] + counts[i - 1];
  return d;
}

}  // namespace

bool launched_by_mpirun() {
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK"}) {
    if (std::getenv(v) != nullptr) return true;
  }
  return false;
}

int launched_processes() {
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"}) {
    if (const char* s = std::getenv(v)) return std::max(1, std::atoi(s));
  }
  return 1;
}

bool built_with_mpi() {
#ifdef NMTX_WITH_MPI
  return true;
#else
  return false;
#endif
}

Communicator::Communicator() : host_(this_host()) {}

Communicator& Communicator::world() {
  static Communicator c;
  return c;
}

#ifdef NMTX_WITH_MPI

Session::Session(int& argc, char**& argv) {
  if (!launched_by_mpirun()) return;
  int provided = 0;
  // Only the main thread calls MPI (OpenBLAS's and decoding's threads never do).
  MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
  initialised_ = true;
  Communicator& c = Communicator::world();
  c.mpi_ = true;
  MPI_Comm_rank(MPI_COMM_WORLD, &c.rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &c.size_);
  MPI_Comm local;
  MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, c.rank_, MPI_INFO_NULL, &local);
  MPI_Comm_size(local, &c.local_size_);
  MPI_Comm_free(&local);
}

Session::~Session() {
  if (initialised_) MPI_Finalize();
}

void Communicator::barrier() {
  if (mpi_) MPI_Barrier(MPI_COMM_WORLD);
}

void Communicator::broadcast(std::string& text) {
  if (!mpi_) return;
  unsigned long long n = text.size();
  MPI_Bcast(&n, 1, MPI_UNSIGNED_LONG_LONG, 0, MPI_COMM_WORLD);
  text.resize(n);
  MPI_Bcast(text.data(), static_cast<int>(n), MPI_CHAR, 0, MPI_COMM_WORLD);
}

std::vector<std::string> Communicator::all_gather(const std::string& mine) {
  if (!mpi_) return {mine};
  const int n = static_cast<int>(mine.size());
  std::vector<int> counts(static_cast<std::size_t>(size_));
  MPI_Allgather(&n, 1, MPI_INT, counts.data(), 1, MPI_INT, MPI_COMM_WORLD);
  const std::vector<int> offsets = displacements(counts);
  std::string all(static_cast<std::size_t>(offsets.back() + counts.back()), '\0');
  MPI_Allgatherv(mine.data(), n, MPI_CHAR, all.data(), counts.data(), offsets.data(), MPI_CHAR, MPI_COMM_WORLD);
  std::vector<std::string> out;
  for (std::size_t i = 0; i < counts.size(); ++i) out.push_back(all.substr(offsets[i], counts[i]));
  return out;
}

std::vector<double> Communicator::all_gather(const std::vector<double>& mine) {
  if (!mpi_) return mine;
  std::vector<double> all(mine.size() * static_cast<std::size_t>(size_));
  MPI_Allgather(mine.data(), static_cast<int>(mine.size()), MPI_DOUBLE, all.data(), static_cast<int>(mine.size()),
                MPI_DOUBLE, MPI_COMM_WORLD);
  return all;
}

void Communicator::all_to_all(const float* send, const std::vector<int>& send_counts, float* recv,
                              const std::vector<int>& recv_counts) {
  if (!mpi_) {
    std::copy(send, send + send_counts[0], recv);
    return;
  }
  const std::vector<int> sd = displacements(send_counts), rd = displacements(recv_counts);
  MPI_Alltoallv(send, send_counts.data(), sd.data(), MPI_FLOAT, recv, recv_counts.data(), rd.data(), MPI_FLOAT,
                MPI_COMM_WORLD);
}

void Communicator::all_gather(const float* mine, float* all, const std::vector<int>& counts) {
  const std::vector<int> offsets = displacements(counts);
  if (!mpi_) {
    std::copy(mine, mine + counts[0], all);
    return;
  }
  MPI_Allgatherv(mine, counts[static_cast<std::size_t>(rank_)], MPI_FLOAT, all, counts.data(), offsets.data(),
                 MPI_FLOAT, MPI_COMM_WORLD);
}

void Communicator::abort(int code) {
  if (mpi_) MPI_Abort(MPI_COMM_WORLD, code);
  std::_Exit(code);
}

#else  // one process: nothing to exchange

Session::Session(int&, char**&) {}
Session::~Session() = default;
void Communicator::barrier() {}
void Communicator::broadcast(std::string&) {}
std::vector<std::string> Communicator::all_gather(const std::string& mine) { return {mine}; }
std::vector<double> Communicator::all_gather(const std::vector<double>& mine) { return mine; }
void Communicator::all_to_all(const float* send, const std::vector<int>& send_counts, float* recv,
                              const std::vector<int>&) {
  std::copy(send, send + send_counts[0], recv);
}
void Communicator::all_gather(const float* mine, float* all, const std::vector<int>& counts) {
  std::copy(mine, mine + counts[0], all);
}
void Communicator::abort(int code) { std::_Exit(code); }

#endif

}  // namespace nmtx::dist
