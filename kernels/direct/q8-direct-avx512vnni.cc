// AVX-512 VNNI direct small-channel kernel (q8-direct-ukernels.h). Register block: MR = 6 output
// pixels × 64 channels = 24 int32 accumulators; per 4-byte group of a kernel row, 4 weight
// vectors are loaded once and each pixel's dword is broadcast once (10 loads per 24 vpdpbusd).
// GCC 12 warns inside its own AVX-512 headers (GCC bug 105593); the pragmas precede the include.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include <cstring>

#include "kernels/direct/q8-direct-ukernels.h"

namespace {

constexpr int kMR = 6;

struct epilogue {
  __m512 lo, hi;
  __m512i zp;
  bool s8;
  // relu's [0, +inf) and the byte range [qmin − zp, qmax − zp] always overlap (qmin ≤ zp ≤ qmax),
  // so clamping to one, then the other equals clamping once to their intersection.
  explicit epilogue(const sfc_q8_direct_params* p)
      : lo(_mm512_set1_ps(p->act_lo > p->q_lo ? p->act_lo : p->q_lo)),
        hi(_mm512_set1_ps(p->act_hi < p->q_hi ? p->act_hi : p->q_hi)),
        zp(_mm512_set1_epi32(p->zero_point)), s8(p->q_lo + float(p->zero_point) < 0.f) {}
  // acc holds Σ + comp. f = (float(acc) + bias) · scale (two roundings, as the reference),
  // clamp, round half to even, + zp: int32 in [qmin, qmax].
  __m512i operator()(__m512i acc, __m512 bias, __m512 scale) const {
    __m512 f = _mm512_mul_ps(_mm512_add_ps(_mm512_cvtepi32_ps(acc), bias), scale);
    f = _mm512_min_ps(_mm512_max_ps(f, lo), hi);
    return _mm512_add_epi32(_mm512_cvtps_epi32(f), zp);
  }
  // 64 channels (a: 0–15 … d: 48–63, values in [qmin, qmax], so the saturating packs are exact):
  // the packs leave dword 4L + k of 128-bit lane L holding vector k's channels 4L..4L+3; vpermd
  // puts it at dword 4k + L.
  __m512i narrow64(__m512i a, __m512i b, __m512i c, __m512i d) const {
    const __m512i ab = _mm512_packs_epi32(a, b), cd = _mm512_packs_epi32(c, d);
    const __m512i x = s8 ? _mm512_packs_epi16(ab, cd) : _mm512_packus_epi16(ab, cd);
    const __m512i idx = _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
    return _mm512_permutexvar_epi32(idx, x);
  }
};

// MR pixels × NV·16 channels of one 64-channel block; `n` channels of the block are stored.
template <int MR, int NV>
void block(size_t kh, size_t q, const uint8_t* const* rows, size_t off, size_t xs, size_t qt,
           const uint8_t* tail, size_t toff, size_t txs, const int8_t* w, const int32_t* comp, const float* bias, const float* scale,
           uint8_t* d, size_t dps, size_t n, const epilogue& ep) {
  __m512i acc[MR][NV];
#pragma GCC unroll 8
  for (int i = 0; i < MR; ++i)
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) acc[i][v] = _mm512_setzero_si512();
  // Kernel row r (r < kh): q dwords per pixel at rows[r] + off, xs apart; the tail (r = kh): qt
  // dwords at tail + toff, txs apart. Weights of both follow each other.
  for (size_t r = 0; r <= kh; ++r) {
    const bool is_tail = r == kh;
    const uint8_t* in = is_tail ? tail + toff : rows[r] + off;
    const size_t step = is_tail ? txs : xs, n_g = is_tail ? qt : q;
    const int8_t* wr = w + r * q * 256;
    for (size_t g = 0; g < n_g; ++g) {
      __m512i wv[NV];
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) wv[v] = _mm512_load_si512(wr + g * 256 + size_t(v) * 64);
#pragma GCC unroll 8
      for (int i = 0; i < MR; ++i) {
        int32_t x;
        std::memcpy(&x, in + size_t(i) * step + 4 * g, 4);
        const __m512i b = _mm512_set1_epi32(x);
#pragma GCC unroll 4
        for (int v = 0; v < NV; ++v) acc[i][v] = _mm512_dpbusd_epi32(acc[i][v], b, wv[v]);
      }
    }
  }
  __m512 bv[NV], sv[NV];
  __m512i cv[NV];
  __mmask16 mask[NV];
