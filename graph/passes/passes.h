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
#include <string>
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
// With a histogram (second calibration pass, hist_max = max |x| of the first): counts of |x| in
// kRangeBins equal bins over (0, hist_max]; exact zeros are counted apart (they quantize exactly).
constexpr int kRangeBins = 2048;
struct value_range {
  float min = 0.f, max = 0.f;
  bool seen = false;
  std::vector<uint64_t> hist;  // empty: no histogram
  uint64_t zeros = 0;
  float hist_max = 0.f;
  void add(const float* v, size_t n);
  void add_hist(const float* v, size_t n);  // needs hist_max > 0 (allocates the bins)
};
struct calibration_ranges {
  std::vector<value_range> values;         // per value id
  std::vector<float> pre_residual_maxabs;  // per node index: conv + bias before a fused residual
};

// How a calibrated range becomes the clipping threshold of a per-tensor scale:
//   minmax      max |x| (max x for u8): nothing clips;
//   percentile  the p-th percentile of |x| (zeros included), e.g. 99.99;
//   mse         the threshold minimising the expected squared quantization error over the
//               histogram (rounding error s²/12 inside, (|x| − t)² beyond), t ≤ max |x|.
struct range_method {
  enum kind_t { minmax, percentile, mse } kind = minmax;
  double pct = 99.99;  // percentile
};
// "minmax", "percentile" (99.99), "percentile:P" (0 < P ≤ 100) or "mse"; false if malformed.
bool parse_range_method(const std::string& s, range_method* m);
// The clipping threshold of r for a quantized type with `levels` positive levels (127 or 255).
float clip_threshold(const value_range& r, bool non_negative, int levels, const range_method& m);

// The int8 mode's rewrite of a prepared fp32 graph (described in graph/executor.h): sets the
// dtype of the int8 values, fills conv_info::quant of every groups = 1 Conv (weight scales:
// per output channel max |w| / 127) and inserts QuantizeLinear / DequantizeLinear nodes at the
// borders of the int8 region. Graph inputs and outputs stay f32. Returns the number of int8
// convolutions. Throws sfc::error(internal) if a needed range was not recorded.
int quantize_graph(graph& g, const calibration_ranges& r, const range_method& m = {});

struct memory_plan {
  std::vector<int64_t> offset;  // per value: byte offset in the arena, -1 = not in the arena
  size_t arena_bytes = 0;       // peak: the arena size
  size_t total_bytes = 0;       // sum of all run-time values (what no reuse would need)
};
// Liveness-based greedy placement (largest first, lowest free offset), 64-byte aligned. With
// reuse = false every value gets its own range (arena_bytes == total_bytes).
memory_plan plan_memory(const graph& g, bool reuse = true);

}  // namespace sfc
