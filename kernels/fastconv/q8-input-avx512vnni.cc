// Input transform kernels, AVX-512 (q8-ukernels.h): 32 channels per int16 vector, two vectors
// (64 channels) requantized with vpmulhrsw, packed with one vpacksswb (the kc channel order),
// clamped to ±qmax, +128 by xor 0x80. A last group of ≤ 32 channels uses vpmovswb (natural order).
// GCC 12 warns inside its own AVX-512 headers (the _mm*_undefined_*() self-initialisation,
// GCC bug 105593); the pragmas must precede the include.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include <cassert>
#include <cstdint>
#include <type_traits>
#include <utility>

#include "kernels/fastconv/q8-tables.h"
#include "kernels/fastconv/q8-ukernels.h"

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
  // Channels outside the mask are padding: X = 0 there (not −zp).
  if constexpr (kZp) return _mm512_maskz_sub_epi16(mask, x, vzp);
  return x;
}

// First pass for one half (≤ 32 channels from channel ch): T[i][b] = Σ_a Bᵀ[i][a] X[a][b].
template <class A, bool kSigned, bool kZp>
SFC_TF_INLINE void first_pass(const void* const* rows, size_t ic, ptrdiff_t x0, size_t w, size_t ch,
                       __mmask32 mask, __m512i vzp, __m512i (*T)[A::L]) {
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
                  uint8_t* u, size_t u_point_stride, size_t u_tile_stride,
                  const sfc_q8_input_params* params) {
  constexpr int L = A::L, R = A::R, m = A::m;
  assert(params->qmax >= 1 && params->qmax <= 127);
  const __m512i vzp = _mm512_set1_epi16(int16_t(params->zero_point));
  const __m512i vmax = _mm512_set1_epi8(int8_t(params->qmax));
  const __m512i vmin = _mm512_set1_epi8(int8_t(-params->qmax));
  const __m512i vsign = _mm512_set1_epi8(int8_t(0x80));
  const int16_t* mul = params->mul;
  alignas(64) __m512i T0[R][L], T1[R][L];
  for (size_t t = 0; t < tiles; t++) {
    const ptrdiff_t x0 = ix0 + ptrdiff_t(t) * m;
    uint8_t* ut = u + t * u_tile_stride;
    for (size_t c0 = 0; c0 < ic; c0 += 64) {
      const size_t n = ic - c0 < 64 ? ic - c0 : 64;
      if (n > 32) {  // two halves, one pack
        const size_t n1 = n - 32;
        const __mmask32 m1 = n1 >= 32 ? ~__mmask32(0) : (__mmask32(1) << n1) - 1;
        first_pass<A, kSigned, kZp>(rows, ic, x0, w, c0, ~__mmask32(0), vzp, T0);
        first_pass<A, kSigned, kZp>(rows, ic, x0, w, c0 + 32, m1, vzp, T1);
        for (int i = 0; i < R; i++) {
          __m512i a0[L], a1[L];
          for (int b = 0; b < L; b++) a0[b] = T0[i][b], a1[b] = T1[i][b];
          uint8_t* ui = ut + size_t(i) * R * u_point_stride + c0;
          const int16_t* mi = mul + i * R;
          // Both halves per output j: U = Σ_b Bᵀ[j][b] T[i][b].
          tf_rows2<ops16, bt_mat<A>, R, L>(a0, a1, [&](int j, __m512i v0, __m512i v1) __attribute__((always_inline)) {
            const __m512i vm = _mm512_set1_epi16(mi[j]);
            __m512i q = _mm512_packs_epi16(_mm512_mulhrs_epi16(v0, vm), _mm512_mulhrs_epi16(v1, vm));
            q = _mm512_min_epi8(_mm512_max_epi8(q, vmin), vmax);
            _mm512_storeu_si512(ui + size_t(j) * u_point_stride, _mm512_xor_si512(q, vsign));
          });
        }
      } else {  // last group of ≤ 32 channels: natural order, kc padded to a multiple of 4
        const __mmask32 m0 = n >= 32 ? ~__mmask32(0) : (__mmask32(1) << n) - 1;
        const size_t n4 = (n + 3) / 4 * 4;
        const __mmask32 ms = n4 >= 32 ? ~__mmask32(0) : (__mmask32(1) << n4) - 1;
        first_pass<A, kSigned, kZp>(rows, ic, x0, w, c0, m0, vzp, T0);
        for (int i = 0; i < R; i++) {
          __m512i a0[L];
          for (int b = 0; b < L; b++) a0[b] = T0[i][b];
          uint8_t* ui = ut + size_t(i) * R * u_point_stride + c0;
          const int16_t* mi = mul + i * R;
          tf_rows<ops16, bt_mat<A>, R, L>(a0, [&](int j, __m512i v0) __attribute__((always_inline)) {
            const __m512i vm = _mm512_set1_epi16(mi[j]);
            __m256i q = _mm512_cvtsepi16_epi8(_mm512_mulhrs_epi16(v0, vm));
            q = _mm256_min_epi8(_mm256_max_epi8(q, _mm512_castsi512_si256(vmin)),
                                _mm512_castsi512_si256(vmax));
            q = _mm256_xor_si256(q, _mm512_castsi512_si256(vsign));
            _mm256_mask_storeu_epi8(ui + size_t(j) * u_point_stride, ms, q);
          });
        }
      }
    }
  }
}

template <class A, bool kSigned>
void input_dispatch(size_t ic, size_t tiles, const void* const* rows, ptrdiff_t ix0, size_t w,
                    uint8_t* u, size_t ups, size_t uts, const sfc_q8_input_params* params) {
  if (params->zero_point != 0)
    input_avx512<A, kSigned, true>(ic, tiles, rows, ix0, w, u, ups, uts, params);
  else
    input_avx512<A, kSigned, false>(ic, tiles, rows, ix0, w, u, ups, uts, params);
}

}  // namespace

namespace {
using u8_t = std::false_type;
using s8_t = std::true_type;
}  // namespace

#define SFC_Q8_INPUT(isa, tile, src, fn) SFC_Q8_INPUT_##isa(tile, src, fn)
#define SFC_Q8_INPUT_scalar(tile, src, fn)
#define SFC_Q8_INPUT_avx2(tile, src, fn)
#define SFC_Q8_INPUT_avx512vnni(tile, src, fn)                                                \
  extern "C" void fn(size_t ic, size_t tiles, const void* const* rows, ptrdiff_t ix0,         \
                     size_t w, uint8_t* u, size_t ups, size_t uts,                            \
                     const sfc_q8_input_params* params) {                                     \
    input_dispatch<q8_tf_##tile, src##_t::value>(ic, tiles, rows, ix0, w, u, ups, uts, params); \
  }
#define SFC_Q8_BGEMM(isa, fn, mr, nr, prod)
#define SFC_Q8_OUTPUT(isa, tile, fn)
#include "kernels/fastconv/q8-ukernels.inc"
