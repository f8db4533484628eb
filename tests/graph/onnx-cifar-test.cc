// The real ONNX exports of akamaster's CIFAR ResNet-20/32 in fp32 against PyTorch's logits on the
// 200 lossless EEMBC test images, through both convolution paths.
#include <chrono>
#include <cstdio>

#include "graph-test-util.h"
#include "graph/backends/conv2d-backend.h"
#include "graph/onnx/onnx.h"
#include "tools/common/npz.h"

namespace {

using sfc_test::data_path;

struct cifar_case {
  const char* model;
  double top1;  // reference accuracy on the 200 images (SOURCE.md)
  sfc::conv_path path;
};

std::string case_name(const testing::TestParamInfo<cifar_case>& i) {
  return std::string(i.param.model) + (i.param.path == sfc::conv_path::onednn ? "_onednn" : "_reference");
}

class OnnxCifar : public testing::TestWithParam<cifar_case> {};

TEST_P(OnnxCifar, ReproducesPyTorchLogits) {
  const cifar_case c = GetParam();
  const std::string onnx = data_path(std::string("cifar10_resnet_akamaster/") + c.model + ".onnx");
  const std::string dir = data_path("cifar10_test_lossless200_eembc/");
  SFC_REQUIRE_DATA(onnx);
  SFC_REQUIRE_DATA(dir + "ref_pytorch_logits.npz");
  SFC_REQUIRE_DATA(dir + "images_u8_nhwc_200x32x32x3.bin");
  if (c.path == sfc::conv_path::onednn && !sfc::have_onednn()) GTEST_SKIP() << "oneDNN not built";

  const sfc::graph g = sfc::onnx_import_file(onnx);
  const sfc::npz_archive ref = sfc::npz_load(dir + "ref_pytorch_logits.npz");
  const sfc::npy_array& logits = ref.at(std::string(c.model) + "_logits");
  ASSERT_EQ(logits.shape_str(), "(200, 10)");
  const std::vector<float> want = sfc::npy_to_floats(logits);
  const std::vector<float> x = sfc_test::cifar_preprocess(sfc_test::read_bytes(dir + "images_u8_nhwc_200x32x32x3.bin"));
  const std::vector<int> labels = sfc_test::read_labels(dir + "labels_200.txt");
  ASSERT_EQ(x.size(), size_t(200 * 32 * 32 * 3));
  ASSERT_EQ(labels.size(), 200u);

  sfc::executor_options o;
  o.conv = c.path;
  const auto t0 = std::chrono::steady_clock::now();
  sfc::executor ex(g, {{200, 3, 32, 32}}, o);
  const auto t1 = std::chrono::steady_clock::now();
  ex.set_input(0, x.data(), sfc::tensor_layout::nhwc);
  ex.run();
  const auto t2 = std::chrono::steady_clock::now();
  const sfc::tensor out = ex.output(0);
  ASSERT_EQ(sfc::shape_str(out.desc().shape), "[200, 10]");
  const std::vector<float> got(out.as<float>(), out.as<float>() + out.numel());

  int correct = 0, same_top1 = 0;
  for (int i = 0; i < 200; ++i) {
    const int a = sfc_test::argmax(&got[size_t(i) * 10], 10);
    same_top1 += a == sfc_test::argmax(&want[size_t(i) * 10], 10);
    correct += a == labels[size_t(i)];
  }
  const float diff = sfc_test::max_abs_diff(got, want);
  std::printf("[ %s %s ] max |logit diff| %.3g, top-1 %.1f%%, prepare %.1f ms, run %.1f ms (200 images)\n",
              c.model, c.path == sfc::conv_path::onednn ? "onednn" : "reference", diff,
              correct / 2.0, std::chrono::duration<double, std::milli>(t1 - t0).count(),
              std::chrono::duration<double, std::milli>(t2 - t1).count());
  EXPECT_LE(diff, 1e-3f);
  EXPECT_EQ(same_top1, 200);
  EXPECT_DOUBLE_EQ(correct / 2.0, c.top1);
}

INSTANTIATE_TEST_SUITE_P(
    Akamaster, OnnxCifar,
    testing::Values(cifar_case{"resnet20", 90.0, sfc::conv_path::onednn},
                    cifar_case{"resnet20", 90.0, sfc::conv_path::reference},
                    cifar_case{"resnet32", 94.0, sfc::conv_path::onednn},
                    cifar_case{"resnet32", 94.0, sfc::conv_path::reference}),
    case_name);

// The import folds the option-A pad chains: the prepared graph holds only compute nodes.
TEST(OnnxCifar, ShapeChainsFoldAway) {
  const std::string onnx = data_path("cifar10_resnet_akamaster/resnet20.onnx");
  SFC_REQUIRE_DATA(onnx);
  sfc::executor ex(sfc::onnx_import_file(onnx), {{1, 3, 32, 32}});
  int convs = 0;
  for (const sfc::node& n : ex.prepared_graph().nodes) {
    EXPECT_TRUE(n.op == sfc::op_type::conv || n.op == sfc::op_type::slice ||
                n.op == sfc::op_type::pad || n.op == sfc::op_type::reduce_mean ||
                n.op == sfc::op_type::gemm)
        << n.label();
    convs += n.op == sfc::op_type::conv;
  }
  EXPECT_EQ(convs, 19);
}

}  // namespace
