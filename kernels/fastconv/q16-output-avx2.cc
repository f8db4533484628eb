// Output transform kernels of the exact layer, AVX2 (q16-ukernels.h): 8 output channels per
// int32 vector; the same steps and operation order as q16-output-avx512vnni.cc (exact division
// by D, then requantize_acc's double / float arithmetic without FMA contraction). Values are in
// [qmin, qmax] before narrowing, so the low byte of each lane is the result for u8 and s8 alike.
#include <immintrin.h>

#include <cassert>
#include <cstdint>
#include <cstring>
#include <utility>

#include "kernels/fastconv/q16-ukernels.h"
#include "kernels/fastconv/q8-tables.h"

using namespace sfc::q8tf;

namespace {

#include "kernels/fastconv/q8-tf-unroll.inc"
#include "kernels/fastconv/q16-at-sfc6.inc"

struct ops32 {
  using V = __m256i;
  static V zero() { return _mm256_setzero_si256(); }
  static V add(V a, V b) { return _mm256_add_epi32(a, b); }
  static V sub(V a, V b) { return _mm256_sub_epi32(a, b); }
  template <int K>
  static V mul(V x) {
    if constexpr ((K & (K - 1)) == 0) return _mm256_slli_epi32(x, K == 2 ? 1 : K == 4 ? 2 : 3);
    else if constexpr (K == 6) return _mm256_slli_epi32(_mm256_add_epi32(_mm256_add_epi32(x, x), x), 1);
    else return _mm256_mullo_epi32(x, _mm256_set1_epi32(K));
  }
};

template <class A>
struct at_mat {
  static constexpr int k(int i, int a) { return A::at[i][a]; }
};

// GCC contracts mul + add into an FMA even in ISO C++ mode; the empty asm keeps two roundings.
SFC_TF_INLINE __m256d opaque(__m256d x) {
  asm("" : "+x"(x));
  return x;
}

struct epilogue {
  __m256i vinv, vzp, vbytes, vperm;
  __m128i vshift;
  __m256 vdst, vmin, vmax;
  __m256d s0, s1, b0, b1;

