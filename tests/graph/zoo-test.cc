// Zoo models: build, infer shapes, run with batch 2; activations stay in a sane range; ONNX
// export / import round trip.
#include <chrono>

#include "graph-test-util.h"
#include "graph/onnx/onnx.h"
#include "graph/passes/passes.h"
#include "graph/zoo/zoo.h"

namespace {

struct zoo_case {
  sfc::zoo_model m;
  int64_t hw, classes;
  int convs;
};

class Zoo : public testing::TestWithParam<zoo_case> {};

std::string zoo_name(const testing::TestParamInfo<zoo_case>& i) { return sfc::zoo_model_name(i.param.m); }

TEST_P(Zoo, BuildsInfersAndRunsBatch2) {
  const zoo_case c = GetParam();
  const sfc::graph g = sfc::zoo_build(c.m);
  const sfc::shape_t in = {2, 3, c.hw, c.hw};
  const auto t0 = std::chrono::steady_clock::now();
  sfc::executor ex(g, {in});
  ASSERT_EQ(ex.num_outputs(), 1u);
  EXPECT_EQ(sfc::shape_str(ex.output_desc(0).shape), sfc::shape_str({2, c.classes}));
  int convs = 0;
  for (const sfc::node& n : ex.prepared_graph().nodes) convs += n.op == sfc::op_type::conv;
  EXPECT_EQ(convs, c.convs);
  const std::vector<float> x = sfc_test::random_input(size_t(2 * 3 * c.hw * c.hw), 7);
  ex.set_input(0, x.data(), sfc::tensor_layout::nhwc);
  ex.run();
  const auto t1 = std::chrono::steady_clock::now();
  const sfc::tensor out = ex.output(0);
  double sum = 0, sq = 0;
  for (int64_t i = 0; i < out.numel(); ++i) {
    const float v = out.as<float>()[i];
    ASSERT_TRUE(std::isfinite(v));
    sum += v, sq += double(v) * v;
  }
  const double mean = sum / double(out.numel()), sd = std::sqrt(sq / double(out.numel()) - mean * mean);
  std::printf("[ %s batch 2 ] logits std %.3f, build+prepare+run %.0f ms, arena %.1f MiB\n",
              sfc::zoo_model_name(c.m), sd, std::chrono::duration<double, std::milli>(t1 - t0).count(),
              double(ex.plan().arena_bytes) / (1 << 20));
  EXPECT_GT(sd, 0.1);  // neither vanishing ...
  EXPECT_LT(sd, 10.0);  // ... nor exploding
  // The two images give different logits.
  EXPECT_GT(sfc_test::max_abs_diff(std::vector<float>(out.as<float>(), out.as<float>() + c.classes),
                                   std::vector<float>(out.as<float>() + c.classes, out.as<float>() + 2 * c.classes)),
            1e-3f);
}

INSTANTIATE_TEST_SUITE_P(All, Zoo,
                         testing::Values(zoo_case{sfc::zoo_model::resnet18, 224, 1000, 20},
                                         zoo_case{sfc::zoo_model::resnet34, 224, 1000, 36},
                                         zoo_case{sfc::zoo_model::resnet50, 224, 1000, 53},
                                         zoo_case{sfc::zoo_model::resnet20, 32, 10, 19},
                                         zoo_case{sfc::zoo_model::resnet32, 32, 10, 31},
                                         zoo_case{sfc::zoo_model::resnet56, 32, 10, 55}),
                         zoo_name);

TEST(Zoo, ShapeInferenceOnly) {
  sfc::graph g = sfc::zoo_build(sfc::zoo_model::resnet50);
  sfc::set_input_shapes(g, sfc::input_shapes_with_batch(g, 4));
  sfc::infer_shapes(g);
  EXPECT_EQ(sfc::shape_str(g.values[size_t(g.outputs[0])].desc.shape), "[4, 1000]");
  const int fc_in = g.nodes.back().inputs[0];
  EXPECT_EQ(sfc::shape_str(g.values[size_t(fc_in)].desc.shape), "[4, 2048]");
}

TEST(Zoo, DeterministicAndNamed) {
  sfc::zoo_model m;
  ASSERT_TRUE(sfc::zoo_model_from_name("resnet56", &m));
  EXPECT_EQ(m, sfc::zoo_model::resnet56);
  EXPECT_FALSE(sfc::zoo_model_from_name("vgg16", &m));
  const sfc::graph a = sfc::zoo_build(sfc::zoo_model::resnet20), b = sfc::zoo_build(sfc::zoo_model::resnet20);
  EXPECT_EQ(sfc::onnx_export(a), sfc::onnx_export(b));
}

TEST(Zoo, OnnxRoundTrip) {
  const sfc::graph g = sfc::zoo_build(sfc::zoo_model::resnet20);
  const std::vector<uint8_t> bytes = sfc::onnx_export(g);
  const sfc::graph back = sfc::onnx_import_memory(bytes.data(), bytes.size(), "roundtrip");
  const std::vector<float> x = sfc_test::random_input(2 * 3 * 32 * 32, 9);
  const sfc::shape_t in = {2, 3, 32, 32};
  EXPECT_EQ(sfc_test::run_graph(g, in, x), sfc_test::run_graph(back, in, x));
}

}  // namespace
