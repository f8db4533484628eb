// Kernels of the TFLite reference interpreter: plain loops with TFLite's (or, where TFLite
// delegates to it by default, XNNPACK's) exact integer arithmetic. Comments name the TFLite
// function each piece mirrors.
#include "graph/tflite/tflite-int8-ops.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "graph/tflite/tflite-quant-math.h"

namespace sfc::tflite::ref {
namespace {

int32_t load(const tensor& t, const uint8_t* p, size_t i) {
  return t.type == tensor_type::int8 ? int32_t(reinterpret_cast<const int8_t*>(p)[i]) : int32_t(p[i]);
}

void store(out_t y, size_t i, int32_t v) {
  if (y.t->type == tensor_type::int8)
    reinterpret_cast<int8_t*>(y.data)[i] = int8_t(v);
  else
    y.data[i] = uint8_t(v);
}

// q - zp for every element, as int32.
std::vector<int32_t> centered(in_t x, int32_t zp) {
  std::vector<int32_t> v(size_t(x.t->numel()));
  for (size_t i = 0; i < v.size(); ++i) v[i] = load(*x.t, x.data, i) - zp;
  return v;
}

std::vector<int32_t> bias_values(in_t b, size_t n) {
  std::vector<int32_t> v(n, 0);
  if (b.t) std::memcpy(v.data(), b.data, n * sizeof(int32_t));
  return v;
}

int32_t clamp(int32_t v, int32_t lo, int32_t hi) { return std::min(std::max(v, lo), hi); }

// Per-output-channel accumulator -> quantized output, in one of the three schemes.
struct requantizer {
  conv_requant mode = conv_requant::xnnpack_fp32;
  std::vector<int32_t> mult;
  std::vector<int> shift;
  std::vector<float> fscale;
  int32_t zp = 0, lo = 0, hi = 0;

