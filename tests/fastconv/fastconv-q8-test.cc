// int8 requantized path: measured error properties (sfc-algorithm.md §7.2 protocol) and the
// consistency of the fixed-point output pipeline with the double-precision one.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "kernels/algo/algorithm.h"
#include "kernels/common/quantize-tensor.h"
#include "kernels/fastconv/fastconv.h"
#include "kernels/ref/conv2d-ref.h"
#include "tests/fastconv/test-util.h"

namespace {

using sfc::conv2d_params;

// Relative RMS error of the requantized path against the exact int8 convolution of the same
// int8 tensors: iid N(0,1) input, weights N(0, 1/(r²·ic)), per-tensor / per-channel int8.
double q8_error(const sfc::fastconv_algorithm& alg, int bits, int hw, uint32_t seed) {
  conv2d_params p;
  p.ic = 32, p.oc = 16, p.h = p.w = hw, p.kh = p.kw = alg.r;
  p.pad_t = p.pad_l = p.pad_b = p.pad_r = alg.r / 2;
  auto xf = sfc_test::random_normal(size_t(p.h) * p.w * p.ic, seed);
  auto wf = sfc_test::random_normal(size_t(p.oc) * p.ic * p.kh * p.kw, seed + 1,
                                    1.f / std::sqrt(float(p.kh * p.kw * p.ic)));
  std::vector<int8_t> x(xf.size()), w(wf.size());
  sfc::quantize_per_tensor_s8(xf.data(), xf.size(), x.data());
  sfc::quantize_per_channel_s8(wf.data(), p.oc, size_t(p.ic) * p.kh * p.kw, w.data());
  std::vector<int32_t> ref(size_t(p.oh()) * p.ow() * p.oc);
  sfc::conv2d_ref_s8(p, sfc::layout::nhwc, x.data(), 0, w.data(), nullptr, ref.data());
  auto tw = sfc::fastconv_q8_transform_weights(alg, p.oc, p.ic, w.data(), bits);
  std::vector<double> maxabs;
  sfc::fastconv_q8_calibrate(alg, p, x.data(), sfc::qtype::s8, 0, maxabs);
  auto ts = sfc::fastconv_q8_act_scales_from_maxabs(maxabs, bits);
  std::vector<float> got(ref.size());
  sfc::fastconv_q8_run_acc(alg, p, x.data(), sfc::qtype::s8, 0, tw, ts, got.data());
  return sfc_test::relative_rms(got, ref);
}

TEST(FastconvQ8, Sfc6x7x7WithinThreePercentAndHalfOfWinogradF4) {
  const auto& sfc7 = *sfc::find_algorithm("sfc6_7x7_3x3");
  const auto& wino4 = *sfc::find_algorithm("wino_4x4_3x3");
  const double e_sfc = q8_error(sfc7, 8, 84, 7), e_wino = q8_error(wino4, 8, 84, 7);
  std::printf("b=8 relative RMS: %s %.4f, %s %.4f\n", sfc7.label.c_str(), e_sfc,
              wino4.label.c_str(), e_wino);
  EXPECT_LE(e_sfc, 0.03);
  EXPECT_LE(e_sfc, 0.5 * e_wino);
  EXPECT_GT(e_sfc, 0.0);  // requantization must lose something: guards against a vacuous path
}

TEST(FastconvQ8, ErrorTableAllAlgorithmsAndBits) {
  // Prints the table quoted in the closing note; asserts the orderings the paper claims.
  std::printf("%-18s %8s %8s %8s\n", "algorithm", "b=8", "b=6", "b=4");
  for (const auto& alg : sfc::all_algorithms()) {
    double e[3];
    const int bits[3] = {8, 6, 4};
    for (int i = 0; i < 3; i++) e[i] = q8_error(alg, bits[i], 42, 3);
    std::printf("%-18s %8.4f %8.4f %8.4f\n", alg.label.c_str(), e[0], e[1], e[2]);
    EXPECT_LT(e[0], e[1]) << alg.name;
    EXPECT_LT(e[1], e[2]) << alg.name;
  }
}

TEST(FastconvQ8, FixedPointOutputMatchesDoublePipeline) {
  // The fixed-point u8 pipeline and requantizing the double-precision accumulators agree within
  // 1 LSB everywhere (they share U, Uq, Vq and M exactly).
  for (const char* name : {"sfc6_7x7_3x3", "sfc4_4x4_3x3", "sfc6_6x6_5x5", "wino_4x4_3x3"}) {
    const auto& alg = *sfc::find_algorithm(name);
    conv2d_params p;
    p.n = 2, p.ic = 19, p.oc = 21, p.h = 17, p.w = 23, p.kh = p.kw = alg.r;
    p.pad_t = p.pad_l = p.pad_b = p.pad_r = alg.r / 2;
    auto x = sfc_test::random_u8(size_t(p.n) * p.h * p.w * p.ic, 5);
    auto w = sfc_test::random_s8(size_t(p.oc) * p.ic * p.kh * p.kw, 6);
    std::vector<float> wscale(p.oc), bias(p.oc);
    for (int o = 0; o < p.oc; o++) wscale[o] = 0.001f * (1 + o % 5), bias[o] = 0.1f * (o % 7 - 3);
    sfc::q8_output_params op;
    op.src_scale = 0.02f, op.weight_scale = wscale.data(), op.bias = bias.data();
    op.dst_type = sfc::qtype::u8, op.dst_scale = 0.5f, op.dst_zero_point = 3, op.relu = true;
    auto tw = sfc::fastconv_q8_transform_weights(alg, p.oc, p.ic, w.data(), 8);
    std::vector<double> maxabs;
    sfc::fastconv_q8_calibrate(alg, p, x.data(), sfc::qtype::u8, 128, maxabs);
    auto ts = sfc::fastconv_q8_act_scales_from_maxabs(maxabs, 8);
    auto out = sfc::fastconv_q8_prepare_output(alg, tw, ts, op);
    const size_t n_out = size_t(p.n) * p.oh() * p.ow() * p.oc;
    std::vector<float> acc(n_out);
    std::vector<uint8_t> got(n_out);
    sfc::fastconv_q8_run_acc(alg, p, x.data(), sfc::qtype::u8, 128, tw, ts, acc.data());
    sfc::fastconv_q8_run(alg, p, x.data(), sfc::qtype::u8, 128, tw, ts, out, got.data());
    size_t exact = 0, nonzero = 0;
    for (size_t i = 0; i < n_out; i++) {
      const int oc = int(i % p.oc);
      const float real = op.src_scale * wscale[oc] * acc[i] + bias[oc];
      const int want = sfc::quantize_round_sat(std::max(real, 0.f) / op.dst_scale, 3, 0, 255);
      ASSERT_NEAR(int(got[i]), want, 1) << name << " at " << i;
      exact += int(got[i]) == want;
      nonzero += got[i] > 3;
    }
    EXPECT_GT(nonzero, n_out / 4) << name << ": test data should exercise non-saturated outputs";
    EXPECT_GT(double(exact) / n_out, 0.95) << name;
  }
}

}  // namespace
