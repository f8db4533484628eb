// TFLite int8 models on the graph executor (graph/tflite/tflite-to-graph.h): MLPerf-Tiny ResNet-8
// converted to a quantized graph, run with the direct int8 implementations (reference, oneDNN,
// XNNPACK) and with SFC on its 3x3 stride-1 convs, compared byte for byte with the reference
// interpreter (itself bit-exact with TFLite, tflite-ref-test.cc) on the 200 lossless CIFAR-10
// images. Plus the converter's errors on unsupported models.
#include <algorithm>
#include <array>
#include <map>
#include <cmath>
#include <cstring>
#include <fstream>

#include "graph/executor.h"
#include "graph/tflite/tflite-int8-ref.h"
#include "graph/tflite/tflite-to-graph.h"
#include "int8-test-util.h"
#include "kernels/common/error.h"
#include "tools/common/image.h"

namespace {

namespace tfl = sfc::tflite;

const char* kModel = "cifar10_resnet8_int8_mlperftiny/pretrainedResnet_quant.tflite";
const char* kImages = "cifar10_test_lossless200_eembc/images_u8_nhwc_200x32x32x3.bin";
const char* kLabels = "cifar10_test_lossless200_eembc/labels_200.txt";
constexpr size_t kPerImage = 32 * 32 * 3;
constexpr int kCount = 200;

struct resnet8_data {
  tfl::model model;
  std::vector<uint8_t> pixels;         // [200][32][32][3]
  std::vector<int> labels;
  std::vector<int8_t> ref;             // reference interpreter outputs [200][10]
  std::vector<float> calibration;      // NHWC pixel values (real input values), other images
  std::string calibration_source;
};

// The JPEG CIFAR-10 test images (not the 200 evaluated ones) as raw pixel values; empty if absent.
std::vector<float> jpeg_pixels(int count) {
  const std::string dir = sfc_test::data_path("cifar10_test_jpeg300_yoongikim/");
  std::ifstream list(dir + "labels.csv");
  std::string line;
  std::vector<float> out;
  if (!list || !std::getline(list, line)) return out;
  for (int i = 0; std::getline(list, line) && int(out.size()) < count * int(kPerImage); ++i) {
    if (i % 4) continue;  // every class
    const sfc::image im = sfc::load_image(dir + line.substr(0, line.find(',')));
    if (im.width != 32 || im.height != 32) return {};
    out.insert(out.end(), im.rgb.begin(), im.rgb.end());
  }
  return out;
}

const resnet8_data& data() {
  static const resnet8_data d = [] {
    resnet8_data r;
    r.model = tfl::load_model(sfc_test::data_path(kModel));
    r.pixels = sfc_test::read_bytes(sfc_test::data_path(kImages));
    r.labels = sfc_test::read_labels(sfc_test::data_path(kLabels));
    tfl::ref_interpreter it(r.model);
    std::vector<int8_t> x(kPerImage);
    for (int i = 0; i < kCount; ++i) {
      for (size_t j = 0; j < kPerImage; ++j)
        x[j] = int8_t(int(r.pixels[size_t(i) * kPerImage + j]) - 128);  // q = pixel - 128
      it.set_input(0, x.data(), x.size());
      it.run();
      const std::vector<uint8_t>& y = it.output(0);
      r.ref.insert(r.ref.end(), reinterpret_cast<const int8_t*>(y.data()),
                   reinterpret_cast<const int8_t*>(y.data()) + y.size());
    }
    r.calibration = jpeg_pixels(75);
    r.calibration_source = "75 JPEG CIFAR-10 test images";
    if (r.calibration.empty()) {  // fall back to the last 32 evaluated images
      r.calibration.assign(r.pixels.end() - 32 * long(kPerImage), r.pixels.end());
      r.calibration_source = "the last 32 of the 200 evaluated images";
    }
    return r;
  }();
  return d;
}

bool have_data() {
  std::ifstream a(sfc_test::data_path(kModel)), b(sfc_test::data_path(kImages)),
      c(sfc_test::data_path(kLabels));
  return a && b && c;
}
#define REQUIRE_RESNET8()                                                                   \
  do {                                                                                      \
    if (!have_data()) GTEST_SKIP() << "test data not found under SFC_DATA_DIR (" << kModel \
                                   << ", " << kImages << ")";                               \
  } while (0)

int argmax(const int8_t* v, int n) { return int(std::max_element(v, v + n) - v); }

struct run_result {
  std::vector<int8_t> out;             // [200][10], the TFLite output bytes recovered from f32
  std::vector<std::string> conv_impls;  // implementation per int8 conv
};

// Converts and runs the model in batches of 50 through the executor with `policy`.
run_result run_policy(const std::string& policy) {
  const resnet8_data& d = data();
  const sfc::graph g = sfc::tflite_to_graph(d.model);
  sfc::executor_options o = sfc_test::make_int8_options(policy, d.calibration);
  o.int8.calibration.layout = sfc::tensor_layout::nhwc;
  constexpr int batch = 50;
  sfc::executor ex(g, {{batch, 3, 32, 32}}, o);
  run_result r;
  const sfc::graph& pg = ex.prepared_graph();
  for (size_t k = 0; k < pg.nodes.size(); ++k)
    if (pg.nodes[k].op == sfc::op_type::conv && pg.nodes[k].conv.quant.valid)
      r.conv_impls.push_back(ex.node_impl(k));
  // The output is the dequantized TFLite output: q = round(y / s) + zp recovers its bytes.
  const tfl::tensor& yt = d.model.tensors[size_t(d.model.outputs[0])];
  const float s = yt.quant.scale[0];
  const int zp = int(yt.quant.zero_point[0]);
  std::vector<float> x(batch * kPerImage), y(batch * 10);
  for (int first = 0; first < kCount; first += batch) {
    for (size_t j = 0; j < x.size(); ++j) x[j] = float(d.pixels[size_t(first) * kPerImage + j]);
    ex.set_input(0, x.data(), sfc::tensor_layout::nhwc);  // real = 1 · (q + 128) = pixel
    ex.run();
    ex.get_output(0, y.data());
    for (float v : y) {
      const long q = std::lrint(v / s) + zp;
      EXPECT_LE(std::fabs(float(q - zp) * s - v), 1e-6f) << "output not on the TFLite grid";
      r.out.push_back(int8_t(std::min(127L, std::max(-128L, q))));
    }
  }
  return r;
}

struct agreement {
  int64_t n = 0, equal = 0, within1 = 0, top1 = 0, correct = 0;
  int max_diff = 0;
};

agreement compare(const std::vector<int8_t>& ours, const std::vector<int8_t>& ref,
                  const std::vector<int>& labels) {
  agreement a;
  for (int i = 0; i < kCount; ++i) {
    const int8_t* o = ours.data() + size_t(i) * 10;
    const int8_t* r = ref.data() + size_t(i) * 10;
    for (int k = 0; k < 10; ++k) {
      const int diff = std::abs(int(o[k]) - int(r[k]));
      a.equal += diff == 0, a.within1 += diff <= 1, a.max_diff = std::max(a.max_diff, diff);
    }
    a.n += 10;
    a.top1 += argmax(o, 10) == argmax(r, 10);
    a.correct += argmax(o, 10) == labels[size_t(i)];
  }
  return a;
}

void print(const std::string& what, const agreement& a) {
  std::printf("%s: %lld/%lld bytes equal (%.2f%%), %.2f%% within +-1 LSB, max diff %d, top-1 "
              "agreement %lld/%d, top-1 vs labels %.1f%%\n",
              what.c_str(), (long long)a.equal, (long long)a.n, 100.0 * a.equal / a.n,
              100.0 * a.within1 / a.n, a.max_diff, (long long)a.top1, kCount,
              100.0 * a.correct / kCount);
}

TEST(TfliteGraph, ResNet8ConvertsToAQuantizedGraph) {
  REQUIRE_RESNET8();
  const sfc::graph g = sfc::tflite_to_graph(data().model);
  EXPECT_TRUE(g.quantized);
  ASSERT_EQ(g.inputs.size(), 1u);
  EXPECT_EQ(g.values[size_t(g.inputs[0])].desc.shape, (sfc::shape_t{-1, 3, 32, 32}));
  int convs = 0, zero_points = 0;
  for (const sfc::node& n : g.nodes) {
    if (n.op != sfc::op_type::conv) continue;
    ++convs;
    EXPECT_TRUE(n.conv.quant.valid);
    EXPECT_EQ(g.values[size_t(n.inputs[1])].desc.type, sfc::dtype::s8);
    EXPECT_EQ(n.conv.quant.src_type, sfc::qtype::u8);  // every conv input has zero point -128
    EXPECT_EQ(n.conv.quant.src_zero_point, 0);
    zero_points += n.conv.quant.dst_zero_point != 0;
  }
  EXPECT_EQ(convs, 10);       // 9 CONV_2D + FULLY_CONNECTED as a 1x1 conv
  EXPECT_EQ(zero_points, 6);  // the convs without ReLU (outputs with zero points 4, 4, -17, ...)
}

class TfliteGraphResNet8 : public testing::TestWithParam<std::string> {};

TEST_P(TfliteGraphResNet8, DirectConvsMatchTheReferenceInterpreter) {
  REQUIRE_RESNET8();
  const std::string policy = GetParam();
  if (!sfc_test::policy_available(policy)) GTEST_SKIP() << policy << " not built";
  const run_result r = run_policy(policy);
  for (const std::string& impl : r.conv_impls) EXPECT_EQ(sfc_test::impl_family(impl), policy);
  const agreement a = compare(r.out, data().ref, data().labels);
  print("ResNet-8 on the executor, " + policy + " vs the reference interpreter", a);
  // Measured: 2000/2000 bytes equal for all three (the ADDs in f32 happen to round exactly as
  // XNNPACK's fixed-point ADD on these images); the targets are asserted.
  EXPECT_GE(a.within1 * 100, a.n * 99);
  EXPECT_GE(a.top1, 199);
  EXPECT_EQ(a.correct, 170);  // 85.0 %, as TFLite
}

INSTANTIATE_TEST_SUITE_P(TflitePolicies, TfliteGraphResNet8,
                         testing::Values("reference", "onednn", "xnnpack"));

// SFC on the 3x3 stride-1 convs (transform-domain scales calibrated on other images), the
// strided and 1x1 convs on the first baseline.
TEST(TfliteGraph, ResNet8WithSfcAgreesWithTheDirectRun) {
  REQUIRE_RESNET8();
  const run_result direct = run_policy("reference");
  const run_result r = run_policy("sfc6_7x7_3x3");
  int sfc_convs = 0;
  for (const std::string& impl : r.conv_impls) sfc_convs += impl.rfind("sfc6_7x7_3x3", 0) == 0;
  EXPECT_EQ(sfc_convs, 5);  // the 3x3 stride-1 convs
  const agreement a = compare(r.out, data().ref, data().labels);
  const agreement b = compare(r.out, direct.out, data().labels);
  std::printf("SFC calibrated on %s, %d of %zu convs on sfc6_7x7_3x3\n",
              data().calibration_source.c_str(), sfc_convs, r.conv_impls.size());
  print("ResNet-8 on the executor, sfc6_7x7_3x3 vs the reference interpreter", a);
  print("ResNet-8 on the executor, sfc6_7x7_3x3 vs the direct (reference) run", b);
  // Measured 194/200 (97.0 %, the target) with this calibration set; other calibration
  // sets (32 / 150 / 300 JPEGs) give 188-196, so the assertion leaves a margin.
  EXPECT_GE(b.top1 * 100, int64_t(kCount) * 95);
  EXPECT_GE(a.correct, 164);  // 82 %; measured 86.0 % (direct: 85.0 %)
}

// ---- errors ----------------------------------------------------------------------------------

std::string convert_error(const tfl::model& m, sfc::error::kind* kind) {
  try {
    sfc::tflite_to_graph(m);
  } catch (const sfc::error& e) {
    *kind = e.code();
    return e.what();
  }
  return "";
}

TEST(TfliteGraph, UnsupportedModelsGiveClearErrors) {
  REQUIRE_RESNET8();
  sfc::error::kind kind = sfc::error::internal;
  {
    tfl::model m = data().model;  // ADD (operator 3) with broadcasting shapes
    m.tensors[size_t(m.ops[3].inputs[0])].shape = {1, 1, 1, 16};
    const std::string e = convert_error(m, &kind);
    EXPECT_EQ(kind, sfc::error::unsupported);
    EXPECT_NE(e.find("operator 3 (ADD): broadcasting ADD is not supported"), std::string::npos) << e;
  }
  {
    tfl::model m = data().model;  // dilation
    m.ops[1].opt.dilation_h = 2;
    const std::string e = convert_error(m, &kind);
    EXPECT_NE(e.find("operator 1 (CONV_2D): dilation > 1"), std::string::npos) << e;
  }
  {
    tfl::model m = data().model;  // a weight of -128
    m.tensors[size_t(m.ops[0].inputs[1])].data[5] = 0x80;
    const std::string e = convert_error(m, &kind);
    EXPECT_NE(e.find("operator 0 (CONV_2D): weight value -128"), std::string::npos) << e;
  }
  {
    tfl::model m = data().model;  // int32 activations
    m.tensors[size_t(m.ops[1].outputs[0])].type = tfl::tensor_type::int32;
    const std::string e = convert_error(m, &kind);
    EXPECT_NE(e.find("operator 1 (CONV_2D): tensor 23: int32 activations are not supported"),
              std::string::npos)
        << e;
  }
  {
    tfl::model m = data().model;  // per-channel activation quantization
    m.tensors[size_t(m.ops[2].outputs[0])].quant.scale.push_back(1.f);
    const std::string e = convert_error(m, &kind);
    EXPECT_NE(e.find("operator 2 (CONV_2D): tensor 24: activations need per-tensor"),
              std::string::npos)
        << e;
  }
}

}  // namespace

