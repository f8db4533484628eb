// Output transform kernels of the exact layer, AVX-512 (q16-ukernels.h): 16 output channels per
// int32 vector, Y = Aᵢᵀ M Aᵢ in two unrolled passes (wrap-around int32), acc = (Y·d⁻¹) >> s
// (exact division by D), then requantize_acc's arithmetic in the same operations and order:
// cvtdq2pd, mulpd by scale[oc], addpd bias[oc] (two roundings, no FMA), maxpd 0 for relu,
// cvtpd2ps, divps by dst_scale, clamp to [qmin − zp, qmax − zp] (integer bounds, so clamping
// before rounding equals the reference's round-then-saturate; maxps returns the bound for NaN,
// which the reference maps to qmin too), cvtps2dq (round half even), + zp, bytes.
//
// Fast path with an exact fallback: r = fma(float(acc), k1, k0), k1 = float(scale/dst_scale),
// k0 = float(bias/dst_scale), differs from the reference's value by at most
// 2⁻²¹·(|r| + |k0|) (four float roundings against two; |acc·k1| ≤ |r| + |k0|). Unless r saturates
// anyway (|r| > 300 gives the same bound both ways), rne(r) then equals the reference's result
// whenever r is farther than tol = 2⁻²⁰·(300 + |k0|) from a half-integer. A vector with any lane
// within tol of a tie (a fraction ~2·tol of lanes, ~0.05 % for ordinary scales) takes the exact
// double-precision path above, so every byte still equals the reference.
// GCC 12 warns inside its own AVX-512 headers (the _mm*_undefined_*() self-initialisation,
// GCC bug 105593); the pragmas must precede the include.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include <cassert>
#include <cstdint>
#include <utility>

#include "kernels/fastconv/q16-ukernels.h"
#include "kernels/fastconv/q8-tables.h"

using namespace sfc::q8tf;

namespace {

#include "kernels/fastconv/q8-tf-unroll.inc"
#include "kernels/fastconv/q16-at-sfc6.inc"

struct ops32 {
  using V = __m512i;
  static V zero() { return _mm512_setzero_si512(); }
  static V add(V a, V b) { return _mm512_add_epi32(a, b); }
  static V sub(V a, V b) { return _mm512_sub_epi32(a, b); }
  template <int K>
  static V mul(V x) {
    if constexpr ((K & (K - 1)) == 0) return _mm512_slli_epi32(x, K == 2 ? 1 : K == 4 ? 2 : 3);
    else if constexpr (K == 6) return _mm512_slli_epi32(_mm512_add_epi32(_mm512_add_epi32(x, x), x), 1);
    else return _mm512_mullo_epi32(x, _mm512_set1_epi32(K));
  }
};

template <class A>
struct at_mat {
  static constexpr int k(int i, int a) { return A::at[i][a]; }
};

// GCC contracts mul + add into an FMA even in ISO C++ mode (checked with GCC 12); the empty asm
// hides the product so that it is rounded once on its own, as in requantize_acc.
SFC_TF_INLINE __m512d opaque(__m512d x) {
  asm("" : "+v"(x));
  return x;
}

struct epilogue {
  __m512i vinv, vzp;
  __m128i vshift;
  __m512 vdst, vmin, vmax, vmin_relu;
  __m512d s0, s1, b0, b1;
  __m512 k1, k0, edge;  // fast path: r = acc·k1 + k0, exact path when |r − rne(r)| > edge

