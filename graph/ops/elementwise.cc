// Elementwise ops: Add / Sub / Mul / Div with ONNX multidirectional broadcasting, Relu, Clip,
// Identity, Cast, inference-mode BatchNormalization (a per-channel affine map), and the quantized
// Add of imported int8 models (an Add node with the xnn_* attributes, below).
//
// Broadcasting works on logical shapes with per-operand element strides (stride 0 on broadcast
// dims), iterated in the output's physical order, so NHWC activations, plain [1, C, 1, 1]
// constants and scalars mix freely; adjacent dims that are contiguous for every operand are merged,
// which turns the common same-shape case into one flat loop.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>

#include "graph/ops/op-util.h"
#include "graph/ops/ops.h"

namespace sfc {
namespace {
using namespace ops;

bool is_arith(dtype t) { return t == dtype::f32 || t == dtype::i64 || t == dtype::i32; }

shape_t broadcast_shapes(const node& n, const shape_t& a, const shape_t& b) {
  const size_t r = std::max(a.size(), b.size());
  shape_t o(r);
  for (size_t i = 0; i < r; ++i) {
    const int64_t da = i < r - a.size() ? 1 : a[i - (r - a.size())];
    const int64_t db = i < r - b.size() ? 1 : b[i - (r - b.size())];
    if (da != db && da != 1 && db != 1)
      fail_invalid(n, "shapes " + shape_str(a) + " and " + shape_str(b) + " do not broadcast");
    o[i] = da == 1 ? db : da;
  }
  return o;
}

// Loop nest over the output in physical order: st[0] output, st[1..2] operands.
struct bcast_plan {
  int rank = 0;
  int64_t shape[kMaxRank] = {};
  int64_t st[3][kMaxRank] = {};
};

bcast_plan make_bcast_plan(const tensor_desc& out, const tensor_desc* a, const tensor_desc* b) {
  const int r = out.rank();
  std::vector<std::vector<int64_t>> st(3, std::vector<int64_t>(size_t(r), 0));
  st[0] = out.strides();
  const tensor_desc* ops2[2] = {a, b};
  for (int k = 0; k < 2; ++k) {
    if (!ops2[k]) continue;
    const std::vector<int64_t> s = ops2[k]->strides();
    const int off = r - ops2[k]->rank();
    for (int i = 0; i < ops2[k]->rank(); ++i)
      st[size_t(k) + 1][size_t(i + off)] = ops2[k]->shape[size_t(i)] == 1 ? 0 : s[size_t(i)];
  }
  std::vector<int> order(static_cast<size_t>(r));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int x, int y) { return st[0][size_t(x)] > st[0][size_t(y)]; });
  bcast_plan p;
  for (int i : order) {
    if (out.shape[size_t(i)] == 1) continue;
    const int j = p.rank - 1;
    bool merge = j >= 0;
    for (int k = 0; k < 3 && merge; ++k)
      merge = st[size_t(k)][size_t(i)] * out.shape[size_t(i)] == p.st[k][j];
    if (merge) {
      p.shape[j] *= out.shape[size_t(i)];
      for (int k = 0; k < 3; ++k) p.st[k][j] = st[size_t(k)][size_t(i)];
      continue;
    }
    p.shape[p.rank] = out.shape[size_t(i)];
    for (int k = 0; k < 3; ++k) p.st[k][p.rank] = st[size_t(k)][size_t(i)];
    ++p.rank;
  }
  if (p.rank == 0) p.rank = 1, p.shape[0] = 1;
  return p;
}

// inner(out_off, a_off, b_off, count, a_stride, b_stride) once per innermost row.
template <class F>
void bcast_for(const bcast_plan& p, F inner) {
  for (int i = 0; i < p.rank; ++i)
    if (p.shape[i] == 0) return;
  int64_t idx[kMaxRank] = {};
  int64_t off[3] = {0, 0, 0};
  const int last = p.rank - 1;
  for (;;) {
    inner(off[0], off[1], off[2], p.shape[last], p.st[1][last], p.st[2][last]);
    int d = last - 1;
    for (; d >= 0; --d) {
      for (int k = 0; k < 3; ++k) off[k] += p.st[k][d];
      if (++idx[d] < p.shape[d]) break;
      for (int k = 0; k < 3; ++k) off[k] -= p.st[k][d] * p.shape[d];
      idx[d] = 0;
    }
    if (d < 0) return;
  }
}

