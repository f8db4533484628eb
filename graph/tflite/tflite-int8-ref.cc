// Reference interpreter: validation (TFLite's Prepare checks that matter for these kernels) and
// dispatch. The kernels are in tflite-int8-ops.cc.
#include "graph/tflite/tflite-int8-ref.h"

#include <cstring>

#include "graph/tflite/tflite-int8-ops.h"
#include "kernels/common/error.h"

namespace sfc::tflite {
namespace {

// Limits that keep corrupt models from asking for absurd work or memory.
constexpr int32_t kMaxWindow = 1 << 16;
constexpr size_t kMaxTensorBytes = size_t(1) << 28;

bool quantized(tensor_type t) { return t == tensor_type::int8 || t == tensor_type::uint8; }

std::string shape_string(const std::vector<int32_t>& s) {
  std::string r = "[";
  for (size_t i = 0; i < s.size(); ++i) r += (i ? ", " : "") + std::to_string(s[i]);
  return r + "]";
}

struct checker {
  const model& m;
  const op& o;
  std::string ctx;

  [[noreturn]] void invalid(const std::string& what) const {
    throw error(error::invalid_model, m.name + ": " + ctx + ": " + what);
  }
  [[noreturn]] void unsupported(const std::string& what) const {
    throw error(error::unsupported, m.name + ": " + ctx + ": " + what);
  }
  const tensor& in(size_t k) const { return m.tensors[size_t(o.inputs[k])]; }
  const tensor& out() const { return m.tensors[size_t(o.outputs[0])]; }
  bool has(size_t k) const { return k < o.inputs.size() && o.inputs[k] >= 0; }

  // An int8 / uint8 activation with one (scale, zero point) pair.
  void activation(const tensor& t, const char* what) const {
    if (!quantized(t.type))
      unsupported(std::string(what) + " tensor " + std::to_string(t.index) + " has type " + tensor_type_name(t.type) +
                  " (only int8 / uint8 activations)");
    if (t.quant.scale.size() != 1 || !(t.quant.scale[0] > 0))
      invalid(std::string(what) + " tensor " + std::to_string(t.index) + " needs one positive quantization scale");
    const int64_t zp = t.quant.zero_point[0];
    if (zp < (t.type == tensor_type::int8 ? -128 : 0) || zp > (t.type == tensor_type::int8 ? 127 : 255))
      invalid(std::string(what) + " tensor " + std::to_string(t.index) + " zero point " + std::to_string(zp) + " out of range");
  }
  void rank(const tensor& t, size_t r, const char* what) const {
    if (t.shape.size() != r)
      invalid(std::string(what) + " tensor " + std::to_string(t.index) + " has shape " + shape_string(t.shape) +
              ", expected rank " + std::to_string(r));
  }
  void expect_shape(const tensor& t, const std::vector<int32_t>& s) const {
    if (t.shape != s)
      invalid("output tensor " + std::to_string(t.index) + " has shape " + shape_string(t.shape) + ", expected " +
              shape_string(s));
  }
  void same_type(const tensor& a, const tensor& b) const {
    if (a.type != b.type)
      unsupported(std::string("mixed types ") + tensor_type_name(a.type) + " / " + tensor_type_name(b.type));
  }
  // Weights: constant, the activations' type, per tensor or per channel along `axis`;
  // per-channel zero points must be 0 (TFLite's rule); bias int32 [channels].
  void weights(const tensor& w, int axis, int channels) const {
    if (!w.is_constant()) unsupported("non-constant weights (tensor " + std::to_string(w.index) + ")");
    same_type(in(0), w);
    const size_t ns = w.quant.scale.size();
    if (ns != 1 && !(ns == size_t(channels) && w.quant.quantized_dimension == axis))
      invalid("weights tensor " + std::to_string(w.index) + " has " + std::to_string(ns) +
              " scales, expected 1 or one per output channel");
    for (float s : w.quant.scale)
      if (!(s > 0)) invalid("weights tensor " + std::to_string(w.index) + " has a non-positive scale");
    if (ns > 1)
      for (int64_t z : w.quant.zero_point)
        if (z != 0) unsupported("per-channel weights with a non-zero zero point");
    if (has(2)) {
      const tensor& b = in(2);
      if (!b.is_constant() || b.type != tensor_type::int32 || b.numel() != channels)
        invalid("bias tensor " + std::to_string(b.index) + " must be constant int32 with " +
                std::to_string(channels) + " elements");
    }
  }

