// .tflite -> sfc::tflite::model. Field ids are those of the public schema
// (tensorflow/lite/schema/schema.fbs, schema version 3), written out below per table.
#include "graph/tflite/tflite-reader.h"

#include <cmath>
#include <fstream>
#include <iterator>

#include "graph/tflite/flatbuffer.h"
#include "kernels/common/error.h"

namespace sfc::tflite {
namespace {

// Field ids (the order of the fields in each schema.fbs table).
namespace model_f { enum { version = 0, operator_codes = 1, subgraphs = 2, description = 3, buffers = 4 }; }
namespace opcode_f { enum { deprecated_builtin_code = 0, custom_code = 1, version = 2, builtin_code = 3 }; }
namespace subgraph_f { enum { tensors = 0, inputs = 1, outputs = 2, operators = 3 }; }
namespace tensor_f { enum { shape = 0, type = 1, buffer = 2, name = 3, quantization = 4, sparsity = 6 }; }
namespace quant_f { enum { min = 0, max = 1, scale = 2, zero_point = 3, details_type = 4, quantized_dimension = 6 }; }
namespace buffer_f { enum { data = 0, offset = 1, size = 2 }; }
namespace operator_f { enum { opcode_index = 0, inputs = 1, outputs = 2, options_type = 3, options = 4 }; }
// Options tables (the windowed ones are in window_fields below).
namespace fc_f { enum { act = 0, weights_format = 1, keep_num_dims = 2 }; }
namespace softmax_f { enum { beta = 0 }; }
namespace add_f { enum { act = 0 }; }
namespace reshape_f { enum { new_shape = 0 }; }
namespace reducer_f { enum { keep_dims = 0 }; }

// BuiltinOptions union type ids.
enum options_type : uint8_t {
  opt_none = 0, opt_conv = 1, opt_dwconv = 2, opt_pool = 5, opt_fc = 8, opt_softmax = 9, opt_add = 11,
  opt_reshape = 17, opt_pad = 22, opt_reducer = 27,
};

// Field ids of Conv2DOptions, DepthwiseConv2DOptions and Pool2DOptions (-1: not in that table).
struct window_fields {
  uint8_t type;
  int padding, stride_w, stride_h, dilation_w, dilation_h, filter_w, filter_h, depth_multiplier, act;
};
constexpr window_fields kConvFields{opt_conv, 0, 1, 2, 4, 5, -1, -1, -1, 3};
constexpr window_fields kDepthwiseFields{opt_dwconv, 0, 1, 2, 5, 6, -1, -1, 3, 4};
constexpr window_fields kPoolFields{opt_pool, 0, 1, 2, -1, -1, 3, 4, -1, 5};

constexpr int32_t kCustomCode = 32;

std::string op_ctx(int i) { return "operator " + std::to_string(i); }
std::string tensor_ctx(int i) { return "tensor " + std::to_string(i); }

// A few common builtin names, so that an unsupported op is named in the message.
std::string builtin_name(int32_t code) {
  switch (code) {
    case 2: return "CONCATENATION";
    case 14: return "LOGISTIC";
    case 18: return "MUL";
    case 19: return "RELU";
    case 21: return "RELU6";
    case 23: return "RESIZE_BILINEAR";
    case 28: return "TANH";
    case 32: return "CUSTOM";
    case 39: return "TRANSPOSE";
    case 41: return "SUB";
    case 43: return "SQUEEZE";
    case 49: return "SPLIT";
    case 53: return "CAST";
    case 60: return "PADV2";
    case 74: return "SUM";
    case 97: return "HARD_SWISH";
    default: return "code " + std::to_string(code);
  }
}

bool supported_code(int32_t c) {
  switch (tfl_op(c)) {
    case tfl_op::add: case tfl_op::average_pool_2d: case tfl_op::conv_2d: case tfl_op::depthwise_conv_2d:
    case tfl_op::dequantize: case tfl_op::fully_connected: case tfl_op::max_pool_2d: case tfl_op::reshape:
    case tfl_op::softmax: case tfl_op::pad: case tfl_op::mean: case tfl_op::quantize:
      return true;
  }
  return false;
}

struct reader {
  fb::buffer buf;
  model m;
  std::vector<int32_t> codes;     // effective builtin code per operator_codes entry
  std::vector<int32_t> versions;  // operator version per operator_codes entry
  fb::table buffers_owner;     // the model table (holds the buffers vector)
  fb::vec buffers;

