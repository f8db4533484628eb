// Batched GEMM kernels, NEON dot product (q8-ukernels.h): MR tiles × NR output channels per
// microkernel. SDOT is signed × signed, so the stored U (u8 = Uq ^ 0x80) is turned back into the
// signed Uq with one eor and multiplied by Vq directly: the accumulators start at 0 and hold
// M = Σ Uq·Vq exactly (the contract's comp term is not needed and not read). One sdot by lane
// per 4 channels × 4 oc × 1 tile (inner loops below). Epilogue as the scalar kernel:
// mi = round_half_even(clamp(float(M)·coef)) via fmul and fcvtns (clamping to the integral
// ±mi_limit before or after rounding is the same).
#include <arm_neon.h>

#include <cassert>
#include <cstdint>
#include <cstring>

#include "kernels/fastconv/q8-ukernels.h"

namespace {

// One MR × (16·NV) block: a = U rows (stride a_stride), w = packed weights of one point.
// Two inner loops, chosen so that accumulators, U and the weights of one step fit the 32 vector
// registers (GCC's pre-RA scheduler hoists every weight load of a step):
//   * kRows8 (4x16 and narrower): 8 channels per step, U as one 8-byte vector per row (ld1 d),
//     2 × 4·NV weight vectors, sdot by lane of the 64-bit U: MR·4NV + MR + 8NV registers;
//   * otherwise (6x16, 5x16, 3x32): 4 channels per step, the quads of up to 4 rows gathered into
//     one vector (ld1r + ld1 lane; lane = row), 4·NV weight vectors: MR·4NV + ⌈MR/4⌉ + 4NV.
template <int MR, int NV, bool kClamp>
inline void tile_block(size_t kc, const uint8_t* a, size_t a_stride, const uint8_t* w, char* c,
                       size_t c_stride, float lim) {
  constexpr size_t ncp = 16 * NV;
  constexpr int NJ = 4 * NV;  // 4-oc columns
  constexpr bool kRows8 = MR * NJ + MR + 2 * NJ <= 32;
  constexpr int NG = (MR + 3) / 4;  // gathered U vectors
  const int8_t* vq = reinterpret_cast<const int8_t*>(w + 8 * ncp);
  int32x4_t acc[MR][NJ];
#pragma GCC unroll 8
  for (int i = 0; i < MR; i++)
#pragma GCC unroll 8
    for (int j = 0; j < NJ; j++) acc[i][j] = vdupq_n_s32(0);
  size_t k = 0;
  if constexpr (kRows8) {
    const uint8x8_t vsign = vdup_n_u8(0x80);
    for (; k + 8 <= kc; k += 8) {
      int8x8_t av[MR];
#pragma GCC unroll 8
      for (int i = 0; i < MR; i++)
        av[i] = vreinterpret_s8_u8(veor_u8(vld1_u8(a + i * a_stride + k), vsign));
      const int8_t* b = vq + k * ncp;  // quad k/4: [ncp][4] bytes
#pragma GCC unroll 8
      for (int j = 0; j < NJ; j++) {
        const int8x16_t vb = vld1q_s8(b + 16 * j);
#pragma GCC unroll 8
        for (int i = 0; i < MR; i++) acc[i][j] = vdotq_lane_s32(acc[i][j], vb, av[i], 0);
      }
#pragma GCC unroll 8
      for (int j = 0; j < NJ; j++) {
        const int8x16_t vb = vld1q_s8(b + 4 * ncp + 16 * j);
#pragma GCC unroll 8
        for (int i = 0; i < MR; i++) acc[i][j] = vdotq_lane_s32(acc[i][j], vb, av[i], 1);
      }
    }
  }
  const uint8x16_t vsign = vdupq_n_u8(0x80);
#pragma GCC unroll 1
  for (; k < kc; k += 4) {  // one quad of channels, rows gathered by lane
    int8x16_t ag[NG];
#pragma GCC unroll 2
    for (int g = 0; g < NG; g++) {
      const uint8_t* ar = a + 4 * g * a_stride + k;
      uint32x4_t v = vld1q_dup_u32(reinterpret_cast<const uint32_t*>(ar));
      if (4 * g + 1 < MR) v = vld1q_lane_u32(reinterpret_cast<const uint32_t*>(ar + a_stride), v, 1);
      if (4 * g + 2 < MR) v = vld1q_lane_u32(reinterpret_cast<const uint32_t*>(ar + 2 * a_stride), v, 2);
      if (4 * g + 3 < MR) v = vld1q_lane_u32(reinterpret_cast<const uint32_t*>(ar + 3 * a_stride), v, 3);
      ag[g] = vreinterpretq_s8_u8(veorq_u8(vreinterpretq_u8_u32(v), vsign));
    }
    const int8_t* b = vq + k * ncp;
#pragma GCC unroll 8
    for (int j = 0; j < NJ; j++) {
      const int8x16_t vb = vld1q_s8(b + 16 * j);
#define SFC_ROW(i)                                                                            \
  if constexpr ((i) < MR) acc[i][j] = vdotq_laneq_s32(acc[i][j], vb, ag[(i) / 4], (i) % 4);
      SFC_ROW(0) SFC_ROW(1) SFC_ROW(2) SFC_ROW(3) SFC_ROW(4) SFC_ROW(5) SFC_ROW(6) SFC_ROW(7)
#undef SFC_ROW
    }
  }
  const float32x4_t vlim = vdupq_n_f32(lim), vnlim = vdupq_n_f32(-lim);
  const float* coef = reinterpret_cast<const float*>(w + 4 * ncp);
#pragma GCC unroll 8
  for (int j = 0; j < NJ; j++) {
    const float32x4_t vcoef = vld1q_f32(coef + 4 * j);
#pragma GCC unroll 8
    for (int i = 0; i < MR; i++) {
      float32x4_t f = vmulq_f32(vcvtq_f32_s32(acc[i][j]), vcoef);
      if (kClamp) f = vminq_f32(vmaxq_f32(f, vnlim), vlim);
      vst1q_s32(reinterpret_cast<int32_t*>(c + i * c_stride) + 4 * j, vcvtnq_s32_f32(f));
    }
  }
}

template <int MR, int NV, bool kClamp>
void bgemm_nv(size_t points, size_t tiles, size_t kc, const uint8_t* u, size_t u_point_stride,
              size_t u_tile_stride, const uint8_t* w, size_t w_point_stride, char* m,
              size_t m_point_stride, size_t m_tile_stride, float lim) {
  for (size_t p = 0; p < points; p++) {
    const uint8_t* up = u + p * u_point_stride;
    const uint8_t* wp = w + p * w_point_stride;
    char* mp = m + p * m_point_stride;
    size_t t = 0;
    for (; t + MR <= tiles; t += MR)
      tile_block<MR, NV, kClamp>(kc, up + t * u_tile_stride, u_tile_stride, wp,
                                 mp + t * m_tile_stride, m_tile_stride, lim);
    const size_t rest = tiles - t;
    const uint8_t* ur = up + t * u_tile_stride;
    char* mr = mp + t * m_tile_stride;
    // Remainder rows: one smaller block (MR ≤ 8, so rest ≤ 7).
    switch (rest) {
#define SFC_REST(r)                                                                           \
  case r:                                                                                     \
    if constexpr (r < MR)                                                                     \
      tile_block<r, NV, kClamp>(kc, ur, u_tile_stride, wp, mr, m_tile_stride, lim);           \
    break;
      SFC_REST(1) SFC_REST(2) SFC_REST(3) SFC_REST(4) SFC_REST(5) SFC_REST(6) SFC_REST(7)
#undef SFC_REST
      default:
        break;
    }
  }
}

template <int MR, int NVMAX>
void bgemm(size_t points, size_t tiles, size_t kc, size_t nc, const uint8_t* u,
           size_t u_point_stride, size_t u_tile_stride, const void* w, size_t w_point_stride,
           int32_t* m, size_t m_point_stride, size_t m_tile_stride,
           const sfc_q8_bgemm_params* params) {
  assert(kc % 4 == 0 && nc >= 1 && nc <= 16 * NVMAX);
  static_assert(MR <= 8, "remainder switch covers MR ≤ 8");
  const float lim = params->mi_limit;
  const auto* wb = static_cast<const uint8_t*>(w);
  char* mb = reinterpret_cast<char*>(m);
  const size_t nv = (nc + 15) / 16;
#define SFC_NV(n)                                                                             \
  if (nv == n) {                                                                              \
    if constexpr (n <= NVMAX) {                                                               \
      if (params->clamp)                                                                      \
        bgemm_nv<MR, n, true>(points, tiles, kc, u, u_point_stride, u_tile_stride, wb,        \
                              w_point_stride, mb, m_point_stride, m_tile_stride, lim);        \
      else                                                                                    \
        bgemm_nv<MR, n, false>(points, tiles, kc, u, u_point_stride, u_tile_stride, wb,       \
                               w_point_stride, mb, m_point_stride, m_tile_stride, lim);       \
    }                                                                                         \
    return;                                                                                   \
  }
  SFC_NV(1) SFC_NV(2)
#undef SFC_NV
}

}  // namespace

#define SFC_Q8_BGEMM(isa, fn, mr, nr, prod) SFC_Q8_BGEMM_##isa(fn, mr, nr)
#define SFC_Q8_BGEMM_scalar(fn, mr, nr)
#define SFC_Q8_BGEMM_avx2(fn, mr, nr)
#define SFC_Q8_BGEMM_avx512vnni(fn, mr, nr)
#define SFC_Q8_BGEMM_neondot(fn, mr, nr)                                                      \
  extern "C" void fn(size_t points, size_t tiles, size_t kc, size_t nc, const uint8_t* u,     \
                     size_t ups, size_t uts, const void* w, size_t wps, int32_t* m,           \
                     size_t mps, size_t mts, const sfc_q8_bgemm_params* params) {             \
    bgemm<mr, nr / 16>(points, tiles, kc, nc, u, ups, uts, w, wps, m, mps, mts, params);      \
  }
#define SFC_Q8_INPUT(isa, tile, src, fn)
#define SFC_Q8_OUTPUT(isa, tile, fn)
#include "kernels/fastconv/q8-ukernels.inc"
