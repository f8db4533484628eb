// Helpers for the reference-convolution tests: an independent textbook oracle (the seven nested
// loops of the definition, bounds-checked per tap), layout transposition and random data.
#pragma once
#include <cstdint>
#include <random>
#include <vector>

#include "kernels/ref/conv2d-ref.h"

namespace sfc_test {

using sfc::conv2d_params;
using sfc::layout;

// Index of element [n][c][y][x] of an (N, C, H, W) tensor stored in layout l.
inline size_t act_index(layout l, int C, int H, int W, int n, int c, int y, int x) {
  if (l == layout::nchw) return ((size_t(n) * C + c) * H + y) * W + x;
  return ((size_t(n) * H + y) * W + x) * C + c;
}

// NCHW <-> NHWC copy of an (N, C, H, W) tensor.
template <class T>
std::vector<T> relayout(const std::vector<T>& v, layout from, layout to, int N, int C, int H,
                        int W) {
  std::vector<T> out(v.size());
  for (int n = 0; n < N; ++n)
    for (int c = 0; c < C; ++c)
      for (int y = 0; y < H; ++y)
        for (int x = 0; x < W; ++x)
          out[act_index(to, C, H, W, n, c, y, x)] = v[act_index(from, C, H, W, n, c, y, x)];
  return out;
}

// The definition, literally: dst[n,o,y,x] = bias[o] + Σ_{c,ky,kx} src[n,c,iy,ix]·w[o,c,ky,kx]
// with iy = y·sh − pad_t + ky, ix = x·sw − pad_l + kx, and taps outside the image skipped.
inline std::vector<double> textbook_conv(const conv2d_params& p, layout l,
                                         const std::vector<double>& src,
                                         const std::vector<double>& w,
                                         const std::vector<double>& bias) {
  const int OH = p.oh(), OW = p.ow();
  std::vector<double> dst(size_t(p.n) * p.oc * OH * OW);
  for (int n = 0; n < p.n; ++n)
    for (int o = 0; o < p.oc; ++o)
      for (int y = 0; y < OH; ++y)
        for (int x = 0; x < OW; ++x) {
          double acc = bias.empty() ? 0.0 : bias[o];
          for (int c = 0; c < p.ic; ++c)
            for (int ky = 0; ky < p.kh; ++ky)
              for (int kx = 0; kx < p.kw; ++kx) {
                const int iy = y * p.stride_h - p.pad_t + ky, ix = x * p.stride_w - p.pad_l + kx;
                if (iy < 0 || iy >= p.h || ix < 0 || ix >= p.w) continue;
                acc += src[act_index(l, p.ic, p.h, p.w, n, c, iy, ix)] *
                       w[((size_t(o) * p.ic + c) * p.kh + ky) * p.kw + kx];
              }
          dst[act_index(l, p.oc, OH, OW, n, o, y, x)] = acc;
        }
  return dst;
}

inline size_t src_size(const conv2d_params& p) { return size_t(p.n) * p.ic * p.h * p.w; }
inline size_t weights_size(const conv2d_params& p) { return size_t(p.oc) * p.ic * p.kh * p.kw; }
inline size_t dst_size(const conv2d_params& p) { return size_t(p.n) * p.oc * p.oh() * p.ow(); }

// Uniform integers in [lo, hi] as T (exactly representable in double for the ranges used here).
template <class T>
std::vector<T> random_ints(size_t count, int lo, int hi, std::mt19937& rng) {
  std::uniform_int_distribution<int> dist(lo, hi);
  std::vector<T> v(count);
  for (auto& e : v) e = T(dist(rng));
  return v;
}

template <class T>
std::vector<T> random_reals(size_t count, std::mt19937& rng) {
  std::uniform_real_distribution<double> dist(-1.0, 1.0);
  std::vector<T> v(count);
  for (auto& e : v) e = T(dist(rng));
  return v;
}

inline conv2d_params make_params(int n, int ic, int oc, int h, int w, int kh, int kw, int sh,
                                 int sw, int pt, int pl, int pb, int pr) {
  conv2d_params p;
  p.n = n, p.ic = ic, p.oc = oc, p.h = h, p.w = w, p.kh = kh, p.kw = kw;
  p.stride_h = sh, p.stride_w = sw;
  p.pad_t = pt, p.pad_l = pl, p.pad_b = pb, p.pad_r = pr;
  return p;
}

}  // namespace sfc_test
