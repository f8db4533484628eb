// Batched GEMM kernels, AVX2 (q8-ukernels.h), two families:
//
// …c4__avx2 (MR × NR, prod): register blocks of MR tiles × 8·NV channels (NV = 2 or 4 int32
// vectors). Without VNNI the u8×s8 product goes through vpmaddubsw, whose int16 pair sums
// saturate (baselines.md §11): with U = Uq + 128 up to 255 a pair reaches 2·255·127 > 32767. The
// kernels therefore multiply the signed Uq = U ^ 0x80 and move its sign onto the weights:
//   vpmaddubsw(|Uq|, Vq·sign(Uq)) = Uq·Vq per byte, |pair| ≤ 2·128·127 = 32512 (exact),
//   vpmaddwd(·, 1) → int32 per 4 channels, vpaddd into the accumulator.
// That is Σ Uq·Vq directly, which equals Σ U·Vq + comp for comp = −128·ΣVq as the contract packs
// it, so comp is not read; exact for any U byte and |Vq| ≤ 127 (Vq = −128 is outside the
// contract). Uq, |Uq| and sign(Uq) are staged per tile block into a stack buffer once (for all
// channel groups of the call), so the k-loop only broadcasts them.
//
// …c4__avx2_madd (prod = 0): Uq and Vq widened to int16, vpmaddwd + vpaddd; exact for any bytes
// and any comp (it adds comp + 128·ΣVq). Measured 5–10 % slower than the vpmaddubsw form.
//
// Epilogue as every ISA: mi = cvtps2dq(clamp(float(M)·coef)) (round half even in the default
// MXCSR mode; the bounds are integers, so clamping before or after rounding is the same).
// Measured on the Zen 5 development machine (one thread, loaded 2-vCPU VM, thread CPU time):
// 2x32 ≈ 4x32 ≈ 4x64 ≈ 65 GMAC/s > 4x16 62 > 4x16 madd 59 per kernel call (kc = 64, 12 tiles,
// 64 channels); in the layer 4x64 loses at 28²×128 (mi of a block no longer stays in L2), 2x32
// is the best or equal everywhere.
#include <immintrin.h>

#include <cassert>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "kernels/fastconv/q8-ukernels.h"

