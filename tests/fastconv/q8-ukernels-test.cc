// Every SIMD kernel of the int8 layer families (q8-ukernels.h) against the scalar kernel of its
// family, bit-exactly, on random and worst-case data and awkward shapes.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "kernels/algo/algorithm.h"
#include "kernels/fastconv/q8-layer.h"
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

int64_t max_row_l1(const imatrix& m) {
  int64_t best = 0;
  for (int i = 0; i < m.rows; i++) {
    int64_t s = 0;
    for (int j = 0; j < m.cols; j++) s += std::abs(m.at(i, j));
    best = std::max(best, s);
  }
  return best;
}

enum class pattern { random, max, min, alternating };
const pattern kPatterns[] = {pattern::random, pattern::max, pattern::min, pattern::alternating};

// ---------------------------------------------------------------------------------------------
// input transform

std::vector<uint8_t> run_input(sfc_q8_input_ukernel_fn fn, const fastconv_algorithm& alg,
                               size_t ic, size_t h, size_t w, const std::vector<uint8_t>& img,
                               const std::vector<uint8_t>& zprow, int iy0, ptrdiff_t ix0,
                               size_t tiles, const sfc_q8_input_params& prm) {
  const size_t kc = sfc_q8_kc(ic), P = size_t(alg.R) * alg.R;
  const size_t uts = kc + 4, ups = tiles * uts + 64;  // deliberately odd strides
  std::vector<uint8_t> u(P * ups, 0x5a);
  std::vector<const void*> rows(alg.L);
  for (int a = 0; a < alg.L; a++) {
    const int iy = iy0 + a;
    rows[a] = iy >= 0 && iy < int(h) ? img.data() + size_t(iy) * w * ic : zprow.data();
  }
  fn(ic, tiles, rows.data(), ix0, w, u.data(), ups, uts, &prm);
  return u;
}

TEST(FastconvQ8Kernels, InputMatchesScalar) {
  int checked = 0;
  for (const auto& d : fastconv_q8_input_kernels()) {
    if (d.isa == isa_level::scalar) continue;
    if (!runnable(d.isa)) continue;
    const fastconv_q8_input_desc* ref = nullptr;
    for (const auto& s : fastconv_q8_input_kernels())
      if (s.isa == isa_level::scalar && std::string(s.tile) == d.tile && s.src == d.src) ref = &s;
    ASSERT_NE(ref, nullptr) << d.name;
    const auto& alg = alg_of_tile(d.tile);
    const size_t P = size_t(alg.R) * alg.R;
    uint32_t seed = 1;
    for (size_t ic : {1, 3, 17, 32, 33, 64, 100, 513})
      for (size_t w : {1, 5, 13, 57})
        for (pattern pat : kPatterns)
          for (int bits : {8, 6}) {
            const size_t h = 5;
            seed++;
            std::vector<uint8_t> img(h * w * ic);
            const bool s8 = d.src == qtype::s8;
            int32_t zp = s8 ? int32_t(seed % 256) - 128 : int32_t(seed % 256);
            std::mt19937 g(seed);
            for (size_t i = 0; i < img.size(); i++) {
              int v = int(g() % 256);
              if (pat == pattern::max) v = 255, zp = s8 ? -128 : 0;  // s8 127 is byte 0x7f
              if (pat == pattern::min) v = 0, zp = s8 ? 127 : 255;
              if (pat == pattern::alternating) v = ((i / ic) + i % 3) % 2 ? 255 : 0, zp = 128 - 128 * s8;
              if (s8 && pat == pattern::max) v = 0x7f;
              if (s8 && pat == pattern::min) v = 0x80;
              if (s8 && pat == pattern::alternating) v = ((i / ic) + i % 3) % 2 ? 0x7f : 0x80, zp = 0;
              img[i] = uint8_t(v);
            }
            std::vector<uint8_t> zprow(w * ic, uint8_t(zp & 0xff));
            std::vector<int16_t> mul(P);
            for (auto& m : mul) m = int16_t(pat == pattern::random ? 1 + g() % 32767 : 32767 - g() % 3);
            sfc_q8_input_params prm{zp, (1 << (bits - 1)) - 1, mul.data()};
            // A tile row starting left of the image and running past its right edge.
            const size_t tiles = (w + 2 * alg.m) / alg.m;
            const ptrdiff_t ix0 = -ptrdiff_t(alg.r / 2) - (seed % 2);
            const int iy0 = -int(seed % 3);
            auto want = run_input(ref->fn, alg, ic, h, w, img, zprow, iy0, ix0, tiles, prm);
            auto got = run_input(d.fn, alg, ic, h, w, img, zprow, iy0, ix0, tiles, prm);
            ASSERT_EQ(got, want) << d.name << " ic=" << ic << " w=" << w << " pattern=" << int(pat)
                                 << " bits=" << bits;
            checked++;
          }
  }
  if (checked == 0) GTEST_SKIP() << "no SIMD input kernels run on this CPU";
}

