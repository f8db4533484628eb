// The direct small-channel int8 layer (kernels/direct/q8-direct-layer.h) against oneDNN int8 on
// the ResNet stem (3→64, 7×7, stride 2, pad 3, 224², u8 → u8 ReLU), 1 thread, batch 1 and 8, in
// the same process. Counter GMAC/s = direct MACs / time.
#include <benchmark/benchmark.h>

#include <string>

#include "benchmarks/bench-util.h"
#include "kernels/direct/q8-direct-layer.h"

namespace {

sfc::conv2d_params stem(int n) {
  sfc::conv2d_params p;
  p.n = n, p.ic = 3, p.oc = 64, p.h = p.w = 224, p.kh = p.kw = 7, p.stride_h = p.stride_w = 2;
  p.pad_t = p.pad_l = p.pad_b = p.pad_r = 3;
  return p;
}

// The same quantization as sfc_bench::bm_onednn (src scale 1/255, dst scale 1/64, ReLU).
void bm_direct(benchmark::State& st, sfc::conv2d_params p) {
  sfc_bench::layer_data d = sfc_bench::make_layer(p);
  const float src_scale = 1.f / 255, dst_scale = 1.f / 64;
  sfc::direct_q8_config c;
  c.p = p, c.weights = d.weights.data(), c.relu = true;
  for (int o = 0; o < p.oc; ++o) {
    c.oscale.push_back(src_scale * d.wscale[size_t(o)] / dst_scale);
    c.bias_acc.push_back(d.bias[size_t(o)] / (src_scale * d.wscale[size_t(o)]));
  }
  sfc::direct_q8_layer layer(c);
  st.SetLabel(layer.kernel_name());
  for (auto _ : st) layer.run(d.src.data(), d.dst.data(), 1);
  sfc_bench::set_counters(st, p);
}

const bool registered = [] {
  for (int n : {1, 8}) {
    const std::string tag = "/3x224x224-k7s2/b" + std::to_string(n);
    benchmark::RegisterBenchmark(("stem/onednn_int8_direct" + tag).c_str(), sfc_bench::bm_onednn,
                                 stem(n))
        ->Unit(benchmark::kMillisecond)->UseRealTime();
    benchmark::RegisterBenchmark(("stem/smallc_direct" + tag).c_str(), bm_direct, stem(n))
        ->Unit(benchmark::kMillisecond)->UseRealTime();
  }
  return true;
}();

}  // namespace