namespace {
// Every TFLite tensor that exists as an int8 value in the graph equals the interpreter's, byte for
// byte (up to the +128 of the u8 encoding), on the first 20 images: reference policy.
TEST(TfliteGraph, ReferencePolicyMatchesEveryIntermediateTensor) {
  REQUIRE_RESNET8();
  const resnet8_data& d = data();
  const sfc::graph g = sfc::tflite_to_graph(d.model);
  sfc::executor_options o = sfc_test::make_int8_options("reference", d.calibration);
  o.reuse_memory = false;
  sfc::executor ex(g, {{1, 3, 32, 32}}, o);
  tfl::ref_interpreter it(d.model);
  const sfc::graph& pg = ex.prepared_graph();
  std::map<int, std::array<long, 3>> stats;  // tensor -> {n, diff, maxdiff}
  std::vector<float> x(kPerImage);
  std::vector<int8_t> xq(kPerImage);
  for (int i = 0; i < 20; ++i) {
    for (size_t j = 0; j < kPerImage; ++j) {
      x[j] = d.pixels[size_t(i) * kPerImage + j];
      xq[j] = int8_t(int(x[j]) - 128);
    }
    ex.set_input(0, x.data(), sfc::tensor_layout::nhwc);
    ex.run();
    it.set_input(0, xq.data(), xq.size());
    it.run();
    for (size_t v = 0; v < pg.values.size(); ++v) {
      const sfc::value& val = pg.values[v];
      const std::string& nm = val.name;
      if (nm.empty() || nm[0] != 't' || val.is_const) continue;
      const size_t slash = nm.find('/');
      const std::string suffix = slash == std::string::npos ? "" : nm.substr(slash);
      if (!(suffix.empty() || suffix == "/q")) continue;
      if (val.desc.type != sfc::dtype::u8 && val.desc.type != sfc::dtype::s8) continue;
      const int t = std::stoi(nm.substr(1, slash - 1));
      const auto& ref = it.tensor_data(t);
      const tfl::tensor& tt = d.model.tensors[size_t(t)];
      const int zp = int(tt.quant.zero_point[0]);
      const int off = zp == -128 ? 128 : 0;
      const auto* p = static_cast<const uint8_t*>(ex.value_data(int(v)));
      // ours is NHWC for 4-D, plain otherwise: same order as TFLite.
      auto& s = stats[t];
      for (size_t k = 0; k < ref.size(); ++k) {
        const int ours = val.desc.type == sfc::dtype::u8 ? int(p[k]) : int(int8_t(p[k]));
        const int theirs = int(int8_t(ref[k])) + off;
        const int df = std::abs(ours - theirs);
        s[0]++, s[1] += df != 0, s[2] = std::max<long>(s[2], df);
      }
    }
  }
  EXPECT_EQ(stats.size(), 17u);  // the input's QuantizeLinear and the 16 computed int8 tensors
  for (auto& [t, s] : stats) {
    SCOPED_TRACE("tensor " + std::to_string(t));
    EXPECT_GT(s[0], 0);
    EXPECT_EQ(s[1], 0) << "max diff " << s[2];
  }
}
}  // namespace
