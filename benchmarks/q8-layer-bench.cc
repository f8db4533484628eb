// The SIMD int8 SFC layer (fastconv_q8_layer, b = 8) against oneDNN int8 direct convolution
// (u8 src, s8 weights, per-channel scales, u8 dst, ReLU), one thread, batch 1, in the same
// process. Counter GMAC/s = direct MACs / time for both. The SFC rows also report the share of
// the input transform / batched GEMM / output transform (in_pct, gemm_pct, out_pct), measured
// in a separate instrumented pass after the timed loop.
// Experiments: SFC_Q8_TILE_BLOCK=<tiles>, SFC_Q8_BGEMM=<kernel name> override the layer's choice.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "benchmarks/bench-util.h"
#include "kernels/algo/algorithm.h"
#include "kernels/fastconv/fastconv.h"
#include "kernels/fastconv/q8-layer.h"

namespace {

using sfc_bench::layer_data;
using sfc_bench::make_layer;
using sfc_bench::set_counters;

void bm_sfc_layer(benchmark::State& st, sfc::conv2d_params p, std::string algo) {
  const auto& alg = *sfc::find_algorithm(algo);
  layer_data d = make_layer(p);
  std::vector<double> maxabs;
  sfc::fastconv_q8_calibrate(alg, p, d.src.data(), sfc::qtype::u8, 0, maxabs);
  const auto ts = sfc::fastconv_q8_act_scales_from_maxabs(maxabs, 8);
  sfc::q8_output_params o;
  o.src_scale = 1.f / 255, o.weight_scale = d.wscale.data(), o.bias = d.bias.data();
  o.dst_type = sfc::qtype::u8, o.dst_scale = 1.f / 64, o.relu = true;
  sfc::fastconv_q8_layer_options opt;
  if (const char* e = std::getenv("SFC_Q8_TILE_BLOCK")) opt.tile_block = std::atoi(e);
  if (const char* e = std::getenv("SFC_Q8_BGEMM")) opt.bgemm = e;
  std::unique_ptr<sfc::fastconv_q8_layer> layer;
  try {
    layer = std::make_unique<sfc::fastconv_q8_layer>(alg, p, d.weights.data(), 8, ts, o,
                                                      sfc::qtype::u8, 0,
                                                      sfc::isa_level::avx512vnni, opt);
  } catch (const std::exception& e) {
    st.SkipWithError(e.what());
    return;
  }
  st.SetLabel(layer->kernel_name() + " tb=" + std::to_string(layer->tile_block()));
  for (auto _ : st) layer->run(d.src.data(), d.dst.data(), 1);
  set_counters(st, p);
  sfc::fastconv_q8_stage_times t;
  for (int i = 0; i < 50; i++) layer->run(d.src.data(), d.dst.data(), 1, &t);
  const double all = t.input + t.gemm + t.output;
  st.counters["in_pct"] = 100 * t.input / all;
  st.counters["gemm_pct"] = 100 * t.gemm / all;
  st.counters["out_pct"] = 100 * t.output / all;
}

const bool registered = [] {
  struct shape {
    int c, hw, k;
    const char* algo;
  };
  const shape shapes[] = {
      {64, 56, 3, "sfc6_7x7_3x3"},  {128, 28, 3, "sfc6_7x7_3x3"}, {256, 14, 3, "sfc6_7x7_3x3"},
      {512, 7, 3, "sfc6_7x7_3x3"},  {64, 56, 3, "sfc6_6x6_3x3"},  {64, 56, 3, "sfc4_4x4_3x3"},
      {64, 56, 3, "wino_4x4_3x3"},  {64, 56, 3, "wino_2x2_3x3"},  {256, 14, 3, "sfc4_4x4_3x3"},
      {256, 14, 3, "wino_4x4_3x3"}, {512, 7, 3, "sfc4_4x4_3x3"},  {64, 56, 5, "sfc6_6x6_5x5"},
      {128, 28, 5, "sfc6_6x6_5x5"}, {64, 56, 7, "sfc6_6x6_7x7"},  {128, 28, 7, "sfc6_6x6_7x7"},
  };
  for (const auto& s : shapes) {
    sfc::conv2d_params p;
    p.ic = p.oc = s.c, p.h = p.w = s.hw, p.kh = p.kw = s.k;
    p.pad_t = p.pad_l = p.pad_b = p.pad_r = s.k / 2;
    const std::string tag = "k" + std::to_string(s.k) + "/" + std::to_string(s.c) + "x" +
                            std::to_string(s.hw) + "x" + std::to_string(s.hw);
    benchmark::RegisterBenchmark(("q8layer/onednn_int8_direct/" + tag).c_str(), sfc_bench::bm_onednn, p)
        ->Unit(benchmark::kMillisecond)->UseRealTime();
    benchmark::RegisterBenchmark(("q8layer/" + std::string(s.algo) + "/" + tag).c_str(),
                                 bm_sfc_layer, p, std::string(s.algo))
        ->Unit(benchmark::kMillisecond)->UseRealTime();
  }
  return true;
}();

}  // namespace
