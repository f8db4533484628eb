// sfc_conv's engine: runs one convolution layer given float tensors, with the requested
// algorithm and precision. Separate from main.cc so tests can call it without a process.
#pragma once
#include <string>
#include <vector>

#include "kernels/ref/conv2d-ref.h"

namespace sfc {

struct conv_run_options {
  std::string algo = "direct";        // direct | onednn | xnnpack | <fast algorithm name>
  std::string precision = "fp32";     // fp32 | int8 | int8-exact
  int bits = 8;                       // transform-domain bits for int8 fast algorithms
  bool relu = false;
  std::vector<float> act_scales;      // optional transform-domain activation scales [R²]
  int threads = 1;
  // int8 fast algorithms: "fast" = the ISA-dispatched SIMD layer (int8 output, as in a network),
  // "scalar" = the portable reference with a float output transform (no output quantization).
  std::string kernel = "fast";
};

struct conv_run_result {
  std::vector<float> dst;             // NCHW float
  std::vector<float> act_scales;      // transform-domain scales used (int8 fast algorithms)
  std::string impl;                   // what ran, e.g. "sfc6_7x7_3x3 int8 b=8 (scalar)"
};

// src NCHW [n][ic][h][w], weights OIHW, bias [oc] or empty. p describes the layer.
conv_run_result run_conv_layer(const conv2d_params& p, const std::vector<float>& src_nchw,
                               const std::vector<float>& weights, const std::vector<float>& bias,
                               const conv_run_options& opt);

std::vector<std::string> conv_algo_names();  // "direct", fast algorithms, backends if built

}  // namespace sfc
