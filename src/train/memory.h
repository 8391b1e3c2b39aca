// The training process's memory: what train.log and summary.json report, and what a
// trainer gives back after validation.
#pragma once

namespace nmtx {

// This process's resident memory now (VmRSS) and at its peak (VmHWM) in MiB.
double rss_mib();
double peak_rss_mib();
// Gives the memory decoding left behind back to the system: the arenas' pooled chunks and
// what the allocator holds free (validation's graphs would otherwise stay resident through
// the training steps that follow).
void release_free_memory();
// Starts peak_rss_mib() afresh from the memory resident now (Linux's /proc/self/clear_refs;
// where the kernel refuses, the peak keeps counting from the process's start).
void reset_peak_rss();

}  // namespace nmtx