  [[noreturn]] void fail(const std::string& ctx, const std::string& what) { buf.fail(ctx, what); }
  [[noreturn]] void unsupported(const std::string& ctx, const std::string& what) {
    throw error(error::unsupported, buf.name + ": " + ctx + ": " + what);
  }

  void read_opcodes(const fb::table& root) {
    const fb::vec v = root.vector(model_f::operator_codes, 4, "operator_codes");
    for (uint32_t i = 0; i < v.count; ++i) {
      const fb::table t = root.element(v, i, "operator code " + std::to_string(i));
      // Since schema 3a the code is an int32 `builtin_code`; old files only fill the int8
      // `deprecated_builtin_code` (capped at 127 = PLACEHOLDER_FOR_GREATER_OP_CODES). TFLite
      // takes the larger of the two.
      const int32_t dep = t.scalar<int8_t>(opcode_f::deprecated_builtin_code, 0, "deprecated_builtin_code");
      const int32_t code = t.scalar<int32_t>(opcode_f::builtin_code, 0, "builtin_code");
      codes.push_back(std::max(dep, code));
      versions.push_back(t.scalar<int32_t>(opcode_f::version, 1, "version"));
    }
  }

  std::vector<uint8_t> buffer_data(uint32_t index, const std::string& ctx) {
    if (index >= buffers.count)
      fail(ctx, "buffer index " + std::to_string(index) + " out of range (" + std::to_string(buffers.count) + " buffers)");
    const fb::table b = buffers_owner.element(buffers, index, "buffer " + std::to_string(index));
    std::vector<uint8_t> data = b.bytes(buffer_f::data, "data");
    const uint64_t off = b.scalar<uint64_t>(buffer_f::offset, 0, "offset");
    const uint64_t size = b.scalar<uint64_t>(buffer_f::size, 0, "size");
    if (off > 1) {  // data stored after the FlatBuffer (models over 2 GiB); 1 = "not set"
      if (!data.empty()) fail(ctx, "buffer " + std::to_string(index) + " has both inline data and an offset");
      buf.check(off, size, ctx, "external buffer data");
      data.assign(buf.data + off, buf.data + off + size);
    }
    return data;
  }

  quantization read_quant(const fb::table& t, const tensor& x, const std::string& ctx) {
    quantization q;
    const fb::table qt = t.child(tensor_f::quantization, "quantization", ctx + " quantization");
    if (!qt.valid()) return q;
    if (qt.scalar<uint8_t>(quant_f::details_type, 0, "details_type") != 0)
      unsupported(ctx, "custom quantization details");
    q.scale = qt.floats(quant_f::scale, "scale");
    q.zero_point = qt.longs(quant_f::zero_point, "zero_point");
    q.quantized_dimension = qt.scalar<int32_t>(quant_f::quantized_dimension, 0, "quantized_dimension");
    if (q.scale.empty() && q.zero_point.empty()) return q;  // min/max only: not quantized
    if (q.zero_point.size() != q.scale.size())
      fail(ctx, "quantization has " + std::to_string(q.scale.size()) + " scales but " +
                    std::to_string(q.zero_point.size()) + " zero points");
    for (float s : q.scale)
      if (!std::isfinite(s) || s < 0) fail(ctx, "quantization scale " + std::to_string(s) + " is not a finite non-negative number");
    if (q.scale.size() > 1) {
      const int d = q.quantized_dimension;
      if (d < 0 || d >= int(x.shape.size()) || x.shape[size_t(d)] != int64_t(q.scale.size()))
        fail(ctx, "per-channel quantization with " + std::to_string(q.scale.size()) +
                      " scales does not match quantized_dimension " + std::to_string(d) + " of the shape");
    }
    return q;
  }

