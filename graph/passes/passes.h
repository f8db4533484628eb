// Graph passes, run in this order by prepare_graph():
//   set_input_shapes  concrete input shapes (dynamic dims, e.g. the batch, become static)
//   infer_shapes      static shapes for every value, interleaved with constant folding: a node
//                     whose inputs are all known (constants, or Shape of a static value) is
//                     evaluated with its own kernel and becomes a constant; this collapses the
//                     Shape/Gather/Unsqueeze/Concat/ConstantOfShape/Cast/Reshape chains of
//                     PyTorch exports. Also picks layouts: 4-D run-time values are NHWC.
//   fold_batch_norm   Conv -> BatchNormalization  =>  Conv with scaled weights and bias
//   fuse_conv         Conv -> Add(residual) -> Relu/Clip  =>  one Conv (conv_info)
//   remove_unused     drops nodes nobody reads
// plan_memory then assigns arena offsets to the run-time values.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "graph/ir.h"

namespace sfc {

// shapes[i] replaces the shape of graph input i; a declared dim < 0 accepts any size, the others
// must match. Throws sfc::error(invalid_argument) on a mismatch.
void set_input_shapes(graph& g, const std::vector<shape_t>& shapes);
// The declared input shapes with every dynamic dim 0 (the batch) set to n.
std::vector<shape_t> input_shapes_with_batch(const graph& g, int64_t n);

struct infer_options {
  // false: known values (shape computations) are still evaluated so that shapes can be
  // inferred, but the nodes stay in the graph and run at execution time.
  bool fold_constants = true;
};
void infer_shapes(graph& g, const infer_options& o = {});

// Both return the number of rewrites; they expect shapes to be inferred.
int fold_batch_norm(graph& g);
int fuse_conv(graph& g);

struct prepare_options {
  bool fold_constants = true;
  bool fold_batch_norm = true;
  bool fuse = true;
};
void prepare_graph(graph& g, const prepare_options& o = {});

// Activation ranges recorded on calibration inputs by running the prepared fp32 graph.
struct value_range {
  float min = 0.f, max = 0.f;
  bool seen = false;
  void add(const float* v, size_t n);
};
struct calibration_ranges {
  std::vector<value_range> values;         // per value id
  std::vector<float> pre_residual_maxabs;  // per node index: conv + bias before a fused residual
};

// The int8 mode's rewrite of a prepared fp32 graph (described in graph/executor.h): sets the
// dtype of the int8 values, fills conv_info::quant of every groups = 1 Conv (weight scales:
// per output channel max |w| / 127) and inserts QuantizeLinear / DequantizeLinear nodes at the
// borders of the int8 region. Graph inputs and outputs stay f32. Returns the number of int8
// convolutions. Throws sfc::error(internal) if a needed range was not recorded.
int quantize_graph(graph& g, const calibration_ranges& r);

struct memory_plan {
  std::vector<int64_t> offset;  // per value: byte offset in the arena, -1 = not in the arena
  size_t arena_bytes = 0;       // peak: the arena size
  size_t total_bytes = 0;       // sum of all run-time values (what no reuse would need)
};
// Liveness-based greedy placement (largest first, lowest free offset), 64-byte aligned. With
// reuse = false every value gets its own range (arena_bytes == total_bytes).
memory_plan plan_memory(const graph& g, bool reuse = true);

}  // namespace sfc
