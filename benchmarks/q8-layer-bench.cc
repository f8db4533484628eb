// The int8 SFC layer (fastconv_q8_layer, transform domain 8 bits) beside oneDNN int8 direct and
// XNNPACK qc8 convolution in the same process: u8 src, s8 weights, per-channel scales, u8 dst,
// ReLU. Shapes: the ResNet-18/50 3×3 stride-1 stages (56²×64, 28²×128, 14²×256, 7²×512) and 5×5,
// 7×7 stride-1 layers (56²×64, 28²×128); batch 1 and 8; 1 and 2 threads.
// Names: q8layer/<k>/<c>x<hw>x<hw>/b<batch>/t<threads>/<impl>, so a filter such as
// --benchmark_filter='k3/64x56x56/b1/t1/' gives one comparison group. Counter GMAC/s = direct
// MACs / time for every row; the SFC rows also report the input transform / batched GEMM / output
// transform shares (in_pct, gemm_pct, out_pct), measured in a separate instrumented pass after the
// timed loop. Experiments: SFC_Q8_TILE_BLOCK=<tiles>, SFC_Q8_BGEMM=<kernel name> override the
// layer's choice. sfc_bench --layer runs the same comparison interleaved (median of repeats).
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

void bm_sfc_layer(benchmark::State& st, sfc::conv2d_params p, std::string algo, int threads) {
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
  for (auto _ : st) layer->run(d.src.data(), d.dst.data(), threads);
  set_counters(st, p);
  sfc::fastconv_q8_stage_times t;  // one thread: the stage timers are the calling thread's
  for (int i = 0; i < 20; i++) layer->run(d.src.data(), d.dst.data(), 1, &t);
  const double all = t.input + t.gemm + t.output;
  st.counters["in_pct"] = 100 * t.input / all;
  st.counters["gemm_pct"] = 100 * t.gemm / all;
  st.counters["out_pct"] = 100 * t.output / all;
}

const bool registered = [] {
  struct shape {
    int c, hw, k;
    std::vector<const char*> algos;
  };
  const shape shapes[] = {
      {64, 56, 3, {"sfc6_7x7_3x3", "sfc4_4x4_3x3", "sfc6_6x6_3x3", "wino_2x2_3x3", "wino_4x4_3x3"}},
      {128, 28, 3, {"sfc6_7x7_3x3", "sfc4_4x4_3x3", "wino_2x2_3x3"}},
      {256, 14, 3, {"sfc6_7x7_3x3", "sfc4_4x4_3x3", "wino_2x2_3x3", "wino_4x4_3x3"}},
      {512, 7, 3, {"sfc6_7x7_3x3", "sfc4_4x4_3x3", "wino_2x2_3x3"}},
      {64, 56, 5, {"sfc6_6x6_5x5"}},
      {128, 28, 5, {"sfc6_6x6_5x5"}},
      {64, 56, 7, {"sfc6_4x4_7x7", "sfc6_6x6_7x7"}},
      {128, 28, 7, {"sfc6_4x4_7x7", "sfc6_6x6_7x7"}},
  };
  for (const auto& s : shapes)
    for (int n : {1, 8})
      for (int threads : {1, 2}) {
        sfc::conv2d_params p;
        p.n = n, p.ic = p.oc = s.c, p.h = p.w = s.hw, p.kh = p.kw = s.k;
        p.pad_t = p.pad_l = p.pad_b = p.pad_r = s.k / 2;
        const std::string tag = "q8layer/k" + std::to_string(s.k) + "/" + std::to_string(s.c) +
                                "x" + std::to_string(s.hw) + "x" + std::to_string(s.hw) + "/b" +
                                std::to_string(n) + "/t" + std::to_string(threads) + "/";
        benchmark::RegisterBenchmark((tag + "onednn_int8_direct").c_str(),
                                     sfc_bench::bm_onednn_threads, p, threads)
            ->Unit(benchmark::kMillisecond)->UseRealTime();
        benchmark::RegisterBenchmark((tag + "xnnpack_qc8").c_str(), sfc_bench::bm_xnnpack, p,
                                     threads)
            ->Unit(benchmark::kMillisecond)->UseRealTime();
        for (const char* algo : s.algos)
          benchmark::RegisterBenchmark((tag + algo).c_str(), bm_sfc_layer, p, std::string(algo),
                                       threads)
              ->Unit(benchmark::kMillisecond)->UseRealTime();
      }
  return true;
}();

}  // namespace