  // 8 output bytes (in the low 8 bytes of the result).
  SFC_TF_INLINE __m128i operator()(__m256i y, bool relu) const {
    const __m256i acc = _mm256_sra_epi32(_mm256_mullo_epi32(y, vinv), vshift);
    __m256d d0 = _mm256_cvtepi32_pd(_mm256_castsi256_si128(acc));
    __m256d d1 = _mm256_cvtepi32_pd(_mm256_extracti128_si256(acc, 1));
    d0 = _mm256_add_pd(opaque(_mm256_mul_pd(d0, s0)), b0);
    d1 = _mm256_add_pd(opaque(_mm256_mul_pd(d1, s1)), b1);
    if (relu) {
      d0 = _mm256_max_pd(d0, _mm256_setzero_pd());
      d1 = _mm256_max_pd(d1, _mm256_setzero_pd());
    }
    __m256 f = _mm256_set_m128(_mm256_cvtpd_ps(d1), _mm256_cvtpd_ps(d0));
    f = _mm256_div_ps(f, vdst);
    f = _mm256_min_ps(_mm256_max_ps(f, vmin), vmax);
    const __m256i q = _mm256_add_epi32(_mm256_cvtps_epi32(f), vzp);
    // low byte of each lane → bytes 0..3 of each 128-bit half → dwords 0 and 4 → low 8 bytes
    const __m256i b = _mm256_permutevar8x32_epi32(_mm256_shuffle_epi8(q, vbytes), vperm);
    return _mm256_castsi256_si128(b);
  }
};

SFC_TF_INLINE __m256d load_pd(const double* p, size_t n) {
  if (n >= 4) return _mm256_loadu_pd(p);
  const __m256i lane = _mm256_setr_epi64x(0, 1, 2, 3);
  return _mm256_maskload_pd(p, _mm256_cmpgt_epi64(_mm256_set1_epi64x(int64_t(n)), lane));
}

template <class A, bool kRelu>
void output_avx2(size_t oc, size_t tiles, size_t rows, size_t cols, const int32_t* m,
                 size_t m_point_stride, size_t m_tile_stride, const double* scale,
                 const double* bias, void* dst, size_t dst_row_stride, size_t dst_pixel_stride,
                 const sfc_q16_output_params* params) {
  constexpr int R = A::R, mo = A::m;
  assert(rows >= 1 && rows <= size_t(mo) && cols >= 1 && cols <= tiles * mo);
  epilogue ep;
  ep.vinv = _mm256_set1_epi32(int32_t(params->d_inverse));
  ep.vshift = _mm_cvtsi32_si128(params->d_shift);
  ep.vzp = _mm256_set1_epi32(params->zero_point);
  ep.vbytes = _mm256_setr_epi8(0, 4, 8, 12, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
                               0, 4, 8, 12, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1);
  ep.vperm = _mm256_setr_epi32(0, 4, 1, 1, 1, 1, 1, 1);
  ep.vdst = _mm256_set1_ps(params->dst_scale);
  ep.vmin = _mm256_set1_ps(params->min), ep.vmax = _mm256_set1_ps(params->max);
  const char* mb = reinterpret_cast<const char*>(m);
  uint8_t* db = static_cast<uint8_t*>(dst);
  alignas(32) __m256i T[mo][R];
  for (size_t o0 = 0; o0 < oc; o0 += 8) {
    const size_t n = oc - o0 < 8 ? oc - o0 : 8;
    ep.s0 = load_pd(scale + o0, n), ep.b0 = load_pd(bias + o0, n);
    ep.s1 = n > 4 ? load_pd(scale + o0 + 4, n - 4) : _mm256_setzero_pd();
    ep.b1 = n > 4 ? load_pd(bias + o0 + 4, n - 4) : _mm256_setzero_pd();
    for (size_t t = 0; t < tiles; t++) {
      const size_t x0 = t * mo;
      const size_t ncols = cols - x0 < size_t(mo) ? cols - x0 : size_t(mo);
      const char* mt = mb + t * m_tile_stride + o0 * 4;
      for (int b = 0; b < R; b++) {  // T[i][b] = Σ_a Aᵀ[i][a] M[a][b]
        __m256i x[R];
        for (int a = 0; a < R; a++)
          x[a] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(mt + size_t(a * R + b) * m_point_stride));
        at_rows<ops32, A, at_mat<A>>(x, [&](int i, __m256i v) __attribute__((always_inline)) { T[i][b] = v; });
      }
      for (size_t i = 0; i < rows; i++) {  // Y[i][j] = Σ_b Aᵀ[j][b] T[i][b]
        __m256i y[R];
        for (int b = 0; b < R; b++) y[b] = T[i][b];
        uint8_t* di = db + i * dst_row_stride + x0 * dst_pixel_stride + o0;
        at_rows<ops32, A, at_mat<A>>(y, [&](int j, __m256i v) __attribute__((always_inline)) {
          if (size_t(j) >= ncols) return;
          const __m128i q = ep(v, kRelu);
          uint8_t* d = di + size_t(j) * dst_pixel_stride;
          if (n == 8) {
            _mm_storel_epi64(reinterpret_cast<__m128i*>(d), q);
          } else {
            alignas(16) uint8_t buf[16];
            _mm_store_si128(reinterpret_cast<__m128i*>(buf), q);
            std::memcpy(d, buf, n);
          }
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
    output_avx2<A, true>(oc, tiles, rows, cols, m, mps, mts, scale, bias, dst, drs, dps, params);
  else
    output_avx2<A, false>(oc, tiles, rows, cols, m, mps, mts, scale, bias, dst, drs, dps, params);
}

}  // namespace

#define SFC_Q16_OUTPUT(isa, tile, fn) SFC_Q16_OUTPUT_##isa(tile, fn)
#define SFC_Q16_OUTPUT_scalar(tile, fn)
#define SFC_Q16_OUTPUT_avx512vnni(tile, fn)
#define SFC_Q16_OUTPUT_neon(tile, fn)
#define SFC_Q16_OUTPUT_avx2(tile, fn)                                                         \
  extern "C" void fn(size_t oc, size_t tiles, size_t rows, size_t cols, const int32_t* m,     \
                     size_t mps, size_t mts, const double* scale, const double* bias,         \
                     void* dst, size_t drs, size_t dps, const sfc_q16_output_params* params) { \
    output_dispatch<q8_tf_##tile>(oc, tiles, rows, cols, m, mps, mts, scale, bias, dst, drs,  \
                                  dps, params);                                               \
  }
#define SFC_Q16_INPUT(isa, tile, src, fn)
#define SFC_Q16_BGEMM(isa, fn, mr, nr, prod)
#include "kernels/fastconv/q16-ukernels.inc"
