// Internals shared by executor.cc and executor-int8.cc (not part of the executor's interface).
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "graph/executor.h"
#include "graph/ops/conv2d-int8.h"
#include "graph/plan-cache.h"

namespace sfc {

// One node, ready to run: kernel plus the views it reads and writes. For kernels that want
// plain tensors, NHWC values are converted through scratch buffers around the call.
struct executor::step {
  std::unique_ptr<node_kernel> kernel;
  std::vector<tview> in, out;
  struct conversion {
    const tensor_desc* from;
    const void* src;
    const tensor_desc* to;
    void* dst;
  };
  std::vector<conversion> before, after;
  std::vector<std::unique_ptr<tensor_desc>> twins;
  std::vector<std::vector<uint8_t>> scratch;
};

// The int8 mode's per-conv state while implementations are chosen (executor-int8.cc,
// executor-select.cc).
struct executor::int8_state {
  struct conv_entry {
    size_t step = 0;  // node index in g_
    conv_int8_layer layer;
    std::vector<conv_impl_choice> impls;
    std::map<std::string, std::vector<double>> sfc_maxabs;  // per SFC variant to calibrate
    std::vector<double> time_ms;                            // per impl; < 0: not timed
    std::vector<double> err_pct;  // per impl: relative RMS error vs the exact baseline (auto)
    int chosen = -1;
    std::string how;  // "auto", "forced", "fallback", "cached", "only"
  };
  std::vector<conv_entry> convs;
  size_t per_image = 0;  // input floats per image
  int images = 0;
  conv_impl_choice forced;
  bool is_auto = true;
  int8_plan cached;
  bool have_cache = false;
  bool fixed_by_model = false;  // `cached` holds the quantized model's per-layer impls
  std::function<void(const std::string&)> log;
};

// Measurement state of one conv in the "auto" selection (executor-select.cc).
struct executor::measure_slot {
  int8_state::conv_entry* e = nullptr;  // null: not measured
  std::vector<int> cands;               // candidate indices into e->impls, one per slot
  int installed = -1;                   // candidate in the step now (-1: failed to prepare)
  std::unique_ptr<node_kernel> exact;   // the baseline, for the error check
  std::vector<tview> out;               // the step's outputs, redirected to scratch
  std::vector<uint8_t> scratch;
  std::vector<double> err;  // per impl: relative RMS difference from exact
};

// `batch` images starting at image `first`, cycling through the calibration set.
std::vector<float> image_batch(const calibration_data& c, size_t per_image, int images, int first,
                               int batch);
std::string format_ms(double v);   // "0.1234 ms"
std::string format_pct(double v);  // 0.0123 -> "1.23 %"

}  // namespace sfc
