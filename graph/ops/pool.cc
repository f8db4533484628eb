// Pooling on NHWC activations: MaxPool, AveragePool (pads, ceil_mode, count_include_pad; int8 as
// below),
// GlobalAveragePool, and ReduceMean (spatial axes {2, 3} of an NHWC tensor take the global-pool
// path; any other axes run a generic reduction in logical order).
#include <algorithm>
#include <cstring>
#include <limits>
#include <type_traits>

#include "graph/ops/op-util.h"
#include "graph/ops/ops.h"
#include "kernels/elementwise/elementwise.h"

namespace sfc {
namespace {
using namespace ops;

struct pool_geom {
  int64_t n = 1, c = 1, h = 1, w = 1, oh = 1, ow = 1;
  window2d win;
  bool is_max = true;
  bool count_include_pad = false;
  int64_t round_center = 0;  // int8 AveragePool (attribute "round_center", below)
};

// Window element count of output pixel (oy, ox): in-bounds pixels, or with count_include_pad the
// window clipped to the padded input.
int64_t window_count(const pool_geom& p, int64_t oy, int64_t ox) {
  const window2d& w = p.win;
  const int64_t y0 = oy * w.sh - w.pad_t, x0 = ox * w.sw - w.pad_l;
  if (p.count_include_pad) {
    const int64_t he = std::min<int64_t>(y0 + w.kh, p.h + w.pad_b);
    const int64_t we = std::min<int64_t>(x0 + w.kw, p.w + w.pad_r);
    return (he - y0) * (we - x0);
  }
  return (std::min<int64_t>(y0 + w.kh, p.h) - std::max<int64_t>(y0, 0)) *
         (std::min<int64_t>(x0 + w.kw, p.w) - std::max<int64_t>(x0, 0));
}

pool_geom resolve_pool(const graph& g, const node& n) {
  check_arity(n, 1, 1);
  const value& x = input(g, n, 0);
  const bool int8 = x.desc.type == dtype::u8 || x.desc.type == dtype::s8;
  if ((x.desc.type != dtype::f32 && !int8) || x.desc.rank() != 4)
    fail_unsupported(n, "only f32, u8 or s8 [N, C, H, W] inputs are supported");
  if (n.attr_int("storage_order", 0) != 0) fail_unsupported(n, "storage_order=1 is not supported");
  const std::vector<int64_t> k = n.attr_ints("kernel_shape", {});
  if (k.size() != 2) fail_unsupported(n, "kernel_shape must have 2 values");
  if (k[0] < 1 || k[1] < 1 || k[0] > 65535 || k[1] > 65535)
    fail_invalid(n, "kernel_shape out of range");
  pool_geom p;
  p.n = x.desc.shape[0], p.c = x.desc.shape[1], p.h = x.desc.shape[2], p.w = x.desc.shape[3];
  p.win = resolve_window2d(n, p.h, p.w, int(k[0]), int(k[1]));
  p.oh = p.win.out(p.h, true), p.ow = p.win.out(p.w, false);
  p.is_max = n.op == op_type::max_pool;
  p.count_include_pad = n.attr_int("count_include_pad", 0) != 0;
  p.round_center = n.attr_int("round_center", 0);
  if (int8 && (p.round_center < (x.desc.type == dtype::u8 ? 0 : -128) ||
               p.round_center > (x.desc.type == dtype::u8 ? 255 : 127)))
    fail_invalid(n, "round_center out of the input type's range");
  return p;
}

template <class T>
T lowest() {
  return std::numeric_limits<T>::lowest();
}
template <>
float lowest<float>() {
  return -std::numeric_limits<float>::infinity();
}

// T = float (max and average); the int8 MaxPool is q8_maxpool_kernel below.
template <class T>
class pool_kernel final : public node_kernel {
 public:
  pool_kernel(const pool_geom& p, int threads) : p_(p), threads_(threads) {}
  void run(const std::vector<tview>& in, const std::vector<tview>& out) override {
    const T* x = in[0].as<T>();
    T* y = out[0].as<T>();
    const int64_t rows = p_.n * p_.oh;
#pragma omp parallel for num_threads(threads_) schedule(static)
    for (int64_t r = 0; r < rows; ++r) {
      const int64_t n = r / p_.oh, oy = r % p_.oh;
      for (int64_t ox = 0; ox < p_.ow; ++ox)
        pixel(x + n * p_.h * p_.w * p_.c, oy, ox, y + ((n * p_.oh + oy) * p_.ow + ox) * p_.c);
    }
  }

