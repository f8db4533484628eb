// Command line of sfc_infer.
#pragma once
#include <string>
#include <vector>

#include "tools/common/preprocess.h"

namespace sfc_tools {

struct infer_options {
  std::string model, labels, impl = "auto", json, calib;
  std::vector<std::string> inputs;
  sfc::preprocess_config pre;
  int top_k = 5, batch = 1, threads = 1, bits = 8, calib_count = 16;
  bool int8 = false;
  bool pre_set = false;  // a preprocessing flag was given (else a .sfcq file's own is used)
  bool crop_from_model = false;  // --preprocess raw without --crop: the model's input size
};

// Throws sfc::error(invalid_argument) with a clear message for bad flags; prints usage and exits
// 0 for --help.
infer_options parse_infer_options(int argc, char** argv);

}  // namespace sfc_tools
