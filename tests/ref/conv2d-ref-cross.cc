// Reference convolution: cross-checks on random data over a shape matrix. The oracle is the
// textbook loop nest in conv2d-ref-util.h; the four entry points and both layouts must agree.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "kernels/ref/conv2d-ref.h"
#include "tests/ref/conv2d-ref-util.h"

namespace {

using sfc::conv2d_params;
using sfc::layout;
using namespace sfc_test;

struct shape_case {
  const char* name;
  conv2d_params p;
};

// n, ic, oc, h, w, kh, kw, sh, sw, pad_t, pad_l, pad_b, pad_r
const shape_case kShapes[] = {
    {"c1_3x3_k3", make_params(1, 1, 1, 3, 3, 3, 3, 1, 1, 1, 1, 1, 1)},
    {"c3_8x8_k3_s1", make_params(1, 3, 4, 8, 8, 3, 3, 1, 1, 1, 1, 1, 1)},
    {"c17_9x7_k3_s2", make_params(1, 17, 5, 9, 7, 3, 3, 2, 2, 1, 1, 1, 1)},
    {"c3_stem_k7_s2", make_params(1, 3, 8, 15, 16, 7, 7, 2, 2, 3, 3, 3, 3)},
    {"batch3_c3", make_params(3, 3, 2, 6, 5, 3, 3, 1, 1, 1, 1, 1, 1)},
    {"asym_pads", make_params(2, 4, 3, 7, 6, 3, 3, 1, 1, 2, 0, 0, 1)},
    {"asym_pads_s2x3", make_params(1, 5, 6, 10, 11, 3, 2, 2, 3, 0, 2, 1, 0)},
    {"k1x1", make_params(2, 17, 9, 4, 5, 1, 1, 1, 1, 0, 0, 0, 0)},
    {"k1x1_s2", make_params(1, 8, 16, 7, 7, 1, 1, 2, 2, 0, 0, 0, 0)},
    {"spatial_1x1", make_params(2, 3, 4, 1, 1, 3, 3, 1, 1, 1, 1, 1, 1)},
    {"spatial_1x1_k1", make_params(1, 17, 3, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0)},
    {"k5_no_pad", make_params(1, 2, 3, 9, 8, 5, 5, 1, 1, 0, 0, 0, 0)},
    {"k1x3_row", make_params(1, 3, 2, 4, 9, 1, 3, 1, 1, 0, 1, 0, 1)},
    {"pad_beyond_kernel", make_params(1, 2, 2, 2, 3, 2, 2, 1, 1, 3, 0, 0, 4)},
    {"stride_gt_kernel", make_params(1, 3, 2, 11, 11, 2, 2, 4, 3, 0, 0, 0, 0)},
};

class Conv2dRefCross : public ::testing::TestWithParam<shape_case> {};

std::vector<double> run_f64(const conv2d_params& p, layout l, const std::vector<double>& src,
                            const std::vector<double>& w, const std::vector<double>& bias) {
  std::vector<double> dst(dst_size(p), -999.0);
  sfc::conv2d_ref_f64(p, l, src.data(), w.data(), bias.empty() ? nullptr : bias.data(), dst.data());
  return dst;
}

TEST_P(Conv2dRefCross, F64MatchesTextbookExactlyOnIntegers) {
  // Small integers: every partial sum is exact, so summation order cannot matter.
  const conv2d_params& p = GetParam().p;
  std::mt19937 rng(1);
  for (layout l : {layout::nchw, layout::nhwc}) {
    const auto src = random_ints<double>(src_size(p), -8, 8, rng);
    const auto w = random_ints<double>(weights_size(p), -8, 8, rng);
    const auto bias = random_ints<double>(p.oc, -100, 100, rng);
    EXPECT_EQ(run_f64(p, l, src, w, bias), textbook_conv(p, l, src, w, bias));
    EXPECT_EQ(run_f64(p, l, src, w, {}), textbook_conv(p, l, src, w, {}));
  }
}

TEST_P(Conv2dRefCross, F64MatchesTextbookOnReals) {
  const conv2d_params& p = GetParam().p;
  std::mt19937 rng(2);
  const auto src = random_reals<double>(src_size(p), rng);
  const auto w = random_reals<double>(weights_size(p), rng);
  const auto bias = random_reals<double>(p.oc, rng);
  const auto got = run_f64(p, layout::nhwc, src, w, bias);
  const auto want = textbook_conv(p, layout::nhwc, src, w, bias);
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-12) << "at " << i;
}

TEST_P(Conv2dRefCross, NchwAndNhwcAgree) {
  const conv2d_params& p = GetParam().p;
  std::mt19937 rng(3);
  const auto src = random_reals<double>(src_size(p), rng);
  const auto w = random_reals<double>(weights_size(p), rng);
  const auto bias = random_reals<double>(p.oc, rng);
  const auto nchw = run_f64(p, layout::nchw, src, w, bias);
  const auto src_nhwc = relayout(src, layout::nchw, layout::nhwc, p.n, p.ic, p.h, p.w);
  const auto nhwc = run_f64(p, layout::nhwc, src_nhwc, w, bias);
  EXPECT_EQ(relayout(nhwc, layout::nhwc, layout::nchw, p.n, p.oc, p.oh(), p.ow()), nchw);
}