namespace {

// acc += Σ₄ Uq·Vq per int32 lane: vpmaddubsw(|Uq|, Vq·sign(Uq)), vpmaddwd with ones, vpaddd.
// Vq·sign(Uq) is computed two ways, used for alternate vectors (dot4_sign / dot4_mask):
// vpsignb takes one op but runs on the two pipes that also do the two multiplies (Zen 4/5,
// Skylake), (Vq ^ m) − m with m = (Uq < 0 ? −1 : 0) takes two ops on any pipe. Measured on Zen 5
// (256-MAC step, 4 tiles × 2 vectors): sign only 74, mask only 83, alternating 87 GMAC/s; on
// Skylake-class cores the mix costs the same as vpsignb alone (p0/p1 bound either way).
// One inline-asm statement each: GCC 12 spills and copies the accumulators of intrinsics.
inline void dot4_sign(__m256i& acc, __m256i ua, __m256i uq, __m256i w, __m256i ones) {
  __m256i t;
  asm("vpsignb %[uq], %[w], %[t]\n\t"
      "vpmaddubsw %[t], %[ua], %[t]\n\t"
      "vpmaddwd %[ones], %[t], %[t]\n\t"
      "vpaddd %[t], %[acc], %[acc]"
      : [acc] "+x"(acc), [t] "=&x"(t)
      : [ua] "x"(ua), [uq] "x"(uq), [w] "x"(w), [ones] "x"(ones));
}
inline void dot4_mask(__m256i& acc, __m256i ua, __m256i um, __m256i w, __m256i ones) {
  __m256i t;
  asm("vpxor %[um], %[w], %[t]\n\t"
      "vpsubb %[um], %[t], %[t]\n\t"
      "vpmaddubsw %[t], %[ua], %[t]\n\t"
      "vpmaddwd %[ones], %[t], %[t]\n\t"
      "vpaddd %[t], %[acc], %[acc]"
      : [acc] "+x"(acc), [t] "=&x"(t)
      : [ua] "x"(ua), [um] "x"(um), [w] "x"(w), [ones] "x"(ones));
}

inline __m256i bcast4(const uint8_t* p) {
  int32_t v;
  std::memcpy(&v, p, 4);
  return _mm256_set1_epi32(v);
}

constexpr size_t kStage = 256;  // channels staged per pass of tile_block

// Accumulators of one tile row: NV ≤ 4 named vectors (GCC 12 keeps arrays of accumulators in
// memory; named locals stay in registers).
template <int NV>
struct acc_row {
  __m256i v0, v1, v2, v3;
  void zero() { v0 = v1 = v2 = v3 = _mm256_setzero_si256(); }
  // One k-step of 4 channels: Uq, |Uq| and the sign mask broadcast from the staged copies
  // (s, s + kStage, s + 2·kStage), weights b0..b3.
  void step(const uint8_t* s, __m256i ones, __m256i b0, __m256i b1, __m256i b2, __m256i b3) {
    const __m256i uq = bcast4(s), ua = bcast4(s + kStage), um = bcast4(s + 2 * kStage);
    dot4_sign(v0, ua, uq, b0, ones);
    dot4_mask(v1, ua, um, b1, ones);
    if constexpr (NV > 2) {
      dot4_sign(v2, ua, uq, b2, ones);
      dot4_mask(v3, ua, um, b3, ones);
    }
  }
  __m256i get(int j) const { return j == 0 ? v0 : j == 1 ? v1 : j == 2 ? v2 : v3; }
};

// Uq = u ^ 0x80, |Uq| and (Uq < 0 ? 0xff : 0) of n bytes (n % 4 == 0, n ≤ kStage) into
// s[0 .. n), s[kStage ..), s[2·kStage ..), whole vectors; the tail is read with a dword mask,
// never past n.
inline void stage(const uint8_t* u, size_t n, uint8_t* s) {
  const __m256i vsign = _mm256_set1_epi8(int8_t(0x80));
  for (size_t k = 0; k < n; k += 32) {
    __m256i x;
    if (n - k >= 32) {
      x = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(u + k));
    } else {
      const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
      const __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(int32_t((n - k) / 4)), lane);
      x = _mm256_maskload_epi32(reinterpret_cast<const int*>(u + k), mask);
    }
    x = _mm256_xor_si256(x, vsign);
    _mm256_store_si256(reinterpret_cast<__m256i*>(s + k), x);
    _mm256_store_si256(reinterpret_cast<__m256i*>(s + kStage + k), _mm256_abs_epi8(x));
    _mm256_store_si256(reinterpret_cast<__m256i*>(s + 2 * kStage + k),
                       _mm256_cmpgt_epi8(_mm256_setzero_si256(), x));
  }
}

