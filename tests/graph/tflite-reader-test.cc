// TFLite reader: the real models against the dumps made with the official schema
// (*_tensors.npz: every constant tensor; *_graph.json values quoted below), and malformed files
// (truncations, random byte flips, targeted corruptions) -> sfc::error, never a crash.
#include <cstring>
#include <random>

#include "graph-test-util.h"
#include "graph/tflite/tflite-int8-ref.h"
#include "graph/tflite/tflite-reader.h"
#include "kernels/common/error.h"
#include "tools/common/npz.h"

namespace {

namespace tfl = sfc::tflite;
using bytes_t = std::vector<uint8_t>;

const char* kResNet8 = "cifar10_resnet8_int8_mlperftiny/pretrainedResnet_quant";
const char* kResNet8Float = "cifar10_resnet8_int8_mlperftiny/pretrainedResnet";
const char* kMobileNetV2 = "imagenet_mobilenet_tflite_coral/mobilenet_v2_1.0_224_quant";
const char* kMobileNetV2Ptq = "imagenet_mobilenet_tflite_coral/tf2_mobilenet_v2_1.0_224_ptq";
const char* kMobileNetV1 = "imagenet_mobilenet_tflite_coral/mobilenet_v1_0.25_128_quant";

std::string model_path(const char* stem) { return sfc_test::data_path(std::string(stem) + ".tflite"); }

// Every constant tensor equals the dump's tNNN array (shape and bytes), and there are no others.
void expect_constants_match_dump(const tfl::model& m, const std::string& npz_path) {
  const sfc::npz_archive z = sfc::npz_load(npz_path);
  size_t constants = 0;
  for (const tfl::tensor& t : m.tensors) {
    if (!t.is_constant()) continue;
    ++constants;
    char key[16];
    std::snprintf(key, sizeof key, "t%03d", t.index);
    ASSERT_EQ(z.count(key), 1u) << key;
    const sfc::npy_array& a = z.at(key);
    ASSERT_EQ(a.shape.size(), t.shape.size()) << key;
    for (size_t d = 0; d < t.shape.size(); ++d) EXPECT_EQ(a.shape[d], t.shape[d]) << key;
    EXPECT_EQ(a.data, t.data) << key;
  }
  EXPECT_EQ(constants, z.size());
}

std::vector<tfl::tfl_op> op_codes(const tfl::model& m) {
  std::vector<tfl::tfl_op> v;
  for (const tfl::op& o : m.ops) v.push_back(o.code);
  return v;
}

TEST(TfliteReader, ResNet8MatchesDump) {
  const std::string p = model_path(kResNet8);
  SFC_REQUIRE_DATA(p);
  const tfl::model m = tfl::load_model(p);
  EXPECT_EQ(m.version, 3u);
  EXPECT_EQ(m.description, "MLIR Converted.");
  ASSERT_EQ(m.tensors.size(), 38u);
  EXPECT_EQ(m.inputs, std::vector<int32_t>{0});
  EXPECT_EQ(m.outputs, std::vector<int32_t>{37});
  expect_constants_match_dump(m, sfc_test::data_path(std::string(kResNet8) + ".tflite_tensors.npz"));

  using O = tfl::tfl_op;
  const std::vector<O> want = {O::conv_2d, O::conv_2d, O::conv_2d, O::add, O::conv_2d, O::conv_2d,
                               O::conv_2d, O::add, O::conv_2d, O::conv_2d, O::conv_2d, O::add,
                               O::average_pool_2d, O::reshape, O::fully_connected, O::softmax};
  EXPECT_EQ(op_codes(m), want);
  // Values from pretrainedResnet_quant.tflite_graph.json.
  const tfl::tensor& in = m.tensors[0];
  EXPECT_EQ(in.name, "input_1_int8");
  EXPECT_EQ(in.type, tfl::tensor_type::int8);
  EXPECT_EQ(in.shape, (std::vector<int32_t>{1, 32, 32, 3}));
  EXPECT_EQ(in.quant.scale, std::vector<float>{1.0f});
  EXPECT_EQ(in.quant.zero_point, std::vector<int64_t>{-128});
  const tfl::tensor& w = m.tensors[8];  // stem conv weights, OHWI, per output channel
  EXPECT_EQ(w.shape, (std::vector<int32_t>{16, 3, 3, 3}));
  ASSERT_EQ(w.quant.scale.size(), 16u);
  EXPECT_FLOAT_EQ(w.quant.scale[0], 8.9026361820288e-05f);
  EXPECT_FLOAT_EQ(w.quant.scale[15], 0.00016691285418346524f);
  EXPECT_EQ(w.quant.quantized_dimension, 0);
  EXPECT_EQ(m.tensors[3].type, tfl::tensor_type::int32);  // its bias
  EXPECT_FLOAT_EQ(m.tensors[22].quant.scale[0], 0.039393551647663116f);
  EXPECT_EQ(m.tensors[24].quant.zero_point[0], 4);
  EXPECT_FLOAT_EQ(m.tensors[37].quant.scale[0], 0.00390625f);
  EXPECT_EQ(m.tensors[37].quant.zero_point[0], -128);
  const tfl::op& c0 = m.ops[0];
  EXPECT_EQ(c0.inputs, (std::vector<int32_t>{0, 8, 3}));
  EXPECT_EQ(c0.outputs, std::vector<int32_t>{22});
  EXPECT_EQ(c0.version, 3);
  EXPECT_EQ(c0.opt.pad, tfl::padding::same);
  EXPECT_EQ(c0.opt.act, tfl::activation::relu);
  EXPECT_EQ(m.ops[2].opt.act, tfl::activation::none);
  EXPECT_EQ(m.ops[4].opt.stride_w, 2);
  EXPECT_EQ(m.ops[4].opt.stride_h, 2);
  const tfl::op& pool = m.ops[12];
  EXPECT_EQ(pool.opt.pad, tfl::padding::valid);
  EXPECT_EQ(pool.opt.filter_w, 8);
  EXPECT_EQ(pool.opt.filter_h, 8);
  EXPECT_EQ(pool.opt.stride_h, 8);
  EXPECT_FALSE(m.ops[14].opt.keep_num_dims);
  EXPECT_FLOAT_EQ(m.ops[15].opt.beta, 1.0f);
}

TEST(TfliteReader, FloatResNet8MatchesDump) {
  const std::string p = model_path(kResNet8Float);
  SFC_REQUIRE_DATA(p);
  const tfl::model m = tfl::load_model(p);
  expect_constants_match_dump(m, sfc_test::data_path(std::string(kResNet8Float) + ".tflite_tensors.npz"));
  EXPECT_EQ(m.tensors[size_t(m.inputs[0])].type, tfl::tensor_type::float32);
  EXPECT_TRUE(m.tensors[size_t(m.inputs[0])].quant.empty());
}

TEST(TfliteReader, MobileNetsMatchDump) {
  for (const char* stem : {kMobileNetV2, kMobileNetV2Ptq, kMobileNetV1}) {
    const std::string p = model_path(stem);
    SFC_REQUIRE_DATA(p);
    SCOPED_TRACE(stem);
    const tfl::model m = tfl::load_model(p);
    expect_constants_match_dump(m, sfc_test::data_path(std::string(stem) + ".tflite_tensors.npz"));
  }
  // Values from the *_graph.json dumps.
  const tfl::model v2 = tfl::load_model(model_path(kMobileNetV2));
  EXPECT_EQ(v2.ops.size(), 66u);
  EXPECT_EQ(v2.tensors[0].type, tfl::tensor_type::uint8);
  EXPECT_EQ(v2.tensors[0].quant.scale, std::vector<float>{0.0078125f});
  EXPECT_EQ(v2.tensors[0].quant.zero_point, std::vector<int64_t>{128});
  EXPECT_EQ(v2.tensors[57].shape, (std::vector<int32_t>{1, 3, 3, 32}));  // depthwise 1HWC
  EXPECT_EQ(v2.tensors[57].quant.zero_point, std::vector<int64_t>{165});
  EXPECT_EQ(v2.ops[1].code, tfl::tfl_op::depthwise_conv_2d);
  EXPECT_EQ(v2.ops[1].opt.depth_multiplier, 1);
  EXPECT_EQ(v2.ops[1].opt.act, tfl::activation::relu6);

  const tfl::model ptq = tfl::load_model(model_path(kMobileNetV2Ptq));
  EXPECT_EQ(ptq.ops[0].code, tfl::tfl_op::quantize);
  EXPECT_EQ(ptq.ops[63].code, tfl::tfl_op::mean);
  EXPECT_TRUE(ptq.ops[63].opt.keep_dims);
  const tfl::tensor& dw = ptq.tensors[5];  // per-channel depthwise weights, quantized_dimension 3
  ASSERT_EQ(dw.quant.scale.size(), 32u);
  EXPECT_EQ(dw.quant.quantized_dimension, 3);
  EXPECT_FLOAT_EQ(dw.quant.scale[1], 0.008529157377779484f);
  EXPECT_EQ(ptq.tensors[109].quant.zero_point, std::vector<int64_t>{-1});
}

// ---- malformed files ----

// Raw navigation of the FlatBuffer, independent of the reader, to aim corruptions.
uint32_t u32(const bytes_t& b, size_t p) { uint32_t v; std::memcpy(&v, &b[p], 4); return v; }
void put32(bytes_t& b, size_t p, uint32_t v) { std::memcpy(&b[p], &v, 4); }
size_t field(const bytes_t& b, size_t table, int id) {
  const size_t vt = size_t(int64_t(table) - int32_t(u32(b, table)));
  uint16_t vsize, off;
  std::memcpy(&vsize, &b[vt], 2);
  if (size_t(4 + 2 * id + 2) > vsize) return 0;
  std::memcpy(&off, &b[vt + 4 + 2 * size_t(id)], 2);
  return off ? table + off : 0;
}
size_t deref(const bytes_t& b, size_t p) { return p + u32(b, p); }
size_t element(const bytes_t& b, size_t vec, size_t i) { return deref(b, vec + 4 + 4 * i); }
size_t root(const bytes_t& b) { return u32(b, 0); }
size_t subgraph0(const bytes_t& b) { return element(b, deref(b, field(b, root(b), 2)), 0); }
size_t tensors_vec(const bytes_t& b) { return deref(b, field(b, subgraph0(b), 0)); }
size_t ops_vec(const bytes_t& b) { return deref(b, field(b, subgraph0(b), 3)); }

sfc::error parse_error(const bytes_t& b) {
  try {
    tfl::read_model(b.data(), b.size(), "corrupt.tflite");
  } catch (const sfc::error& e) {
    return e;
  }
  return sfc::error(sfc::error::internal, "no error");
}

void expect_error(const bytes_t& b, sfc::error::kind kind, std::vector<std::string> parts) {
  const sfc::error e = parse_error(b);
  EXPECT_EQ(e.code(), kind) << e.what();
  for (const std::string& s : parts) EXPECT_NE(std::string(e.what()).find(s), std::string::npos) << e.what() << " lacks '" << s << "'";
}

TEST(TfliteReader, RejectsEveryShortTruncation) {
  const std::string p = model_path(kResNet8);
  SFC_REQUIRE_DATA(p);
  const bytes_t full = sfc_test::read_bytes(p);
  // Every length up to 4 KiB (root, vtables, the first tables), then every 97th: always an
  // error, since the constant data runs to the end of the file.
  for (size_t len = 0; len + 16 < full.size(); len += len < 4096 ? 1 : 97) {
    const bytes_t cut(full.begin(), full.begin() + std::ptrdiff_t(len));
    const sfc::error e = parse_error(cut);
    ASSERT_EQ(e.code(), sfc::error::invalid_model) << "length " << len << ": " << e.what();
  }
}

TEST(TfliteReader, RandomByteFlipsNeverCrash) {
  const std::string p = model_path(kResNet8);
  SFC_REQUIRE_DATA(p);
  const bytes_t full = sfc_test::read_bytes(p);
  std::mt19937 rng(1234);
  int rejected = 0, parsed = 0, ran = 0;
  std::vector<int8_t> x(32 * 32 * 3, 0);
  for (int iter = 0; iter < 3000; ++iter) {
    bytes_t b = full;
    // The first 16 KiB hold all the tables (the constant data follows); flip bytes there.
    const int flips = 1 + int(rng() % 8);
    for (int k = 0; k < flips; ++k) b[rng() % 16384] ^= uint8_t(1 + rng() % 255);
    try {
      tfl::model m = tfl::read_model(b.data(), b.size(), "flipped.tflite");
      ++parsed;
      if (ran >= 200) continue;  // keep the test short: run the survivors only until 200 ran
      tfl::ref_interpreter it(std::move(m));
      const tfl::tensor& in = it.graph().tensors[size_t(it.graph().inputs[0])];
      std::vector<uint8_t> input(size_t(in.numel()) * tfl::tensor_type_size(in.type), 0);
      it.set_input(0, input.data(), input.size());
      it.run();
      ++ran;
    } catch (const sfc::error& e) {
      ++rejected;
    }
  }
  EXPECT_GT(rejected, 100);
  std::printf("random flips: %d rejected, %d parsed, %d of them ran\n", rejected, parsed, ran);
}

TEST(TfliteReader, TargetedCorruptionsGiveClearErrors) {
  const std::string p = model_path(kResNet8);
  SFC_REQUIRE_DATA(p);
  const bytes_t full = sfc_test::read_bytes(p);
  using E = sfc::error;
  {
    bytes_t b = full;
    put32(b, 0, uint32_t(b.size() + 10));
    expect_error(b, E::invalid_model, {"root offset"});
  }
  {
    bytes_t b = full;
    b[4] = 'X';
    expect_error(b, E::invalid_model, {"TFL3"});
  }
  {
    bytes_t b = full;
    put32(b, field(b, root(b), 0), 2);  // schema version
    expect_error(b, E::unsupported, {"schema version 2"});
  }
  {
    bytes_t b = full;
    put32(b, deref(b, field(b, root(b), 2)), 0x7FFFFFFF);  // subgraphs vector length
    expect_error(b, E::invalid_model, {"subgraphs", "2147483647"});
  }
  {
    bytes_t b = full;
    put32(b, tensors_vec(b), 0x10000000);
    expect_error(b, E::invalid_model, {"tensors"});
  }
  {
    bytes_t b = full;
    put32(b, element(b, tensors_vec(b), 5), 0x7FFFFFF0);  // tensor 5's vtable offset
    expect_error(b, E::invalid_model, {"tensor 5", "vtable"});
  }
  {
    bytes_t b = full;
    const size_t op3 = element(b, ops_vec(b), 3);
    put32(b, deref(b, field(b, op3, 1)) + 4, 1000);  // op 3 (ADD) first input
    expect_error(b, E::invalid_model, {"operator 3", "tensor index 1000"});
  }
  {
    bytes_t b = full;
    put32(b, field(b, element(b, tensors_vec(b), 8), 2), 5000);  // tensor 8 buffer index
    expect_error(b, E::invalid_model, {"tensor 8", "buffer index 5000"});
  }
  {
    bytes_t b = full;
    // op 0 is a CONV_2D (ADD, code 0, cannot be patched: FlatBuffers omits default fields)
    const size_t op0 = element(b, ops_vec(b), 0);
    const size_t f_index = field(b, op0, 0);
    const size_t code = element(b, deref(b, field(b, root(b), 1)), f_index ? u32(b, f_index) : 0);
    const size_t f_new = field(b, code, 3), f_old = field(b, code, 0);
    ASSERT_TRUE(f_new || f_old);
    if (f_new) put32(b, f_new, 18);  // builtin_code = MUL
    if (f_old) b[f_old] = 18;        // deprecated_builtin_code
    expect_error(b, E::unsupported, {"operator 0", "MUL"});
  }
  {
    // A readable model whose declared shape contradicts the op: the interpreter names the op.
    bytes_t b = full;
    const size_t shape = deref(b, field(b, element(b, tensors_vec(b), 22), 0));
    put32(b, shape + 4 + 3 * 4, 15);  // tensor 22 [1, 32, 32, 16] -> [1, 32, 32, 15]
    tfl::model m = tfl::read_model(b.data(), b.size(), "shape.tflite");
    try {
      tfl::ref_interpreter it(std::move(m));
      ADD_FAILURE() << "no error";
    } catch (const sfc::error& e) {
      EXPECT_EQ(e.code(), E::invalid_model);
      EXPECT_NE(std::string(e.what()).find("operator 0 (CONV_2D)"), std::string::npos) << e.what();
    }
  }
  EXPECT_THROW(tfl::load_model(sfc_test::data_path("no/such/model.tflite")), sfc::error);
}

}  // namespace