template <class T>
void binary_typed(op_type op, const bcast_plan& p, const T* a, const T* b, T* o) {
  auto run = [&](auto f) {
    bcast_for(p, [&](int64_t oo, int64_t ao, int64_t bo, int64_t n, int64_t sa, int64_t sb) {
      T* dst = o + oo;
      const T* x = a + ao;
      const T* y = b + bo;
      if (sa == 1 && sb == 1) {
        for (int64_t i = 0; i < n; ++i) dst[i] = f(x[i], y[i]);
      } else if (sa == 1 && sb == 0) {
        const T yv = *y;
        for (int64_t i = 0; i < n; ++i) dst[i] = f(x[i], yv);
      } else {
        for (int64_t i = 0; i < n; ++i) dst[i] = f(x[i * sa], y[i * sb]);
      }
    });
  };
  switch (op) {
    case op_type::add: return run([](T x, T y) { return T(x + y); });
    case op_type::sub: return run([](T x, T y) { return T(x - y); });
    case op_type::mul: return run([](T x, T y) { return T(x * y); });
    default: return run([](T x, T y) { return y == T(0) ? T(0) : T(x / y); });
  }
}

template <>
void binary_typed<float>(op_type op, const bcast_plan& p, const float* a, const float* b,
                         float* o) {
  auto run = [&](auto f) {
    bcast_for(p, [&](int64_t oo, int64_t ao, int64_t bo, int64_t n, int64_t sa, int64_t sb) {
      float* dst = o + oo;
      const float* x = a + ao;
      const float* y = b + bo;
      if (sa == 1 && sb == 1) {
        for (int64_t i = 0; i < n; ++i) dst[i] = f(x[i], y[i]);
      } else if (sa == 1 && sb == 0) {
        const float yv = *y;
        for (int64_t i = 0; i < n; ++i) dst[i] = f(x[i], yv);
      } else {
        for (int64_t i = 0; i < n; ++i) dst[i] = f(x[i * sa], y[i * sb]);
      }
    });
  };
  switch (op) {
    case op_type::add: return run([](float x, float y) { return x + y; });
    case op_type::sub: return run([](float x, float y) { return x - y; });
    case op_type::mul: return run([](float x, float y) { return x * y; });
    default: return run([](float x, float y) { return x / y; });
  }
}

class binary_kernel final : public node_kernel {
 public:
  binary_kernel(op_type op, dtype t, bcast_plan p) : op_(op), t_(t), p_(p) {}
  void run(const std::vector<tview>& in, const std::vector<tview>& out) override {
    switch (t_) {
      case dtype::f32: return binary_typed(op_, p_, in[0].as<float>(), in[1].as<float>(),
                                           out[0].as<float>());
      case dtype::i64: return binary_typed(op_, p_, in[0].as<int64_t>(), in[1].as<int64_t>(),
                                           out[0].as<int64_t>());
      default: return binary_typed(op_, p_, in[0].as<int32_t>(), in[1].as<int32_t>(),
                                   out[0].as<int32_t>());
    }
  }

 private:
  op_type op_;
  dtype t_;
  bcast_plan p_;
};

// Quantized Add with XNNPACK's fixed-point requantization (TFLite's int8 ADD as the XNNPACK
// delegate computes it, tflite-int8-ops.cc add_requant::xnnpack): on u8 / s8 operands a, b with
// zero points za, zb (the graph's encodings),
//   y = clamp(floor((ma·(a − za) + mb·(b − zb) + 2^(s−1)) / 2^s), lo, hi) + zy, saturated,
// with multipliers 0 ≤ m < 2^21 and 1 ≤ s ≤ 30: every term fits int32 (2·2^21·255 + 2^29 < 2^31).
// Attributes: xnn_a_mult, xnn_b_mult, xnn_shift, a_zero_point, b_zero_point, y_zero_point,
// xnn_min, xnn_max (the range of y − zy) and to (ONNX type of y: 2 uint8, 3 int8).
struct qadd_params {
  int32_t ma = 0, mb = 0, shift = 1, za = 0, zb = 0, zy = 0, lo = 0, hi = 0;
  bool a_u8 = true, b_u8 = true, y_u8 = true;
};