  tensor read_tensor(const fb::table& t, int index) {
    const std::string ctx = tensor_ctx(index);
    tensor x;
    x.index = index;
    x.name = t.string(tensor_f::name, "name");
    const int8_t type = t.scalar<int8_t>(tensor_f::type, 0, "type");
    switch (tensor_type(type)) {
      case tensor_type::float32: case tensor_type::int32: case tensor_type::uint8:
      case tensor_type::int64: case tensor_type::int8:
        x.type = tensor_type(type);
        break;
      default: unsupported(ctx + " ('" + x.name + "')", "tensor type " + std::to_string(type));
    }
    x.shape = t.ints(tensor_f::shape, "shape");
    if (x.shape.size() > 8) fail(ctx, "rank " + std::to_string(x.shape.size()) + " is too large");
    int64_t n = 1;
    for (int32_t d : x.shape) {
      if (d < 0) fail(ctx, "negative dimension " + std::to_string(d));
      n *= d;
      if (n > (int64_t(1) << 32)) fail(ctx, "too many elements");
    }
    if (t.has(tensor_f::sparsity)) unsupported(ctx, "sparse tensors");
    x.quant = read_quant(t, x, ctx);
    x.data = buffer_data(t.scalar<uint32_t>(tensor_f::buffer, 0, "buffer"), ctx);
    if (!x.data.empty() && x.data.size() != size_t(n) * tensor_type_size(x.type))
      fail(ctx, "constant data has " + std::to_string(x.data.size()) + " bytes, shape and type need " +
                    std::to_string(size_t(n) * tensor_type_size(x.type)));
    return x;
  }

  int32_t check_index(int32_t i, bool optional, const std::string& ctx, const char* what) {
    if ((optional && i == -1) || (i >= 0 && size_t(i) < m.tensors.size())) return i;
    fail(ctx, std::string(what) + " tensor index " + std::to_string(i) + " out of range (" +
                  std::to_string(m.tensors.size()) + " tensors)");
  }

  fb::table options(const fb::table& t, uint8_t want, const std::string& ctx) {
    const uint8_t type = t.scalar<uint8_t>(operator_f::options_type, 0, "builtin_options_type");
    const fb::table o = t.child(operator_f::options, "builtin_options", ctx + " options");
    if (!o.valid()) return o;
    if (type != want)
      fail(ctx, "builtin_options type " + std::to_string(type) + ", expected " + std::to_string(want));
    return o;
  }

  activation read_act(const fb::table& o, int field, const std::string& ctx) {
    const int8_t a = o.scalar<int8_t>(field, 0, "fused_activation_function");
    if (a < 0 || a > 3) unsupported(ctx, "fused activation " + std::to_string(a));
    return activation(a);
  }

  padding read_pad(const fb::table& o, int field, const std::string& ctx) {
    const int8_t p = o.scalar<int8_t>(field, 0, "padding");
    if (p != 0 && p != 1) fail(ctx, "bad padding " + std::to_string(p));
    return padding(p);
  }

  // CONV_2D, DEPTHWISE_CONV_2D and the poolings: padding, strides, dilations / filter size.
  void read_window_options(const fb::table& t, const window_fields& f, op_options& p, const std::string& ctx) {
    const fb::table x = options(t, f.type, ctx);
    auto positive = [&](int field, int32_t def, const char* what) {
      if (field < 0) return def;
      const int32_t v = x.scalar<int32_t>(field, def, what);
      if (v < 1) fail(ctx, std::string(what) + " " + std::to_string(v) + " must be at least 1");
      return v;
    };
    p.pad = read_pad(x, f.padding, ctx);
    p.stride_w = positive(f.stride_w, 0, "stride_w");
    p.stride_h = positive(f.stride_h, 0, "stride_h");
    p.dilation_w = positive(f.dilation_w, 1, "dilation_w_factor");
    p.dilation_h = positive(f.dilation_h, 1, "dilation_h_factor");
    p.filter_w = positive(f.filter_w, 0, "filter_width");
    p.filter_h = positive(f.filter_h, 0, "filter_height");
    if (f.depth_multiplier >= 0) p.depth_multiplier = x.scalar<int32_t>(f.depth_multiplier, 0, "depth_multiplier");
    p.act = read_act(x, f.act, ctx);
  }