// One block of MR tiles × ncp channels, in groups of 8·NV channels (one MR × NV register block
// each): a = U rows of MR tiles (stride a_stride), vq = weights of one point ([kc/4][ncp][4]),
// coef = [ncp] floats, c = mi rows (stride c_stride, bytes). Uq, |Uq| and the sign mask are
// staged per kStage channels, once for all groups when kc ≤ kStage, so the k-loop does no
// per-tile ALU work besides the products.
template <int MR, int NV, bool kClamp>
inline void tile_block(size_t kc, const uint8_t* a, size_t a_stride, const int8_t* vq,
                       size_t ncp, const float* coef, char* c, size_t c_stride, __m256 vlim) {
  static_assert(MR >= 1 && MR <= 4 && (NV == 2 || NV == 4), "supported block shapes");
  const __m256i vone = _mm256_set1_epi16(1);
  const __m256 vnlim = _mm256_sub_ps(_mm256_setzero_ps(), vlim);
  alignas(32) uint8_t st[MR][3 * kStage];
  for (size_t g = 0; g < ncp; g += 8 * NV) {
    acc_row<NV> r0, r1, r2, r3;
    r0.zero(), r1.zero(), r2.zero(), r3.zero();
    for (size_t kb = 0; kb < kc; kb += kStage) {
      const size_t kl = kc - kb < kStage ? kc - kb : kStage;
      if (g == 0 || kc > kStage)
        for (int i = 0; i < MR; i++) stage(a + i * a_stride + kb, kl, st[i]);
      const int8_t* wk = vq + kb * ncp + 4 * g;
      for (size_t k = 0; k < kl; k += 4, wk += 4 * ncp) {
        const __m256i b0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wk));
        const __m256i b1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wk + 32));
        __m256i b2 = b0, b3 = b1;
        if constexpr (NV > 2) {
          b2 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wk + 64));
          b3 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wk + 96));
        }
        r0.step(st[0] + k, vone, b0, b1, b2, b3);
        if constexpr (MR > 1) r1.step(st[MR > 1 ? 1 : 0] + k, vone, b0, b1, b2, b3);
        if constexpr (MR > 2) r2.step(st[MR > 2 ? 2 : 0] + k, vone, b0, b1, b2, b3);
        if constexpr (MR > 3) r3.step(st[MR > 3 ? 3 : 0] + k, vone, b0, b1, b2, b3);
      }
    }
    for (int j = 0; j < NV; j++) {
      const __m256 vc = _mm256_loadu_ps(coef + g + 8 * j);
      for (int i = 0; i < MR; i++) {
        const __m256i acc = (i == 0 ? r0 : i == 1 ? r1 : i == 2 ? r2 : r3).get(j);
        __m256 f = _mm256_mul_ps(_mm256_cvtepi32_ps(acc), vc);
        if (kClamp) f = _mm256_min_ps(_mm256_max_ps(f, vnlim), vlim);
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(c + i * c_stride + 4 * g + 32 * j),
                            _mm256_cvtps_epi32(f));
      }
    }
  }
}

template <int MR, int NV, bool kClamp>
void bgemm_nv(size_t points, size_t tiles, size_t kc, size_t ncp, const uint8_t* u,
              size_t u_point_stride, size_t u_tile_stride, const uint8_t* w,
              size_t w_point_stride, char* m, size_t m_point_stride, size_t m_tile_stride,
              __m256 vlim) {
  for (size_t p = 0; p < points; p++) {
    const uint8_t* up = u + p * u_point_stride;
    const uint8_t* wp = w + p * w_point_stride;
    const auto* coef = reinterpret_cast<const float*>(wp + 4 * ncp);
    const auto* vq = reinterpret_cast<const int8_t*>(wp + 8 * ncp);
    char* mp = m + p * m_point_stride;
    size_t t = 0;
    for (; t + MR <= tiles; t += MR)
      tile_block<MR, NV, kClamp>(kc, up + t * u_tile_stride, u_tile_stride, vq, ncp, coef,
                                 mp + t * m_tile_stride, m_tile_stride, vlim);
    const size_t rest = tiles - t;
    const uint8_t* ur = up + t * u_tile_stride;
    char* mr = mp + t * m_tile_stride;
    switch (rest) {  // remainder tiles: one smaller block
#define SFC_REST(r)                                                                           \
  case r:                                                                                     \
    if constexpr (r < MR)                                                                     \
      tile_block<r, NV, kClamp>(kc, ur, u_tile_stride, vq, ncp, coef, mr, m_tile_stride,     \
                                vlim);                                                        \
    break;
      SFC_REST(1) SFC_REST(2) SFC_REST(3)
#undef SFC_REST
      default:
        break;
    }
  }
}

