// Helpers for the backend tests: random quantized problems, the exact reference (int32 accumulator
// from sfc::conv2d_ref_{u8,s8}, requantized in double with the interface's formula) and match
// statistics.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "graph/backends/conv2d-backend.h"
#include "kernels/ref/conv2d-ref.h"

namespace sfc_test {

using sfc::conv2d_params;
using sfc::q8_conv2d_config;
using sfc::qtype;

inline conv2d_params conv(int n, int ic, int oc, int h, int w, int k, int stride, int pad) {
  conv2d_params p;
  p.n = n, p.ic = ic, p.oc = oc, p.h = h, p.w = w, p.kh = k, p.kw = k;
  p.stride_h = p.stride_w = stride;
  p.pad_t = p.pad_l = p.pad_b = p.pad_r = pad;
  return p;
}

inline size_t src_elems(const conv2d_params& p) { return size_t(p.n) * p.h * p.w * p.ic; }
inline size_t dst_elems(const conv2d_params& p) { return size_t(p.n) * p.oh() * p.ow() * p.oc; }
inline const char* tname(qtype t) { return t == qtype::u8 ? "u8" : t == qtype::s8 ? "s8" : "f32"; }

// A quantized problem: config (weights, scales, bias) plus one src tensor (raw bytes).
struct q8_problem {
  q8_conv2d_config cfg;
  std::vector<uint8_t> src;       // n·h·w·ic bytes, u8 or s8 reinterpreted
  std::vector<int32_t> acc;       // exact accumulators, NHWC [n][oh][ow][oc]
  std::vector<double> real;       // after bias and relu, NHWC
};

enum class src_dist { uniform, relu_like };

// dst_scale: if <= 0, chosen from the data so that ~3 standard deviations fill the output type.
inline q8_problem make_q8_problem(const conv2d_params& p, qtype src_type, int32_t src_zp,
                                  qtype dst_type, int32_t dst_zp, bool relu, bool bias,
                                  uint32_t seed, src_dist dist = src_dist::uniform,
                                  float dst_scale = 0.f) {
  std::mt19937 rng(seed);
  q8_problem pr;
  q8_conv2d_config& c = pr.cfg;
  c.p = p;
  c.src_type = src_type;
  c.src_zero_point = src_zp;
  c.src_scale = 0.02f;
  c.dst_type = dst_type;
  c.dst_zero_point = dst_type == qtype::f32 ? 0 : dst_zp;
  c.relu = relu;
  std::uniform_int_distribution<int> wd(-127, 127);
  c.weights.resize(size_t(p.oc) * p.ic * p.kh * p.kw);
  for (auto& w : c.weights) w = int8_t(wd(rng));
  std::uniform_real_distribution<float> sd(0.5f, 2.f);
  c.weight_scale.resize(p.oc);
  for (auto& s : c.weight_scale) s = 0.004f * sd(rng);

  pr.src.resize(src_elems(p));
  const int lo = src_type == qtype::u8 ? 0 : -128, hi = src_type == qtype::u8 ? 255 : 127;
  std::uniform_int_distribution<int> ud(lo, hi);
  std::normal_distribution<double> nd(0.0, 40.0);
  for (auto& b : pr.src) {
    int v = dist == src_dist::uniform ? ud(rng)
                                      : std::clamp(src_zp + int(std::lround(std::max(0.0, nd(rng)))),
                                                   lo, hi);
    b = uint8_t(v);
  }

  pr.acc.resize(dst_elems(p));
  if (src_type == qtype::u8)
    sfc::conv2d_ref_u8(p, sfc::layout::nhwc, pr.src.data(), src_zp, c.weights.data(), nullptr,
                       pr.acc.data());
  else
    sfc::conv2d_ref_s8(p, sfc::layout::nhwc, reinterpret_cast<const int8_t*>(pr.src.data()),
                       src_zp, c.weights.data(), nullptr, pr.acc.data());

  // Spread of the pre-bias real values, to size the bias and dst_scale.
  double sq = 0;
  for (size_t i = 0; i < pr.acc.size(); ++i) {
    const double r = double(c.src_scale) * c.weight_scale[i % p.oc] * pr.acc[i];
    sq += r * r;
  }
  const double rms = std::sqrt(sq / double(pr.acc.size())) + 1e-12;
  if (bias) {
    std::uniform_real_distribution<double> bd(-0.5 * rms, 0.5 * rms);
    c.bias.resize(p.oc);
    for (auto& b : c.bias) b = float(bd(rng));
  }
  pr.real.resize(pr.acc.size());
  for (size_t i = 0; i < pr.acc.size(); ++i) {
    const int oc = int(i % p.oc);
    double r = double(c.src_scale) * double(c.weight_scale[oc]) * double(pr.acc[i]) +
               (c.bias.empty() ? 0.0 : double(c.bias[oc]));
    if (relu) r = std::max(r, 0.0);
    pr.real[i] = r;
  }
  if (dst_scale > 0)
    c.dst_scale = dst_scale;
  else if (dst_type == qtype::u8 && !relu)
    c.dst_scale = float(3.0 * rms / 127.0);  // zero point mid-range keeps both signs
  else
    c.dst_scale = float(3.0 * rms / (dst_type == qtype::u8 ? 255.0 : 127.0));
  return pr;
}

// Expected quantized outputs (saturating, round half to even as the libraries do).
inline std::vector<int32_t> expected_q(const q8_problem& pr) {
  const auto& c = pr.cfg;
  const int lo = c.dst_type == qtype::u8 ? 0 : -128, hi = c.dst_type == qtype::u8 ? 255 : 127;
  std::vector<int32_t> q(pr.real.size());
  for (size_t i = 0; i < q.size(); ++i) {
    const double v = std::nearbyint(pr.real[i] / double(c.dst_scale)) + c.dst_zero_point;
    q[i] = int32_t(std::clamp(v, double(lo), double(hi)));
  }
  return q;
}

struct match_stats {
  size_t n = 0, exact = 0, off_by_one = 0, worse = 0;
  int32_t max_diff = 0;
  double sum_abs = 0;
  size_t saturated = 0;  // expected value clipped to the type's range (informational)
  void add(int32_t want, int32_t got, bool clipped) {
    const int32_t d = std::abs(want - got);
    ++n;
    exact += d == 0;
    off_by_one += d == 1;
    worse += d > 1;
    max_diff = std::max(max_diff, d);
    sum_abs += d;
    saturated += clipped;
  }
  void merge(const match_stats& o) {
    n += o.n, exact += o.exact, off_by_one += o.off_by_one, worse += o.worse;
    max_diff = std::max(max_diff, o.max_diff);
    sum_abs += o.sum_abs, saturated += o.saturated;
  }
  double exact_share() const { return n ? double(exact) / double(n) : 1.0; }
  std::string str() const {
    char buf[200];
    std::snprintf(buf, sizeof buf,
                  "%zu outputs: exact %.3f%% (%zu), off by 1: %zu, >1: %zu, max|diff| %d, "
                  "mean|diff| %.4f, saturated %.1f%%",
                  n, 100.0 * exact_share(), exact, off_by_one, worse, int(max_diff),
                  n ? sum_abs / double(n) : 0.0, n ? 100.0 * double(saturated) / double(n) : 0.0);
    return buf;
  }
};

inline match_stats compare_q(const q8_problem& pr, const std::vector<uint8_t>& dst) {
  const auto& c = pr.cfg;
  const int lo = c.dst_type == qtype::u8 ? 0 : -128, hi = c.dst_type == qtype::u8 ? 255 : 127;
  const auto want = expected_q(pr);
  match_stats s;
  for (size_t i = 0; i < want.size(); ++i) {
    const int32_t got = c.dst_type == qtype::u8 ? int32_t(dst[i]) : int32_t(int8_t(dst[i]));
    const double unclipped = std::nearbyint(pr.real[i] / double(c.dst_scale)) + c.dst_zero_point;
    s.add(want[i], got, unclipped < lo || unclipped > hi);
  }
  return s;
}

}  // namespace sfc_test