  void read_options(const fb::table& t, op& o, const std::string& ctx) {
    op_options& p = o.opt;
    switch (o.code) {
      case tfl_op::conv_2d: read_window_options(t, kConvFields, p, ctx); break;
      case tfl_op::depthwise_conv_2d: read_window_options(t, kDepthwiseFields, p, ctx); break;
      case tfl_op::average_pool_2d:
      case tfl_op::max_pool_2d: read_window_options(t, kPoolFields, p, ctx); break;
      case tfl_op::fully_connected: {
        const fb::table x = options(t, opt_fc, ctx);
        p.act = read_act(x, fc_f::act, ctx);
        if (x.valid() && x.scalar<int8_t>(fc_f::weights_format, 0, "weights_format") != 0)
          unsupported(ctx, "shuffled FULLY_CONNECTED weights");
        p.keep_num_dims = x.valid() && x.scalar<uint8_t>(fc_f::keep_num_dims, 0, "keep_num_dims") != 0;
        break;
      }
      case tfl_op::softmax: {
        const fb::table x = options(t, opt_softmax, ctx);
        p.beta = x.valid() ? x.scalar<float>(softmax_f::beta, 0.0f, "beta") : 0.0f;
        break;
      }
      case tfl_op::add: p.act = read_act(options(t, opt_add, ctx), add_f::act, ctx); break;
      case tfl_op::reshape: {
        const fb::table x = options(t, opt_reshape, ctx);
        if (x.valid()) p.new_shape = x.ints(reshape_f::new_shape, "new_shape");
        break;
      }
      case tfl_op::mean: {
        const fb::table x = options(t, opt_reducer, ctx);
        p.keep_dims = x.valid() && x.scalar<uint8_t>(reducer_f::keep_dims, 0, "keep_dims") != 0;
        break;
      }
      case tfl_op::pad: options(t, opt_pad, ctx); break;
      case tfl_op::quantize:
      case tfl_op::dequantize: break;  // empty options tables
    }
  }

  // Input / output counts per operator (TFLite's kernels check the same).
  void check_arity(const op& o, const std::string& ctx) {
    size_t lo = 1, hi = 1;
    switch (o.code) {
      case tfl_op::conv_2d: case tfl_op::depthwise_conv_2d: case tfl_op::fully_connected: lo = 2; hi = 3; break;
      case tfl_op::add: case tfl_op::pad: case tfl_op::mean: lo = hi = 2; break;
      case tfl_op::reshape: hi = 2; break;
      default: break;
    }
    if (o.inputs.size() < lo || o.inputs.size() > hi)
      fail(ctx, std::string(tfl_op_name(o.code)) + " has " + std::to_string(o.inputs.size()) + " inputs");
    if (o.outputs.size() != 1)
      fail(ctx, std::string(tfl_op_name(o.code)) + " has " + std::to_string(o.outputs.size()) + " outputs");
    const bool has_bias = o.code == tfl_op::conv_2d || o.code == tfl_op::depthwise_conv_2d || o.code == tfl_op::fully_connected;
    for (size_t k = 0; k < o.inputs.size(); ++k) check_index(o.inputs[k], has_bias && k == 2, ctx, "input");
    check_index(o.outputs[0], false, ctx, "output");
  }

  op read_op(const fb::table& t, int index) {
    const std::string ctx = op_ctx(index);
    op o;
    o.index = index;
    const uint32_t ci = t.scalar<uint32_t>(operator_f::opcode_index, 0, "opcode_index");
    if (ci >= codes.size())
      fail(ctx, "opcode_index " + std::to_string(ci) + " out of range (" + std::to_string(codes.size()) + " codes)");
    const int32_t code = codes[ci];
    if (code == kCustomCode) unsupported(ctx, "custom operator");
    if (!supported_code(code)) unsupported(ctx, "unsupported builtin operator " + builtin_name(code));
    o.code = tfl_op(code);
    o.version = versions[ci];
    o.inputs = t.ints(operator_f::inputs, "inputs");
    o.outputs = t.ints(operator_f::outputs, "outputs");
    check_arity(o, ctx + " (" + tfl_op_name(o.code) + ")");
    read_options(t, o, ctx + " (" + tfl_op_name(o.code) + ")");
    return o;
  }

