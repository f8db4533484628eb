// Per-layer data of sfc_quantize: every int8 conv of a quantized model with the int8 input it
// sees inside the quantized network and the fp32 model's output of the same (fused) layer, on
// the same images; and the relative error of any implementation of that layer against it.
#pragma once
#include <string>
#include <vector>

#include "graph/executor.h"
#include "graph/ops/conv2d-int8.h"

namespace sfc_tools {

struct layer_data {
  size_t node = 0;  // index in the quantized graph
  std::string name;
  sfc::conv_int8_layer L;             // geometry, quantization, s8 weights, bias (batch = images)
  sfc::tensor_desc src_desc, res_desc, dst_desc;
  std::vector<uint8_t> src, residual;  // int8 input (and residual) in the quantized network
  std::vector<float> ref;              // fp32 model's output of the layer (NHWC, like dst)
};

// Runs `images` (NHWC floats, `count` images) through the fp32 `model` and the quantized `q`
// (its own implementations) and collects every int8 conv's data.
std::vector<layer_data> collect_layer_data(const sfc::graph& model, const sfc::graph& q,
                                           const std::vector<float>& images, int count,
                                           int threads,
                                           sfc::tensor_layout layout = sfc::tensor_layout::nhwc);

// Re-runs the quantized network `q` (e.g. after some layers' scales changed) and replaces each
// layer's int8 input and residual.
void refresh_int8_inputs(const sfc::graph& q, const std::vector<float>& images, int count,
                         int threads, sfc::tensor_layout layout, std::vector<layer_data>& layers);

// Output error of implementation `c` on d (its input from the quantized network): mean squared
// error of the dequantized int8 output against the fp32 output, divided by the fp32 output's
// mean square (relative MSE). `L` is d.L with any changed quantization (td scales / bits);
// sfc_maxabs: max-abs calibration for an SFC `c` without stored scales (else null). halves
// (optional, 2 entries): the same measure over the even and over the odd images.
double layer_rel_mse(const layer_data& d, const sfc::conv_int8_layer& L,
                     const sfc::conv_impl_choice& c, const std::vector<double>* sfc_maxabs,
                     double* halves = nullptr);

}  // namespace sfc_tools
