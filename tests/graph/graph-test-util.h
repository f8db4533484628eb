// Shared helpers for the graph tests: data files, CIFAR preprocessing, comparisons.
#pragma once
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "graph/executor.h"
#include "graph/ir.h"

namespace sfc_test {

inline std::string data_path(const std::string& rel) { return std::string(SFC_DATA_DIR) + "/" + rel; }

inline bool file_exists(const std::string& p) { return std::ifstream(p, std::ios::binary).good(); }

#define SFC_REQUIRE_DATA(path)                                                          \
  do {                                                                                  \
    if (!sfc_test::file_exists(path))                                                   \
      GTEST_SKIP() << "test data not found: " << (path) << " (set SFC_DATA_DIR)";      \
  } while (0)

inline std::vector<uint8_t> read_bytes(const std::string& p) {
  std::ifstream f(p, std::ios::binary);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

// akamaster preprocessing (cifar10_resnet_akamaster/SOURCE.md), in float32 like numpy:
// x = (pixel / 255 - mean[c]) / std[c], kept NHWC.
inline std::vector<float> cifar_preprocess(const std::vector<uint8_t>& u8) {
  static const float mean[3] = {0.485f, 0.456f, 0.406f}, stdv[3] = {0.229f, 0.224f, 0.225f};
  std::vector<float> x(u8.size());
  for (size_t i = 0; i < u8.size(); ++i) {
    const size_t c = i % 3;
    x[i] = (float(u8[i]) / 255.0f - mean[c]) / stdv[c];
  }
  return x;
}

inline std::vector<int> read_labels(const std::string& p) {
  std::ifstream f(p);
  std::vector<int> l;
  int v;
  while (f >> v) l.push_back(v);
  return l;
}

inline int argmax(const float* v, int n) { return int(std::max_element(v, v + n) - v); }

inline float max_abs_diff(const std::vector<float>& a, const std::vector<float>& b) {
  EXPECT_EQ(a.size(), b.size());
  float m = 0;
  for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) m = std::max(m, std::fabs(a[i] - b[i]));
  return m;
}

inline std::vector<float> random_input(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> d(0.f, 1.f);
  std::vector<float> v(n);
  for (float& x : v) x = d(rng);
  return v;
}

// Runs `g` on one NHWC (4-D) or plain input and returns output 0 in plain layout.
inline std::vector<float> run_graph(const sfc::graph& g, const sfc::shape_t& in_shape,
                                    const std::vector<float>& input, sfc::executor_options o = {}) {
  sfc::executor ex(g, {in_shape}, o);
  ex.set_input(0, input.data(), in_shape.size() == 4 ? sfc::tensor_layout::nhwc : sfc::tensor_layout::plain);
  ex.run();
  sfc::tensor t = ex.output(0);
  return std::vector<float>(t.as<float>(), t.as<float>() + t.numel());
}

}  // namespace sfc_test
