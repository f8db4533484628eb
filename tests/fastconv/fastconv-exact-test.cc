// int8 exact path: bit-identical to the direct int8 convolution for every algorithm.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "kernels/algo/algorithm.h"
#include "kernels/common/error.h"
#include "kernels/fastconv/fastconv.h"
#include "kernels/ref/conv2d-ref.h"
#include "tests/fastconv/test-util.h"

namespace {

using sfc::conv2d_params;

struct shape {
  int n, ic, oc, h, w, pad;
};

std::string algo_name(const testing::TestParamInfo<std::string>& i) { return i.param; }

std::vector<std::string> all_names() {
  std::vector<std::string> v;
  for (const auto& a : sfc::all_algorithms()) v.push_back(a.name);
  return v;
}

class FastconvExact : public testing::TestWithParam<std::string> {
 protected:
  const sfc::fastconv_algorithm& alg() const { return *sfc::find_algorithm(GetParam()); }
  conv2d_params make(const shape& s) const {
    conv2d_params p;
    p.n = s.n, p.ic = s.ic, p.oc = s.oc, p.h = s.h, p.w = s.w;
    p.kh = p.kw = alg().r;
    p.pad_t = p.pad_l = p.pad_b = p.pad_r = s.pad;
    return p;
  }
  void check_s8(const conv2d_params& p, const std::vector<int8_t>& x, const std::vector<int8_t>& w,
                int32_t zp) {
    std::vector<int32_t> bias(p.oc);
    for (int o = 0; o < p.oc; o++) bias[o] = o * 37 - 500;
    std::vector<int32_t> ref(size_t(p.n) * p.oh() * p.ow() * p.oc), got(ref.size());
    sfc::conv2d_ref_s8(p, sfc::layout::nhwc, x.data(), zp, w.data(), bias.data(), ref.data());
    sfc::fastconv_s8_exact(alg(), p, x.data(), zp, w.data(), bias.data(), got.data());
    for (size_t i = 0; i < ref.size(); i++)
      ASSERT_EQ(got[i], ref[i]) << alg().name << " at flat index " << i;
  }
};

TEST_P(FastconvExact, RandomShapes) {
  const int r = alg().r;
  const shape shapes[] = {{1, 3, 5, 13, 13, r / 2}, {3, 1, 2, 5, 7, r / 2}, {1, 17, 4, 9, 11, 0},
                          {2, 5, 3, 2, 2, r / 2},   {1, 4, 3, 1, 1, r / 2}, {1, 6, 6, 14, 15, 1}};
  uint32_t seed = 1;
  for (const shape& s : shapes) {
    conv2d_params p = make(s);
    if (p.oh() < 1 || p.ow() < 1) continue;
    auto x = sfc_test::random_s8(size_t(p.n) * p.h * p.w * p.ic, seed++);
    auto w = sfc_test::random_s8(size_t(p.oc) * p.ic * r * r, seed++);
    check_s8(p, x, w, 0);
    check_s8(p, x, w, -7);
  }
}

TEST_P(FastconvExact, AsymmetricPadding) {
  conv2d_params p = make({1, 3, 2, 10, 9, 0});
  p.pad_t = 2, p.pad_l = 0, p.pad_b = 1, p.pad_r = 3;
  auto x = sfc_test::random_s8(size_t(p.h) * p.w * p.ic, 11);
  auto w = sfc_test::random_s8(size_t(p.oc) * p.ic * p.kh * p.kw, 12);
  check_s8(p, x, w, 3);
}

TEST_P(FastconvExact, WorstCaseTilesNoOverflow) {
  // All +127, all −128 and alternating-sign inputs and weights: the overflow probes.
  conv2d_params p = make({1, 16, 3, 2 * alg().m + 1, 2 * alg().m + 3, alg().r / 2});
  const size_t nx = size_t(p.h) * p.w * p.ic, nw = size_t(p.oc) * p.ic * p.kh * p.kw;
  for (int pattern = 0; pattern < 4; pattern++) {
    std::vector<int8_t> x(nx), w(nw);
    for (size_t i = 0; i < nx; i++)
      x[i] = pattern == 0 ? 127 : pattern == 1 ? -128 : ((i / p.ic + (i / (p.ic * p.w))) % 2 ? 127 : -128);
    for (size_t i = 0; i < nw; i++)
      w[i] = pattern == 0 ? 127 : pattern == 1 ? -128 : pattern == 2 ? (i % 2 ? 127 : -128) : -128;
    check_s8(p, x, w, 0);
  }
}

TEST_P(FastconvExact, Uint8WithZeroPoint) {
  conv2d_params p = make({2, 7, 5, 11, 8, alg().r / 2});
  auto x = sfc_test::random_u8(size_t(p.n) * p.h * p.w * p.ic, 21);
  auto w = sfc_test::random_s8(size_t(p.oc) * p.ic * p.kh * p.kw, 22);
  for (int32_t zp : {0, 128, 255}) {
    std::vector<int32_t> ref(size_t(p.n) * p.oh() * p.ow() * p.oc), got(ref.size());
    sfc::conv2d_ref_u8(p, sfc::layout::nhwc, x.data(), zp, w.data(), nullptr, ref.data());
    sfc::fastconv_u8_exact(alg(), p, x.data(), zp, w.data(), nullptr, got.data());
    ASSERT_EQ(got, ref) << "zero point " << zp;
  }
}

TEST_P(FastconvExact, RejectsWrongKernelAndStride) {
  conv2d_params p = make({1, 2, 2, 8, 8, 1});
  p.stride_h = p.stride_w = 2;
  std::vector<int8_t> x(256), w(256);
  std::vector<int32_t> y(1024);
  EXPECT_THROW(sfc::fastconv_s8_exact(alg(), p, x.data(), 0, w.data(), nullptr, y.data()), sfc::error);
  p.stride_h = p.stride_w = 1;
  p.kh = p.kw = alg().r + 2;
  EXPECT_THROW(sfc::fastconv_s8_exact(alg(), p, x.data(), 0, w.data(), nullptr, y.data()), sfc::error);
}

INSTANTIATE_TEST_SUITE_P(All, FastconvExact, testing::ValuesIn(all_names()), algo_name);

}  // namespace
