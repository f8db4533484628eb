// PNG decoding: every colour type and bit depth, palettes with tRNS, alpha dropping, 16-bit,
// interlacing, and libpng errors (CRC, bad IHDR, huge sizes) turned into sfc::error.
#include <gtest/gtest.h>
#include <zlib.h>  // crc32, to re-sign edited chunks

#include <cstdint>
#include <string>
#include <vector>

#include "tests/tools/image-test-util.h"

namespace {

using sfc_test::bytes;
using sfc_test::decode;
using sfc_test::encode_png;
using sfc_test::expect_decode_error;
using sfc_test::png_spec;
using K = sfc::error;

png_spec rgb_spec(const sfc::image& p, bool interlace) {
  png_spec s;
  s.width = p.width, s.height = p.height, s.interlace = interlace, s.rows = p.rgb;
  return s;
}

TEST(ImagePng, Rgb8PlainAndInterlaced) {
  const sfc::image p = sfc_test::pattern_image(13, 11);
  for (bool il : {false, true}) {
    const sfc::image im = decode(encode_png(rgb_spec(p, il)));
    EXPECT_EQ(im.width, 13);
    EXPECT_EQ(im.height, 11);
    EXPECT_EQ(im.rgb, p.rgb) << "interlace " << il;
  }
}

TEST(ImagePng, RgbaAndRgb16KeepHighByteDropAlpha) {
  const sfc::image p = sfc_test::pattern_image(7, 5);
  for (bool il : {false, true}) {
    png_spec a = rgb_spec(p, il), w = rgb_spec(p, il), wa = rgb_spec(p, il);
    a.color_type = PNG_COLOR_TYPE_RGBA, a.rows.clear();
    w.bit_depth = 16, w.rows.clear();
    wa.color_type = PNG_COLOR_TYPE_RGBA, wa.bit_depth = 16, wa.rows.clear();
    for (size_t i = 0; i < p.rgb.size(); ++i) {
      a.rows.push_back(p.rgb[i]);
      w.rows.push_back(p.rgb[i]), w.rows.push_back(static_cast<uint8_t>(0xff - p.rgb[i]));
      wa.rows.push_back(p.rgb[i]), wa.rows.push_back(0x99);
      if (i % 3 == 2) {
        a.rows.push_back(static_cast<uint8_t>(i));  // alpha: ignored, not composited
        wa.rows.push_back(0), wa.rows.push_back(0);
      }
    }
    EXPECT_EQ(decode(encode_png(a)).rgb, p.rgb);
    EXPECT_EQ(decode(encode_png(w)).rgb, p.rgb);
    EXPECT_EQ(decode(encode_png(wa)).rgb, p.rgb);
  }
}

// Gray of bit depth d: sample v expands to v * 255 / (2^d - 1) (exact for d <= 8).
TEST(ImagePng, GrayAllDepths) {
  const int w = 9, h = 4;
  for (int depth : {1, 2, 4, 8, 16}) {
    for (bool il : {false, true}) {
      png_spec s;
      s.width = w, s.height = h, s.color_type = PNG_COLOR_TYPE_GRAY, s.bit_depth = depth;
      s.interlace = il;
      const int maxv = depth == 16 ? 65535 : (1 << depth) - 1;
      const size_t stride = (size_t(w) * depth + 7) / 8;
      s.rows.assign(stride * h, 0);
      std::vector<int> vals;
      for (int y = 0; y < h; ++y) {
        for (int x = 0; x < w; ++x) {
          const int v = (x * 7 + y * 3) % (maxv + 1) * (depth == 16 ? 257 : 1);
          vals.push_back(v);
          uint8_t* row = &s.rows[y * stride];
          if (depth == 16) {
            row[2 * x] = static_cast<uint8_t>(v >> 8), row[2 * x + 1] = static_cast<uint8_t>(v);
          } else {
            row[x * depth / 8] |= static_cast<uint8_t>(v << (8 - depth - (x * depth) % 8));
          }
        }
      }
      const sfc::image im = decode(encode_png(s));
      for (int i = 0; i < w * h; ++i) {
        const int expect = depth == 16 ? vals[i] >> 8 : vals[i] * 255 / maxv;
        ASSERT_EQ(im.rgb[3 * i], expect) << "depth " << depth << " pixel " << i;
        ASSERT_EQ(im.rgb[3 * i + 1], expect);
        ASSERT_EQ(im.rgb[3 * i + 2], expect);
      }
    }
  }
}

TEST(ImagePng, GrayAlpha8And16) {
  for (int depth : {8, 16}) {
    png_spec s;
    s.width = 3, s.height = 1, s.color_type = PNG_COLOR_TYPE_GRAY_ALPHA, s.bit_depth = depth;
    const int n = depth / 8;
    for (int v : {0, 100, 255}) {
      for (int i = 0; i < n; ++i) s.rows.push_back(static_cast<uint8_t>(i == 0 ? v : 7));
      for (int i = 0; i < n; ++i) s.rows.push_back(0x40);
    }
    EXPECT_EQ(decode(encode_png(s)).rgb, (bytes{0, 0, 0, 100, 100, 100, 255, 255, 255}));
  }
}

TEST(ImagePng, PaletteAllDepthsWithTrns) {
  const std::vector<png_color> pal = {{10, 20, 30}, {200, 100, 0}, {1, 2, 3}, {255, 255, 255}};
  for (int depth : {1, 2, 4, 8}) {
    for (bool trns : {false, true}) {
      png_spec s;
      s.width = 10, s.height = 3, s.color_type = PNG_COLOR_TYPE_PALETTE, s.bit_depth = depth;
      s.interlace = trns;
      const int n = depth == 1 ? 2 : 4;
      s.palette.assign(pal.begin(), pal.begin() + n);
      if (trns) s.trns_alpha = {0, 128};
      const size_t stride = (size_t(10) * depth + 7) / 8;
      s.rows.assign(stride * 3, 0);
      for (int y = 0; y < 3; ++y)
        for (int x = 0; x < 10; ++x)
          s.rows[y * stride + x * depth / 8] |=
              static_cast<uint8_t>(((x + y) % n) << (8 - depth - (x * depth) % 8));
      const sfc::image im = decode(encode_png(s));
      for (int y = 0; y < 3; ++y) {
        for (int x = 0; x < 10; ++x) {
          const png_color& c = pal[(x + y) % n];
          const uint8_t* q = im.pixel(x, y);
          ASSERT_EQ(q[0], c.red) << depth << " " << x << "," << y;
          ASSERT_EQ(q[1], c.green);
          ASSERT_EQ(q[2], c.blue);
        }
      }
    }
  }
}

// tRNS on gray / RGB images is ignored (no alpha channel appears, as with PIL's convert("RGB")).
TEST(ImagePng, GrayAndRgbTrnsIgnored) {
  png_spec g;
  g.width = 2, g.height = 1, g.color_type = PNG_COLOR_TYPE_GRAY, g.bit_depth = 4;
  g.rows = {0x3f};  // samples 3 and 15
  g.has_trans_color = true, g.trans_color.gray = 3;
  EXPECT_EQ(decode(encode_png(g)).rgb, (bytes{51, 51, 51, 255, 255, 255}));
  const sfc::image p = sfc_test::pattern_image(3, 2);
  png_spec c = rgb_spec(p, true);
  c.has_trans_color = true;
  c.trans_color.red = p.rgb[0], c.trans_color.green = p.rgb[1], c.trans_color.blue = p.rgb[2];
  EXPECT_EQ(decode(encode_png(c)).rgb, p.rgb);
}

// Recomputes the CRC of the chunk starting at `at` (length, type, data, crc).
void fix_crc(bytes* b, size_t at) {
  const uint32_t len =
      uint32_t((*b)[at]) << 24 | (*b)[at + 1] << 16 | (*b)[at + 2] << 8 | (*b)[at + 3];
  uLong crc = crc32(0, nullptr, 0);
  crc = crc32(crc, &(*b)[at + 4], 4 + len);
  for (int i = 0; i < 4; ++i) (*b)[at + 8 + len + i] = static_cast<uint8_t>(crc >> (24 - 8 * i));
}

bytes small_png() { return encode_png(rgb_spec(sfc_test::pattern_image(4, 3), false)); }

void set_be32(bytes* b, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) (*b)[at + i] = static_cast<uint8_t>(v >> (24 - 8 * i));
}

