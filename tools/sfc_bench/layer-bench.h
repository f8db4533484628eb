// sfc_bench --layer: times one convolution layer with several implementations in one process,
// interleaved (every repetition runs each implementation once, in turn), after a warm-up.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "kernels/ref/conv2d-ref.h"

namespace sfc {

struct layer_bench_options {
  conv2d_params p;
  std::vector<std::string> impls;  // sfc6_7x7_3x3, scalar:sfc6_7x7_3x3, onednn, onednn_wino, xnnpack, ref
  int threads = 1;
  int warmup = 10;
  int runs = 100;
  bool cold = false;               // flush caches before every timed run
  int bits = 8;
  std::string max_isa;             // "" = SFC_MAX_ISA / detected
};

struct layer_bench_row {
  std::string name, detail;
  double median_ms = 0, min_ms = 0, max_ms = 0;
  double gmacs = 0;                // direct MACs / median time
  double ratio_vs_onednn = 0;      // onednn median / this median (> 1: faster than oneDNN)
  std::string error;               // non-empty if the implementation could not run this layer
};

std::vector<layer_bench_row> run_layer_bench(const layer_bench_options& o);
std::string layer_bench_table(const layer_bench_options& o, const std::vector<layer_bench_row>& rows);
std::string layer_bench_json(const layer_bench_options& o, const std::vector<layer_bench_row>& rows);

}  // namespace sfc