// ---------------------------------------------------------------------------------------------
// batched GEMM

TEST(FastconvQ8Kernels, BgemmMatchesScalar) {
  const fastconv_q8_bgemm_desc* ref = nullptr;
  for (const auto& s : fastconv_q8_bgemm_kernels())
    if (s.isa == isa_level::scalar) ref = &s;
  ASSERT_NE(ref, nullptr);
  int checked = 0;
  for (const auto& d : fastconv_q8_bgemm_kernels()) {
    if (d.isa == isa_level::scalar || !runnable(d.isa)) continue;
    uint32_t seed = 100;
    for (size_t kc : {4, 20, 64, 96, 516})
      for (size_t nc : {1, 15, 16, 17, 33, 48, 64})
        for (size_t tiles : {1, 5, 6, 8, 13})
          for (pattern pat : kPatterns) {
            if (nc > size_t(d.nr)) continue;
            seed++;
            std::mt19937 g(seed);
            const size_t points = 3, ncp = (nc + 15) / 16 * 16;
            const size_t uts = kc + 4, ups = tiles * uts + 64, wps = 8 * ncp + kc * ncp + 64;
            const size_t mps = ncp * 4 + 64, mts = points * mps + 64;
            std::vector<uint8_t> u(points * ups), w(points * wps, 0);
            for (size_t i = 0; i < u.size(); i++)
              u[i] = pat == pattern::random ? uint8_t(1 + g() % 255) : pat == pattern::max ? 255 : pat == pattern::min ? 1 : (i % 2 ? 255 : 1);  // U = Uq ^ 0x80, |Uq| ≤ 127
            for (size_t p = 0; p < points; p++) {
              uint8_t* wp = w.data() + p * wps;
              for (size_t o = 0; o < nc; o++) {
                // Coefficients: random, exact halves (ties), and large ones that need the clamp.
                float coef = float(int(g() % 2001) - 1000) / 997.f;
                if (o % 3 == 1) coef = 0.5f;
                if (o % 5 == 2) coef = 1e6f;
                std::memcpy(wp + 4 * (ncp + o), &coef, 4);
                int32_t comp = 0;  // the contract: comp = −128 · Σ_k Vq
                for (size_t k = 0; k < kc; k++) {
                  int v = int(g() % 255) - 127;  // |Vq| ≤ qmax ≤ 127
                  if (pat == pattern::max) v = 127;
                  if (pat == pattern::min) v = -127;
                  if (pat == pattern::alternating) v = k % 2 ? 127 : -127;
                  wp[8 * ncp + (k / 4 * ncp + o) * 4 + k % 4] = uint8_t(int8_t(v));
                  comp -= 128 * v;
                }
                std::memcpy(wp + 4 * o, &comp, 4);
              }
            }
            sfc_q8_bgemm_params prm{float(33554431), 1};
            std::vector<int32_t> want(points * mts / 4, 7), got(points * mts / 4 * tiles + 64, 7);
            want.resize(got.size(), 7);
            ref->fn(points, tiles, kc, nc, u.data(), ups, uts, w.data(), wps, want.data(), mps, mts, &prm);
            d.fn(points, tiles, kc, nc, u.data(), ups, uts, w.data(), wps, got.data(), mps, mts, &prm);
            ASSERT_EQ(got, want) << d.name << " kc=" << kc << " nc=" << nc << " tiles=" << tiles
                                 << " pattern=" << int(pat);
            checked++;
          }
  }
  if (checked == 0) GTEST_SKIP() << "no SIMD bgemm kernels run on this CPU";
}

// ---------------------------------------------------------------------------------------------
// output transform

