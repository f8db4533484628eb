// Batched GEMM kernels, AVX-512 VNNI (q8-ukernels.h): MR tiles × NR output channels per
// microkernel, vpdpbusd on u8 U (broadcast 4 channels) × s8 weights (NR/16 vectors), accumulators
// start at comp = −128·ΣVq; epilogue mi = cvtps2dq(clamp(cvtdq2ps(M)·coef)) (round half even).
// Blocks of ≤ 12 accumulators (6×32, the production kernel) run pipelined: a block's results are
// stored during the next block's first k-steps (see bgemm_pipelined).
// vpdpbusd goes through one-line inline asm: GCC 12 allocates the intrinsic badly
// (performance-notes.md).
// GCC 12 warns inside its own AVX-512 headers (the _mm*_undefined_*() self-initialisation,
// GCC bug 105593); the pragmas must precede the include.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include <cassert>
#include <cstdint>
#include <cstring>
#include <utility>

#include "kernels/fastconv/q8-ukernels.h"

namespace {

#define SFC_INLINE inline __attribute__((always_inline))

inline void vnni(__m512i& acc, __m512i a, __m512i b) {
  asm("vpdpbusd %2, %1, %0" : "+v"(acc) : "v"(a), "v"(b));
}

inline __m512i bcast4(const uint8_t* p) {
  int32_t v;
  std::memcpy(&v, p, 4);
  return _mm512_set1_epi32(v);
}

// mi = cvtps2dq(clamp(float(M)·coef, ±lim)) (round half even).
template <bool kClamp>
inline __m512i to_mi(__m512i m, __m512 coef, __m512 vlim, __m512 vnlim) {
  __m512 f = _mm512_mul_ps(_mm512_cvtepi32_ps(m), coef);
  if (kClamp) f = _mm512_min_ps(_mm512_max_ps(f, vnlim), vlim);
  return _mm512_cvtps_epi32(f);
}

// One MR × (16·NV) block: a = U rows (stride a_stride), w = packed weights of one point.
// pf (or null): a later point's packed weights, prefetched line for line beside this point's
// (see bgemm_nv).
template <int MR, int NV, bool kClamp>
inline void tile_block(size_t kc, const uint8_t* a, size_t a_stride, const uint8_t* w,
                       char* c, size_t c_stride, __m512 vlim, const uint8_t* pf = nullptr) {
  constexpr size_t ncp = 16 * NV;
  const int8_t* vq = reinterpret_cast<const int8_t*>(w + 8 * ncp);
  __m512i acc[MR][NV];
#pragma GCC unroll 4
  for (int j = 0; j < NV; j++) {
    const __m512i comp = _mm512_loadu_si512(w + 64 * j);
#pragma GCC unroll 8
    for (int i = 0; i < MR; i++) acc[i][j] = comp;
  }
  if (pf) {
#pragma GCC unroll 4
    for (int j = 0; j < 2 * NV; j++) _mm_prefetch(reinterpret_cast<const char*>(pf) + 64 * j, _MM_HINT_T1);
    pf += 8 * ncp;
  }
  for (size_t k = 0; k < kc; k += 4) {
    __m512i b[NV];
#pragma GCC unroll 4
    for (int j = 0; j < NV; j++) b[j] = _mm512_loadu_si512(vq + k * ncp + 64 * j);
    if (pf) {
#pragma GCC unroll 4
      for (int j = 0; j < NV; j++)
        _mm_prefetch(reinterpret_cast<const char*>(pf) + k * ncp + 64 * j, _MM_HINT_T1);
    }
#pragma GCC unroll 8
    for (int i = 0; i < MR; i++) {
      const __m512i av = bcast4(a + i * a_stride + k);
#pragma GCC unroll 4
      for (int j = 0; j < NV; j++) vnni(acc[i][j], av, b[j]);
    }
  }
  const __m512 vnlim = _mm512_sub_ps(_mm512_setzero_ps(), vlim);
#pragma GCC unroll 4
  for (int j = 0; j < NV; j++) {
    const __m512 coef = _mm512_loadu_ps(reinterpret_cast<const float*>(w + 4 * ncp) + 16 * j);
#pragma GCC unroll 8
    for (int i = 0; i < MR; i++)
      _mm512_storeu_si512(c + i * c_stride + 64 * j, to_mi<kClamp>(acc[i][j], coef, vlim, vnlim));
  }
}

// The last rest < MR rows of a point: one smaller block (MR ≤ 8, so rest ≤ 7).
template <int MR, int NV, bool kClamp>
inline void rest_block(size_t rest, size_t kc, const uint8_t* a, size_t a_stride,
                       const uint8_t* w, char* c, size_t c_stride, __m512 vlim) {
  switch (rest) {
#define SFC_REST(r)                                                                           \
  case r:                                                                                     \
    if constexpr (r < MR) tile_block<r, NV, kClamp>(kc, a, a_stride, w, c, c_stride, vlim);   \
    break;
    SFC_REST(1) SFC_REST(2) SFC_REST(3) SFC_REST(4) SFC_REST(5) SFC_REST(6) SFC_REST(7)
#undef SFC_REST
    default:
      break;
  }
}

// Points one after the other. With few tiles (a 14² or 7² layer at batch 1) every weight byte
// is used by one or two blocks only and, inside a network, comes from DRAM. The first full block
// of each point prefetches point p + kPrefetchPoints line for line as it loads point p, into L2
// (prefetcht1): into L1 (prefetcht0) the requests queue on the few L1 miss buffers and the stream
// still does not overlap the vpdpbusd work. SFC-4 14²×256 with the weights evicted (64 MB read
// in between): GEMM 400–430 µs without, 380–440 with prefetcht0, 270–280 µs with prefetcht1
// (distance 4 or 8 points: 280–340). A 7² layer (4 tiles) has no full block; it is DRAM-bound.
constexpr size_t kPrefetchPoints = 2;

template <int MR, int NV, bool kClamp>
void bgemm_nv(size_t points, size_t tiles, size_t kc, const uint8_t* u, size_t u_point_stride,
              size_t u_tile_stride, const uint8_t* w, size_t w_point_stride, char* m,
              size_t m_point_stride, size_t m_tile_stride, __m512 vlim) {
  for (size_t p = 0; p < points; p++) {
    const uint8_t* up = u + p * u_point_stride;
    const uint8_t* wp = w + p * w_point_stride;
    const uint8_t* pf = p + kPrefetchPoints < points ? wp + kPrefetchPoints * w_point_stride : nullptr;
    char* mp = m + p * m_point_stride;
    size_t t = 0;
    for (; t + MR <= tiles; t += MR, pf = nullptr)
      tile_block<MR, NV, kClamp>(kc, up + t * u_tile_stride, u_tile_stride, wp,
                                 mp + t * m_tile_stride, m_tile_stride, vlim, pf);
    rest_block<MR, NV, kClamp>(tiles - t, kc, up + t * u_tile_stride, u_tile_stride, wp,
                               mp + t * m_tile_stride, m_tile_stride, vlim);
  }
}

// --- Pipelined variant. With a short reduction (kc = 64: 16 k-steps) the MR·NV result stores
// at the end of every block come as one burst, and the burst stalls the vpdpbusd stream: the
// plain kernel runs at ~75 % of the vnni peak at kc = 64 against ~85 % with the same stores spread
// out (microbenchmark, 144 points × 12 tiles). Here the results of a block are converted at its
// end but stored during the first 16 k-steps of the next block (across points too), a few per
// step. That needs two register blocks (MR·NV accumulators + MR·NV results): 6 × 32 → 12 + 12.
template <int MR, int NV>
struct acc_block {
  __m512i v[MR][NV];
};

template <int MR, int NV, int S>
SFC_INLINE void store_slot(const acc_block<MR, NV>& r, char* c, size_t c_stride) {
  constexpr int na = MR * NV, lo = S * na / 16, hi = (S + 1) * na / 16;
#pragma GCC unroll 16
  for (int q = lo; q < hi; q++)
    _mm512_storeu_si512(c + (q / NV) * c_stride + 64 * (q % NV), r.v[q / NV][q % NV]);
}

template <int MR, int NV>
SFC_INLINE void store_all(const acc_block<MR, NV>& r, char* c, size_t c_stride) {
#pragma GCC unroll 16
  for (int q = 0; q < MR * NV; q++)
    _mm512_storeu_si512(c + (q / NV) * c_stride + 64 * (q % NV), r.v[q / NV][q % NV]);
}

template <int MR, int NV>
SFC_INLINE void k_step(acc_block<MR, NV>& acc, const uint8_t* a, size_t a_stride, const int8_t* vq,
                       size_t k) {
  constexpr size_t ncp = 16 * NV;
  __m512i b[NV];
#pragma GCC unroll 4
  for (int j = 0; j < NV; j++) b[j] = _mm512_loadu_si512(vq + k * ncp + 64 * j);
#pragma GCC unroll 8
  for (int i = 0; i < MR; i++) {
    const __m512i av = bcast4(a + i * a_stride + k);
#pragma GCC unroll 4
    for (int j = 0; j < NV; j++) vnni(acc.v[i][j], av, b[j]);
  }
}

// The first 16 k-steps, storing the previous block's results `prev` (if any) along the way.
template <int MR, int NV, size_t... S>
SFC_INLINE void first_16_steps(acc_block<MR, NV>& acc, const acc_block<MR, NV>& prev,
                               char* prev_c, size_t c_stride, const uint8_t* a, size_t a_stride,
                               const int8_t* vq, std::index_sequence<S...>) {
  ((k_step<MR, NV>(acc, a, a_stride, vq, 4 * S),
    prev_c ? store_slot<MR, NV, int(S)>(prev, prev_c, c_stride) : void()),
   ...);
}

template <int MR, int NV, bool kClamp>
void bgemm_pipelined(size_t points, size_t tiles, size_t kc, const uint8_t* u,
                     size_t u_point_stride, size_t u_tile_stride, const uint8_t* w,
                     size_t w_point_stride, char* m, size_t m_point_stride, size_t m_tile_stride,
                     __m512 vlim) {
  constexpr size_t ncp = 16 * NV;
  if (kc < 64)
    return bgemm_nv<MR, NV, kClamp>(points, tiles, kc, u, u_point_stride, u_tile_stride, w,
                                    w_point_stride, m, m_point_stride, m_tile_stride, vlim);
  const __m512 vnlim = _mm512_sub_ps(_mm512_setzero_ps(), vlim);
  acc_block<MR, NV> prev, acc;
  char* prev_c = nullptr;
  for (size_t p = 0; p < points; p++) {
    const uint8_t* up = u + p * u_point_stride;
    const uint8_t* wp = w + p * w_point_stride;
    const int8_t* vq = reinterpret_cast<const int8_t*>(wp + 8 * ncp);
    const float* coef = reinterpret_cast<const float*>(wp + 4 * ncp);
    char* mp = m + p * m_point_stride;
    size_t t = 0;
    for (; t + MR <= tiles; t += MR) {
      const uint8_t* a = up + t * u_tile_stride;
#pragma GCC unroll 4
      for (int j = 0; j < NV; j++) {
        const __m512i comp = _mm512_loadu_si512(wp + 64 * j);
#pragma GCC unroll 8
        for (int i = 0; i < MR; i++) acc.v[i][j] = comp;
      }
      first_16_steps<MR, NV>(acc, prev, prev_c, m_tile_stride, a, u_tile_stride, vq,
                             std::make_index_sequence<16>());
      for (size_t k = 64; k < kc; k += 4) k_step<MR, NV>(acc, a, u_tile_stride, vq, k);
#pragma GCC unroll 4
      for (int j = 0; j < NV; j++) {
        const __m512 cf = _mm512_loadu_ps(coef + 16 * j);
#pragma GCC unroll 8
        for (int i = 0; i < MR; i++) prev.v[i][j] = to_mi<kClamp>(acc.v[i][j], cf, vlim, vnlim);
      }
      prev_c = mp + t * m_tile_stride;
    }
    if (t == tiles) continue;
    if (prev_c) store_all<MR, NV>(prev, prev_c, m_tile_stride);
    prev_c = nullptr;
    rest_block<MR, NV, kClamp>(tiles - t, kc, up + t * u_tile_stride, u_tile_stride, wp,
                               mp + t * m_tile_stride, m_tile_stride, vlim);
  }
  if (prev_c) store_all<MR, NV>(prev, prev_c, m_tile_stride);
}

template <int MR, int NVMAX>
void bgemm(size_t points, size_t tiles, size_t kc, size_t nc, const uint8_t* u,
           size_t u_point_stride, size_t u_tile_stride, const void* w, size_t w_point_stride,
           int32_t* m, size_t m_point_stride, size_t m_tile_stride,
           const sfc_q8_bgemm_params* params) {
  assert(kc % 4 == 0 && nc >= 1 && nc <= 16 * NVMAX);
  static_assert(MR <= 8, "remainder switch covers MR ≤ 8");
  const __m512 vlim = _mm512_set1_ps(params->mi_limit);
  const auto* wb = static_cast<const uint8_t*>(w);
  char* mb = reinterpret_cast<char*>(m);
  const size_t nv = (nc + 15) / 16;
  // Kernels whose full block fits twice in the registers run pipelined (bgemm_pipelined).
  constexpr bool kPipelined = MR * NVMAX <= 12;
#define SFC_RUN(n, clamp)                                                                     \
  (kPipelined ? bgemm_pipelined<MR, n, clamp> : bgemm_nv<MR, n, clamp>)(                      \
      points, tiles, kc, u, u_point_stride, u_tile_stride, wb, w_point_stride, mb,            \
      m_point_stride, m_tile_stride, vlim)
#define SFC_NV(n)                                                                             \
  if (nv == n) {                                                                              \
    if constexpr (n <= NVMAX) {                                                               \
      if (params->clamp)                                                                      \
        SFC_RUN(n, true);                                                                     \
      else                                                                                    \
        SFC_RUN(n, false);                                                                    \
    }                                                                                         \
    return;                                                                                   \
  }
  SFC_NV(1) SFC_NV(2) SFC_NV(3) SFC_NV(4)
#undef SFC_NV
#undef SFC_RUN
}

}  // namespace

#define SFC_Q8_BGEMM(isa, fn, mr, nr, prod) SFC_Q8_BGEMM_##isa(fn, mr, nr)
#define SFC_Q8_BGEMM_scalar(fn, mr, nr)
#define SFC_Q8_BGEMM_avx2(fn, mr, nr)
#define SFC_Q8_BGEMM_avx512vnni(fn, mr, nr)                                                   \
  extern "C" void fn(size_t points, size_t tiles, size_t kc, size_t nc, const uint8_t* u,     \
                     size_t ups, size_t uts, const void* w, size_t wps, int32_t* m,           \
                     size_t mps, size_t mts, const sfc_q8_bgemm_params* params) {             \
    bgemm<mr, nr / 16>(points, tiles, kc, nc, u, ups, uts, w, wps, m, mps, mts, params);      \
  }
#define SFC_Q8_INPUT(isa, tile, src, fn)
#define SFC_Q8_OUTPUT(isa, tile, fn)
#include "kernels/fastconv/q8-ukernels.inc"
