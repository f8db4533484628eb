// fp32 grouped convolutions (graph/ops/conv2d.cc conv_grouped: the depthwise fast path and the
// general grouped loop) against a double-precision oracle, with stride, asymmetric padding, bias
// and a channel multiplier.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "graph/executor.h"
#include "int8-test-util.h"

namespace {

struct gcase {
  int ic, oc, groups, stride;
};

TEST(Fp32GroupedConv, MatchesADoubleOracle) {
  for (const gcase& c : {gcase{6, 6, 6, 1}, gcase{6, 6, 6, 2}, gcase{6, 12, 3, 1}, gcase{4, 8, 4, 2}}) {
    SCOPED_TRACE("ic " + std::to_string(c.ic) + " oc " + std::to_string(c.oc) + " groups " +
                 std::to_string(c.groups) + " stride " + std::to_string(c.stride));
    const int H = 9, W = 8, icg = c.ic / c.groups, ocg = c.oc / c.groups;
    std::mt19937 rng(2);
    std::normal_distribution<float> d(0.f, 1.f);
    std::vector<float> w(size_t(c.oc) * icg * 9), b(size_t(c.oc)), x(size_t(c.ic) * H * W);
    for (float& v : w) v = d(rng);
    for (float& v : b) v = d(rng);
    for (float& v : x) v = d(rng);
    sfc::graph g;
    const int xv = g.add_value("x");
    g.values[size_t(xv)].desc = sfc::tensor_desc{sfc::dtype::f32, {1, c.ic, H, W}, sfc::tensor_layout::plain};
    g.inputs = {xv};
    const int wv = g.add_constant("w", sfc::make_f32_tensor({c.oc, icg, 3, 3}, w));
    const int bv = g.add_constant("b", sfc::make_f32_tensor({c.oc}, b));
    const int y = g.add_value("y");
    g.add_node(sfc::op_type::conv, "conv", {xv, wv, bv}, {y});
    auto& at = g.nodes.back().attrs;
    auto ints = [](std::vector<int64_t> v) {
      sfc::attribute a;
      a.kind = sfc::attribute::ints, a.int_values = std::move(v);
      return a;
    };
    at["group"].kind = sfc::attribute::i, at["group"].int_value = c.groups;
    at["strides"] = ints({c.stride, c.stride});
    at["pads"] = ints({1, 0, 2, 1});  // top, left, bottom, right
    g.outputs = {y};
    sfc::executor_options o;
    o.log = [](const std::string&) {};
    sfc::executor ex(g, {{1, c.ic, H, W}}, o);
    ex.set_input(0, x.data(), sfc::tensor_layout::plain);
    ex.run();
    const sfc::tensor out = ex.output(0);
    const int oh = (H + 3 - 3) / c.stride + 1, ow = (W + 1 - 3) / c.stride + 1;
    ASSERT_EQ(out.desc().shape, (sfc::shape_t{1, c.oc, oh, ow}));
    double worst = 0;
    for (int oc = 0; oc < c.oc; ++oc)
      for (int oy = 0; oy < oh; ++oy)
        for (int ox = 0; ox < ow; ++ox) {
          double acc = b[size_t(oc)];
          for (int i = 0; i < icg; ++i)
            for (int ky = 0; ky < 3; ++ky)
              for (int kx = 0; kx < 3; ++kx) {
                const int iy = oy * c.stride - 1 + ky, ix = ox * c.stride + kx;
                if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
                const int ch = (oc / ocg) * icg + i;
                acc += double(x[(size_t(ch) * H + iy) * W + ix]) * w[((size_t(oc) * icg + i) * 3 + ky) * 3 + kx];
              }
          const float got = out.as<float>()[(size_t(oc) * oh + oy) * ow + ox];
          worst = std::max(worst, std::fabs(double(got) - acc));
        }
    EXPECT_LT(worst, 1e-5);
  }
}

}  // namespace
