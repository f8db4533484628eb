// fastconv_q8_layer with the residual add fused into the output transform: the same bytes as the
// layer's s8 output followed by the separate residual pass (scalar elementwise kernel), for every
// ISA tier present (capped by SFC_MAX_ISA), every algorithm, u8 / s8 residual and dst, relu on /
// off, awkward shapes, 1 and 3 threads.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "kernels/algo/algorithm.h"
#include "kernels/common/error.h"
#include "kernels/elementwise/elementwise.h"
#include "kernels/fastconv/fastconv.h"
#include "kernels/fastconv/q8-layer.h"
#include "kernels/isa.h"
#include "tests/fastconv/test-util.h"

namespace {

using namespace sfc;

// The tiers that can run here, at or below effective_isa() (SFC_MAX_ISA), scalar first.
std::vector<isa_level> tiers() {
  const isa_level eff = effective_isa();
  const bool arm = eff == isa_level::neon || eff == isa_level::neondot;
  std::vector<isa_level> out{isa_level::scalar};
  for (isa_level l : {isa_level::avx2, isa_level::avx512vnni, isa_level::neondot})
    if (isa_supported(l) && (l == isa_level::neondot) == arm && int(l) <= int(eff)) out.push_back(l);
  return out;
}

struct residual_case {
  conv2d_params p;
  qtype res = qtype::u8, dst = qtype::u8;
  bool relu = true;
  float a = 0.7f, b = 1.3f;
};

conv2d_params shape(int n, int c_in, int c_out, int h, int w, int k) {
  conv2d_params p;
  p.n = n, p.ic = c_in, p.oc = c_out, p.h = h, p.w = w, p.kh = p.kw = k;
  p.pad_t = p.pad_l = p.pad_b = p.pad_r = k / 2;
  return p;
}

void check_fused(const fastconv_algorithm& alg, const residual_case& c, uint32_t seed,
                 isa_level isa) {
  const conv2d_params& p = c.p;
  const size_t n_src = size_t(p.n) * p.h * p.w * p.ic, n_dst = size_t(p.n) * p.oh() * p.ow() * p.oc;
  const std::vector<uint8_t> src = sfc_test::random_u8(n_src, seed);
  const std::vector<uint8_t> res = sfc_test::random_u8(n_dst, seed + 7);
  const auto w = sfc_test::random_s8(size_t(p.oc) * p.ic * p.kh * p.kw, seed + 1);
  std::vector<float> wscale(p.oc), bias(p.oc);
  for (int o = 0; o < p.oc; o++) wscale[o] = 0.0005f * (1 + o % 7), bias[o] = 0.3f * (o % 9 - 4);
  q8_output_params op;  // the core: s8, zero point 0, no relu (as the graph's without_residual)
  op.src_scale = 0.05f, op.weight_scale = wscale.data(), op.bias = bias.data();
  op.dst_type = qtype::s8, op.dst_scale = 0.25f;
  std::vector<double> maxabs;
  fastconv_q8_calibrate(alg, p, src.data(), qtype::u8, 0, maxabs);
  const auto ts = fastconv_q8_act_scales_from_maxabs(maxabs, 8);
  fastconv_q8_layer_options fo;
  fo.residual.enabled = true, fo.residual.a = c.a, fo.residual.b = c.b;
  fo.residual.residual_type = c.res, fo.residual.dst_type = c.dst, fo.residual.relu = c.relu;
  fastconv_q8_layer fused(alg, p, w.data(), 8, ts, op, qtype::u8, 0, isa, fo);
  fastconv_q8_layer plain(alg, p, w.data(), 8, ts, op, qtype::u8, 0, isa);
  ASSERT_EQ(fused.kernel_name(), plain.kernel_name());
  ASSERT_TRUE(fused.fuses_residual()) << alg.name << " " << fused.kernel_name();
  ASSERT_FALSE(plain.fuses_residual());
  EXPECT_THROW(fused.run(src.data(), std::vector<uint8_t>(n_dst).data()), error);

  std::vector<int8_t> t(n_dst);
  plain.run(src.data(), t.data(), 1);
  std::vector<uint8_t> want(n_dst), got1(n_dst, 0xcd), got3(n_dst, 0xab);
  elementwise_kernels_for(isa_level::scalar)
      .residual_add[c.res == qtype::s8][c.dst == qtype::s8](t.data(), res.data(), want.data(),
                                                             n_dst, c.a, c.b, c.relu);
  fused.run(src.data(), res.data(), got1.data(), 1);
  fused.run(src.data(), res.data(), got3.data(), 3);
  size_t bad = 0, first = 0;
  for (size_t i = 0; i < n_dst; i++)
    if (got1[i] != want[i] && bad++ == 0) first = i;
  EXPECT_EQ(bad, 0u) << fused.kernel_name() << " oc " << p.oc << " " << p.h << "x" << p.w << " res "
                     << (c.res == qtype::s8 ? "s8" : "u8") << " dst "
                     << (c.dst == qtype::s8 ? "s8" : "u8") << " relu " << c.relu << ": first at "
                     << first << " got " << int(got1[first]) << " want " << int(want[first]);
  EXPECT_EQ(got1, got3) << fused.kernel_name() << ": threads 1 and 3 differ";
}

// Every algorithm on the best tier; two on the lower ones (their residual code is one template
// for all algorithms, and the scalar tier is slow under qemu).
TEST(FastconvQ8Residual, FusedEqualsSeparatePass) {
  uint32_t seed = 40;
  const std::vector<isa_level> all = tiers();
  for (isa_level isa : all)
  for (const char* name : {"sfc6_7x7_3x3", "sfc4_4x4_3x3", "sfc6_6x6_3x3", "wino_2x2_3x3",
                           "wino_4x4_3x3", "sfc6_6x6_5x5", "sfc6_4x4_7x7"}) {
    if (isa != all.back() && name != std::string("sfc6_7x7_3x3") && name != std::string("sfc4_4x4_3x3"))
      continue;
    const fastconv_algorithm& alg = *find_algorithm(name);
    for (qtype res : {qtype::u8, qtype::s8})
      for (qtype dst : {qtype::u8, qtype::s8})
        for (bool relu : {false, true}) {
          residual_case c;
          c.p = shape(2, 19, 40, 13, 17, alg.r);  // partial tiles, oc not a multiple of 16
          c.res = res, c.dst = dst, c.relu = relu;
          check_fused(alg, c, seed++, isa);
        }
  }
}

TEST(FastconvQ8Residual, SaturatesAndRoundsLikeThePass) {
  const fastconv_algorithm& alg = *find_algorithm("sfc6_7x7_3x3");
  residual_case c;
  c.p = shape(1, 32, 48, 9, 11, 3);
  for (isa_level isa : tiers())
  for (float a : {0.5f, 2.5f, 9.f})  // large a, b: many outputs clamp at both ends
    for (float b : {0.25f, 1.5f, 4.f}) {
      c.a = a, c.b = b;
      c.dst = qtype::s8, c.relu = false;
      check_fused(alg, c, 90, isa);
      c.dst = qtype::u8, c.relu = true;
      check_fused(alg, c, 91, isa);
    }
}

// The fused add needs the layer's own stage to be s8 with zero point 0 and no relu; otherwise
// the layer declines it (the graph then adds the residual in a separate pass).
TEST(FastconvQ8Residual, DeclinedForAnOutputStageItCannotExtend) {
  const fastconv_algorithm& alg = *find_algorithm("sfc4_4x4_3x3");
  const conv2d_params p = shape(1, 8, 8, 9, 9, 3);
  const std::vector<uint8_t> src = sfc_test::random_u8(size_t(p.h) * p.w * p.ic, 3);
  const auto w = sfc_test::random_s8(size_t(p.oc) * p.ic * 9, 4);
  std::vector<float> wscale(p.oc, 0.001f);
  q8_output_params op;
  op.src_scale = 0.05f, op.weight_scale = wscale.data(), op.dst_type = qtype::u8, op.dst_scale = 0.25f;
  op.relu = true;
  std::vector<double> maxabs;
  fastconv_q8_calibrate(alg, p, src.data(), qtype::u8, 0, maxabs);
  fastconv_q8_layer_options fo;
  fo.residual.enabled = true;
  for (isa_level isa : tiers()) {
    fastconv_q8_layer layer(alg, p, w.data(), 8, fastconv_q8_act_scales_from_maxabs(maxabs, 8),
                            op, qtype::u8, 0, isa, fo);
    EXPECT_FALSE(layer.fuses_residual()) << layer.kernel_name();
    std::vector<uint8_t> dst(size_t(p.oh()) * p.ow() * p.oc), res(dst.size());
    EXPECT_THROW(layer.run(src.data(), res.data(), dst.data()), error);
    EXPECT_NO_THROW(layer.run(src.data(), dst.data()));
  }
}

}  // namespace
