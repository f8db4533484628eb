// Format detection, unreadable files, garbage input and single-byte corruption of every format:
// always sfc::error (or a valid image), never a crash.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <random>
#include <string>

#include "tests/tools/image-test-util.h"

namespace {

using sfc_test::bytes;
using sfc_test::decode;
using sfc_test::expect_decode_error;
using K = sfc::error;

bytes sample_file(sfc::image_format f) {
  const sfc::image p = sfc_test::pattern_image(6, 5);
  if (f == sfc::image_format::png) {
    sfc_test::png_spec s;
    s.width = 6, s.height = 5, s.rows = p.rgb, s.interlace = true;
    return sfc_test::encode_png(s);
  }
  if (f == sfc::image_format::jpeg) {
    sfc_test::jpeg_spec s;
    s.width = 6, s.height = 5, s.pixels = p.rgb;
    return sfc_test::encode_jpeg(s);
  }
  bytes b;
  sfc_test::put_str(&b, "P6 6 5 255\n");
  b.insert(b.end(), p.rgb.begin(), p.rgb.end());
  return b;
}

TEST(ImageRobustness, DetectsFormatFromMagicBytes) {
  using F = sfc::image_format;
  EXPECT_EQ(sfc::detect_image_format(sample_file(F::png).data(), 8), F::png);
  EXPECT_EQ(sfc::detect_image_format(sample_file(F::jpeg).data(), 3), F::jpeg);
  EXPECT_EQ(sfc::detect_image_format(sample_file(F::pnm).data(), 3), F::pnm);
  const uint8_t bm[] = {'B', 'M'}, p6[] = {'P', '6', '#'}, p1[] = {'P', '1', ' '};
  EXPECT_EQ(sfc::detect_image_format(bm, 2), F::bmp);
  EXPECT_EQ(sfc::detect_image_format(p6, 3), F::pnm);
  EXPECT_EQ(sfc::detect_image_format(p1, 3), F::unknown);
  EXPECT_EQ(sfc::detect_image_format(bm, 1), F::unknown);
  EXPECT_EQ(sfc::detect_image_format(nullptr, 0), F::unknown);
  EXPECT_STREQ(sfc::image_format_name(F::pnm), "PPM/PGM");
}

TEST(ImageRobustness, ExtensionIsIgnored) {
  const bytes png = sample_file(sfc::image_format::png);
  const std::string path = std::string(SFC_BINARY_DIR) + "/image-robustness-really-png.jpg";
  FILE* f = std::fopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  std::fwrite(png.data(), 1, png.size(), f);
  std::fclose(f);
  const sfc::image im = sfc::load_image(path);
  EXPECT_EQ(im.rgb, sfc_test::pattern_image(6, 5).rgb);
  std::remove(path.c_str());
}

TEST(ImageRobustness, UnreadableFilesAreIoErrors) {
  for (const std::string& path : {std::string("/nonexistent/dir/x.png"), std::string("/")}) {
    try {
      sfc::load_image(path);
      ADD_FAILURE() << path;
    } catch (const sfc::error& e) {
      EXPECT_EQ(e.code(), K::io) << e.what();
      EXPECT_EQ(std::string(e.what()).rfind(path + ": ", 0), 0u) << e.what();
    }
  }
}

TEST(ImageRobustness, GarbageIsRejected) {
  expect_decode_error(bytes{}, K::invalid_argument, "empty file");
  expect_decode_error(bytes{'G', 'I', 'F', '8', '9', 'a'}, K::unsupported,
                      "unrecognised image format");
  std::mt19937 rng(42);
  for (int t = 0; t < 2000; ++t) {
    bytes b(rng() % 200);
    for (auto& v : b) v = static_cast<uint8_t>(rng());
    if (t % 4 == 1 && b.size() >= 3) b[0] = 0xff, b[1] = 0xd8, b[2] = 0xff;
    if (t % 4 == 2 && b.size() >= 2) b[0] = 'B', b[1] = 'M';
    if (t % 4 == 3 && b.size() >= 3) b[0] = 'P', b[1] = '6', b[2] = ' ';
    EXPECT_THROW(decode(b), sfc::error) << t;
  }
  // A valid PNG signature followed by garbage.
  bytes b = {0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a};
  for (int i = 0; i < 64; ++i) b.push_back(static_cast<uint8_t>(i * 37));
  expect_decode_error(b, K::invalid_argument, "corrupt PNG");
}

// Flipping any single byte yields a valid image or sfc::error, never a crash or an exit().
TEST(ImageRobustness, SingleByteCorruptionNeverCrashes) {
  for (auto f : {sfc::image_format::png, sfc::image_format::jpeg, sfc::image_format::pnm}) {
    const bytes good = sample_file(f);
    for (size_t i = 0; i < good.size(); ++i) {
      for (uint8_t x : {0x01, 0x10, 0xff}) {
        bytes b = good;
        b[i] ^= x;
        try {
          const sfc::image im = decode(b);
          EXPECT_EQ(im.rgb.size(), size_t(im.width) * im.height * 3);
        } catch (const sfc::error&) {
        }
      }
    }
  }
}

}  // namespace