TEST_P(Conv2dRefCross, F32IsF64RoundedOnce) {
  // f32 accumulates in double, so it equals the f64 result on the same values, rounded.
  const conv2d_params& p = GetParam().p;
  std::mt19937 rng(4);
  for (layout l : {layout::nchw, layout::nhwc}) {
    const auto src = random_reals<float>(src_size(p), rng);
    const auto w = random_reals<float>(weights_size(p), rng);
    const auto bias = random_reals<float>(p.oc, rng);
    std::vector<float> got(dst_size(p));
    sfc::conv2d_ref_f32(p, l, src.data(), w.data(), bias.data(), got.data());
    const auto want = run_f64(p, l, std::vector<double>(src.begin(), src.end()),
                              std::vector<double>(w.begin(), w.end()),
                              std::vector<double>(bias.begin(), bias.end()));
    for (size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i], float(want[i])) << "at " << i;
  }
}

template <class T>
std::vector<double> minus_zero_point(const std::vector<T>& v, int32_t zp) {
  std::vector<double> out(v.size());
  for (size_t i = 0; i < v.size(); ++i) out[i] = double(v[i]) - zp;
  return out;
}

TEST_P(Conv2dRefCross, QuantizedMatchesF64WithZeroPoints) {
  const conv2d_params& p = GetParam().p;
  std::mt19937 rng(5);
  const auto w = random_ints<int8_t>(weights_size(p), -128, 127, rng);
  const auto bias = random_ints<int32_t>(p.oc, -100000, 100000, rng);
  const std::vector<double> wd(w.begin(), w.end()), bd(bias.begin(), bias.end());
  for (layout l : {layout::nchw, layout::nhwc}) {
    std::vector<int32_t> got(dst_size(p));
    const auto s8 = random_ints<int8_t>(src_size(p), -128, 127, rng);
    for (int32_t zp : {0, -128, 5, 127}) {
      sfc::conv2d_ref_s8(p, l, s8.data(), zp, w.data(), bias.data(), got.data());
      EXPECT_EQ(std::vector<double>(got.begin(), got.end()),
                run_f64(p, l, minus_zero_point(s8, zp), wd, bd))
          << "s8 zp " << zp;
    }
    const auto u8 = random_ints<uint8_t>(src_size(p), 0, 255, rng);
    for (int32_t zp : {0, 128, 255, 3}) {
      sfc::conv2d_ref_u8(p, l, u8.data(), zp, w.data(), nullptr, got.data());
      EXPECT_EQ(std::vector<double>(got.begin(), got.end()),
                run_f64(p, l, minus_zero_point(u8, zp), wd, {}))
          << "u8 zp " << zp;
    }
  }
}

TEST_P(Conv2dRefCross, BatchIsIndependentImages) {
  conv2d_params p = GetParam().p;
  p.n = 3;
  std::mt19937 rng(6);
  const auto src = random_reals<double>(src_size(p), rng);
  const auto w = random_reals<double>(weights_size(p), rng);
  for (layout l : {layout::nchw, layout::nhwc}) {
    const auto all = run_f64(p, l, src, w, {});
    conv2d_params one = p;
    one.n = 1;
    const size_t in = src_size(one), out = dst_size(one);
    for (int n = 0; n < p.n; ++n) {
      const std::vector<double> img(src.begin() + n * in, src.begin() + (n + 1) * in);
      EXPECT_EQ(run_f64(one, l, img, w, {}),
                std::vector<double>(all.begin() + n * out, all.begin() + (n + 1) * out))
          << "image " << n;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Shapes, Conv2dRefCross, ::testing::ValuesIn(kShapes),
                         [](const ::testing::TestParamInfo<shape_case>& info) {
                           return std::string(info.param.name);
                         });

TEST(Conv2dRefSpeed, ResNetLayer56x56x64) {
  // The size the brief budgets: 56x56, 64 -> 64, 3x3, pad 1 (231 M MACs); u8, NHWC.
  const auto p = make_params(1, 64, 64, 56, 56, 3, 3, 1, 1, 1, 1, 1, 1);
  std::mt19937 rng(7);
  const auto src = random_ints<uint8_t>(src_size(p), 0, 255, rng);
  const auto w = random_ints<int8_t>(weights_size(p), -128, 127, rng);
  std::vector<int32_t> dst(dst_size(p));
  const auto t0 = std::chrono::steady_clock::now();
  sfc::conv2d_ref_u8(p, layout::nhwc, src.data(), 128, w.data(), nullptr, dst.data());
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("conv2d_ref_u8 56x56x64->64 3x3: %.3f s\n", s);
  const auto want = textbook_conv(p, layout::nhwc, minus_zero_point(src, 128),
                                  std::vector<double>(w.begin(), w.end()), {});
  EXPECT_EQ(std::vector<double>(dst.begin(), dst.end()), want);
}

}  // namespace
