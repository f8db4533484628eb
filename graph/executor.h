// The graph executor: prepares a model for fixed input shapes (passes, memory plan, one
// prepared kernel per node), then runs it any number of times. One executor is one inference
// stream: run() must not be called concurrently on the same executor.
//
// Inputs and outputs are exchanged in the caller's layout: plain (ONNX logical order, e.g. NCHW)
// or NHWC for 4-D tensors; the executor never guesses. Inputs and outputs are f32 in both
// precisions.
//
// precision::int8 (details in graph/passes/quantize-graph.cc and graph/ops/conv2d-int8.h):
// - every Conv (groups = 1) runs quantized: per-output-channel symmetric int8 weights,
//   per-tensor activations with zero point 0: u8 (scale = max / 255) after ReLU, s8
//   (scale = max|x| / 127) otherwise, calibrated by max-abs over the calibration images run
//   through the fp32 graph (after fusion);
// - activations stay int8 between convs through MaxPool, Slice, Pad (zero fill), Reshape,
//   Flatten; a conv requantizes its output itself (bias, ReLU and the residual add fused where
//   the implementation can, else an exact-semantics fallback); other ops dequantize to f32
//   (DequantizeLinear nodes are inserted) and QuantizeLinear nodes feed f32 values to convs;
// - per conv an ordered implementation list (graph/ops/conv2d-int8.h): the SFC / Winograd
//   variants that fit the layer, oneDNN, XNNPACK (s8), reference. policy "auto" measures the
//   candidates in place and may cache the plan in a file; any other policy forces one.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "graph/ir.h"
#include "graph/ops/ops.h"
#include "graph/passes/passes.h"

namespace sfc {

enum class precision : uint8_t { fp32, int8 };

// Calibration images for the int8 mode: input 0 only, f32, each image shaped like input 0 with
// batch 1, back to back in `layout` (nhwc or plain).
struct calibration_data {
  std::vector<float> images;
  tensor_layout layout = tensor_layout::nhwc;
  int batch = 16;  // images per fp32 calibration run
};

struct int8_options {
  // "auto": measure the supported candidates of each conv in the prepared network (all convs at
  // once, candidate i of every conv in the i-th set of whole-network runs), keep the fastest
  // within max_rel_error. "onednn", "xnnpack", "reference", "smallc_direct", an algorithm name
  // ("sfc6_7x7_3x3", ...) or "exact:<algorithm>" (int16 transform domain): force that implementation; layers it
  // cannot run take the first supported baseline (oneDNN, XNNPACK, reference), with a log line.
  // A forced implementation that supports a layer but fails to prepare it is an error.
  std::string policy = "auto";
  calibration_data calibration;  // required
  std::string plan_cache;        // "auto" only: plan file (read if valid, else written); "" = none
  int measure_reps = 3;          // "auto": timed whole-network runs per candidate (after a warm-up)
  // "auto", second stage: each conv's finalists (within confirm_ratio of its fastest in the first
  // stage) are timed again inside the chosen plan, one conv at a time, alternating with the
  // chosen implementation, confirm_reps times each; the lowest median wins. 0: first stage only.
  int confirm_reps = 5;
  double confirm_ratio = 1.35;
  // "auto": a candidate whose conv output differs from the exact baseline's (oneDNN or reference,
  // same input) by more than this relative RMS error is rejected. 0: no accuracy check.
  double max_rel_error = 0.05;
  // Transform-domain bits of the SFC / Winograd implementations (8, 6 or 4) where the model does
  // not fix them per layer (conv_quant_params::td_bits of a quantized model).
  int td_bits = 8;
  // Per-tensor activation clipping from the calibration runs (passes.h range_method): "minmax",
  // "percentile[:P]" or "mse" (the last two take a second calibration pass for histograms).
  std::string range_method = "minmax";
};

struct executor_options {
  precision prec = precision::fp32;
  int8_options int8;
  conv_path conv = conv_path::automatic;  // fp32 convolutions
  int threads = 0;                        // 0 = OpenMP's default (all cores)
  bool reuse_memory = true;  // false: every value gets its own buffer (for testing the plan)
  prepare_options prepare;   // which passes run
  // Upper bound on the activation arena; a model that needs more is rejected with
  // sfc::error(unsupported) instead of attempting the allocation.
  size_t max_arena_bytes = size_t(16) << 30;
  // Per-node wall time of every run() (node_time_ms), at the cost of a clock read per node.
  bool profile = false;
  // Dispatch lines (chosen implementation per conv, one line per rejected candidate) are
  // emitted when this is set or SFC_VERBOSE contains "dispatch"; notes (plan cache, forced
  // fallbacks) always. They go to `log` when set, else to stderr.
  bool verbose_dispatch = false;
  std::function<void(const std::string&)> log;
  // Calibration hook (fp32 only): called after each fused-residual conv computes conv + bias,
  // before the residual add and activation, with the node index and the [n·oh·ow·oc] values.
  std::function<void(size_t node, const float* values, size_t count)> pre_residual_observer;
};

class executor {
 public:
  // Copies `model`, applies the input shapes and the passes, plans memory and prepares kernels.
  // Throws sfc::error for unsupported or invalid models.
  executor(const graph& model, const std::vector<shape_t>& input_shapes,
           const executor_options& opts = {});
  ~executor();
  executor(const executor&) = delete;
  executor& operator=(const executor&) = delete;

