// Passes preserve outputs: each pass on vs off on the same graph and input; memory plan reuse.
#include "graph-test-util.h"
#include "graph/onnx/onnx.h"
#include "graph/passes/passes.h"
#include "graph/zoo/zoo.h"

namespace {

using sfc::executor_options;
using sfc::op_type;

int count_ops(const sfc::graph& g, op_type op) {
  int n = 0;
  for (const sfc::node& k : g.nodes) n += k.op == op;
  return n;
}

const sfc::shape_t kCifar = {2, 3, 32, 32};

executor_options with(bool fold_constants, bool fold_bn, bool fuse, bool reuse = true) {
  executor_options o;
  o.conv = sfc::conv_path::reference;
  o.prepare.fold_constants = fold_constants;
  o.prepare.fold_batch_norm = fold_bn;
  o.prepare.fuse = fuse;
  o.reuse_memory = reuse;
  return o;
}

TEST(Passes, BatchNormFoldingPreservesOutputs) {
  const sfc::graph g = sfc::zoo_build(sfc::zoo_model::resnet20);
  const std::vector<float> x = sfc_test::random_input(2 * 3 * 32 * 32, 1);
  sfc::executor folded(g, {kCifar}, with(true, true, false));
  sfc::executor plain(g, {kCifar}, with(true, false, false));
  EXPECT_EQ(count_ops(folded.prepared_graph(), op_type::batch_norm), 0);
  EXPECT_EQ(count_ops(plain.prepared_graph(), op_type::batch_norm), 19);
  const std::vector<float> a = sfc_test::run_graph(g, kCifar, x, with(true, true, false));
  const std::vector<float> b = sfc_test::run_graph(g, kCifar, x, with(true, false, false));
  EXPECT_LE(sfc_test::max_abs_diff(a, b), 1e-4f);
}

TEST(Passes, ConvFusionPreservesOutputs) {
  const sfc::graph g = sfc::zoo_build(sfc::zoo_model::resnet20);
  sfc::executor fused(g, {kCifar}, with(true, true, true));
  const sfc::graph& pg = fused.prepared_graph();
  EXPECT_EQ(count_ops(pg, op_type::relu), 0);
  EXPECT_EQ(count_ops(pg, op_type::add), 0);
  int residual = 0, relu = 0;
  for (const sfc::node& n : pg.nodes)
    if (n.op == op_type::conv) {
      residual += n.input(3) >= 0;
      relu += n.conv.act == sfc::activation_kind::relu;
    }
  EXPECT_EQ(residual, 9);  // one per block
  EXPECT_EQ(relu, 19);
  const std::vector<float> x = sfc_test::random_input(2 * 3 * 32 * 32, 2);
  for (sfc::conv_path path : {sfc::conv_path::reference, sfc::conv_path::automatic}) {
    executor_options on = with(true, true, true), off = with(true, true, false);
    on.conv = off.conv = path;
    EXPECT_LE(sfc_test::max_abs_diff(sfc_test::run_graph(g, kCifar, x, on),
                                     sfc_test::run_graph(g, kCifar, x, off)),
              1e-4f);
  }
}

// Residual fusion also takes the later of two conv operands (ResNet-18 downsample blocks).
TEST(Passes, FusionWithDownsampleBranch) {
  const sfc::graph g = sfc::zoo_build(sfc::zoo_model::resnet18);
  sfc::executor ex(g, {{1, 3, 224, 224}});
  EXPECT_EQ(count_ops(ex.prepared_graph(), op_type::add), 0);
  EXPECT_EQ(count_ops(ex.prepared_graph(), op_type::conv), 20);
}

TEST(Passes, ConstantFoldingPreservesOutputs) {
  const std::string onnx = sfc_test::data_path("cifar10_resnet_akamaster/resnet20.onnx");
  SFC_REQUIRE_DATA(onnx);
  const sfc::graph g = sfc::onnx_import_file(onnx);
  sfc::executor folded(g, {kCifar}, with(true, true, true));
  sfc::executor unfolded(g, {kCifar}, with(false, true, true));
  EXPECT_EQ(count_ops(folded.prepared_graph(), op_type::shape), 0);
  EXPECT_EQ(count_ops(folded.prepared_graph(), op_type::constant_of_shape), 0);
  EXPECT_EQ(count_ops(unfolded.prepared_graph(), op_type::shape), 2);
  EXPECT_GT(unfolded.prepared_graph().nodes.size(), folded.prepared_graph().nodes.size() + 20);
  const std::vector<float> x = sfc_test::random_input(2 * 3 * 32 * 32, 3);
  EXPECT_EQ(sfc_test::run_graph(g, kCifar, x, with(true, true, true)),
            sfc_test::run_graph(g, kCifar, x, with(false, true, true)));
}

TEST(Passes, MemoryPlanReusesBuffers) {
  const sfc::graph g = sfc::zoo_build(sfc::zoo_model::resnet20);
  const std::vector<float> x = sfc_test::random_input(2 * 3 * 32 * 32, 4);
  for (bool fuse : {false, true}) {
    sfc::executor planned(g, {kCifar}, with(true, true, fuse, true));
    sfc::executor separate(g, {kCifar}, with(true, true, fuse, false));
    const sfc::memory_plan& p = planned.plan();
    EXPECT_LT(p.arena_bytes, p.total_bytes);
    EXPECT_LE(p.arena_bytes * 4, p.total_bytes) << "expected a substantial reuse";
    EXPECT_EQ(separate.plan().arena_bytes, separate.plan().total_bytes);
    std::printf("[ resnet20 fuse=%d ] arena %zu bytes, sum of values %zu bytes\n", int(fuse),
                p.arena_bytes, p.total_bytes);
    EXPECT_EQ(sfc_test::run_graph(g, kCifar, x, with(true, true, fuse, true)),
              sfc_test::run_graph(g, kCifar, x, with(true, true, fuse, false)));
  }
}

// No two values that are live at the same time share bytes.
TEST(Passes, MemoryPlanHasNoOverlaps) {
  sfc::graph g = sfc::zoo_build(sfc::zoo_model::resnet18);
  sfc::set_input_shapes(g, {{1, 3, 224, 224}});
  sfc::prepare_graph(g);
  const sfc::memory_plan p = sfc::plan_memory(g);
  const size_t nn = g.nodes.size();
  std::vector<int> first(g.values.size(), -2), last(g.values.size(), -2);
  for (int i : g.inputs) first[size_t(i)] = last[size_t(i)] = -1;
  for (size_t k = 0; k < nn; ++k) {
    for (int o : g.nodes[k].outputs) first[size_t(o)] = last[size_t(o)] = int(k);
    for (int i : g.nodes[k].inputs)
      if (i >= 0 && first[size_t(i)] > -2) last[size_t(i)] = int(k);
  }
  for (int o : g.outputs) last[size_t(o)] = int(nn);
  for (size_t a = 0; a < g.values.size(); ++a)
    for (size_t b = a + 1; b < g.values.size(); ++b) {
      if (p.offset[a] < 0 || p.offset[b] < 0) continue;
      if (!(first[a] <= last[b] && first[b] <= last[a])) continue;
      const int64_t a0 = p.offset[a], a1 = a0 + int64_t(g.values[a].desc.bytes());
      const int64_t b0 = p.offset[b], b1 = b0 + int64_t(g.values[b].desc.bytes());
      EXPECT_TRUE(a1 <= b0 || b1 <= a0) << g.values[a].name << " overlaps " << g.values[b].name;
    }
}

}  // namespace
