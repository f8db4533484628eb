// The AVX2 tier of the int8 layer (q8-*-avx2.cc). The generic kernel tests
// (q8-ukernels-test.cc) already run every AVX2 input / output entry of q8-ukernels.inc against
// the scalar kernels; this file adds what is specific to AVX2:
//   * bgemm on contract data at the vpmaddubsw saturation edge (|Uq| = |Vq| = 127 with equal and
//     opposite signs: pair sums ±32258), comp = −128·ΣVq as packed by the layer;
//   * input transforms on the per-point extremal sign pattern (largest |U| of each point, the
//     int16 lane bound of the AVX2 transform);
//   * the whole layer capped at avx2 (it must pick the __avx2 kernels) against fastconv_q8_run,
//     every algorithm, u8 / s8, relu, bits 8 / 6, awkward shapes, batch 3, both bgemm tiles.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "kernels/algo/algorithm.h"
#include "kernels/fastconv/fastconv.h"
#include "kernels/fastconv/q8-layer.h"
#include "kernels/isa.h"
#include "tests/fastconv/test-util.h"

namespace {

using namespace sfc;

bool have_avx2() { return isa_supported(isa_level::avx2); }

const fastconv_q8_bgemm_desc* scalar_bgemm() {
  for (const auto& d : fastconv_q8_bgemm_kernels())
    if (d.isa == isa_level::scalar) return &d;
  return nullptr;
}

// ---------------------------------------------------------------------------------------------
// bgemm: u = u8(Uq) ^ 0x80 with |Uq| ≤ 127, |Vq| ≤ 127, comp = −128·ΣVq (q8-ukernels.h).

enum class gdata { random, pos_pos, neg_neg, pos_neg, alternating, small_coef };

TEST(FastconvQ8Avx2, BgemmMatchesScalarAtSaturationEdge) {
  if (!have_avx2()) GTEST_SKIP() << "CPU lacks avx2";
  const auto* ref = scalar_bgemm();
  ASSERT_NE(ref, nullptr);
  int checked = 0;
  uint32_t seed = 7;
  for (const auto& d : fastconv_q8_bgemm_kernels()) {
    if (d.isa != isa_level::avx2) continue;
    for (size_t kc : {4, 8, 60, 64, 128, 516})
      for (size_t nc : {1, 15, 16, 17, 31, 32, 33, 48, 64})
        for (size_t tiles : {1, 2, 3, 4, 5, 7, 9, 13})
          for (gdata pat : {gdata::random, gdata::pos_pos, gdata::neg_neg, gdata::pos_neg,
                            gdata::alternating, gdata::small_coef}) {
            if (nc > size_t(d.nr)) continue;
            std::mt19937 g(seed++);
            const size_t points = 3, ncp = (nc + 15) / 16 * 16;
            const size_t uts = kc + 12, ups = tiles * uts + 36, wps = 8 * ncp + kc * ncp + 64;
            const size_t mps = ncp * 4 + 20, mts = points * mps + 44;
            auto uq_of = [&](size_t i) {
              switch (pat) {
                case gdata::pos_pos: case gdata::pos_neg: return 127;
                case gdata::neg_neg: return -127;
                case gdata::alternating: return i % 3 ? 127 : -127;
                default: return int(g() % 255) - 127;
              }
            };
            auto vq_of = [&](size_t k) {
              switch (pat) {
                case gdata::pos_pos: return 127;
                case gdata::neg_neg: case gdata::pos_neg: return -127;
                case gdata::alternating: return k % 2 ? 127 : -127;
                default: return int(g() % 255) - 127;
              }
            };
            std::vector<uint8_t> u(points * ups, 0x33), w(points * wps, 0);
            for (size_t p = 0; p < points; p++)
              for (size_t t = 0; t < tiles; t++)
                for (size_t k = 0; k < kc; k++)
                  u[p * ups + t * uts + k] = uint8_t(uint8_t(int8_t(uq_of(k))) ^ 0x80);
            for (size_t p = 0; p < points; p++) {
              uint8_t* wp = w.data() + p * wps;
              for (size_t o = 0; o < nc; o++) {
                int32_t sum = 0;
                for (size_t k = 0; k < kc; k++) {
                  const int v = vq_of(k);
                  wp[8 * ncp + (k / 4 * ncp + o) * 4 + k % 4] = uint8_t(int8_t(v));
                  sum += v;
                }
                const int32_t comp = -128 * sum;
                // Random, exact ties, and values far past mi_limit (the clamp).
                float coef = float(int(g() % 2001) - 1000) / 997.f;
                if (o % 3 == 1) coef = 0.5f;
                if (o % 5 == 2) coef = pat == gdata::small_coef ? -0.25f : 1e6f;
                if (pat == gdata::small_coef) coef *= 1e-3f;
                std::memcpy(wp + 4 * o, &comp, 4);
                std::memcpy(wp + 4 * (ncp + o), &coef, 4);
              }
            }
            // small_coef keeps |M·coef| ≤ 516·127²·1e-3 < mi_limit: the unclamped path.
            const sfc_q8_bgemm_params prm{float(33554431), pat == gdata::small_coef ? 0 : 1};
            std::vector<int32_t> want(tiles * mts / 4 + 16, 7), got(want.size(), 7);
            ref->fn(points, tiles, kc, nc, u.data(), ups, uts, w.data(), wps, want.data(), mps,
                    mts, &prm);
            d.fn(points, tiles, kc, nc, u.data(), ups, uts, w.data(), wps, got.data(), mps, mts,
                 &prm);
            ASSERT_EQ(got, want) << d.name << " kc=" << kc << " nc=" << nc << " tiles=" << tiles
                                 << " pattern=" << int(pat);
            checked++;
          }
  }
  EXPECT_GT(checked, 0) << "no avx2 bgemm kernels in this build";
}

// ---------------------------------------------------------------------------------------------
// Input transforms: for every point (i, j), the tile whose X has the signs of Bᵀ[i][a]·Bᵀ[j][b]
// at full range (255 / 0 with zp 0, and the mirror with zp 255), i.e. the largest |U| there.

TEST(FastconvQ8Avx2, InputMatchesScalarOnExtremalTiles) {
  if (!have_avx2()) GTEST_SKIP() << "CPU lacks avx2";
  int checked = 0;
  for (const auto& d : fastconv_q8_input_kernels()) {
    if (d.isa != isa_level::avx2) continue;
    const fastconv_q8_input_desc* ref = nullptr;
    for (const auto& s : fastconv_q8_input_kernels())
      if (s.isa == isa_level::scalar && std::string(s.tile) == d.tile && s.src == d.src) ref = &s;
    ASSERT_NE(ref, nullptr) << d.name;
    const fastconv_algorithm* alg = nullptr;
    for (const auto& a : all_algorithms())
      if (a.tile == d.tile) alg = &a;
    ASSERT_NE(alg, nullptr);
    const int L = alg->L, R = alg->R;
    const size_t P = size_t(R) * R, ic = 70;  // a full group and a short one
    const bool s8 = d.src == qtype::s8;
    for (int i = 0; i < R; i++)
      for (int j = 0; j < R; j++)
        for (int mirror = 0; mirror < 2; mirror++) {
          // One tile at x = 0 of an L×L image.
          std::vector<uint8_t> img(size_t(L) * L * ic);
          for (int a = 0; a < L; a++)
            for (int b = 0; b < L; b++) {
              const int k = int(alg->BT_i.at(i, a) * alg->BT_i.at(j, b));
              const bool hi = (k > 0) != (mirror == 1);
              for (size_t c = 0; c < ic; c++) {
                const bool h = c % 5 == 4 ? !hi : hi;  // a few channels of the other sign
                img[(size_t(a) * L + b) * ic + c] = s8 ? (h ? 0x7f : 0x80) : (h ? 255 : 0);
              }
            }
          const int32_t zp = mirror ? (s8 ? 127 : 255) : (s8 ? -128 : 0);
          std::vector<int16_t> mul(P, 32767);
          mul[size_t(i) * R + j] = int16_t(1 + (i * 7 + j) % 5000);
          const sfc_q8_input_params prm{zp, 127, mul.data()};
          std::vector<const void*> rows(L);
          for (int a = 0; a < L; a++) rows[a] = img.data() + size_t(a) * L * ic;
          const size_t kc = sfc_q8_kc(ic), uts = kc, ups = kc + 64;
          std::vector<uint8_t> want(P * ups, 0x5a), got(P * ups, 0x5a);
          ref->fn(ic, 1, rows.data(), 0, size_t(L), want.data(), ups, uts, &prm);
          d.fn(ic, 1, rows.data(), 0, size_t(L), got.data(), ups, uts, &prm);
          ASSERT_EQ(got, want) << d.name << " point " << i << "," << j << " mirror " << mirror;
          checked++;
        }
  }
  EXPECT_GT(checked, 0) << "no avx2 input kernels in this build";
}

// ---------------------------------------------------------------------------------------------
// The whole layer capped at avx2 against the reference.

struct layer_case {
  conv2d_params p;
  qtype src = qtype::u8, dst = qtype::u8;
  int32_t src_zp = 0, dst_zp = 0;
  bool relu = false, hot_scales = false;
  int bits = 8;
  uint32_t seed = 1;
  std::string bgemm;  // forced bgemm kernel, or automatic
};

void check_layer_avx2(const fastconv_algorithm& alg, const layer_case& c, const std::string& what) {
  const conv2d_params& p = c.p;
  const size_t n_src = size_t(p.n) * p.h * p.w * p.ic, n_dst = size_t(p.n) * p.oh() * p.ow() * p.oc;
  const std::vector<uint8_t> src = sfc_test::random_u8(n_src, c.seed);
  const auto w = sfc_test::random_s8(size_t(p.oc) * p.ic * p.kh * p.kw, c.seed + 1);
  std::vector<float> wscale(p.oc), bias(p.oc);
  for (int o = 0; o < p.oc; o++) wscale[o] = 0.0005f * (1 + o % 7), bias[o] = 0.3f * (o % 9 - 4);
  q8_output_params op;
  op.src_scale = 0.05f, op.weight_scale = wscale.data(), op.bias = bias.data();
  op.dst_type = c.dst, op.dst_scale = 0.25f, op.dst_zero_point = c.dst_zp, op.relu = c.relu;
  const auto tw = fastconv_q8_transform_weights(alg, p.oc, p.ic, w.data(), c.bits);
  std::vector<double> maxabs;
  fastconv_q8_calibrate(alg, p, src.data(), c.src, c.src_zp, maxabs);
  if (c.hot_scales)
    for (auto& m : maxabs) m *= 0.05;  // Uq saturates almost everywhere
  const auto ts = fastconv_q8_act_scales_from_maxabs(maxabs, c.bits);
  const auto out = fastconv_q8_prepare_output(alg, tw, ts, op);
  std::vector<uint8_t> want(n_dst), got(n_dst, 0xcd), got2(n_dst, 0xab);
  fastconv_q8_run(alg, p, src.data(), c.src, c.src_zp, tw, ts, out, want.data());
  fastconv_q8_layer_options opt;
  opt.bgemm = c.bgemm;
  fastconv_q8_layer layer(alg, p, w.data(), c.bits, ts, op, c.src, c.src_zp, isa_level::avx2, opt);
  const std::string names = layer.kernel_name();
  ASSERT_EQ(layer.isa(), isa_level::avx2) << names;
  size_t at = 0;
  for (int k = 0; k < 3; k++, at++) {
    at = names.find("__avx2", at);
    ASSERT_NE(at, std::string::npos) << "not all three kernels are avx2: " << names;
  }
  layer.run(src.data(), got.data(), 1);
  layer.run(src.data(), got2.data(), 2);
  size_t bad = 0, first = 0;
  for (size_t i = 0; i < n_dst; i++)
    if (got[i] != want[i] && bad++ == 0) first = i;
  EXPECT_EQ(bad, 0u) << what << " " << names << ": " << bad << " bytes differ, first at " << first
                     << " got " << int(got[first]) << " want " << int(want[first]);
  EXPECT_EQ(got, got2) << what << ": threads 1 and 2 differ";
}

TEST(FastconvQ8Avx2, LayerMatchesReferenceAllAlgorithms) {
  // The CI reruns this suite under SFC_MAX_ISA=scalar: these tests force avx2 kernels by name.
  if (int(effective_isa()) < int(isa_level::avx2)) GTEST_SKIP() << "SFC_MAX_ISA caps dispatch below avx2";
  if (!have_avx2()) GTEST_SKIP() << "CPU lacks avx2";
  uint32_t seed = 40;
  for (const char* name : {"sfc6_7x7_3x3", "sfc6_6x6_3x3", "sfc4_4x4_3x3", "sfc6_6x6_5x5",
                           "sfc6_4x4_7x7", "sfc6_6x6_7x7", "wino_2x2_3x3", "wino_4x4_3x3"}) {
    const auto& alg = *find_algorithm(name);
    int variant = 0;
    for (qtype src : {qtype::u8, qtype::s8})
      for (qtype dst : {qtype::u8, qtype::s8})
        for (bool relu : {false, true})
          for (int bits : {8, 6}) {
            layer_case c;
            c.p.n = 1 + variant % 2, c.p.ic = variant % 3 == 0 ? 17 : 64;
            c.p.oc = variant % 4 == 1 ? 21 : 48;
            c.p.h = 13 + variant % 5, c.p.w = 11 + variant % 7;
            c.p.kh = c.p.kw = alg.r;
            c.p.pad_t = c.p.pad_l = alg.r / 2, c.p.pad_b = c.p.pad_r = alg.r / 2 - (variant % 3 == 2);
            c.src = src, c.dst = dst, c.relu = relu, c.bits = bits;
            c.src_zp = src == qtype::u8 ? 120 + variant : -3 - variant;
            c.dst_zp = dst == qtype::u8 ? 5 + variant : -7 + variant;
            c.hot_scales = variant % 5 == 4;
            c.bgemm = variant % 4 == 3 ? "sfc_qs8_sfc_bgemm_fp32_ukernel_4x16c4__avx2" : variant % 4 == 1 ? "sfc_qs8_sfc_bgemm_fp32_ukernel_3x16c4__avx2_madd" : "";
            c.seed = seed++;
            check_layer_avx2(alg, c, std::string(name) + " variant " + std::to_string(variant));
            variant++;
          }
  }
}

TEST(FastconvQ8Avx2, LayerAwkwardShapes) {
  // The CI reruns this suite under SFC_MAX_ISA=scalar: these tests force avx2 kernels by name.
  if (int(effective_isa()) < int(isa_level::avx2)) GTEST_SKIP() << "SFC_MAX_ISA caps dispatch below avx2";
  if (!have_avx2()) GTEST_SKIP() << "CPU lacks avx2";
  uint32_t seed = 900;
  for (const char* name : {"sfc6_7x7_3x3", "wino_4x4_3x3"}) {
    const auto& alg = *find_algorithm(name);
    for (int ic : {1, 3, 17, 513})
      for (int hw : {1, 5, 13, 57}) {
        layer_case c;
        c.p.n = 3, c.p.ic = ic, c.p.oc = ic == 513 ? 20 : 35, c.p.h = c.p.w = hw;
        if (hw == 13) c.p.w = 57;  // and one non-square shape
        c.p.kh = c.p.kw = alg.r, c.p.pad_t = c.p.pad_l = c.p.pad_b = c.p.pad_r = alg.r / 2;
        c.src_zp = 128, c.relu = seed % 2, c.seed = seed++;
        c.src = seed % 3 == 0 ? qtype::s8 : qtype::u8;
        if (c.src == qtype::s8) c.src_zp = -5;
        check_layer_avx2(alg, c, std::string(name) + " ic=" + std::to_string(ic) + " hw=" + std::to_string(hw));
      }
  }
  const auto& alg = *find_algorithm("sfc6_7x7_3x3");
  for (int oc : {1, 3, 17, 33, 64, 65}) {
    for (const char* bgemm : {"", "sfc_qs8_sfc_bgemm_fp32_ukernel_4x16c4__avx2", "sfc_qs8_sfc_bgemm_fp32_ukernel_4x64c4__avx2"}) {
      layer_case c;
      c.p.n = 1, c.p.ic = 32, c.p.oc = oc, c.p.h = 15, c.p.w = 9;
      c.p.kh = c.p.kw = 3, c.p.pad_t = c.p.pad_l = c.p.pad_b = c.p.pad_r = 1;
      c.seed = seed++, c.bgemm = bgemm;
      check_layer_avx2(alg, c, "oc=" + std::to_string(oc) + " " + bgemm);
    }
  }
}

}  // namespace
