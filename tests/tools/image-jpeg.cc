// JPEG decoding through libjpeg: RGB (4:4:4 and 4:2:0), baseline and progressive, grayscale,
// Adobe CMYK, odd sizes; libjpeg errors and warnings turned into sfc::error, never exit().
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "tests/tools/image-test-util.h"

namespace {

using sfc_test::bytes;
using sfc_test::decode;
using sfc_test::encode_jpeg;
using sfc_test::expect_decode_error;
using sfc_test::jpeg_spec;
using K = sfc::error;

// Smooth RGB content (no wrap-around), so a high-quality JPEG is within a few levels.
jpeg_spec smooth_rgb(int w, int h) {
  jpeg_spec s;
  s.width = w, s.height = h;
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int c = 0; c < 3; ++c)
        s.pixels.push_back(static_cast<uint8_t>(20 + x * 3 + y * 2 + c * 40));
  return s;
}

void expect_close(const bytes& got, const bytes& want, int max_diff, double max_mean) {
  ASSERT_EQ(got.size(), want.size());
  int worst = 0;
  double sum = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    const int d = std::abs(int(got[i]) - int(want[i]));
    worst = std::max(worst, d);
    sum += d;
  }
  EXPECT_LE(worst, max_diff);
  EXPECT_LE(sum / got.size(), max_mean);
}

TEST(ImageJpeg, RgbBaselineAndProgressive) {
  for (bool prog : {false, true}) {
    for (auto wh : {std::pair<int, int>{32, 24}, {17, 9}, {1, 1}}) {
      jpeg_spec s = smooth_rgb(wh.first, wh.second);
      s.progressive = prog;
      const sfc::image im = decode(encode_jpeg(s));
      EXPECT_EQ(im.width, wh.first);
      EXPECT_EQ(im.height, wh.second);
      expect_close(im.rgb, s.pixels, 4, 1.0);
    }
  }
}

TEST(ImageJpeg, Subsampled420) {
  jpeg_spec s = smooth_rgb(33, 19);
  s.subsample = true, s.quality = 90;
  expect_close(decode(encode_jpeg(s)).rgb, s.pixels, 12, 3.0);
  s.progressive = true;
  expect_close(decode(encode_jpeg(s)).rgb, s.pixels, 12, 3.0);
}

TEST(ImageJpeg, GrayscaleIsReplicated) {
  jpeg_spec s;
  s.width = 12, s.height = 10, s.components = 1;
  for (int i = 0; i < 120; ++i) s.pixels.push_back(static_cast<uint8_t>(30 + i));
  const sfc::image im = decode(encode_jpeg(s));
  bytes rgb;
  for (uint8_t v : s.pixels) rgb.insert(rgb.end(), {v, v, v});
  expect_close(im.rgb, rgb, 3, 1.0);
  for (size_t i = 0; i < im.rgb.size(); i += 3) {
    ASSERT_EQ(im.rgb[i], im.rgb[i + 1]);
    ASSERT_EQ(im.rgb[i], im.rgb[i + 2]);
  }
}

TEST(ImageJpeg, AdobeCmykUsesPilFormula) {
  // Stored (Adobe-inverted) CMYK: 255 - ink. Four 8x8 blocks: white, black, cyan, 50% gray (K).
  const uint8_t inks[4][4] = {{0, 0, 0, 0}, {0, 0, 0, 255}, {255, 0, 0, 0}, {0, 0, 0, 128}};
  const uint32_t want[4] = {0xffffff, 0x000000, 0x00ffff, 0x7f7f7f};
  jpeg_spec s;
  s.width = 32, s.height = 8, s.components = 4;
  for (int y = 0; y < 8; ++y)
    for (int x = 0; x < 32; ++x)
      for (int c = 0; c < 4; ++c) s.pixels.push_back(static_cast<uint8_t>(255 - inks[x / 8][c]));
  const sfc::image im = decode(encode_jpeg(s));
  for (int b = 0; b < 4; ++b) {
    const uint8_t* q = im.pixel(b * 8 + 3, 4);
    for (int c = 0; c < 3; ++c) {
      EXPECT_NEAR(q[c], (want[b] >> (16 - 8 * c)) & 0xff, 2) << "block " << b << " channel " << c;
    }
  }
}

// Offset of the SOF0/SOF2 segment's precision byte.
size_t sof_at(const bytes& b) {
  for (size_t i = 2; i + 9 < b.size(); ++i) {
    if (b[i] == 0xff && (b[i + 1] == 0xc0 || b[i + 1] == 0xc2)) return i + 4;
  }
  ADD_FAILURE() << "no SOF marker";
  return 0;
}

bytes with_size(bytes b, int w, int h) {
  const size_t p = sof_at(b);
  b[p + 1] = static_cast<uint8_t>(h >> 8), b[p + 2] = static_cast<uint8_t>(h);
  b[p + 3] = static_cast<uint8_t>(w >> 8), b[p + 4] = static_cast<uint8_t>(w);
  return b;
}

TEST(ImageJpeg, CorruptAndUnsupported) {
  const bytes good = encode_jpeg(smooth_rgb(16, 16));
  expect_decode_error(bytes{0xff, 0xd8, 0xff, 0x00, 0x01, 0x02}, K::invalid_argument,
                      "corrupt JPEG");
  bytes b = good;
  b[sof_at(b)] = 12;  // 12-bit samples: not supported by this libjpeg build
  expect_decode_error(b, K::invalid_argument, "corrupt JPEG: Unsupported JPEG data precision 12");
  expect_decode_error(with_size(good, 0, 16), K::invalid_argument, "corrupt JPEG");
  b = good;
  b[sof_at(b) + 5] = 2;  // two components: unsupported colour space
  EXPECT_THROW(decode(b), sfc::error);
}

TEST(ImageJpeg, HugeDimensionsRejectedBeforeAllocation) {
  const bytes good = encode_jpeg(smooth_rgb(16, 16));
  expect_decode_error(with_size(good, 60000, 16), K::invalid_argument, "larger than the limit");
  expect_decode_error(with_size(good, 30000, 30000), K::invalid_argument, "larger than the limit");
  expect_decode_error(with_size(good, 16000, 16000), K::invalid_argument,
                      "too small for a 16000x16000 image");
}

TEST(ImageJpeg, EveryTruncationFails) {
  jpeg_spec s = smooth_rgb(12, 10);
  s.quality = 50;
  sfc_test::expect_all_prefixes_fail(encode_jpeg(s));
  s.progressive = true, s.subsample = true;
  sfc_test::expect_all_prefixes_fail(encode_jpeg(s));
}

// Any single corrupted byte either decodes (libjpeg tolerates bad entropy data, as PIL does) or
// throws sfc::error; it never crashes or exits.
TEST(ImageJpeg, CorruptedBytesNeverCrash) {
  jpeg_spec s = smooth_rgb(16, 8);
  s.progressive = true;
  const bytes good = encode_jpeg(s);
  for (size_t i = 0; i < good.size(); ++i) {
    for (uint8_t x : {0x01, 0x80, 0xff}) {
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

}  // namespace