// MR tiles × NR channels; register blocks of 8·NV channels (NV = 4 only when ncp allows).
template <int MR, int NR, int NV>
void bgemm(size_t points, size_t tiles, size_t kc, size_t nc, const uint8_t* u,
           size_t u_point_stride, size_t u_tile_stride, const void* w, size_t w_point_stride,
           int32_t* m, size_t m_point_stride, size_t m_tile_stride,
           const sfc_q8_bgemm_params* params) {
  assert(kc % 4 == 0 && nc >= 1 && nc <= size_t(NR));
  static_assert(MR <= 4, "remainder switch covers MR ≤ 4");
  const __m256 vlim = _mm256_set1_ps(params->mi_limit);
  const auto* wb = static_cast<const uint8_t*>(w);
  char* mb = reinterpret_cast<char*>(m);
  const size_t ncp = (nc + 15) / 16 * 16;
  auto run = [&](auto nv, auto clamp) {
    bgemm_nv<MR, decltype(nv)::value, decltype(clamp)::value>(
        points, tiles, kc, ncp, u, u_point_stride, u_tile_stride, wb, w_point_stride, mb,
        m_point_stride, m_tile_stride, vlim);
  };
  using nv2 = std::integral_constant<int, 2>;
  using nvr = std::integral_constant<int, NV>;
  if (NV == 4 && ncp % 32 == 0)
    params->clamp ? run(nvr(), std::true_type()) : run(nvr(), std::false_type());
  else
    params->clamp ? run(nv2(), std::true_type()) : run(nv2(), std::false_type());
}

// ---------------------------------------------------------------------------------------------
// int16 variant (…c4s16): Uq and Vq sign-extended to int16, vpmaddwd + vpaddd per 16 MACs. Exact
// for any bytes and any comp (Σ U·Vq + comp = Σ Uq·Vq + 128·ΣVq + comp, ΣVq taken while the
// weights are widened). Per call and point the weights of up to kPass channels are widened once
// into a stack buffer ([k/4][4][16] int16: vector v = channels 4v..4v+3 × 4 k), U once per tile
// block; the inner loop is then vpbroadcastq + 4 × (vpmaddwd ymm, ymm, m256 + vpaddd) per tile.
// Lanes hold (oc, k-pair) sums; vphaddd + vpermq restore 8 channels per vector at the end.
// Partial sums of a longer reduction pass through mi as int32.
constexpr size_t kPass = 512;

struct acc4 {
  __m256i v0, v1, v2, v3;
  void zero() { v0 = v1 = v2 = v3 = _mm256_setzero_si256(); }
  void step(const int16_t* u, const int16_t* w) {
    int64_t q;
    std::memcpy(&q, u, 8);
    const __m256i a = _mm256_set1_epi64x(q);
    const auto* wv = reinterpret_cast<const __m256i*>(w);
    madd(v0, a, wv), madd(v1, a, wv + 1), madd(v2, a, wv + 2), madd(v3, a, wv + 3);
  }
  // acc += vpmaddwd(a, *w), the weights as a memory operand (inline asm: GCC 12 otherwise hoists
  // the weight loads into registers and spills the accumulators).
  static void madd(__m256i& acc, __m256i a, const __m256i* w) {
    __m256i t;
    asm("vpmaddwd %[w], %[a], %[t]\n\t"
        "vpaddd %[t], %[acc], %[acc]"
        : [acc] "+x"(acc), [t] "=&x"(t)
        : [a] "x"(a), [w] "m"(*w));
  }
  // Σ over k-pairs, channels 0–7 and 8–15.
  __m256i lo() const { return _mm256_permute4x64_epi64(_mm256_hadd_epi32(v0, v1), 0xD8); }
  __m256i hi() const { return _mm256_permute4x64_epi64(_mm256_hadd_epi32(v2, v3), 0xD8); }
};

// Uq (= u ^ 0x80) of n bytes (n % 4 == 0) as int16; the tail is read with a dword mask.
inline void stage_u16(const uint8_t* u, size_t n, int16_t* dst) {
  const __m128i vsign = _mm_set1_epi8(int8_t(0x80));
  for (size_t k = 0; k < n; k += 16) {
    __m128i x;
    if (n - k >= 16) {
      x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(u + k));
    } else {
      const __m128i mask = _mm_cmpgt_epi32(_mm_set1_epi32(int32_t((n - k) / 4)), _mm_setr_epi32(0, 1, 2, 3));
      x = _mm_maskload_epi32(reinterpret_cast<const int*>(u + k), mask);
    }
    _mm256_store_si256(reinterpret_cast<__m256i*>(dst + k), _mm256_cvtepi8_epi16(_mm_xor_si128(x, vsign)));
  }
}

