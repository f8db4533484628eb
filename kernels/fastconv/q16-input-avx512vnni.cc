// Input transform kernels of the exact layer, AVX-512 (q16-ukernels.h): 32 channels per int16
// vector, U = Bᵢᵀ X Bᵢ in two unrolled passes (q8-tf-unroll.inc), stored as int16 (exact, no
// requantization). Channel tails use masked loads (X = 0 there) and masked stores.
#include <immintrin.h>

#include <cassert>
#include <cstdint>
#include <type_traits>
#include <utility>

#include "kernels/fastconv/q16-ukernels.h"
#include "kernels/fastconv/q8-tables.h"

using namespace sfc::q8tf;

namespace {

#include "kernels/fastconv/q8-tf-unroll.inc"

struct ops16 {
  using V = __m512i;
  static V zero() { return _mm512_setzero_si512(); }
  static V add(V a, V b) { return _mm512_add_epi16(a, b); }
  static V sub(V a, V b) { return _mm512_sub_epi16(a, b); }
  template <int K>
  static V mul(V x) {
    if constexpr ((K & (K - 1)) == 0) return _mm512_slli_epi16(x, K == 2 ? 1 : K == 4 ? 2 : 3);
    else return _mm512_mullo_epi16(x, _mm512_set1_epi16(K));
  }
};

template <class A>
struct bt_mat {
  static constexpr int k(int i, int a) { return A::bt[i][a]; }
};

template <bool kSigned, bool kZp>
SFC_TF_INLINE __m512i load_x(const void* p, __mmask32 mask, __m512i vzp) {
  const __m256i b = _mm256_maskz_loadu_epi8(mask, p);
  const __m512i x = kSigned ? _mm512_cvtepi8_epi16(b) : _mm512_cvtepu8_epi16(b);
  if constexpr (kZp) return _mm512_maskz_sub_epi16(mask, x, vzp);  // X = 0 outside the mask
  return x;
}

// First pass for ≤ 32 channels from channel ch: T[i][b] = Σ_a Bᵀ[i][a] X[a][b].
template <class A, bool kSigned, bool kZp>
SFC_TF_INLINE void first_pass(const void* const* rows, size_t ic, ptrdiff_t x0, size_t w,
                              size_t ch, __mmask32 mask, __m512i vzp, __m512i (*T)[A::L]) {
  constexpr int L = A::L, R = A::R;
  for (int b = 0; b < L; b++) {
    const ptrdiff_t ix = x0 + b;
    __m512i x[L];
    if (ix >= 0 && ix < ptrdiff_t(w)) {
      const size_t off = size_t(ix) * ic + ch;
      for (int a = 0; a < L; a++)
        x[a] = load_x<kSigned, kZp>(static_cast<const uint8_t*>(rows[a]) + off, mask, vzp);
    } else {
      for (int a = 0; a < L; a++) x[a] = _mm512_setzero_si512();
    }
    tf_rows<ops16, bt_mat<A>, R, L>(x, [&](int i, __m512i v) __attribute__((always_inline)) { T[i][b] = v; });
  }
}

template <class A, bool kSigned, bool kZp>
void input_avx512(size_t ic, size_t tiles, const void* const* rows, ptrdiff_t ix0, size_t w,
                  int16_t* u, size_t u_point_stride, size_t u_tile_stride,
                  const sfc_q16_input_params* params) {
  constexpr int L = A::L, R = A::R, m = A::m;
  const __m512i vzp = _mm512_set1_epi16(int16_t(params->zero_point));
  const size_t kc = sfc_q16_kc(ic);
  alignas(64) __m512i T[R][L];
  for (size_t t = 0; t < tiles; t++) {
    const ptrdiff_t x0 = ix0 + ptrdiff_t(t) * m;
    char* ut = reinterpret_cast<char*>(u) + t * u_tile_stride;
    for (size_t c0 = 0; c0 < kc; c0 += 32) {
      const size_t n = ic - c0 < 32 ? ic - c0 : 32, ns = kc - c0 < 32 ? kc - c0 : 32;
      const __mmask32 mload = n >= 32 ? ~__mmask32(0) : (__mmask32(1) << n) - 1;
      const __mmask32 mstore = ns >= 32 ? ~__mmask32(0) : (__mmask32(1) << ns) - 1;
      first_pass<A, kSigned, kZp>(rows, ic, x0, w, c0, mload, vzp, T);
      for (int i = 0; i < R; i++) {
        __m512i a0[L];
        for (int b = 0; b < L; b++) a0[b] = T[i][b];
        char* ui = ut + size_t(i) * R * u_point_stride + 2 * c0;
        // U[i][j] = Σ_b Bᵀ[j][b] T[i][b]
        if (ns == 32) {
          tf_rows<ops16, bt_mat<A>, R, L>(a0, [&](int j, __m512i v) __attribute__((always_inline)) {
            _mm512_storeu_si512(ui + size_t(j) * u_point_stride, v);
          });
        } else {
          tf_rows<ops16, bt_mat<A>, R, L>(a0, [&](int j, __m512i v) __attribute__((always_inline)) {
            _mm512_mask_storeu_epi16(ui + size_t(j) * u_point_stride, mstore, v);
          });
        }
      }
    }
  }
}

template <class A, bool kSigned>
void input_dispatch(size_t ic, size_t tiles, const void* const* rows, ptrdiff_t ix0, size_t w,
                    int16_t* u, size_t ups, size_t uts, const sfc_q16_input_params* params) {
  if (params->zero_point != 0)
    input_avx512<A, kSigned, true>(ic, tiles, rows, ix0, w, u, ups, uts, params);
  else
    input_avx512<A, kSigned, false>(ic, tiles, rows, ix0, w, u, ups, uts, params);
}

using u8_t = std::false_type;
using s8_t = std::true_type;

}  // namespace

#define SFC_Q16_INPUT(isa, tile, src, fn) SFC_Q16_INPUT_##isa(tile, src, fn)
#define SFC_Q16_INPUT_scalar(tile, src, fn)
#define SFC_Q16_INPUT_avx2(tile, src, fn)
#define SFC_Q16_INPUT_neon(tile, src, fn)
#define SFC_Q16_INPUT_avx512vnni(tile, src, fn)                                               \
  extern "C" void fn(size_t ic, size_t tiles, const void* const* rows, ptrdiff_t ix0,         \
                     size_t w, int16_t* u, size_t ups, size_t uts,                            \
                     const sfc_q16_input_params* params) {                                    \
    input_dispatch<q8_tf_##tile, src##_t::value>(ic, tiles, rows, ix0, w, u, ups, uts, params); \
  }
#define SFC_Q16_BGEMM(isa, fn, mr, nr, prod)
#define SFC_Q16_OUTPUT(isa, tile, fn)
#include "kernels/fastconv/q16-ukernels.inc"
