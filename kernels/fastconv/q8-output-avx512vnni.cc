// Output transform kernels, AVX-512 (q8-ukernels.h): 16 output channels per int32 vector,
// Y = Aᵢᵀ·mi·Aᵢ in two unrolled passes (columns, then rows), then
// out = cvtps2dq(clamp(float(Y)·2^−F + bias, min, max)) + zp, stored as bytes (vpmovdb).
// float(Y)·2^−F is exact, so the FMA equals the reference's multiply-then-add; clamping to the
// integer bounds [qmin − zp, qmax − zp] (0 below with relu) before rounding equals the reference's
// relu, round, + zp, saturate.
// GCC 12 warns inside its own AVX-512 headers (the _mm*_undefined_*() self-initialisation,
// GCC bug 105593); the pragmas must precede the include.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include <cassert>
#include <cstdint>
#include <utility>

#include "kernels/fastconv/q8-tables.h"
#include "kernels/fastconv/q8-ukernels.h"

using namespace sfc::q8tf;

namespace {

#include "kernels/fastconv/q8-tf-unroll.inc"

struct ops32 {
  using V = __m512i;
  static V zero() { return _mm512_setzero_si512(); }
  static V add(V a, V b) { return _mm512_add_epi32(a, b); }
  static V sub(V a, V b) { return _mm512_sub_epi32(a, b); }
  template <int K>
  static V mul(V x) {
    if constexpr ((K & (K - 1)) == 0) return _mm512_slli_epi32(x, K == 2 ? 1 : K == 4 ? 2 : 3);
    else return _mm512_mullo_epi32(x, _mm512_set1_epi32(K));
  }
};

template <class A>
struct at_mat {
  static constexpr int k(int i, int a) { return A::at[i][a]; }
};

// Final stage modes: kFloatClamp (general), kU8 / kS8 (bias_bounded: round first, saturate while
// narrowing; relu is max(·, zp) since round(max(f, 0)) + zp = max(round(f) + zp, zp)).
enum final_mode { kFloatClamp, kU8, kS8 };

// Fused residual add (sfc_q8_output_params::res_*): t = the s8 value the kernel would store,
// dst = sat(round(act(a·t + b·r))). The two products are rounded separately as in the separate
// pass (the empty asm keeps GCC from contracting them into an FMA).
template <int kRes>
inline __attribute__((always_inline)) __m128i residual_add(__m512i q, const uint8_t* r,
                                                           __mmask16 mask, __m512 va, __m512 vb,
                                                           __m512 lo, __m512 hi) {
  const __m512i t = _mm512_max_epi32(_mm512_min_epi32(q, _mm512_set1_epi32(127)),
                                     _mm512_set1_epi32(-128));
  const __m128i rb = _mm_maskz_loadu_epi8(mask, r);
  const __m512i ri = kRes & 1 ? _mm512_cvtepi8_epi32(rb) : _mm512_cvtepu8_epi32(rb);
  __m512 fa = _mm512_mul_ps(_mm512_cvtepi32_ps(t), va);
  __m512 fb = _mm512_mul_ps(_mm512_cvtepi32_ps(ri), vb);
  asm("" : "+v"(fa), "+v"(fb));
  const __m512 f = _mm512_min_ps(_mm512_max_ps(_mm512_add_ps(fa, fb), lo), hi);
  const __m512i y = _mm512_cvtps_epi32(f);
  return kRes & 2 ? _mm512_cvtsepi32_epi8(y) : _mm512_cvtusepi32_epi8(y);
}

// kRes: −1 (no residual) or sfc_q8_output_params::res_mode − 1 (bit 0: residual s8, bit 1: dst s8).
template <class A, int kMode, bool kZp, int kRes = -1>
void output_avx512(size_t oc, size_t tiles, size_t rows, size_t cols, const int32_t* m,
                   size_t m_point_stride, size_t m_tile_stride, const float* bias, void* dst,
                   size_t dst_row_stride, size_t dst_pixel_stride,
                   const sfc_q8_output_params* params) {
  constexpr int R = A::R, mo = A::m;
  assert(rows >= 1 && rows <= size_t(mo) && cols >= 1 && cols <= tiles * mo);
  const __m512 vscale = _mm512_set1_ps(params->scale);
  const __m512 vmin = _mm512_set1_ps(params->min), vmax = _mm512_set1_ps(params->max);
  const __m512i vzp = _mm512_set1_epi32(params->zero_point);
  const bool relu = params->relu != 0;
  const __m512i vlo = _mm512_set1_epi32(relu ? params->zero_point : 0);  // kU8: zp ≥ 0
  static_assert(kRes < 0 || (kMode == kS8 && !kZp), "the fused residual follows an s8, zp 0 stage");
  const __m512 ra = _mm512_set1_ps(params->res_a), rb = _mm512_set1_ps(params->res_b);
  const __m512 rlo = _mm512_set1_ps(params->res_relu || !(kRes & 2) ? 0.f : -128.f);
  const __m512 rhi = _mm512_set1_ps(kRes & 2 ? 127.f : 255.f);
  const char* mb = reinterpret_cast<const char*>(m);
  uint8_t* db = static_cast<uint8_t*>(dst);
  alignas(64) __m512i T[mo][R];
  for (size_t t = 0; t < tiles; t++) {
    const size_t x0 = t * mo;
    const size_t ncols = cols - x0 < size_t(mo) ? cols - x0 : size_t(mo);
    for (size_t o0 = 0; o0 < oc; o0 += 16) {
      const size_t n = oc - o0 < 16 ? oc - o0 : 16;
      const __mmask16 mask = __mmask16((1u << n) - 1);
      const __m512 vbias = _mm512_maskz_loadu_ps(mask, bias + o0);
      const char* mt = mb + t * m_tile_stride + o0 * 4;
      // The next 16 channels (or the next tile's first ones): their 64-byte lines, one per point.
      const char* next = o0 + 16 < oc ? mt + 64 : mb + (t + 1) * m_tile_stride;
      const bool pf = o0 + 16 < oc || t + 1 < tiles;
      for (int b = 0; b < R; b++) {  // T[i][b] = Σ_a Aᵀ[i][a] mi[a][b]
        __m512i x[R];
        for (int a = 0; a < R; a++) {
          x[a] = _mm512_loadu_si512(mt + size_t(a * R + b) * m_point_stride);
          if (pf) _mm_prefetch(next + size_t(a * R + b) * m_point_stride, _MM_HINT_T0);
        }
        tf_rows<ops32, at_mat<A>, mo, R>(x, [&](int i, __m512i v) __attribute__((always_inline)) { T[i][b] = v; });
      }
      for (size_t i = 0; i < rows; i++) {  // Y[i][j] = Σ_b Aᵀ[j][b] T[i][b]
        __m512i y[R];
        for (int b = 0; b < R; b++) y[b] = T[i][b];
        uint8_t* di = db + i * dst_row_stride + x0 * dst_pixel_stride + o0;
        tf_rows<ops32, at_mat<A>, mo, R>(y, [&](int j, __m512i v) __attribute__((always_inline)) {
          if (size_t(j) >= ncols) return;
          __m512 f = _mm512_fmadd_ps(_mm512_cvtepi32_ps(v), vscale, vbias);
          uint8_t* dj = di + size_t(j) * dst_pixel_stride;
          if constexpr (kMode == kFloatClamp) {
            f = _mm512_min_ps(_mm512_max_ps(f, vmin), vmax);
            __m512i q = _mm512_cvtps_epi32(f);
            if constexpr (kZp) q = _mm512_add_epi32(q, vzp);
            __m128i b = _mm512_cvtepi32_epi8(q);
            asm("" : "+v"(b));
            _mm_mask_storeu_epi8(dj, mask, b);
          } else {
            __m512i q = _mm512_cvtps_epi32(f);
            if constexpr (kZp) q = _mm512_add_epi32(q, vzp);
            __m128i b;
            if constexpr (kMode == kU8) {
              b = _mm512_cvtusepi32_epi8(_mm512_max_epi32(q, vlo));
            } else if constexpr (kRes >= 0) {
              b = residual_add<kRes>(q, dj + params->res_offset, mask, ra, rb, rlo, rhi);
            } else {
              if (relu) q = _mm512_max_epi32(q, vzp);
              b = _mm512_cvtsepi32_epi8(q);
            }
            // Keep the narrowing in a register: GCC would fuse it into the (slower) store form.
            asm("" : "+v"(b));
            _mm_mask_storeu_epi8(dj, mask, b);
          }
        });
      }
    }
  }
}

template <class A>
void output_dispatch(size_t oc, size_t tiles, size_t rows, size_t cols, const int32_t* m,
                     size_t mps, size_t mts, const float* bias, void* dst, size_t drs, size_t dps,
                     const sfc_q8_output_params* params) {
  const bool zp = params->zero_point != 0;
  const int mode = !params->bias_bounded ? kFloatClamp : params->qmin == 0 ? kU8 : kS8;
  if (params->res_mode) {  // the layer checked mode == kS8, zp == 0 (q8-layer.cc)
    assert(mode == kS8 && !zp && !params->relu);
    switch (params->res_mode - 1) {
#define SFC_RES(k)                                                                            \
  case k:                                                                                     \
    return output_avx512<A, kS8, false, k>(oc, tiles, rows, cols, m, mps, mts, bias, dst, drs, \
                                           dps, params);
      SFC_RES(0) SFC_RES(1) SFC_RES(2) SFC_RES(3)
#undef SFC_RES
    }
  }
#define SFC_OUT(md, z)                                                                        \
  if (mode == md && zp == z)                                                                  \
    return output_avx512<A, md, z>(oc, tiles, rows, cols, m, mps, mts, bias, dst, drs, dps, params);
  SFC_OUT(kFloatClamp, true) SFC_OUT(kFloatClamp, false) SFC_OUT(kU8, true)
  SFC_OUT(kU8, false) SFC_OUT(kS8, true) SFC_OUT(kS8, false)
#undef SFC_OUT
}

}  // namespace

#define SFC_Q8_OUTPUT(isa, tile, fn) SFC_Q8_OUTPUT_##isa(tile, fn)
#define SFC_Q8_OUTPUT_scalar(tile, fn)
#define SFC_Q8_OUTPUT_avx2(tile, fn)
#define SFC_Q8_OUTPUT_avx512vnni(tile, fn)                                                    \
  extern "C" void fn(size_t oc, size_t tiles, size_t rows, size_t cols, const int32_t* m,     \
                     size_t mps, size_t mts, const float* bias, void* dst, size_t drs,        \
                     size_t dps, const sfc_q8_output_params* params) {                        \
    output_dispatch<q8_tf_##tile>(oc, tiles, rows, cols, m, mps, mts, bias, dst, drs, dps,    \
                                  params);                                                    \
  }
#define SFC_Q8_INPUT(isa, tile, src, fn)
#define SFC_Q8_BGEMM(isa, fn, mr, nr, prod)
#include "kernels/fastconv/q8-ukernels.inc"