  void conv(bool depthwise) const {
    const tensor &x = in(0), &w = in(1), &y = out();
    activation(x, "input");
    activation(y, "output");
    same_type(x, y);
    rank(x, 4, "input");
    rank(w, 4, "weights");
    const auto& p = o.opt;
    const int C = x.shape[3], KH = w.shape[1], KW = w.shape[2];
    const int O = depthwise ? w.shape[3] : w.shape[0];
    if (depthwise ? (w.shape[0] != 1 || C == 0 || O % C != 0) : w.shape[3] != C)
      invalid("weights shape " + shape_string(w.shape) + " does not match input shape " + shape_string(x.shape));
    weights(w, depthwise ? 3 : 0, O);
    const int OH = ref::conv_output_size(p.pad, x.shape[1], KH, p.dilation_h, p.stride_h);
    const int OW = ref::conv_output_size(p.pad, x.shape[2], KW, p.dilation_w, p.stride_w);
    expect_shape(y, {x.shape[0], OH, OW, O});
  }

  void fully_connected() const {
    const tensor &x = in(0), &w = in(1), &y = out();
    activation(x, "input");
    activation(y, "output");
    same_type(x, y);
    rank(w, 2, "weights");
    const int O = w.shape[0], K = w.shape[1];
    if (K == 0 || x.numel() % K != 0)
      invalid("input shape " + shape_string(x.shape) + " does not match weights shape " + shape_string(w.shape));
    weights(w, 0, O);
    if (y.numel() != x.numel() / K * O || y.shape.empty() || y.shape.back() != O)
      invalid("output shape " + shape_string(y.shape) + " does not match [" + std::to_string(x.numel() / K) + ", " +
              std::to_string(O) + "]");
  }

  void pool() const {
    const tensor &x = in(0), &y = out();
    activation(x, "input");
    activation(y, "output");
    same_type(x, y);
    rank(x, 4, "input");
    if (x.quant.scale[0] != y.quant.scale[0] || x.quant.zero_point[0] != y.quant.zero_point[0])
      unsupported("pooling with different input and output quantization");
    const auto& p = o.opt;
    expect_shape(y, {x.shape[0], ref::conv_output_size(p.pad, x.shape[1], p.filter_h, 1, p.stride_h),
                     ref::conv_output_size(p.pad, x.shape[2], p.filter_w, 1, p.stride_w), x.shape[3]});
  }

  void mean() const {
    const tensor &x = in(0), &axes = in(1), &y = out();
    activation(x, "input");
    activation(y, "output");
    same_type(x, y);
    rank(x, 4, "input");
    if (!axes.is_constant() || axes.type != tensor_type::int32) unsupported("MEAN axes must be a constant int32 tensor");
    std::vector<int32_t> a(size_t(axes.numel()));
    std::memcpy(a.data(), axes.data.data(), a.size() * 4);
    for (int32_t& v : a) v = v < 0 ? v + 4 : v;
    if (!(a == std::vector<int32_t>{1, 2} || a == std::vector<int32_t>{2, 1}))
      unsupported("MEAN over axes other than {1, 2} (H, W)");
    if (o.opt.keep_dims)
      expect_shape(y, {x.shape[0], 1, 1, x.shape[3]});
    else
      expect_shape(y, {x.shape[0], x.shape[3]});
  }

