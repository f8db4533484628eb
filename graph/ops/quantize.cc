// QuantizeLinear / DequantizeLinear, per tensor (ONNX semantics, scalar scale and zero point):
//   QuantizeLinear:   y = saturate(round_half_even(x / scale) + zero_point)   f32 -> u8 / s8
//   DequantizeLinear: y = (x − zero_point) · scale                              u8 / s8 -> f32
// Elementwise and layout-agnostic (input and output share the layout). The int8 mode of the
// executor inserts them at the borders of the int8 region (graph/passes/quantize-graph.cc).
#include <algorithm>
#include <cmath>

#include "graph/ops/op-util.h"
#include "graph/ops/ops.h"

namespace sfc {
namespace {
using namespace ops;

qtype to_qtype(dtype t) { return t == dtype::u8 ? qtype::u8 : qtype::s8; }

struct quant_params {
  float scale = 1.f;
  int32_t zero_point = 0;
  dtype type = dtype::u8;  // the integer side
};

quant_params resolve_quant(const graph& g, const node& n) {
  check_arity(n, 2, 3);
  if (n.has_attr("axis") && input(g, n, 1).desc.numel() != 1)
    fail_unsupported(n, "only per-tensor quantization is supported");
  const tensor* s = const_input(g, n, 1, "scale");
  if (s->desc().type != dtype::f32 || s->numel() != 1)
    fail_unsupported(n, "scale must be one f32 value");
  quant_params q;
  q.scale = s->as<float>()[0];
  if (!(q.scale > 0.f) || !std::isfinite(q.scale)) fail_invalid(n, "scale must be positive");
  const tensor* zp = const_input(g, n, 2, "zero_point", true);
  if (zp) {
    if ((zp->desc().type != dtype::u8 && zp->desc().type != dtype::s8) || zp->numel() != 1)
      fail_unsupported(n, "zero_point must be one u8 or s8 value");
    q.type = zp->desc().type;
    q.zero_point =
        q.type == dtype::u8 ? int32_t(zp->as<uint8_t>()[0]) : int32_t(zp->as<int8_t>()[0]);
  }
  return q;
}

class quantize_kernel final : public node_kernel {
 public:
  quantize_kernel(const quant_params& q, int64_t count, int threads)
      : q_(q), count_(count), threads_(threads) {}
  void run(const std::vector<tview>& in, const std::vector<tview>& out) override {
    const float* x = in[0].as<float>();
    const qtype t = to_qtype(q_.type);
    const int32_t lo = qtype_min(t), hi = qtype_max(t);
    if (q_.type == dtype::u8) {
      uint8_t* y = out[0].as<uint8_t>();
#pragma omp parallel for num_threads(threads_) schedule(static)
      for (int64_t i = 0; i < count_; ++i)
        y[i] = uint8_t(quantize_round_sat(x[i] / q_.scale, q_.zero_point, lo, hi));
    } else {
      int8_t* y = out[0].as<int8_t>();
#pragma omp parallel for num_threads(threads_) schedule(static)
      for (int64_t i = 0; i < count_; ++i)
        y[i] = int8_t(quantize_round_sat(x[i] / q_.scale, q_.zero_point, lo, hi));
    }
  }
  std::string impl_name() const override { return "quantize"; }

 private:
  quant_params q_;
  int64_t count_;
  int threads_;
};

class dequantize_kernel final : public node_kernel {
 public:
  dequantize_kernel(const quant_params& q, int64_t count) : q_(q), count_(count) {}
  void run(const std::vector<tview>& in, const std::vector<tview>& out) override {
    float* y = out[0].as<float>();
    if (q_.type == dtype::u8) {
      const uint8_t* x = in[0].as<uint8_t>();
      for (int64_t i = 0; i < count_; ++i) y[i] = float(int32_t(x[i]) - q_.zero_point) * q_.scale;
    } else {
      const int8_t* x = in[0].as<int8_t>();
      for (int64_t i = 0; i < count_; ++i) y[i] = float(int32_t(x[i]) - q_.zero_point) * q_.scale;
    }
  }
  std::string impl_name() const override { return "dequantize"; }

 private:
  quant_params q_;
  int64_t count_;
};

}  // namespace

void infer_quant(graph& g, node& n) {
  const quant_params q = resolve_quant(g, n);
  const value& x = input(g, n, 0);
  if (n.op == op_type::quantize_linear) {
    if (x.desc.type != dtype::f32) fail_unsupported(n, "input must be f32");
    return set_output(g, n, 0, q.type, x.desc.shape);
  }
  if (x.desc.type != q.type) fail_invalid(n, "input type does not match the zero point's type");
  set_output(g, n, 0, dtype::f32, x.desc.shape);
}

std::unique_ptr<node_kernel> make_quant_kernel(const graph& g, const node& n, int threads) {
  const quant_params q = resolve_quant(g, n);
  const tensor_desc& x = input(g, n, 0).desc;
  if (x.layout != output(g, n, 0).desc.layout)
    fail_unsupported(n, "layouts of input and output differ");
  if (n.op == op_type::quantize_linear)
    return std::make_unique<quantize_kernel>(q, x.numel(), std::max(threads, 1));
  return std::make_unique<dequantize_kernel>(q, x.numel());
}

}  // namespace sfc
