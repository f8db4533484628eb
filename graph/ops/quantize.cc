// QuantizeLinear / DequantizeLinear, per tensor (ONNX semantics, scalar scale and zero point):
//   QuantizeLinear:   y = saturate(round_half_even(x / scale) + zero_point)   f32 -> u8 / s8
//   DequantizeLinear: y = (x − zero_point) · scale                              u8 / s8 -> f32
// Elementwise and layout-agnostic (input and output share the layout), except that a plain 4-D
// input may be quantized straight into an NHWC output (one pass). The int8 mode of the executor
// inserts them at the borders of the int8 region (graph/passes/quantize-graph.cc). Loops:
// kernels/elementwise (ISA-dispatched, bit-identical to quantize_round_sat).
#include <algorithm>
#include <cmath>

#include "graph/ops/op-util.h"
#include "graph/ops/ops.h"
#include "kernels/elementwise/elementwise.h"

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

// Chunks of kChunk elements per OpenMP task: the result does not depend on the thread count.
constexpr int64_t kChunk = 16384;

// y = quantize(x), flat over numel (same layout), or one pass from a plain NCHW input to an NHWC
// output (transpose fused into the quantization, per image).
class quantize_kernel final : public node_kernel {
 public:
  quantize_kernel(const quant_params& q, const tensor_desc& x, bool to_nhwc, int threads)
      : q_(q), count_(x.numel()), to_nhwc_(to_nhwc), threads_(threads),
        k_(elementwise_kernels_default()) {
    if (to_nhwc_) n_ = x.shape[0], c_ = x.shape[1], hw_ = x.shape[2] * x.shape[3];
  }
  void run(const std::vector<tview>& in, const std::vector<tview>& out) override {
    const float* x = in[0].as<float>();
    uint8_t* y = out[0].as<uint8_t>();  // s8 values are stored as their two's complement bytes
    const qtype t = to_qtype(q_.type);
    const float lo = float(qtype_min(t) - q_.zero_point), hi = float(qtype_max(t) - q_.zero_point);
    const float scale = q_.scale;
    const int32_t zp = q_.zero_point;
    const elementwise_kernels& k = k_;
    if (to_nhwc_) {
      const int64_t img = c_ * hw_, n = n_;
#pragma omp parallel for num_threads(threads_) schedule(static)
      for (int64_t i = 0; i < n; ++i)
        k.quantize_transpose(x + i * img, y + i * img, size_t(hw_), size_t(c_), scale, lo, hi, zp);
      return;
    }
    const int64_t count = count_, chunks = (count + kChunk - 1) / kChunk;
#pragma omp parallel for num_threads(threads_) schedule(static) if (chunks > 1)
    for (int64_t i = 0; i < chunks; ++i)
      k.quantize(x + i * kChunk, y + i * kChunk, size_t(std::min(kChunk, count - i * kChunk)),
                 scale, lo, hi, zp);
  }
  std::string impl_name() const override {
    return to_nhwc_ ? "quantize+nchw-to-nhwc" : "quantize";  // names the tests and tools know
  }

 private:
  quant_params q_;
  int64_t count_;
  bool to_nhwc_;
  int threads_;
  const elementwise_kernels& k_;
  int64_t n_ = 1, c_ = 1, hw_ = 1;
};

class dequantize_kernel final : public node_kernel {
 public:
  dequantize_kernel(const quant_params& q, int64_t count, int threads)
      : q_(q), count_(count), threads_(threads), k_(elementwise_kernels_default()) {}
  void run(const std::vector<tview>& in, const std::vector<tview>& out) override {
    float* y = out[0].as<float>();
    const float scale = q_.scale;
    const int32_t zp = q_.zero_point;
    const bool u8 = q_.type == dtype::u8;
    const elementwise_kernels& k = k_;
    const int64_t count = count_, chunks = (count + kChunk - 1) / kChunk;
#pragma omp parallel for num_threads(threads_) schedule(static) if (chunks > 1)
    for (int64_t i = 0; i < chunks; ++i) {
      const size_t len = size_t(std::min(kChunk, count - i * kChunk));
      if (u8)
        k.dequantize_u8(in[0].as<uint8_t>() + i * kChunk, y + i * kChunk, len, scale, zp);
      else
        k.dequantize_s8(in[0].as<int8_t>() + i * kChunk, y + i * kChunk, len, scale, zp);
    }
  }
  std::string impl_name() const override { return "dequantize"; }

 private:
  quant_params q_;
  int64_t count_;
  int threads_;
  const elementwise_kernels& k_;
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
  const tensor_layout yl = output(g, n, 0).desc.layout;
  // A plain 4-D f32 input quantized into an NHWC output: transpose in the same pass.
  const bool to_nhwc = n.op == op_type::quantize_linear && x.rank() == 4 &&
                       x.layout == tensor_layout::plain && yl == tensor_layout::nhwc;
  if (x.layout != yl && !to_nhwc) fail_unsupported(n, "layouts of input and output differ");
  if (n.op == op_type::quantize_linear)
    return std::make_unique<quantize_kernel>(q, x, to_nhwc, std::max(threads, 1));
  return std::make_unique<dequantize_kernel>(q, x.numel(), std::max(threads, 1));
}

}  // namespace sfc
