// Every SIMD kernel of the exact int8 layer families (q16-ukernels.h) against the scalar kernel of
// its family, bit-exactly, on random and worst-case data (the overflow probes: all max, all min,
// alternating extremes) and awkward shapes.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "kernels/algo/algorithm.h"
#include "kernels/common/quant.h"
#include "kernels/fastconv/q16-layer.h"
#include "kernels/isa.h"
#include "tests/fastconv/test-util.h"

namespace {

using namespace sfc;

const fastconv_algorithm& alg_of_tile(const std::string& tile) {
  for (const auto& a : all_algorithms())
    if (a.tile == tile) return a;
  throw std::runtime_error("no algorithm with tile " + tile);
}

bool runnable(isa_level l) { return l == isa_level::scalar || isa_supported(l); }

// The scalar output kernel of a tile (the reference of the SIMD ones), or null.
const fastconv_q16_output_desc* scalar_output_kernel(const std::string& tile) {
  for (const auto& s : fastconv_q16_output_kernels())
    if (s.isa == isa_level::scalar && tile == s.tile) return &s;
  return nullptr;
}

enum class pattern { random, max, min, alternating };
const pattern kPatterns[] = {pattern::random, pattern::max, pattern::min, pattern::alternating};

// ---------------------------------------------------------------------------------------------
// input transform

std::vector<int16_t> run_input(sfc_q16_input_ukernel_fn fn, const fastconv_algorithm& alg,
                               size_t ic, size_t h, size_t w, const std::vector<uint8_t>& img,
                               const std::vector<uint8_t>& zprow, int iy0, ptrdiff_t ix0,
                               size_t tiles, const sfc_q16_input_params& prm) {
  const size_t kc = sfc_q16_kc(ic), P = size_t(alg.R) * alg.R;
  const size_t uts = 2 * kc + 6, ups = tiles * uts + 64;  // deliberately odd strides (bytes)
  std::vector<int16_t> u(P * ups / 2 + 1, 0x5a5a);
  std::vector<const void*> rows(alg.L);
  for (int a = 0; a < alg.L; a++) {
    const int iy = iy0 + a;
    rows[a] = iy >= 0 && iy < int(h) ? img.data() + size_t(iy) * w * ic : zprow.data();
  }
  fn(ic, tiles, rows.data(), ix0, w, u.data(), ups, uts, &prm);
  return u;
}

TEST(FastconvQ16Kernels, InputMatchesScalar) {
  int checked = 0;
  for (const auto& d : fastconv_q16_input_kernels()) {
    if (d.isa == isa_level::scalar || !runnable(d.isa)) continue;
    const fastconv_q16_input_desc* ref = nullptr;
    for (const auto& s : fastconv_q16_input_kernels())
      if (s.isa == isa_level::scalar && std::string(s.tile) == d.tile && s.src == d.src) ref = &s;
    ASSERT_NE(ref, nullptr) << d.name;
    const auto& alg = alg_of_tile(d.tile);
    uint32_t seed = 1;
    for (size_t ic : {1, 3, 5, 13, 16, 17, 32, 33, 64, 513})  // 5, 13: partial NEON vectors of 6
      for (size_t w : {1, 5, 13, 57})
        for (pattern pat : kPatterns) {
          const size_t h = 5;
          seed++;
          std::vector<uint8_t> img(h * w * ic);
          const bool s8 = d.src == qtype::s8;
          int32_t zp = s8 ? int32_t(seed % 256) - 128 : int32_t(seed % 256);
          std::mt19937 g(seed);
          for (size_t i = 0; i < img.size(); i++) {
            int v = int(g() % 256);
            if (pat == pattern::max) v = s8 ? 0x7f : 255, zp = s8 ? -128 : 0;
            if (pat == pattern::min) v = s8 ? 0x80 : 0, zp = s8 ? 127 : 255;
            if (pat == pattern::alternating) {
              const bool hi = ((i / ic) + i % 3) % 2;
              v = s8 ? (hi ? 0x7f : 0x80) : (hi ? 255 : 0), zp = s8 ? (seed % 2 ? -128 : 127) : (seed % 2 ? 0 : 255);
            }
            img[i] = uint8_t(v);
          }
          std::vector<uint8_t> zprow(w * ic, uint8_t(zp & 0xff));
          sfc_q16_input_params prm{zp};
          const size_t tiles = (w + 2 * alg.m) / alg.m;  // runs past the right edge
          const ptrdiff_t ix0 = -ptrdiff_t(alg.r / 2) - (seed % 2);
          const int iy0 = -int(seed % 3);
          auto want = run_input(ref->fn, alg, ic, h, w, img, zprow, iy0, ix0, tiles, prm);
          auto got = run_input(d.fn, alg, ic, h, w, img, zprow, iy0, ix0, tiles, prm);
          ASSERT_EQ(got, want) << d.name << " ic=" << ic << " w=" << w << " pattern=" << int(pat);
          checked++;
        }
  }
  if (checked == 0) GTEST_SKIP() << "no SIMD input kernels run on this CPU";
}

// ---------------------------------------------------------------------------------------------
// batched GEMM

TEST(FastconvQ16Kernels, BgemmMatchesScalar) {
  const fastconv_q16_bgemm_desc* ref = nullptr;
  for (const auto& s : fastconv_q16_bgemm_kernels())
    if (s.isa == isa_level::scalar) ref = &s;
  ASSERT_NE(ref, nullptr);
  int checked = 0;
  for (const auto& d : fastconv_q16_bgemm_kernels()) {
    if (d.isa == isa_level::scalar || !runnable(d.isa)) continue;
    uint32_t seed = 100;
    for (size_t kc : {2, 4, 18, 64, 514})
      for (size_t nc : {1, 15, 16, 17, 33, 48, 64})
        for (size_t tiles : {1, 5, 6, 8, 13})
          for (pattern pat : kPatterns) {
            if (nc > size_t(d.nr)) continue;
            seed++;
            std::mt19937 g(seed);
            const size_t points = 3, ncp = (nc + 15) / 16 * 16;
            const size_t uts = 2 * kc + 8, ups = tiles * uts + 64, wps = 2 * kc * ncp + 64;
            const size_t mps = ncp * 4 + 64, mts = points * mps + 64;
            // |U|, |V| ≤ 32767: extreme values make the int32 sums wrap (which must agree).
            auto value = [&](size_t i) -> int16_t {
              switch (pat) {
                case pattern::random: return int16_t(int(g() % 65535) - 32767);
                case pattern::max: return 32767;
                case pattern::min: return -32767;
                default: return i % 2 ? 32767 : -32767;
              }
            };
            std::vector<int16_t> u(points * ups / 2), w(points * wps / 2, 0);
            for (size_t i = 0; i < u.size(); i++) u[i] = value(i);
            for (size_t p = 0; p < points; p++)
              for (size_t o = 0; o < nc; o++)
                for (size_t k = 0; k < kc; k++) w[p * wps / 2 + (k / 2 * ncp + o) * 2 + k % 2] = value(k + o);
            std::vector<int32_t> want(points * mts / 4 * tiles + 64, 7), got(want.size(), 7);
            ref->fn(points, tiles, kc, nc, u.data(), ups, uts, w.data(), wps, want.data(), mps, mts);
            d.fn(points, tiles, kc, nc, u.data(), ups, uts, w.data(), wps, got.data(), mps, mts);
            ASSERT_EQ(got, want) << d.name << " kc=" << kc << " nc=" << nc << " tiles=" << tiles
                                 << " pattern=" << int(pat);
            checked++;
          }
  }
  if (checked == 0) GTEST_SKIP() << "no SIMD bgemm kernels run on this CPU";
}

// ---------------------------------------------------------------------------------------------
// output transform

TEST(FastconvQ16Kernels, OutputMatchesScalar) {
  int checked = 0;
  for (const auto& d : fastconv_q16_output_kernels()) {
    if (d.isa == isa_level::scalar || !runnable(d.isa)) continue;
    const fastconv_q16_output_desc* ref = scalar_output_kernel(d.tile);
    ASSERT_NE(ref, nullptr) << d.name;
    const auto& alg = alg_of_tile(d.tile);
    const fastconv_q16_divisor dv = fastconv_q16_divisor_of(alg);
    const size_t P = size_t(alg.R) * alg.R, mo = size_t(alg.m);
    uint32_t seed = 1000;
    for (size_t oc : {1, 3, 6, 8, 16, 17, 64, 513})
      for (size_t tiles : {1, 3})
        for (pattern pat : kPatterns)
          for (int variant = 0; variant < 4; variant++) {
            seed++;
            std::mt19937 g(seed);
            const size_t ncp = (oc + 15) / 16 * 16, mps = ncp * 4, mts = P * mps + 64;
            std::vector<int32_t> m(tiles * mts / 4);
            for (size_t i = 0; i < m.size(); i++) {
              const int32_t big = int32_t(g()), small = int32_t(g() % 200001) - 100000;
              m[i] = pat == pattern::random ? (variant % 2 ? big : small)
                   : pat == pattern::max ? INT32_MAX : pat == pattern::min ? INT32_MIN
                   : (i % 2 ? INT32_MAX : INT32_MIN);
            }
            std::vector<double> scale(oc), bias(oc);
            for (size_t o = 0; o < oc; o++) {
              scale[o] = double(float(1e-4 * (1 + g() % 1000))) * double(float(0.01 + (g() % 100) * 1e-3));
              bias[o] = variant == 3 ? 0.0 : double(float(int(g() % 2001) - 1000) / 7.f);
            }
            sfc_q16_output_params prm{};
            const bool s8 = variant % 2, relu = variant >= 2;
            prm.d_shift = dv.shift, prm.d_inverse = dv.inverse;
            prm.qmin = s8 ? -128 : 0, prm.qmax = s8 ? 127 : 255;
            prm.zero_point = seed % 5 == 0 ? 0 : s8 ? int32_t(g() % 256) - 128 : int32_t(g() % 256);
            prm.relu = relu;
            prm.dst_scale = float(0.05 + (g() % 1000) * 1e-3) * (pat == pattern::random ? 1.f : 1e4f);
            prm.min = float(prm.qmin - prm.zero_point), prm.max = float(prm.qmax - prm.zero_point);
            const size_t rows = 1 + g() % mo, cols = (tiles - 1) * mo + 1 + g() % mo;
            const size_t dps = oc + 3, drs = (tiles * mo + 2) * dps;
            std::vector<uint8_t> want(mo * drs, 0xcc), got(mo * drs, 0xcc);
            ref->fn(oc, tiles, rows, cols, m.data(), mps, mts, scale.data(), bias.data(), want.data(), drs, dps, &prm);
            d.fn(oc, tiles, rows, cols, m.data(), mps, mts, scale.data(), bias.data(), got.data(), drs, dps, &prm);
            ASSERT_EQ(got, want) << d.name << " oc=" << oc << " tiles=" << tiles
                                 << " pattern=" << int(pat) << " variant=" << variant;
            checked++;
          }
  }
  if (checked == 0) GTEST_SKIP() << "no SIMD output kernels run on this CPU";
}

// Values on and next to rounding ties (scale / dst_scale = k/2, k/4; biases of ±1e-7 and
// ±(0.5 ± 1e-6)): the SIMD kernels' fast float path must hand those vectors to the exact path.
TEST(FastconvQ16Kernels, OutputTiesMatchScalar) {
  int checked = 0;
  for (const auto& d : fastconv_q16_output_kernels()) {
    if (d.isa == isa_level::scalar || !runnable(d.isa)) continue;
    const fastconv_q16_output_desc* ref = scalar_output_kernel(d.tile);
    ASSERT_NE(ref, nullptr) << d.name;
    const auto& alg = alg_of_tile(d.tile);
    const fastconv_q16_divisor dv = fastconv_q16_divisor_of(alg);
    const size_t P = size_t(alg.R) * alg.R, mo = size_t(alg.m), oc = 40, tiles = 2;
    const size_t ncp = 48, mps = ncp * 4, mts = P * mps + 64;
    std::mt19937 g(77);
    for (double ratio : {0.5, 0.25, 1.5, 0.125})
      for (double boff : {0.0, 1e-7, -3e-7, 0.5 + 1e-6, -0.5 - 1e-6, 2.5})
        for (int relu = 0; relu < 2; relu++) {
          std::vector<int32_t> m(tiles * mts / 4);
          for (auto& v : m) v = int32_t(g() % 4001) - 2000;
          const float dst_scale = 0.75f;
          std::vector<double> scale(oc, ratio * dst_scale), bias(oc);
          for (size_t o = 0; o < oc; o++) bias[o] = (boff + double(o % 3)) * dst_scale;
          sfc_q16_output_params prm{};
          prm.d_shift = dv.shift, prm.d_inverse = dv.inverse;
          prm.qmin = 0, prm.qmax = 255, prm.zero_point = 3, prm.relu = relu;
          prm.dst_scale = dst_scale;
          prm.min = float(prm.qmin - prm.zero_point), prm.max = float(prm.qmax - prm.zero_point);
          const size_t dps = oc, drs = tiles * mo * dps;
          std::vector<uint8_t> want(mo * drs, 0xcc), got(mo * drs, 0xcc);
          ref->fn(oc, tiles, mo, tiles * mo, m.data(), mps, mts, scale.data(), bias.data(), want.data(), drs, dps, &prm);
          d.fn(oc, tiles, mo, tiles * mo, m.data(), mps, mts, scale.data(), bias.data(), got.data(), drs, dps, &prm);
          ASSERT_EQ(got, want) << d.name << " ratio=" << ratio << " bias offset=" << boff << " relu=" << relu;
          checked++;
        }
  }
  if (checked == 0) GTEST_SKIP() << "no SIMD output kernels run on this CPU";
}

// ---------------------------------------------------------------------------------------------
// whole layer: the native kernels (whatever this CPU and SFC_MAX_ISA give) against the scalar ones
// for every algorithm, with odd ic, an oc tail and tile rows that are no multiple of the bgemm MR
// (the layer tests compare with the direct convolution but cap by x86 ISA names only).

TEST(FastconvQ16Kernels, NativeLayerMatchesScalarLayer) {
  int simd = 0;
  uint32_t seed = 2000;
  for (const auto& alg : all_algorithms()) {
    conv2d_params p;
    p.n = 2, p.ic = 13, p.oc = 21, p.h = 11, p.w = 17, p.kh = p.kw = alg.r;
    p.pad_t = p.pad_l = p.pad_b = p.pad_r = alg.r / 2;
    for (qtype src : {qtype::u8, qtype::s8}) {
      const int32_t zp = src == qtype::u8 ? 121 : -5;
      if (!fastconv_q16_unsupported_reason(alg, p, nullptr, src, zp).empty()) continue;
      seed++;
      const auto x = sfc_test::random_u8(size_t(p.n) * p.h * p.w * p.ic, seed);
      const auto w = sfc_test::random_s8(size_t(p.oc) * p.ic * p.kh * p.kw, seed + 7);
      std::vector<float> ws(p.oc), bias(p.oc);
      for (int o = 0; o < p.oc; o++) ws[o] = 0.0004f * (1 + o % 5), bias[o] = 0.2f * (o % 7 - 3);
      q8_output_params op;
      op.src_scale = 0.05f, op.weight_scale = ws.data(), op.bias = bias.data();
      op.dst_type = src == qtype::u8 ? qtype::s8 : qtype::u8, op.dst_scale = 0.04f;
      op.dst_zero_point = src == qtype::u8 ? 3 : 100, op.relu = src == qtype::s8;
      fastconv_q16_layer native(alg, p, w.data(), op, src, zp);
      fastconv_q16_layer scalar(alg, p, w.data(), op, src, zp, isa_level::scalar);
      const size_t n_dst = size_t(p.n) * p.oh() * p.ow() * p.oc;
      std::vector<uint8_t> want(n_dst, 0xcd), got(n_dst, 0xab);
      scalar.run(x.data(), want.data(), 1);
      native.run(x.data(), got.data(), 1);
      ASSERT_EQ(got, want) << alg.name << " " << native.kernel_name();
      simd += native.isa() != isa_level::scalar;
    }
  }
  if (effective_isa() != isa_level::scalar) {
    EXPECT_GT(simd, 0) << "no SIMD layer ran";
  }
}

// The exact division: (Y·d⁻¹) >> s recovers acc from Y = D·acc mod 2³² for |acc| < 2^(31−s).
TEST(FastconvQ16Kernels, ExactDivisionThroughWrapAround) {
  for (const char* name : {"sfc6_7x7_3x3", "sfc4_4x4_3x3", "wino_2x2_3x3"}) {
    const fastconv_q16_divisor dv = fastconv_q16_divisor_of(*find_algorithm(name));
    ASSERT_EQ(uint32_t(dv.d >> dv.shift) * dv.inverse, 1u) << name;
    const int64_t lim = (int64_t(1) << (31 - dv.shift)) - 1;
    std::mt19937_64 g(7);
    for (int i = 0; i < 100000; i++) {
      const int64_t acc = i < 2 ? (i ? lim : -lim - 1) : int64_t(g() % uint64_t(2 * lim + 1)) - lim;
      const uint32_t y = uint32_t(uint64_t(acc * dv.d));
      ASSERT_EQ(int32_t(y * dv.inverse) >> dv.shift, acc) << name;
    }
  }
}

}  // namespace
