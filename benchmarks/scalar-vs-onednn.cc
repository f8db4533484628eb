// Foundation benchmark: the scalar int8 SFC layer (requantized, b = 8) against oneDNN int8 direct
// convolution (u8 src, s8 weights, per-channel output scales, u8 dst, ReLU) on the ResNet-18 3x3
// stride-1 shapes, in the same process. Counter GMAC/s = direct MACs / time for both, so the
// numbers compare directly (house style §9). The scalar path is the portable oracle, not the fast
// path: it proves the pipeline runs end to end and that oneDNN is linked and used correctly.
#include <benchmark/benchmark.h>

#include <omp.h>

#include <memory>
#include <random>
#include <vector>

#include "benchmarks/bench-util.h"
#include "benchmarks/shapes.h"
#include "kernels/algo/algorithm.h"
#include "kernels/fastconv/fastconv.h"

namespace {

using sfc_bench::layer_data;
using sfc_bench::make_layer;
using sfc_bench::set_counters;

void bm_scalar_sfc(benchmark::State& st, sfc::conv2d_params p, std::string algo) {
  const auto& alg = *sfc::find_algorithm(algo);
  layer_data d = make_layer(p);
  auto tw = sfc::fastconv_q8_transform_weights(alg, p.oc, p.ic, d.weights.data(), 8);
  std::vector<double> maxabs;
  sfc::fastconv_q8_calibrate(alg, p, d.src.data(), sfc::qtype::u8, 0, maxabs);
  auto ts = sfc::fastconv_q8_act_scales_from_maxabs(maxabs, 8);
  sfc::q8_output_params o;
  o.src_scale = 1.f / 255, o.weight_scale = d.wscale.data(), o.bias = d.bias.data();
  o.dst_type = sfc::qtype::u8, o.dst_scale = 1.f / 64, o.relu = true;
  auto out = sfc::fastconv_q8_prepare_output(alg, tw, ts, o);
  omp_set_num_threads(1);  // one thread, as oneDNN below
  for (auto _ : st)
    sfc::fastconv_q8_run(alg, p, d.src.data(), sfc::qtype::u8, 0, tw, ts, out, d.dst.data());
  set_counters(st, p);
}

const bool registered = [] {
  for (const auto& s : sfc_bench::load_shapes(SFC_SHAPES_DIR "/resnet18-conv.txt")) {
    if (s.p.kh != 3 || s.p.stride_h != 1) continue;
    const std::string tag = std::to_string(s.p.ic) + "x" + std::to_string(s.p.h) + "x" + std::to_string(s.p.w);
    benchmark::RegisterBenchmark(("foundation/onednn_int8_direct/" + tag).c_str(), sfc_bench::bm_onednn, s.p)
        ->Unit(benchmark::kMillisecond)->UseRealTime();
    benchmark::RegisterBenchmark(("foundation/scalar_sfc6_7x7_3x3_int8/" + tag).c_str(), bm_scalar_sfc, s.p,
                                 std::string("sfc6_7x7_3x3"))
        ->Unit(benchmark::kMillisecond)->UseRealTime();
  }
  return true;
}();

}  // namespace

