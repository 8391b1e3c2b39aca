#include "memory.h"

#include <malloc.h>

#include <fstream>
#include <string>

#include "nmtx/core/arena.h"

namespace nmtx {

namespace {

// A "Name:  123456 kB" line of /proc/self/status, in MiB.
double status_mib(const std::string& name) {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(name, 0) == 0) return std::stod(line.substr(name.size())) / 1024.0;
  }
  return 0.0;
}

}  // namespace

double rss_mib() { return status_mib("VmRSS:"); }
double peak_rss_mib() { return status_mib("VmHWM:"); }

void release_free_memory() {
  Arena::release_pooled();
  ::malloc_trim(0);
}

void reset_peak_rss() {
  std::ofstream clear("/proc/self/clear_refs");
  clear << "5";  // proc(5): "reset the peak resident set size ("high water mark") to the current value"
}

}  // namespace nmtx
