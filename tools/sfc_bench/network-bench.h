// sfc_bench --model: whole-network latency of the sfc pipeline against an oneDNN-only and an
// XNNPACK-only pipeline, in one process, interleaved, through the public C API only.
#pragma once
#include <string>
#include <vector>

namespace sfc {

struct network_bench_options {
  std::string model = "resnet18";  // built-in name or .onnx file
  std::vector<std::string> pipelines = {"auto", "onednn", "xnnpack"};  // sfc model "impl" policies
  bool int8 = true;
  int batch = 1, threads = 1, warmup = 5, runs = 30, bits = 8;
  std::string plan_cache;            // for "auto"
  bool per_layer = true;             // one extra profiled run per pipeline
};

struct network_layer_row {
  std::string name, op, impl;
  double ms = 0, macs = 0;
};

struct network_bench_row {
  std::string pipeline, error;
  double median_ms = 0, min_ms = 0, max_ms = 0, ratio_vs_onednn = 0, images_per_s = 0;
  double prepare_s = 0;
  std::vector<network_layer_row> layers;
};

std::vector<network_bench_row> run_network_bench(const network_bench_options& o);
std::string network_bench_table(const network_bench_options& o, const std::vector<network_bench_row>& rows);
std::string network_bench_json(const network_bench_options& o, const std::vector<network_bench_row>& rows);
// Horizontal bar chart of per-layer time (ms) for every pipeline, as a standalone SVG document.
std::string network_bench_svg(const network_bench_options& o, const std::vector<network_bench_row>& rows);

}  // namespace sfc