  size_t num_inputs() const { return g_.inputs.size(); }
  size_t num_outputs() const { return g_.outputs.size(); }
  const tensor_desc& input_desc(size_t i) const;   // logical shape of input i
  const tensor_desc& output_desc(size_t i) const;  // logical shape of output i

  // data: input i in `user_layout` (nhwc only for 4-D); copied, not retained.
  void set_input(size_t i, const void* data, tensor_layout user_layout = tensor_layout::plain);
  void run();
  void get_output(size_t i, void* dst, tensor_layout user_layout = tensor_layout::plain) const;
  // Output i as a plain tensor.
  tensor output(size_t i) const;

  const graph& prepared_graph() const { return g_; }
  // int8 mode: the prepared graph as a self-contained quantized model (graph::quantized): int8
  // conv weights as s8 constants, and per conv the implementation in use with its transform-
  // domain bits and scales (conv_quant_params::impl, td_*). An executor made from it needs no
  // calibration and computes the same bytes on this machine. For saving as a .sfcq file.
  graph quantized_model() const;
  const memory_plan& plan() const { return plan_; }
  // Implementation that runs node k of prepared_graph(), e.g. "onednn:brgconv:avx512_core",
  // "sfc6_7x7_3x3:<input+bgemm+output kernels>", "quantize".
  std::string node_impl(size_t k) const;
  size_t num_nodes() const { return steps_.size(); }
  // Multiply-accumulates of node k per run (Conv: direct MACs, Gemm/MatMul: M·N·K, else 0).
  uint64_t node_macs(size_t k) const;
  // Wall time of node k in the last run() (milliseconds); 0 unless options.profile.
  double node_time_ms(size_t k) const;
  // Data of value v of prepared_graph() (after run(); every value keeps its data only with
  // reuse_memory = false). For calibration and tests.
  const void* value_data(int v) const { return value_ptr(v); }
  // Per-layer testing and tools: overwrite run-time value v (desc().bytes() bytes, stored
  // layout), then run nodes [first, last) of prepared_graph() on the current buffers.
  void set_value_data(int v, const void* data);
  void run_nodes(size_t first, size_t last);

  struct int8_state;  // internal (executor-internal.h)

 private:
  struct step;
  void* value_ptr(int v) const;
  void build_steps();
  void bind_step(step& s, const node& n);
  void log_line(const std::string& line) const;
  int threads() const;
  void prepare_int8(const graph& model, const std::vector<shape_t>& input_shapes);
  struct measure_slot;
  void select_conv_impls(int8_state& st);
  void install_baselines(int8_state& st);
  void calibrate_sfc(int8_state& st);
  void measure_conv_impls(int8_state& st);
  void run_measure_slot(std::vector<measure_slot>& m, size_t slot);
  void confirm_in_plan(int8_state& st);
  void run_steps(size_t first, size_t last);
  executor_options opts_;
  std::vector<shape_t> declared_shapes_;  // the model's input shapes (dynamic dims < 0)
  graph g_;
  memory_plan plan_;
  std::vector<uint8_t> arena_;
  uint8_t* base_ = nullptr;  // 64-byte aligned start of the arena
  std::vector<std::unique_ptr<step>> steps_;
  std::vector<double> times_ms_;
};

}  // namespace sfc
