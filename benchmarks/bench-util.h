// What every layer benchmark shares: random layer data (u8 activations, s8 weights, per-channel
// scales, u8 ReLU output), the GMAC/s counter (direct MACs / time, for every implementation) and
// the oneDNN int8 direct row that the others are compared with in the same process.
#pragma once
#include <benchmark/benchmark.h>

#include <exception>
#include <memory>
#include <random>
#include <vector>

#include "graph/backends/conv2d-backend.h"
#include "kernels/ref/conv2d-ref.h"

namespace sfc_bench {

struct layer_data {
  sfc::conv2d_params p;
  std::vector<uint8_t> src, dst;
  std::vector<int8_t> weights;
  std::vector<float> wscale, bias;
};

inline layer_data make_layer(const sfc::conv2d_params& p) {
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

inline void set_counters(benchmark::State& st, const sfc::conv2d_params& p) {
  st.counters["GMAC/s"] =
      benchmark::Counter(p.direct_macs() * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

inline sfc::q8_conv2d_config backend_config(const layer_data& d, int threads) {
  sfc::q8_conv2d_config cfg;
  cfg.p = d.p, cfg.src_type = sfc::qtype::u8, cfg.src_scale = 1.f / 255;
  cfg.weight_scale = d.wscale, cfg.weights = d.weights, cfg.bias = d.bias;
  cfg.dst_type = sfc::qtype::u8, cfg.dst_scale = 1.f / 64, cfg.relu = true, cfg.threads = threads;
  return cfg;
}

// oneDNN int8 direct convolution: src scale 1/255, dst scale 1/64, ReLU, `threads` threads.
inline void bm_onednn_threads(benchmark::State& st, sfc::conv2d_params p, int threads) {
  layer_data d = make_layer(p);
  std::unique_ptr<sfc::conv2d_backend> conv;
  try {
    conv = sfc::make_onednn_conv2d(backend_config(d, threads));
  } catch (const std::exception& e) {
    st.SkipWithError(e.what());
    return;
  }
  st.SetLabel(conv->impl_name());
  for (auto _ : st) conv->run(d.src.data(), d.dst.data());
  set_counters(st, p);
}
inline void bm_onednn(benchmark::State& st, sfc::conv2d_params p) { bm_onednn_threads(st, p, 1); }

// XNNPACK qc8 convolution, the same layer in its signed form: src x ^ 0x80 with zero point −128
// (the same values as u8 with zero point 0), s8 dst with zero point −128 (ReLU clamps at it).
inline void bm_xnnpack(benchmark::State& st, sfc::conv2d_params p, int threads) {
  layer_data d = make_layer(p);
  sfc::q8_conv2d_config cfg = backend_config(d, threads);
  cfg.src_type = sfc::qtype::s8, cfg.src_zero_point = -128;
  cfg.dst_type = sfc::qtype::s8, cfg.dst_zero_point = -128;
  for (auto& v : d.src) v ^= 0x80;
  std::unique_ptr<sfc::conv2d_backend> conv;
  try {
    conv = sfc::make_xnnpack_conv2d(cfg);
  } catch (const std::exception& e) {
    st.SkipWithError(e.what());
    return;
  }
  st.SetLabel(conv->impl_name());
  for (auto _ : st) conv->run(d.src.data(), d.dst.data());
  set_counters(st, p);
}

}  // namespace sfc_bench
