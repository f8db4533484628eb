// .npz reader on the real reference archive, plus corrupt and deflated archives.
#include "graph-test-util.h"
#include "kernels/common/error.h"
#include "tools/common/npz.h"

namespace {

const char* kLogits = "cifar10_test_lossless200_eembc/ref_pytorch_logits.npz";

TEST(Npz, ReadsNumpySavez) {
  const std::string p = sfc_test::data_path(kLogits);
  SFC_REQUIRE_DATA(p);
  const sfc::npz_archive a = sfc::npz_load(p);
  ASSERT_EQ(a.size(), 4u);
  for (const char* k : {"resnet20_logits", "resnet32_logits", "resnet44_logits", "resnet56_logits"}) {
    ASSERT_EQ(a.count(k), 1u) << k;
    EXPECT_EQ(a.at(k).shape_str(), "(200, 10)");
    EXPECT_EQ(a.at(k).dtype, sfc::npy_dtype::f4);
  }
}

TEST(Npz, ReadsWeightsArchive) {
  const std::string p = sfc_test::data_path("cifar10_resnet_akamaster/resnet20.npz");
  SFC_REQUIRE_DATA(p);
  const sfc::npz_archive a = sfc::npz_load(p);
  EXPECT_EQ(a.size(), 97u);
  EXPECT_EQ(a.at("conv1.weight").shape_str(), "(16, 3, 3, 3)");
}

TEST(Npz, RejectsCorruptAndDeflated) {
  const std::string p = sfc_test::data_path(kLogits);
  SFC_REQUIRE_DATA(p);
  const std::vector<uint8_t> bytes = sfc_test::read_bytes(p);
  for (size_t len : {size_t(0), size_t(10), bytes.size() / 2, bytes.size() - 1}) {
    EXPECT_THROW(sfc::npz_parse(bytes.data(), len, "cut"), sfc::error) << len;
  }
  std::vector<uint8_t> flipped = bytes;
  flipped[200] ^= 0x55;  // inside the first member's data: CRC mismatch
  EXPECT_THROW(sfc::npz_parse(flipped.data(), flipped.size(), "flip"), sfc::error);
  // Mark the first central-directory entry as deflated (method 8).
  std::vector<uint8_t> deflated = bytes;
  const uint8_t sig[4] = {0x50, 0x4b, 0x01, 0x02};
  auto it = std::search(deflated.begin(), deflated.end(), sig, sig + 4);
  ASSERT_NE(it, deflated.end());
  it[10] = 8;
  try {
    sfc::npz_parse(deflated.data(), deflated.size(), "deflated.npz");
    FAIL() << "expected an error";
  } catch (const sfc::error& e) {
    EXPECT_NE(std::string(e.what()).find("deflate"), std::string::npos) << e.what();
  }
}

}  // namespace