 private:
  void pixel(const T* x, int64_t oy, int64_t ox, T* y) const {
    const window2d& w = p_.win;
    const int64_t y0 = oy * w.sh - w.pad_t, x0 = ox * w.sw - w.pad_l;
    const int64_t ys = std::max<int64_t>(y0, 0), ye = std::min<int64_t>(y0 + w.kh, p_.h);
    const int64_t xs = std::max<int64_t>(x0, 0), xe = std::min<int64_t>(x0 + w.kw, p_.w);
    const int64_t c = p_.c;
    const T init = p_.is_max ? lowest<T>() : T(0);
    std::fill(y, y + c, init);
    for (int64_t iy = ys; iy < ye; ++iy)
      for (int64_t ix = xs; ix < xe; ++ix) {
        const T* px = x + (iy * p_.w + ix) * c;
        if (p_.is_max) {
          for (int64_t k = 0; k < c; ++k) y[k] = std::max(y[k], px[k]);
        } else if constexpr (std::is_same<T, float>::value) {
          for (int64_t k = 0; k < c; ++k) y[k] += px[k];
        }
      }
    if constexpr (std::is_same<T, float>::value) {
      if (p_.is_max) return;
      int64_t count = (ye - ys) * (xe - xs);
      if (p_.count_include_pad) {
        const int64_t he = std::min<int64_t>(y0 + w.kh, p_.h + w.pad_b);
        const int64_t we = std::min<int64_t>(x0 + w.kw, p_.w + w.pad_r);
        count = (he - y0) * (we - x0);
      }
      const float inv = count > 0 ? 1.f / float(count) : 0.f;
      for (int64_t k = 0; k < c; ++k) y[k] *= inv;
    }
  }
  pool_geom p_;
  int threads_;
};

// int8 MaxPool on NHWC: per output pixel, the max over the in-bounds window pixels (pads never
// win, as in pool_kernel), by the ISA-dispatched kernels/elementwise maxpool over tap pointers.
template <class T>
class q8_maxpool_kernel final : public node_kernel {
 public:
  q8_maxpool_kernel(const pool_geom& p, int threads)
      : p_(p), threads_(threads), k_(elementwise_kernels_default()) {}
  void run(const std::vector<tview>& in, const std::vector<tview>& out) override {
    const T* x = in[0].as<T>();
    T* y = out[0].as<T>();
    const int64_t rows = p_.n * p_.oh;
#pragma omp parallel for num_threads(threads_) schedule(static)
    for (int64_t r = 0; r < rows; ++r) row(x, y, r);
  }
  std::string impl_name() const override { return std::string("maxpool:") + k_.isa; }

 private:
  void row(const T* x, T* y, int64_t r) const {
    const window2d& w = p_.win;
    const int64_t n = r / p_.oh, oy = r % p_.oh, c = p_.c;
    const int64_t y0 = oy * w.sh - w.pad_t;
    const int64_t ys = std::max<int64_t>(y0, 0), ye = std::min<int64_t>(y0 + w.kh, p_.h);
    const T* img = x + n * p_.h * p_.w * c;
    std::vector<const T*> taps(size_t(w.kh) * size_t(w.kw));
    for (int64_t ox = 0; ox < p_.ow; ++ox) {
      T* dst = y + (r * p_.ow + ox) * c;
      const int64_t x0 = ox * w.sw - w.pad_l;
      const int64_t xs = std::max<int64_t>(x0, 0), xe = std::min<int64_t>(x0 + w.kw, p_.w);
      size_t nt = 0;
      for (int64_t iy = ys; iy < ye; ++iy)
        for (int64_t ix = xs; ix < xe; ++ix) taps[nt++] = img + (iy * p_.w + ix) * c;
      if (nt == 0) {
        std::fill(dst, dst + c, lowest<T>());
      } else if constexpr (std::is_same<T, uint8_t>::value) {
        k_.maxpool_u8(taps.data(), nt, dst, size_t(c));
      } else {
        k_.maxpool_s8(taps.data(), nt, dst, size_t(c));
      }
    }
  }
  pool_geom p_;
  int threads_;
  const elementwise_kernels& k_;
};

// NHWC [N, H, W, C] -> [N, C]: mean over the H·W pixels of each image.
class global_pool_kernel final : public node_kernel {
 public:
  global_pool_kernel(int64_t n, int64_t hw, int64_t c) : n_(n), hw_(hw), c_(c) {}
  void run(const std::vector<tview>& in, const std::vector<tview>& out) override {
    const float* x = in[0].as<float>();
    float* y = out[0].as<float>();
    std::vector<double> acc(static_cast<size_t>(c_));
    for (int64_t n = 0; n < n_; ++n) {
      std::fill(acc.begin(), acc.end(), 0.0);
      for (int64_t p = 0; p < hw_; ++p) {
        const float* px = x + (n * hw_ + p) * c_;
        for (int64_t k = 0; k < c_; ++k) acc[size_t(k)] += px[k];
      }
      for (int64_t k = 0; k < c_; ++k) y[n * c_ + k] = float(acc[size_t(k)] / double(hw_));
    }
  }

