// sfc_quantize's bias correction (tools/sfc_quantize/td-bias-correction.h): on a layer whose
// transform-domain activation scales clip (half the max-abs scale, as scale tuning may choose),
// the SFC output has a systematic per-channel error; the measured correction, applied by the
// implementation, must remove most of it.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "graph/ops/conv2d-int8.h"
#include "kernels/fastconv/fastconv.h"
#include "tools/sfc_quantize/td-bias-correction.h"

namespace {

struct fixture {
  sfc_tools::layer_data d;
  std::vector<int32_t> exact;  // Σ x·w, [n, oh, ow, oc]
};

fixture make_layer(int bits) {
  fixture f;
  sfc::conv_int8_layer& L = f.d.L;
  L.label = "test conv";
  sfc::conv2d_params& p = L.ci.p;
  p.n = 4, p.ic = 16, p.oc = 8, p.h = p.w = 12, p.kh = p.kw = 3;
  p.pad_t = p.pad_l = p.pad_b = p.pad_r = 1;
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> x(0, 100), w(-60, 60);
  f.d.src.resize(size_t(p.n) * p.h * p.w * p.ic);
  for (uint8_t& v : f.d.src) v = uint8_t(x(rng) < 40 ? 0 : x(rng));  // post-ReLU-like, non-negative
  L.weights.resize(size_t(p.oc) * p.ic * 9);
  for (int8_t& v : L.weights) v = int8_t(w(rng));
  L.bias.assign(size_t(p.oc), 0.25f);
  sfc::conv_quant_params& q = L.ci.quant;
  q.valid = true;
  q.src_type = sfc::qtype::u8, q.src_scale = 0.02f;
  q.weight_scale.assign(size_t(p.oc), 0.01f);
  q.dst_type = sfc::qtype::s8, q.dst_scale = 0.1f;
  q.impl = "sfc6_6x6_3x3", q.td_bits = bits;
  const sfc::fastconv_algorithm& alg = *sfc::find_algorithm(q.impl);
  std::vector<double> maxabs(size_t(alg.R * alg.R), 0.0);
  sfc::fastconv_q8_calibrate(alg, p, f.d.src.data(), sfc::qtype::u8, 0, maxabs);
  const double qmax = double((1 << (bits - 1)) - 1);
  for (double m : maxabs) q.td_act_scale.push_back(float(std::max(0.5 * m / qmax, 1.0)));
  f.d.src_desc = sfc::tensor_desc{sfc::dtype::u8, {p.n, p.ic, p.h, p.w}, sfc::tensor_layout::nhwc};
  f.d.dst_desc = sfc::tensor_desc{sfc::dtype::s8, {p.n, p.oc, p.h, p.w}, sfc::tensor_layout::nhwc};
  f.exact.resize(size_t(p.n) * p.h * p.w * p.oc);
  sfc::fastconv_u8_exact(alg, p, f.d.src.data(), 0, L.weights.data(), nullptr, f.exact.data());
  return f;
}

// Per output channel: mean of (dequantized SFC output − exact real output).
std::vector<double> channel_bias(const fixture& f, const sfc::conv_int8_layer& L) {
  sfc::conv_impl_choice c;
  EXPECT_TRUE(sfc::conv_impl_from_name(L.ci.quant.impl, &c));
  std::unique_ptr<sfc::node_kernel> k = sfc::make_conv_int8_kernel(L, c, nullptr);
  std::vector<uint8_t> dst(f.d.dst_desc.bytes());
  std::vector<sfc::tview> in(4), out(1);
  in[0] = {&f.d.src_desc, const_cast<uint8_t*>(f.d.src.data())};
  out[0] = {&f.d.dst_desc, dst.data()};
  k->run(in, out);
  const sfc::conv_quant_params& q = L.ci.quant;
  const size_t oc = size_t(L.ci.p.oc);
  std::vector<double> sum(oc, 0.0);
  for (size_t i = 0; i < dst.size(); ++i) {
    const double want = double(f.exact[i]) * q.src_scale * q.weight_scale[i % oc] + L.bias[i % oc];
    sum[i % oc] += double(int8_t(dst[i])) * q.dst_scale - want;
  }
  for (double& s : sum) s /= double(dst.size() / oc);
  return sum;
}

double total_abs(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += std::fabs(x);
  return s;
}

TEST(TdBiasCorrection, RemovesTheSystematicChannelError) {
  for (int bits : {8, 6}) {
    SCOPED_TRACE("bits " + std::to_string(bits));
    fixture f = make_layer(bits);
    const std::vector<double> before = channel_bias(f, f.d.L);
    // The clipped transform domain really is biased (several output steps summed over channels).
    ASSERT_GT(total_abs(before), 0.05 * double(before.size()));
    sfc::conv_int8_layer L = f.d.L;
    L.ci.quant.td_bias_correction = sfc_tools::td_bias_correction(f.d, f.d.L);
    ASSERT_EQ(L.ci.quant.td_bias_correction.size(), before.size());
    const std::vector<double> after = channel_bias(f, L);
    EXPECT_LT(total_abs(after), 0.25 * total_abs(before));
    // A direct implementation ignores it (it belongs to the SFC layer it was measured for): its
    // outputs are exact up to the output rounding.
    L.ci.quant.impl = "reference";
    EXPECT_LT(total_abs(channel_bias(f, L)), 0.01 * double(before.size()));
  }
}

}  // namespace
