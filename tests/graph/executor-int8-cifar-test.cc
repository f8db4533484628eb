// int8 mode on akamaster's ResNet-20 (real weights): max-abs calibration on 64 of the CIFAR
// JPEGs, top-1 agreement with fp32 on the 200 lossless images, for every policy.
#include <chrono>
#include <map>

#include "graph/onnx/onnx.h"
#include "int8-test-util.h"

namespace {

using sfc_test::data_path;

class Int8Cifar : public testing::TestWithParam<std::string> {};

TEST_P(Int8Cifar, AgreesWithFp32) {
  const std::string policy = GetParam();
  if (!sfc_test::policy_available(policy)) GTEST_SKIP() << policy << " not built";
  const std::string onnx = data_path("cifar10_resnet_akamaster/resnet20.onnx");
  const std::string dir = data_path("cifar10_test_lossless200_eembc/");
  SFC_REQUIRE_DATA(onnx);
  SFC_REQUIRE_DATA(dir + "images_u8_nhwc_200x32x32x3.bin");
  SFC_REQUIRE_DATA(data_path("cifar10_test_jpeg300_yoongikim/labels.csv"));
  const std::vector<float> calib = sfc_test::cifar_jpeg_calibration(64);
  ASSERT_EQ(calib.size(), size_t(64 * 32 * 32 * 3));
  const std::vector<float> x =
      sfc_test::cifar_preprocess(sfc_test::read_bytes(dir + "images_u8_nhwc_200x32x32x3.bin"));
  ASSERT_EQ(x.size(), size_t(200 * 32 * 32 * 3));
  const std::vector<int> labels = sfc_test::read_labels(dir + "labels_200.txt");

  const sfc::graph g = sfc::onnx_import_file(onnx);
  const sfc::shape_t shape = {50, 3, 32, 32};
  sfc::executor_options fo;
  fo.threads = 1;
  sfc::executor fp32(g, {shape}, fo);
  const std::vector<float> want = sfc_test::run_batched(fp32, x, 32 * 32 * 3);

  const auto t0 = std::chrono::steady_clock::now();
  sfc::executor_options o = sfc_test::make_int8_options(policy, calib);
  std::string log;
  o.verbose_dispatch = policy == "auto";
  o.log = [&log](const std::string& l) { log += l + "\n"; };
  sfc::executor ex(g, {shape}, o);
  std::fputs(log.c_str(), stdout);
  const auto t1 = std::chrono::steady_clock::now();
  const std::vector<float> got = sfc_test::run_batched(ex, x, 32 * 32 * 3);
  const auto t2 = std::chrono::steady_clock::now();
  const int same = sfc_test::top1_agreement(got, want, 10);
  int correct = 0;
  for (size_t i = 0; i < 200; ++i) correct += sfc_test::argmax(&got[i * 10], 10) == labels[i];
  std::map<std::string, int> impls;
  for (size_t k = 0; k < ex.num_nodes(); ++k)
    if (ex.prepared_graph().nodes[k].op == sfc::op_type::conv) {
      const std::string s = ex.node_impl(k);
      ++impls[sfc_test::impl_family(s)];
    }
  std::string mix;
  for (const auto& i : impls) mix += " " + i.first + "x" + std::to_string(i.second);
  std::printf(
      "[ resnet20 int8 %-13s ] top-1 agreement with fp32 %.1f%%, top-1 %.1f%%, rel. max logit diff "
      "%.3f, "
      "prepare %.0f ms, run %.0f ms (200 images); convs:%s\n",
      policy.c_str(), same / 2.0, correct / 2.0, sfc_test::relative_max_diff(got, want),
      std::chrono::duration<double, std::milli>(t1 - t0).count(),
      std::chrono::duration<double, std::milli>(t2 - t1).count(), mix.c_str());
  // wino_4x4_3x3 is the lossy Winograd (large transform growth): reported, held to a lower bar.
  EXPECT_GE(same, policy == "wino_4x4_3x3" ? 180 : 194);
}

INSTANTIATE_TEST_SUITE_P(Policies, Int8Cifar, testing::ValuesIn(sfc_test::int8_policies()),
                         [](const testing::TestParamInfo<std::string>& i) {
                           return sfc_test::policy_test_name(i.param);
                         });

}  // namespace