#pragma GCC unroll 4
  for (int v = 0; v < NV; ++v) {
    bv[v] = _mm512_loadu_ps(bias + v * 16), sv[v] = _mm512_loadu_ps(scale + v * 16);
    cv[v] = _mm512_loadu_si512(comp + v * 16);
    const size_t c0 = size_t(v) * 16, nv = n > c0 ? (n - c0 < 16 ? n - c0 : 16) : 0;
    mask[v] = __mmask16((1u << nv) - 1);
  }
  const bool full64 = NV == 4 && n == 64;
#pragma GCC unroll 8
  for (int i = 0; i < MR; ++i) {
    __m512i y[NV];
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) y[v] = ep(_mm512_add_epi32(acc[i][v], cv[v]), bv[v], sv[v]);
    uint8_t* di = d + size_t(i) * dps;
    if constexpr (NV == 4) {
      if (full64) {
        _mm512_storeu_si512(di, ep.narrow64(y[0], y[1], y[2], y[3]));
        continue;
      }
    }
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) {
      __m128i b = _mm512_cvtepi32_epi8(y[v]);
      asm("" : "+v"(b));  // keep the narrowing in a register (GCC would pick the slower store form)
      _mm_mask_storeu_epi8(di + v * 16, mask[v], b);
    }
  }
}

using block_fn = void (*)(size_t, size_t, const uint8_t* const*, size_t, size_t, size_t,
                          const uint8_t*, size_t, size_t, const int8_t*,
                          const int32_t*, const float*, const float*, uint8_t*, size_t, size_t,
                          const epilogue&);

template <int MR>
constexpr block_fn row_of(int nv) {
  return nv == 1 ? block<MR, 1> : nv == 2 ? block<MR, 2> : nv == 3 ? block<MR, 3> : block<MR, 4>;
}
// [mr − 1][nv − 1]
constexpr block_fn kBlocks[kMR][4] = {
    {row_of<1>(1), row_of<1>(2), row_of<1>(3), row_of<1>(4)},
    {row_of<2>(1), row_of<2>(2), row_of<2>(3), row_of<2>(4)},
    {row_of<3>(1), row_of<3>(2), row_of<3>(3), row_of<3>(4)},
    {row_of<4>(1), row_of<4>(2), row_of<4>(3), row_of<4>(4)},
    {row_of<5>(1), row_of<5>(2), row_of<5>(3), row_of<5>(4)},
    {row_of<6>(1), row_of<6>(2), row_of<6>(3), row_of<6>(4)},
};

}  // namespace

extern "C" void sfc_qu8_direct_ukernel_6x64c4__avx512vnni(
    size_t ow, size_t oc, size_t kh, size_t q, const uint8_t* const* rows, size_t xs, size_t qt,
    const uint8_t* tail, size_t txs, const int8_t* w, const int32_t* comp, const float* bias, const float* scale, void* dst,
    size_t dps, const sfc_q8_direct_params* params) {
  const epilogue ep(params);
  uint8_t* d = static_cast<uint8_t*>(dst);
  const size_t blocks = (oc + 63) / 64, wblock = (kh * q + qt) * 256;
  for (size_t x0 = 0; x0 < ow; x0 += kMR) {
    const size_t mr = ow - x0 < size_t(kMR) ? ow - x0 : size_t(kMR);
    for (size_t b = 0; b < blocks; ++b) {
      const size_t c0 = b * 64, n = oc - c0 < 64 ? oc - c0 : 64;
      kBlocks[mr - 1][(n + 15) / 16 - 1](kh, q, rows, x0 * xs, xs, qt, tail, x0 * txs, txs,
                                         w + b * wblock, comp + c0,
                                         bias + c0, scale + c0, d + x0 * dps + c0, dps, n, ep);
    }
  }
}
