// The EXACT int8 layer (fastconv_q16_layer: int16 transform domain, vpdpwssd GEMMs, bit-identical
// to the direct convolution + requantize_acc) against oneDNN int8 direct convolution (u8 src,
// s8 weights, per-channel scales, u8 dst, ReLU), one thread, batch 1, in the same process.
// Counter GMAC/s = direct MACs / time for both. The q16 rows also report the share of the input
// transform / batched GEMM / output transform (in_pct, gemm_pct, out_pct), measured in a
// separate instrumented pass after the timed loop.
// Experiments: SFC_Q16_TILE_BLOCK=<tiles>, SFC_Q16_BGEMM=<kernel name> override the layer's choice.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "benchmarks/bench-util.h"
#include "kernels/algo/algorithm.h"
#include "kernels/fastconv/q16-layer.h"

namespace {

using sfc_bench::layer_data;
using sfc_bench::make_layer;
using sfc_bench::set_counters;

void bm_q16_layer(benchmark::State& st, sfc::conv2d_params p, std::string algo) {
  const auto& alg = *sfc::find_algorithm(algo);
  layer_data d = make_layer(p);
  sfc::q8_output_params o;
  o.src_scale = 1.f / 255, o.weight_scale = d.wscale.data(), o.bias = d.bias.data();
  o.dst_type = sfc::qtype::u8, o.dst_scale = 1.f / 64, o.relu = true;
  sfc::fastconv_q16_layer_options opt;
  if (const char* e = std::getenv("SFC_Q16_TILE_BLOCK")) opt.tile_block = std::atoi(e);
  if (const char* e = std::getenv("SFC_Q16_BGEMM")) opt.bgemm = e;
  std::unique_ptr<sfc::fastconv_q16_layer> layer;
  try {
    layer = sfc::fastconv_q16_layer::create(alg, p, d.weights.data(), o, sfc::qtype::u8, 0,
                                            sfc::isa_level::avx512vnni, opt);
  } catch (const std::exception& e) {
    st.SkipWithError(e.what());
    return;
  }
  st.SetLabel(layer->kernel_name() + " tb=" + std::to_string(layer->tile_block()));
  for (auto _ : st) layer->run(d.src.data(), d.dst.data(), 1);
  set_counters(st, p);
  sfc::fastconv_q16_stage_times t;
  for (int i = 0; i < 30; i++) layer->run(d.src.data(), d.dst.data(), 1, &t);
  const double all = t.input + t.gemm + t.output;
  st.counters["in_pct"] = 100 * t.input / all;
  st.counters["gemm_pct"] = 100 * t.gemm / all;
  st.counters["out_pct"] = 100 * t.output / all;
}

// With --benchmark_repetitions: the fastest repetition, the least disturbed by other load.
double min_of(const std::vector<double>& v) { return v.empty() ? 0 : *std::min_element(v.begin(), v.end()); }

const bool registered = [] {
  struct shape {
    int c, hw;
    const char* algo;
  };
  // oneDNN is registered before and after each q16 row: same-process reruns on a noisy machine.
  const shape shapes[] = {
      {64, 56, "sfc6_7x7_3x3"},  {128, 28, "sfc6_7x7_3x3"}, {256, 14, "sfc6_7x7_3x3"},
      {128, 28, "sfc6_6x6_3x3"}, {64, 56, "sfc4_4x4_3x3"},  {64, 56, "wino_2x2_3x3"},
  };
  for (const auto& s : shapes) {
    sfc::conv2d_params p;
    p.ic = p.oc = s.c, p.h = p.w = s.hw, p.kh = p.kw = 3;
    p.pad_t = p.pad_l = p.pad_b = p.pad_r = 1;
    const std::string tag = std::to_string(s.c) + "x" + std::to_string(s.hw) + "x" + std::to_string(s.hw);
    benchmark::RegisterBenchmark(("q16layer/" + tag + "/" + s.algo + "/onednn_int8_direct_before").c_str(), sfc_bench::bm_onednn, p)
        ->Unit(benchmark::kMillisecond)->UseRealTime()->ComputeStatistics("min", min_of);
    benchmark::RegisterBenchmark(("q16layer/" + tag + "/" + s.algo + "/exact_q16").c_str(), bm_q16_layer, p,
                                 std::string(s.algo))
        ->Unit(benchmark::kMillisecond)->UseRealTime()->ComputeStatistics("min", min_of);
    benchmark::RegisterBenchmark(("q16layer/" + tag + "/" + s.algo + "/onednn_int8_direct_after").c_str(), sfc_bench::bm_onednn, p)
        ->Unit(benchmark::kMillisecond)->UseRealTime()->ComputeStatistics("min", min_of);
  }
  return true;
}();

}  // namespace