  // Per group of 16 channels (lanes past oc: scale = bias = 0).
  SFC_TF_INLINE void set_channels(const double* scale, const double* bias, size_t o0, size_t n,
                                  float dst_scale) {
    const __mmask16 mask = __mmask16((1u << n) - 1);
    const __mmask8 mlo = __mmask8(mask & 0xff), mhi = __mmask8(mask >> 8);
    s0 = _mm512_maskz_loadu_pd(mlo, scale + o0), s1 = _mm512_maskz_loadu_pd(mhi, scale + o0 + 8);
    b0 = _mm512_maskz_loadu_pd(mlo, bias + o0), b1 = _mm512_maskz_loadu_pd(mhi, bias + o0 + 8);
    const __m512d vd = _mm512_set1_pd(double(dst_scale));
    const auto to_ps = [](__m512d lo, __m512d hi) __attribute__((always_inline)) {
      return _mm512_insertf32x8(_mm512_castps256_ps512(_mm512_cvtpd_ps(lo)), _mm512_cvtpd_ps(hi), 1);
    };
    k1 = to_ps(_mm512_div_pd(s0, vd), _mm512_div_pd(s1, vd));
    k0 = to_ps(_mm512_div_pd(b0, vd), _mm512_div_pd(b1, vd));
    const __m512 tol = _mm512_mul_ps(_mm512_add_ps(_mm512_abs_ps(k0), _mm512_set1_ps(300.f)),
                                     _mm512_set1_ps(0x1p-20f));
    edge = _mm512_sub_ps(_mm512_set1_ps(0.5f), tol);  // ≤ 0 (all exact) when |k0| is huge
  }

  SFC_TF_INLINE __m512i operator()(__m512i y, bool relu) const {
    const __m512i acc = _mm512_sra_epi32(_mm512_mullo_epi32(y, vinv), vshift);
    const __m512 r = _mm512_fmadd_ps(_mm512_cvtepi32_ps(acc), k1, k0);
    const __m512 dist = _mm512_abs_ps(_mm512_reduce_ps(r, _MM_FROUND_TO_NEAREST_INT));
    if (__builtin_expect(_mm512_cmp_ps_mask(dist, edge, _CMP_NLE_UQ) != 0, 0))
      return exact(acc, relu);
    const __m512 f = _mm512_min_ps(_mm512_max_ps(r, relu ? vmin_relu : vmin), vmax);
    return _mm512_add_epi32(_mm512_cvtps_epi32(f), vzp);
  }

