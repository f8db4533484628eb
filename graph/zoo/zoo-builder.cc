#include "graph/zoo/zoo-builder.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace sfc {
namespace zoo {

uint64_t rng::next() {
  uint64_t z = (s_ += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

double rng::uniform() { return double(next() >> 11) * (1.0 / 9007199254740992.0); }

double rng::normal() {
  const double u1 = std::max(uniform(), 1e-300), u2 = uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
}

namespace {

attribute ints_attr(std::vector<int64_t> v) {
  attribute a;
  a.kind = attribute::ints;
  a.int_values = std::move(v);
  return a;
}

attribute int_attr(int64_t v) {
  attribute a;
  a.kind = attribute::i;
  a.int_value = v;
  return a;
}

// Per-channel mean and variance of an NHWC sample.
void channel_stats(const std::vector<float>& x, int64_t c, std::vector<float>* mean,
                   std::vector<float>* var) {
  const size_t pixels = x.size() / size_t(c);
  mean->assign(size_t(c), 0.f), var->assign(size_t(c), 0.f);
  for (size_t k = 0; k < size_t(c); ++k) {
    double s = 0, s2 = 0;
    for (size_t p = 0; p < pixels; ++p) {
      const double v = x[p * size_t(c) + k];
      s += v, s2 += v * v;
    }
    const double m = s / double(pixels);
    (*mean)[k] = float(m), (*var)[k] = float(std::max(s2 / double(pixels) - m * m, 1e-4));
  }
  // A channel that is nearly constant on the sample must not be amplified without bound.
  double avg = 0;
  for (float v : *var) avg += v / double(c);
  for (float& v : *var) v = std::max(v, float(0.01 * avg));
}

}  // namespace

builder::builder(const std::string& name, uint64_t seed) : rng_(seed) { g_.name = name; }

int builder::constant_i64(const std::string& name, const std::vector<int64_t>& v) {
  return g_.add_constant(name, make_i64_tensor({int64_t(v.size())}, v));
}

int builder::constant_f32(const std::string& name, const shape_t& s, std::vector<float> v) {
  return g_.add_constant(name, make_f32_tensor(s, v));
}

int builder::node(op_type op, const std::string& name, std::vector<int> ins) {
  const int out = g_.add_value(name + "_output");
  g_.add_node(op, name, std::move(ins), {out});
  return out;
}

act builder::input(const std::string& name, int64_t batch, int64_t c, int64_t h, int64_t w,
                   int64_t calib_h, int64_t calib_w) {
  act a;
  a.v = g_.add_value(name);
  g_.values[size_t(a.v)].desc = tensor_desc{dtype::f32, {batch, c, h, w}, tensor_layout::plain};
  g_.inputs.push_back(a.v);
  a.c = c, a.h = calib_h, a.w = calib_w;
  a.sample.resize(size_t(c * calib_h * calib_w));
  for (float& v : a.sample) v = float(rng_.normal());
  return a;
}

act builder::relu(const act& x, const std::string& name) {
  act y = x;
  y.v = node(op_type::relu, name, {x.v});
  for (float& v : y.sample) v = std::max(v, 0.f);
  return y;
}

act builder::conv_bn(const act& x, int64_t oc, int k, int stride, int pad,
                     const std::string& name, const std::string& bn, double gamma_lo,
                     double gamma_hi, bool relu_after) {
  const int64_t ic = x.c, per_oc = ic * k * k;
  const double std_w = std::sqrt(2.0 / double(per_oc));  // He-normal
  std::vector<float> w(static_cast<size_t>(oc * per_oc));
  for (float& v : w) v = float(rng_.normal() * std_w);
  // Calibration: the conv output on the sample gives the BN's running statistics.
  conv2d_params p;
  p.n = 1, p.ic = int(ic), p.oc = int(oc), p.h = int(x.h), p.w = int(x.w), p.kh = p.kw = k;
  p.stride_h = p.stride_w = stride;
  p.pad_t = p.pad_l = p.pad_b = p.pad_r = pad;
  act y;
  y.c = oc, y.h = p.oh(), y.w = p.ow();
  y.sample.resize(size_t(oc * y.h * y.w));
  conv2d_ref_f32(p, layout::nhwc, x.sample.data(), w.data(), nullptr, y.sample.data());
  std::vector<float> mean, var;
  channel_stats(y.sample, oc, &mean, &var);
  const size_t n_oc = static_cast<size_t>(oc);
  std::vector<float> gamma(n_oc), beta(n_oc);
  for (size_t o = 0; o < n_oc; ++o) {
    gamma[o] = float(gamma_lo + (gamma_hi - gamma_lo) * rng_.uniform());
    beta[o] = float(0.1 * rng_.normal());
  }
  for (size_t i = 0; i < y.sample.size(); ++i) {
    const size_t o = i % n_oc;
    y.sample[i] = (y.sample[i] - mean[o]) / std::sqrt(var[o] + 1e-5f) * gamma[o] + beta[o];
  }
  const int wv = constant_f32(name + ".weight", {oc, ic, k, k}, std::move(w));
  const int conv_out = node(op_type::conv, name, {x.v, wv});
  sfc::node& cn = g_.nodes.back();
  cn.attrs["kernel_shape"] = ints_attr({k, k});
  cn.attrs["strides"] = ints_attr({stride, stride});
  cn.attrs["pads"] = ints_attr({pad, pad, pad, pad});
  cn.attrs["group"] = int_attr(1);
  cn.attrs["dilations"] = ints_attr({1, 1});
  y.v = node(op_type::batch_norm, bn,
             {conv_out, constant_f32(bn + ".weight", {oc}, gamma),
              constant_f32(bn + ".bias", {oc}, beta), constant_f32(bn + ".running_mean", {oc}, mean),
              constant_f32(bn + ".running_var", {oc}, var)});
  return relu_after ? relu(y, bn + ".relu") : y;
}

act builder::add_relu(const act& a, const act& b, const std::string& name) {
  act s = a;
  s.v = node(op_type::add, name + ".add", {a.v, b.v});
  for (size_t i = 0; i < s.sample.size(); ++i) s.sample[i] += b.sample[i];
  return relu(s, name + ".relu");
}

act builder::max_pool(const act& x, int k, int stride, int pad, const std::string& name) {
  act y = x;
  y.v = node(op_type::max_pool, name, {x.v});
  sfc::node& n = g_.nodes.back();
  n.attrs["kernel_shape"] = ints_attr({k, k});
  n.attrs["strides"] = ints_attr({stride, stride});
  n.attrs["pads"] = ints_attr({pad, pad, pad, pad});
  y.h = (x.h + 2 * pad - k) / stride + 1, y.w = (x.w + 2 * pad - k) / stride + 1;
  y.sample.assign(size_t(y.h * y.w * x.c), -std::numeric_limits<float>::infinity());
  for (int64_t oy = 0; oy < y.h; ++oy)
    for (int64_t ox = 0; ox < y.w; ++ox)
      for (int64_t iy = oy * stride - pad; iy < oy * stride - pad + k; ++iy)
        for (int64_t ix = ox * stride - pad; ix < ox * stride - pad + k; ++ix) {
          if (iy < 0 || iy >= x.h || ix < 0 || ix >= x.w) continue;
          for (int64_t c = 0; c < x.c; ++c) {
            float& d = y.sample[size_t((oy * y.w + ox) * x.c + c)];
            d = std::max(d, x.sample[size_t((iy * x.w + ix) * x.c + c)]);
          }
        }
  return y;
}

act builder::option_a_shortcut(const act& x, int64_t pad, const std::string& name) {
  const int64_t big = std::numeric_limits<int64_t>::max();
  const int sliced = node(op_type::slice, name + ".slice",
                          {x.v, constant_i64(name + ".starts", {0, 0}),
                           constant_i64(name + ".ends", {big, big}),
                           constant_i64(name + ".axes", {2, 3}),
                           constant_i64(name + ".steps", {2, 2})});
  act y;
  y.v = node(op_type::pad, name + ".pad",
             {sliced, constant_i64(name + ".pads", {0, pad, 0, 0, 0, pad, 0, 0})});
  g_.nodes.back().attrs["mode"].kind = attribute::s;
  g_.nodes.back().attrs["mode"].string_value = "constant";
  y.c = x.c + 2 * pad, y.h = (x.h + 1) / 2, y.w = (x.w + 1) / 2;
  y.sample.assign(size_t(y.c * y.h * y.w), 0.f);
  for (int64_t oy = 0; oy < y.h; ++oy)
    for (int64_t ox = 0; ox < y.w; ++ox)
      for (int64_t c = 0; c < x.c; ++c)
        y.sample[size_t((oy * y.w + ox) * y.c + pad + c)] =
            x.sample[size_t((2 * oy * x.w + 2 * ox) * x.c + c)];
  return y;
}

void builder::head(const act& x, int64_t classes, bool reduce_mean) {
  int pooled;
  if (reduce_mean) {
    pooled = node(op_type::reduce_mean, "pool", {x.v});
    g_.nodes.back().attrs["axes"] = ints_attr({2, 3});
    g_.nodes.back().attrs["keepdims"] = int_attr(0);
  } else {
    pooled = node(op_type::flatten, "flatten", {node(op_type::global_avg_pool, "avgpool", {x.v})});
  }
  const double std_w = 1.0 / std::sqrt(double(x.c));
  std::vector<float> w(static_cast<size_t>(classes * x.c)), b(static_cast<size_t>(classes));
  for (float& v : w) v = float(rng_.normal() * std_w);
  for (float& v : b) v = float(0.01 * rng_.normal());
  const int out = g_.add_value("logits");
  g_.add_node(op_type::gemm, "fc", {pooled, constant_f32("fc.weight", {classes, x.c}, w),
                                    constant_f32("fc.bias", {classes}, b)}, {out});
  g_.nodes.back().attrs["transB"] = int_attr(1);
  g_.outputs.push_back(out);
}

}  // namespace zoo
}  // namespace sfc