bool is_int8(dtype t) { return t == dtype::u8 || t == dtype::s8; }
bool is_qadd(const node& n) { return n.op == op_type::add && n.attrs.count("xnn_shift"); }

qadd_params qadd_from_attrs(const graph& g, const node& n) {
  qadd_params q;
  auto get = [&](const char* a, int64_t lo, int64_t hi) {
    const int64_t v = n.attr_int(a, lo - 1);
    if (v < lo || v > hi)
      fail_invalid(n, std::string("quantized Add: attribute ") + a + " = " + std::to_string(v) +
                          " outside [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
    return int32_t(v);
  };
  const dtype ta = input(g, n, 0).desc.type, tb = input(g, n, 1).desc.type;
  q.a_u8 = ta == dtype::u8, q.b_u8 = tb == dtype::u8;
  q.y_u8 = get("to", 2, 3) == 2;
  q.ma = get("xnn_a_mult", 0, (1 << 21) - 1), q.mb = get("xnn_b_mult", 0, (1 << 21) - 1);
  q.shift = get("xnn_shift", 1, 30);
  q.za = get("a_zero_point", q.a_u8 ? 0 : -128, q.a_u8 ? 255 : 127);
  q.zb = get("b_zero_point", q.b_u8 ? 0 : -128, q.b_u8 ? 255 : 127);
  q.zy = get("y_zero_point", q.y_u8 ? 0 : -128, q.y_u8 ? 255 : 127);
  q.lo = get("xnn_min", -1024, 1024), q.hi = get("xnn_max", q.lo, 1024);
  return q;
}

template <class A, class B, class Y>
void qadd_typed(const qadd_params& q, const bcast_plan& p, const A* a, const B* b, Y* y) {
  const int32_t round = int32_t(1) << (q.shift - 1);
  const int32_t ymin = std::numeric_limits<Y>::lowest(), ymax = std::numeric_limits<Y>::max();
  bcast_for(p, [&](int64_t oo, int64_t ao, int64_t bo, int64_t n, int64_t sa, int64_t sb) {
    for (int64_t i = 0; i < n; ++i) {
      const int32_t acc = q.ma * (int32_t(a[ao + i * sa]) - q.za) +
                          q.mb * (int32_t(b[bo + i * sb]) - q.zb) + round;
      const int32_t v = std::min(std::max(acc >> q.shift, q.lo), q.hi) + q.zy;  // >>: floor
      y[oo + i] = Y(std::min(std::max(v, ymin), ymax));
    }
  });
}

class qadd_kernel final : public node_kernel {
 public:
  qadd_kernel(qadd_params q, bcast_plan p) : q_(q), p_(p) {}
  void run(const std::vector<tview>& in, const std::vector<tview>& out) override {
    if (q_.y_u8)
      return dispatch(in, out[0].as<uint8_t>());
    dispatch(in, out[0].as<int8_t>());
  }

 private:
  template <class Y>
  void dispatch(const std::vector<tview>& in, Y* y) {
    if (q_.a_u8 && q_.b_u8) return qadd_typed(q_, p_, in[0].as<uint8_t>(), in[1].as<uint8_t>(), y);
    if (q_.a_u8) return qadd_typed(q_, p_, in[0].as<uint8_t>(), in[1].as<int8_t>(), y);
    if (q_.b_u8) return qadd_typed(q_, p_, in[0].as<int8_t>(), in[1].as<uint8_t>(), y);
    qadd_typed(q_, p_, in[0].as<int8_t>(), in[1].as<int8_t>(), y);
  }
  qadd_params q_;
  bcast_plan p_;
};

template <class T>
T saturate_cast(double v) {
  if (std::is_floating_point<T>::value) return T(v);
  if (std::isnan(v)) return T(0);
  const double lo = double(std::numeric_limits<T>::lowest()), hi = double(std::numeric_limits<T>::max());
  return T(v < lo ? lo : v > hi ? hi : v);
}

double load_as_double(dtype t, const void* p, int64_t i) {
  switch (t) {
    case dtype::f32: return static_cast<const float*>(p)[i];
    case dtype::i64: return double(static_cast<const int64_t*>(p)[i]);
    case dtype::i32: return static_cast<const int32_t*>(p)[i];
    case dtype::s8: return static_cast<const int8_t*>(p)[i];
    case dtype::u8: return static_cast<const uint8_t*>(p)[i];
  }
  return 0;
}

// Unary ops on same-layout tensors: flat loops over numel.
class unary_kernel final : public node_kernel {
 public:
  unary_kernel(op_type op, dtype in_t, dtype out_t, int64_t n, float lo, float hi, bool plain)
      : op_(op), in_t_(in_t), out_t_(out_t), n_(n), lo_(lo), hi_(hi), plain_(plain) {}
  bool wants_plain() const override { return plain_; }
  void run(const std::vector<tview>& in, const std::vector<tview>& out) override {
    if (op_ == op_type::relu || op_ == op_type::clip) {
      const float* x = in[0].as<float>();
      float* y = out[0].as<float>();
      for (int64_t i = 0; i < n_; ++i) y[i] = std::min(std::max(x[i], lo_), hi_);
    } else if (op_ == op_type::identity || in_t_ == out_t_) {
      std::memcpy(out[0].data, in[0].data, size_t(n_) * dtype_size(out_t_));
    } else {
      cast(in[0].data, out[0].data);
    }
  }

 private:
  void cast(const void* x, void* y) const {
    for (int64_t i = 0; i < n_; ++i) {
      const double v = load_as_double(in_t_, x, i);
      switch (out_t_) {
        case dtype::f32: static_cast<float*>(y)[i] = float(v); break;
        case dtype::i64: static_cast<int64_t*>(y)[i] = saturate_cast<int64_t>(v); break;
        case dtype::i32: static_cast<int32_t*>(y)[i] = saturate_cast<int32_t>(v); break;
        case dtype::s8: static_cast<int8_t*>(y)[i] = saturate_cast<int8_t>(v); break;
        case dtype::u8: static_cast<uint8_t*>(y)[i] = saturate_cast<uint8_t>(v); break;
      }
    }
  }
  op_type op_;
  dtype in_t_, out_t_;
  int64_t n_;
  float lo_, hi_;
  bool plain_;
};

// y = x · scale[c] + shift[c] on channel dim 1.
class batch_norm_kernel final : public node_kernel {
 public:
  batch_norm_kernel(std::vector<float> scale, std::vector<float> shift, const tensor_desc& d)
      : scale_(std::move(scale)), shift_(std::move(shift)), desc_(d) {}
  void run(const std::vector<tview>& in, const std::vector<tview>& out) override {
    const float* x = in[0].as<float>();
    float* y = out[0].as<float>();
    const int64_t c = int64_t(scale_.size());
    if (desc_.layout == tensor_layout::nhwc) {  // channel innermost
      const int64_t pixels = desc_.numel() / std::max<int64_t>(c, 1);
      for (int64_t p = 0; p < pixels; ++p)
        for (int64_t k = 0; k < c; ++k) y[p * c + k] = x[p * c + k] * scale_[size_t(k)] + shift_[size_t(k)];
      return;
    }
    int64_t inner = 1;
    for (int i = 2; i < desc_.rank(); ++i) inner *= desc_.shape[size_t(i)];
    const int64_t outer = desc_.shape[0];
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t k = 0; k < c; ++k) {
        const int64_t base = (o * c + k) * inner;
        for (int64_t i = 0; i < inner; ++i)
          y[base + i] = x[base + i] * scale_[size_t(k)] + shift_[size_t(k)];
      }
  }

 private:
  std::vector<float> scale_, shift_;
  tensor_desc desc_;
};

