// Batched GEMM kernels, AVX2 (q8-ukernels.h): MR tiles × NR output channels per microkernel,
// NR/8 int32 vectors of 8 channels per tile. Without VNNI the u8×s8 product goes through
// vpmaddubsw, which saturates its int16 pair sums (baselines.md §11): with U = Uq + 128 up to 255
// a pair reaches 2·255·127 > 32767. The kernels therefore work on the signed Uq = U ^ 0x80 and
// move its sign onto the weights:
//   vpmaddubsw(|Uq|, sign(Vq, Uq)) = Uq·Vq per byte, |pair| ≤ 2·127·127 = 32258 (exact),
//   vpmaddwd(·, 1) → int32 per 4 channels, vpaddd into the accumulator.
// This is Σ Uq·Vq directly, so the packed comp term (−128·ΣVq, which the contract defines to
// equal Σ U·Vq − Σ Uq·Vq) is not read. Epilogue as every ISA: mi = cvtps2dq(clamp(float(M)·coef))
// (round half even in the default MXCSR mode; the bounds are integers, so clamping before or
// after rounding is the same).
#include <immintrin.h>

#include <cassert>
#include <cstdint>
#include <cstring>

#ifndef SFC_HAVE_AVX2
#define SFC_HAVE_AVX2 1  // this file is the AVX2 tier: its .inc entries are the ones it defines
#endif
#include "kernels/fastconv/q8-ukernels.h"

namespace {

// acc += Σ₄ Uq·Vq per int32 lane: vpsignb, vpmaddubsw, vpmaddwd, vpaddd. One inline-asm
// statement: GCC 12 spills and copies the accumulators of the intrinsic version (16 ymm registers
// hold 8 accumulators, 2 weight vectors, ones, the sign mask, Uq, |Uq| and one temporary).
inline void dot4(__m256i& acc, __m256i ua, __m256i uq, __m256i w, __m256i ones) {
  __m256i t;
  asm("vpsignb %[uq], %[w], %[t]\n\t"
      "vpmaddubsw %[t], %[ua], %[t]\n\t"
      "vpmaddwd %[ones], %[t], %[t]\n\t"
      "vpaddd %[t], %[acc], %[acc]"
      : [acc] "+x"(acc), [t] "=&x"(t)
      : [ua] "x"(ua), [uq] "x"(uq), [w] "x"(w), [ones] "x"(ones));
}

inline __m256i bcast4(const uint8_t* p) {
  int32_t v;
  std::memcpy(&v, p, 4);
  return _mm256_set1_epi32(v);
}

// Accumulators of one tile row: NV ≤ 4 named vectors (GCC 12 keeps arrays of accumulators in
// memory; named locals stay in registers).
template <int NV>
struct acc_row {
  __m256i v0, v1, v2, v3;
  void zero() { v0 = v1 = v2 = v3 = _mm256_setzero_si256(); }
  // One k-step of 4 channels: Uq = u ^ 0x80 broadcast, weights b0..b3.
  void step(const uint8_t* u, __m256i vsign, __m256i ones, __m256i b0, __m256i b1, __m256i b2,
            __m256i b3) {
    const __m256i uq = _mm256_xor_si256(bcast4(u), vsign);
    const __m256i ua = _mm256_abs_epi8(uq);
    dot4(v0, ua, uq, b0, ones);
    dot4(v1, ua, uq, b1, ones);
    if constexpr (NV > 2) {
      dot4(v2, ua, uq, b2, ones);
      dot4(v3, ua, uq, b3, ones);
    }
  }
  __m256i get(int j) const { return j == 0 ? v0 : j == 1 ? v1 : j == 2 ? v2 : v3; }
};

// One MR × (8·NV) block: a = U rows of MR tiles (stride a_stride), vq = weights of one point
// ([kc/4][ncp][4]), coef = [ncp] floats, c = mi rows (stride c_stride, bytes).
template <int MR, int NV, bool kClamp>
inline void tile_block(size_t kc, const uint8_t* a, size_t a_stride, const int8_t* vq,
                       size_t ncp, const float* coef, char* c, size_t c_stride, __m256 vlim) {
  static_assert(MR >= 1 && MR <= 4 && (NV == 2 || NV == 4), "supported block shapes");
  const __m256i vsign = _mm256_set1_epi8(int8_t(0x80));
  const __m256i vone = _mm256_set1_epi16(1);
  acc_row<NV> r0, r1, r2, r3;
  r0.zero(), r1.zero(), r2.zero(), r3.zero();
  const uint8_t* a0 = a;
  const uint8_t* a1 = a + (MR > 1 ? a_stride : 0);
  const uint8_t* a2 = a + (MR > 2 ? 2 * a_stride : 0);
  const uint8_t* a3 = a + (MR > 3 ? 3 * a_stride : 0);
  for (size_t k = 0; k < kc; k += 4) {
    const int8_t* wk = vq + k * ncp;
    const __m256i b0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wk));
    const __m256i b1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wk + 32));
    __m256i b2 = b0, b3 = b1;
    if constexpr (NV > 2) {
      b2 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wk + 64));
      b3 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wk + 96));
    }
    r0.step(a0 + k, vsign, vone, b0, b1, b2, b3);
    if constexpr (MR > 1) r1.step(a1 + k, vsign, vone, b0, b1, b2, b3);
    if constexpr (MR > 2) r2.step(a2 + k, vsign, vone, b0, b1, b2, b3);
    if constexpr (MR > 3) r3.step(a3 + k, vsign, vone, b0, b1, b2, b3);
  }
  const __m256 vnlim = _mm256_sub_ps(_mm256_setzero_ps(), vlim);
  for (int j = 0; j < NV; j++) {
    const __m256 vc = _mm256_loadu_ps(coef + 8 * j);
    for (int i = 0; i < MR; i++) {
      const __m256i acc = (i == 0 ? r0 : i == 1 ? r1 : i == 2 ? r2 : r3).get(j);
      __m256 f = _mm256_mul_ps(_mm256_cvtepi32_ps(acc), vc);
      if (kClamp) f = _mm256_min_ps(_mm256_max_ps(f, vnlim), vlim);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(c + i * c_stride + 32 * j),
                          _mm256_cvtps_epi32(f));
    }
  }
}

