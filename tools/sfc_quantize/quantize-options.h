// Command line of sfc_quantize.
#pragma once
#include <string>
#include <vector>

#include "tools/common/preprocess.h"

namespace sfc_tools {

// Transform-domain scale granularity (the paper's ablation). Weights: tensor = one scale per
// layer, frequency = one per point [T×T], channel = one per output channel [OC],
// frequency+channel = [OC×T×T] (the paper's choice). Activations cannot have per-channel scales
// (channels are summed in the transform-domain GEMM): tensor and channel use one scale per layer,
// frequency and frequency+channel one per point [T×T].
enum class td_granularity { tensor, frequency, channel, frequency_channel };
const char* granularity_name(td_granularity g);

struct quantize_options {
  std::string model;              // zoo name or FILE.onnx
  std::vector<std::string> calib;  // images / folders
  int calib_count = 100;
  std::string out;               // FILE.sfcq
  std::string algo = "auto";     // executor policy: auto, onednn, sfc6_7x7_3x3, ...
  int bits = 8;                  // transform-domain bits
  std::string range = "minmax";  // activation range method (passes.h)
  td_granularity granularity = td_granularity::frequency_channel;
  bool tune = true;              // scale fine-tuning against the fp32 layer outputs
  bool pow2 = false;             // power-of-two transform-domain scales
  bool bias_correction = false;  // per-channel bias correction of SFC layers (td-bias-correction.h)
  int tune_images = 32;          // images used for fine-tuning and the per-layer report
  double error_budget = 0.05;    // "auto": max relative RMS error per layer
  std::vector<std::string> compare;  // per-layer report algorithms; empty: all that fit
  std::string report_md, json;
  sfc::preprocess_config pre;
  bool pre_set = false;  // preprocessing given explicitly (else from the model: CIFAR or ImageNet)
  bool crop_from_model = false;  // --preprocess raw: the model's input size
  int threads = 1, batch = 1;
  bool quiet = false;
};

// Throws sfc::error(invalid_argument) for bad flags; prints usage and exits 0 for --help.
quantize_options parse_quantize_options(int argc, char** argv);

}  // namespace sfc_tools
