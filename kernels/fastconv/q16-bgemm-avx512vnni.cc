// Batched GEMM kernels of the exact layer, AVX-512 VNNI (q16-ukernels.h): MR tiles × NR output
// channels per microkernel, vpdpwssd on an int16 channel pair of U (broadcast, 4 bytes) × NR/16
// weight vectors of 16 channels × 2 int16. Accumulators start at 0 and are stored as int32
// (wrap-around is intended, see q16-ukernels.h). vpdpwssd goes through one-line inline asm:
// GCC 12 allocates the intrinsic badly (performance-notes.md).
#include <immintrin.h>

#include <cassert>
#include <cstdint>
#include <cstring>

#include "kernels/fastconv/q16-ukernels.h"

namespace {

inline void dpwssd(__m512i& acc, __m512i a, __m512i b) {
  asm("vpdpwssd %2, %1, %0" : "+v"(acc) : "v"(a), "v"(b));
}

inline __m512i bcast_pair(const char* p) {
  int32_t v;
  std::memcpy(&v, p, 4);
  return _mm512_set1_epi32(v);
}

// One MR × (16·NV) block: a = U rows of MR tiles (stride a_stride), v = packed weights of a point.
template <int MR, int NV>
inline void tile_block(size_t kc, const char* a, size_t a_stride, const char* v, char* c,
                       size_t c_stride) {
  constexpr size_t kstep = 64 * NV;  // bytes of weights per channel pair (ncp = 16·NV)
  __m512i acc[MR][NV];
#pragma GCC unroll 12
  for (int i = 0; i < MR; i++)
#pragma GCC unroll 4
    for (int j = 0; j < NV; j++) acc[i][j] = _mm512_setzero_si512();
  for (size_t k = 0; k < kc; k += 2) {
    __m512i b[NV];
#pragma GCC unroll 4
    for (int j = 0; j < NV; j++) b[j] = _mm512_loadu_si512(v + (k / 2) * kstep + 64 * j);
#pragma GCC unroll 12
    for (int i = 0; i < MR; i++) {
      const __m512i av = bcast_pair(a + i * a_stride + 2 * k);
#pragma GCC unroll 4
      for (int j = 0; j < NV; j++) dpwssd(acc[i][j], av, b[j]);
    }
  }
#pragma GCC unroll 12
  for (int i = 0; i < MR; i++)
#pragma GCC unroll 4
    for (int j = 0; j < NV; j++) _mm512_storeu_si512(c + i * c_stride + 64 * j, acc[i][j]);
}

template <int MR, int NV, int R>
inline void rest_block(size_t rest, size_t kc, const char* a, size_t a_stride, const char* v,
                       char* c, size_t c_stride) {
  if constexpr (R > 0) {
    if (rest == R) return tile_block<R, NV>(kc, a, a_stride, v, c, c_stride);
    rest_block<MR, NV, R - 1>(rest, kc, a, a_stride, v, c, c_stride);
  }
}

template <int MR, int NV>
void bgemm_nv(size_t points, size_t tiles, size_t kc, const char* u, size_t u_point_stride,
              size_t u_tile_stride, const char* w, size_t w_point_stride, char* m,
              size_t m_point_stride, size_t m_tile_stride) {
  for (size_t p = 0; p < points; p++) {
    const char* up = u + p * u_point_stride;
    const char* wp = w + p * w_point_stride;
    char* mp = m + p * m_point_stride;
    size_t t = 0;
    for (; t + MR <= tiles; t += MR)
      tile_block<MR, NV>(kc, up + t * u_tile_stride, u_tile_stride, wp, mp + t * m_tile_stride,
                         m_tile_stride);
    if (t < tiles)  // one smaller block for the remaining rows
      rest_block<MR, NV, MR - 1>(tiles - t, kc, up + t * u_tile_stride, u_tile_stride, wp,
                                 mp + t * m_tile_stride, m_tile_stride);
  }
}

template <int MR, int NVMAX>
void bgemm(size_t points, size_t tiles, size_t kc, size_t nc, const int16_t* u,
           size_t u_point_stride, size_t u_tile_stride, const void* w, size_t w_point_stride,
           int32_t* m, size_t m_point_stride, size_t m_tile_stride) {
  assert(kc % 2 == 0 && nc >= 1 && nc <= 16 * NVMAX);
  const char* ub = reinterpret_cast<const char*>(u);
  const char* wb = static_cast<const char*>(w);
  char* mb = reinterpret_cast<char*>(m);
  const size_t nv = (nc + 15) / 16;
#define SFC_NV(n)                                                                             \
  if (nv == n) {                                                                              \
    if constexpr (n <= NVMAX)                                                                 \
      bgemm_nv<MR, n>(points, tiles, kc, ub, u_point_stride, u_tile_stride, wb,               \
                      w_point_stride, mb, m_point_stride, m_tile_stride);                     \
    return;                                                                                   \
  }
  SFC_NV(1) SFC_NV(2) SFC_NV(3) SFC_NV(4)
#undef SFC_NV
}

}  // namespace

#define SFC_Q16_BGEMM(isa, fn, mr, nr, prod) SFC_Q16_BGEMM_##isa(fn, mr, nr)
#define SFC_Q16_BGEMM_scalar(fn, mr, nr)
#define SFC_Q16_BGEMM_avx2(fn, mr, nr)
#define SFC_Q16_BGEMM_neon(fn, mr, nr)
#define SFC_Q16_BGEMM_avx512vnni(fn, mr, nr)                                                  \
  extern "C" void fn(size_t points, size_t tiles, size_t kc, size_t nc, const int16_t* u,     \
                     size_t ups, size_t uts, const void* w, size_t wps, int32_t* m,           \
                     size_t mps, size_t mts) {                                                \
    bgemm<mr, nr / 16>(points, tiles, kc, nc, u, ups, uts, w, wps, m, mps, mts);              \
  }
#define SFC_Q16_INPUT(isa, tile, src, fn)
#define SFC_Q16_OUTPUT(isa, tile, fn)
#include "kernels/fastconv/q16-ukernels.inc"