template <int MR, int NV, bool kClamp>
void bgemm_nv(size_t points, size_t tiles, size_t kc, const uint8_t* u, size_t u_point_stride,
              size_t u_tile_stride, const uint8_t* w, size_t w_point_stride, char* m,
              size_t m_point_stride, size_t m_tile_stride, __m256 vlim) {
  constexpr size_t ncp = 8 * NV;
  static_assert(NV % 2 == 0, "packed chunks are multiples of 16 channels");
  for (size_t p = 0; p < points; p++) {
    const uint8_t* up = u + p * u_point_stride;
    const uint8_t* wp = w + p * w_point_stride;
    const auto* coef = reinterpret_cast<const float*>(wp + 4 * ncp);
    const auto* vq = reinterpret_cast<const int8_t*>(wp + 8 * ncp);
    char* mp = m + p * m_point_stride;
    size_t t = 0;
    for (; t + MR <= tiles; t += MR)
      tile_block<MR, NV, kClamp>(kc, up + t * u_tile_stride, u_tile_stride, vq, ncp, coef,
                                 mp + t * m_tile_stride, m_tile_stride, vlim);
    const size_t rest = tiles - t;
    const uint8_t* ur = up + t * u_tile_stride;
    char* mr = mp + t * m_tile_stride;
    switch (rest) {  // remainder tiles: one smaller block
#define SFC_REST(r)                                                                           \
  case r:                                                                                     \
    if constexpr (r < MR)                                                                     \
      tile_block<r, NV, kClamp>(kc, ur, u_tile_stride, vq, ncp, coef, mr, m_tile_stride,     \
                                vlim);                                                        \
    break;
      SFC_REST(1) SFC_REST(2) SFC_REST(3)
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
  assert(kc % 4 == 0 && nc >= 1 && nc <= 8 * size_t(NVMAX));
  static_assert(MR <= 4, "remainder switch covers MR ≤ 4");
  const __m256 vlim = _mm256_set1_ps(params->mi_limit);
  const auto* wb = static_cast<const uint8_t*>(w);
  char* mb = reinterpret_cast<char*>(m);
  const size_t nv = (nc + 15) / 16 * 2;  // 8-channel vectors of the 16-padded chunk
#define SFC_NV(n)                                                                             \
  if (nv == n) {                                                                              \
    if constexpr (n <= NVMAX) {                                                               \
      if (params->clamp)                                                                      \
        bgemm_nv<MR, n, true>(points, tiles, kc, u, u_point_stride, u_tile_stride, wb,        \
                              w_point_stride, mb, m_point_stride, m_tile_stride, vlim);       \
      else                                                                                    \
        bgemm_nv<MR, n, false>(points, tiles, kc, u, u_point_stride, u_tile_stride, wb,       \
                               w_point_stride, mb, m_point_stride, m_tile_stride, vlim);      \
    }                                                                                         \
    return;                                                                                   \
  }
  SFC_NV(2) SFC_NV(4)
#undef SFC_NV
}

}  // namespace

#define SFC_Q8_BGEMM(isa, fn, mr, nr, prod) SFC_Q8_BGEMM_##isa(fn, mr, nr)
#define SFC_Q8_BGEMM_scalar(fn, mr, nr)
#define SFC_Q8_BGEMM_avx512vnni(fn, mr, nr)
#define SFC_Q8_BGEMM_avx2(fn, mr, nr)                                                         \
  extern "C" void fn(size_t points, size_t tiles, size_t kc, size_t nc, const uint8_t* u,     \
                     size_t ups, size_t uts, const void* w, size_t wps, int32_t* m,           \
                     size_t mps, size_t mts, const sfc_q8_bgemm_params* params) {             \
    bgemm<mr, nr / 8>(points, tiles, kc, nc, u, ups, uts, w, wps, m, mps, mts, params);       \
  }
#define SFC_Q8_INPUT(isa, tile, src, fn)
#define SFC_Q8_OUTPUT(isa, tile, fn)
#include "kernels/fastconv/q8-ukernels.inc"