void infer_batch_norm(graph& g, node& n) {
  check_arity(n, 5, 5);
  if (n.attr_int("training_mode", 0) != 0) fail_unsupported(n, "training_mode is not supported");
  const value& x = input(g, n, 0);
  if (x.desc.type != dtype::f32 || x.desc.rank() < 2) fail_invalid(n, "input must be f32, rank >= 2");
  for (size_t i = 1; i < 5; ++i) {
    const value& p = input(g, n, i);
    if (p.desc.type != dtype::f32 || p.desc.rank() != 1 || p.desc.shape[0] != x.desc.shape[1])
      fail_invalid(n, "parameter '" + p.name + "' must be f32 [" +
                          std::to_string(x.desc.shape[1]) + "]");
  }
  set_output(g, n, 0, dtype::f32, x.desc.shape);
}

dtype onnx_cast_type(const node& n) {
  const int64_t to = n.attr_int("to", -1);
  switch (to) {
    case 1: return dtype::f32;
    case 2: return dtype::u8;
    case 3: return dtype::s8;
    case 6: return dtype::i32;
    case 7: return dtype::i64;
    default: fail_unsupported(n, "cast to ONNX type " + std::to_string(to) + " is not supported");
  }
}

}  // namespace

void infer_elementwise(graph& g, node& n) {
  switch (n.op) {
    case op_type::batch_norm: return infer_batch_norm(g, n);
    case op_type::add:
    case op_type::sub:
    case op_type::mul:
    case op_type::div: {
      check_arity(n, 2, 2);
      const value& a = input(g, n, 0);
      const value& b = input(g, n, 1);
      if (is_qadd(n)) {  // quantized Add (qadd_params): same shapes, u8 / s8 operands
        if (!is_int8(a.desc.type) || !is_int8(b.desc.type) || a.desc.shape != b.desc.shape)
          fail_unsupported(n, "quantized Add needs u8 / s8 operands of the same shape");
        return set_output(g, n, 0, qadd_from_attrs(g, n).y_u8 ? dtype::u8 : dtype::s8,
                          a.desc.shape);
      }
      if (a.desc.type != b.desc.type || !is_arith(a.desc.type))
        fail_unsupported(n, std::string("operand types ") + dtype_name(a.desc.type) + " and " +
                                dtype_name(b.desc.type) + " are not supported");
      return set_output(g, n, 0, a.desc.type, broadcast_shapes(n, a.desc.shape, b.desc.shape));
    }
    case op_type::relu:
    case op_type::clip: {
      check_arity(n, 1, n.op == op_type::clip ? 3 : 1);
      const value& x = input(g, n, 0);
      if (x.desc.type != dtype::f32) fail_unsupported(n, "only f32 is supported");
      return set_output(g, n, 0, dtype::f32, x.desc.shape);
    }
    case op_type::cast: {
      check_arity(n, 1, 1);
      return set_output(g, n, 0, onnx_cast_type(n), input(g, n, 0).desc.shape);
    }
    default: {  // identity
      check_arity(n, 1, 1);
      const value& x = input(g, n, 0);
      return set_output(g, n, 0, x.desc.type, x.desc.shape);
    }
  }
}

