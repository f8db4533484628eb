// Input transform kernels, AVX2 (q8-ukernels.h): 16 channels per int16 vector. A full channel
// group of 64 is two pairs of vectors, channels {0–15, 32–47} and {16–31, 48–63}; each pair is
// requantized with vpmulhrsw ((U·mul + 2¹⁴) >> 15, exact: |U| ≤ 25500 fits int16 for every
// algorithm) and packed with one vpacksswb, which yields exactly the kc channel order; then
// clamp to ±qmax, +128 by xor 0x80. A last group of ≤ 32 channels (natural order) packs
// {0–15, 16–31} and restores the order with vpermq. Partial vectors are loaded through a buffer
// filled with the zero point (X = 0 there, so padding bytes come out as 0x80) and never read past
// the ic bytes of a pixel.
#include <immintrin.h>

#include <cassert>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <utility>

#include "kernels/fastconv/q8-tables.h"
#include "kernels/fastconv/q8-ukernels.h"

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

// 16 channels as int16 minus the zero point; n < 16 valid bytes read through a zp-filled buffer.
template <bool kSigned>
inline __m256i load_x(const uint8_t* p, size_t n, uint8_t zp_byte, __m256i vzp) {
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

// First pass for 16 channels from `ch` (n of them valid, 0 ≤ n ≤ 16):
// T[i][b] = Σ_a Bᵀ[i][a] X[a][b].
template <class A, bool kSigned>
inline void first_pass(const void* const* rows, size_t ic, ptrdiff_t x0, size_t w, size_t ch,
                       size_t n, uint8_t zp_byte, __m256i vzp, __m256i (*T)[A::L]) {
  constexpr int L = A::L, R = A::R;
  for (int b = 0; b < L; b++) {
    const ptrdiff_t ix = x0 + b;
    __m256i x[L];
    if (n > 0 && ix >= 0 && ix < ptrdiff_t(w)) {
      const size_t off = size_t(ix) * ic + ch;
      for (int a = 0; a < L; a++)
        x[a] = load_x<kSigned>(static_cast<const uint8_t*>(rows[a]) + off, n, zp_byte, vzp);
    } else {
      for (int a = 0; a < L; a++) x[a] = _mm256_setzero_si256();
    }
    tf_rows<ops16, bt_mat<A>, R, L>(x, [&](int i, __m256i v) { T[i][b] = v; });
  }
}

// One pair of 16-channel vectors (channels ch0.. and ch1.., n0 / n1 valid) for one tile, written
// as 32 bytes per point at ut + p·u_point_stride. kNatural: the pair is {0–15, 16–31} of a short
// group (restore natural order with vpermq, store only `store_bytes`, a multiple of 4).
// flatten: GCC 12 otherwise leaves the per-output lambda of the 12-output transform out of line.
template <class A, bool kSigned, bool kNatural>
__attribute__((flatten)) inline void pair(const void* const* rows, size_t ic, ptrdiff_t x0, size_t w, size_t ch0,
                 size_t n0, size_t ch1, size_t n1, uint8_t* ut, size_t u_point_stride,
                 size_t store_bytes, const int16_t* mul, uint8_t zp_byte, __m256i vzp,
                 __m256i vmin, __m256i vmax, __m256i (*T0)[A::L], __m256i (*T1)[A::L]) {
  constexpr int L = A::L, R = A::R;
  const __m256i vsign = _mm256_set1_epi8(int8_t(0x80));
  first_pass<A, kSigned>(rows, ic, x0, w, ch0, n0, zp_byte, vzp, T0);
  first_pass<A, kSigned>(rows, ic, x0, w, ch1, n1, zp_byte, vzp, T1);
  __m256i smask = _mm256_setzero_si256();
  if (kNatural) {
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    smask = _mm256_cmpgt_epi32(_mm256_set1_epi32(int32_t(store_bytes / 4)), lane);
  }
  for (int i = 0; i < R; i++) {
    __m256i a0[L], a1[L];
    for (int b = 0; b < L; b++) a0[b] = T0[i][b], a1[b] = T1[i][b];
    uint8_t* ui = ut + size_t(i) * R * u_point_stride;
    const int16_t* mi = mul + i * R;
    // U[i][j] = Σ_b Bᵀ[j][b] T[i][b] for both vectors, then requantize, pack, store.
    tf_rows2<ops16, bt_mat<A>, R, L>(a0, a1, [&](int j, __m256i v0, __m256i v1) {
      const __m256i vm = _mm256_set1_epi16(mi[j]);
      __m256i q = _mm256_packs_epi16(_mm256_mulhrs_epi16(v0, vm), _mm256_mulhrs_epi16(v1, vm));
      q = _mm256_xor_si256(_mm256_min_epi8(_mm256_max_epi8(q, vmin), vmax), vsign);
      uint8_t* dst = ui + size_t(j) * u_point_stride;
      if (kNatural) {
        q = _mm256_permute4x64_epi64(q, 0xD8);
        _mm256_maskstore_epi32(reinterpret_cast<int*>(dst), smask, q);
      } else {
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst), q);
      }
    });
  }
}

