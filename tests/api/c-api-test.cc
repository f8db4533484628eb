// The C API boundary: argument validation, status codes and messages, corrupt / unsupported
// models, wrong input shapes, and concurrent sessions on one shared model.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "sfc/sfc.h"

namespace {

struct ctx_holder {
  sfc_context ctx = nullptr;
  ctx_holder(uint32_t threads = 1) {
    sfc_context_options o;
    sfc_context_options_init(&o);
    o.num_threads = threads;
    EXPECT_EQ(sfc_context_create(&o, &ctx), SFC_STATUS_SUCCESS) << sfc_last_error_message();
  }
  ~ctx_holder() { sfc_context_destroy(ctx); }
};

std::string data_dir() { return SFC_DATA_DIR; }

TEST(CApi, NullArgumentsAreRejectedWithMessages) {
  EXPECT_EQ(sfc_context_create(nullptr, nullptr), SFC_STATUS_INVALID_ARGUMENT);
  EXPECT_NE(std::string(sfc_last_error_message()).find("context_out"), std::string::npos);
  ctx_holder c;
  sfc_model m = nullptr;
  EXPECT_EQ(sfc_model_create_builtin(nullptr, "resnet20", nullptr, &m), SFC_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(sfc_model_create_builtin(c.ctx, nullptr, nullptr, &m), SFC_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(sfc_model_create_builtin(c.ctx, "resnet20", nullptr, nullptr), SFC_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(sfc_model_create_builtin(c.ctx, "alexnet", nullptr, &m), SFC_STATUS_INVALID_ARGUMENT);
  EXPECT_NE(std::string(sfc_last_error_message()).find("alexnet"), std::string::npos);
  EXPECT_EQ(m, nullptr);
  EXPECT_EQ(sfc_model_load_file(c.ctx, nullptr, nullptr, &m), SFC_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(sfc_model_load_memory(c.ctx, nullptr, 10, nullptr, &m), SFC_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(sfc_session_create(nullptr, nullptr, nullptr), SFC_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(sfc_session_run(nullptr), SFC_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(sfc_session_set_input(nullptr, 0, nullptr, nullptr), SFC_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(sfc_session_get_output(nullptr, 0, nullptr, nullptr), SFC_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(sfc_model_input_desc(nullptr, 0, nullptr), SFC_STATUS_INVALID_ARGUMENT);
  EXPECT_EQ(sfc_session_node_count(nullptr), 0u);
  sfc_context_destroy(nullptr);
  sfc_model_destroy(nullptr);
  sfc_session_destroy(nullptr);
  sfc_context_options bad;
  sfc_context_options_init(&bad);
  bad.struct_size = 1000;
  sfc_context c2 = nullptr;
  EXPECT_EQ(sfc_context_create(&bad, &c2), SFC_STATUS_INVALID_ARGUMENT);
  EXPECT_STRNE(sfc_status_string(SFC_STATUS_IO_ERROR), sfc_status_string(SFC_STATUS_INVALID_MODEL));
  EXPECT_GT(sfc_version(), 0u);
}

TEST(CApi, CorruptTruncatedAndMissingModels) {
  ctx_holder c;
  sfc_model m = nullptr;
  EXPECT_EQ(sfc_model_load_file(c.ctx, "/nonexistent/model.onnx", nullptr, &m), SFC_STATUS_IO_ERROR);
  const char junk[] = "this is not a protobuf \xff\xff\xff\xff";
  EXPECT_NE(sfc_model_load_memory(c.ctx, junk, sizeof junk, nullptr, &m), SFC_STATUS_SUCCESS);
  EXPECT_EQ(m, nullptr);
  std::ifstream f(data_dir() + "/cifar10_resnet_akamaster/resnet20.onnx", std::ios::binary);
  if (!f) GTEST_SKIP() << "shared data absent: " << data_dir();
  std::vector<char> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  for (size_t cut : {size_t(1), size_t(7), bytes.size() / 3, bytes.size() / 2, bytes.size() - 1}) {
    EXPECT_NE(sfc_model_load_memory(c.ctx, bytes.data(), cut, nullptr, &m), SFC_STATUS_SUCCESS) << cut;
    EXPECT_NE(std::string(sfc_last_error_message()), "");
  }
  ASSERT_EQ(sfc_model_load_memory(c.ctx, bytes.data(), bytes.size(), nullptr, &m), SFC_STATUS_SUCCESS)
      << sfc_last_error_message();
  sfc_model_destroy(m);
}

// Quantized model files (.sfcq) go through the same entry points: a file with the magic but a
// broken body fails with a message naming the format; metadata is NULL where there is none.
TEST(CApi, CorruptQuantizedModelFileAndMetadata) {
  ctx_holder c;
  sfc_model m = nullptr;
  std::string bytes("SFCQ\r\n\x1a\n", 8);
  bytes += std::string(200, '\0');
  bytes[8] = 1;  // format version 1.0 (docs/sfcq-format.md), so the checksums are what fails
  EXPECT_EQ(sfc_model_load_memory(c.ctx, bytes.data(), bytes.size(), nullptr, &m),
            SFC_STATUS_INVALID_MODEL);
  EXPECT_EQ(m, nullptr);
  EXPECT_NE(std::string(sfc_last_error_message()).find("sfcq"), std::string::npos)
      << sfc_last_error_message();
  for (size_t cut : {size_t(8), size_t(40), size_t(64)})
    EXPECT_NE(sfc_model_load_memory(c.ctx, bytes.data(), cut, nullptr, &m), SFC_STATUS_SUCCESS);
  EXPECT_EQ(sfc_model_metadata(nullptr, "producer"), nullptr);
  sfc_model_options o;
  sfc_model_options_init(&o);
  ASSERT_EQ(sfc_model_create_builtin(c.ctx, "resnet20", &o, &m), SFC_STATUS_SUCCESS);
  EXPECT_EQ(sfc_model_metadata(m, "producer"), nullptr);  // not a quantized model file
  EXPECT_EQ(sfc_model_metadata(m, nullptr), nullptr);
  sfc_model_destroy(m);
}

TEST(CApi, UnsupportedOptionsAndWrongInputs) {
  ctx_holder c;
  sfc_model_options o;
  sfc_model_options_init(&o);
  o.impl = "xnnpack";  // not an fp32 implementation
  sfc_model m = nullptr;
  EXPECT_EQ(sfc_model_create_builtin(c.ctx, "resnet20", &o, &m), SFC_STATUS_UNSUPPORTED);
  o.impl = nullptr;
  o.transform_bits = 5;
  EXPECT_EQ(sfc_model_create_builtin(c.ctx, "resnet20", &o, &m), SFC_STATUS_INVALID_ARGUMENT);
  sfc_model_options_init(&o);
  ASSERT_EQ(sfc_model_create_builtin(c.ctx, "resnet20", &o, &m), SFC_STATUS_SUCCESS) << sfc_last_error_message();
  sfc_session s = nullptr;
  ASSERT_EQ(sfc_session_create(m, nullptr, &s), SFC_STATUS_SUCCESS);
  sfc_tensor_desc in;
  ASSERT_EQ(sfc_model_input_desc(m, 0, &in), SFC_STATUS_SUCCESS);
  EXPECT_EQ(in.rank, 4u);
  EXPECT_EQ(in.dims[1], 3);
  std::vector<float> x(3 * 32 * 32, 0.5f);
  sfc_tensor_desc wrong = in;
  wrong.dims[2] = 31;
  EXPECT_EQ(sfc_session_set_input(s, 0, &wrong, x.data()), SFC_STATUS_INVALID_ARGUMENT);
  EXPECT_NE(std::string(sfc_last_error_message()).find("shape"), std::string::npos);
  EXPECT_EQ(sfc_session_set_input(s, 1, &in, x.data()), SFC_STATUS_INVALID_ARGUMENT);
  const void* y = nullptr;
  sfc_tensor_desc out;
  EXPECT_EQ(sfc_session_get_output(s, 0, &out, &y), SFC_STATUS_INVALID_ARGUMENT);  // not run yet
  ASSERT_EQ(sfc_session_set_input(s, 0, &in, x.data()), SFC_STATUS_SUCCESS);
  ASSERT_EQ(sfc_session_run(s), SFC_STATUS_SUCCESS);
  ASSERT_EQ(sfc_session_get_output(s, 0, &out, &y), SFC_STATUS_SUCCESS);
  EXPECT_EQ(out.dims[1], 10);
  EXPECT_GT(sfc_session_node_count(s), 10u);
  sfc_node_info info;
  ASSERT_EQ(sfc_session_get_node_info(s, 0, &info), SFC_STATUS_SUCCESS);
  EXPECT_STREQ(info.op, "Conv");
  sfc_session_destroy(s);
  sfc_model_destroy(m);
}

std::vector<float> run_once(sfc_model m, const std::vector<float>& x) {
  sfc_session s = nullptr;
  EXPECT_EQ(sfc_session_create(m, nullptr, &s), SFC_STATUS_SUCCESS);
  sfc_tensor_desc in, out;
  sfc_model_input_desc(m, 0, &in);
  std::vector<float> result;
  for (int rep = 0; rep < 5; rep++) {
    EXPECT_EQ(sfc_session_set_input(s, 0, &in, x.data()), SFC_STATUS_SUCCESS);
    EXPECT_EQ(sfc_session_run(s), SFC_STATUS_SUCCESS);
    const void* y = nullptr;
    EXPECT_EQ(sfc_session_get_output(s, 0, &out, &y), SFC_STATUS_SUCCESS);
    result.assign(static_cast<const float*>(y), static_cast<const float*>(y) + out.dims[1]);
  }
  sfc_session_destroy(s);
  return result;
}

TEST(CApi, TwoThreadsShareOneModel) {
  ctx_holder c(1);
  sfc_model m = nullptr;
  ASSERT_EQ(sfc_model_create_builtin(c.ctx, "resnet20", nullptr, &m), SFC_STATUS_SUCCESS);
  std::vector<float> x1(3 * 32 * 32), x2(3 * 32 * 32);
  for (size_t i = 0; i < x1.size(); i++) x1[i] = float(i % 17) / 17.f, x2[i] = float(i % 5) / 5.f - 0.5f;
  const auto want1 = run_once(m, x1), want2 = run_once(m, x2);
  std::vector<float> got1, got2;
  std::thread t1([&] { got1 = run_once(m, x1); }), t2([&] { got2 = run_once(m, x2); });
  t1.join();
  t2.join();
  EXPECT_EQ(got1, want1);
  EXPECT_EQ(got2, want2);
  EXPECT_NE(want1, want2);
  sfc_model_destroy(m);
}

}  // namespace

namespace {

TEST(CApi, Int8ModelsSharedAcrossThreadsAndPolicies) {
  ctx_holder c(1);
  std::vector<float> calib(4 * 3 * 32 * 32);
  for (size_t i = 0; i < calib.size(); i++) calib[i] = float((i * 2654435761u) % 1000) / 500.f - 1.f;
  sfc_model_options o;
  sfc_model_options_init(&o);
  o.precision = SFC_PRECISION_INT8;
  sfc_model m = nullptr;
  EXPECT_EQ(sfc_model_create_builtin(c.ctx, "resnet20", &o, &m), SFC_STATUS_INVALID_ARGUMENT);  // no calibration
  EXPECT_NE(std::string(sfc_last_error_message()).find("calibration"), std::string::npos);
  o.calibration_data = calib.data();
  o.calibration_count = 4;
  std::vector<float> x1(calib.begin(), calib.begin() + 3 * 32 * 32), x2(calib.begin() + 3 * 32 * 32, calib.begin() + 6 * 32 * 32);
  for (const char* impl : {"auto", "sfc6_7x7_3x3", "onednn"}) {
    o.impl = impl;
    ASSERT_EQ(sfc_model_create_builtin(c.ctx, "resnet20", &o, &m), SFC_STATUS_SUCCESS) << impl << ": " << sfc_last_error_message();
    const auto want1 = run_once(m, x1), want2 = run_once(m, x2);
    std::vector<float> got1, got2;
    std::thread t1([&] { got1 = run_once(m, x1); }), t2([&] { got2 = run_once(m, x2); });
    t1.join();
    t2.join();
    EXPECT_EQ(got1, want1) << impl;
    EXPECT_EQ(got2, want2) << impl;
    sfc_session s = nullptr;
    ASSERT_EQ(sfc_session_create(m, nullptr, &s), SFC_STATUS_SUCCESS);
    bool saw_sfc = false;
    for (uint32_t k = 0; k < sfc_session_node_count(s); k++) {
      sfc_node_info info;
      ASSERT_EQ(sfc_session_get_node_info(s, k, &info), SFC_STATUS_SUCCESS);
      saw_sfc |= std::string(info.impl).find("sfc6_7x7_3x3") == 0;
    }
    if (std::string(impl) == "sfc6_7x7_3x3") {
      EXPECT_TRUE(saw_sfc);
    }
    if (std::string(impl) == "onednn") {
      EXPECT_FALSE(saw_sfc);
    }
    sfc_session_destroy(s);
    sfc_model_destroy(m);
  }
}

}  // namespace
