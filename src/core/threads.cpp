#include "nmtx/core/threads.h"

#include <exception>
#include <thread>
#include <vector>

#include "nmtx/core/blas.h"

namespace nmtx {

void run_on_threads(std::size_t n, const std::function<void(std::size_t)>& work) {
  std::vector<std::exception_ptr> errors(n);
  const int blas = blas_threads();
  set_blas_threads(1);
  {
    std::vector<std::thread> workers;
    for (std::size_t k = 0; k < n; ++k) {
      workers.emplace_back([&, k] {
        try {
          work(k);
        } catch (...) {
          errors[k] = std::current_exception();
        }
      });
    }
    for (std::thread& w : workers) w.join();
  }
  set_blas_threads(blas);
  for (const std::exception_ptr& e : errors) {
    if (e) std::rethrow_exception(e);
  }
}

}  // namespace nmtx
