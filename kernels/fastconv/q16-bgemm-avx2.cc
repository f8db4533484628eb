// Batched GEMM kernels of the exact layer, AVX2 (q16-ukernels.h): MR tiles × 16 output channels
// (two int32 vectors of 8) per microkernel; per int16 channel pair, vpmaddwd of the broadcast
// pair of U with the weight vector (exact: |U|, |V| < 2¹⁵) and vpaddd into the accumulator
// (wrap-around, see q16-ukernels.h). One inline-asm statement per instruction pair: GCC 12
// copies intrinsic accumulators around (generated loop checked: no copies, no spills).
#include <immintrin.h>

#include <cassert>
#include <cstdint>
#include <cstring>

#include "kernels/fastconv/q16-ukernels.h"

namespace {

inline void madd(__m256i& acc, __m256i a, __m256i w) {
  __m256i t;
  asm("vpmaddwd %[w], %[a], %[t]\n\t"
      "vpaddd %[t], %[acc], %[acc]"
      : [acc] "+x"(acc), [t] "=&x"(t)
      : [a] "x"(a), [w] "x"(w));
}

inline __m256i bcast_pair(const char* p) {
  int32_t v;
  std::memcpy(&v, p, 4);
  return _mm256_set1_epi32(v);
}

template <int MR>
inline void tile_block(size_t kc, const char* a, size_t a_stride, const char* v, size_t kstep,
                       char* c, size_t c_stride) {
  __m256i acc0[MR], acc1[MR];
#pragma GCC unroll 8
  for (int i = 0; i < MR; i++) acc0[i] = acc1[i] = _mm256_setzero_si256();
  for (size_t k = 0; k < kc; k += 2) {
    const __m256i b0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(v + (k / 2) * kstep));
    const __m256i b1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(v + (k / 2) * kstep + 32));
#pragma GCC unroll 8
    for (int i = 0; i < MR; i++) {
      const __m256i av = bcast_pair(a + i * a_stride + 2 * k);
      madd(acc0[i], av, b0);
      madd(acc1[i], av, b1);
    }
  }
#pragma GCC unroll 8
  for (int i = 0; i < MR; i++) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(c + i * c_stride), acc0[i]);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(c + i * c_stride + 32), acc1[i]);
  }
}

template <int MR, int R>
inline void rest_block(size_t rest, size_t kc, const char* a, size_t a_stride, const char* v,
                       size_t kstep, char* c, size_t c_stride) {
  if constexpr (R > 0) {
    if (rest == R) return tile_block<R>(kc, a, a_stride, v, kstep, c, c_stride);
    rest_block<MR, R - 1>(rest, kc, a, a_stride, v, kstep, c, c_stride);
  }
}

template <int MR>
void bgemm(size_t points, size_t tiles, size_t kc, size_t nc, const int16_t* u,
           size_t u_point_stride, size_t u_tile_stride, const void* w, size_t w_point_stride,
           int32_t* m, size_t m_point_stride, size_t m_tile_stride) {
  assert(kc % 2 == 0 && nc >= 1 && nc <= 16);
  (void)nc;
  const char* ub = reinterpret_cast<const char*>(u);
  const char* wb = static_cast<const char*>(w);
  char* mb = reinterpret_cast<char*>(m);
  const size_t kstep = 64;  // ncp = 16 channels × 2 int16
  for (size_t p = 0; p < points; p++) {
    const char* up = ub + p * u_point_stride;
    const char* wp = wb + p * w_point_stride;
    char* mp = mb + p * m_point_stride;
    size_t t = 0;
    for (; t + MR <= tiles; t += MR)
      tile_block<MR>(kc, up + t * u_tile_stride, u_tile_stride, wp, kstep, mp + t * m_tile_stride,
                     m_tile_stride);
    if (t < tiles)
      rest_block<MR, MR - 1>(tiles - t, kc, up + t * u_tile_stride, u_tile_stride, wp, kstep,
                             mp + t * m_tile_stride, m_tile_stride);
  }
}

}  // namespace

#define SFC_Q16_BGEMM(isa, fn, mr, nr, prod) SFC_Q16_BGEMM_##isa(fn, mr, nr)
#define SFC_Q16_BGEMM_scalar(fn, mr, nr)
#define SFC_Q16_BGEMM_avx512vnni(fn, mr, nr)
#define SFC_Q16_BGEMM_neon(fn, mr, nr)
#define SFC_Q16_BGEMM_avx2(fn, mr, nr)                                                        \
  static_assert(nr == 16, "AVX2 q16 bgemm kernels are 16 channels wide");                     \
  extern "C" void fn(size_t points, size_t tiles, size_t kc, size_t nc, const int16_t* u,     \
                     size_t ups, size_t uts, const void* w, size_t wps, int32_t* m,           \
                     size_t mps, size_t mts) {                                                \
    bgemm<mr>(points, tiles, kc, nc, u, ups, uts, w, wps, m, mps, mts);                       \
  }
#define SFC_Q16_INPUT(isa, tile, src, fn)
#define SFC_Q16_OUTPUT(isa, tile, fn)
#include "kernels/fastconv/q16-ukernels.inc"
