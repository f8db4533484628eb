// Graph builder for the zoo: emits ONNX-style nodes and calibrates BatchNormalization as it
// goes (data-dependent initialization). A calibration sample, one N(0, 1) "image" of
// calib_h x calib_w, is propagated alongside the graph with the reference kernels; each BN gets
// the per-channel mean and variance of the conv output that actually reaches it, so the BN
// output is ~N(beta, gamma^2) per channel at every depth (estimates that assume independent taps
// under-estimate the variance and the error compounds layer after layer).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "graph/ir.h"

namespace sfc {
namespace zoo {

// Deterministic normal / uniform numbers (splitmix64 + Box-Muller): the same weights everywhere.
class rng {
 public:
  explicit rng(uint64_t seed) : s_(seed) {}
  uint64_t next();
  double uniform();  // [0, 1)
  double normal();
 private:
  uint64_t s_;
};

struct act {
  int v = -1;  // value id
  int64_t c = 0, h = 0, w = 0;  // channels and the calibration sample's spatial size
  std::vector<float> sample;     // calibration activation, NHWC [h][w][c]
};

class builder {
 public:
  builder(const std::string& name, uint64_t seed);
  // Graph input [batch, c, h, w]; the calibration sample is calib_h x calib_w.
  act input(const std::string& name, int64_t batch, int64_t c, int64_t h, int64_t w,
            int64_t calib_h, int64_t calib_w);
  // Conv (no bias) -> BatchNormalization [-> Relu]; gamma ~ U(gamma_lo, gamma_hi).
  act conv_bn(const act& x, int64_t oc, int k, int stride, int pad, const std::string& conv_name,
              const std::string& bn_name, double gamma_lo, double gamma_hi, bool relu);
  act add_relu(const act& a, const act& b, const std::string& name);
  act max_pool(const act& x, int k, int stride, int pad, const std::string& name);
  // x[:, :, ::2, ::2] then `pad` zero channels before and after (CIFAR option A).
  act option_a_shortcut(const act& x, int64_t pad, const std::string& name);
  // GlobalAveragePool + Flatten (or ReduceMean over H, W) -> Gemm(transB) -> output "logits".
  void head(const act& x, int64_t classes, bool reduce_mean);
  graph finish() { return std::move(g_); }

 private:
  int constant_i64(const std::string& name, const std::vector<int64_t>& v);
  int constant_f32(const std::string& name, const shape_t& s, std::vector<float> v);
  int node(op_type op, const std::string& name, std::vector<int> ins);  // returns output value
  act relu(const act& x, const std::string& name);
  graph g_;
  rng rng_;
};

}  // namespace zoo
}  // namespace sfc
