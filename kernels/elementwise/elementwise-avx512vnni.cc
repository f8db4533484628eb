// elementwise.h kernels compiled for AVX-512 (F/BW; the avx512vnni tier): the loops of elementwise-impl.h, vectorized by the
// compiler for this file's flags. gemm_nb = 32 (four vector registers of double accumulators).
//
// FMA contraction is turned off for the whole translation unit (before any include, so inlined
// library code agrees): a·t + b·r must round both products, as the portable reference does.
#if defined(__clang__)
#pragma clang fp contract(off)
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif
// GCC 12 warns inside its own AVX-512 headers (GCC bug 105593); the pragmas precede the include.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "kernels/elementwise/elementwise.h"

namespace sfc {
namespace {
#include "kernels/elementwise/elementwise-impl.h"

// The residual add written out: the compiler's version of ew_residual_loop turns the clamp into
// compares and mask blends and the narrowing into word shuffles (~70 µs for 56²×64). Same
// expressions: a·t and b·r rounded separately (no FMA), clamp to [lo, hi] (integers, so before
// rounding equals after), round half to even (vcvtps2dq in the default rounding mode).
template <class R>
inline __m512 ew_widen(const void* p) {
  const __m128i x = _mm_loadu_si128(static_cast<const __m128i*>(p));
  return _mm512_cvtepi32_ps(std::is_signed<R>::value ? _mm512_cvtepi8_epi32(x) : _mm512_cvtepu8_epi32(x));
}
template <class R, class D, bool kRelu>
void ew_residual_avx512(const int8_t* t, const void* rv, void* dv, size_t n, float a, float b) {
  constexpr bool kSigned = std::is_signed<D>::value;
  const __m512 va = _mm512_set1_ps(a), vb = _mm512_set1_ps(b);
  const __m512 lo = _mm512_set1_ps(kRelu || !kSigned ? 0.f : -128.f);
  const __m512 hi = _mm512_set1_ps(kSigned ? 127.f : 255.f);
  const uint8_t* r = static_cast<const uint8_t*>(rv);
  uint8_t* d = static_cast<uint8_t*>(dv);
  auto one = [&](size_t i) {
    const __m512 f = _mm512_add_ps(_mm512_mul_ps(va, ew_widen<int8_t>(t + i)),
                                   _mm512_mul_ps(vb, ew_widen<R>(r + i)));
    return _mm512_cvtps_epi32(_mm512_min_ps(_mm512_max_ps(f, lo), hi));
  };
  size_t i = 0;
  for (; i + 64 <= n; i += 64) {  // 4 × 16 values, narrowed with exact saturating packs
    const __m512i ab = _mm512_packs_epi32(one(i), one(i + 16));
    const __m512i cd = _mm512_packs_epi32(one(i + 32), one(i + 48));
    const __m512i x = kSigned ? _mm512_packs_epi16(ab, cd) : _mm512_packus_epi16(ab, cd);
    const __m512i idx = _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
    _mm512_storeu_si512(d + i, _mm512_permutexvar_epi32(idx, x));
  }
  if (i < n) ew_residual_loop<R, D, kRelu>(t + i, reinterpret_cast<const R*>(r + i),
                                           reinterpret_cast<D*>(d + i), n - i, a, b);
}
template <class R, class D>
void ew_residual_add_avx512(const int8_t* t, const void* r, void* dst, size_t n, float a, float b,
                            bool relu) {
  if (relu)
    ew_residual_avx512<R, D, true>(t, r, dst, n, a, b);
  else
    ew_residual_avx512<R, D, false>(t, r, dst, n, a, b);
}

elementwise_kernels make_avx512_table() {
  elementwise_kernels k = ew_make_table<32>("avx512vnni");
  k.residual_add[0][0] = ew_residual_add_avx512<uint8_t, uint8_t>;
  k.residual_add[0][1] = ew_residual_add_avx512<uint8_t, int8_t>;
  k.residual_add[1][0] = ew_residual_add_avx512<int8_t, uint8_t>;
  k.residual_add[1][1] = ew_residual_add_avx512<int8_t, int8_t>;
  return k;
}

}  // namespace

namespace detail {
const elementwise_kernels& elementwise_kernels_avx512vnni() {
  static const elementwise_kernels k = make_avx512_table();
  return k;
}
}  // namespace detail
}  // namespace sfc
