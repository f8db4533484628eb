// Output transform kernels, AVX2 (q8-ukernels.h): 8 output channels per int32 vector,
// Y = Aᵢᵀ·mi·Aᵢ in two unrolled passes (columns, then rows; wrap-around int32 adds are exact
// because Y fits), then out = cvtps2dq(clamp(float(Y)·2^−F + bias, min, max)) + zp, and the low
// byte of each lane is stored (the clamped values lie in [qmin, qmax], so the bytes are right for
// u8 and s8). float(Y)·2^−F is exact, so the FMA equals the reference's multiply-then-add;
// clamping to the integer bounds [qmin − zp, qmax − zp] (0 below with relu) before rounding equals
// the reference's relu, round, + zp, saturate. A tail of oc % 8 channels is stored through a
// buffer, so nothing beyond oc bytes per pixel is written.
// Fused residual add (sfc_q8_output_params::res_mode, s8 stage with zero point 0): the s8 value t
// the kernel would store becomes sat(round_half_even(act(a·t + b·r))), the two products rounded
// separately as in the separate pass (the empty asm keeps GCC from contracting them into an FMA).
#include <immintrin.h>

#include <cassert>
#include <cstdint>
#include <cstring>
#include <utility>

#include "kernels/fastconv/q8-tables.h"
#include "kernels/fastconv/q8-ukernels.h"

using namespace sfc::q8tf;

namespace {

#include "kernels/fastconv/q8-tf-unroll.inc"

struct ops32 {
  using V = __m256i;
  static V zero() { return _mm256_setzero_si256(); }
  static V add(V a, V b) { return _mm256_add_epi32(a, b); }
  static V sub(V a, V b) { return _mm256_sub_epi32(a, b); }
  template <int K>
  static V mul(V x) {
    if constexpr ((K & (K - 1)) == 0) return _mm256_slli_epi32(x, K == 2 ? 1 : K == 4 ? 2 : 3);
    else return _mm256_mullo_epi32(x, _mm256_set1_epi32(K));
  }
};

template <class A>
struct at_mat {
  static constexpr int k(int i, int a) { return A::at[i][a]; }
};

// Low bytes of the 8 int32 lanes, as the low 64 bits.
inline __m128i low_bytes(__m256i q) {
  const __m256i shuf = _mm256_setr_epi8(0, 4, 8, 12, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
                                        -1, 0, 4, 8, 12, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
                                        -1, -1);
  q = _mm256_shuffle_epi8(q, shuf);
  return _mm_unpacklo_epi32(_mm256_castsi256_si128(q), _mm256_extracti128_si256(q, 1));
}

// 8 residual bytes (n of them) at r, widened to int32 (kS8: signed).
template <bool kS8>
inline __m256i load_residual(const uint8_t* r, size_t n) {
  __m128i b;
  if (n == 8) {
    b = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(r));
  } else {
    alignas(16) uint8_t buf[16] = {};
    std::memcpy(buf, r, n);
    b = _mm_load_si128(reinterpret_cast<const __m128i*>(buf));
  }
  return kS8 ? _mm256_cvtepi8_epi32(b) : _mm256_cvtepu8_epi32(b);
}

