// Making chapter 11 fast: the loops of FastDropout (fast_dropout.hpp).
//
// This file alone is compiled with -march=native (CMakeLists.txt), so that the
// 8 streams of xoshiro128+ run in one vector register (AVX2: 8 × 32 bits) and
// the comparison and the multiplication by 1/keep_prob in the same pass. Plain
// functions on pointers: no template of the course is instantiated here, so
// the flag applies to this code only; integer arithmetic and one
// multiplication per element, the same in any build (no -ffast-math).
#include "chapters/11_final_classifier/fast_dropout.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace course::ch11 {

namespace {

constexpr std::size_t kLanes = DropoutStreams::kLanes;

// kLanes unsigned 32-bit numbers in one vector (GCC's vector extension: one AVX2
// register with -march=native, two SSE2 ones without), so that the kLanes
// streams step together whatever the compiler's vectoriser makes of a loop.
typedef std::uint32_t Lanes __attribute__((vector_size(4 * kLanes)));

constexpr std::size_t kBlock = DropoutStreams::kBlock;

}  // namespace

// kBlock numbers r: kBlock / kLanes steps of every stream (xoshiro128+: r = s0 + s3, then
// the state moves on).
void dropout_draw_block(DropoutStreams& streams, std::uint32_t* r) {
  Lanes s0, s1, s2, s3;
  std::memcpy(&s0, streams.words.data() + 0 * kLanes, sizeof(Lanes));
  std::memcpy(&s1, streams.words.data() + 1 * kLanes, sizeof(Lanes));
  std::memcpy(&s2, streams.words.data() + 2 * kLanes, sizeof(Lanes));
  std::memcpy(&s3, streams.words.data() + 3 * kLanes, sizeof(Lanes));
  for (std::size_t step = 0; step < kBlock / kLanes; ++step) {
    const Lanes result = s0 + s3;
    std::memcpy(r + step * kLanes, &result, sizeof(Lanes));
    const Lanes t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = (s3 << 11) | (s3 >> 21);  // rotate left by 11
  }
  std::memcpy(streams.words.data() + 0 * kLanes, &s0, sizeof(Lanes));
  std::memcpy(streams.words.data() + 1 * kLanes, &s1, sizeof(Lanes));
  std::memcpy(streams.words.data() + 2 * kLanes, &s2, sizeof(Lanes));
  std::memcpy(streams.words.data() + 3 * kLanes, &s3, sizeof(Lanes));
}

namespace {

template <typename T>
void draw_forward(DropoutStreams& streams, const T* __restrict in, T* __restrict out, std::uint8_t* __restrict mask,
                  std::size_t n, std::uint32_t threshold, T scale) {
  alignas(64) std::uint32_t r[kBlock];  // one block of numbers, in the L1 cache
  for (std::size_t first = 0; first < n; first += kBlock) {
    dropout_draw_block(streams, r);
    const std::size_t count = std::min(kBlock, n - first);  // the last block is partly used
    const T* __restrict a = in + first;
    T* __restrict o = out + first;
    std::uint8_t* __restrict d = mask + first;
    for (std::size_t j = 0; j < count; ++j) {
      const std::int32_t keep = r[j] < threshold ? 1 : 0;  // d = [r < t]
      d[j] = std::uint8_t(keep);
      o[j] = a[j] * (T(keep) * scale);  // a ⊙ d / keep_prob
    }
  }
}

template <typename T>
void apply(const T* __restrict in, const std::uint8_t* __restrict mask, T* __restrict out, std::size_t n, T scale) {
  for (std::size_t i = 0; i < n; ++i) out[i] = in[i] * (T(mask[i]) * scale);  // da ⊙ d / keep_prob
}

}  // namespace

DropoutStreams seed_dropout_streams(std::uint64_t seed) {
  DropoutStreams streams;
  for (std::size_t k = 0; k < 2 * kLanes; ++k) {  // splitmix64: 64 bits for two words at a time
    seed += 0x9E3779B97F4A7C15ull;
    std::uint64_t z = seed;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    streams.words[2 * k] = std::uint32_t(z);
    streams.words[2 * k + 1] = std::uint32_t(z >> 32);
  }
  return streams;  // (splitmix64 never gives an all-zero state in practice)
}

void dropout_draw_forward(DropoutStreams& streams, const float* in, float* out, std::uint8_t* mask, std::size_t n,
                          std::uint32_t threshold, float scale) {
  draw_forward(streams, in, out, mask, n, threshold, scale);
}
void dropout_draw_forward(DropoutStreams& streams, const double* in, double* out, std::uint8_t* mask, std::size_t n,
                          std::uint32_t threshold, double scale) {
  draw_forward(streams, in, out, mask, n, threshold, scale);
}
void dropout_apply(const float* in, const std::uint8_t* mask, float* out, std::size_t n, float scale) {
  apply(in, mask, out, n, scale);
}
void dropout_apply(const double* in, const std::uint8_t* mask, double* out, std::size_t n, double scale) {
  apply(in, mask, out, n, scale);
}

}  // namespace course::ch11
