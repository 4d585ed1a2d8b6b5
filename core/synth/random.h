// The synthetic data's own random numbers. std:: distributions are avoided on purpose: their output
// differs between standard libraries, and a dataset must be identical for a seed everywhere.
// Generator: xoshiro256** seeded through splitmix64; all helpers use integer or exact arithmetic.
#pragma once
#include <cstdint>
#include <vector>

namespace loupe::synth {

inline uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

class Rng {
 public:
  explicit Rng(uint64_t seed) {
    for (uint64_t& word : state_) word = splitmix64(seed);
  }

  // An independent stream per (seed, index), so samples can be generated in any order or in parallel.
  static Rng for_sample(uint64_t seed, uint64_t index) {
    uint64_t mixer = seed;
    uint64_t stream = splitmix64(mixer) ^ (index * 0xD1B54A32D192ED03ull);
    return Rng(splitmix64(stream));
  }

  uint64_t next() {
    const uint64_t result = rotl(state_[1] * 5, 7) * 9;
    const uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
  }

  // Uniform in [0, 1) with 53 random bits.
  double uniform() { return double(next() >> 11) * 0x1.0p-53; }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  // Uniform integer in [lo, hi], both ends included.
  int uniform_int(int lo, int hi) {
    const uint64_t span = uint64_t(int64_t(hi) - lo + 1);
    return int(int64_t(lo) + int64_t((next() >> 32) * span >> 32));
  }
  bool chance(double probability) { return uniform() < probability; }
  // Approximately normal (Irwin-Hall: the sum of 12 uniforms minus 6 has variance 1), bounded at
  // +-6 standard deviations; no libm call, so identical on every platform.
  double normal(double mean, double stddev) {
    double sum = 0;
    for (int i = 0; i < 12; ++i) sum += uniform();
    return mean + stddev * (sum - 6.0);
  }
  template <class T>
  const T& pick(const std::vector<T>& items) {
    return items[size_t(uniform_int(0, int(items.size()) - 1))];
  }

 private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t state_[4];
};

}  // namespace loupe::synth