// Weights of n channels (16 output channels, [n/4][16][4] bytes) widened to int16; sw0 / sw1 +=
// Σ Vq of channels 0–7 / 8–15.
inline void stage_w16(const int8_t* vq, size_t n, int16_t* dst, __m256i& sw0, __m256i& sw1) {
  const __m256i ones8 = _mm256_set1_epi8(1), ones16 = _mm256_set1_epi16(1);
  for (size_t k = 0; k < n; k += 4, vq += 64, dst += 64) {
    for (int v = 0; v < 4; v++)
      _mm256_store_si256(reinterpret_cast<__m256i*>(dst + 16 * v),
                         _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(vq + 16 * v))));
    const __m256i b0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(vq));
    const __m256i b1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(vq + 32));
    sw0 = _mm256_add_epi32(sw0, _mm256_madd_epi16(_mm256_maddubs_epi16(ones8, b0), ones16));
    sw1 = _mm256_add_epi32(sw1, _mm256_madd_epi16(_mm256_maddubs_epi16(ones8, b1), ones16));
  }
}

struct pass16 {
  bool first, last;
  __m256i corr0, corr1;  // comp + 128·ΣVq (last pass)
  const float* coef;
  __m256 vlim;
};

inline void finish16(__m256i s, int j, char* c, const pass16& ps, bool clamp) {
  auto* dst = reinterpret_cast<__m256i*>(c + 32 * j);
  if (!ps.first) s = _mm256_add_epi32(s, _mm256_loadu_si256(dst));
  if (!ps.last) {
    _mm256_storeu_si256(dst, s);
    return;
  }
  s = _mm256_add_epi32(s, j == 0 ? ps.corr0 : ps.corr1);
  __m256 f = _mm256_mul_ps(_mm256_cvtepi32_ps(s), _mm256_loadu_ps(ps.coef + 8 * j));
  if (clamp) f = _mm256_min_ps(_mm256_max_ps(f, _mm256_sub_ps(_mm256_setzero_ps(), ps.vlim)), ps.vlim);
  _mm256_storeu_si256(dst, _mm256_cvtps_epi32(f));
}

template <int MR>
inline void block16(size_t kl, const uint8_t* a, size_t a_stride, const int16_t* w16, char* c,
                    size_t c_stride, const pass16& ps, bool clamp) {
  static_assert(MR >= 1 && MR <= 3, "3 × 4 accumulators fill 12 of 16 registers");
  alignas(32) int16_t u16[MR][kPass];
  for (int i = 0; i < MR; i++) stage_u16(a + i * a_stride, kl, u16[i]);
  acc4 r0, r1, r2;
  r0.zero(), r1.zero(), r2.zero();
  for (size_t k = 0; k < kl; k += 4) {
    const int16_t* wk = w16 + 16 * k;
    r0.step(u16[0] + k, wk);
    if constexpr (MR > 1) r1.step(u16[MR > 1 ? 1 : 0] + k, wk);
    if constexpr (MR > 2) r2.step(u16[MR > 2 ? 2 : 0] + k, wk);
  }
  for (int i = 0; i < MR; i++) {
    const acc4& r = i == 0 ? r0 : i == 1 ? r1 : r2;
    finish16(r.lo(), 0, c + i * c_stride, ps, clamp);
    finish16(r.hi(), 1, c + i * c_stride, ps, clamp);
  }
}

