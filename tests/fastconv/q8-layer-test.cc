// fastconv_q8_layer (the SIMD int8 layer) against fastconv_q8_run: the same dst bytes for every
// supported algorithm, u8 / s8 src and dst, relu on / off, bits 8 and 6, threads 1 and 2.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "kernels/algo/algorithm.h"
#include "kernels/common/error.h"
#include "kernels/fastconv/fastconv.h"
#include "kernels/fastconv/q8-layer.h"
#include "kernels/isa.h"
#include "tests/fastconv/test-util.h"

namespace {

using namespace sfc;

const char* const kAlgorithms[] = {"sfc6_7x7_3x3", "sfc6_6x6_3x3", "sfc4_4x4_3x3", "sfc6_6x6_5x5",
                                   "sfc6_4x4_7x7", "sfc6_6x6_7x7", "wino_2x2_3x3", "wino_4x4_3x3"};

struct layer_case {
  conv2d_params p;
  qtype src = qtype::u8, dst = qtype::u8;
  int32_t src_zp = 0, dst_zp = 0;
  bool relu = false;
  int bits = 8;
  bool hot_scales = false;  // activation scales far too small: saturating Uq everywhere
  uint32_t seed = 1;
};

// Runs the reference and the layer (isa cap given), returns whether the bytes are identical.
void check_layer(const fastconv_algorithm& alg, const layer_case& c, isa_level isa,
                 const std::string& what) {
  const conv2d_params& p = c.p;
  const size_t n_src = size_t(p.n) * p.h * p.w * p.ic, n_dst = size_t(p.n) * p.oh() * p.ow() * p.oc;
  std::vector<uint8_t> src = sfc_test::random_u8(n_src, c.seed);
  auto w = sfc_test::random_s8(size_t(p.oc) * p.ic * p.kh * p.kw, c.seed + 1);
  std::vector<float> wscale(p.oc), bias(p.oc);
  for (int o = 0; o < p.oc; o++) wscale[o] = 0.0005f * (1 + o % 7), bias[o] = 0.3f * (o % 9 - 4);
  q8_output_params op;
  op.src_scale = 0.05f, op.weight_scale = wscale.data(), op.bias = bias.data();
  op.dst_type = c.dst, op.dst_scale = 0.25f, op.dst_zero_point = c.dst_zp, op.relu = c.relu;
  const auto tw = fastconv_q8_transform_weights(alg, p.oc, p.ic, w.data(), c.bits);
  std::vector<double> maxabs;
  fastconv_q8_calibrate(alg, p, src.data(), c.src, c.src_zp, maxabs);
  if (c.hot_scales)
    for (auto& m : maxabs) m *= 0.05;
  const auto ts = fastconv_q8_act_scales_from_maxabs(maxabs, c.bits);
  const auto out = fastconv_q8_prepare_output(alg, tw, ts, op);
  std::vector<uint8_t> want(n_dst), got1(n_dst, 0xcd), got2(n_dst, 0xab), got3(n_dst, 0x5a);
  fastconv_q8_run(alg, p, src.data(), c.src, c.src_zp, tw, ts, out, want.data());
  fastconv_q8_layer layer(alg, p, w.data(), c.bits, ts, op, c.src, c.src_zp, isa);
  layer.run(src.data(), got1.data(), 1);
  layer.run(src.data(), got2.data(), 2);
  layer.run(src.data(), got3.data(), 3);
  size_t bad = 0, first = 0;
  for (size_t i = 0; i < n_dst; i++)
    if (got1[i] != want[i] && bad++ == 0) first = i;
  EXPECT_EQ(bad, 0u) << what << " " << layer.kernel_name() << ": first at " << first << " got "
                     << int(got1[first]) << " want " << int(want[first]);
  EXPECT_EQ(got1, got2) << what << ": threads 1 and 2 differ";
  EXPECT_EQ(got1, got3) << what << ": threads 1 and 3 differ";
}

bool have_avx512() { return isa_supported(isa_level::avx512vnni); }

TEST(FastconvQ8Layer, MatchesReferenceAllAlgorithms) {
  if (!have_avx512()) GTEST_SKIP() << "CPU lacks avx512vnni";
  uint32_t seed = 10;
  for (const char* name : kAlgorithms) {
    const auto& alg = *find_algorithm(name);
    int variant = 0;
    for (qtype src : {qtype::u8, qtype::s8})
      for (qtype dst : {qtype::u8, qtype::s8})
        for (bool relu : {false, true})
          for (int bits : {8, 6}) {
            layer_case c;
            c.p.n = 1 + variant % 2, c.p.ic = variant % 3 == 0 ? 17 : 64, c.p.oc = variant % 4 == 1 ? 21 : 48;
            c.p.h = 13 + variant % 5, c.p.w = 11 + variant % 7;
            c.p.kh = c.p.kw = alg.r;
            c.p.pad_t = c.p.pad_l = alg.r / 2, c.p.pad_b = c.p.pad_r = alg.r / 2 - (variant % 3 == 2);
            c.src = src, c.dst = dst, c.relu = relu, c.bits = bits;
            c.src_zp = src == qtype::u8 ? 120 + variant : -3 - variant;
            c.dst_zp = dst == qtype::u8 ? 5 + variant : -7 + variant;
            c.hot_scales = variant % 5 == 4;
            c.seed = seed++;
            check_layer(alg, c, isa_level::avx512vnni,
                        std::string(name) + " variant " + std::to_string(variant));
            variant++;
          }
  }
}

TEST(FastconvQ8Layer, AwkwardShapes) {
  if (!have_avx512()) GTEST_SKIP() << "CPU lacks avx512vnni";
  const auto& alg = *find_algorithm("sfc6_7x7_3x3");
  uint32_t seed = 500;
  for (int ic : {1, 3, 17, 513})
    for (int hw : {1, 5, 13, 57}) {
      if (ic == 513 && hw > 13) continue;  // keeps the scalar reference fast
      layer_case c;
      c.p.n = 3, c.p.ic = ic, c.p.oc = ic == 513 ? 20 : 35, c.p.h = hw, c.p.w = hw == 57 ? 5 : hw;
      c.p.kh = c.p.kw = 3, c.p.pad_t = c.p.pad_l = c.p.pad_b = c.p.pad_r = 1;
      c.src_zp = 128, c.relu = true, c.seed = seed++;
      check_layer(alg, c, isa_level::avx512vnni, "ic=" + std::to_string(ic) + " hw=" + std::to_string(hw));
    }
  for (int oc : {1, 3, 17, 64, 65, 130}) {
    layer_case c;
    c.p.n = 1, c.p.ic = 32, c.p.oc = oc, c.p.h = 15, c.p.w = 9;
    c.p.kh = c.p.kw = 3, c.p.pad_t = c.p.pad_l = c.p.pad_b = c.p.pad_r = 1;
    c.seed = seed++;
    check_layer(alg, c, isa_level::avx512vnni, "oc=" + std::to_string(oc));
  }
  // 27 tiles = 3 blocks of 12 (or fewer) and 2 or 3 chunks of 64 channels: with 2 threads the
  // blocks do not divide evenly, so each thread takes a group of channel chunks over every block
  // (work-split.h); with 3 threads the blocks do.
  for (int oc : {128, 192}) {
    layer_case c;
    c.p.n = 3, c.p.ic = 24, c.p.oc = oc, c.p.h = c.p.w = 20;
    c.p.kh = c.p.kw = 3, c.p.pad_t = c.p.pad_l = c.p.pad_b = c.p.pad_r = 1;
    c.seed = seed++;
    check_layer(alg, c, isa_level::avx512vnni, "split oc=" + std::to_string(oc));
  }
}

TEST(FastconvQ8Layer, ScalarKernelsMatchReference) {
  const auto& alg = *find_algorithm("sfc4_4x4_3x3");
  layer_case c;
  c.p.n = 2, c.p.ic = 33, c.p.oc = 19, c.p.h = 10, c.p.w = 7;
  c.p.kh = c.p.kw = 3, c.p.pad_t = c.p.pad_l = c.p.pad_b = c.p.pad_r = 1;
  c.src = qtype::s8, c.dst = qtype::s8, c.relu = true, c.src_zp = 3, c.dst_zp = -2;
  check_layer(alg, c, isa_level::scalar, "scalar");
}

// The transform-domain scratch belongs to the calling thread (thread-scratch.h), shared by every
// layer run there: layers of different sizes run one after the other on one thread, and two
// application threads run their layers at the same time (each with 2 OpenMP workers); every
// output equals the layer's own output when run alone.
TEST(FastconvQ8Layer, ScratchSharedAcrossLayersAndThreads) {
  struct item {
    std::unique_ptr<fastconv_q8_layer> layer;
    std::vector<uint8_t> src, alone;
  };
  std::vector<item> items;
  const char* algos[] = {"sfc6_7x7_3x3", "sfc4_4x4_3x3", "wino_4x4_3x3", "sfc6_6x6_5x5"};
  const int shapes[][3] = {{24, 33, 16}, {40, 15, 9}, {8, 57, 40}, {20, 21, 21}};  // ic, hw, oc
  for (int i = 0; i < 4; ++i) {
    const fastconv_algorithm& alg = *find_algorithm(algos[i]);
    conv2d_params p;
    p.n = 2, p.ic = shapes[i][0], p.h = p.w = shapes[i][1], p.oc = shapes[i][2];
    p.kh = p.kw = alg.r, p.pad_t = p.pad_l = p.pad_b = p.pad_r = alg.r / 2;
    item it;
    it.src = sfc_test::random_u8(size_t(p.n) * p.h * p.w * p.ic, 40 + uint32_t(i));
    const auto w = sfc_test::random_s8(size_t(p.oc) * p.ic * p.kh * p.kw, 50 + uint32_t(i));
    std::vector<float> wscale(size_t(p.oc), 0.001f), bias(size_t(p.oc), 0.5f);
    q8_output_params op;
    op.src_scale = 0.05f, op.weight_scale = wscale.data(), op.bias = bias.data();
    op.dst_scale = 0.25f, op.relu = true;
    std::vector<double> maxabs;
    fastconv_q8_calibrate(alg, p, it.src.data(), qtype::u8, 0, maxabs);
    it.layer = std::make_unique<fastconv_q8_layer>(
        alg, p, w.data(), 8, fastconv_q8_act_scales_from_maxabs(maxabs, 8), op, qtype::u8, 0);
    it.alone.assign(size_t(p.n) * p.oh() * p.ow() * p.oc, 0);
    it.layer->run(it.src.data(), it.alone.data(), 1);
    items.push_back(std::move(it));
  }
  auto run_all = [&](size_t first, std::vector<std::vector<uint8_t>>& out) {
    for (size_t k = 0; k < 3 * items.size(); ++k) {  // a few rounds, sizes alternating
      const item& it = items[(first + k) % items.size()];
      std::vector<uint8_t> got(it.alone.size(), 0xcd);
      it.layer->run(it.src.data(), got.data(), 2);
      out.push_back(std::move(got));
    }
  };
  std::vector<std::vector<uint8_t>> a, b;
  std::thread t1([&] { run_all(0, a); }), t2([&] { run_all(2, b); });
  t1.join(), t2.join();
  for (size_t k = 0; k < a.size(); ++k) {
    EXPECT_EQ(a[k], items[k % items.size()].alone) << "thread 1, run " << k;
    EXPECT_EQ(b[k], items[(2 + k) % items.size()].alone) << "thread 2, run " << k;
  }
}

TEST(FastconvQ8Layer, RejectsWhatItCannotRun) {
  const auto& alg = *find_algorithm("sfc6_7x7_3x3");
  conv2d_params p;
  p.ic = 8, p.oc = 8, p.h = p.w = 9, p.kh = p.kw = 3, p.pad_t = p.pad_l = p.pad_b = p.pad_r = 1;
  std::vector<int8_t> w(size_t(8) * 8 * 9, 1);
  std::vector<float> ws(8, 0.01f);
  q8_output_params op;
  op.weight_scale = ws.data();
  fastconv_q8_act_scales s;
  s.bits = 8, s.mul.assign(144, 100);
  EXPECT_THROW(fastconv_q8_layer(alg, p, w.data(), 8, s, op, qtype::u8, 300), error);
  EXPECT_THROW(fastconv_q8_layer(alg, p, w.data(), 8, s, op, qtype::f32, 0), error);
  s.mul.resize(100);
  EXPECT_THROW(fastconv_q8_layer(alg, p, w.data(), 8, s, op, qtype::u8, 0), error);
  s.mul.assign(144, 100);
  op.dst_type = qtype::f32;
  EXPECT_THROW(fastconv_q8_layer(alg, p, w.data(), 8, s, op, qtype::u8, 0), error);
  op.dst_type = qtype::u8;
  const auto& w6 = *find_algorithm("wino_6x6_3x3");
  s.mul.assign(64, 100);
  EXPECT_THROW(fastconv_q8_layer(w6, p, w.data(), 8, s, op, qtype::u8, 0), error);
  p.stride_h = 2;
  s.mul.assign(144, 100);
  EXPECT_THROW(fastconv_q8_layer(alg, p, w.data(), 8, s, op, qtype::u8, 0), error);
}

}  // namespace
