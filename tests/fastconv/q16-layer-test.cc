// fastconv_q16_layer (the exact int8 layer) against the direct convolution: the dst bytes must
// equal conv2d_ref_{u8,s8} + requantize_acc for every supported algorithm, u8 / s8 src and dst,
// relu on / off, with the native kernels and with max ISA avx2 and scalar, threads 1 and 2;
// worst-case data (the int32 overflow probes) and awkward shapes; rejection of what it cannot run.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "kernels/algo/algorithm.h"
#include "kernels/common/error.h"
#include "kernels/common/quant.h"
#include "kernels/fastconv/q16-layer.h"
#include "kernels/isa.h"
#include "kernels/ref/conv2d-ref.h"
#include "tests/fastconv/test-util.h"

namespace {

using namespace sfc;

const char* const kSupported[] = {"sfc6_7x7_3x3", "sfc6_6x6_3x3", "sfc4_4x4_3x3", "sfc6_6x6_5x5",
                                  "sfc6_4x4_7x7", "sfc6_6x6_7x7", "wino_2x2_3x3"};

enum class fill { random, max, min, alternating };

struct layer_case {
  conv2d_params p;
  qtype src = qtype::u8, dst = qtype::u8;
  int32_t src_zp = 0, dst_zp = 0;
  bool relu = false;
  fill data = fill::random;
  uint32_t seed = 1;
};

struct layer_data {
  std::vector<uint8_t> src;
  std::vector<int8_t> w;
  std::vector<float> wscale, bias;
  q8_output_params op;
  std::vector<uint8_t> want;
};

layer_data make_case(const layer_case& c) {
  const conv2d_params& p = c.p;
  layer_data d;
  const size_t n_src = size_t(p.n) * p.h * p.w * p.ic, n_dst = size_t(p.n) * p.oh() * p.ow() * p.oc;
  const bool s8 = c.src == qtype::s8;
  d.src = sfc_test::random_u8(n_src, c.seed);
  d.w = sfc_test::random_s8(size_t(p.oc) * p.ic * p.kh * p.kw, c.seed + 1);
  // Extremes: |x − zp| = 255 and |w| = 128 everywhere (or alternating signs).
  for (size_t i = 0; i < d.src.size(); i++) {
    const bool hi = c.data == fill::max || (c.data == fill::alternating && (i / p.ic + i) % 2);
    if (c.data != fill::random) d.src[i] = s8 ? (hi ? 0x7f : 0x80) : (hi ? 255 : 0);
  }
  for (size_t i = 0; i < d.w.size(); i++) {
    if (c.data == fill::max || c.data == fill::min) d.w[i] = -128;
    if (c.data == fill::alternating) d.w[i] = i % 2 ? 127 : -128;
  }
  std::vector<int32_t> acc(n_dst);
  if (s8)
    conv2d_ref_s8(p, layout::nhwc, reinterpret_cast<const int8_t*>(d.src.data()), c.src_zp, d.w.data(), nullptr, acc.data());
  else
    conv2d_ref_u8(p, layout::nhwc, d.src.data(), c.src_zp, d.w.data(), nullptr, acc.data());
  d.wscale.resize(p.oc), d.bias.resize(p.oc);
  for (int o = 0; o < p.oc; o++) d.wscale[o] = 0.0005f * (1 + o % 7), d.bias[o] = 0.3f * (o % 9 - 4);
  d.op.src_scale = 0.05f, d.op.weight_scale = d.wscale.data(), d.op.bias = c.seed % 4 ? d.bias.data() : nullptr;
  d.op.dst_type = c.dst, d.op.dst_zero_point = c.dst_zp, d.op.relu = c.relu;
  // dst_scale: the real values span about ±200 quantization steps (some saturate).
  double big = 1e-30;
  for (size_t i = 0; i < n_dst; i++)
    big = std::max(big, std::fabs(double(d.op.src_scale) * d.wscale[i % p.oc] * acc[i]));
  d.op.dst_scale = float(big / 200);
  d.bias.assign(p.oc, 0);
  for (int o = 0; o < p.oc; o++) d.bias[o] = d.op.dst_scale * (0.37f * (o % 9) - 1.5f);
  d.want.resize(n_dst);
  size_t interior = 0;
  for (size_t i = 0; i < n_dst; i++) {
    const int32_t q = requantize_acc(acc[i], int(i % p.oc), d.op);
    interior += q > qtype_min(c.dst) && q < qtype_max(c.dst);
    d.want[i] = uint8_t(q);
  }
  // The test must exercise rounding, not only saturation.
  if (c.data == fill::random && n_dst >= 100) {
    EXPECT_GT(interior, n_dst / 5);
  }
  return d;
}

// The layer (ISA cap given) against the direct convolution + requantize_acc.
void check_layer(const fastconv_algorithm& alg, const layer_case& c, isa_level isa,
                 const std::string& what, const layer_data& d) {
  fastconv_q16_layer layer(alg, c.p, d.w.data(), d.op, c.src, c.src_zp, isa);
  std::vector<uint8_t> got1(d.want.size(), 0xcd), got2(d.want.size(), 0xab);
  layer.run(d.src.data(), got1.data(), 1);
  layer.run(d.src.data(), got2.data(), 2);
  size_t bad = 0, first = 0;
  for (size_t i = 0; i < d.want.size(); i++)
    if (got1[i] != d.want[i] && bad++ == 0) first = i;
  EXPECT_EQ(bad, 0u) << what << " " << layer.kernel_name() << ": first at " << first << " got "
                     << int(got1[first]) << " want " << int(d.want[first]);
  EXPECT_EQ(got1, got2) << what << ": threads 1 and 2 differ";
}

// Native, avx2 and scalar caps (those this CPU runs).
void check_all_isas(const fastconv_algorithm& alg, const layer_case& c, const std::string& what) {
  const layer_data d = make_case(c);
  for (isa_level isa : {isa_level::avx512vnni, isa_level::avx2, isa_level::neon, isa_level::scalar})
    if (isa == isa_level::scalar || isa_supported(isa))
      check_layer(alg, c, isa, what + " isa " + isa_name(isa), d);
}

TEST(FastconvQ16Layer, MatchesDirectConvAllAlgorithms) {
  uint32_t seed = 10;
  for (const char* name : kSupported) {
    const auto& alg = *find_algorithm(name);
    int variant = 0;
    for (qtype src : {qtype::u8, qtype::s8})
      for (qtype dst : {qtype::u8, qtype::s8})
        for (bool relu : {false, true}) {
          layer_case c;
          c.p.n = 1 + variant % 2, c.p.ic = variant % 3 == 0 ? 17 : 40, c.p.oc = variant % 4 == 1 ? 21 : 48;
          c.p.h = 13 + variant % 5, c.p.w = 11 + variant % 7;
          c.p.kh = c.p.kw = alg.r;
          c.p.pad_t = c.p.pad_l = alg.r / 2, c.p.pad_b = c.p.pad_r = alg.r / 2 - (variant % 3 == 2);
          c.src = src, c.dst = dst, c.relu = relu;
          c.src_zp = src == qtype::u8 ? 120 + variant : -3 - variant;
          c.dst_zp = dst == qtype::u8 ? 5 + variant : -7 + variant;
          c.seed = seed++;
          check_all_isas(alg, c, std::string(name) + " variant " + std::to_string(variant));
          variant++;
        }
  }
}

// |x − zp| = 255, |w| = 128 everywhere: M and Y = D·acc overflow int32 by far; the result must
// still be exact (wrap-around + exact division, q16-ukernels.h).
TEST(FastconvQ16Layer, WorstCaseDataIsExact) {
  uint32_t seed = 300;
  for (const char* name : kSupported) {
    const auto& alg = *find_algorithm(name);
    for (fill f : {fill::max, fill::min, fill::alternating})
      for (qtype src : {qtype::u8, qtype::s8}) {
        layer_case c;
        // The largest Cin the worst case allows for the algorithm's divisor, capped for speed.
        const fastconv_q16_divisor dv = fastconv_q16_divisor_of(alg);
        const int64_t cap = ((int64_t(1) << (31 - dv.shift)) - 1) / (255LL * 128 * alg.r * alg.r);
        c.p.n = 1, c.p.ic = int(std::min<int64_t>(cap, 513)), c.p.oc = 18, c.p.h = 9, c.p.w = 10;
        c.p.kh = c.p.kw = alg.r, c.p.pad_t = c.p.pad_l = c.p.pad_b = c.p.pad_r = alg.r / 2;
        c.src = src, c.dst = qtype::u8, c.relu = seed % 2, c.data = f, c.seed = seed++;
        c.src_zp = src == qtype::u8 ? (f == fill::min ? 255 : 0) : (f == fill::min ? 127 : -128);
        c.dst_zp = 100;
        check_all_isas(alg, c, std::string(name) + " worst case ic=" + std::to_string(c.p.ic));
      }
  }
}

TEST(FastconvQ16Layer, AwkwardShapes) {
  const auto& alg = *find_algorithm("sfc6_7x7_3x3");
  uint32_t seed = 500;
  for (int ic : {1, 3, 17, 513})
    for (int hw : {1, 5, 13, 57}) {
      if (ic == 513 && hw > 13) continue;  // keeps the direct reference fast
      layer_case c;
      c.p.n = 3, c.p.ic = ic, c.p.oc = ic == 513 ? 20 : 35, c.p.h = hw, c.p.w = hw == 57 ? 5 : hw;
      c.p.kh = c.p.kw = 3, c.p.pad_t = c.p.pad_l = c.p.pad_b = c.p.pad_r = 1;
      c.src_zp = 128, c.relu = true, c.seed = seed++;
      check_all_isas(alg, c, "ic=" + std::to_string(ic) + " hw=" + std::to_string(hw));
    }
  for (int oc : {1, 3, 17, 64, 65, 130}) {
    layer_case c;
    c.p.n = 1, c.p.ic = 32, c.p.oc = oc, c.p.h = 15, c.p.w = 9;
    c.p.kh = c.p.kw = 3, c.p.pad_t = c.p.pad_l = c.p.pad_b = c.p.pad_r = 1;
    c.seed = seed++;
    check_all_isas(alg, c, "oc=" + std::to_string(oc));
  }
}

TEST(FastconvQ16Layer, EveryBgemmKernel) {
  const auto& alg = *find_algorithm("sfc6_6x6_3x3");
  layer_case c;
  c.p.n = 2, c.p.ic = 35, c.p.oc = 70, c.p.h = 20, c.p.w = 14;
  c.p.kh = c.p.kw = 3, c.p.pad_t = c.p.pad_l = c.p.pad_b = c.p.pad_r = 1;
  c.src_zp = 7, c.seed = 77;
  const layer_data d = make_case(c);
  int checked = 0;
  for (const auto& k : fastconv_q16_bgemm_kernels()) {
    if (k.isa != isa_level::scalar && (!isa_supported(k.isa) || int(k.isa) > int(effective_isa())))
      continue;  // not on this CPU, or capped by SFC_MAX_ISA
    fastconv_q16_layer_options opt;
    opt.bgemm = k.name, opt.tile_block = 5 + checked % 7;
    fastconv_q16_layer layer(alg, c.p, d.w.data(), d.op, c.src, c.src_zp, k.isa, opt);
    std::vector<uint8_t> got(d.want.size());
    layer.run(d.src.data(), got.data(), 2);
    EXPECT_EQ(got, d.want) << layer.kernel_name();
    checked++;
  }
  EXPECT_GT(checked, 0);
}

TEST(FastconvQ16Layer, RejectsWhatItCannotRun) {
  conv2d_params p;
  p.ic = 8, p.oc = 8, p.h = p.w = 9, p.kh = p.kw = 3, p.pad_t = p.pad_l = p.pad_b = p.pad_r = 1;
  std::vector<int8_t> w(size_t(8) * 8 * 9, 1);
  std::vector<float> ws(8, 0.01f);
  q8_output_params op;
  op.weight_scale = ws.data();
  const auto& alg = *find_algorithm("sfc6_7x7_3x3");
  EXPECT_NO_THROW(fastconv_q16_layer(alg, p, w.data(), op, qtype::u8, 0));
  EXPECT_THROW(fastconv_q16_layer(alg, p, w.data(), op, qtype::u8, 300), error);
  EXPECT_THROW(fastconv_q16_layer(alg, p, w.data(), op, qtype::f32, 0), error);
  op.dst_type = qtype::f32;
  EXPECT_THROW(fastconv_q16_layer(alg, p, w.data(), op, qtype::u8, 0), error);
  op.dst_type = qtype::u8;
  for (const char* name : {"wino_4x4_3x3", "wino_6x6_3x3"}) {
    const std::string why = fastconv_q16_unsupported_reason(*find_algorithm(name), p, w.data(), qtype::u8, 0);
    EXPECT_NE(why.find("does not fit int16"), std::string::npos) << name << ": " << why;
    EXPECT_THROW(fastconv_q16_layer(*find_algorithm(name), p, w.data(), op, qtype::u8, 0), error);
  }
  // Accumulator bound: SFC-4 (D = 16) allows |acc| < 2^27, i.e. 456 channels of worst-case data.
  const auto& s4 = *find_algorithm("sfc4_4x4_3x3");
  for (int ic : {456, 457}) {
    p.ic = ic;
    std::vector<int8_t> wmax(size_t(p.oc) * ic * 9, -128);
    const std::string why = fastconv_q16_unsupported_reason(s4, p, wmax.data(), qtype::u8, 0);
    EXPECT_EQ(why.empty(), ic == 456) << why;
    // zero point 128: |x − zp| ≤ 128 halves the bound.
    EXPECT_TRUE(fastconv_q16_unsupported_reason(s4, p, wmax.data(), qtype::u8, 128).empty());
  }
  p.ic = 8, p.stride_h = 2;
  EXPECT_THROW(fastconv_q16_layer(alg, p, w.data(), op, qtype::u8, 0), error);
}

}  // namespace