inline size_t clamp16(size_t n) { return n < 16 ? n : 16; }

template <class A, bool kSigned>
void input_avx2(size_t ic, size_t tiles, const void* const* rows, ptrdiff_t ix0, size_t w,
                uint8_t* u, size_t u_point_stride, size_t u_tile_stride,
                const sfc_q8_input_params* params) {
  constexpr int L = A::L, R = A::R, m = A::m;
  assert(params->qmax >= 1 && params->qmax <= 127);
  const uint8_t zp_byte = uint8_t(params->zero_point & 0xff);
  const __m256i vzp = _mm256_set1_epi16(int16_t(params->zero_point));
  const __m256i vmax = _mm256_set1_epi8(int8_t(params->qmax));
  const __m256i vmin = _mm256_set1_epi8(int8_t(-params->qmax));
  const int16_t* mul = params->mul;
  alignas(32) __m256i T0[R][L], T1[R][L];
  for (size_t t = 0; t < tiles; t++) {
    const ptrdiff_t x0 = ix0 + ptrdiff_t(t) * m;
    uint8_t* ut = u + t * u_tile_stride;
    for (size_t c0 = 0; c0 < ic; c0 += 64) {
      const size_t n = ic - c0 < 64 ? ic - c0 : 64;
      if (n > 32) {  // kc order: pairs {0–15, 32–47} → bytes 0–31, {16–31, 48–63} → 32–63
        const size_t n1 = n - 32;
        pair<A, kSigned, false>(rows, ic, x0, w, c0, 16, c0 + 32, clamp16(n1), ut + c0,
                                u_point_stride, 32, mul, zp_byte, vzp, vmin, vmax, T0, T1);
        pair<A, kSigned, false>(rows, ic, x0, w, c0 + 16, 16, c0 + 48,
                                n1 > 16 ? n1 - 16 : 0, ut + c0 + 32, u_point_stride, 32, mul,
                                zp_byte, vzp, vmin, vmax, T0, T1);
      } else {  // short last group: natural order, padded to a multiple of 4
        pair<A, kSigned, true>(rows, ic, x0, w, c0, clamp16(n), c0 + 16, n > 16 ? n - 16 : 0,
                               ut + c0, u_point_stride, (n + 3) / 4 * 4, mul, zp_byte, vzp,
                               vmin, vmax, T0, T1);
      }
    }
  }
}

}  // namespace

namespace {
using u8_t = std::false_type;
using s8_t = std::true_type;
}  // namespace

#define SFC_Q8_INPUT(isa, tile, src, fn) SFC_Q8_INPUT_##isa(tile, src, fn)
#define SFC_Q8_INPUT_scalar(tile, src, fn)
#define SFC_Q8_INPUT_avx512vnni(tile, src, fn)
#define SFC_Q8_INPUT_avx2(tile, src, fn)                                                      \
  extern "C" void fn(size_t ic, size_t tiles, const void* const* rows, ptrdiff_t ix0,         \
                     size_t w, uint8_t* u, size_t ups, size_t uts,                            \
                     const sfc_q8_input_params* params) {                                     \
    input_avx2<q8_tf_##tile, src##_t::value>(ic, tiles, rows, ix0, w, u, ups, uts, params);   \
  }
#define SFC_Q8_BGEMM(isa, fn, mr, nr, prod)
#define SFC_Q8_OUTPUT(isa, tile, fn)
#include "kernels/fastconv/q8-ukernels.inc"
