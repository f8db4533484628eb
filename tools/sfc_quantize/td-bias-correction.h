// Bias correction of a requantized SFC / Winograd layer (as in Nagel et al., "Data-free
// quantization", for weights): the rounding of the 8/6/4-bit transform domain is not unbiased per
// output channel, and a systematic per-channel error survives every averaging downstream (global
// average pooling keeps it whole while it divides the random part by √(H·W)). Measured on the
// layer's own int8 inputs (layer_data::src), per output channel c:
//   e[c] = mean over images and output positions of (acc_td[c] − acc_exact[c])
// with acc_td the layer's accumulator through the quantized transform domain (final scales,
// double-precision output transform) and acc_exact the exact int32 Σ (x − zp)·w. The correction
// −e[c] · src_scale · w_scale[c] (real units) is added to the bias by that implementation only
// (conv_quant_params::td_bias_correction).
#pragma once
#include <vector>

#include "tools/sfc_quantize/layer-data.h"

namespace sfc_tools {

// L: d.L with the final transform-domain scales (L.ci.quant.impl names the algorithm).
std::vector<float> td_bias_correction(const layer_data& d, const sfc::conv_int8_layer& L);

}  // namespace sfc_tools
