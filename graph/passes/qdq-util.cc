// Q / DQ node parameters (qdq-util.h).
#include "graph/passes/qdq-util.h"

#include <cmath>
#include <limits>

#include "kernels/common/error.h"

namespace sfc {
namespace qdq {

void fail_model(const node& n, const std::string& what) {
  throw error(error::invalid_model, n.label() + ": " + what);
}
void fail_unsup(const node& n, const std::string& what) {
  throw error(error::unsupported, n.label() + ": " + what);
}

bool is_qdq(const node& n) {
  return n.op == op_type::quantize_linear || n.op == op_type::dequantize_linear;
}

const tensor* const_data(const graph& g, int v) {
  if (v < 0 || !g.values[size_t(v)].is_const) return nullptr;
  return g.values[size_t(v)].data.get();
}

const tensor& scale_of(const graph& g, const node& n) {
  if (n.input(1) < 0) fail_model(n, "missing scale (input 1)");
  const tensor* s = const_data(g, n.input(1));
  if (!s) fail_model(n, "scale '" + g.values[size_t(n.input(1))].name + "' must be a constant");
  if (s->desc().type != dtype::f32) fail_model(n, "scale must be float32");
  if (s->numel() < 1) fail_model(n, "scale is empty");
  for (int64_t i = 0; i < s->numel(); ++i) {
    const float v = s->as<float>()[i];
    if (!(v > 0.f) || !std::isfinite(v))
      fail_model(n, "scale must be positive and finite (got " + std::to_string(v) + ")");
  }
  return *s;
}

std::vector<int32_t> zero_points(const graph& g, const node& n, dtype* type) {
  *type = dtype::u8;  // ONNX: no zero point = uint8 zero point 0
  if (n.input(2) < 0) return {};
  const tensor* z = const_data(g, n.input(2));
  if (!z) fail_model(n, "zero point must be a constant");
  *type = z->desc().type;
  std::vector<int32_t> out(size_t(z->numel()));
  for (size_t i = 0; i < out.size(); ++i) {
    switch (*type) {
      case dtype::u8: out[i] = z->as<uint8_t>()[i]; break;
      case dtype::s8: out[i] = z->as<int8_t>()[i]; break;
      case dtype::i32: out[i] = z->as<int32_t>()[i]; break;
      default: fail_unsup(n, std::string("zero point of type ") + dtype_name(*type));
    }
  }
  return out;
}

act_q activation_q(const graph& g, const node& n) {
  const tensor& s = scale_of(g, n);
  dtype zt;
  const std::vector<int32_t> zp = zero_points(g, n, &zt);
  if (s.numel() != 1 || zp.size() > 1)
    fail_unsup(n, "per-axis activation quantization is not supported (per tensor only)");
  if (zt != dtype::u8 && zt != dtype::s8) fail_unsup(n, "activations must be int8 or uint8");
  act_q q;
  q.scale = s.as<float>()[0];
  q.t = zt == dtype::u8 ? qtype::u8 : qtype::s8;
  q.zp = zp.empty() ? 0 : zp[0];
  return q;
}

bool is_per_tensor_8bit(const graph& g, const node& n) {
  if (scale_of(g, n).numel() != 1) return false;
  if (n.input(2) < 0) return true;
  const tensor* z = const_data(g, n.input(2));
  if (!z) fail_model(n, "zero point must be a constant");
  return z->numel() == 1 && (z->desc().type == dtype::u8 || z->desc().type == dtype::s8);
}

int quant_axis(const graph& g, const node& n, const shape_t& shape) {
  const tensor& s = scale_of(g, n);
  if (s.numel() == 1 && s.desc().rank() <= 1) return -1;
  const int r = int(shape.size());
  int64_t axis = n.attr_int("axis", 1);
  if (axis < -r || axis >= r)
    fail_model(n, "axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(r));
  if (axis < 0) axis += r;
  if (s.desc().rank() != 1 || s.numel() != shape[size_t(axis)])
    fail_model(n, std::to_string(s.numel()) + " scales do not match axis " + std::to_string(axis) +
                      " of size " + std::to_string(shape[size_t(axis)]) + " (wrong axis?)");
  return int(axis);
}

std::shared_ptr<tensor> dequantize_const(const graph& g, const node& n, const tensor& q) {
  const tensor& s = scale_of(g, n);
  const int axis = quant_axis(g, n, q.desc().shape);
  dtype zt;
  const std::vector<int32_t> zp = zero_points(g, n, &zt);
  if (n.input(2) >= 0 && zt != q.desc().type) fail_model(n, "zero point type differs from the input");
  if (!zp.empty() && zp.size() != size_t(s.numel())) fail_model(n, "scale and zero point sizes differ");
  int64_t inner = 1;
  for (size_t d = size_t(axis + 1); axis >= 0 && d < q.desc().shape.size(); ++d) inner *= q.desc().shape[d];
  const int64_t channels = axis >= 0 ? q.desc().shape[size_t(axis)] : 1;
  auto out = std::make_shared<tensor>(tensor_desc{dtype::f32, q.desc().shape, tensor_layout::plain});
  for (int64_t i = 0; i < q.numel(); ++i) {
    const size_t c = size_t(axis >= 0 ? (i / inner) % channels : 0);
    int32_t v;
    switch (q.desc().type) {
      case dtype::s8: v = q.as<int8_t>()[i]; break;
      case dtype::u8: v = q.as<uint8_t>()[i]; break;
      case dtype::i32: v = q.as<int32_t>()[i]; break;
      default: fail_unsup(n, std::string("cannot dequantize ") + dtype_name(q.desc().type));
    }
    const int32_t z = zp.empty() ? 0 : zp[c];
    out->as<float>()[i] = float(double(int64_t(v) - z) * double(s.as<float>()[c]));
  }
  return out;
}

float exact_bias(int32_t b, float s_in, float s_w) {
  const float want = float(b);
  auto acc_units = [&](float bf) { return float(double(bf) / (double(s_in) * double(s_w))); };
  float bf = float(double(b) * double(s_in) * double(s_w));
  float up = bf, down = bf;
  for (int i = 0; i < 64 && acc_units(bf) != want; ++i) {
    up = std::nextafter(up, std::numeric_limits<float>::infinity());
    if (acc_units(up) == want) return up;
    down = std::nextafter(down, -std::numeric_limits<float>::infinity());
    if (acc_units(down) == want) return down;
  }
  return bf;
}

}  // namespace qdq
}  // namespace sfc
