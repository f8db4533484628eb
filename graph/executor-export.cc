// executor::quantized_model(): the prepared int8 graph as a self-contained quantized model.
#include <memory>

#include "graph/executor.h"
#include "graph/ops/conv2d-int8.h"
#include "kernels/common/error.h"

namespace sfc {

graph executor::quantized_model() const {
  if (opts_.prec != precision::int8 || !g_.quantized)
    throw error(error::invalid_argument, "quantized_model(): the executor is not in int8 mode");
  graph q = g_;
  for (size_t i = 0; i < q.inputs.size(); ++i)  // dynamic dims (the batch) stay dynamic
    q.values[size_t(q.inputs[i])].desc.shape = declared_shapes_.at(i);
  const std::vector<std::vector<int>> readers = q.consumers();
  for (size_t k = 0; k < q.nodes.size(); ++k) {
    node& n = q.nodes[k];
    if (n.op != op_type::conv || !n.conv.quant.valid) continue;
    const value& w = q.values[size_t(n.inputs[1])];
    if (w.desc.type == dtype::s8) continue;
    // The kernels' own quantization of the weights (per-oc scales), stored as s8 OIHW.
    const conv_int8_layer L = make_conv_int8_layer(q, n, 1);
    tensor_desc d = w.desc;
    d.type = dtype::s8;
    auto t = std::make_shared<tensor>(d);
    std::copy(L.weights.begin(), L.weights.end(), t->as<int8_t>());
    if (readers[size_t(n.inputs[1])].size() == 1) {  // in place: the f32 data is dropped
      value& wv = q.values[size_t(n.inputs[1])];
      wv.desc = d, wv.data = t;
    } else {
      n.inputs[1] = q.add_constant(w.name + "/s8/" + n.name, t);
    }
  }
  return q;
}

}  // namespace sfc
