// PPM/PGM decoding: P6/P5 binary, P3/P2 ASCII, comments, maxval scaling, 16-bit, malformed input.
#include <gtest/gtest.h>

#include <string>

#include "tests/tools/image-test-util.h"

namespace {

using sfc_test::bytes;
using sfc_test::decode;
using sfc_test::expect_decode_error;

bytes str(const std::string& s) { return bytes(s.begin(), s.end()); }

TEST(ImagePnm, BinaryP6RoundTrip) {
  const sfc::image p = sfc_test::pattern_image(5, 3);
  bytes b = str("P6\n5 3\n255\n");
  b.insert(b.end(), p.rgb.begin(), p.rgb.end());
  const sfc::image im = decode(b);
  EXPECT_EQ(im.width, 5);
  EXPECT_EQ(im.height, 3);
  EXPECT_EQ(im.rgb, p.rgb);
}

TEST(ImagePnm, BinaryP5GrayIsReplicated) {
  bytes b = str("P5 3 2 255 ");
  for (uint8_t v : {0, 10, 20, 200, 254, 255}) b.push_back(v);
  const sfc::image im = decode(b);
  ASSERT_EQ(im.rgb.size(), 18u);
  EXPECT_EQ(im.pixel(2, 1)[0], 255);
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(im.rgb[3 * i], b[11 + i]);
    EXPECT_EQ(im.rgb[3 * i + 1], b[11 + i]);
    EXPECT_EQ(im.rgb[3 * i + 2], b[11 + i]);
  }
}

TEST(ImagePnm, AsciiWithComments) {
  const sfc::image im = decode(str("P3\n# a comment\n2 # width\n1\n255\n1 2 3\n\n  4 5 6"));
  EXPECT_EQ(im.rgb, (bytes{1, 2, 3, 4, 5, 6}));
  const sfc::image g = decode(str("P2\t2\r\n2 255 0 1\n2 3\n"));
  EXPECT_EQ(g.rgb, (bytes{0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3}));
}

TEST(ImagePnm, MaxvalScalingRoundsHalfToEven) {
  // maxval 2: 1 -> round(127.5) = 128 (half to even); 2 -> 255.
  EXPECT_EQ(decode(str("P2 3 1 2 0 1 2")).rgb, (bytes{0, 0, 0, 128, 128, 128, 255, 255, 255}));
  // maxval 10: 3 -> round(76.5) = 76.
  EXPECT_EQ(decode(str("P2 1 1 10 3")).rgb, (bytes{76, 76, 76}));
  EXPECT_EQ(decode(str("P2 1 1 1 1")).rgb, (bytes{255, 255, 255}));
}

TEST(ImagePnm, SixteenBit) {
  bytes b = str("P6 2 1 65535\n");
  for (uint8_t v : {0xff, 0xff, 0x00, 0x00, 0x80, 0x00, 0x00, 0x80, 0x12, 0x34, 0x7f, 0xff}) {
    b.push_back(v);
  }
  // 65535 -> 255, 0 -> 0, 0x8000 -> 128, 0x0080 -> 0, 0x1234 -> 18, 0x7fff -> 127.
  EXPECT_EQ(decode(b).rgb, (bytes{255, 0, 128, 0, 18, 127}));
  EXPECT_EQ(decode(str("P3 1 1 65535 65535 0 32768")).rgb, (bytes{255, 0, 128}));
  bytes g = str("P5 1 1 1000\n");
  g.push_back(0x01);
  g.push_back(0xf4);  // 500 / 1000 * 255 = 127.5 -> 128
  EXPECT_EQ(decode(g).rgb, (bytes{128, 128, 128}));
}

TEST(ImagePnm, TrailingDataIgnored) {
  EXPECT_EQ(decode(str("P5 1 1 255\n\x07 trailing")).rgb, (bytes{7, 7, 7}));
}

TEST(ImagePnm, Malformed) {
  using K = sfc::error;
  expect_decode_error(str("P6 2 2 0\n"), K::invalid_argument, "maxval is 0");
  expect_decode_error(str("P6 2 2 65536\n"), K::invalid_argument, "maxval is larger than 65535");
  expect_decode_error(str("P6 x 2 255\n"), K::invalid_argument, "expected a number for the width");
  expect_decode_error(str("P6 2x 2 255\n"), K::invalid_argument, "junk after the width");
  expect_decode_error(str("P6 0 2 255\n"), K::invalid_argument, "invalid image size 0x2");
  expect_decode_error(str("P6 2 2 255\nabc"), K::invalid_argument, "needs 12 bytes, file has 3");
  expect_decode_error(str("P6 1 1 255X\n"), K::invalid_argument, "junk after the maxval");
  expect_decode_error(str("P2 2 1 100 5 101"), K::invalid_argument,
                      "sample 101 exceeds maxval 100");
  expect_decode_error(str("P5 1 1 100\n\x65"), K::invalid_argument, "exceeds maxval");
  expect_decode_error(str("P2 2 2 255 1 2 3\n\n\n\n"), K::invalid_argument, "after 3 of 4 samples");
  expect_decode_error(str("P2 2 2 255 1 2"), K::invalid_argument, "too few bytes");
  expect_decode_error(str("P3 1 1 255 1 2 -3"), K::invalid_argument, "expected a number");
  expect_decode_error(str("P6 99999999999 2 255"), K::invalid_argument, "width is larger");
  expect_decode_error(str("P6 # only a comment"), K::invalid_argument, "ends before the width");
  expect_decode_error(str("P4 1 1\n\x80"), K::unsupported, "unrecognised image format");
}

TEST(ImagePnm, HugeDimensionsRejectedBeforeAllocation) {
  using K = sfc::error;
  expect_decode_error(str("P6 32769 1 255\n"), K::invalid_argument, "larger than the limit");
  expect_decode_error(str("P6 30000 30000 255\n"), K::invalid_argument, "30000x30000, larger");
  // Within limits but far more pixels than the file holds: rejected before allocating.
  expect_decode_error(str("P6 16384 16384 255\n"), K::invalid_argument, "truncated");
  expect_decode_error(str("P3 16384 16384 255\n1 2 3"), K::invalid_argument, "too few bytes");
}

TEST(ImagePnm, EveryTruncationFails) {
  const sfc::image p = sfc_test::pattern_image(4, 3);
  bytes b = str("P6\n# c\n4 3\n255\n");
  b.insert(b.end(), p.rgb.begin(), p.rgb.end());
  sfc_test::expect_all_prefixes_fail(b);
  bytes g = str("P5 4 3 65535\n");
  for (int i = 0; i < 24; ++i) g.push_back(static_cast<uint8_t>(i * 9));
  sfc_test::expect_all_prefixes_fail(g);
  // ASCII: a cut inside the last number still parses (e.g. "255" -> "25"); every cut before the
  // last sample fails.
  const std::string a = "P3 2 1 255\n10 20 30 40 50 255\n";
  for (size_t n = 0; n < a.rfind("255"); ++n) {
    EXPECT_THROW(decode(str(a.substr(0, n))), sfc::error) << n;
  }
}

}  // namespace
