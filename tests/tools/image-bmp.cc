// BMP decoding: every header size, bit depth and compression variant the parser supports,
// row order, padding, bit-field scaling, palettes, and malformed headers. Files are built by hand.
#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "tests/tools/image-test-util.h"

namespace {

using sfc_test::bytes;
using sfc_test::decode;
using sfc_test::expect_decode_error;
using sfc_test::put_le;
using K = sfc::error;

struct bmp_spec {
  int width = 0, height = 0;
  bool top_down = false;
  int bpp = 24;
  uint32_t compression = 0;
  uint32_t header = 40;
  std::vector<uint32_t> palette;  // 0xRRGGBB
  uint32_t colors_used = 0;
  std::vector<uint32_t> masks;  // R, G, B written after/inside the header when non-empty
};

// px(x, y) is the stored value: 0xRRGGBB for 24-bit, the raw word for 16/32-bit, an index <= 8.
bytes make_bmp(const bmp_spec& s, const std::function<uint32_t(int, int)>& px) {
  const bool core = s.header == 12;
  const size_t masks_after = (s.header == 40 && !s.masks.empty()) ? 4 * s.masks.size() : 0;
  const size_t pal_bytes = s.palette.size() * (core ? 3 : 4);
  const size_t offset = 14 + s.header + masks_after + pal_bytes;
  const size_t stride = (size_t(s.width) * s.bpp + 31) / 32 * 4;
  bytes b = {'B', 'M'};
  put_le(&b, offset + stride * s.height, 4);
  put_le(&b, 0, 4);
  put_le(&b, offset, 4);
  put_le(&b, s.header, 4);
  if (core) {
    put_le(&b, s.width, 2), put_le(&b, s.height, 2), put_le(&b, 1, 2), put_le(&b, s.bpp, 2);
  } else {
    put_le(&b, uint32_t(s.width), 4);
    put_le(&b, uint32_t(s.top_down ? -s.height : s.height), 4);
    put_le(&b, 1, 2), put_le(&b, s.bpp, 2), put_le(&b, s.compression, 4);
    put_le(&b, stride * s.height, 4), put_le(&b, 2835, 4), put_le(&b, 2835, 4);
    put_le(&b, s.colors_used, 4), put_le(&b, 0, 4);
    for (uint32_t m : s.masks) put_le(&b, m, 4);
    while (b.size() < 14 + s.header) b.push_back(0);
  }
  for (uint32_t c : s.palette) {
    b.push_back(c & 0xff), b.push_back((c >> 8) & 0xff), b.push_back((c >> 16) & 0xff);
    if (!core) b.push_back(0);
  }
  for (int r = 0; r < s.height; ++r) {
    const int y = s.top_down ? r : s.height - 1 - r;
    bytes row(stride, 0);
    for (int x = 0; x < s.width; ++x) {
      const uint32_t v = px(x, y);
      if (s.bpp <= 8) {
        row[x * s.bpp / 8] |= static_cast<uint8_t>(v << (8 - s.bpp - (x * s.bpp) % 8));
      } else {
        for (int i = 0; i < s.bpp / 8; ++i) row[x * s.bpp / 8 + i] = (v >> (8 * i)) & 0xff;
      }
    }
    b.insert(b.end(), row.begin(), row.end());
  }
  return b;
}

uint32_t rgb_of(const sfc::image& p, int x, int y) {
  const uint8_t* q = p.pixel(x, y);
  return uint32_t(q[0]) << 16 | uint32_t(q[1]) << 8 | q[2];
}

void expect_rgb(const sfc::image& im, int x, int y, uint32_t rgb) {
  const uint8_t* q = im.pixel(x, y);
  EXPECT_EQ(uint32_t(q[0]) << 16 | uint32_t(q[1]) << 8 | q[2], rgb) << x << "," << y;
}

TEST(ImageBmp, Rgb24BottomUpAndTopDownWithPadding) {
  const sfc::image p = sfc_test::pattern_image(5, 4);  // 15-byte rows, padded to 16
  for (bool top_down : {false, true}) {
    for (uint32_t header : {12u, 40u, 108u, 124u}) {
      if (header == 12 && top_down) continue;
      bmp_spec s;
      s.width = 5, s.height = 4, s.top_down = top_down, s.header = header;
      const sfc::image im = decode(make_bmp(s, [&](int x, int y) { return rgb_of(p, x, y); }));
      EXPECT_EQ(im.width, 5);
      EXPECT_EQ(im.height, 4);
      EXPECT_EQ(im.rgb, p.rgb) << "top_down " << top_down << " header " << header;
    }
  }
}

TEST(ImageBmp, Rgb32IgnoresFourthByte) {
  const sfc::image p = sfc_test::pattern_image(3, 2);
  bmp_spec s;
  s.width = 3, s.height = 2, s.bpp = 32;
  const sfc::image im =
      decode(make_bmp(s, [&](int x, int y) { return 0xa5000000u | rgb_of(p, x, y); }));
  EXPECT_EQ(im.rgb, p.rgb);
}

TEST(ImageBmp, Bitfields32) {
  const sfc::image p = sfc_test::pattern_image(3, 3);
  // Unusual channel order, masks after a 40-byte header.
  bmp_spec s;
  s.width = 3, s.height = 3, s.bpp = 32, s.compression = 3;
  s.masks = {0x000000ffu, 0x0000ff00u, 0x00ff0000u};
  auto swapped = [&](int x, int y) {
    const uint8_t* q = p.pixel(x, y);
    return uint32_t(q[2]) << 16 | uint32_t(q[1]) << 8 | q[0];
  };
  EXPECT_EQ(decode(make_bmp(s, swapped)).rgb, p.rgb);
  // Standard masks inside V4/V5 headers, BI_BITFIELDS and BI_ALPHABITFIELDS.
  for (uint32_t comp : {3u, 6u}) {
    bmp_spec v = s;
    v.header = comp == 3 ? 124 : 56, v.compression = comp, v.top_down = true;
    v.masks = {0x00ff0000u, 0x0000ff00u, 0x000000ffu, 0xff000000u};
    EXPECT_EQ(decode(make_bmp(v, [&](int x, int y) { return rgb_of(p, x, y); })).rgb, p.rgb);
  }
}

TEST(ImageBmp, Sixteen555And565) {
  bmp_spec s;
  s.width = 4, s.height = 1, s.bpp = 16;
  // BI_RGB 16-bit is 5-5-5: channels scale as v * 255 / 31 (truncated, as PIL does).
  const uint32_t px555[4] = {0x7fff, 0x7c00, 0x0001, 0x0210};
  const sfc::image a = decode(make_bmp(s, [&](int x, int) { return px555[x]; }));
  expect_rgb(a, 0, 0, 0xffffff);
  expect_rgb(a, 1, 0, 0xff0000);
  expect_rgb(a, 2, 0, 0x000008);  // 1 * 255 / 31 = 8
  expect_rgb(a, 3, 0, 0x008383);  // g = b = 16 * 255 / 31 = 131
}

TEST(ImageBmp, Bitfields565) {
  bmp_spec s;
  s.width = 3, s.height = 2, s.bpp = 16, s.compression = 3;
  s.masks = {0xf800, 0x07e0, 0x001f};
  const uint32_t px[3] = {0xffff, 0xf800, 0x07e0 | 0x0001};
  const sfc::image im = decode(make_bmp(s, [&](int x, int) { return px[x]; }));
  expect_rgb(im, 0, 1, 0xffffff);
  expect_rgb(im, 1, 1, 0xff0000);
  expect_rgb(im, 2, 1, 0x00ff08);
}

TEST(ImageBmp, Palettes) {
  const std::vector<uint32_t> pal = {0x102030, 0xffeedd, 0x00ff00, 0x123456};
  for (int bpp : {1, 4, 8}) {
    for (uint32_t header : {12u, 40u}) {
      bmp_spec s;
      s.width = 11, s.height = 3, s.bpp = bpp, s.header = header;
      const int n = bpp == 1 ? 2 : 4;
      s.palette.assign(pal.begin(), pal.begin() + n);
      if (header == 40) s.colors_used = n;
      if (header == 12) s.palette.resize(size_t(1) << bpp, 0);  // core: full palette
      auto idx = [&](int x, int y) { return uint32_t((x + 2 * y) % n); };
      const sfc::image im = decode(make_bmp(s, idx));
      for (int y = 0; y < 3; ++y)
        for (int x = 0; x < 11; ++x) expect_rgb(im, x, y, pal[idx(x, y)]);
    }
  }
}

TEST(ImageBmp, PaletteIndexBeyondColorsUsedIsBlack) {
  bmp_spec s;
  s.width = 2, s.height = 1, s.bpp = 8, s.palette = {0xabcdef}, s.colors_used = 1;
  const sfc::image im = decode(make_bmp(s, [](int x, int) { return uint32_t(x * 200); }));
  expect_rgb(im, 0, 0, 0xabcdef);
  expect_rgb(im, 1, 0, 0x000000);
}

bmp_spec small24() {
  bmp_spec s;
  s.width = 3, s.height = 2;
  return s;
}
bytes small_bmp(const bmp_spec& s) {
  return make_bmp(s, [](int x, int y) { return uint32_t(x * 0x010203 + y); });
}

TEST(ImageBmp, UnsupportedVariants) {
  bmp_spec s = small24();
  s.bpp = 8, s.compression = 1, s.palette = {0};
  expect_decode_error(small_bmp(s), K::unsupported, "RLE-compressed BMP is not supported");
  s.bpp = 4, s.compression = 2;
  expect_decode_error(small_bmp(s), K::unsupported, "RLE-compressed");
  s = small24(), s.compression = 4;
  expect_decode_error(small_bmp(s), K::unsupported, "compression type 4 is not supported");
  s = small24(), s.bpp = 2, s.palette = {0, 0, 0, 0};
  expect_decode_error(small_bmp(s), K::unsupported, "bit depth 2 is not supported");
  s = small24(), s.header = 64;
  expect_decode_error(small_bmp(s), K::unsupported, "info header of 64 bytes");
}

TEST(ImageBmp, CorruptHeaders) {
  bmp_spec s = small24();
  s.compression = 3, s.masks = {0xff0000, 0xff00, 0xff};
  expect_decode_error(small_bmp(s), K::invalid_argument, "bit fields with 24 bits per pixel");
  s.bpp = 32, s.masks = {0xff0000, 0, 0xff};
  expect_decode_error(small_bmp(s), K::invalid_argument, "mask is zero");
  s.masks = {0xff0000, 0xf0f0, 0xff};
  expect_decode_error(small_bmp(s), K::invalid_argument, "not contiguous");
  s.bpp = 16, s.masks = {0x7c00, 0x03e0, 0x1f0000};
  expect_decode_error(small_bmp(s), K::invalid_argument, "exceeds the pixel size");
  s = small24(), s.bpp = 8, s.colors_used = 300, s.palette = {0};
  expect_decode_error(small_bmp(s), K::invalid_argument, "palette has 300 entries");
  s = small24(), s.width = 0;
  expect_decode_error(small_bmp(s), K::invalid_argument, "invalid image size 0x2");
  bytes b = small_bmp(small24());
  b[22] = 0, b[23] = 0, b[24] = 0, b[25] = 0x80;  // height = INT32_MIN
  expect_decode_error(b, K::invalid_argument, "invalid BMP height");
  b = small_bmp(small24());
  b[18] = 0xff, b[19] = 0xff, b[20] = 0xff, b[21] = 0xff;  // width = -1
  expect_decode_error(b, K::invalid_argument, "invalid image size -1x2");
  b = small_bmp(small24());
  b[10] = 0xf0;  // pixel data offset past the end
  expect_decode_error(b, K::invalid_argument, "file ends inside the pixel data");
  expect_decode_error(bytes{'B', 'M', 0, 0}, K::invalid_argument, "ends inside the file header");
}

TEST(ImageBmp, HugeDimensionsRejectedBeforeAllocation) {
  bmp_spec s = small24();
  for (auto wh : {std::pair<int, int>{100000, 1}, {1, 40000}, {20000, 20000}}) {
    s.width = 1, s.height = 1;
    bytes b = small_bmp(s);
    b[18] = wh.first & 0xff, b[19] = (wh.first >> 8) & 0xff, b[20] = (wh.first >> 16) & 0xff;
    b[22] = wh.second & 0xff, b[23] = (wh.second >> 8) & 0xff, b[24] = (wh.second >> 16) & 0xff;
    expect_decode_error(b, K::invalid_argument, "larger than the limit");
  }
  // Within the limits but the file holds two rows: truncated, caught before allocation.
  bytes b = make_bmp(small24(), [](int, int) { return 0u; });
  b[18] = 16000 & 0xff, b[19] = 16000 >> 8, b[22] = 16000 & 0xff, b[23] = 16000 >> 8;
  expect_decode_error(b, K::invalid_argument, "file ends inside the pixel data");
}

TEST(ImageBmp, EveryTruncationFails) {
  sfc_test::expect_all_prefixes_fail(small_bmp(small24()));
  bmp_spec s = small24();
  s.bpp = 8, s.palette = {1, 2, 3}, s.colors_used = 3;
  sfc_test::expect_all_prefixes_fail(make_bmp(s, [](int x, int) { return uint32_t(x % 3); }));
  s = small24(), s.bpp = 32, s.compression = 3, s.masks = {0xff0000, 0xff00, 0xff};
  sfc_test::expect_all_prefixes_fail(small_bmp(s));
}

}  // namespace