TEST(ImagePng, CorruptFiles) {
  bytes b = small_png();
  b[20] ^= 1;  // inside IHDR data: CRC mismatch
  expect_decode_error(b, K::invalid_argument, "corrupt PNG: IHDR: CRC error");
  b = small_png();
  b[24] = 3;  // bit depth 3
  fix_crc(&b, 8);
  expect_decode_error(b, K::invalid_argument, "corrupt PNG");
  b = small_png();
  b[b.size() - 20] ^= 0x55;  // inside IDAT
  expect_decode_error(b, K::invalid_argument, "corrupt PNG");
  b = small_png();
  set_be32(&b, 16, 0);  // width 0
  fix_crc(&b, 8);
  expect_decode_error(b, K::invalid_argument, "corrupt PNG");
}

TEST(ImagePng, HugeDimensionsRejectedBeforeAllocation) {
  for (auto wh : {std::pair<uint32_t, uint32_t>{100000, 1}, {1, 40000}, {30000, 30000}}) {
    bytes b = small_png();
    set_be32(&b, 16, wh.first);
    set_be32(&b, 20, wh.second);
    fix_crc(&b, 8);
    try {
      decode(b);
      ADD_FAILURE() << "huge PNG decoded";
    } catch (const sfc::error& e) {
      const std::string msg = e.what();
      EXPECT_TRUE(msg.find("exceeds user limit") != std::string::npos ||
                  msg.find("larger than the limit") != std::string::npos)
          << msg;
    }
  }
  // 16384 x 16384 is within the limits, but a file this small cannot hold it.
  bytes b = small_png();
  set_be32(&b, 16, 16384);
  set_be32(&b, 20, 16384);
  fix_crc(&b, 8);
  expect_decode_error(b, K::invalid_argument, "too small for a 16384x16384 image");
}

TEST(ImagePng, EveryTruncationFails) {
  sfc_test::expect_all_prefixes_fail(small_png());
  png_spec s = rgb_spec(sfc_test::pattern_image(5, 5), true);
  sfc_test::expect_all_prefixes_fail(encode_png(s));
}

}  // namespace
