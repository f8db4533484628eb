// Transform-domain scales of one SFC / Winograd layer: the initial scales at a granularity
// (from max-abs statistics) and the fine-tuning search that minimises the layer's output error
// against the fp32 layer (relative MSE on the tuning images, layer-data.h).
//
// Search (coordinate descent; a step is kept only if the layer error drops on both the even and
// the odd tuning images, a guard against fitting a few images' outliers):
//   1. one multiplier for all activation scales, from a grid below 1 (clipping outliers);
//   2. the same for all weight scales;
//   3. per transform point p: activation scale ×0.85 / ×1.15 (frequency granularities);
//   4. per point: the weight scales of all output channels ×0.85 / ×1.15 (idem).
// Power-of-two scales (TQT style, s = 2^⌈log2 s⌉) use the multipliers ½ and 2 instead.
#pragma once
#include <vector>

#include "tools/sfc_quantize/layer-data.h"
#include "tools/sfc_quantize/quantize-options.h"

namespace sfc_tools {

struct td_scales {
  std::vector<float> act;  // [P] integer-form units
  std::vector<float> w;    // [oc][P]
};

struct td_tune_result {
  td_scales scales;
  double mse_maxabs = 0;   // relative MSE with the per-(oc, point) max-abs scales
  double mse_initial = 0;  // at the requested granularity, before the search
  double mse_tuned = 0;    // after the search (= mse_initial without tuning)
  int evaluations = 0;
};

// d.L.ci.quant.impl names the SFC algorithm, td_act_scale holds its max-abs activation scales.
td_tune_result tune_td_scales(const layer_data& d, td_granularity g, bool pow2, bool search);

}  // namespace sfc_tools
