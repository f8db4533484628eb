// Robustness of the ONNX importer: every truncation and random byte flips of a small model give
// either a working model or sfc::error (never a crash or another exception); unsupported
// operators, attributes and external data are rejected with messages that name the node.
#include <random>

#include "graph-test-util.h"
#include "graph/onnx/onnx.h"
#include "graph/passes/passes.h"
#include "graph/zoo/zoo-builder.h"
#include "kernels/common/error.h"

namespace {

// Conv + BN + Relu, option-A shortcut (Slice with steps + Pad), MaxPool, GAP, Flatten, Gemm.
sfc::graph tiny_graph() {
  sfc::zoo::builder b("tiny", 3);
  sfc::zoo::act x = b.input("input", -1, 3, 8, 8, 8, 8);
  x = b.conv_bn(x, 4, 3, 1, 1, "conv1", "bn1", 0.8, 1.2, true);
  x = b.option_a_shortcut(x, 2, "sc");
  x = b.max_pool(x, 2, 2, 0, "pool");
  b.head(x, 3, false);
  return b.finish();
}

// Loads, prepares and runs; returns false if an sfc::error was thrown.
bool try_model(const uint8_t* data, size_t size, std::string* msg = nullptr) {
  try {
    const sfc::graph g = sfc::onnx_import_memory(data, size, "model");
    sfc::executor_options o;
    o.max_arena_bytes = size_t(64) << 20;
    o.threads = 1;
    sfc::executor ex(g, sfc::input_shapes_with_batch(g, 1), o);
    std::vector<uint8_t> in(ex.input_desc(0).bytes(), 0);
    ex.set_input(0, in.data());
    ex.run();
    return true;
  } catch (const sfc::error& e) {
    if (msg) *msg = e.what();
    return false;
  }
}

TEST(OnnxErrors, TinyModelWorks) {
  const std::vector<uint8_t> bytes = sfc::onnx_export(tiny_graph());
  EXPECT_LT(bytes.size(), 4096u);
  std::string msg;
  EXPECT_TRUE(try_model(bytes.data(), bytes.size(), &msg)) << msg;
}

TEST(OnnxErrors, EveryTruncation) {
  const std::vector<uint8_t> bytes = sfc::onnx_export(tiny_graph());
  int rejected = 0;
  for (size_t len = 0; len < bytes.size(); ++len) {
    std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + long(len));  // exact-size buffer
    rejected += !try_model(cut.data(), cut.size());
  }
  EXPECT_GT(rejected, int(bytes.size()) * 9 / 10);
  std::string msg;
  EXPECT_FALSE(try_model(bytes.data(), bytes.size() - 1, &msg));
  EXPECT_NE(msg.find("model"), std::string::npos) << msg;
}

TEST(OnnxErrors, RandomByteFlips) {
  const std::vector<uint8_t> bytes = sfc::onnx_export(tiny_graph());
  std::mt19937 rng(12345);
  int rejected = 0;
  const int trials = 3000;
  for (int t = 0; t < trials; ++t) {
    std::vector<uint8_t> b = bytes;
    const int flips = 1 + int(rng() % 4);
    for (int f = 0; f < flips; ++f) b[rng() % b.size()] ^= uint8_t(1 + rng() % 255);
    rejected += !try_model(b.data(), b.size());
  }
  std::printf("[ byte flips ] %d of %d corrupted models rejected, the rest ran\n", rejected, trials);
  EXPECT_GT(rejected, 0);
}

TEST(OnnxErrors, GarbageAndEmpty) {
  std::string msg;
  EXPECT_FALSE(try_model(nullptr, 0, &msg));
  const std::vector<uint8_t> junk = {0xff, 0xff, 0xff, 0xff, 0x0f, 0x12, 0x34};
  EXPECT_FALSE(try_model(junk.data(), junk.size(), &msg));
  try {
    sfc::onnx_import_file("/nonexistent/model.onnx");
    FAIL() << "expected an error";
  } catch (const sfc::error& e) {
    EXPECT_EQ(e.code(), sfc::error::io);
  }
}

