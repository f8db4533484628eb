#include "tools/sfc_conv/conv-runner.h"

#include <algorithm>
#include <cmath>

#include "graph/backends/conv2d-backend.h"
#include "kernels/algo/algorithm.h"
#include "kernels/common/error.h"
#include "kernels/common/quantize-tensor.h"
#include "kernels/fastconv/fastconv.h"
#include "kernels/fastconv/q8-layer.h"

namespace sfc {

namespace {

// [n][c][h][w] <-> [n][h][w][c]
std::vector<float> nchw_to_nhwc(const std::vector<float>& x, int n, int c, int h, int w) {
  std::vector<float> y(x.size());
  for (int i = 0; i < n; i++)
    for (int k = 0; k < c; k++)
      for (int a = 0; a < h; a++)
        for (int b = 0; b < w; b++)
          y[((size_t(i) * h + a) * w + b) * c + k] = x[((size_t(i) * c + k) * h + a) * w + b];
  return y;
}
std::vector<float> nhwc_to_nchw(const std::vector<float>& x, int n, int c, int h, int w) {
  std::vector<float> y(x.size());
  for (int i = 0; i < n; i++)
    for (int k = 0; k < c; k++)
      for (int a = 0; a < h; a++)
        for (int b = 0; b < w; b++)
          y[((size_t(i) * c + k) * h + a) * w + b] = x[((size_t(i) * h + a) * w + b) * c + k];
  return y;
}

struct quantized_layer {
  std::vector<int8_t> x, w;
  float sx = 1.f;
  std::vector<float> sw;
};

quantized_layer quantize_layer(const conv2d_params& p, const std::vector<float>& x_nhwc,
                               const std::vector<float>& weights) {
  quantized_layer q;
  q.x.resize(x_nhwc.size());
  q.w.resize(weights.size());
  q.sx = quantize_per_tensor_s8(x_nhwc.data(), x_nhwc.size(), q.x.data());
  q.sw = quantize_per_channel_s8(weights.data(), p.oc, size_t(p.ic) * p.kh * p.kw, q.w.data());
  return q;
}

// real = sx · sw[oc] · acc + bias, optional ReLU.
template <class Acc>
std::vector<float> dequantize(const conv2d_params& p, const quantized_layer& q, const Acc& acc,
                              const std::vector<float>& bias, bool relu) {
  std::vector<float> y(acc.size());
  for (size_t i = 0; i < acc.size(); i++) {
    const int oc = int(i % p.oc);
    float v = float(double(q.sx) * q.sw[oc] * double(acc[i]) + (bias.empty() ? 0.0 : bias[oc]));
    y[i] = relu ? std::max(v, 0.f) : v;
  }
  return y;
}

std::vector<float> run_backend(const conv2d_params& p, const quantized_layer& q,
                               const std::vector<float>& bias, const conv_run_options& opt,
                               std::string& impl) {
  q8_conv2d_config cfg;
  cfg.p = p;
  cfg.src_type = qtype::s8, cfg.src_scale = q.sx, cfg.weight_scale = q.sw, cfg.weights = q.w;
  cfg.bias = bias, cfg.relu = opt.relu, cfg.threads = opt.threads;
  std::vector<float> y(size_t(p.n) * p.oh() * p.ow() * p.oc);
  if (opt.algo == "onednn") {
    cfg.dst_type = qtype::f32;
    auto conv = make_onednn_conv2d(cfg);
    conv->run(q.x.data(), y.data());
    impl = "oneDNN " + conv->impl_name();
    return y;
  }
  // XNNPACK writes int8 only: choose an output scale from the exact result's range.
  std::vector<int32_t> acc(y.size());
  conv2d_ref_s8(p, layout::nhwc, q.x.data(), 0, q.w.data(), nullptr, acc.data());
  const std::vector<float> exact = dequantize(p, q, acc, bias, opt.relu);
  float mx = 0.f;
  for (float v : exact) mx = std::max(mx, std::fabs(v));
  cfg.dst_type = qtype::s8, cfg.dst_scale = mx > 0 ? mx / 127.f : 1.f;
  std::vector<int8_t> y8(y.size());
  auto conv = make_xnnpack_conv2d(cfg);
  conv->run(q.x.data(), y8.data());
  for (size_t i = 0; i < y.size(); i++) y[i] = cfg.dst_scale * y8[i];
  impl = "XNNPACK " + conv->impl_name();
  return y;
}

std::vector<float> run_int8(const conv2d_params& p, const std::vector<float>& x_nhwc,
                            const std::vector<float>& weights, const std::vector<float>& bias,
                            const conv_run_options& opt, conv_run_result& res) {
  const quantized_layer q = quantize_layer(p, x_nhwc, weights);
  const size_t n_out = size_t(p.n) * p.oh() * p.ow() * p.oc;
  if (opt.algo == "onednn" || opt.algo == "xnnpack") return run_backend(p, q, bias, opt, res.impl);
  if (opt.algo == "direct") {
    std::vector<int32_t> acc(n_out);
    conv2d_ref_s8(p, layout::nhwc, q.x.data(), 0, q.w.data(), nullptr, acc.data());
    res.impl = "direct int8 (reference)";
    return dequantize(p, q, acc, bias, opt.relu);
  }
  const fastconv_algorithm& alg = *find_algorithm(opt.algo);
  if (opt.precision == "int8-exact") {
    std::vector<int32_t> acc(n_out);
    fastconv_s8_exact(alg, p, q.x.data(), 0, q.w.data(), nullptr, acc.data());
    res.impl = alg.name + " int8-exact (scalar)";
    return dequantize(p, q, acc, bias, opt.relu);
  }
  const auto tw = fastconv_q8_transform_weights(alg, p.oc, p.ic, q.w.data(), opt.bits);
  fastconv_q8_act_scales ts;
  if (!opt.act_scales.empty()) {
    if (opt.act_scales.size() != size_t(alg.R) * alg.R)
      throw_invalid("scales file has " + std::to_string(opt.act_scales.size()) + " values, " +
                    alg.name + " needs " + std::to_string(alg.R * alg.R));
    ts = fastconv_q8_act_scales_from_scales(opt.act_scales, opt.bits);
  } else {
    std::vector<double> maxabs;
    fastconv_q8_calibrate(alg, p, q.x.data(), qtype::s8, 0, maxabs);
    ts = fastconv_q8_act_scales_from_maxabs(maxabs, opt.bits);
  }
  for (size_t i = 0; i < ts.mul.size(); i++) res.act_scales.push_back(ts.scale(int(i)));
  std::vector<float> acc(n_out);
  fastconv_q8_run_acc(alg, p, q.x.data(), qtype::s8, 0, tw, ts, acc.data());
  if (opt.kernel == "scalar") {
    res.impl = alg.name + " int8 b=" + std::to_string(opt.bits) + " (scalar, float output transform)";
    return dequantize(p, q, acc, bias, opt.relu);
  }
  // The SIMD layer (as a network runs it): int8 output, scale chosen from the scalar result's range.
  const std::vector<float> ref = dequantize(p, q, acc, bias, opt.relu);
  float mx = 0.f;
  for (float v : ref) mx = std::max(mx, std::fabs(v));
  q8_output_params o;
  o.src_scale = q.sx, o.weight_scale = q.sw.data(), o.bias = bias.empty() ? nullptr : bias.data();
  o.dst_type = qtype::s8, o.dst_scale = mx > 0 ? mx / 127.f : 1.f, o.relu = opt.relu;
  fastconv_q8_layer layer(alg, p, q.w.data(), opt.bits, ts, o, qtype::s8, 0);
  std::vector<int8_t> y8(n_out);
  layer.run(q.x.data(), y8.data(), opt.threads);
  res.impl = alg.name + " int8 b=" + std::to_string(opt.bits) + " " + layer.kernel_name() + " (int8 output)";
  std::vector<float> y(n_out);
  for (size_t i = 0; i < n_out; i++) y[i] = o.dst_scale * y8[i];
  return y;
}

}  // namespace

std::vector<std::string> conv_algo_names() {
  std::vector<std::string> v = {"direct"};
  for (const auto& a : all_algorithms()) v.push_back(a.name);
  if (have_onednn()) v.push_back("onednn");
  if (have_xnnpack()) v.push_back("xnnpack");
  return v;
}

conv_run_result run_conv_layer(const conv2d_params& p, const std::vector<float>& src_nchw,
                               const std::vector<float>& weights, const std::vector<float>& bias,
                               const conv_run_options& opt) {
  conv2d_validate(p);
  const auto names = conv_algo_names();
  if (std::find(names.begin(), names.end(), opt.algo) == names.end())
    throw_invalid("unknown --algo '" + opt.algo + "' (see --list-algos)");
  if (opt.precision != "fp32" && opt.precision != "int8" && opt.precision != "int8-exact")
    throw_invalid("--precision must be fp32, int8 or int8-exact, got '" + opt.precision + "'");
  if (opt.bits != 8 && opt.bits != 6 && opt.bits != 4)
    throw_invalid("--bits must be 8, 6 or 4, got " + std::to_string(opt.bits));
  if (const fastconv_algorithm* alg = find_algorithm(opt.algo)) fastconv_validate(*alg, p);
  const std::vector<float> x = nchw_to_nhwc(src_nchw, p.n, p.ic, p.h, p.w);
  conv_run_result res;
  std::vector<float> y(size_t(p.n) * p.oh() * p.ow() * p.oc);
  if (opt.precision == "fp32") {
    const float* b = bias.empty() ? nullptr : bias.data();
    if (opt.algo == "direct") {
      conv2d_ref_f32(p, layout::nhwc, x.data(), weights.data(), b, y.data());
      res.impl = "direct fp32 (reference)";
    } else if (opt.algo == "onednn") {
      auto conv = make_onednn_conv2d_f32(p, weights, bias, false, opt.threads);
      conv->run(x.data(), y.data());
      res.impl = "oneDNN " + conv->impl_name();
    } else if (opt.algo == "xnnpack") {
      throw_unsupported("xnnpack is wired for int8 only; use --precision int8");
    } else {
      fastconv_f32(*find_algorithm(opt.algo), p, x.data(), weights.data(), b, y.data());
      res.impl = opt.algo + " fp32 (scalar)";
    }
    if (opt.relu)
      for (float& v : y) v = std::max(v, 0.f);
  } else {
    y = run_int8(p, x, weights, bias, opt, res);
  }
  res.dst = nhwc_to_nchw(y, p.n, p.oc, p.oh(), p.ow());
  return res;
}

}  // namespace sfc