std::unique_ptr<node_kernel> make_elementwise_kernel(const graph& g, const node& n) {
  const tensor_desc& od = output(g, n, 0).desc;
  if (is_qadd(n))
    return std::make_unique<qadd_kernel>(
        qadd_from_attrs(g, n), make_bcast_plan(od, &input(g, n, 0).desc, &input(g, n, 1).desc));
  if (n.op == op_type::add || n.op == op_type::sub || n.op == op_type::mul ||
      n.op == op_type::div) {
    const tensor_desc& a = input(g, n, 0).desc;
    const tensor_desc& b = input(g, n, 1).desc;
    return std::make_unique<binary_kernel>(n.op, od.type, make_bcast_plan(od, &a, &b));
  }
  if (n.op == op_type::batch_norm) {
    const float eps = n.attr_float("epsilon", 1e-5f);
    const float* sc = const_input(g, n, 1, "scale")->as<float>();
    const float* b = const_input(g, n, 2, "bias")->as<float>();
    const float* m = const_input(g, n, 3, "mean")->as<float>();
    const float* v = const_input(g, n, 4, "var")->as<float>();
    const size_t c = size_t(od.shape[1]);
    std::vector<float> scale(c), shift(c);
    for (size_t k = 0; k < c; ++k) {
      scale[k] = float(double(sc[k]) / std::sqrt(double(v[k]) + eps));
      shift[k] = float(double(b[k]) - double(m[k]) * scale[k]);
    }
    return std::make_unique<batch_norm_kernel>(std::move(scale), std::move(shift), od);
  }
  const tensor_desc& xd = input(g, n, 0).desc;
  float lo = -std::numeric_limits<float>::infinity(), hi = std::numeric_limits<float>::infinity();
  if (n.op == op_type::relu) lo = 0.f;
  if (n.op == op_type::clip) {
    lo = n.attr_float("min", const_scalar_f32(g, n, 1, "min", lo));
    hi = n.attr_float("max", const_scalar_f32(g, n, 2, "max", hi));
  }
  return std::make_unique<unary_kernel>(n.op, xd.type, od.type, od.numel(), lo, hi,
                                        xd.layout != od.layout);
}

}  // namespace sfc
