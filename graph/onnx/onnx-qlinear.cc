// QLinearConv -> DequantizeLinear / Conv / QuantizeLinear (onnx-qlinear.h).
#include "graph/onnx/onnx-qlinear.h"

#include <memory>
#include <vector>

#include "kernels/common/error.h"

namespace sfc {

void expand_qlinear_conv(graph& g, int k, const std::string& label) {
  const node n = g.nodes[size_t(k)];  // a copy: add_node below may reallocate
  static const char* names[] = {"x", "x_scale", "x_zero_point", "w", "w_scale",
                                "w_zero_point", "y_scale", "y_zero_point", "B"};
  if (n.inputs.size() < 8 || n.inputs.size() > 9 || n.outputs.size() != 1)
    throw error(error::invalid_model, label + ": QLinearConv takes 8 or 9 inputs and one output");
  for (int i : {0, 1, 3, 4, 6})
    if (n.input(size_t(i)) < 0)
      throw error(error::invalid_model, label + ": missing input '" + names[i] + "'");
  auto scale_const = [&](int i) -> const tensor& {
    const value& v = g.values[size_t(n.inputs[size_t(i)])];
    if (!v.is_const || !v.data || v.data->desc().type != dtype::f32 || v.data->numel() < 1)
      throw error(error::invalid_model, label + ": '" + names[i] + "' must be a float32 constant");
    return *v.data;
  };
  attribute axis0;
  axis0.kind = attribute::i, axis0.int_value = 0;
  auto add1 = [&](op_type op, const std::string& suffix, std::vector<int> ins) {
    const int out = g.add_value(n.name + suffix);
    const int idx = g.add_node(op, n.name + suffix, std::move(ins), {out});
    return std::make_pair(idx, out);
  };
  std::vector<int> conv_in = {add1(op_type::dequantize_linear, "/x_dq",
                                   {n.inputs[0], n.inputs[1], n.input(2)}).second};
  const auto wd = add1(op_type::dequantize_linear, "/w_dq", {n.inputs[3], n.inputs[4], n.input(5)});
  g.nodes[size_t(wd.first)].attrs["axis"] = axis0;
  conv_in.push_back(wd.second);
  if (n.input(8) >= 0) {  // B: int32 at x_scale · w_scale[oc]
    const tensor& xs = scale_const(1);
    const tensor& ws = scale_const(4);
    if (xs.numel() != 1) throw error(error::invalid_model, label + ": x_scale must be one value");
    std::vector<float> bs(size_t(ws.numel()));
    for (size_t o = 0; o < bs.size(); ++o) bs[o] = xs.as<float>()[0] * ws.as<float>()[o];
    const int bsc = g.add_constant(n.name + "/b_scale",
                                   make_f32_tensor({int64_t(bs.size())}, bs));
    const auto bd = add1(op_type::dequantize_linear, "/b_dq", {n.inputs[8], bsc});
    g.nodes[size_t(bd.first)].attrs["axis"] = axis0;
    conv_in.push_back(bd.second);
  }
  const int y = g.add_value(n.name + "/y_f32");
  node& c = g.nodes[size_t(k)];
  c.inputs = conv_in;
  c.outputs = {y};
  g.add_node(op_type::quantize_linear, n.name + "/y_q", {y, n.inputs[6], n.input(7)}, n.outputs);
}

}  // namespace sfc
