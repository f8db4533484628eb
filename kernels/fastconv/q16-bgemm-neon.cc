// Batched GEMM kernels of the exact layer, NEON (q16-ukernels.h; plain ASIMD, ARMv8.0): MR tiles
// × 16 output channels per microkernel. Per int16 channel pair k, k+1 the U pair is broadcast as
// one int32 (u = [u0, u1, u0, u1, ...]) and each weight vector holds 4 oc × 2 channels
// (w = [o0c0, o0c1, o1c0, o1c1, o2c0, o2c1, o3c0, o3c1], the packed layout [kc/2][16][2]):
//   lo = smlal(lo, u.lo, w.lo) → lanes [o0c0, o0c1, o1c0, o1c1] of Σ u·v
//   hi = smlal2(hi, u, w)      → lanes [o2c0, o2c1, o3c0, o3c1]
// and after the reduction addp(lo, hi) = [o0, o1, o2, o3]. Every int16 product is exact
// (|U|, |V| < 2¹⁵); the int32 sums wrap (non-saturating), which is what q16-ukernels.h needs.
// Registers: MR = 3 keeps 3 × 4 × 2 = 24 accumulators, 4 weight vectors and one U pair in the
// 32 vector registers.
#include <arm_neon.h>

#include <cassert>
#include <cstdint>
#include <cstring>

#include "kernels/fastconv/q16-ukernels.h"

namespace {

inline int16x8_t bcast_pair(const char* p) {
  int32_t v;
  std::memcpy(&v, p, 4);
  return vreinterpretq_s16_s32(vdupq_n_s32(v));
}

// Tiles a + i·a_stride (i < MR) × 16 channels; v: the point's packed weights (64 bytes per pair).
template <int MR>
inline void tile_block(size_t kc, const char* a, size_t a_stride, const int16_t* v, char* c,
                       size_t c_stride) {
  int32x4_t lo[MR][4], hi[MR][4];
#pragma GCC unroll 8
  for (int i = 0; i < MR; i++)
#pragma GCC unroll 4
    for (int j = 0; j < 4; j++) lo[i][j] = hi[i][j] = vdupq_n_s32(0);
  for (size_t k = 0; k < kc; k += 2, v += 32) {
    const int16x8_t w0 = vld1q_s16(v), w1 = vld1q_s16(v + 8), w2 = vld1q_s16(v + 16),
                    w3 = vld1q_s16(v + 24);
#pragma GCC unroll 8
    for (int i = 0; i < MR; i++) {
      const int16x8_t u = bcast_pair(a + i * a_stride + 2 * k);
      const int16x4_t ul = vget_low_s16(u);
      lo[i][0] = vmlal_s16(lo[i][0], ul, vget_low_s16(w0)), hi[i][0] = vmlal_high_s16(hi[i][0], u, w0);
      lo[i][1] = vmlal_s16(lo[i][1], ul, vget_low_s16(w1)), hi[i][1] = vmlal_high_s16(hi[i][1], u, w1);
      lo[i][2] = vmlal_s16(lo[i][2], ul, vget_low_s16(w2)), hi[i][2] = vmlal_high_s16(hi[i][2], u, w2);
      lo[i][3] = vmlal_s16(lo[i][3], ul, vget_low_s16(w3)), hi[i][3] = vmlal_high_s16(hi[i][3], u, w3);
    }
  }
#pragma GCC unroll 8
  for (int i = 0; i < MR; i++) {
    int32_t* ci = reinterpret_cast<int32_t*>(c + i * c_stride);
#pragma GCC unroll 4
    for (int j = 0; j < 4; j++) vst1q_s32(ci + 4 * j, vpaddq_s32(lo[i][j], hi[i][j]));
  }
}

template <int MR, int R>
inline void rest_block(size_t rest, size_t kc, const char* a, size_t a_stride, const int16_t* v,
                       char* c, size_t c_stride) {
  if constexpr (R > 0) {
    if (rest == R) return tile_block<R>(kc, a, a_stride, v, c, c_stride);
    rest_block<MR, R - 1>(rest, kc, a, a_stride, v, c, c_stride);
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
  for (size_t p = 0; p < points; p++) {
    const char* up = ub + p * u_point_stride;
    const int16_t* wp = reinterpret_cast<const int16_t*>(wb + p * w_point_stride);
    char* mp = mb + p * m_point_stride;
    size_t t = 0;
    for (; t + MR <= tiles; t += MR)
      tile_block<MR>(kc, up + t * u_tile_stride, u_tile_stride, wp, mp + t * m_tile_stride,
                     m_tile_stride);
    if (t < tiles)
      rest_block<MR, MR - 1>(tiles - t, kc, up + t * u_tile_stride, u_tile_stride, wp,
                             mp + t * m_tile_stride, m_tile_stride);
  }
}

}  // namespace

#define SFC_Q16_BGEMM(isa, fn, mr, nr, prod) SFC_Q16_BGEMM_##isa(fn, mr, nr)
#define SFC_Q16_BGEMM_scalar(fn, mr, nr)
#define SFC_Q16_BGEMM_avx512vnni(fn, mr, nr)
#define SFC_Q16_BGEMM_avx2(fn, mr, nr)
#define SFC_Q16_BGEMM_neon(fn, mr, nr)                                                        \
  static_assert(nr == 16, "NEON q16 bgemm kernels are 16 channels wide");                     \
  extern "C" void fn(size_t points, size_t tiles, size_t kc, size_t nc, const int16_t* u,     \
                     size_t ups, size_t uts, const void* w, size_t wps, int32_t* m,           \
                     size_t mps, size_t mts) {                                                \
    bgemm<mr>(points, tiles, kc, nc, u, ups, uts, w, wps, m, mps, mts);                       \
  }
#define SFC_Q16_INPUT(isa, tile, src, fn)
#define SFC_Q16_OUTPUT(isa, tile, fn)
#include "kernels/fastconv/q16-ukernels.inc"