  void read() {
    const std::string ctx = "model";
    if (buf.size < 8) fail(ctx, "file too small (" + std::to_string(buf.size) + " bytes)");
    if (std::string(reinterpret_cast<const char*>(buf.data) + 4, 4) != "TFL3")
      fail(ctx, "no 'TFL3' file identifier at byte 4 (not a TFLite model?)");
    const fb::table root = fb::root(&buf, ctx);
    m.version = root.scalar<uint32_t>(model_f::version, 0, "version");
    if (m.version != 3) unsupported(ctx, "schema version " + std::to_string(m.version) + " (expected 3)");
    m.description = root.string(model_f::description, "description");
    read_opcodes(root);
    buffers_owner = root;
    buffers = root.vector(model_f::buffers, 4, "buffers");
    const fb::vec subgraphs = root.vector(model_f::subgraphs, 4, "subgraphs");
    if (subgraphs.count == 0) fail(ctx, "no subgraphs");
    const fb::table sg = root.element(subgraphs, 0, "subgraph 0");

    const fb::vec tv = sg.vector(subgraph_f::tensors, 4, "tensors");
    for (uint32_t i = 0; i < tv.count; ++i) m.tensors.push_back(read_tensor(sg.element(tv, i, tensor_ctx(int(i))), int(i)));
    m.inputs = sg.ints(subgraph_f::inputs, "inputs");
    m.outputs = sg.ints(subgraph_f::outputs, "outputs");
    if (m.inputs.empty() || m.outputs.empty()) fail("subgraph 0", "no inputs or no outputs");
    for (int32_t i : m.inputs) check_index(i, false, "subgraph 0", "input");
    for (int32_t i : m.outputs) check_index(i, false, "subgraph 0", "output");
    const fb::vec ov = sg.vector(subgraph_f::operators, 4, "operators");
    for (uint32_t i = 0; i < ov.count; ++i) m.ops.push_back(read_op(sg.element(ov, i, op_ctx(int(i))), int(i)));
  }
};

}  // namespace

const char* tensor_type_name(tensor_type t) {
  switch (t) {
    case tensor_type::float32: return "float32";
    case tensor_type::int32: return "int32";
    case tensor_type::uint8: return "uint8";
    case tensor_type::int64: return "int64";
    case tensor_type::int8: return "int8";
  }
  return "?";
}

size_t tensor_type_size(tensor_type t) {
  switch (t) {
    case tensor_type::uint8: case tensor_type::int8: return 1;
    case tensor_type::int64: return 8;
    default: return 4;
  }
}

const char* tfl_op_name(tfl_op op) {
  switch (op) {
    case tfl_op::add: return "ADD";
    case tfl_op::average_pool_2d: return "AVERAGE_POOL_2D";
    case tfl_op::conv_2d: return "CONV_2D";
    case tfl_op::depthwise_conv_2d: return "DEPTHWISE_CONV_2D";
    case tfl_op::dequantize: return "DEQUANTIZE";
    case tfl_op::fully_connected: return "FULLY_CONNECTED";
    case tfl_op::max_pool_2d: return "MAX_POOL_2D";
    case tfl_op::reshape: return "RESHAPE";
    case tfl_op::softmax: return "SOFTMAX";
    case tfl_op::pad: return "PAD";
    case tfl_op::mean: return "MEAN";
    case tfl_op::quantize: return "QUANTIZE";
  }
  return "?";
}

int64_t tensor::numel() const {
  int64_t n = 1;
  for (int32_t d : shape) n *= d;
  return n;
}

model read_model(const void* bytes, size_t size, const std::string& name) {
  reader r;
  r.buf.data = static_cast<const uint8_t*>(bytes);
  r.buf.size = size;
  r.buf.name = name;
  r.m.name = name;
  r.read();
  return std::move(r.m);
}

model load_model(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw error(error::io, path + ": cannot open");
  const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (f.bad()) throw error(error::io, path + ": read error");
  return read_model(bytes.data(), bytes.size(), path);
}

}  // namespace sfc::tflite