// kRes: −1 (none) or sfc_q8_output_params::res_mode − 1 (bit 0: residual s8, bit 1: dst s8).
template <class A, int kRes>
void output_avx2(size_t oc, size_t tiles, size_t rows, size_t cols, const int32_t* m,
                 size_t m_point_stride, size_t m_tile_stride, const float* bias, void* dst,
                 size_t dst_row_stride, size_t dst_pixel_stride,
                 const sfc_q8_output_params* params) {
  constexpr int R = A::R, mo = A::m;
  assert(rows >= 1 && rows <= size_t(mo) && cols >= 1 && cols <= tiles * mo);
  const __m256 vscale = _mm256_set1_ps(params->scale);
  const __m256 vmin = _mm256_set1_ps(params->min), vmax = _mm256_set1_ps(params->max);
  const __m256i vzp = _mm256_set1_epi32(params->zero_point);
  const __m256 ra = _mm256_set1_ps(params->res_a), rb = _mm256_set1_ps(params->res_b);
  const __m256 rlo = _mm256_set1_ps(params->res_relu || !(kRes & 2) ? 0.f : -128.f);
  const __m256 rhi = _mm256_set1_ps(kRes & 2 ? 127.f : 255.f);
  const char* mb = reinterpret_cast<const char*>(m);
  uint8_t* db = static_cast<uint8_t*>(dst);
  alignas(32) __m256i T[mo][R];
  for (size_t t = 0; t < tiles; t++) {
    const size_t x0 = t * mo;
    const size_t ncols = cols - x0 < size_t(mo) ? cols - x0 : size_t(mo);
    for (size_t o0 = 0; o0 < oc; o0 += 8) {
      const size_t n = oc - o0 < 8 ? oc - o0 : 8;
      __m256 vbias;
      if (n == 8) {
        vbias = _mm256_loadu_ps(bias + o0);
      } else {
        alignas(32) float buf[8] = {};
        std::memcpy(buf, bias + o0, n * sizeof(float));
        vbias = _mm256_load_ps(buf);
      }
      const char* mt = mb + t * m_tile_stride + o0 * 4;
      for (int b = 0; b < R; b++) {  // T[i][b] = Σ_a Aᵀ[i][a] mi[a][b]
        __m256i x[R];
        for (int a = 0; a < R; a++)
          x[a] = _mm256_loadu_si256(
              reinterpret_cast<const __m256i*>(mt + size_t(a * R + b) * m_point_stride));
        tf_rows<ops32, at_mat<A>, mo, R>(x, [&](int i, __m256i v) { T[i][b] = v; });
      }
      for (size_t i = 0; i < rows; i++) {  // Y[i][j] = Σ_b Aᵀ[j][b] T[i][b]
        __m256i y[R];
        for (int b = 0; b < R; b++) y[b] = T[i][b];
        uint8_t* di = db + i * dst_row_stride + x0 * dst_pixel_stride + o0;
        tf_rows<ops32, at_mat<A>, mo, R>(y, [&](int j, __m256i v) {
          if (size_t(j) >= ncols) return;
          __m256 f = _mm256_fmadd_ps(_mm256_cvtepi32_ps(v), vscale, vbias);
          f = _mm256_min_ps(_mm256_max_ps(f, vmin), vmax);
          __m256i qi = _mm256_add_epi32(_mm256_cvtps_epi32(f), vzp);
          uint8_t* d = di + size_t(j) * dst_pixel_stride;
          if constexpr (kRes >= 0) {  // qi = t, the s8 value (zp 0, clamped to [−128, 127])
            const __m256i r = load_residual<(kRes & 1) != 0>(d + params->res_offset, n);
            __m256 fa = _mm256_mul_ps(_mm256_cvtepi32_ps(qi), ra);
            __m256 fb = _mm256_mul_ps(_mm256_cvtepi32_ps(r), rb);
            asm("" : "+x"(fa), "+x"(fb));
            qi = _mm256_cvtps_epi32(_mm256_min_ps(_mm256_max_ps(_mm256_add_ps(fa, fb), rlo), rhi));
          }
          const __m128i q = low_bytes(qi);
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
void output_avx2_dispatch(size_t oc, size_t tiles, size_t rows, size_t cols, const int32_t* m,
                          size_t mps, size_t mts, const float* bias, void* dst, size_t drs,
                          size_t dps, const sfc_q8_output_params* params) {
  switch (params->res_mode) {  // the layer sets it only for an s8 stage with zp 0, no relu
#define SFC_RES(k)                                                                            \
  case k:                                                                                     \
    return output_avx2<A, k - 1>(oc, tiles, rows, cols, m, mps, mts, bias, dst, drs, dps, params);
    SFC_RES(1) SFC_RES(2) SFC_RES(3) SFC_RES(4)
#undef SFC_RES
    default:
      return output_avx2<A, -1>(oc, tiles, rows, cols, m, mps, mts, bias, dst, drs, dps, params);
  }
}

}  // namespace

#define SFC_Q8_OUTPUT(isa, tile, fn) SFC_Q8_OUTPUT_##isa(tile, fn)
#define SFC_Q8_OUTPUT_scalar(tile, fn)
#define SFC_Q8_OUTPUT_avx512vnni(tile, fn)
#define SFC_Q8_OUTPUT_avx2(tile, fn)                                                          \
  extern "C" void fn(size_t oc, size_t tiles, size_t rows, size_t cols, const int32_t* m,     \
                     size_t mps, size_t mts, const float* bias, void* dst, size_t drs,        \
                     size_t dps, const sfc_q8_output_params* params) {                        \
    output_avx2_dispatch<q8_tf_##tile>(oc, tiles, rows, cols, m, mps, mts, bias, dst, drs,    \
                                       dps, params);                                          \
  }
#define SFC_Q8_INPUT(isa, tile, src, fn)
#define SFC_Q8_BGEMM(isa, fn, mr, nr, prod)
#include "kernels/fastconv/q8-ukernels.inc"
