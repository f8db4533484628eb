// TFLite reference interpreter: the requantization arithmetic on known values, then whole
// models against the official TFLite runtime's outputs (tfjs-tflite 0.0.1-alpha.10, WASM, XNNPACK
// delegate): MLPerf-Tiny ResNet-8 on the 200 lossless CIFAR-10 images, and the Coral MobileNets
// on the 8 preprocessed ImageNet inputs.
#include <algorithm>
#include <cstring>

#include "graph-test-util.h"
#include "graph/tflite/tflite-int8-ref.h"
#include "graph/tflite/tflite-quant-math.h"
#include "kernels/common/error.h"
#include "tools/common/npy.h"
#include "tools/common/npz.h"

namespace {

namespace tfl = sfc::tflite;
namespace qm = sfc::tflite::qmath;

TEST(TfliteQuantMath, QuantizeMultiplier) {
  int32_t q;
  int s;
  qm::quantize_multiplier(0.5, &q, &s);
  EXPECT_EQ(q, 1 << 30);
  EXPECT_EQ(s, 0);
  qm::quantize_multiplier(1.0, &q, &s);
  EXPECT_EQ(q, 1 << 30);
  EXPECT_EQ(s, 1);
  qm::quantize_multiplier(0.75 * std::ldexp(1.0, -9), &q, &s);  // frexp: 0.75 * 2^-9
  EXPECT_EQ(q, 3 << 29);
  EXPECT_EQ(s, -9);
  // A fraction that rounds up to 2^31 moves to the next exponent.
  qm::quantize_multiplier(std::nextafter(1.0, 0.0), &q, &s);
  EXPECT_EQ(q, 1 << 30);
  EXPECT_EQ(s, 1);
  qm::quantize_multiplier(0.0, &q, &s);
  EXPECT_EQ(q, 0);
  qm::quantize_multiplier(std::ldexp(1.0, -40), &q, &s);  // below 2^-31: flushed to 0
  EXPECT_EQ(q, 0);
}

TEST(TfliteQuantMath, Rounding) {
  const int32_t mn = std::numeric_limits<int32_t>::min();
  EXPECT_EQ(qm::srdhm(mn, mn), std::numeric_limits<int32_t>::max());
  EXPECT_EQ(qm::srdhm(3, 1 << 30), 2);    // 1.5 -> 2
  EXPECT_EQ(qm::srdhm(-3, 1 << 30), -1);  // -1.5 -> -1: the negative nudge is 1 - 2^30
  EXPECT_EQ(qm::rounding_divide_by_pot(5, 1), 3);
  EXPECT_EQ(qm::rounding_divide_by_pot(-5, 1), -3);
  EXPECT_EQ(qm::rounding_divide_by_pot(-6, 2), -2);  // -1.5 -> -2
  EXPECT_EQ(qm::rounding_divide_by_pot(-5, 2), -1);  // -1.25 -> -1
  // x = 3, multiplier 0.5 * 2^-1: exact 0.75 -> 1 both ways; the single-rounding shift rounds
  // ties up, the double-rounding one away from zero.
  EXPECT_EQ(qm::mul_by_quantized_multiplier(-6, 1 << 30, -1), -2);        // -1.5 -> -2
  EXPECT_EQ(qm::mul_by_quantized_multiplier_single(-6, 1 << 30, -1), -1);  // -1.5 -> -1
  EXPECT_EQ(qm::mul_by_quantized_multiplier(100, 1 << 30, 3), 400);       // 100 * 4
  // Where the two roundings differ: the first rounding of the double-rounding path lands on a tie.
  EXPECT_EQ(qm::mul_by_quantized_multiplier(1, (1 << 30) + 1, -1), 1);
  EXPECT_EQ(qm::mul_by_quantized_multiplier_single(1, (1 << 30) + 1, -1), 0);
  // XNNPACK: nearest-even, clamped before the zero point is added.
  EXPECT_EQ(qm::fp32_requantize(5, 0.5f, 0, -128, 127), 2);   // 2.5 -> 2
  EXPECT_EQ(qm::fp32_requantize(7, 0.5f, 0, -128, 127), 4);   // 3.5 -> 4
  EXPECT_EQ(qm::fp32_requantize(1000, 1.0f, -128, -128, 127), 127);
  EXPECT_EQ(qm::fp32_requantize(-1000, 1.0f, 10, -128, 127), -128);
}

// Byte agreement between our int8/uint8 outputs and the reference, per element and per row.
struct agreement {
  int64_t n = 0, equal = 0, within1 = 0, top1 = 0, rows = 0, correct = 0;
  int max_diff = 0;
  template <class T> void add_row(const T* ours, const T* ref, int depth, int label) {
    int a = 0, b = 0;
    for (int k = 0; k < depth; ++k) {
      const int d = std::abs(int(ours[k]) - int(ref[k]));
      equal += d == 0;
      within1 += d <= 1;
      max_diff = std::max(max_diff, d);
      if (ours[k] > ours[a]) a = k;
      if (ref[k] > ref[b]) b = k;
    }
    n += depth;
    ++rows;
    top1 += a == b;
    correct += a == label;
  }
  void print(const char* what) const {
    std::printf("%s: %lld/%lld bytes equal (%.3f%%), %.3f%% within +-1 LSB, max diff %d, top-1 agreement %lld/%lld, "
                "top-1 vs labels %.1f%%\n",
                what, (long long)equal, (long long)n, 100.0 * equal / n, 100.0 * within1 / n, max_diff,
                (long long)top1, (long long)rows, 100.0 * correct / rows);
  }
};

agreement run_resnet8(const tfl::ref_options& opt) {
  const std::string dir = "cifar10_test_lossless200_eembc/";
  tfl::ref_interpreter it(tfl::load_model(sfc_test::data_path("cifar10_resnet8_int8_mlperftiny/pretrainedResnet_quant.tflite")), opt);
  const std::vector<uint8_t> images = sfc_test::read_bytes(sfc_test::data_path(dir + "images_u8_nhwc_200x32x32x3.bin"));
  const std::vector<int> labels = sfc_test::read_labels(sfc_test::data_path(dir + "labels_200.txt"));
  const sfc::npz_archive ref = sfc::npz_load(sfc_test::data_path(dir + "ref_resnet8_tflite_wasm_outputs.npz"));
  const sfc::npy_array& want = ref.at("int8_softmax");
  EXPECT_EQ(want.shape_str(), "(200, 10)");
  EXPECT_EQ(images.size(), 200u * 3072u);
  EXPECT_EQ(labels.size(), 200u);
  agreement a;
  std::vector<int8_t> x(3072);
  for (size_t i = 0; i < 200; ++i) {
    for (size_t j = 0; j < 3072; ++j) x[j] = int8_t(int(images[i * 3072 + j]) - 128);  // q = pixel - 128
    it.set_input(0, x.data(), x.size());
    it.run();
    a.add_row(reinterpret_cast<const int8_t*>(it.output(0).data()), want.as<int8_t>() + i * 10, 10, labels[i]);
  }
  return a;
}

TEST(TfliteRef, ResNet8MatchesTfliteBitExactly) {
  SFC_REQUIRE_DATA(sfc_test::data_path("cifar10_resnet8_int8_mlperftiny/pretrainedResnet_quant.tflite"));
  SFC_REQUIRE_DATA(sfc_test::data_path("cifar10_test_lossless200_eembc/ref_resnet8_tflite_wasm_outputs.npz"));
  const agreement a = run_resnet8({});
  a.print("ResNet-8 int8 (XNNPACK fp32 requantization)");
  EXPECT_EQ(a.equal, a.n);  // measured: 2000/2000
  EXPECT_GE(a.within1, a.n * 99 / 100);
  EXPECT_GE(a.top1, 199);
  EXPECT_EQ(a.correct, 170);  // 85.0 %, as TFLite and ArmNN (SOURCE.md)
}

// TFLite's own kernels (double rounding) are not what produced the reference: they drift by a
// few LSB inside the network. Reported for docs/tflite.md; argmax still mostly agrees.
TEST(TfliteRef, ResNet8WithTfliteDoubleRounding) {
  SFC_REQUIRE_DATA(sfc_test::data_path("cifar10_resnet8_int8_mlperftiny/pretrainedResnet_quant.tflite"));
  SFC_REQUIRE_DATA(sfc_test::data_path("cifar10_test_lossless200_eembc/ref_resnet8_tflite_wasm_outputs.npz"));
  tfl::ref_options o;
  o.conv = tfl::conv_requant::tflite_double_rounding;
  o.add = tfl::add_requant::tflite_double_rounding;
  const agreement a = run_resnet8(o);
  a.print("ResNet-8 int8 (TFLite double rounding)");
  EXPECT_LT(a.equal, a.n);
  EXPECT_GE(a.top1, 190);
}

struct mobilenet_case {
  const char* model;
  int size;
};

TEST(TfliteRef, MobileNetsMatchTfliteBitExactly) {
  const std::string dir = "imagenet_samples_eliSchwartz250/";
  const std::string ref_path = sfc_test::data_path(dir + "ref_mobilenet_tflite_wasm_outputs.npz");
  SFC_REQUIRE_DATA(ref_path);
  const std::vector<uint8_t> zip = sfc_test::read_bytes(ref_path);
  for (const mobilenet_case c : {mobilenet_case{"mobilenet_v2_1.0_224_quant", 224},
                                 mobilenet_case{"tf2_mobilenet_v2_1.0_224_ptq", 224},
                                 mobilenet_case{"mobilenet_v1_0.25_128_quant", 128}}) {
    SCOPED_TRACE(c.model);
    const std::string model_path = sfc_test::data_path(std::string("imagenet_mobilenet_tflite_coral/") + c.model + ".tflite");
    const std::string s = std::to_string(c.size);
    const std::string in_path = sfc_test::data_path(dir + "preprocessed_first8_u8_nhwc_8x" + s + "x" + s + "x3.bin");
    SFC_REQUIRE_DATA(model_path);
    SFC_REQUIRE_DATA(in_path);
    // The reference [250, 1001] uint8 array: its data is the last 250 * 1001 bytes before the next member.
    const std::string key = std::string(c.model) + ".npy";
    const auto name_at = std::search(zip.begin(), zip.end(), key.begin(), key.end());
    ASSERT_NE(name_at, zip.end());
    const uint8_t magic[] = {0x93, 'N', 'U', 'M', 'P', 'Y'};
    const auto npy = std::search(name_at, zip.end(), magic, magic + 6);
    ASSERT_GE(zip.end() - npy, 10);
    const size_t header = 10 + size_t(npy[8]) + 256 * size_t(npy[9]);
    ASSERT_GE(size_t(zip.end() - npy), header + 250 * 1001);
    const sfc::npy_array want = sfc::npy_parse(&*npy, header + 250 * 1001, key);
    ASSERT_EQ(want.shape_str(), "(250, 1001)");
    ASSERT_EQ(want.dtype, sfc::npy_dtype::u1);

    const std::vector<uint8_t> images = sfc_test::read_bytes(in_path);
    const size_t per = size_t(c.size) * c.size * 3;
    ASSERT_EQ(images.size(), 8 * per);
    tfl::ref_interpreter it(tfl::load_model(model_path));
    agreement a;
    for (size_t i = 0; i < 8; ++i) {
      it.set_input(0, images.data() + i * per, per);  // uint8 inputs, fed as they are
      it.run();
      a.add_row(it.output(0).data(), want.as<uint8_t>() + i * 1001, 1001, 1 + 4 * int(i));  // labels 0, 4, ..; +1 background
    }
    a.print(c.model);
    EXPECT_EQ(a.equal, a.n);  // measured: 8008/8008 for each model
    EXPECT_EQ(a.top1, 8);
  }
}

}  // namespace
