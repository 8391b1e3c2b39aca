// Work on several threads at once, beside BLAS: decoding shards of sentences, training
// shards of a batch.
#pragma once

#include <cstddef>
#include <functional>

namespace nmtx {

// Runs work(0) .. work(n - 1), each on its own thread, while BLAS runs single-threaded (so
// the threads do not oversubscribe the cores); BLAS's thread count is restored after. Once
// all have joined, rethrows the exception of the lowest-numbered work that threw.
void run_on_threads(std::size_t n, const std::function<void(std::size_t)>& work);

}  // namespace nmtx