  // requantize_acc's arithmetic (the reference).
  __attribute__((noinline)) __m512i exact(__m512i acc, bool relu) const {
    __m512d d0 = _mm512_cvtepi32_pd(_mm512_castsi512_si256(acc));
    __m512d d1 = _mm512_cvtepi32_pd(_mm512_extracti64x4_epi64(acc, 1));
    d0 = _mm512_add_pd(opaque(_mm512_mul_pd(d0, s0)), b0);
    d1 = _mm512_add_pd(opaque(_mm512_mul_pd(d1, s1)), b1);
    if (relu) {
      d0 = _mm512_max_pd(d0, _mm512_setzero_pd());
      d1 = _mm512_max_pd(d1, _mm512_setzero_pd());
    }
    __m512 f = _mm512_insertf32x8(_mm512_castps256_ps512(_mm512_cvtpd_ps(d0)), _mm512_cvtpd_ps(d1), 1);
    f = _mm512_div_ps(f, vdst);
    f = _mm512_min_ps(_mm512_max_ps(f, vmin), vmax);
    return _mm512_add_epi32(_mm512_cvtps_epi32(f), vzp);
  }
};

template <class A, bool kRelu>
void output_avx512(size_t oc, size_t tiles, size_t rows, size_t cols, const int32_t* m,
                   size_t m_point_stride, size_t m_tile_stride, const double* scale,
                   const double* bias, void* dst, size_t dst_row_stride, size_t dst_pixel_stride,
                   const sfc_q16_output_params* params) {
  constexpr int R = A::R, mo = A::m;
  assert(rows >= 1 && rows <= size_t(mo) && cols >= 1 && cols <= tiles * mo);
  epilogue ep;
  ep.vinv = _mm512_set1_epi32(int32_t(params->d_inverse));
  ep.vshift = _mm_cvtsi32_si128(params->d_shift);
  ep.vzp = _mm512_set1_epi32(params->zero_point);
  ep.vdst = _mm512_set1_ps(params->dst_scale);
  ep.vmin = _mm512_set1_ps(params->min), ep.vmax = _mm512_set1_ps(params->max);
  ep.vmin_relu = _mm512_max_ps(ep.vmin, _mm512_setzero_ps());
  const char* mb = reinterpret_cast<const char*>(m);
  uint8_t* db = static_cast<uint8_t*>(dst);
  alignas(64) __m512i T[mo][R];
  for (size_t o0 = 0; o0 < oc; o0 += 16) {
    const size_t n = oc - o0 < 16 ? oc - o0 : 16;
    const __mmask16 mask = __mmask16((1u << n) - 1);
    ep.set_channels(scale, bias, o0, n, params->dst_scale);
    for (size_t t = 0; t < tiles; t++) {
      const size_t x0 = t * mo;
      const size_t ncols = cols - x0 < size_t(mo) ? cols - x0 : size_t(mo);
      const char* mt = mb + t * m_tile_stride + o0 * 4;
      for (int b = 0; b < R; b++) {  // T[i][b] = Σ_a Aᵀ[i][a] M[a][b]
        __m512i x[R];
        for (int a = 0; a < R; a++)
          x[a] = _mm512_loadu_si512(mt + size_t(a * R + b) * m_point_stride);
        at_rows<ops32, A, at_mat<A>>(x, [&](int i, __m512i v) __attribute__((always_inline)) { T[i][b] = v; });
      }
      for (size_t i = 0; i < rows; i++) {  // Y[i][j] = Σ_b Aᵀ[j][b] T[i][b]
        __m512i y[R];
        for (int b = 0; b < R; b++) y[b] = T[i][b];
        uint8_t* di = db + i * dst_row_stride + x0 * dst_pixel_stride + o0;
        at_rows<ops32, A, at_mat<A>>(y, [&](int j, __m512i v) __attribute__((always_inline)) {
          if (size_t(j) >= ncols) return;
          _mm_mask_storeu_epi8(di + size_t(j) * dst_pixel_stride, mask, _mm512_cvtepi32_epi8(ep(v, kRelu)));
        });
      }
    }
  }
}

template <class A>
void output_dispatch(size_t oc, size_t tiles, size_t rows, size_t cols, const int32_t* m,
                     size_t mps, size_t mts, const double* scale, const double* bias, void* dst,
                     size_t drs, size_t dps, const sfc_q16_output_params* params) {
  if (params->relu)
    output_avx512<A, true>(oc, tiles, rows, cols, m, mps, mts, scale, bias, dst, drs, dps, params);
  else
    output_avx512<A, false>(oc, tiles, rows, cols, m, mps, mts, scale, bias, dst, drs, dps, params);
}

}  // namespace

#define SFC_Q16_OUTPUT(isa, tile, fn) SFC_Q16_OUTPUT_##isa(tile, fn)
#define SFC_Q16_OUTPUT_scalar(tile, fn)
#define SFC_Q16_OUTPUT_avx2(tile, fn)
#define SFC_Q16_OUTPUT_neon(tile, fn)
#define SFC_Q16_OUTPUT_avx512vnni(tile, fn)                                                   \
  extern "C" void fn(size_t oc, size_t tiles, size_t rows, size_t cols, const int32_t* m,     \
                     size_t mps, size_t mts, const double* scale, const double* bias,         \
                     void* dst, size_t drs, size_t dps, const sfc_q16_output_params* params) { \
    output_dispatch<q8_tf_##tile>(oc, tiles, rows, cols, m, mps, mts, scale, bias, dst, drs,  \
                                  dps, params);                                               \
  }
#define SFC_Q16_INPUT(isa, tile, src, fn)
#define SFC_Q16_BGEMM(isa, fn, mr, nr, prod)
#include "kernels/fastconv/q16-ukernels.inc"
