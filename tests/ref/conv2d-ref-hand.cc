// Reference convolution: small hand-computed cases and argument validation.
#include <gtest/gtest.h>

#include <climits>
#include <string>
#include <vector>

#include "kernels/common/error.h"
#include "kernels/ref/conv2d-ref.h"
#include "tests/ref/conv2d-ref-util.h"

namespace {

using sfc::conv2d_params;
using sfc::layout;
using sfc_test::make_params;

std::vector<double> run_f64(const conv2d_params& p, layout l, const std::vector<double>& src,
                            const std::vector<double>& w, const double* bias = nullptr) {
  std::vector<double> dst(sfc_test::dst_size(p), -999.0);
  sfc::conv2d_ref_f64(p, l, src.data(), w.data(), bias, dst.data());
  return dst;
}

TEST(Conv2dRefHand, OneChannel3x3AllOnesPad1) {
  // src = 1..9 (3x3), w = ones(3x3), pad 1: each output is the sum of its 3x3 neighbourhood.
  const auto p = make_params(1, 1, 1, 3, 3, 3, 3, 1, 1, 1, 1, 1, 1);
  const std::vector<double> src = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  const std::vector<double> w(9, 1.0);
  EXPECT_EQ(run_f64(p, layout::nchw, src, w),
            (std::vector<double>{12, 21, 16, 27, 45, 33, 24, 39, 28}));
  const double bias = 0.5;
  EXPECT_EQ(run_f64(p, layout::nhwc, src, w, &bias),
            (std::vector<double>{12.5, 21.5, 16.5, 27.5, 45.5, 33.5, 24.5, 39.5, 28.5}));
}

TEST(Conv2dRefHand, OneChannel3x3NoPadIsCrossCorrelation) {
  // A single output: Σ src[i]·w[i] with w not flipped (cross-correlation, as in CNNs).
  const auto p = make_params(1, 1, 1, 3, 3, 3, 3, 1, 1, 0, 0, 0, 0);
  const std::vector<double> src = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  const std::vector<double> w = {1, 0, 0, 0, 0, 0, 0, 0, 100};  // picks src[0,0] and 100·src[2,2]
  EXPECT_EQ(run_f64(p, layout::nchw, src, w), (std::vector<double>{901}));
}

TEST(Conv2dRefHand, Stride2PicksEveryOtherPixel) {
  // 5x5 src = 0..24, a 3x3 kernel with only the centre tap: out[y][x] = src[2y − pad + 1][...],
  // so with pad 1 and stride 2, out[y][x] = src[2y][2x].
  const auto p = make_params(1, 1, 1, 5, 5, 3, 3, 2, 2, 1, 1, 1, 1);
  std::vector<double> src(25);
  for (int i = 0; i < 25; ++i) src[i] = i;
  const std::vector<double> w = {0, 0, 0, 0, 1, 0, 0, 0, 0};
  EXPECT_EQ(p.oh(), 3);
  EXPECT_EQ(run_f64(p, layout::nchw, src, w),
            (std::vector<double>{0, 2, 4, 10, 12, 14, 20, 22, 24}));
  // Without padding: out[y][x] = src[2y+1][2x+1].
  const auto q = make_params(1, 1, 1, 5, 5, 3, 3, 2, 2, 0, 0, 0, 0);
  EXPECT_EQ(run_f64(q, layout::nhwc, src, w), (std::vector<double>{6, 8, 16, 18}));
}

TEST(Conv2dRefHand, StrideWithRemainderDropsLastColumn) {
  // w = 4, k = 2, stride 3: ow = (4 − 2)/3 + 1 = 1; rows h = 5, stride 2: oh = 2.
  const auto p = make_params(1, 1, 1, 5, 4, 2, 2, 2, 3, 0, 0, 0, 0);
  std::vector<double> src(20);
  for (int i = 0; i < 20; ++i) src[i] = i;
  const std::vector<double> w = {1, 1, 1, 1};
  // out[0] = 0+1+4+5 = 10; out[1] = 8+9+12+13 = 42.
  EXPECT_EQ(run_f64(p, layout::nchw, src, w), (std::vector<double>{10, 42}));
}

TEST(Conv2dRefHand, AsymmetricPads) {
  // src 2x3 = [[1,2,3],[4,5,6]], w 2x2 = [[1,2],[3,4]], pad_t 1, pad_b 0, pad_l 0, pad_r 1.
  // Padded src (3x4): [0 0 0 0; 1 2 3 0; 4 5 6 0] -> 2x3 output.
  const auto p = make_params(1, 1, 1, 2, 3, 2, 2, 1, 1, 1, 0, 0, 1);
  ASSERT_EQ(p.oh(), 2);
  ASSERT_EQ(p.ow(), 3);
  const std::vector<double> src = {1, 2, 3, 4, 5, 6};
  const std::vector<double> w = {1, 2, 3, 4};
  const std::vector<double> want = {11, 18, 9, 37, 47, 21};
  EXPECT_EQ(run_f64(p, layout::nchw, src, w), want);
  EXPECT_EQ(run_f64(p, layout::nhwc, src, w), want);
}

TEST(Conv2dRefHand, PaddingWiderThanKernelGivesBiasOnly) {
  // pad_l = 3 > kw: the first output column sees only padding.
  const auto p = make_params(1, 1, 1, 1, 2, 1, 2, 1, 1, 0, 3, 0, 0);
  ASSERT_EQ(p.ow(), 4);
  const std::vector<double> src = {5, 7};
  const std::vector<double> w = {1, 10};
  const double bias = 1;
  // Padded row: 0 0 0 5 7 -> windows (0,0) (0,0) (0,5) (5,7).
  EXPECT_EQ(run_f64(p, layout::nchw, src, w, &bias), (std::vector<double>{1, 1, 51, 76}));
}

TEST(Conv2dRefHand, TwoChannels1x1IsPerPixelMatrixProduct) {
  // 1x1 kernel: dst[o][pixel] = Σ_c w[o][c]·src[c][pixel] + bias[o].
  const auto p = make_params(1, 2, 3, 1, 2, 1, 1, 1, 1, 0, 0, 0, 0);
  const std::vector<double> src_nchw = {1, 2, /*c1*/ 10, 20};
  const std::vector<double> w = {1, 1, /*o1*/ 2, -1, /*o2*/ 0, 3};
  const std::vector<double> bias = {0, 100, -1};
  EXPECT_EQ(run_f64(p, layout::nchw, src_nchw, w, bias.data()),
            (std::vector<double>{11, 22, 92, 84, 29, 59}));
  const std::vector<double> src_nhwc = {1, 10, 2, 20};
  EXPECT_EQ(run_f64(p, layout::nhwc, src_nhwc, w, bias.data()),
            (std::vector<double>{11, 92, 29, 22, 84, 59}));
}

TEST(Conv2dRefHand, QuantizedPaddingIsZeroPoint) {
  // u8 src all equal to the zero point 128 -> every tap is 0, padded or not: dst = bias.
  const auto p = make_params(1, 1, 1, 2, 2, 3, 3, 1, 1, 1, 1, 1, 1);
  const std::vector<uint8_t> src(4, 128);
  const std::vector<int8_t> w(9, 7);
  const int32_t bias = -3;
  std::vector<int32_t> dst(4, 12345);
  sfc::conv2d_ref_u8(p, layout::nchw, src.data(), 128, w.data(), &bias, dst.data());
  EXPECT_EQ(dst, (std::vector<int32_t>{-3, -3, -3, -3}));
  // s8: src 1..4 with zero point −1 -> values 2..5; all-ones 3x3 with pad 1 sums all four.
  const std::vector<int8_t> s8 = {1, 2, 3, 4};
  const std::vector<int8_t> ones(9, 1);
  sfc::conv2d_ref_s8(p, layout::nhwc, s8.data(), -1, ones.data(), nullptr, dst.data());
  EXPECT_EQ(dst, (std::vector<int32_t>{14, 14, 14, 14}));
}

// ---- int32 overflow detection ----

TEST(Conv2dRefOverflow, BiasPlusAccumulatorAboveInt32Throws) {
  const auto p = make_params(1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0);
  const int8_t src = 1, w = 1;
  int32_t dst = 0;
  int32_t bias = INT32_MAX - 1;
  sfc::conv2d_ref_s8(p, layout::nchw, &src, 0, &w, &bias, &dst);  // exactly INT32_MAX: fine
  EXPECT_EQ(dst, INT32_MAX);
  bias = INT32_MAX;
  try {
    sfc::conv2d_ref_s8(p, layout::nchw, &src, 0, &w, &bias, &dst);
    FAIL() << "expected sfc::error";
  } catch (const sfc::error& e) {
    EXPECT_EQ(e.code(), sfc::error::internal);
    EXPECT_NE(std::string(e.what()).find("does not fit int32"), std::string::npos) << e.what();
  }
}

TEST(Conv2dRefOverflow, ExtremeZeroPointThrows) {
  // (0 − INT32_MIN) · 1 = 2^31 > INT32_MAX: only an int64 accumulator sees it.
  const auto p = make_params(1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0);
  const uint8_t src = 0;
  const int8_t w = 1;
  int32_t dst = 0;
  EXPECT_THROW(sfc::conv2d_ref_u8(p, layout::nhwc, &src, INT32_MIN, &w, nullptr, &dst), sfc::error);
}

TEST(Conv2dRefOverflow, ManyChannelsOverflowInAccumulation) {
  // A 1x1 conv over ic channels, src −128 with zero point 127 -> every value is −255.
  auto p = make_params(1, 66400, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0);
  const std::vector<int8_t> src(66400, -128), w_neg(66400, -128), w_pos(66400, 127);
  int32_t dst = 0;
  // 65000 taps of (−255)·(−128) = 32640: 2 121 600 000 still fits int32.
  p.ic = 65000;
  sfc::conv2d_ref_s8(p, layout::nchw, src.data(), 127, w_neg.data(), nullptr, &dst);
  EXPECT_EQ(dst, 2121600000);
  // 65800 taps: 2 147 712 000 > INT32_MAX.
  p.ic = 65800;
  EXPECT_THROW(sfc::conv2d_ref_s8(p, layout::nchw, src.data(), 127, w_neg.data(), nullptr, &dst),
               sfc::error);
  // 66400 taps of (−255)·127 = −32385: −2 150 364 000 < INT32_MIN.
  p.ic = 66400;
  EXPECT_THROW(sfc::conv2d_ref_s8(p, layout::nhwc, src.data(), 127, w_pos.data(), nullptr, &dst),
               sfc::error);
}

// ---- validation ----

void expect_invalid(const conv2d_params& p, const std::string& substr) {
  try {
    sfc::conv2d_validate(p);
    FAIL() << "expected sfc::error containing '" << substr << "'";
  } catch (const sfc::error& e) {
    EXPECT_EQ(e.code(), sfc::error::invalid_argument);
    EXPECT_NE(std::string(e.what()).find(substr), std::string::npos)
        << "message: " << e.what() << "\nwanted: " << substr;
  }
}

TEST(Conv2dRefValidate, AcceptsOrdinaryShapes) {
  EXPECT_NO_THROW(sfc::conv2d_validate(make_params(2, 3, 4, 5, 6, 3, 3, 1, 1, 1, 1, 1, 1)));
  EXPECT_NO_THROW(sfc::conv2d_validate(make_params(1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0)));
  // Kernel larger than the image but covered by padding.
  EXPECT_NO_THROW(sfc::conv2d_validate(make_params(1, 1, 1, 1, 1, 3, 3, 1, 1, 1, 1, 1, 1)));
}

TEST(Conv2dRefValidate, RejectsNonPositiveSizes) {
  const auto ok = make_params(1, 1, 1, 4, 4, 3, 3, 1, 1, 0, 0, 0, 0);
  auto p = ok;
  p.n = 0;
  expect_invalid(p, "batch n must be positive (got 0)");
  p = ok, p.ic = -1;
  expect_invalid(p, "ic must be positive (got -1)");
  p = ok, p.oc = 0;
  expect_invalid(p, "oc must be positive");
  p = ok, p.h = 0;
  expect_invalid(p, "height h must be positive");
  p = ok, p.w = 0;
  expect_invalid(p, "width w must be positive");
  p = ok, p.kh = 0;
  expect_invalid(p, "kh must be positive");
  p = ok, p.kw = -3;
  expect_invalid(p, "kw must be positive");
  p = ok, p.stride_h = 0;
  expect_invalid(p, "stride_h must be positive");
  p = ok, p.stride_w = -1;
  expect_invalid(p, "stride_w must be positive");
}

TEST(Conv2dRefValidate, RejectsNegativePads) {
  const auto ok = make_params(1, 1, 1, 4, 4, 3, 3, 1, 1, 0, 0, 0, 0);
  auto p = ok;
  p.pad_t = -1;
  expect_invalid(p, "pad_t must not be negative (got -1)");
  p = ok, p.pad_l = -1;
  expect_invalid(p, "pad_l must not be negative");
  p = ok, p.pad_b = -2;
  expect_invalid(p, "pad_b must not be negative");
  p = ok, p.pad_r = -1;
  expect_invalid(p, "pad_r must not be negative");
}

TEST(Conv2dRefValidate, RejectsEmptyOutput) {
  // 2 + 0 + 0 < 3: no kernel window fits. (Plain integer division would claim oh() == 1.)
  expect_invalid(make_params(1, 1, 1, 2, 8, 3, 3, 2, 1, 0, 0, 0, 0),
                 "empty output: padded height 2");
  expect_invalid(make_params(1, 1, 1, 8, 1, 3, 3, 1, 1, 0, 0, 0, 1),
                 "empty output: padded width 2");
  expect_invalid(make_params(1, 1, 1, 8, 8, 1, 1, 1, 1, INT_MAX, 0, 0, 0), "too large");
}

TEST(Conv2dRefValidate, ConvolutionEntryPointsValidate) {
  const auto p = make_params(1, 1, 1, 2, 2, 3, 3, 1, 1, 0, 0, 0, 0);
  const double d[9] = {};
  double out[9];
  EXPECT_THROW(sfc::conv2d_ref_f64(p, layout::nchw, d, d, nullptr, out), sfc::error);
  const float f[9] = {};
  float fo[9];
  EXPECT_THROW(sfc::conv2d_ref_f32(p, layout::nhwc, f, f, nullptr, fo), sfc::error);
  const int8_t s[9] = {};
  const uint8_t u[9] = {};
  int32_t io[9];
  EXPECT_THROW(sfc::conv2d_ref_s8(p, layout::nchw, s, 0, s, nullptr, io), sfc::error);
  EXPECT_THROW(sfc::conv2d_ref_u8(p, layout::nchw, u, 0, s, nullptr, io), sfc::error);
}

}  // namespace
