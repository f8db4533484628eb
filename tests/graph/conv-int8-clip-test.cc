// Clip activation (ReLU6-like) in every int8 conv implementation (graph/ops/conv2d-int8.cc: the
// implementations run without activation, then a clamp pass): exact implementations give the
// reference's bytes, requantized SFC ones respect the clip bounds and stay close; the bounds are
// reached on both sides so the clip is exercised.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "graph/ops/conv2d-int8.h"
#include "int8-test-util.h"

namespace {

struct clip_case {
  sfc::qtype dst;
  float lo, hi;      // clip bounds (real)
  int32_t dst_zp;
};

sfc::conv_int8_layer make_layer(const clip_case& c) {
  sfc::conv_int8_layer L;
  L.label = "clip conv";
  sfc::conv2d_params& p = L.ci.p;
  p.n = 2, p.ic = 24, p.oc = 16, p.h = p.w = 14, p.kh = p.kw = 3;
  p.pad_t = p.pad_l = p.pad_b = p.pad_r = 1;
  L.ci.act = sfc::activation_kind::clip, L.ci.act_min = c.lo, L.ci.act_max = c.hi;
  std::mt19937 rng(3);
  std::uniform_int_distribution<int> w(-50, 50);
  L.weights.resize(size_t(p.oc) * p.ic * 9);
  for (int8_t& v : L.weights) v = int8_t(w(rng));
  L.bias.resize(size_t(p.oc));
  for (int o = 0; o < p.oc; ++o) L.bias[size_t(o)] = 0.3f * float(o % 5) - 0.6f;
  sfc::conv_quant_params& q = L.ci.quant;
  q.valid = true;
  q.src_type = sfc::qtype::u8, q.src_scale = 0.02f;
  q.weight_scale.assign(size_t(p.oc), 0.004f);
  q.dst_type = c.dst, q.dst_scale = 0.05f, q.dst_zero_point = c.dst_zp;
  return L;
}

int value(uint8_t b, sfc::qtype t) { return t == sfc::qtype::u8 ? int(b) : int(int8_t(b)); }

TEST(Int8Clip, EveryImplementationClipsLikeTheReference) {
  for (const clip_case& cc : {clip_case{sfc::qtype::u8, 0.f, 6.f, 0},       // ReLU6, u8
                              clip_case{sfc::qtype::s8, -1.f, 2.f, -20}}) {  // s8, zero point
    const sfc::conv_int8_layer L = make_layer(cc);
    std::mt19937 rng(11);
    std::uniform_int_distribution<int> x(0, 255);
    std::vector<uint8_t> src(size_t(L.ci.p.n) * L.ci.p.h * L.ci.p.w * L.ci.p.ic);
    for (uint8_t& v : src) v = uint8_t(x(rng));
    sfc::conv_impl_choice ref;
    ref.kind = sfc::conv_impl_kind::reference_int8;
    const std::vector<uint8_t> want = sfc_test::run_conv_int8(L, ref, src);
    const int qlo = int(std::nearbyint(cc.lo / 0.05f)) + cc.dst_zp;
    const int qhi = std::min(int(std::nearbyint(cc.hi / 0.05f)) + cc.dst_zp,
                             cc.dst == sfc::qtype::u8 ? 255 : 127);
    const long at_lo = std::count_if(want.begin(), want.end(), [&](uint8_t b) { return value(b, cc.dst) == qlo; });
    const long at_hi = std::count_if(want.begin(), want.end(), [&](uint8_t b) { return value(b, cc.dst) == qhi; });
    ASSERT_GT(at_lo, long(want.size() / 20)) << "the lower bound is not exercised";
    ASSERT_GT(at_hi, long(want.size() / 20)) << "the upper bound is not exercised";
    int tested = 0;
    for (const sfc::conv_impl_choice& c : sfc::conv_int8_candidates(L)) {
      if (!c.rejected.empty() || c.kind == sfc::conv_impl_kind::reference_int8) continue;
      SCOPED_TRACE(sfc::conv_impl_name(c));
      ++tested;
      const std::vector<uint8_t> got = sfc_test::run_conv_int8(L, c, src);
      int worst = 0;
      size_t equal = 0;
      for (size_t i = 0; i < got.size(); ++i) {
        const int g = value(got[i], cc.dst), w = value(want[i], cc.dst);
        ASSERT_GE(g, qlo) << i;
        ASSERT_LE(g, qhi) << i;
        worst = std::max(worst, std::abs(g - w));
        equal += g == w;
      }
      if (c.kind == sfc::conv_impl_kind::sfc && c.variant.rfind("wino", 0) == 0) {
        EXPECT_GT(double(equal) / double(got.size()), 0.3);  // int8 Winograd: large errors
      } else if (c.kind == sfc::conv_impl_kind::sfc) {
        EXPECT_GT(double(equal) / double(got.size()), 0.5);  // requantized transform domain
        EXPECT_LE(worst, 12);
      } else {
        EXPECT_LE(worst, 1);  // exact accumulators; float epilogues may differ by one step
        EXPECT_GT(double(equal) / double(got.size()), 0.999);
      }
    }
    EXPECT_GE(tested, 3);  // at least oneDNN or XNNPACK, and SFC variants
  }
}

}  // namespace
