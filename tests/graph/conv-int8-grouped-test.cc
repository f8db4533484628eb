// Grouped int8 convolutions (depthwise with channel multiplier 1 and 2, and 4 groups of 3 → 2 channels):
// XNNPACK against sfc's reference (an exact int32 loop), with zero points, stride, padding, bias
// and ReLU6; and against a plain oracle written here, so that a shared mistake shows.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "graph/ops/conv2d-int8.h"
#include "int8-test-util.h"

namespace {

struct grouped_case {
  int ic, oc, groups, stride;
};

sfc::conv_int8_layer make_layer(const grouped_case& g) {
  sfc::conv_int8_layer L;
  L.label = "grouped conv";
  sfc::conv2d_params& p = L.ci.p;
  p.n = 2, p.ic = g.ic, p.oc = g.oc, p.h = 13, p.w = 11, p.kh = p.kw = 3;
  p.stride_h = p.stride_w = g.stride;
  p.pad_t = p.pad_l = 1, p.pad_b = p.pad_r = 1;
  L.ci.groups = g.groups;
  L.ci.act = sfc::activation_kind::clip, L.ci.act_min = 0.f, L.ci.act_max = 6.f;
  std::mt19937 rng(5);
  std::uniform_int_distribution<int> w(-127, 127);
  L.weights.resize(size_t(p.oc) * (p.ic / g.groups) * 9);
  for (int8_t& v : L.weights) v = int8_t(w(rng));
  L.bias.resize(size_t(p.oc));
  for (int o = 0; o < p.oc; ++o) L.bias[size_t(o)] = 0.25f * float(o % 7) - 0.75f;
  sfc::conv_quant_params& q = L.ci.quant;
  q.valid = true;
  q.src_type = sfc::qtype::u8, q.src_scale = 0.03f, q.src_zero_point = 7;
  q.weight_scale.resize(size_t(p.oc));
  for (int o = 0; o < p.oc; ++o) q.weight_scale[size_t(o)] = 0.002f + 0.0005f * float(o % 5);
  q.dst_type = sfc::qtype::s8, q.dst_scale = 0.04f, q.dst_zero_point = -9;
  return L;
}

// Plain oracle: double-precision real output, clipped, rounded half to even, + zero point.
std::vector<int> oracle(const sfc::conv_int8_layer& L, const std::vector<uint8_t>& src) {
  const sfc::conv2d_params& p = L.ci.p;
  const sfc::conv_quant_params& q = L.ci.quant;
  const int icg = p.ic / L.ci.groups, ocg = p.oc / L.ci.groups;
  std::vector<int> y;
  for (int n = 0; n < p.n; ++n)
    for (int oy = 0; oy < p.oh(); ++oy)
      for (int ox = 0; ox < p.ow(); ++ox)
        for (int o = 0; o < p.oc; ++o) {
          long acc = 0;
          for (int ky = 0; ky < 3; ++ky)
            for (int kx = 0; kx < 3; ++kx)
              for (int c = 0; c < icg; ++c) {
                const int iy = oy * p.stride_h - p.pad_t + ky, ix = ox * p.stride_w - p.pad_l + kx;
                if (iy < 0 || iy >= p.h || ix < 0 || ix >= p.w) continue;
                const int ch = (o / ocg) * icg + c;
                acc += long(int(src[((size_t(n) * p.h + iy) * p.w + ix) * p.ic + ch]) - q.src_zero_point) *
                       L.weights[((size_t(o) * icg + c) * 3 + ky) * 3 + kx];
              }
          double r = double(acc) * q.src_scale * q.weight_scale[size_t(o)] + L.bias[size_t(o)];
          r = std::min(std::max(r, 0.0), 6.0);
          y.push_back(std::clamp(int(std::nearbyint(r / q.dst_scale)) + q.dst_zero_point, -128, 127));
        }
  return y;
}

TEST(Int8Grouped, XnnpackAndReferenceMatchAnOracle) {
  for (const grouped_case& g : {grouped_case{16, 16, 16, 1}, grouped_case{16, 32, 16, 2},
                                grouped_case{12, 8, 4, 1}}) {
    SCOPED_TRACE("ic " + std::to_string(g.ic) + " oc " + std::to_string(g.oc) + " groups " +
                 std::to_string(g.groups) + " stride " + std::to_string(g.stride));
    const sfc::conv_int8_layer L = make_layer(g);
    std::mt19937 rng(9);
    std::uniform_int_distribution<int> x(0, 255);
    std::vector<uint8_t> src(size_t(L.ci.p.n) * L.ci.p.h * L.ci.p.w * L.ci.p.ic);
    for (uint8_t& v : src) v = uint8_t(x(rng));
    const std::vector<int> want = oracle(L, src);
    std::vector<sfc::conv_impl_kind> kinds = {sfc::conv_impl_kind::reference_int8};
    if (sfc_test::policy_available("xnnpack")) kinds.push_back(sfc::conv_impl_kind::xnnpack_int8);
    for (sfc::conv_impl_kind k : kinds) {
      sfc::conv_impl_choice c;
      c.kind = k;
      const std::vector<uint8_t> got = sfc_test::run_conv_int8(L, c, src);
      ASSERT_EQ(got.size(), want.size());
      size_t equal = 0, lo = 0, hi = 0;
      for (size_t i = 0; i < got.size(); ++i) {
        const int v = int(int8_t(got[i]));
        EXPECT_LE(std::abs(v - want[i]), 1) << i;
        equal += v == want[i], lo += want[i] == -9, hi += want[i] == 127;
      }
      EXPECT_GE(double(equal), 0.999 * double(got.size())) << int(k);
      EXPECT_GT(lo, got.size() / 20);  // ReLU6 bounds exercised (6 / 0.04 − 9 = 141 → 127)
    }
    // oneDNN and SFC decline grouped convolutions with a reason.
    for (const sfc::conv_impl_choice& c : sfc::conv_int8_candidates(L)) {
      if (c.kind != sfc::conv_impl_kind::reference_int8 &&
          c.kind != sfc::conv_impl_kind::xnnpack_int8) {
        EXPECT_FALSE(c.rejected.empty()) << sfc::conv_impl_name(c);
      }
    }
  }
}

}  // namespace