template <int MR>
void bgemm16(size_t points, size_t tiles, size_t kc, size_t nc, const uint8_t* u,
             size_t u_point_stride, size_t u_tile_stride, const void* w, size_t w_point_stride,
             int32_t* m, size_t m_point_stride, size_t m_tile_stride,
             const sfc_q8_bgemm_params* params) {
  assert(kc % 4 == 0 && nc >= 1 && nc <= 16);
  (void)nc;
  alignas(32) int16_t w16[16 * kPass];
  const bool clamp = params->clamp != 0;
  for (size_t p = 0; p < points; p++) {
    const uint8_t* up = u + p * u_point_stride;
    const uint8_t* wp = static_cast<const uint8_t*>(w) + p * w_point_stride;
    char* mp = reinterpret_cast<char*>(m) + p * m_point_stride;
    pass16 ps;
    ps.coef = reinterpret_cast<const float*>(wp + 64);
    ps.vlim = _mm256_set1_ps(params->mi_limit);
    __m256i sw0 = _mm256_setzero_si256(), sw1 = sw0;
    for (size_t kb = 0; kb < kc; kb += kPass) {
      const size_t kl = kc - kb < kPass ? kc - kb : kPass;
      stage_w16(reinterpret_cast<const int8_t*>(wp + 128) + kb * 16, kl, w16, sw0, sw1);
      ps.first = kb == 0, ps.last = kb + kl == kc;
      ps.corr0 = _mm256_add_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(wp)),
                                  _mm256_slli_epi32(sw0, 7));
      ps.corr1 = _mm256_add_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(wp + 32)),
                                  _mm256_slli_epi32(sw1, 7));
      size_t t = 0;
      for (; t + MR <= tiles; t += MR)
        block16<MR>(kl, up + t * u_tile_stride + kb, u_tile_stride, w16, mp + t * m_tile_stride,
                    m_tile_stride, ps, clamp);
      const uint8_t* ur = up + t * u_tile_stride + kb;
      char* mr = mp + t * m_tile_stride;
      if (tiles - t == 1) block16<1>(kl, ur, u_tile_stride, w16, mr, m_tile_stride, ps, clamp);
      if (tiles - t == 2) block16<MR == 3 ? 2 : 1>(kl, ur, u_tile_stride, w16, mr, m_tile_stride, ps, clamp);
    }
  }
}

}  // namespace

#define SFC_Q8_BGEMM(isa, fn, mr, nr, prod) SFC_Q8_BGEMM_##isa(fn, mr, nr)
#define SFC_Q8_BGEMM_scalar(fn, mr, nr)
#define SFC_Q8_BGEMM_avx512vnni(fn, mr, nr)
// Each avx2 entry picks its family by name: …c4__avx2 (vpmaddubsw), …c4__avx2_madd (int16).
#define SFC_Q8_BGEMM_avx2(fn, mr, nr) SFC_AVX2_BGEMM_##fn(fn, mr, nr)
#define SFC_AVX2_BGEMM_DEFINE(fn, impl)                                                       \
  extern "C" void fn(size_t points, size_t tiles, size_t kc, size_t nc, const uint8_t* u,     \
                     size_t ups, size_t uts, const void* w, size_t wps, int32_t* m,           \
                     size_t mps, size_t mts, const sfc_q8_bgemm_params* params) {             \
    impl(points, tiles, kc, nc, u, ups, uts, w, wps, m, mps, mts, params);                    \
  }
#define SFC_AVX2_BGEMM_sfc_qs8_sfc_bgemm_fp32_ukernel_3x16c4__avx2_madd(fn, mr, nr) \
  SFC_AVX2_BGEMM_DEFINE(fn, bgemm16<mr>)
#define SFC_AVX2_BGEMM_sfc_qs8_sfc_bgemm_fp32_ukernel_4x64c4__avx2(fn, mr, nr) \
  SFC_AVX2_BGEMM_DEFINE(fn, (bgemm<mr, nr, 2>))
#define SFC_AVX2_BGEMM_sfc_qs8_sfc_bgemm_fp32_ukernel_4x32c4__avx2(fn, mr, nr) \
  SFC_AVX2_BGEMM_DEFINE(fn, (bgemm<mr, nr, 2>))
#define SFC_AVX2_BGEMM_sfc_qs8_sfc_bgemm_fp32_ukernel_4x16c4__avx2(fn, mr, nr) \
  SFC_AVX2_BGEMM_DEFINE(fn, (bgemm<mr, nr, 2>))
#define SFC_AVX2_BGEMM_sfc_qs8_sfc_bgemm_fp32_ukernel_2x32c4__avx2(fn, mr, nr) \
  SFC_AVX2_BGEMM_DEFINE(fn, (bgemm<mr, nr, 4>))
#define SFC_Q8_INPUT(isa, tile, src, fn)
#define SFC_Q8_OUTPUT(isa, tile, fn)
#include "kernels/fastconv/q8-ukernels.inc"