  void pad() const {
    const tensor &x = in(0), &pads = in(1), &y = out();
    activation(x, "input");
    activation(y, "output");
    same_type(x, y);
    const size_t r = x.shape.size();
    if (r < 1 || r > 4) unsupported("PAD of rank " + std::to_string(r));
    if (!pads.is_constant() || (pads.type != tensor_type::int32 && pads.type != tensor_type::int64) ||
        pads.shape != std::vector<int32_t>{int32_t(r), 2})
      invalid("paddings tensor " + std::to_string(pads.index) + " must be constant int32/int64 [rank, 2]");
    std::vector<int32_t> s = x.shape;
    for (size_t d = 0; d < r; ++d) {
      int64_t before, after;
      if (pads.type == tensor_type::int32) {
        int32_t v[2];
        std::memcpy(v, pads.data.data() + 8 * d, 8);
        before = v[0], after = v[1];
      } else {
        int64_t v[2];
        std::memcpy(v, pads.data.data() + 16 * d, 16);
        before = v[0], after = v[1];
      }
      if (before < 0 || after < 0 || before + after > (1 << 24)) invalid("bad padding amounts");
      s[d] = int32_t(s[d] + before + after);
    }
    expect_shape(y, s);
  }

  void check() const {
    const auto& p = o.opt;
    for (int32_t v : {p.stride_w, p.stride_h, p.dilation_w, p.dilation_h, p.filter_w, p.filter_h})
      if (v > kMaxWindow) unsupported("stride, dilation or filter size " + std::to_string(v) + " above " + std::to_string(kMaxWindow));
    switch (o.code) {
      case tfl_op::conv_2d: conv(false); break;
      case tfl_op::depthwise_conv_2d: conv(true); break;
      case tfl_op::fully_connected: fully_connected(); break;
      case tfl_op::add:
        activation(in(0), "input");
        activation(in(1), "input");
        activation(out(), "output");
        same_type(in(0), out());
        same_type(in(1), out());
        if (in(0).shape != in(1).shape) unsupported("ADD with broadcasting");
        expect_shape(out(), in(0).shape);
        break;
      case tfl_op::average_pool_2d:
      case tfl_op::max_pool_2d: pool(); break;
      case tfl_op::mean: mean(); break;
      case tfl_op::reshape:
        same_type(in(0), out());
        if (in(0).numel() != out().numel())
          invalid("reshape from " + shape_string(in(0).shape) + " to " + shape_string(out().shape));
        break;
      case tfl_op::softmax:
        activation(in(0), "input");
        activation(out(), "output");
        if (in(0).shape.empty()) invalid("softmax of a scalar");
        expect_shape(out(), in(0).shape);
        break;
      case tfl_op::pad: pad(); break;
      case tfl_op::quantize:
        if (in(0).type != tensor_type::float32) activation(in(0), "input");
        activation(out(), "output");
        expect_shape(out(), in(0).shape);
        break;
      case tfl_op::dequantize:
        activation(in(0), "input");
        if (out().type != tensor_type::float32) unsupported("DEQUANTIZE to a type other than float32");
        expect_shape(out(), in(0).shape);
        break;
    }
  }
};

}  // namespace

ref_interpreter::ref_interpreter(model m, ref_options opt) : m_(std::move(m)), opt_(opt) {
  values_.resize(m_.tensors.size());
  std::vector<bool> ready(m_.tensors.size(), false);
  for (const tensor& t : m_.tensors) {
    if (size_t(t.numel()) * tensor_type_size(t.type) > kMaxTensorBytes)
      throw error(error::unsupported, m_.name + ": tensor " + std::to_string(t.index) + " " + shape_string(t.shape) +
                                          " is too large for the reference interpreter");
    ready[size_t(t.index)] = t.is_constant();
    values_[size_t(t.index)] = t.is_constant() ? t.data : std::vector<uint8_t>(size_t(t.numel()) * tensor_type_size(t.type));
  }
  for (int32_t i : m_.inputs) ready[size_t(i)] = true;
  for (const op& o : m_.ops) {
    const std::string ctx = "operator " + std::to_string(o.index) + " (" + tfl_op_name(o.code) + ")";
    for (int32_t i : o.inputs)
      if (i >= 0 && !ready[size_t(i)])
        throw error(error::invalid_model, m_.name + ": " + ctx + ": reads tensor " + std::to_string(i) + " before it is written");
    if (m_.tensors[size_t(o.outputs[0])].is_constant())
      throw error(error::invalid_model, m_.name + ": " + ctx + ": writes constant tensor " + std::to_string(o.outputs[0]));
    checker{m_, o, ctx}.check();
    ready[size_t(o.outputs[0])] = true;
  }
  for (int32_t i : m_.outputs)
    if (!ready[size_t(i)]) throw error(error::invalid_model, m_.name + ": output tensor " + std::to_string(i) + " is never written");
}

void ref_interpreter::set_input(int i, const void* data, size_t bytes) {
  if (i < 0 || size_t(i) >= m_.inputs.size()) throw error(error::invalid_argument, "input index " + std::to_string(i) + " out of range");
  std::vector<uint8_t>& v = values_[size_t(m_.inputs[size_t(i)])];
  if (bytes != v.size())
    throw error(error::invalid_argument, "input " + std::to_string(i) + " needs " + std::to_string(v.size()) + " bytes, got " + std::to_string(bytes));
  std::memcpy(v.data(), data, bytes);
}

void ref_interpreter::run() {
  for (const op& o : m_.ops) execute(o);
}

const std::vector<uint8_t>& ref_interpreter::tensor_data(int t) const {
  if (t < 0 || size_t(t) >= values_.size()) throw error(error::invalid_argument, "tensor index " + std::to_string(t) + " out of range");
  return values_[size_t(t)];
}

const std::vector<uint8_t>& ref_interpreter::output(int i) const {
  if (i < 0 || size_t(i) >= m_.outputs.size()) throw error(error::invalid_argument, "output index " + std::to_string(i) + " out of range");
  return values_[size_t(m_.outputs[size_t(i)])];
}

void ref_interpreter::execute(const op& o) {
  auto in = [&](size_t k) {
    if (k >= o.inputs.size() || o.inputs[k] < 0) return ref::in_t{};
    const size_t t = size_t(o.inputs[k]);
    return ref::in_t{&m_.tensors[t], values_[t].data()};
  };
  const size_t yi = size_t(o.outputs[0]);
  const ref::out_t y{&m_.tensors[yi], values_[yi].data()};
  switch (o.code) {
    case tfl_op::conv_2d: ref::conv2d(o, in(0), in(1), in(2), y, opt_.conv); break;
    case tfl_op::depthwise_conv_2d: ref::depthwise_conv2d(o, in(0), in(1), in(2), y, opt_.conv); break;
    case tfl_op::fully_connected: ref::fully_connected(o, in(0), in(1), in(2), y, opt_.conv); break;
    case tfl_op::add: ref::add(o, in(0), in(1), y, opt_.add); break;
    case tfl_op::average_pool_2d: ref::average_pool(o, in(0), y); break;
    case tfl_op::max_pool_2d: ref::max_pool(o, in(0), y); break;
    case tfl_op::mean: ref::mean_hw(in(0), y); break;
    case tfl_op::reshape: std::memcpy(y.data, in(0).data, values_[yi].size()); break;
    case tfl_op::softmax: ref::softmax(o, in(0), y); break;
    case tfl_op::pad: ref::pad(in(0), in(1), y); break;
    case tfl_op::quantize: ref::quantize(in(0), y); break;
    case tfl_op::dequantize: ref::dequantize(in(0), y); break;
  }
}

}  // namespace sfc::tflite