 private:
  int64_t n_, hw_, c_;
};

// Generic mean over `axes` on plain tensors: out[j] with stride 0 on the reduced dims.
class reduce_mean_kernel final : public node_kernel {
 public:
  reduce_mean_kernel(const tensor_desc& in, const std::vector<char>& reduced) : in_(in) {
    const int r = in.rank();
    std::vector<int64_t> os(size_t(r), 0);
    int64_t s = 1;
    for (int d = r - 1; d >= 0; --d) {
      if (reduced[size_t(d)]) {
        count_ *= in.shape[size_t(d)];
        continue;
      }
      os[size_t(d)] = s, s *= in.shape[size_t(d)];
    }
    out_strides_ = os;
    out_numel_ = s;
  }
  bool wants_plain() const override { return true; }
  void run(const std::vector<tview>& in, const std::vector<tview>& out) override {
    const float* x = in[0].as<float>();
    std::vector<double> acc(size_t(out_numel_), 0.0);
    const int r = in_.rank();
    std::vector<int64_t> idx(size_t(r), 0);
    int64_t o = 0;
    for (int64_t i = 0, n = in_.numel(); i < n; ++i) {
      acc[size_t(o)] += x[i];
      for (int d = r - 1; d >= 0; --d) {  // odometer increment, tracking the output offset
        o += out_strides_[size_t(d)];
        if (++idx[size_t(d)] < in_.shape[size_t(d)]) break;
        o -= out_strides_[size_t(d)] * in_.shape[size_t(d)];
        idx[size_t(d)] = 0;
      }
    }
    float* y = out[0].as<float>();
    for (int64_t j = 0; j < out_numel_; ++j) y[j] = float(acc[size_t(j)] / double(count_));
  }

 private:
  tensor_desc in_;
  std::vector<int64_t> out_strides_;
  int64_t out_numel_ = 1, count_ = 1;
};

std::vector<char> reduce_axes(const graph& g, const node& n, int r) {
  std::vector<int64_t> axes = n.attr_ints("axes", {});
  if (has_input(n, 1)) axes = const_ints(g, n, 1, "axes");
  std::vector<char> red(size_t(r), 0);
  if (axes.empty() && n.attr_int("noop_with_empty_axes", 0) == 0) red.assign(size_t(r), 1);
  for (int64_t a : axes) red[size_t(normalize_axis(n, a, r))] = 1;
  return red;
}

}  // namespace

void infer_pool(graph& g, node& n) {
  if (n.op == op_type::max_pool || n.op == op_type::avg_pool) {
    const pool_geom p = resolve_pool(g, n);
    return set_output(g, n, 0, input(g, n, 0).desc.type, {p.n, p.c, p.oh, p.ow});
  }
  check_arity(n, 1, n.op == op_type::reduce_mean ? 2 : 1);
  const value& x = input(g, n, 0);
  if (x.desc.type != dtype::f32) fail_unsupported(n, "only f32 is supported");
  if (n.op == op_type::global_avg_pool) {
    if (x.desc.rank() != 4) fail_unsupported(n, "only [N, C, H, W] inputs are supported");
    return set_output(g, n, 0, dtype::f32, {x.desc.shape[0], x.desc.shape[1], 1, 1});
  }
  const std::vector<char> red = reduce_axes(g, n, x.desc.rank());
  const bool keep = n.attr_int("keepdims", 1) != 0;
  shape_t s;
  for (int d = 0; d < x.desc.rank(); ++d)
    if (!red[size_t(d)])
      s.push_back(x.desc.shape[size_t(d)]);
    else if (keep)
      s.push_back(1);
  set_output(g, n, 0, dtype::f32, s);
}

// int8 AveragePool (u8 / s8, output of the same type and scale): with c = round_center,
//   y = c + round_half_away_from_zero(Σ (x − c) / count)     as the integer sum (acc ± count/2) / count
// which is TFLite's integer AveragePool on raw int8 values (c = 128 for u8 values that hold a
// TFLite int8 tensor plus 128, graph/tflite/tflite-to-graph.h; c = 0 for raw s8 or uint8 values).
// sfc's own int8 scheme never feeds AveragePool int8 values (quantize-graph.cc dequantizes).
template <class T>
class q8_avgpool_kernel final : public node_kernel {
 public:
  q8_avgpool_kernel(const pool_geom& p, int threads) : p_(p), threads_(threads) {}
  void run(const std::vector<tview>& in, const std::vector<tview>& out) override {
    const T* x = in[0].as<T>();
    T* y = out[0].as<T>();
    const int64_t rows = p_.n * p_.oh;
#pragma omp parallel for num_threads(threads_) schedule(static)
    for (int64_t r = 0; r < rows; ++r) {
      const int64_t n = r / p_.oh, oy = r % p_.oh;
      std::vector<int64_t> acc(size_t(p_.c));
      for (int64_t ox = 0; ox < p_.ow; ++ox)
        pixel(x + n * p_.h * p_.w * p_.c, oy, ox, acc, y + ((n * p_.oh + oy) * p_.ow + ox) * p_.c);
    }
  }
  std::string impl_name() const override { return "avgpool:int8"; }

