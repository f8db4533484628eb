// sfc_eval's engine: decodes the images once (in parallel), then runs every configuration on the
// same decoded batch and collects accuracy, speed, BOPs and per-layer feature-map error vs fp32.
#pragma once
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "graph/ir.h"
#include "tools/common/image.h"
#include "tools/common/preprocess.h"
#include "tools/sfc_eval/eval-options.h"

namespace sfc_eval {

// Images preprocessed into one float tensor [n, 3, h, w] (NCHW, plain).
struct decoded_images {
  std::vector<float> x;
  size_t count = 0, per_image = 0;
  double seconds = 0;
};
// Decodes image i with load(i) and preprocesses it, `threads` workers, results in index order.
// The first failure stops the workers and is rethrown.
decoded_images decode_images(const std::function<sfc::image(size_t)>& load, size_t count,
                             const sfc::preprocess_config& pc, int threads, bool progress, const std::string& label);

struct layer_error {
  std::string layer;   // conv node name of the prepared fp32 graph
  bool matched = false;  // the int8 graph has the same-named value with the same shape
  double mse = 0, rel_mse = 0;  // rel = MSE / mean(fp32²)
};

struct config_result {
  eval_config cfg;
  std::string error;  // non-empty: the configuration could not be prepared / run
  double top1 = 0, top5 = 0, agreement = -1;  // percent; agreement: top-1 equal to fp32's
  double images_per_s = 0, ms_per_image = 0, prepare_s = 0;
  double bops = 0;  // per image
  std::string impls;  // "sfc6_7x7_3x3 x18, onednn x3"
  std::vector<std::string> notes;  // executor log lines (fallbacks, ...)
  std::vector<layer_error> layers;  // per conv of the fp32 graph (int8 configs with --mse-images)
  std::vector<int> pred;  // top-1 per image
};

struct eval_summary {
  std::string model, data, layout, preprocess;
  size_t images = 0, calib_images = 0;
  int classes = 0, batch = 1, threads = 1, mse_images = 0;
  double decode_s = 0;
  double int8_direct_bops = 0, fp32_bops = 0;  // per image, every conv / Gemm
  std::vector<std::string> layers;  // conv layer names (fp32 prepared graph order)
  std::vector<config_result> configs;
};

// Runs every configuration of `o` on the decoded images. `calib` is the int8 calibration set
// (NCHW images back to back); labels are class indices in the model's order.
eval_summary run_eval(const sfc::graph& model, const eval_options& o, const decoded_images& images,
                      const std::vector<int>& labels, const std::vector<float>& calib, bool progress);

}  // namespace sfc_eval
