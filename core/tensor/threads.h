// How many intra-op threads LibTorch runs. LibTorch's own default is the number of physical cores;
// a cloud VM often reports its vCPUs as hyperthread pairs of one core, so that default leaves half
// the machine idle (the 2-vCPU build machine: 1 thread, a 4096 × 256 by 256 × 16384 product at
// 102 GFLOP/s, against 195 GFLOP/s on 2 threads). loupe uses every CPU it may run on instead.
#pragma once

namespace loupe {

// The CPUs this process may run on (its affinity mask; at least 1).
int usable_cpus();

// Sets LibTorch's intra-op threads to LOUPE_THREADS when that is set, else to usable_cpus() minus
// `reserve` (at least 1), and returns the count. Throws InputError when LOUPE_THREADS is not a
// whole number from 1 to 1024.
int use_cpu_threads(int reserve = 0);

}  // namespace loupe
