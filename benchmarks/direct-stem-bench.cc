// The direct small-channel int8 layer (kernels/direct/q8-direct-layer.h) against oneDNN int8 on
// the ResNet stem (3→64, 7×7, stride 2, pad 3, 224², u8 → u8 ReLU), 1 thread, batch 1 and 8, in
// the same process. Counter GMAC/s = direct MACs / time.
#include <benchmark/benchmark.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "graph/backends/conv2d-backend.h"
#include "kernels/direct/q8-direct-layer.h"

namespace {

struct stem_data {
  sfc::conv2d_params p;
  std::vector<uint8_t> src, dst;
  std::vector<int8_t> weights;
  std::vector<float> wscale, bias;
};

stem_data make_stem(int n) {
  stem_data d;
  sfc::conv2d_params& p = d.p;
  p.n = n, p.ic = 3, p.oc = 64, p.h = p.w = 224, p.kh = p.kw = 7, p.stride_h = p.stride_w = 2;
  p.pad_t = p.pad_l = p.pad_b = p.pad_r = 3;
  std::mt19937 g(7);
  std::uniform_int_distribution<int> u8(0, 255), s8(-127, 127);
  d.src.resize(size_t(n) * 224 * 224 * 3);
  for (auto& v : d.src) v = uint8_t(u8(g));
  d.weights.resize(64 * 3 * 49);
  for (auto& v : d.weights) v = int8_t(s8(g));
  d.wscale.assign(64, 1.f / (127.f * 147));
  d.bias.assign(64, 0.1f);
  d.dst.resize(size_t(n) * p.oh() * p.ow() * 64);
  return d;
}

void counters(benchmark::State& st, const sfc::conv2d_params& p) {
  st.counters["GMAC/s"] =
      benchmark::Counter(p.direct_macs() * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

void bm_direct(benchmark::State& st, int n) {
  stem_data d = make_stem(n);
  const float src_scale = 1.f / 255, dst_scale = 1.f / 64;
  sfc::direct_q8_config c;
  c.p = d.p, c.weights = d.weights.data(), c.relu = true;
  for (int o = 0; o < 64; ++o) {
    c.oscale.push_back(src_scale * d.wscale[size_t(o)] / dst_scale);
    c.bias_acc.push_back(d.bias[size_t(o)] / (src_scale * d.wscale[size_t(o)]));
  }
  sfc::direct_q8_layer layer(c);
  st.SetLabel(layer.kernel_name());
  for (auto _ : st) layer.run(d.src.data(), d.dst.data(), 1);
  counters(st, d.p);
}

void bm_onednn(benchmark::State& st, int n) {
  stem_data d = make_stem(n);
  sfc::q8_conv2d_config cfg;
  cfg.p = d.p, cfg.src_type = sfc::qtype::u8, cfg.src_scale = 1.f / 255;
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
  counters(st, d.p);
}

const bool registered = [] {
  for (int n : {1, 8}) {
    const std::string tag = "/3x224x224-k7s2/b" + std::to_string(n);
    benchmark::RegisterBenchmark(("stem/onednn_int8_direct" + tag).c_str(), bm_onednn, n)
        ->Unit(benchmark::kMillisecond)->UseRealTime();
    benchmark::RegisterBenchmark(("stem/smallc_direct" + tag).c_str(), bm_direct, n)
        ->Unit(benchmark::kMillisecond)->UseRealTime();
  }
  return true;
}();

}  // namespace
