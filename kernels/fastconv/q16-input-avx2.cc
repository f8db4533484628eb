// Input transform kernels of the exact layer, AVX2 (q16-ukernels.h): 16 channels per int16
// vector, U = Bᵢᵀ X Bᵢ in two unrolled passes (q8-tf-unroll.inc), stored as int16. A partial
// vector is loaded through a buffer filled with the zero point (X = 0 there, never reading past
// the ic bytes of a pixel) and stored with a dword mask (kc is even).
#include <immintrin.h>

#include <cassert>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <utility>

#include "kernels/fastconv/q16-ukernels.h"
#include "kernels/fastconv/q8-tables.h"

using namespace sfc::q8tf;

namespace {

#include "kernels/fastconv/q8-tf-unroll.inc"

struct ops16 {
  using V = __m256i;
  static V zero() { return _mm256_setzero_si256(); }
  static V add(V a, V b) { return _mm256_add_epi16(a, b); }
  static V sub(V a, V b) { return _mm256_sub_epi16(a, b); }
  template <int K>
  static V mul(V x) {
    if constexpr ((K & (K - 1)) == 0) return _mm256_slli_epi16(x, K == 2 ? 1 : K == 4 ? 2 : 3);
    else return _mm256_mullo_epi16(x, _mm256_set1_epi16(K));
  }
};

template <class A>
struct bt_mat {
  static constexpr int k(int i, int a) { return A::bt[i][a]; }
};

template <bool kSigned>
SFC_TF_INLINE __m256i load_x(const uint8_t* p, size_t n, uint8_t zp_byte, __m256i vzp) {
  __m128i b;
  if (n >= 16) {
    b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  } else {
    alignas(16) uint8_t buf[16];
    std::memset(buf, zp_byte, 16);
    std::memcpy(buf, p, n);
    b = _mm_load_si128(reinterpret_cast<const __m128i*>(buf));
  }
  return _mm256_sub_epi16(kSigned ? _mm256_cvtepi8_epi16(b) : _mm256_cvtepu8_epi16(b), vzp);
}

// First pass for 16 channels from ch (n valid): T[i][b] = Σ_a Bᵀ[i][a] X[a][b].
template <class A, bool kSigned>
SFC_TF_INLINE void first_pass(const void* const* rows, size_t ic, ptrdiff_t x0, size_t w,
                              size_t ch, size_t n, uint8_t zp_byte, __m256i vzp,
                              __m256i (*T)[A::L]) {
  constexpr int L = A::L, R = A::R;
  for (int b = 0; b < L; b++) {
    const ptrdiff_t ix = x0 + b;
    __m256i x[L];
    if (ix >= 0 && ix < ptrdiff_t(w)) {
      const size_t off = size_t(ix) * ic + ch;
      for (int a = 0; a < L; a++)
        x[a] = load_x<kSigned>(static_cast<const uint8_t*>(rows[a]) + off, n, zp_byte, vzp);
    } else {
      for (int a = 0; a < L; a++) x[a] = _mm256_setzero_si256();
    }
    tf_rows<ops16, bt_mat<A>, R, L>(x, [&](int i, __m256i v) __attribute__((always_inline)) { T[i][b] = v; });
  }
}

template <class A, bool kSigned>
void input_avx2(size_t ic, size_t tiles, const void* const* rows, ptrdiff_t ix0, size_t w,
                int16_t* u, size_t u_point_stride, size_t u_tile_stride,
                const sfc_q16_input_params* params) {
  constexpr int L = A::L, R = A::R, m = A::m;
  const __m256i vzp = _mm256_set1_epi16(int16_t(params->zero_point));
  const uint8_t zp_byte = uint8_t(params->zero_point & 0xff);
  const size_t kc = sfc_q16_kc(ic);
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  alignas(32) __m256i T[R][L];
  for (size_t t = 0; t < tiles; t++) {
    const ptrdiff_t x0 = ix0 + ptrdiff_t(t) * m;
    char* ut = reinterpret_cast<char*>(u) + t * u_tile_stride;
    for (size_t c0 = 0; c0 < kc; c0 += 16) {
      const size_t n = ic - c0 < 16 ? ic - c0 : 16, ns = kc - c0 < 16 ? kc - c0 : 16;
      first_pass<A, kSigned>(rows, ic, x0, w, c0, n, zp_byte, vzp, T);
      const __m256i smask = _mm256_cmpgt_epi32(_mm256_set1_epi32(int32_t(ns / 2)), lane);
      for (int i = 0; i < R; i++) {
        __m256i a0[L];
        for (int b = 0; b < L; b++) a0[b] = T[i][b];
        char* ui = ut + size_t(i) * R * u_point_stride + 2 * c0;
        if (ns == 16) {
          tf_rows<ops16, bt_mat<A>, R, L>(a0, [&](int j, __m256i v) __attribute__((always_inline)) {
            _mm256_storeu_si256(reinterpret_cast<__m256i*>(ui + size_t(j) * u_point_stride), v);
          });
        } else {
          tf_rows<ops16, bt_mat<A>, R, L>(a0, [&](int j, __m256i v) __attribute__((always_inline)) {
            _mm256_maskstore_epi32(reinterpret_cast<int*>(ui + size_t(j) * u_point_stride), smask, v);
          });
        }
      }
    }
  }
}

using u8_t = std::false_type;
using s8_t = std::true_type;

}  // namespace

#define SFC_Q16_INPUT(isa, tile, src, fn) SFC_Q16_INPUT_##isa(tile, src, fn)
#define SFC_Q16_INPUT_scalar(tile, src, fn)
#define SFC_Q16_INPUT_avx512vnni(tile, src, fn)
#define SFC_Q16_INPUT_neon(tile, src, fn)
#define SFC_Q16_INPUT_avx2(tile, src, fn)                                                     \
  extern "C" void fn(size_t ic, size_t tiles, const void* const* rows, ptrdiff_t ix0,         \
                     size_t w, int16_t* u, size_t ups, size_t uts,                            \
                     const sfc_q16_input_params* params) {                                    \
    input_avx2<q8_tf_##tile, src##_t::value>(ic, tiles, rows, ix0, w, u, ups, uts, params);   \
  }
#define SFC_Q16_BGEMM(isa, fn, mr, nr, prod)
#define SFC_Q16_OUTPUT(isa, tile, fn)
#include "kernels/fastconv/q16-ukernels.inc"
