// MobileNet v2 1.0 224 quant (Coral, TF1 quantization-aware, uint8) on the graph executor
// (graph/tflite/tflite-to-graph.h), compared with the reference interpreter (bit-exact with
// TFLite, tflite-ref-test.cc). Its weights are uint8 with non-zero zero points (no s8 weights
// possible), so every CONV_2D and DEPTHWISE_CONV_2D runs as f32 graph ops on integer values
// (float(q − zp), float(w − z_w), float(b), a Mul by XNNPACK's float scale, Clip, QuantizeLinear
// with scale 1), bit-exact with TFLite's XNNPACK fp32 requantization, and ADD as XNNPACK's
// fixed-point formula in exact f32 integer steps. Only SOFTMAX (f32 softmax vs TFLite's float exp
// table) is not bit-exact by construction; on these images it happens to give the same bytes.
#include <algorithm>
#include <array>
#include <map>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "graph-test-util.h"
#include "graph/executor.h"
#include "graph/tflite/tflite-int8-ref.h"
#include "graph/tflite/tflite-to-graph.h"
#include "int8-test-util.h"
#include "tools/common/image.h"
#include "tools/common/npy.h"
#include "tools/common/preprocess.h"

namespace {

namespace tfl = sfc::tflite;

const char* kModel = "imagenet_mobilenet_tflite_coral/mobilenet_v2_1.0_224_quant.tflite";
const char* kFirst8 = "imagenet_samples_eliSchwartz250/preprocessed_first8_u8_nhwc_8x224x224x3.bin";
const char* kTfliteOut = "imagenet_samples_eliSchwartz250/ref_mobilenet_tflite_wasm_outputs.npz";
const char* kLabels = "imagenet_samples_eliSchwartz250/labels.csv";
constexpr int kSize = 224, kClasses = 1001, kBatch = 8;
constexpr size_t kPerImage = size_t(kSize) * kSize * 3;
constexpr int kMoreImages = 250;  // all 250, in labels.csv order

struct stats {
  int64_t n = 0, equal = 0, within1 = 0, images = 0, top1 = 0, images_within1 = 0;
  int max_diff = 0;
  void add(const uint8_t* ours, const uint8_t* ref) {
    int worst = 0;
    for (int k = 0; k < kClasses; ++k) {
      const int d = std::abs(int(ours[k]) - int(ref[k]));
      equal += d == 0, within1 += d <= 1, worst = std::max(worst, d);
    }
    max_diff = std::max(max_diff, worst);
    images_within1 += worst <= 1;
    n += kClasses, ++images;
    top1 += std::max_element(ours, ours + kClasses) - ours ==
            std::max_element(ref, ref + kClasses) - ref;
  }
  void print(const char* what) const {
    std::printf("%s: %lld/%lld bytes equal (%.2f%%), %.3f%% within +-1 LSB, max diff %d, top-1 "
                "agreement %lld/%lld, images with every output within +-1: %lld\n",
                what, (long long)equal, (long long)n, 100.0 * equal / n, 100.0 * within1 / n,
                max_diff, (long long)top1, (long long)images, (long long)images_within1);
  }
};

// Runs `count` NHWC uint8 images through the executor in batches of 8 (threads 1, reference
// policy: there is no int8 conv in this graph); returns the TFLite output bytes.
std::vector<uint8_t> run_executor(const tfl::model& m, const std::vector<uint8_t>& pixels,
                                  const std::string& policy = "reference",
                                  std::vector<std::string>* impls = nullptr) {
  const sfc::graph g = sfc::tflite_to_graph(m);
  sfc::executor_options o = sfc_test::make_int8_options(policy, {});
  sfc::executor ex(g, {{kBatch, 3, kSize, kSize}}, o);
  if (impls)
    for (size_t k = 0; k < ex.prepared_graph().nodes.size(); ++k)
      if (ex.prepared_graph().nodes[k].op == sfc::op_type::conv) impls->push_back(ex.node_impl(k));
  const tfl::tensor& xt = m.tensors[size_t(m.inputs[0])];
  const tfl::tensor& yt = m.tensors[size_t(m.outputs[0])];
  const float xs = xt.quant.scale[0], ys = yt.quant.scale[0];
  const int xzp = int(xt.quant.zero_point[0]), yzp = int(yt.quant.zero_point[0]);
  const size_t count = pixels.size() / kPerImage;
  std::vector<uint8_t> out;
  std::vector<float> x(kBatch * kPerImage, 0.f), y(kBatch * kClasses);
  for (size_t first = 0; first < count; first += kBatch) {
    const size_t nb = std::min<size_t>(kBatch, count - first);
    for (size_t j = 0; j < nb * kPerImage; ++j)
      x[j] = xs * float(int(pixels[first * kPerImage + j]) - xzp);  // (q - 128) / 128, exact
    ex.set_input(0, x.data(), sfc::tensor_layout::nhwc);
    ex.run();
    ex.get_output(0, y.data());
    for (size_t j = 0; j < nb * kClasses; ++j) {
      const long q = std::lrint(y[j] / ys) + yzp;
      EXPECT_LE(std::fabs(float(q - yzp) * ys - y[j]), 1e-6f) << "output not on the TFLite grid";
      out.push_back(uint8_t(std::min(255L, std::max(0L, q))));
    }
  }
  return out;
}

// The reference interpreter's output bytes for every image of `pixels` (NHWC u8, in order).
std::vector<uint8_t> interpreter_outputs(const tfl::model& m, const std::vector<uint8_t>& pixels) {
  tfl::ref_interpreter it(m);
  std::vector<uint8_t> ref;
  for (size_t i = 0; i < pixels.size() / kPerImage; ++i) {
    it.set_input(0, pixels.data() + i * kPerImage, kPerImage);
    it.run();
    ref.insert(ref.end(), it.output(0).begin(), it.output(0).end());
  }
  return ref;
}

// Statistics of `ours` against `ref`, image by image.
stats compare(const std::vector<uint8_t>& ours, const std::vector<uint8_t>& ref) {
  stats s;
  for (size_t i = 0; i + kClasses <= std::min(ours.size(), ref.size()); i += kClasses)
    s.add(ours.data() + i, ref.data() + i);
  return s;
}

TEST(TfliteMobileNet, V2ConvertsWithIntegerValuedF32Convs) {
  SFC_REQUIRE_DATA(sfc_test::data_path(kModel));
  const tfl::model m = tfl::load_model(sfc_test::data_path(kModel));
  const sfc::graph g = sfc::tflite_to_graph(m);
  EXPECT_TRUE(g.quantized);
  int f32_convs = 0, int8_convs = 0;
  for (const sfc::node& n : g.nodes)
    if (n.op == sfc::op_type::conv) (n.conv.quant.valid ? int8_convs : f32_convs)++;
  EXPECT_EQ(int8_convs, 0);       // uint8 weights with zero points: no int8 conv
  EXPECT_EQ(f32_convs, 36 + 17);  // CONV_2D + DEPTHWISE_CONV_2D
}

// The 8 exactly preprocessed images: executor vs the reference interpreter, byte for byte.
TEST(TfliteMobileNet, V2First8AgreesWithTheReferenceInterpreter) {
  SFC_REQUIRE_DATA(sfc_test::data_path(kModel));
  SFC_REQUIRE_DATA(sfc_test::data_path(kFirst8));
  const tfl::model m = tfl::load_model(sfc_test::data_path(kModel));
  const std::vector<uint8_t> pixels = sfc_test::read_bytes(sfc_test::data_path(kFirst8));
  ASSERT_EQ(pixels.size(), 8 * kPerImage);
  const std::vector<uint8_t> ref = interpreter_outputs(m, pixels);
  const std::vector<uint8_t> ours = run_executor(m, pixels);
  ASSERT_EQ(ours.size(), ref.size());
  const stats s = compare(ours, ref);
  s.print("MobileNet v2 quant, executor vs reference interpreter, first 8 images");
  // Measured: 8008/8008 bytes equal. (Real-valued f32 convs and ADDs gave 7993/8008 equal, 99.89 %
  // within +-1, max diff 18; exact convs with a real-valued ADD 8007/8008, max diff 1.) The
  // softmax is not exact by construction, hence the margin.
  EXPECT_GE(s.equal * 1000, s.n * 999);
  EXPECT_EQ(s.within1, s.n);  // the target was 99 %
  EXPECT_EQ(s.top1, 8);
}

// tf2 MobileNet v2 PTQ (int8 per-channel weights): its 36 CONV_2Ds and 17 DEPTHWISE_CONV_2Ds are
// int8 convs with RELU6 or none (clip through the clamp pass of conv2d-int8.cc; depthwise = int8
// grouped convs, on XNNPACK or the reference); the ADDs take the exact f32 path, MEAN and SOFTMAX
// run in f32 (not bit-exact by construction).
TEST(TfliteMobileNet, Tf2PtqFirst8OnInt8Kernels) {
  const char* model = "imagenet_mobilenet_tflite_coral/tf2_mobilenet_v2_1.0_224_ptq.tflite";
  SFC_REQUIRE_DATA(sfc_test::data_path(model));
  SFC_REQUIRE_DATA(sfc_test::data_path(kFirst8));
  const tfl::model m = tfl::load_model(sfc_test::data_path(model));
  const std::vector<uint8_t> pixels = sfc_test::read_bytes(sfc_test::data_path(kFirst8));
  ASSERT_EQ(pixels.size(), 8 * kPerImage);
  const std::vector<uint8_t> ref = interpreter_outputs(m, pixels);
  for (const std::string policy : {"onednn", "xnnpack", "reference"}) {
    if (!sfc_test::policy_available(policy)) continue;
    std::vector<std::string> impls;
    const std::vector<uint8_t> ours = run_executor(m, pixels, policy, &impls);
    ASSERT_EQ(ours.size(), ref.size());
    const long on_policy = std::count_if(impls.begin(), impls.end(), [&](const std::string& n) {
      return n.rfind(policy, 0) == 0;
    });
    // Every conv on an int8 kernel. oneDNN declines the stem (a src zero point with padding) and
    // the grouped (depthwise) convs, which fall back to XNNPACK.
    EXPECT_EQ(impls.size(), 53u);
    EXPECT_EQ(on_policy, policy == "onednn" ? 35 : 53) << policy;
    if (policy != "reference") {
      for (const std::string& n : impls) EXPECT_EQ(n.rfind("reference", 0), std::string::npos) << n;
    }
    const stats s = compare(ours, ref);
    s.print(("tf2 MobileNet v2 PTQ, " + policy + " vs reference interpreter, first 8").c_str());
    EXPECT_GE(s.within1 * 1000, s.n * 999) << policy;
    EXPECT_EQ(s.top1, 8) << policy;
  }
}

// The TFLite outputs [250, 1001] of ref_mobilenet_tflite_wasm_outputs.npz for this model (the
// reference interpreter reproduces them exactly, tflite-ref-test.cc); rows in labels.csv order.
std::vector<uint8_t> tflite_outputs(const std::string& key = "mobilenet_v2_1.0_224_quant.npy") {
  const std::vector<uint8_t> zip = sfc_test::read_bytes(sfc_test::data_path(kTfliteOut));
  const auto name_at = std::search(zip.begin(), zip.end(), key.begin(), key.end());
  const uint8_t magic[] = {0x93, 'N', 'U', 'M', 'P', 'Y'};
  const auto npy = std::search(name_at, zip.end(), magic, magic + 6);
  if (zip.end() - npy < 10) return {};
  const size_t header = 10 + size_t(npy[8]) + 256 * size_t(npy[9]);
  if (size_t(zip.end() - npy) < header + 250 * kClasses) return {};
  const sfc::npy_array a = sfc::npy_parse(&*npy, header + 250 * kClasses, key);
  if (a.shape_str() != "(250, 1001)" || a.dtype != sfc::npy_dtype::u1) return {};
  return std::vector<uint8_t>(a.as<uint8_t>(), a.as<uint8_t>() + 250 * kClasses);
}

// The first kMoreImages sample images, decoded and preprocessed as in SOURCE.md (central 87.5 %
// crop, PIL bilinear resize: sfc::imagenet_tflite_config, exact on the first 8), NHWC u8.
std::vector<uint8_t> sample_pixels() {
  const std::string dir = sfc_test::data_path("imagenet_samples_eliSchwartz250/");
  std::ifstream list(dir + "labels.csv");
  std::string line;
  std::getline(list, line);  // header
  std::vector<uint8_t> pixels;
  const sfc::preprocess_config cfg = sfc::imagenet_tflite_config(kSize);
  std::vector<uint8_t> u(kPerImage);
  while (int(pixels.size() / kPerImage) < kMoreImages && std::getline(list, line)) {
    const sfc::image im = sfc::load_image(dir + line.substr(0, line.find(',')));
    sfc::pack_u8(sfc::preprocess_geometry(im, cfg), cfg, u.data());
    pixels.insert(pixels.end(), u.begin(), u.end());
  }
  return pixels;
}

// More sample images against TFLite's bytes.
TEST(TfliteMobileNet, V2MoreImagesAgreeWithTflite) {
  SFC_REQUIRE_DATA(sfc_test::data_path(kModel));
  SFC_REQUIRE_DATA(sfc_test::data_path(kTfliteOut));
  SFC_REQUIRE_DATA(sfc_test::data_path(kLabels));
  const std::vector<uint8_t> ref = tflite_outputs();
  ASSERT_EQ(ref.size(), 250u * kClasses);
  const std::vector<uint8_t> pixels = sample_pixels();
  ASSERT_EQ(pixels.size(), size_t(kMoreImages) * kPerImage);
  const std::vector<uint8_t> ours = run_executor(tfl::load_model(sfc_test::data_path(kModel)), pixels);
  const stats s = compare(ours, ref);
  ASSERT_EQ(s.images, kMoreImages);
  s.print("MobileNet v2 quant, executor vs TFLite, first sample images (preprocessed here)");
  // Measured: 250250/250250 bytes equal, top-1 250/250 (exact convs with a real-valued ADD:
  // 250045/250250, 99.974 % within +-1, max diff 19, 250/250).
  EXPECT_GE(s.equal * 1000, s.n * 999);
  EXPECT_GE(s.within1 * 10000, s.n * 9999);
  EXPECT_EQ(s.top1, 250);
}

// tf2 MobileNet v2 PTQ on its int8 kernels (XNNPACK: every conv, depthwise included), the same
// 250 images, against TFLite's stored bytes.
TEST(TfliteMobileNet, Tf2PtqMoreImagesAgreeWithTflite) {
  const char* model = "imagenet_mobilenet_tflite_coral/tf2_mobilenet_v2_1.0_224_ptq.tflite";
  SFC_REQUIRE_DATA(sfc_test::data_path(model));
  SFC_REQUIRE_DATA(sfc_test::data_path(kTfliteOut));
  SFC_REQUIRE_DATA(sfc_test::data_path(kLabels));
  if (!sfc_test::policy_available("xnnpack")) GTEST_SKIP() << "XNNPACK not built";
  const std::vector<uint8_t> ref = tflite_outputs("tf2_mobilenet_v2_1.0_224_ptq.npy");
  ASSERT_EQ(ref.size(), 250u * kClasses);
  const std::vector<uint8_t> pixels = sample_pixels();
  ASSERT_EQ(pixels.size(), size_t(kMoreImages) * kPerImage);
  const std::vector<uint8_t> ours =
      run_executor(tfl::load_model(sfc_test::data_path(model)), pixels, "xnnpack");
  const stats s = compare(ours, ref);
  ASSERT_EQ(s.images, kMoreImages);
  s.print("tf2 MobileNet v2 PTQ on XNNPACK, executor vs TFLite, 250 sample images");
  // Measured: 250250/250250 bytes equal, 250/250 top-1 (MEAN and SOFTMAX run in f32, so a
  // margin is left; the target is 98 % top-1 agreement).
  EXPECT_GE(s.equal * 1000, s.n * 999);
  EXPECT_GE(s.within1 * 10000, s.n * 9999);
  EXPECT_GE(s.top1, 249);
}

// Every uint8 tensor that exists in the graph (the input's QuantizeLinear and every operator's
// output) equals the interpreter's byte for byte, on 2 images, batch 1; the softmax output (not
// exact by construction) is only reported.
TEST(TfliteMobileNet, V2EveryIntermediateTensorMatches) {
  SFC_REQUIRE_DATA(sfc_test::data_path(kModel));
  SFC_REQUIRE_DATA(sfc_test::data_path(kFirst8));
  const tfl::model m = tfl::load_model(sfc_test::data_path(kModel));
  const std::vector<uint8_t> pixels = sfc_test::read_bytes(sfc_test::data_path(kFirst8));
  ASSERT_EQ(pixels.size(), 8 * kPerImage);
  const sfc::graph g = sfc::tflite_to_graph(m);
  sfc::executor_options o = sfc_test::make_int8_options("reference", {});
  o.reuse_memory = false;
  sfc::executor ex(g, {{1, 3, kSize, kSize}}, o);
  tfl::ref_interpreter it(m);
  const sfc::graph& pg = ex.prepared_graph();
  const tfl::tensor& xt = m.tensors[size_t(m.inputs[0])];
  const int32_t out_t = m.outputs[0];
  std::map<int, std::array<long, 3>> stats;  // tensor -> {n, unequal, max diff}
  std::vector<float> x(kPerImage);
  for (size_t i = 0; i < 2; ++i) {
    const uint8_t* px = pixels.data() + i * kPerImage;
    for (size_t j = 0; j < kPerImage; ++j)
      x[j] = xt.quant.scale[0] * float(int(px[j]) - int(xt.quant.zero_point[0]));
    ex.set_input(0, x.data(), sfc::tensor_layout::nhwc);
    ex.run();
    it.set_input(0, px, kPerImage);
    it.run();
    for (size_t v = 0; v < pg.values.size(); ++v) {
      const sfc::value& val = pg.values[v];
      const std::string& nm = val.name;
      if (nm.empty() || nm[0] != 't' || val.is_const || val.desc.type != sfc::dtype::u8) continue;
      const size_t slash = nm.find('/');
      const std::string suffix = slash == std::string::npos ? "" : nm.substr(slash);
      if (!(suffix.empty() || suffix == "/q")) continue;
      const int t = std::stoi(nm.substr(1, slash - 1));
      const std::vector<uint8_t>& ref = it.tensor_data(t);
      const auto* p = static_cast<const uint8_t*>(ex.value_data(int(v)));  // NHWC, as TFLite
      auto& st = stats[t];
      for (size_t k = 0; k < ref.size(); ++k) {
        const long d = std::labs(long(p[k]) - long(ref[k]));
        st[0]++, st[1] += d != 0, st[2] = std::max(st[2], d);
      }
    }
  }
  EXPECT_EQ(stats.size(), 1u + m.ops.size());  // the input's QuantizeLinear and 66 outputs
  for (auto& [t, st] : stats) {
    SCOPED_TRACE("tensor " + std::to_string(t));
    EXPECT_GT(st[0], 0);
    if (t == out_t)
      std::printf("softmax output: %ld of %ld bytes differ, max diff %ld\n", st[1], st[0], st[2]);
    else
      EXPECT_EQ(st[1], 0) << "max diff " << st[2];
  }
}

}  // namespace
