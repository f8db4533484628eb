// .sfcq model files: round trips (hand-made graph with every IR feature, zoo ResNet-20 fp32 and
// int8-quantized), executor equivalence, versioning and I/O errors. Corruption tests:
// sfcq-corrupt-test.cc; shared helpers: sfcq-test-util.cc.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <memory>

#include "graph-test-util.h"
#include "int8-test-util.h"
#include "graph/backends/conv2d-backend.h"
#include "graph/sfcq/sfcq-internal.h"
#include "graph/sfcq/sfcq.h"
#include "graph/zoo/zoo.h"
#include "kernels/common/error.h"

namespace sfcq_test {  // sfcq-test-util.cc
sfc::graph hand_graph();
sfc::sfcq_metadata hand_metadata();
void expect_same_graph(const sfc::graph& a, const sfc::graph& b);
}  // namespace sfcq_test

namespace {
using sfcq_test::expect_same_graph;

void expect_round_trip(const sfc::graph& g, const sfc::sfcq_metadata& meta = {}) {
  const std::vector<uint8_t> bytes = sfc::sfcq_serialize(g, meta);
  EXPECT_TRUE(sfc::is_sfcq(bytes.data(), bytes.size()));
  sfc::sfcq_metadata got;
  const sfc::graph back = sfc::sfcq_parse(bytes.data(), bytes.size(), &got);
  expect_same_graph(g, back);
  EXPECT_EQ(got.entries, meta.entries);
  EXPECT_EQ(sfc::sfcq_serialize(back, meta), bytes) << "re-serialization is not byte-identical";
}

TEST(Sfcq, HandGraphRoundTrip) {
  expect_round_trip(sfcq_test::hand_graph(), sfcq_test::hand_metadata());
}

TEST(Sfcq, EmptyGraphRoundTrip) { expect_round_trip(sfc::graph{}); }

TEST(Sfcq, PayloadsAre64ByteAligned) {
  const std::vector<uint8_t> f = sfc::sfcq_serialize(sfcq_test::hand_graph());
  using namespace sfc::sfcq;
  const uint64_t table = load_u64(&f[kOffSectionTable]);
  const uint32_t n = load_u32(&f[kOffSectionCount]);
  bool found = false;
  for (uint32_t i = 0; i < n; ++i) {
    const uint8_t* e = &f[table + i * kSectionEntrySize];
    if (load_u32(e) != kSectionData) continue;
    found = true;
    EXPECT_EQ(load_u64(e + 8) % 64, 0u);
    EXPECT_EQ(load_u64(e + 8) + load_u64(e + 16), f.size());  // DATA is the last section
  }
  EXPECT_TRUE(found);
}

TEST(Sfcq, ZooGraphRoundTrips) {
  sfc::graph g = sfc::zoo_build(sfc::zoo_model::resnet20);
  expect_round_trip(g);  // as built: dynamic batch, unfused
  sfc::set_input_shapes(g, sfc::input_shapes_with_batch(g, 2));
  sfc::prepare_graph(g);
  expect_round_trip(g);  // prepared: NHWC values, fused convs, folded constants
}

// An fp32 model saved and loaded gives bit-identical executor outputs.
TEST(Sfcq, Fp32ExecutorOutputsIdenticalThroughFile) {
  const sfc::graph g = sfc::zoo_build(sfc::zoo_model::resnet20);
  const std::string path = ::testing::TempDir() + "sfcq-resnet20.sfcq";
  sfc::save_sfcq(g, path, sfcq_test::hand_metadata());
  sfc::sfcq_metadata meta;
  const sfc::graph back = sfc::load_sfcq(path, &meta);
  std::remove(path.c_str());
  EXPECT_EQ(meta.entries, sfcq_test::hand_metadata().entries);
  const sfc::shape_t shape = {2, 3, 32, 32};
  const std::vector<float> x = sfc_test::random_input(2 * 3 * 32 * 32, 5);
  sfc::executor_options o;
  o.threads = 1;
  const std::vector<float> want = sfc_test::run_graph(g, shape, x, o);
  const std::vector<float> got = sfc_test::run_graph(back, shape, x, o);
  ASSERT_EQ(got.size(), want.size());
  EXPECT_EQ(std::memcmp(got.data(), want.data(), got.size() * sizeof(float)), 0);
}

// The int8 executor's prepared graph (quantized: s8/u8 values, conv quant params) round-trips,
// and runs bit-identically after loading.
TEST(Sfcq, QuantizedGraphRoundTripsAndRunsIdentically) {
  const sfc::graph g = sfc::zoo_build(sfc::zoo_model::resnet20);
  const sfc::shape_t shape = {1, 3, 32, 32};
  const std::string policy = sfc::have_onednn() ? "onednn" : "reference";
  sfc::executor_options o =
      sfc_test::make_int8_options(policy, sfc_test::random_input(4 * 3 * 32 * 32, 7));
  sfc::executor calibrated(g, {shape}, o);
  const sfc::graph& q = calibrated.prepared_graph();
  ASSERT_TRUE(q.quantized);
  int quant_convs = 0;
  for (const sfc::node& n : q.nodes)
    quant_convs += n.op == sfc::op_type::conv && n.conv.quant.valid;
  EXPECT_GT(quant_convs, 10);
  expect_round_trip(q);
  const std::vector<uint8_t> bytes = sfc::sfcq_serialize(q);
  const sfc::graph back = sfc::sfcq_parse(bytes.data(), bytes.size());
  o.int8.calibration.images.clear();  // a quantized model needs none
  const std::vector<float> x = sfc_test::random_input(3 * 32 * 32, 8);
  const std::vector<float> want = sfc_test::run_graph(q, shape, x, o);
  const std::vector<float> got = sfc_test::run_graph(back, shape, x, o);
  ASSERT_EQ(got.size(), want.size());
  EXPECT_EQ(std::memcmp(got.data(), want.data(), got.size() * sizeof(float)), 0);
}

// The writer refuses what the loader would reject, so it never writes an unreadable file.
TEST(Sfcq, WriterRefusesGraphsTheLoaderWouldReject) {
  const std::vector<std::pair<const char*, void (*)(sfc::graph&)>> cases = {
      {"dead", [](sfc::graph& g) { g.nodes[1].dead = true; }},
      {"out of range", [](sfc::graph& g) { g.nodes[1].inputs[0] = 99; }},
      {"out of range", [](sfc::graph& g) { g.outputs.push_back(-1); }},
      {"bad dimension", [](sfc::graph& g) { g.values[1].desc.shape[0] = -2; }},
      {"more than", [](sfc::graph& g) { g.values[1].desc.shape = {1 << 20, 1 << 20, 1 << 20}; }},
      {"rank 4", [](sfc::graph& g) { g.values[3].desc.shape = {4, 64}; }},
      {"without data", [](sfc::graph& g) { g.values[1].is_const = true; }},
      {"writes the constant", [](sfc::graph& g) { g.nodes[1].outputs[0] = 4; }},
      {"weight scales", [](sfc::graph& g) { g.nodes[0].conv.quant.weight_scale.pop_back(); }},
      {"does not match", [](sfc::graph& g) { g.values[0].desc.shape[0] = 5; }},
  };
  for (const auto& c : cases) {
    sfc::graph g = sfcq_test::hand_graph();
    c.second(g);
    try {
      sfc::sfcq_serialize(g);
      ADD_FAILURE() << "wrote a graph with: " << c.first;
    } catch (const sfc::error& e) {
      EXPECT_EQ(e.code(), sfc::error::invalid_argument) << e.what();
      EXPECT_NE(std::string(e.what()).find(c.first), std::string::npos) << e.what();
    }
  }
}

TEST(Sfcq, OtherMajorVersionIsUnsupported) {
  std::vector<uint8_t> f = sfc::sfcq_serialize(sfcq_test::hand_graph());
  f[sfc::sfcq::kOffMajor] = 2, f[sfc::sfcq::kOffMinor] = 3;
  try {
    sfc::sfcq_parse(f.data(), f.size());
    FAIL() << "accepted a version 2 file";
  } catch (const sfc::error& e) {
    EXPECT_EQ(e.code(), sfc::error::unsupported);
    EXPECT_NE(std::string(e.what()).find("format version 2.3"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("this build reads 1.x"), std::string::npos) << e.what();
  }
}

// A newer minor is read (what it appends is skipped), but an enum value this build does not
// know is reported as unsupported rather than corrupt.
TEST(Sfcq, NewerMinorVersionIsAccepted) {
  std::vector<uint8_t> f = sfc::sfcq_serialize(sfcq_test::hand_graph());
  f[sfc::sfcq::kOffMinor] = uint8_t(sfc::kSfcqVersionMinor + 1);
  sfc::sfcq::sfcq_update_checksums(f);
  expect_same_graph(sfcq_test::hand_graph(), sfc::sfcq_parse(f.data(), f.size()));
}

TEST(Sfcq, UnreadableOrUnwritablePathIsIoError) {
  for (const std::string& p : {std::string("/nonexistent-dir/model.sfcq"), std::string("/")}) {
    try {
      sfc::load_sfcq(p);
      FAIL() << "loaded " << p;
    } catch (const sfc::error& e) {
      EXPECT_EQ(e.code(), sfc::error::io) << e.what();
    }
  }
  try {
    sfc::save_sfcq(sfcq_test::hand_graph(), "/nonexistent-dir/model.sfcq");
    FAIL() << "saved into a missing directory";
  } catch (const sfc::error& e) {
    EXPECT_EQ(e.code(), sfc::error::io) << e.what();
  }
}

TEST(Sfcq, Crc32MatchesTheStandardCheckValue) {
  const char s[] = "123456789";
  EXPECT_EQ(sfc::sfcq::crc32(reinterpret_cast<const uint8_t*>(s), 9), 0xCBF43926u);
}

TEST(Sfcq, MagicCheck) {
  const std::vector<uint8_t> f = sfc::sfcq_serialize(sfc::graph{});
  EXPECT_TRUE(sfc::is_sfcq(f.data(), f.size()));
  EXPECT_FALSE(sfc::is_sfcq(f.data(), 7));
  EXPECT_FALSE(sfc::is_sfcq(nullptr, 0));
  const char onnx[] = "\x08\x07\x12\x07pytorch";
  EXPECT_FALSE(sfc::is_sfcq(onnx, sizeof onnx));
}

}  // namespace