void expect_error(const std::vector<uint8_t>& bytes, sfc::error::kind kind,
                  const std::vector<std::string>& needles) {
  try {
    const sfc::graph g = sfc::onnx_import_memory(bytes.data(), bytes.size(), "model");
    sfc::executor ex(g, sfc::input_shapes_with_batch(g, 1));
    FAIL() << "expected an error";
  } catch (const sfc::error& e) {
    EXPECT_EQ(e.code(), kind) << e.what();
    for (const std::string& s : needles) EXPECT_NE(std::string(e.what()).find(s), std::string::npos) << e.what();
  }
}

TEST(OnnxErrors, UnsupportedOperatorNamesNodeAndOp) {
  std::vector<uint8_t> bytes = sfc::onnx_export(tiny_graph());
  const std::string from = "Relu", to = "Celu";
  auto it = std::search(bytes.begin(), bytes.end(), from.begin(), from.end());
  ASSERT_NE(it, bytes.end());
  std::copy(to.begin(), to.end(), it);
  expect_error(bytes, sfc::error::unsupported, {"bn1.relu", "Celu"});
}

TEST(OnnxErrors, UnsupportedAttributes) {
  sfc::graph g = tiny_graph();
  g.nodes[0].attrs["dilations"].int_values = {2, 2};
  expect_error(sfc::onnx_export(g), sfc::error::unsupported, {"conv1", "Conv", "dilations"});
  g = tiny_graph();
  g.nodes[0].attrs["fancy"] = sfc::attribute{};
  expect_error(sfc::onnx_export(g), sfc::error::unsupported, {"conv1", "Conv", "fancy"});
}

// Hand-encoded protobuf (independent of the generated classes) for an external-data tensor.
void put_varint(std::string& s, uint64_t v) {
  for (; v >= 0x80; v >>= 7) s.push_back(char(v | 0x80));
  s.push_back(char(v));
}
void put_field(std::string& s, int field, uint64_t v) { put_varint(s, uint64_t(field) << 3), put_varint(s, v); }
void put_bytes(std::string& s, int field, const std::string& b) {
  put_varint(s, (uint64_t(field) << 3) | 2), put_varint(s, b.size()), s += b;
}

TEST(OnnxErrors, ExternalDataIsUnsupported) {
  std::string entry, tensor, vi_type, shape, vi, node, graph, opset, model;
  put_bytes(entry, 1, "location"), put_bytes(entry, 2, "weights.bin");
  put_field(tensor, 1, 4), put_field(tensor, 2, 1), put_bytes(tensor, 8, "w");
  put_bytes(tensor, 13, entry), put_field(tensor, 14, 1);
  put_bytes(node, 1, "w"), put_bytes(node, 2, "y"), put_bytes(node, 3, "id"), put_bytes(node, 4, "Identity");
  std::string dim, tt;
  put_field(dim, 1, 4), put_bytes(shape, 1, dim);
  put_field(tt, 1, 1), put_bytes(tt, 2, shape), put_bytes(vi_type, 1, tt);
  put_bytes(vi, 1, "y"), put_bytes(vi, 2, vi_type);
  put_bytes(graph, 1, node), put_bytes(graph, 2, "g"), put_bytes(graph, 5, tensor), put_bytes(graph, 12, vi);
  put_field(opset, 2, 13);
  put_field(model, 1, 8), put_bytes(model, 8, opset), put_bytes(model, 7, graph);
  const std::vector<uint8_t> bytes(model.begin(), model.end());
  try {
    sfc::onnx_import_memory(bytes.data(), bytes.size(), "model");
    FAIL() << "expected an error";
  } catch (const sfc::error& e) {
    EXPECT_EQ(e.code(), sfc::error::unsupported);
    EXPECT_NE(std::string(e.what()).find("external data"), std::string::npos) << e.what();
  }
}

}  // namespace
