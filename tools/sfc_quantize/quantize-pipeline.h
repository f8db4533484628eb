// The post-training quantization pipeline of sfc_quantize, as a function (sfc_eval runs it for
// its fine-tuned configurations):
//   1. calibration and quantization by the int8 executor (BN folded, per-channel s8 weights,
//      per-tensor activations by `range`), an implementation per conv (`algo`; "auto" = the
//      fastest in the network within `error_budget`) at `bits` transform-domain bits;
//   2. per SFC / Winograd layer: transform-domain scales at `granularity`, fine-tuned against
//      the fp32 layer outputs on the first `tune_images` images (td-tuning.h), then the
//      layer's bias correction (td-bias-correction.h);
//   3. optionally the per-layer report (layer-report.h).
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "graph/ir.h"
#include "tools/sfc_quantize/layer-report.h"
#include "tools/sfc_quantize/quantize-options.h"

namespace sfc_tools {

struct quantize_settings {
  std::string algo = "auto";
  int bits = 8;
  std::string range = "minmax";
  td_granularity granularity = td_granularity::frequency_channel;
  bool tune = true, pow2 = false;
  bool bias_correction = false;  // td-bias-correction.h (opt-in: mixed results, docs/sfc-quantize.md)
  int tune_images = 32;
  double error_budget = 0.05;
  std::vector<std::string> compare;  // report columns; empty: all that fit
  bool report = true;                // compute the per-layer comparison report
  int threads = 1, batch = 1;
  sfc::tensor_layout layout = sfc::tensor_layout::nhwc;  // of the images
  std::function<void(const std::string&)> log;                          // may be empty
  std::function<void(int done, int total, const std::string&)> progress;  // may be empty
};
quantize_settings settings_from(const quantize_options& o);

struct quantize_result {
  sfc::graph q;            // the quantized model (graph::quantized), ready for save_sfcq
  quantize_report report;  // layers filled only with settings.report (tuning results always)
};

// images: `count` preprocessed images (s.layout: NHWC or plain NCHW), shaped like the model's input.
quantize_result quantize_model(const sfc::graph& model, const std::vector<float>& images,
                               int count, const quantize_settings& s);

}  // namespace sfc_tools
