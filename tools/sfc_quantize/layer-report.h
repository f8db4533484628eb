// sfc_quantize's per-layer report: for every int8 conv, the relative output MSE against the fp32
// layer of direct int8, Winograd F(4×4) and each SFC variant that fits (max-abs transform-domain
// scales at the chosen bits, calibrated on the tuning images), of the chosen implementation with
// its final (granularity + fine-tuned) scales, and the BOPs of each (tools/common/bops.h).
#pragma once
#include <string>
#include <vector>

#include "tools/sfc_quantize/layer-data.h"
#include "tools/sfc_quantize/td-tuning.h"

namespace sfc_tools {

struct layer_entry {
  std::string name, shape, impl;  // impl: the chosen implementation
  std::vector<std::pair<std::string, double>> mse;   // per compared algorithm (-1: n/a)
  std::vector<std::pair<std::string, double>> gbops;  // per compared algorithm (-1: n/a)
  bool tuned = false;  // SFC layer with a tuning result
  td_tune_result tune;
  double chosen_gbops = 0;
};

struct quantize_report {
  std::vector<std::string> algos;  // compared algorithms (columns)
  std::vector<layer_entry> layers;
  double direct_gbops = 0, chosen_gbops = 0;  // the whole network's convs
  int bits = 8;
};

// The algorithms of the report: "direct" plus `wanted` (empty: wino_4x4_3x3 and every SFC
// algorithm) that fit at least one layer.
std::vector<std::string> report_algorithms(const std::vector<layer_data>& layers,
                                           const std::vector<std::string>& wanted);
// Fills one layer's entry (mse and BOPs per algorithm); `chosen` is the final td scales result
// for SFC layers (null otherwise). `images` = tuning images in d.
layer_entry report_layer(const layer_data& d, const std::vector<std::string>& algos, int bits,
                         const td_tune_result* chosen, int images);

std::string report_markdown(const quantize_report& r, const std::string& title);
std::string report_json(const quantize_report& r, const std::vector<std::pair<std::string, std::string>>& meta);

}  // namespace sfc_tools
