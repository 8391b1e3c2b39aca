// Start-up checks of a data-parallel job: every rank must run the same binary on the same
// resolved recipe, or their parameters would drift apart silently.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "nmtx/dist/communicator.h"

namespace nmtx::dist {

// A digest of this process's executable file (/proc/self/exe), 16 hex digits.
std::string executable_digest();

// Compares each named text (e.g. {"recipe", its resolved YAML}) across the ranks; throws
// SameOnEveryRank naming the first rank whose text differs from rank 0's, and for
// multi-line texts the first differing line with its section. One process: nothing to do.
void check_same_on_every_rank(Communicator& comm, const std::vector<std::pair<std::string, std::string>>& texts);

// Throws SameOnEveryRank unless the process count divides `shards`.
void check_shards(const Communicator& comm, std::size_t shards);

}  // namespace nmtx::dist
