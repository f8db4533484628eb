// int8 convolution of the graph runtime: the per-layer implementation list (house style §7) and
// the prepared kernels. A Conv node whose conv_info.quant is valid (set by quantize_graph) runs
//   acc  = Σ (src − src_zp) · w_q                   src u8/s8; w_q OIHW s8 per oc
//   real = src_scale · weight_scale[oc] · acc + bias[oc] (+ residual_scale · residual)
//   real = act(real)                                 none / relu / clip
//   dst  = saturate(round_half_even(real / dst_scale) + dst_zp)   u8 (after relu) or s8
// The zero points (conv_quant_params::src_zero_point / dst_zero_point) are 0 in sfc's own scheme;
// imported models (graph/tflite/tflite-to-graph.h) set them. Every implementation supports them
// (padding counts as the zero point), except with a fused residual add, which needs both 0.
// The float evaluation follows oneDNN 2.x, so that the reference and oneDNN agree byte for byte:
//   f = (float(acc) + bias_acc[oc]) · oscale[oc],  bias_acc = bias / (src_scale · w_scale),
//   oscale = src_scale · w_scale / dst_scale;  f += (residual_scale / dst_scale) · residual.
//
// Candidates, in order: the SFC / Winograd variants (conv_int8_sfc_algorithms, calibrated per
// transform point), the exact int16 SFC variants, oneDNN, XNNPACK, smallc_direct (sfc's direct
// kernel for ic ≤ 4, the RGB stem; AVX-512 VNNI only, exact like the reference), reference;
// each records why it declines a layer (kernel size, stride, activation, ...). SFC and XNNPACK
// compute a residual conv's value as s8 at conv_quant_params::pre_residual_scale and then add
// the residual (one more rounding than oneDNN): SFC's output transform in the same register
// (q8-layer.h fastconv_q8_residual, every ISA), the others in a separate pass; the same bytes.
// XNNPACK's qc8 operator takes s8 only: u8 activations (zero point 0) are shifted to s8 with zero
// point −128 (x ^ 0x80) around it, which is exact.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "graph/ir.h"
#include "graph/ops/ops.h"

namespace sfc {

// The SFC / Winograd variants the int8 list tries, in order (all kernel sizes): first with the
// int8 transform domain (lossy, calibrated per point), then, named "exact:<algorithm>", with the
// exact int16 transform domain of kernels/fastconv/q16-layer.h (bit-exact accumulators; the
// output is requantized in double, so it may differ from oneDNN's float epilogue by 1 LSB).
const std::vector<std::string>& conv_int8_sfc_algorithms();
const std::vector<std::string>& conv_int8_exact_algorithms();

// Everything an int8 conv implementation needs, read once from the node.
struct conv_int8_layer {
  std::string label;  // node label, for messages
  conv_info ci;       // geometry, activation, quant (valid)
  bool has_residual = false;
  std::vector<int8_t> weights;  // OIHW, quantized with ci.quant.weight_scale
  std::vector<float> bias;      // [oc] real-valued, or empty
  int threads = 1;
};
conv_int8_layer make_conv_int8_layer(const graph& g, const node& n, int threads);
// "n1 ic64 56x56 -> oc64 k3x3 s1x1 p1,1,1,1, u8 -> u8, relu, +residual s8"
std::string describe_conv_int8(const conv_int8_layer& L);

// "sfc6_7x7_3x3", "onednn", "xnnpack", "smallc_direct", "reference".
std::string conv_impl_name(const conv_impl_choice& c);
// Parses a policy / plan-file name; false if unknown.
bool conv_impl_from_name(const std::string& name, conv_impl_choice* c);
bool is_sfc(const conv_impl_choice& c);

// The ordered candidate list; rejected = "" for the candidates that support the layer, else why
// not. SFC candidates with a residual need a calibrated pre_residual_scale.
std::vector<conv_impl_choice> conv_int8_candidates(const conv_int8_layer& L);

// Per-point max |U| of the SFC input transform of `algo` on `images` images of the layer's int8
// input (accumulated into maxabs).
void conv_int8_calibrate_sfc(const conv_int8_layer& L, const std::string& algo, const void* src,
                             int images, std::vector<double>& maxabs);

// The prepared kernel (node inputs: src, weights, bias, residual; output dst). sfc_maxabs is the
// calibration of an SFC candidate (required for SFC). Throws sfc::error(unsupported) when the
// implementation cannot run the layer after all (e.g. a library without an implementation).
std::unique_ptr<node_kernel> make_conv_int8_kernel(const conv_int8_layer& L,
                                                   const conv_impl_choice& c,
                                                   const std::vector<double>* sfc_maxabs);

namespace detail {
// One int8 conv implementation: residual may be null (absent), else it has dst's shape and
// conv_quant_params::residual_type.
class conv_int8_impl {
 public:
  virtual ~conv_int8_impl() = default;
  virtual void run(const void* src, const void* residual, void* dst) = 0;
  virtual std::string name() const = 0;
};
// The float epilogue's coefficients (oneDNN's order, top of this file): oscale[oc] and
// bias_acc[oc] (0 without a bias), for the implementations that reproduce it exactly.
void epilogue_coefficients(const conv_int8_layer& L, std::vector<float>* oscale,
                           std::vector<float>* bias_acc);
// For implementations that cannot fuse the residual: L with the residual and activation removed
// and an s8 output at pre_residual_scale.
conv_int8_layer without_residual(const conv_int8_layer& L);
// Wraps `core` (made for without_residual(L)) with the separate residual-add pass.
std::unique_ptr<conv_int8_impl> with_residual_pass(const conv_int8_layer& L,
                                                   std::unique_ptr<conv_int8_impl> core);
std::unique_ptr<conv_int8_impl> make_onednn_int8(const conv_int8_layer& L);
std::unique_ptr<conv_int8_impl> make_direct_int8(const conv_int8_layer& L);
std::unique_ptr<conv_int8_impl> make_xnnpack_int8(const conv_int8_layer& L);
std::unique_ptr<conv_int8_impl> make_sfc_exact_int8(const conv_int8_layer& L,
                                                    const std::string& algo);
std::unique_ptr<conv_int8_impl> make_sfc_int8(const conv_int8_layer& L, const std::string& algo,
                                              const std::vector<double>& maxabs);
}  // namespace detail

}  // namespace sfc
