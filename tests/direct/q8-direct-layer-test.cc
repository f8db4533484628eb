// Direct small-channel int8 layer (kernels/direct/q8-direct-layer.h) against the exact reference
// convolution plus the reference epilogue, byte for byte, on every ISA tier present.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "kernels/common/error.h"
#include "kernels/common/quant.h"
#include "kernels/direct/q8-direct-layer.h"
#include "kernels/isa.h"
#include "tests/fastconv/test-util.h"

namespace {

using sfc::conv2d_params;
using sfc::isa_level;
using sfc::qtype;

struct direct_case {
  conv2d_params p;
  qtype src = qtype::u8, dst = qtype::u8;
  int32_t src_zp = 0, dst_zp = 0;
  bool relu = true, extreme = false;
};

conv2d_params shape(int n, int ic, int oc, int h, int w, int k, int s, int pt, int pl, int pb,
                    int pr) {
  conv2d_params p;
  p.n = n, p.ic = ic, p.oc = oc, p.h = h, p.w = w, p.kh = p.kw = k;
  p.stride_h = p.stride_w = s, p.pad_t = pt, p.pad_l = pl, p.pad_b = pb, p.pad_r = pr;
  return p;
}

// The graph's int8 conv semantics (conv2d-int8.h) evaluated with the exact reference accumulator.
std::vector<uint8_t> expected(const direct_case& c, const std::vector<uint8_t>& src,
                              const std::vector<int8_t>& w, const sfc::direct_q8_config& cfg) {
  const conv2d_params& p = c.p;
  std::vector<int32_t> acc(size_t(p.n) * p.oh() * p.ow() * p.oc);
  if (c.src == qtype::u8)
    sfc::conv2d_ref_u8(p, sfc::layout::nhwc, src.data(), c.src_zp, w.data(), nullptr, acc.data());
  else
    sfc::conv2d_ref_s8(p, sfc::layout::nhwc, reinterpret_cast<const int8_t*>(src.data()),
                       c.src_zp, w.data(), nullptr, acc.data());
  std::vector<uint8_t> out(acc.size());
  for (size_t i = 0; i < acc.size(); ++i) {
    const size_t o = i % size_t(p.oc);
    float f = (float(acc[i]) + cfg.bias_acc[o]) * cfg.oscale[o];
    if (c.relu) f = std::max(f, 0.f);
    out[i] = uint8_t(sfc::quantize_round_sat(f, c.dst_zp, sfc::qtype_min(c.dst),
                                             sfc::qtype_max(c.dst)));
  }
  return out;
}

void check(const direct_case& c, isa_level isa, const std::string& what) {
  const conv2d_params& p = c.p;
  const size_t nw = size_t(p.oc) * p.ic * p.kh * p.kw;
  std::vector<uint8_t> src = sfc_test::random_u8(size_t(p.n) * p.h * p.w * p.ic, 11);
  std::vector<int8_t> w = sfc_test::random_s8(nw, 12, -127, 127);
  if (c.extreme) {  // largest accumulators: every input at its maximum, weights ±127
    for (auto& v : src) v = c.src == qtype::u8 ? 255 : 0x7f;
    for (size_t i = 0; i < w.size(); ++i) w[i] = (i / size_t(p.ic * p.kh * p.kw)) % 2 ? -127 : 127;
  }
  sfc::direct_q8_config cfg;
  cfg.p = p, cfg.src_type = c.src, cfg.src_zero_point = c.src_zp, cfg.weights = w.data();
  cfg.dst_type = c.dst, cfg.dst_zero_point = c.dst_zp, cfg.relu = c.relu;
  const std::vector<float> sc = sfc_test::random_normal(size_t(p.oc), 13, 1.f);
  const std::vector<float> bs = sfc_test::random_normal(size_t(p.oc), 14, 3000.f);
  for (int o = 0; o < p.oc; ++o) {
    // Scales that put typical outputs across the whole byte range, some exactly on .5 ties.
    cfg.oscale.push_back(c.extreme ? 1e-4f : (0.002f + 0.001f * std::fabs(sc[size_t(o)])));
    cfg.bias_acc.push_back(o % 5 == 0 ? 0.f : bs[size_t(o)]);
  }
  cfg.oscale[0] = 0.5f;  // ties on odd accumulators
  const std::vector<uint8_t> want = expected(c, src, w, cfg);
  sfc::direct_q8_layer layer(cfg, isa);
  for (int threads : {1, 3}) {
    std::vector<uint8_t> got(want.size(), 0xCD);
    layer.run(src.data(), got.data(), threads);
    size_t bad = 0, first = 0;
    for (size_t i = 0; i < want.size(); ++i)
      if (got[i] != want[i] && bad++ == 0) first = i;
    ASSERT_EQ(bad, 0u) << what << " " << layer.kernel_name() << " threads=" << threads
                       << ": first mismatch at " << first << " got " << int(got[first])
                       << " want " << int(want[first]);
  }
}

std::vector<isa_level> tiers() {
  std::vector<isa_level> t = {isa_level::scalar};
  if (sfc::effective_isa() == isa_level::avx512vnni) t.push_back(isa_level::avx512vnni);
  return t;
}

TEST(DirectQ8Layer, ResNetStem) {
  for (isa_level isa : tiers()) {
    direct_case c;
    c.p = shape(1, 3, 64, 40, 38, 7, 2, 3, 3, 3, 3);
    check(c, isa, "stem");
  }
}

TEST(DirectQ8Layer, AwkwardShapes) {
  const int hw[][2] = {{1, 1}, {5, 5}, {13, 5}, {57, 57}};
  for (isa_level isa : tiers())
    for (int ic : {1, 3, 4, 5})
      for (const auto& s : hw)
        for (int k : {1, 3, 7}) {
          if (k > s[0] + 2 * (k / 2)) continue;
          direct_case c;
          c.p = shape(1, ic, ic == 3 ? 17 : 64, s[0], s[1], k, 1 + (ic % 3), k / 2, k / 2, k / 2,
                      k / 2);
          check(c, isa,
                "ic=" + std::to_string(ic) + " " + std::to_string(s[0]) + "x" +
                    std::to_string(s[1]) + " k=" + std::to_string(k));
        }
}

TEST(DirectQ8Layer, ChannelsStridesPadsBatch) {
  for (isa_level isa : tiers())
    for (int oc : {1, 17, 64, 80, 130}) {
      direct_case c;
      c.p = shape(3, 3, oc, 23, 19, 5, 3, 0, 2, 4, 1);
      check(c, isa, "oc=" + std::to_string(oc));
    }
}

TEST(DirectQ8Layer, ZeroPointsTypesAndActivation) {
  for (isa_level isa : tiers()) {
    direct_case a;  // s8 source with a zero point, s8 destination with a zero point, no relu
    a.p = shape(2, 3, 40, 17, 21, 7, 2, 3, 3, 3, 3);
    a.src = qtype::s8, a.src_zp = -5, a.dst = qtype::s8, a.dst_zp = 3, a.relu = false;
    check(a, isa, "s8->s8 zp");
    direct_case b = a;  // u8 source zero point 7, u8 destination zero point 10, relu
    b.src = qtype::u8, b.src_zp = 7, b.dst = qtype::u8, b.dst_zp = 10, b.relu = true;
    check(b, isa, "u8->u8 zp relu");
    direct_case e = b;  // largest accumulators (kw·ic = 64 bytes per kernel row, 16 rows)
    e.p = shape(1, 4, 33, 20, 20, 16, 1, 0, 0, 0, 0), e.extreme = true, e.src_zp = 0;
    check(e, isa, "extreme");
  }
}

TEST(DirectQ8Layer, RejectsWhatItCannotRun) {
  EXPECT_NE(sfc::direct_q8_unsupported_reason(shape(1, 16, 8, 9, 9, 5, 1, 2, 2, 2, 2)), "");
  EXPECT_NE(sfc::direct_q8_unsupported_reason(shape(1, 1, 8, 40, 40, 17, 1, 0, 0, 0, 0)), "");
  EXPECT_NE(sfc::direct_q8_unsupported_reason(shape(1, 3, 8, 2, 2, 7, 1, 0, 0, 0, 0)), "");
  EXPECT_EQ(sfc::direct_q8_unsupported_reason(shape(1, 3, 64, 224, 224, 7, 2, 3, 3, 3, 3)), "");
  sfc::direct_q8_config cfg;
  cfg.p = shape(1, 3, 8, 2, 2, 7, 1, 0, 0, 0, 0);
  EXPECT_THROW(sfc::direct_q8_layer l(cfg), sfc::error);
  cfg.p = shape(1, 3, 8, 9, 9, 3, 1, 1, 1, 1, 1);  // no weights
  EXPECT_THROW(sfc::direct_q8_layer l(cfg), sfc::error);
}

}  // namespace
