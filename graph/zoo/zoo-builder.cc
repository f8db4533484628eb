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

// Mean and variance of max(x, 0) for x ~ N(mu, var).
void relu_stats(double mu, double var, double* m_out, double* v_out) {
  const double s = std::sqrt(std::max(var, 1e-12));
  const double a = mu / s;
  const double phi = std::exp(-0.5 * a * a) / std::sqrt(2 * M_PI);
  const double cdf = 0.5 * std::erfc(-a / std::sqrt(2.0));
  const double m = mu * cdf + s * phi;
  const double m2 = (mu * mu + var) * cdf + mu * s * phi;
  *m_out = m, *v_out = std::max(m2 - m * m, 0.0);
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

act builder::input(const std::string& name, int64_t batch, int64_t c, int64_t h, int64_t w) {
  act a;
  a.v = g_.add_value(name);
  g_.values[size_t(a.v)].desc = tensor_desc{dtype::f32, {batch, c, h, w}, tensor_layout::plain};
  g_.inputs.push_back(a.v);
  a.c = c, a.h = h, a.w = w;
  a.mean.assign(size_t(c), 0.0), a.var.assign(size_t(c), 1.0);
  return a;
}

act builder::relu(const act& x, const std::string& name) {
  act y = x;
  y.v = node(op_type::relu, name, {x.v});
  for (size_t i = 0; i < size_t(x.c); ++i) relu_stats(x.mean[i], x.var[i], &y.mean[i], &y.var[i]);
  return y;
}

act builder::conv_bn(const act& x, int64_t oc, int k, int stride, int pad,
                     const std::string& name, const std::string& bn, double gamma_lo,
                     double gamma_hi, bool relu_after) {
  const int64_t ic = x.c, per_oc = ic * k * k;
  const double std_w = std::sqrt(2.0 / double(per_oc));  // He-normal
  std::vector<float> w(size_t(oc * per_oc));
  const size_t n_oc = static_cast<size_t>(oc);
  std::vector<float> mean(n_oc), var(n_oc), gamma(n_oc), beta(n_oc);
  for (int64_t o = 0; o < oc; ++o) {
    double m = 0, v = 0;
    for (int64_t j = 0; j < per_oc; ++j) {
      const float wv = float(rng_.normal() * std_w);
      w[size_t(o * per_oc + j)] = wv;
      const size_t i = size_t(j / (k * k));
      m += double(wv) * x.mean[i], v += double(wv) * wv * x.var[i];
    }
    mean[size_t(o)] = float(m), var[size_t(o)] = float(std::max(v, 1e-4));
    gamma[size_t(o)] = float(gamma_lo + (gamma_hi - gamma_lo) * rng_.uniform());
    beta[size_t(o)] = float(0.1 * rng_.normal());
  }
  const int wv = constant_f32(name + ".weight", {oc, ic, k, k}, std::move(w));
  const int conv_out = node(op_type::conv, name, {x.v, wv});
  sfc::node& cn = g_.nodes.back();
  cn.attrs["kernel_shape"] = ints_attr({k, k});
  cn.attrs["strides"] = ints_attr({stride, stride});
  cn.attrs["pads"] = ints_attr({pad, pad, pad, pad});
  cn.attrs["group"] = int_attr(1);
  cn.attrs["dilations"] = ints_attr({1, 1});
  act y;
  y.v = node(op_type::batch_norm, bn,
             {conv_out, constant_f32(bn + ".weight", {oc}, gamma), constant_f32(bn + ".bias", {oc}, beta),
              constant_f32(bn + ".running_mean", {oc}, mean),
              constant_f32(bn + ".running_var", {oc}, var)});
  y.c = oc, y.h = (x.h + 2 * pad - k) / stride + 1, y.w = (x.w + 2 * pad - k) / stride + 1;
  y.mean.resize(size_t(oc)), y.var.resize(size_t(oc));
  for (size_t o = 0; o < size_t(oc); ++o) y.mean[o] = beta[o], y.var[o] = double(gamma[o]) * gamma[o];
  return relu_after ? relu(y, bn + ".relu") : y;
}

act builder::add_relu(const act& a, const act& b, const std::string& name) {
  act s = a;
  s.v = node(op_type::add, name + ".add", {a.v, b.v});
  for (size_t i = 0; i < size_t(a.c); ++i) s.mean[i] += b.mean[i], s.var[i] += b.var[i];
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
  for (size_t i = 0; i < size_t(x.c); ++i) {  // rough: the max of k² samples sits ~1.5σ higher
    const double s = std::sqrt(x.var[i]);
    y.mean[i] = x.mean[i] + 1.5 * s, y.var[i] = 0.3 * x.var[i];
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
  y.mean.assign(size_t(pad), 0.0), y.var.assign(size_t(pad), 0.0);
  y.mean.insert(y.mean.end(), x.mean.begin(), x.mean.end());
  y.var.insert(y.var.end(), x.var.begin(), x.var.end());
  y.mean.resize(size_t(y.c), 0.0), y.var.resize(size_t(y.c), 0.0);
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
