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

#include "benchmarks/shapes.h"
#include "graph/backends/conv2d-backend.h"
#include "kernels/algo/algorithm.h"
#include "kernels/fastconv/fastconv.h"

namespace {

struct layer_data {
  sfc::conv2d_params p;
  std::vector<uint8_t> src, dst;
  std::vector<int8_t> weights;
  std::vector<float> wscale, bias;
};

layer_data make_layer(const sfc::conv2d_params& p) {
  layer_data d;
  d.p = p;
  std::mt19937 g(42);
  std::uniform_int_distribution<int> u8(0, 255), s8(-127, 127);
  d.src.resize(size_t(p.n) * p.h * p.w * p.ic);
  for (auto& v : d.src) v = uint8_t(u8(g));
  d.weights.resize(size_t(p.oc) * p.ic * p.kh * p.kw);
  for (auto& v : d.weights) v = int8_t(s8(g));
  d.wscale.assign(p.oc, 1.f / (127.f * p.ic * p.kh * p.kw));
  d.bias.assign(p.oc, 0.1f);
  d.dst.resize(size_t(p.n) * p.oh() * p.ow() * p.oc);
  return d;
}

void set_counters(benchmark::State& st, const sfc::conv2d_params& p) {
  st.counters["GMAC/s"] = benchmark::Counter(p.direct_macs() * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

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

void bm_onednn(benchmark::State& st, sfc::conv2d_params p) {
  layer_data d = make_layer(p);
  sfc::q8_conv2d_config cfg;
  cfg.p = p, cfg.src_type = sfc::qtype::u8, cfg.src_scale = 1.f / 255;
  cfg.weight_scale = d.wscale, cfg.weights = d.weights, cfg.bias = d.bias;
  cfg.dst_type = sfc::qtype::u8, cfg.dst_scale = 1.f / 64, cfg.relu = true, cfg.threads = 1;
  std::unique_ptr<sfc::conv2d_backend> conv;
  try {
    conv = sfc::make_onednn_conv2d(cfg);
  } catch (const std::exception& e) {
    st.SkipWithError(e.what());
    return;
  }
  st.SetLabel(conv->impl_name());
  for (auto _ : st) conv->run(d.src.data(), d.dst.data());
  set_counters(st, p);
}

const bool registered = [] {
  for (const auto& s : sfc_bench::load_shapes(SFC_SHAPES_DIR "/resnet18-conv.txt")) {
    if (s.p.kh != 3 || s.p.stride_h != 1) continue;
    const std::string tag = std::to_string(s.p.ic) + "x" + std::to_string(s.p.h) + "x" + std::to_string(s.p.w);
    benchmark::RegisterBenchmark(("foundation/onednn_int8_direct/" + tag).c_str(), bm_onednn, s.p)
        ->Unit(benchmark::kMillisecond)->UseRealTime();
    benchmark::RegisterBenchmark(("foundation/scalar_sfc6_7x7_3x3_int8/" + tag).c_str(), bm_scalar_sfc, s.p,
                                 std::string("sfc6_7x7_3x3"))
        ->Unit(benchmark::kMillisecond)->UseRealTime();
  }
  return true;
}();

}  // namespace

