// Operator implementations of the graph executor: one shape-inference rule and one prepared
// kernel per op. Kernels read their parameters (attributes, constant inputs such as weights,
// shapes, pads) once, when they are made, and run() only moves data.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "graph/ir.h"

namespace sfc {

// fp32 convolution path. automatic = oneDNN when it is built, else the reference.
enum class conv_path : uint8_t { automatic, onednn, reference };

struct exec_config {
  conv_path conv = conv_path::automatic;
  int threads = 1;
  // fp32 calibration hook: conv + bias of a fused-residual conv before the residual add.
  std::function<void(size_t node, const float* values, size_t count)> pre_residual_observer;
};

class node_kernel {
 public:
  virtual ~node_kernel() = default;
  // in: one view per node input (data == nullptr for an absent optional input); out: one view
  // per output, each with the value's desc (or its plain twin if wants_plain()).
  virtual void run(const std::vector<tview>& in, const std::vector<tview>& out) = 0;
  // Implementation actually used, e.g. "onednn:brgconv:avx512_core" or "reference".
  virtual std::string impl_name() const { return "plain"; }
  // true: the executor presents every input and output in plain layout (converting NHWC
  // activations around the call). For ops whose semantics follow logical element order.
  virtual bool wants_plain() const { return false; }
};

// Sets type and shape of every output of n (the caller picks layouts). Reads the data of
// constant inputs where the op needs values (Reshape shape, Slice starts, Pad pads, ...).
// Throws sfc::error naming the node: unsupported (attribute or mode not implemented) or
// invalid_model (inconsistent shapes or attributes).
void infer_node(graph& g, node& n);
// Ops that constant folding may evaluate (cheap, layout-agnostic kernels).
bool op_is_foldable(op_type op);
std::unique_ptr<node_kernel> make_node_kernel(const graph& g, const node& n,
                                              const exec_config& cfg);

// Per-family entry points (ops/*.cc); infer_node / make_node_kernel dispatch to them.
void infer_elementwise(graph& g, node& n);
std::unique_ptr<node_kernel> make_elementwise_kernel(const graph& g, const node& n);
void infer_movement(graph& g, node& n);
std::unique_ptr<node_kernel> make_movement_kernel(const graph& g, const node& n);
void infer_pool(graph& g, node& n);
std::unique_ptr<node_kernel> make_pool_kernel(const graph& g, const node& n, int threads);
void infer_linear(graph& g, node& n);
std::unique_ptr<node_kernel> make_linear_kernel(const graph& g, const node& n, int threads = 1);
void infer_quant(graph& g, node& n);  // QuantizeLinear / DequantizeLinear (per tensor)
std::unique_ptr<node_kernel> make_quant_kernel(const graph& g, const node& n, int threads);
void infer_conv(graph& g, node& n);
std::unique_ptr<node_kernel> make_conv_kernel(const graph& g, const node& n,
                                              const exec_config& cfg);

}  // namespace sfc
