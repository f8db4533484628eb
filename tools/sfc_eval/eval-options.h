// Command line of sfc_eval.
#pragma once
#include <string>
#include <vector>

#include "tools/common/dataset.h"
#include "tools/common/preprocess.h"

namespace sfc_eval {

// One evaluated configuration: fp32, or int8 with an implementation policy and transform bits.
struct eval_config {
  std::string name;     // "fp32", "int8:sfc6_7x7_3x3@6"
  bool int8 = false;
  std::string policy;   // int8: executor int8_options::policy
  int bits = 8;         // int8: int8_options::td_bits
  bool tuned = false;   // int8 "+tune": the sfc_quantize pipeline (transform-domain scale search)
  std::string sfcq;     // "sfcq:FILE": a quantized model file (its own scales and choices)
};
inline eval_config fp32_config() {
  eval_config c;
  c.name = "fp32", c.bits = 32;
  return c;
}

struct eval_options {
  std::string model;  // zoo name or .onnx file
  std::string sfcq;   // --model FILE.sfcq: quantized model files (not supported yet; see parse)
  std::string data;
  sfc::dataset_options ds;
  int input_h = 0, input_w = 0;  // --input-size HxW (raw-u8 and preprocessing override)
  int limit = 0;                 // 0 = all images
  std::vector<eval_config> configs;
  std::string calib;             // "" = evenly spaced images of the evaluation set
  int calib_count = 100;
  int batch = 1, threads = 1, decode_threads = 0;  // 0 = hardware concurrency
  int mse_images = 16;
  std::string preprocess = "auto";  // auto: cifar for 32x32 models, else imagenet with the model's size
  bool pre_overridden = false;      // --resize/--crop/--mean/--std/--bgr given
  int resize = -1, crop = -1;
  bool mean_set = false, std_set = false, bgr = false;
  float mean[3] = {0, 0, 0}, stdv[3] = {1, 1, 1};
  std::string report_md, json, svg;
  int progress = -1;  // -1: when stderr is a TTY; 0 off (--quiet); 1 on (--progress)
  bool quiet = false;
};

// Expands "paper" and validates each entry; throws sfc::error(invalid_argument).
std::vector<eval_config> parse_configs(const std::string& list);

// Throws sfc::error(invalid_argument) for bad flags; prints usage and exits 0 for --help.
eval_options parse_eval_options(int argc, char** argv);

// The preprocessing for a model input of h x w (auto: cifar when 32x32).
sfc::preprocess_config make_preprocess(const eval_options& o, int h, int w);

}  // namespace sfc_eval
