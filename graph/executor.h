// The fp32 graph executor: prepares a model for fixed input shapes (passes, memory plan, one
// prepared kernel per node), then runs it any number of times. One executor is one inference
// stream: run() must not be called concurrently on the same executor.
//
// Inputs and outputs are exchanged in the caller's layout: plain (ONNX logical order, e.g. NCHW)
// or NHWC for 4-D tensors; the executor never guesses.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "graph/ir.h"
#include "graph/ops/ops.h"
#include "graph/passes/passes.h"

namespace sfc {

struct executor_options {
  conv_path conv = conv_path::automatic;
  int threads = 0;            // 0 = OpenMP's default (all cores)
  bool reuse_memory = true;   // false: every value gets its own buffer (for testing the plan)
  prepare_options prepare;    // which passes run
  // Upper bound on the activation arena; a model that needs more is rejected with
  // sfc::error(unsupported) instead of attempting the allocation.
  size_t max_arena_bytes = size_t(16) << 30;
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
  const memory_plan& plan() const { return plan_; }
  // Implementation that runs node k of prepared_graph(), e.g. "onednn:brgconv:avx512_core".
  std::string node_impl(size_t k) const;

 private:
  struct step;
  void* value_ptr(int v) const;
  graph g_;
  memory_plan plan_;
  std::vector<uint8_t> arena_;
  uint8_t* base_ = nullptr;  // 64-byte aligned start of the arena
  std::vector<std::unique_ptr<step>> steps_;
};

}  // namespace sfc
