#include "tools/sfc_bench/accuracy.h"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include "kernels/algo/algorithm.h"
#include "kernels/common/error.h"
#include "kernels/common/quantize-tensor.h"
#include "kernels/fastconv/fastconv.h"

namespace sfc {

namespace {

// [h][w][c] input: iid N(0,1), or a Gaussian-blurred (σ = 1.5 px) field normalised to unit std,
// shifted by +0.3 and rectified (natural-image-like activations).
std::vector<float> make_input(const std::string& kind, int h, int w, int c, uint32_t seed) {
  std::mt19937 g(seed);
  std::normal_distribution<float> nd(0.f, 1.f);
  std::vector<float> x(size_t(h) * w * c);
  for (auto& v : x) v = nd(g);
  if (kind == "gauss") return x;
  if (kind != "relu") throw_invalid("--accuracy input must be gauss or relu");
  const int R = 5;
  std::vector<float> k(2 * R + 1);
  for (int i = -R; i <= R; i++) k[i + R] = std::exp(-0.5f * i * i / (1.5f * 1.5f));
  std::vector<float> t(x.size(), 0.f), y(x.size(), 0.f);
  auto at = [&](std::vector<float>& a, int i, int j, int ch) -> float& { return a[(size_t(i) * w + j) * c + ch]; };
  for (int i = 0; i < h; i++)
    for (int j = 0; j < w; j++)
      for (int d = -R; d <= R; d++)
        if (j + d >= 0 && j + d < w)
          for (int ch = 0; ch < c; ch++) at(t, i, j, ch) += k[d + R] * at(x, i, j + d, ch);
  for (int i = 0; i < h; i++)
    for (int d = -R; d <= R; d++)
      if (i + d >= 0 && i + d < h)
        for (int j = 0; j < w; j++)
          for (int ch = 0; ch < c; ch++) at(y, i, j, ch) += k[d + R] * at(t, i + d, j, ch);
  double s2 = 0;
  for (float v : y) s2 += double(v) * v;
  const float sd = float(std::sqrt(s2 / y.size()));
  for (auto& v : y) v = std::max(0.f, v / sd + 0.3f);
  return y;
}

double q8_error(const fastconv_algorithm& alg, const std::string& kind, int hw, int bits) {
  conv2d_params p;
  p.ic = 32, p.oc = 16, p.h = p.w = hw, p.kh = p.kw = alg.r;
  p.pad_t = p.pad_l = p.pad_b = p.pad_r = alg.r / 2;
  const auto xf = make_input(kind, p.h, p.w, p.ic, 11);
  std::mt19937 g(12);
  std::normal_distribution<float> nd(0.f, 1.f / std::sqrt(float(alg.r * alg.r * p.ic)));
  std::vector<float> wf(size_t(p.oc) * p.ic * alg.r * alg.r);
  for (auto& v : wf) v = nd(g);
  std::vector<int8_t> x(xf.size()), w(wf.size());
  quantize_per_tensor_s8(xf.data(), xf.size(), x.data());
  quantize_per_channel_s8(wf.data(), p.oc, size_t(p.ic) * alg.r * alg.r, w.data());
  std::vector<int32_t> ref(size_t(p.oh()) * p.ow() * p.oc);
  conv2d_ref_s8(p, layout::nhwc, x.data(), 0, w.data(), nullptr, ref.data());
  const auto tw = fastconv_q8_transform_weights(alg, p.oc, p.ic, w.data(), bits);
  std::vector<double> maxabs;
  fastconv_q8_calibrate(alg, p, x.data(), qtype::s8, 0, maxabs);
  const auto ts = fastconv_q8_act_scales_from_maxabs(maxabs, bits);
  std::vector<float> got(ref.size());
  fastconv_q8_run_acc(alg, p, x.data(), qtype::s8, 0, tw, ts, got.data());
  double num = 0, den = 0;
  for (size_t i = 0; i < ref.size(); i++) {
    num += (double(got[i]) - ref[i]) * (double(got[i]) - ref[i]);
    den += double(ref[i]) * ref[i];
  }
  return std::sqrt(num / den);
}

}  // namespace

std::string accuracy_table(const std::string& input, int hw, int threads) {
  omp_set_num_threads(threads);
  std::string out;
  char buf[256];
  std::snprintf(buf, sizeof buf, "input=%s, 32->16 channels, %dx%d, relative RMS error vs exact int8\n", input.c_str(), hw, hw);
  out += buf;
  std::snprintf(buf, sizeof buf, "%-16s %-18s %4s %4s %7s %8s %7s %8s %8s %8s %8s\n", "name", "algorithm", "R",
                "#cor", "nested", "symbolic", "direct", "reduct.", "b=8", "b=6", "b=4");
  out += buf;
  for (const auto& a : all_algorithms()) {
    std::snprintf(buf, sizeof buf, "%-16s %-18s %4d %4zu %7d %8d %7d %7.2fx %8.4f %8.4f %8.4f\n", a.name.c_str(),
                  a.label.c_str(), a.R, a.corrections.size(), a.mults_2d_nested, a.mults_2d_symbolic, a.direct_2d,
                  a.reduction_symbolic(), q8_error(a, input, hw, 8), q8_error(a, input, hw, 6), q8_error(a, input, hw, 4));
    out += buf;
  }
  return out;
}

}  // namespace sfc