TEST(FastconvQ8Kernels, OutputMatchesScalar) {
  int checked = 0;
  for (const auto& d : fastconv_q8_output_kernels()) {
    if (d.isa == isa_level::scalar || !runnable(d.isa)) continue;
    const fastconv_q8_output_desc* ref = nullptr;
    for (const auto& s : fastconv_q8_output_kernels())
      if (s.isa == isa_level::scalar && std::string(s.tile) == d.tile) ref = &s;
    ASSERT_NE(ref, nullptr) << d.name;
    const auto& alg = alg_of_tile(d.tile);
    const int64_t l1 = max_row_l1(alg.AT_i);
    const int32_t lim = int32_t(2147483647LL / (l1 * l1));
    const size_t P = size_t(alg.R) * alg.R, mo = size_t(alg.m);
    uint32_t seed = 1000;
    for (size_t oc : {1, 3, 16, 17, 64, 513})
      for (size_t tiles : {1, 3})
        for (pattern pat : kPatterns)
          for (int variant = 0; variant < 4; variant++) {
            seed++;
            std::mt19937 g(seed);
            const size_t ncp = (oc + 15) / 16 * 16, mps = ncp * 4, mts = P * mps + 64;
            std::vector<int32_t> mi(tiles * mts / 4);
            for (size_t i = 0; i < mi.size(); i++) {
              const int32_t r = int32_t(g() % (2u * uint32_t(lim) + 1)) - lim;
              const int32_t small = int32_t(g() % 200001) - 100000;
              mi[i] = pat == pattern::random ? (variant % 2 ? r : small)
                    : pat == pattern::max ? lim : pat == pattern::min ? -lim : (i % 2 ? lim : -lim);
            }
            std::vector<float> bias(oc);
            for (auto& b : bias) b = float(int(g() % 2001) - 1000) / (variant == 3 ? 0.001f : 7.f);
            sfc_q8_output_params prm{};
            const bool s8 = variant % 2, relu = variant >= 2;
            prm.qmin = s8 ? -128 : 0, prm.qmax = s8 ? 127 : 255;
            prm.zero_point = s8 ? int32_t(g() % 256) - 128 : int32_t(g() % 256);
            prm.relu = relu;
            prm.scale = std::ldexp(1.f, -10 - int(g() % 8));
            prm.min = float(relu ? 0 : prm.qmin - prm.zero_point);
            prm.max = float(prm.qmax - prm.zero_point);
            prm.bias_bounded = int32_t(seed % 2);  // |bias| ≤ 10⁶ here: both final-stage forms
            if (seed % 7 == 0) prm.zero_point = 0;
            prm.min = float(relu ? 0 : prm.qmin - prm.zero_point);
            prm.max = float(prm.qmax - prm.zero_point);
            const size_t rows = 1 + g() % mo, cols = (tiles - 1) * mo + 1 + g() % mo;
            const size_t dps = oc + 3, drs = (tiles * mo + 2) * dps;
            std::vector<uint8_t> want(mo * drs, 0xcc), got(mo * drs, 0xcc);
            ref->fn(oc, tiles, rows, cols, mi.data(), mps, mts, bias.data(), want.data(), drs, dps, &prm);
            d.fn(oc, tiles, rows, cols, mi.data(), mps, mts, bias.data(), got.data(), drs, dps, &prm);
            ASSERT_EQ(got, want) << d.name << " oc=" << oc << " tiles=" << tiles
                                 << " pattern=" << int(pat) << " variant=" << variant;
            checked++;
          }
  }
  if (checked == 0) GTEST_SKIP() << "no SIMD output kernels run on this CPU";
}

TEST(FastconvQ8Kernels, KcLayoutIsABijection) {
  for (size_t ic : {1, 3, 4, 17, 31, 32, 33, 63, 64, 65, 96, 100, 128, 513}) {
    const size_t kc = sfc_q8_kc(ic);
    EXPECT_EQ(kc % 4, 0u);
    std::vector<int> hit(kc, 0);
    for (size_t c = 0; c < kc; c++) {
      const size_t q = sfc_q8_kc_position(c, ic);
      ASSERT_LT(q, kc) << ic;
      hit[q]++;
    }
    for (size_t q = 0; q < kc; q++) EXPECT_EQ(hit[q], 1) << "ic=" << ic << " q=" << q;
  }
}

}  // namespace