 private:
  void pixel(const T* x, int64_t oy, int64_t ox, std::vector<int64_t>& acc, T* y) const {
    const window2d& w = p_.win;
    const int64_t y0 = oy * w.sh - w.pad_t, x0 = ox * w.sw - w.pad_l, c = p_.c;
    const int64_t ys = std::max<int64_t>(y0, 0), ye = std::min<int64_t>(y0 + w.kh, p_.h);
    const int64_t xs = std::max<int64_t>(x0, 0), xe = std::min<int64_t>(x0 + w.kw, p_.w);
    std::fill(acc.begin(), acc.end(), 0);
    for (int64_t iy = ys; iy < ye; ++iy)
      for (int64_t ix = xs; ix < xe; ++ix) {
        const T* px = x + (iy * p_.w + ix) * c;
        for (int64_t k = 0; k < c; ++k) acc[size_t(k)] += int64_t(px[k]) - p_.round_center;
      }
    const int64_t count = std::max<int64_t>(window_count(p_, oy, ox), 1);
    const int64_t lo = std::numeric_limits<T>::min(), hi = std::numeric_limits<T>::max();
    for (int64_t k = 0; k < c; ++k) {
      const int64_t a = acc[size_t(k)];
      const int64_t r = a > 0 ? (a + count / 2) / count : (a - count / 2) / count;
      y[k] = T(std::min(std::max(p_.round_center + r, lo), hi));
    }
  }
  pool_geom p_;
  int threads_;
};

std::unique_ptr<node_kernel> make_pool_kernel(const graph& g, const node& n, int threads) {
  const tensor_desc& xd = input(g, n, 0).desc;
  if (n.op == op_type::max_pool || n.op == op_type::avg_pool) {
    if (xd.layout != tensor_layout::nhwc) fail_unsupported(n, "constant image input");
    const pool_geom p = resolve_pool(g, n);
    if (n.op == op_type::avg_pool && xd.type == dtype::u8)
      return std::make_unique<q8_avgpool_kernel<uint8_t>>(p, threads);
    if (n.op == op_type::avg_pool && xd.type == dtype::s8)
      return std::make_unique<q8_avgpool_kernel<int8_t>>(p, threads);
    if (xd.type == dtype::u8) return std::make_unique<q8_maxpool_kernel<uint8_t>>(p, threads);
    if (xd.type == dtype::s8) return std::make_unique<q8_maxpool_kernel<int8_t>>(p, threads);
    return std::make_unique<pool_kernel<float>>(p, threads);
  }
  const std::vector<char> red = n.op == op_type::global_avg_pool ? std::vector<char>{0, 0, 1, 1}
                                                                 : reduce_axes(g, n, xd.rank());
  if (xd.rank() == 4 && xd.layout == tensor_layout::nhwc && red == std::vector<char>{0, 0, 1, 1})
    return std::make_unique<global_pool_kernel>(xd.shape[0], xd.shape[2] * xd.shape[3],
                                                xd.shape[1]);
  return std::make_unique<reduce_mean_kernel>(xd, red);
}

}  // namespace sfc
