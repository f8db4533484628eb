// Reference (naive direct) 2D convolution. Clarity first; the only concession to speed is the
// loop order: for every output pixel the receptive field is gathered once into a contiguous patch
// laid out [ky][kx][c], the weights are re-laid out once as [oc][ky][kx][c], and each output
// channel is then one contiguous dot product
//   dst[n, oc, oy, ox] = bias[oc] + Σ_{ky,kx,c} patch[ky][kx][c] · w[oc][c][ky][kx]
//   patch[ky][kx][c]   = load(src[n, c, oy·stride_h − pad_t + ky, ox·stride_w − pad_l + kx])
// where load() is the identity for floating point and (x − zero_point) for quantized inputs, and a
// tap that falls into the padding is 0 (a padded quantized tap is the zero point: zp − zp = 0).
#include "kernels/ref/conv2d-ref.h"

#include <climits>
#include <cstddef>
#include <string>
#include <vector>

#include "kernels/common/error.h"

namespace sfc {
namespace {

// Element strides of an activation tensor indexed [n][c][y][x], whatever its memory layout.
struct act_strides {
  size_t n, c, y, x;
};

act_strides strides_of(layout l, int c, int h, int w) {
  const size_t C = size_t(c), H = size_t(h), W = size_t(w);
  if (l == layout::nchw) return {C * H * W, H * W, W, 1};
  return {H * W * C, 1, W * C, C};  // nhwc
}

void require_positive(const char* what, int v) {
  if (v <= 0)
    throw_invalid("conv2d: " + std::string(what) + " must be positive (got " + std::to_string(v) +
                  ")");
}

void require_non_negative(const char* what, int v) {
  if (v < 0)
    throw_invalid("conv2d: " + std::string(what) + " must not be negative (got " +
                  std::to_string(v) + ")");
}

// Checks that the padded extent `size + pad_lo + pad_hi` holds at least one kernel window.
void require_window(const char* dim, int size, int pad_lo, int pad_hi, int k) {
  const long long padded = (long long)size + pad_lo + pad_hi;
  if (padded > INT_MAX)
    throw_invalid(std::string("conv2d: padded ") + dim + " " + std::to_string(padded) +
                  " is too large");
  if (padded < k)
    throw_invalid(std::string("conv2d: empty output: padded ") + dim + " " +
                  std::to_string(padded) + " is smaller than the kernel (" + std::to_string(k) +
                  ")");
}

// Weights OIHW [oc][c][ky][kx] -> [oc][ky][kx][c], converted to the accumulation type.
template <class Acc, class W>
std::vector<Acc> weights_ohwi(const conv2d_params& p, const W* w) {
  std::vector<Acc> out(size_t(p.oc) * p.kh * p.kw * p.ic);
  size_t i = 0;
  for (int o = 0; o < p.oc; ++o)
    for (int ky = 0; ky < p.kh; ++ky)
      for (int kx = 0; kx < p.kw; ++kx)
        for (int c = 0; c < p.ic; ++c)
          out[i++] = Acc(w[((size_t(o) * p.ic + c) * p.kh + ky) * p.kw + kx]);
  return out;
}

// patch[(ky·kw + kx)·ic + c] = load(src_n[c, iy, ix]) or 0 where (iy, ix) is in the padding.
template <class Acc, class Src, class Load>
void gather_patch(const conv2d_params& p, const act_strides& s, const Src* src_n, int oy, int ox,
                  Load load, Acc* patch) {
  for (int ky = 0; ky < p.kh; ++ky) {
    const int iy = oy * p.stride_h - p.pad_t + ky;
    for (int kx = 0; kx < p.kw; ++kx) {
      const int ix = ox * p.stride_w - p.pad_l + kx;
      Acc* tap = patch + (size_t(ky) * p.kw + kx) * p.ic;
      if (iy < 0 || iy >= p.h || ix < 0 || ix >= p.w) {
        for (int c = 0; c < p.ic; ++c) tap[c] = Acc(0);
        continue;
      }
      const Src* px = src_n + size_t(iy) * s.y + size_t(ix) * s.x;
      for (int c = 0; c < p.ic; ++c) tap[c] = load(px[size_t(c) * s.c]);
    }
  }
}

// The shared driver. store(dst_index, n, oc, oy, ox, acc) adds the bias and writes the result.
template <class Acc, class Src, class W, class Load, class Store>
void conv_ref(const conv2d_params& p, layout l, const Src* src, const W* weights, Load load,
              Store store) {
  conv2d_validate(p);
  const int OH = p.oh(), OW = p.ow();
  const act_strides s = strides_of(l, p.ic, p.h, p.w);
  const act_strides d = strides_of(l, p.oc, OH, OW);
  const size_t K = size_t(p.kh) * p.kw * p.ic;
  const std::vector<Acc> wt = weights_ohwi<Acc>(p, weights);
  std::vector<Acc> patch(K);
  for (int n = 0; n < p.n; ++n)
    for (int oy = 0; oy < OH; ++oy)
      for (int ox = 0; ox < OW; ++ox) {
        gather_patch(p, s, src + size_t(n) * s.n, oy, ox, load, patch.data());
        for (int o = 0; o < p.oc; ++o) {
          const Acc* wo = wt.data() + size_t(o) * K;
          Acc acc = 0;
          for (size_t k = 0; k < K; ++k) acc += patch[k] * wo[k];
          store(size_t(n) * d.n + size_t(o) * d.c + size_t(oy) * d.y + size_t(ox) * d.x, n, o, oy,
                ox, acc);
        }
      }
}

// Integer convolution: int64 accumulation, checked narrowing to int32.
template <class Src>
void conv_ref_int(const char* fn, const conv2d_params& p, layout l, const Src* src, int32_t zp,
                  const int8_t* weights, const int32_t* bias, int32_t* dst) {
  auto load = [zp](Src x) { return int64_t(x) - int64_t(zp); };
  auto store = [=](size_t i, int n, int o, int oy, int ox, int64_t acc) {
    const int64_t v = acc + (bias ? int64_t(bias[o]) : 0);
    if (v < INT32_MIN || v > INT32_MAX)
      throw error(error::internal, std::string(fn) + ": result " + std::to_string(v) +
                                       " at [n=" + std::to_string(n) + ", oc=" + std::to_string(o) +
                                       ", y=" + std::to_string(oy) + ", x=" + std::to_string(ox) +
                                       "] does not fit int32");
    dst[i] = int32_t(v);
  };
  conv_ref<int64_t>(p, l, src, weights, load, store);
}

}  // namespace

void conv2d_validate(const conv2d_params& p) {
  require_positive("batch n", p.n);
  require_positive("input channels ic", p.ic);
  require_positive("output channels oc", p.oc);
  require_positive("height h", p.h);
  require_positive("width w", p.w);
  require_positive("kernel height kh", p.kh);
  require_positive("kernel width kw", p.kw);
  require_positive("stride_h", p.stride_h);
  require_positive("stride_w", p.stride_w);
  require_non_negative("pad_t", p.pad_t);
  require_non_negative("pad_l", p.pad_l);
  require_non_negative("pad_b", p.pad_b);
  require_non_negative("pad_r", p.pad_r);
  require_window("height", p.h, p.pad_t, p.pad_b, p.kh);
  require_window("width", p.w, p.pad_l, p.pad_r, p.kw);
}

void conv2d_ref_f64(const conv2d_params& p, layout l, const double* src, const double* weights,
                    const double* bias, double* dst) {
  auto load = [](double x) { return x; };
  auto store = [=](size_t i, int, int o, int, int, double acc) {
    dst[i] = (bias ? bias[o] : 0.0) + acc;
  };
  conv_ref<double>(p, l, src, weights, load, store);
}

void conv2d_ref_f32(const conv2d_params& p, layout l, const float* src, const float* weights,
                    const float* bias, float* dst) {
  auto load = [](float x) { return double(x); };
  auto store = [=](size_t i, int, int o, int, int, double acc) {
    dst[i] = float((bias ? double(bias[o]) : 0.0) + acc);
  };
  conv_ref<double>(p, l, src, weights, load, store);
}

void conv2d_ref_s8(const conv2d_params& p, layout l, const int8_t* src, int32_t src_zero_point,
                   const int8_t* weights, const int32_t* bias, int32_t* dst) {
  conv_ref_int("conv2d_ref_s8", p, l, src, src_zero_point, weights, bias, dst);
}

void conv2d_ref_u8(const conv2d_params& p, layout l, const uint8_t* src, int32_t src_zero_point,
                   const int8_t* weights, const int32_t* bias, int32_t* dst) {
  conv_ref_int("conv2d_ref_u8", p, l, src, src_zero_point, weights, bias, dst);
}

}  // namespace sfc