  int32_t operator()(int32_t acc, size_t c) const {
    switch (mode) {
      case conv_requant::xnnpack_fp32: return qmath::fp32_requantize(acc, fscale[c], zp, lo, hi);
      case conv_requant::tflite_double_rounding:
        return clamp(qmath::mul_by_quantized_multiplier(acc, mult[c], shift[c]) + zp, lo, hi);
      case conv_requant::tflite_single_rounding:
        return clamp(qmath::mul_by_quantized_multiplier_single(acc, mult[c], shift[c]) + zp, lo, hi);
    }
    return 0;
  }
};

// TFLite: PopulateConvolutionQuantizationParams (per channel, s_in * s_w[c] / s_out in double) or,
// for uint8 convs and FULLY_CONNECTED, GetQuantizedConvolutionMultipler (s_in * s_w in float).
// XNNPACK: s_in * s_w[c] / s_out evaluated in float.
requantizer make_requantizer(const tensor& x, const tensor& w, const op& o, const tensor& y, size_t channels,
                             conv_requant mode, bool float_product) {
  requantizer r;
  r.mode = mode;
  r.zp = zero_point(y);
  activation_range(o.opt.act, y, &r.lo, &r.hi);
  const float sx = scale(x), sy = scale(y);
  for (size_t c = 0; c < channels; ++c) {
    const float sw = w.quant.scale[std::min(c, w.quant.scale.size() - 1)];
    const double real = float_product ? double(sx * sw) / double(sy) : double(sx) * double(sw) / double(sy);
    int32_t m = 0;
    int s = 0;
    qmath::quantize_multiplier(real, &m, &s, mode == conv_requant::tflite_single_rounding);
    r.mult.push_back(m);
    r.shift.push_back(s);
    r.fscale.push_back(sx * sw / sy);
  }
  return r;
}

}  // namespace

int32_t zero_point(const tensor& t) { return t.quant.zero_point.empty() ? 0 : int32_t(t.quant.zero_point[0]); }
float scale(const tensor& t) { return t.quant.scale.empty() ? 1.0f : t.quant.scale[0]; }

void activation_range(activation act, const tensor& out, int32_t* lo, int32_t* hi) {
  const int32_t qmin = out.type == tensor_type::int8 ? -128 : 0, qmax = out.type == tensor_type::int8 ? 127 : 255;
  const float s = scale(out);
  const int32_t zp = zero_point(out);
  auto quantize = [&](float v) { return zp + int32_t(std::round(v / s)); };
  *lo = qmin;
  *hi = qmax;
  if (act == activation::relu) {
    *lo = std::max(qmin, quantize(0.0f));
  } else if (act == activation::relu6) {
    *lo = std::max(qmin, quantize(0.0f));
    *hi = std::min(qmax, quantize(6.0f));
  } else if (act == activation::relu_n1_to_1) {
    *lo = std::max(qmin, quantize(-1.0f));
    *hi = std::min(qmax, quantize(1.0f));
  }
}

int conv_output_size(padding p, int in, int filter, int dilation, int stride) {
  const int eff = (filter - 1) * dilation + 1;
  return p == padding::same ? (in + stride - 1) / stride : (in + stride - eff) / stride;
}

int same_padding(padding p, int in, int filter, int dilation, int stride, int out) {
  if (p == padding::valid) return 0;
  const int eff = (filter - 1) * dilation + 1;
  return std::max((out - 1) * stride + eff - in, 0) / 2;
}

// reference_integer_ops::ConvPerChannel / reference_ops::Conv (uint8); weights OHWI.
void conv2d(const op& o, in_t x, in_t w, in_t bias, out_t y, conv_requant mode) {
  const auto& xs = x.t->shape;
  const auto& ws = w.t->shape;
  const auto& ys = y.t->shape;
  const int N = xs[0], H = xs[1], W = xs[2], C = xs[3], O = ws[0], KH = ws[1], KW = ws[2], OH = ys[1], OW = ys[2];
  const auto& p = o.opt;
  const int pt = same_padding(p.pad, H, KH, p.dilation_h, p.stride_h, OH);
  const int pl = same_padding(p.pad, W, KW, p.dilation_w, p.stride_w, OW);
  const std::vector<int32_t> xv = centered(x, zero_point(*x.t)), wv = centered(w, zero_point(*w.t));
  const std::vector<int32_t> bv = bias_values(bias, size_t(O));
  const requantizer rq = make_requantizer(*x.t, *w.t, o, *y.t, size_t(O), mode, x.t->type == tensor_type::uint8);
  size_t out = 0;
  for (int n = 0; n < N; ++n)
    for (int oy = 0; oy < OH; ++oy)
      for (int ox = 0; ox < OW; ++ox)
        for (int oc = 0; oc < O; ++oc) {
          int32_t acc = bv[size_t(oc)];
          for (int ky = 0; ky < KH; ++ky) {
            const int iy = oy * p.stride_h - pt + ky * p.dilation_h;
            if (iy < 0 || iy >= H) continue;  // padding: input == zero point, contributes 0
            for (int kx = 0; kx < KW; ++kx) {
              const int ix = ox * p.stride_w - pl + kx * p.dilation_w;
              if (ix < 0 || ix >= W) continue;
              const int32_t* xp = &xv[((size_t(n) * H + iy) * W + ix) * C];
              const int32_t* wp = &wv[((size_t(oc) * KH + ky) * KW + kx) * C];
              for (int c = 0; c < C; ++c) acc += xp[c] * wp[c];
            }
          }
          store(y, out++, rq(acc, size_t(oc)));
        }
}

// reference_integer_ops::DepthwiseConvPerChannel; weights [1, KH, KW, C * multiplier].
void depthwise_conv2d(const op& o, in_t x, in_t w, in_t bias, out_t y, conv_requant mode) {
  const auto& xs = x.t->shape;
  const auto& ws = w.t->shape;
  const auto& ys = y.t->shape;
  const int N = xs[0], H = xs[1], W = xs[2], C = xs[3], KH = ws[1], KW = ws[2], O = ws[3], OH = ys[1], OW = ys[2];
  const int mult = O / C;
  const auto& p = o.opt;
  const int pt = same_padding(p.pad, H, KH, p.dilation_h, p.stride_h, OH);
  const int pl = same_padding(p.pad, W, KW, p.dilation_w, p.stride_w, OW);
  const std::vector<int32_t> xv = centered(x, zero_point(*x.t)), wv = centered(w, zero_point(*w.t));
  const std::vector<int32_t> bv = bias_values(bias, size_t(O));
  const requantizer rq = make_requantizer(*x.t, *w.t, o, *y.t, size_t(O), mode, x.t->type == tensor_type::uint8);
  std::vector<int32_t> acc(static_cast<size_t>(O));
  for (int n = 0; n < N; ++n)
    for (int oy = 0; oy < OH; ++oy)
      for (int ox = 0; ox < OW; ++ox) {
        acc = bv;
        for (int ky = 0; ky < KH; ++ky) {
          const int iy = oy * p.stride_h - pt + ky * p.dilation_h;
          if (iy < 0 || iy >= H) continue;
          for (int kx = 0; kx < KW; ++kx) {
            const int ix = ox * p.stride_w - pl + kx * p.dilation_w;
            if (ix < 0 || ix >= W) continue;
            const int32_t* xp = &xv[((size_t(n) * H + iy) * W + ix) * C];
            const int32_t* wp = &wv[(size_t(ky) * KW + kx) * O];
            for (int oc = 0; oc < O; ++oc) acc[size_t(oc)] += xp[oc / mult] * wp[oc];
          }
        }
        const size_t base = ((size_t(n) * OH + oy) * OW + ox) * O;
        for (int oc = 0; oc < O; ++oc) store(y, base + size_t(oc), rq(acc[size_t(oc)], size_t(oc)));
      }
}

// reference_integer_ops::FullyConnected; weights [O, K], input flattened to [rows, K].
void fully_connected(const op& o, in_t x, in_t w, in_t bias, out_t y, conv_requant mode) {
  const int O = w.t->shape[0], K = w.t->shape[1];
  const int64_t rows = x.t->numel() / K;
  const std::vector<int32_t> xv = centered(x, zero_point(*x.t)), wv = centered(w, zero_point(*w.t));
  const std::vector<int32_t> bv = bias_values(bias, size_t(O));
  const requantizer rq = make_requantizer(*x.t, *w.t, o, *y.t, size_t(O), mode, true);
  for (int64_t r = 0; r < rows; ++r)
    for (int oc = 0; oc < O; ++oc) {
      int32_t acc = bv[size_t(oc)];
      for (int k = 0; k < K; ++k) acc += xv[size_t(r * K + k)] * wv[size_t(oc) * K + k];
      store(y, size_t(r * O + oc), rq(acc, size_t(oc)));
    }
}

void add(const op& o, in_t a, in_t b, out_t y, add_requant mode) {
  const int32_t za = zero_point(*a.t), zb = zero_point(*b.t), zy = zero_point(*y.t);
  const float sa = scale(*a.t), sb = scale(*b.t), sy = scale(*y.t);
  int32_t lo, hi;
  activation_range(o.opt.act, *y.t, &lo, &hi);
  const size_t n = size_t(y.t->numel());
  if (mode == add_requant::xnnpack) {
    // XNNPACK xnn_init_qs8_add_minmax_scalar_params + qs8-vadd: multipliers = the float ratios
    // s_a / s_y and s_b / s_y scaled by 2^shift (largest in [2^20, 2^21)), rounded to nearest-even.
    const float ra = sa / sy, rb = sb / sy;
    uint32_t bits;
    const float rmax = std::max(ra, rb);
    std::memcpy(&bits, &rmax, 4);
    const int shift = 20 - (int32_t(bits >> 23) - 127);
    const int32_t ma = int32_t(std::nearbyint(std::ldexp(ra, shift)));
    const int32_t mb = int32_t(std::nearbyint(std::ldexp(rb, shift)));
    const int32_t bias = -(ma * za + mb * zb);
    const int32_t rounding = int32_t(1) << (shift - 1);
    for (size_t i = 0; i < n; ++i) {
      const int32_t acc = bias + load(*a.t, a.data, i) * ma + load(*b.t, b.data, i) * mb;
      store(y, i, clamp(((acc + rounding) >> shift) + zy, lo, hi));
    }
    return;
  }
  // TFLite PrepareGeneralSubOp / reference_integer_ops::AddElementwise: left_shift 20.
  const bool single = mode == add_requant::tflite_single_rounding;
  const int left_shift = 20;
  const double twice_max = double(2 * std::max(sa, sb));
  int32_t ma, mb, my;
  int sha, shb, shy;
  qmath::quantize_multiplier(double(sa) / twice_max, &ma, &sha, single);
  qmath::quantize_multiplier(double(sb) / twice_max, &mb, &shb, single);
  qmath::quantize_multiplier(twice_max / double(float(1 << left_shift) * sy), &my, &shy, single);
  auto mul = [single](int32_t v, int32_t m, int s) {
    // MultiplyByQuantizedMultiplierSmallerThanOneExp (s <= 0)
    return single ? qmath::mul_by_quantized_multiplier_single(v, m, s)
                  : qmath::rounding_divide_by_pot(qmath::srdhm(v, m), -s);
  };
  for (size_t i = 0; i < n; ++i) {
    const int32_t va = (load(*a.t, a.data, i) - za) * (1 << left_shift);
    const int32_t vb = (load(*b.t, b.data, i) - zb) * (1 << left_shift);
    const int32_t sum = mul(va, ma, sha) + mul(vb, mb, shb);
    store(y, i, clamp(mul(sum, my, shy) + zy, lo, hi));
  }
}

namespace {
// Shared loop of the two poolings (reference_integer_ops::AveragePool / MaxPool): the window is
// clipped to the input, padded positions are not counted.
template <class F>
void pool(const op& o, in_t x, out_t y, F reduce) {
  const auto& xs = x.t->shape;
  const auto& ys = y.t->shape;
  const int N = xs[0], H = xs[1], W = xs[2], C = xs[3], OH = ys[1], OW = ys[2];
  const auto& p = o.opt;
  const int pt = same_padding(p.pad, H, p.filter_h, 1, p.stride_h, OH);
  const int pl = same_padding(p.pad, W, p.filter_w, 1, p.stride_w, OW);
  int32_t lo, hi;
  activation_range(p.act, *y.t, &lo, &hi);
  std::vector<int32_t> window;
  size_t out = 0;
  for (int n = 0; n < N; ++n)
    for (int oy = 0; oy < OH; ++oy)
      for (int ox = 0; ox < OW; ++ox)
        for (int c = 0; c < C; ++c) {
          window.clear();
          const int y0 = oy * p.stride_h - pt, x0 = ox * p.stride_w - pl;
          for (int iy = std::max(y0, 0); iy < std::min(y0 + p.filter_h, H); ++iy)
            for (int ix = std::max(x0, 0); ix < std::min(x0 + p.filter_w, W); ++ix)
              window.push_back(load(*x.t, x.data, ((size_t(n) * H + iy) * W + ix) * C + c));
          store(y, out++, clamp(reduce(window), lo, hi));
        }
}
}  // namespace

void average_pool(const op& o, in_t x, out_t y) {
  pool(o, x, y, [](const std::vector<int32_t>& v) {
    int32_t acc = 0;
    for (int32_t q : v) acc += q;
    const int32_t count = int32_t(v.size());
    if (count == 0) return 0;
    // rounded half away from zero, as TFLite's integer AveragePool
    return acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;
  });
}

void max_pool(const op& o, in_t x, out_t y) {
  pool(o, x, y, [](const std::vector<int32_t>& v) {
    return v.empty() ? std::numeric_limits<int32_t>::min() : *std::max_element(v.begin(), v.end());
  });
}

// MEAN over H and W of an NHWC tensor, as XNNPACK's global average pooling (which the
// delegate uses for MEAN): acc = sum(q) - count * zp_in, times s_in / (s_out * count) in float,
// rounded to nearest-even.
void mean_hw(in_t x, out_t y) {
  const auto& xs = x.t->shape;
  const int N = xs[0], H = xs[1], W = xs[2], C = xs[3];
  const int32_t count = H * W, zx = zero_point(*x.t), zy = zero_point(*y.t);
  const float s = scale(*x.t) / (scale(*y.t) * float(count));
  int32_t lo, hi;
  activation_range(activation::none, *y.t, &lo, &hi);
  for (int n = 0; n < N; ++n)
    for (int c = 0; c < C; ++c) {
      int32_t acc = -count * zx;
      for (int i = 0; i < count; ++i) acc += load(*x.t, x.data, (size_t(n) * count + i) * C + c);
      store(y, size_t(n) * C + c, qmath::fp32_requantize(acc, s, zy, lo, hi));
    }
}

// optimized_ops::Softmax with the float exp table (PopulateSoftmaxLookupTable), which the
// default (non-reference) TFLite build uses for int8 and uint8 softmax outside AArch64.
void softmax(const op& o, in_t x, out_t y) {
  float table[256];
  const float neg_scale = -scale(*x.t) * o.opt.beta;
  for (int v = 0; v <= 255; ++v) table[255 - v] = std::exp(neg_scale * float(v));
  const int depth = x.t->shape.back();
  const int64_t rows = x.t->numel() / depth;
  const float sy = scale(*y.t);
  const int32_t zy = zero_point(*y.t);
  const int32_t lo = y.t->type == tensor_type::int8 ? -128 : 0, hi = y.t->type == tensor_type::int8 ? 127 : 255;
  for (int64_t r = 0; r < rows; ++r) {
    const size_t base = size_t(r * depth);
    int32_t max_v = std::numeric_limits<int32_t>::min();
    for (int j = 0; j < depth; ++j) max_v = std::max(max_v, load(*x.t, x.data, base + j));
    const float* t = table + 255 - max_v;  // t[q] = exp(-s * beta * (max - q))
    float sum = 0.0f;
    for (int j = 0; j < depth; ++j) sum += t[load(*x.t, x.data, base + j)];
    const float inv = 1.0f / (sum * sy);
    for (int j = 0; j < depth; ++j) {
      const float prob = t[load(*x.t, x.data, base + j)] * inv;
      // QuantizeSoftmaxOutput: std::round for int8, truncation of prob + 0.5f for uint8
      const int32_t q = y.t->type == tensor_type::int8 ? int32_t(std::round(prob)) : int32_t(prob + 0.5f);
      store(y, base + size_t(j), clamp(q + zy, lo, hi));
    }
  }
}

// reference_ops::Pad for quantized tensors: the pad value is the output zero point. Rank <= 4,
// handled as 4-D with leading 1s.
void pad(in_t x, in_t paddings, out_t y) {
  const int rank = int(x.t->shape.size());
  int in[4] = {1, 1, 1, 1}, out[4] = {1, 1, 1, 1}, before[4] = {0, 0, 0, 0};
  for (int d = 0; d < rank; ++d) {
    const int k = 4 - rank + d;
    in[k] = x.t->shape[size_t(d)];
    out[k] = y.t->shape[size_t(d)];
    before[k] = paddings.t->type == tensor_type::int64 ? int(reinterpret_cast<const int64_t*>(paddings.data)[2 * d])
                                                       : reinterpret_cast<const int32_t*>(paddings.data)[2 * d];
  }
  const size_t esize = tensor_type_size(y.t->type);
  for (size_t i = 0; i < size_t(y.t->numel()); ++i) store(y, i, zero_point(*y.t));
  for (int a = 0; a < in[0]; ++a)
    for (int b = 0; b < in[1]; ++b)
      for (int c = 0; c < in[2]; ++c) {
        const size_t src = ((size_t(a) * in[1] + b) * in[2] + c) * in[3];
        const size_t dst = ((size_t(a + before[0]) * out[1] + b + before[1]) * out[2] + c + before[2]) * out[3] + before[3];
        std::memcpy(y.data + dst * esize, x.data + src * esize, size_t(in[3]) * esize);
      }
}

// QUANTIZE: float -> q as reference_ops::AffineQuantize (round half away from zero); q -> q as
// reference_ops::Requantize (QuantizeMultiplier(s_in / s_out), double rounding).
void quantize(in_t x, out_t y) {
  const int32_t zy = zero_point(*y.t);
  const int32_t lo = y.t->type == tensor_type::int8 ? -128 : 0, hi = y.t->type == tensor_type::int8 ? 127 : 255;
  const size_t n = size_t(y.t->numel());
  if (x.t->type == tensor_type::float32) {
    const float s = scale(*y.t);
    for (size_t i = 0; i < n; ++i) {
      float v;
      std::memcpy(&v, x.data + 4 * i, 4);
      store(y, i, clamp(int32_t(std::round(v / s)) + zy, lo, hi));
    }
    return;
  }
  int32_t m;
  int sh;
  qmath::quantize_multiplier(double(scale(*x.t)) / double(scale(*y.t)), &m, &sh);
  const int32_t zx = zero_point(*x.t);
  for (size_t i = 0; i < n; ++i)
    store(y, i, clamp(qmath::mul_by_quantized_multiplier(load(*x.t, x.data, i) - zx, m, sh) + zy, lo, hi));
}

// DEQUANTIZE: float(s * (q - zp)), the product in double as reference_ops::Dequantize.
void dequantize(in_t x, out_t y) {
  const double s = scale(*x.t);
  const int32_t zx = zero_point(*x.t);
  for (size_t i = 0; i < size_t(x.t->numel()); ++i) {
    const float v = float(s * (load(*x.t, x.data, i) - zx));
    std::memcpy(y.data + 4 * i, &v, 4);
  }
}

}  // namespace sfc::tflite::ref
