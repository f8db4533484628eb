// BMP decoding (own parser). Supported: BITMAPCOREHEADER (12) and BITMAPINFOHEADER and its
// extensions (40, 52, 56, 108, 124 bytes); 1/4/8-bit palette, 16/24/32-bit BI_RGB, 16/32-bit
// BI_BITFIELDS / BI_ALPHABITFIELDS; bottom-up and top-down rows. RLE, embedded JPEG/PNG and other
// variants are rejected as unsupported. Every read is bounds-checked against the file size; the
// whole pixel array (rows padded to 4 bytes) must be present.
#include <cstdint>
#include <string>

#include "tools/common/image-decoders.h"

namespace sfc {
namespace image_detail {
namespace {

constexpr uint32_t kBiRgb = 0, kBiRle8 = 1, kBiRle4 = 2, kBiBitfields = 3, kBiAlphaBitfields = 6;

uint32_t le16(const uint8_t* p) { return uint32_t(p[0]) | uint32_t(p[1]) << 8; }
uint32_t le32(const uint8_t* p) { return le16(p) | le16(p + 2) << 16; }

struct channel_mask {
  uint32_t mask = 0;
  int shift = 0;
  uint64_t max = 1;  // mask >> shift
};

struct bmp_info {
  uint32_t data_offset = 0;
  uint32_t dib_size = 0;
  int64_t width = 0, height = 0;
  bool top_down = false;
  int bpp = 0;
  uint32_t compression = kBiRgb;
  uint32_t colors = 0;  // palette entries (bpp <= 8)
  size_t palette_offset = 0;
  int palette_entry = 4;  // bytes per palette entry (3 for the core header)
  channel_mask masks[3];  // R, G, B (16/32-bit)
};

void need(size_t size, uint64_t end, const std::string& name, const char* what) {
  if (end > size) {
    fail_corrupt(name, std::string("truncated BMP: file ends inside the ") + what + " (" +
                           std::to_string(size) + " bytes, need " + std::to_string(end) + ")");
  }
}

channel_mask make_mask(uint32_t m, int bpp, const std::string& name) {
  channel_mask c;
  c.mask = m;
  if (m == 0) fail_corrupt(name, "BMP bit-field mask is zero");
  if (bpp < 32 && (m >> bpp) != 0) fail_corrupt(name, "BMP bit-field mask exceeds the pixel size");
  while (!((m >> c.shift) & 1u)) ++c.shift;
  c.max = m >> c.shift;
  if ((c.max & (c.max + 1)) != 0) fail_corrupt(name, "BMP bit-field mask is not contiguous");
  return c;
}

void parse_masks(const uint8_t* d, size_t size, bmp_info* b, const std::string& name) {
  if (b->compression == kBiRgb) {
    const uint32_t def[3] = {0x7c00, 0x03e0, 0x001f};  // 16-bit BI_RGB is 5-5-5
    for (int c = 0; c < 3; ++c) b->masks[c] = make_mask(def[c], b->bpp, name);
    return;
  }
  size_t at = 14 + 40;  // right after BITMAPINFOHEADER, inside the V2+ headers or after 40
  need(size, at + 12, name, "colour masks");
  for (int c = 0; c < 3; ++c) b->masks[c] = make_mask(le32(d + at + 4 * c), b->bpp, name);
  if (b->dib_size == 40) b->palette_offset += b->compression == kBiAlphaBitfields ? 16 : 12;
}

void parse_core(const uint8_t* d, bmp_info* b) {
  b->width = le16(d + 18);
  b->height = le16(d + 20);
  b->bpp = static_cast<int>(le16(d + 24));
  b->palette_entry = 3;
}

void parse_info(const uint8_t* d, bmp_info* b, const std::string& name) {
  b->width = static_cast<int32_t>(le32(d + 18));
  const int32_t h = static_cast<int32_t>(le32(d + 22));
  if (h == INT32_MIN) fail_corrupt(name, "invalid BMP height");
  b->top_down = h < 0;
  b->height = h < 0 ? -int64_t{h} : h;
  b->bpp = static_cast<int>(le16(d + 28));
  b->compression = le32(d + 30);
  b->colors = le32(d + 46);
}

void check_compression(const bmp_info& b, const std::string& name) {
  const uint32_t c = b.compression;
  if (c == kBiRle8 || c == kBiRle4) fail_unsupported(name, "RLE-compressed BMP is not supported");
  const bool bitfields = c == kBiBitfields || c == kBiAlphaBitfields;
  if (c != kBiRgb && !bitfields) {
    fail_unsupported(name, "BMP compression type " + std::to_string(c) + " is not supported");
  }
  const int p = b.bpp;
  if (p != 1 && p != 4 && p != 8 && p != 16 && p != 24 && p != 32) {
    fail_unsupported(name, "BMP bit depth " + std::to_string(p) + " is not supported");
  }
  if (bitfields && p != 16 && p != 32) {
    fail_corrupt(name, "BMP bit fields with " + std::to_string(p) + " bits per pixel");
  }
}

bmp_info parse_header(const uint8_t* d, size_t size, const std::string& name) {
  bmp_info b;
  need(size, 18, name, "file header");
  b.data_offset = le32(d + 10);
  b.dib_size = le32(d + 14);
  const uint32_t s = b.dib_size;
  if (s != 12 && s != 40 && s != 52 && s != 56 && s != 108 && s != 124) {
    fail_unsupported(name, "BMP info header of " + std::to_string(s) + " bytes is not supported");
  }
  need(size, 14 + uint64_t{s}, name, "info header");
  if (s == 12) {
    parse_core(d, &b);
  } else {
    parse_info(d, &b, name);
  }
  check_compression(b, name);
  check_image_dims(b.width, b.height, name);
  b.palette_offset = 14 + s;
  if (b.bpp == 16 || b.bpp == 32) parse_masks(d, size, &b, name);
  if (b.bpp <= 8) {
    const uint32_t max_colors = 1u << b.bpp;
    if (b.colors > max_colors) {
      fail_corrupt(name, "BMP palette has " + std::to_string(b.colors) + " entries for " +
                             std::to_string(b.bpp) + "-bit pixels");
    }
    if (b.colors == 0) b.colors = max_colors;
    need(size, b.palette_offset + uint64_t{b.colors} * b.palette_entry, name, "palette");
  }
  return b;
}

uint8_t scale_channel(uint32_t px, const channel_mask& m) {
  return static_cast<uint8_t>(((px & m.mask) >> m.shift) * 255 / m.max);
}

// Decodes one stored row (src) into RGB (dst).
void decode_row(const bmp_info& b, const uint8_t* src, uint8_t* dst, const uint8_t (*pal)[3]) {
  const int w = static_cast<int>(b.width);
  if (b.bpp <= 8) {
    const int per_byte = 8 / b.bpp;
    const uint32_t lowmask = (1u << b.bpp) - 1;
    for (int x = 0; x < w; ++x, dst += 3) {
      const int sh = 8 - b.bpp * (x % per_byte + 1);
      const uint32_t idx = (uint32_t(src[x / per_byte]) >> sh) & lowmask;
      for (int c = 0; c < 3; ++c) dst[c] = pal[idx][c];
    }
  } else if (b.bpp == 24 || (b.bpp == 32 && b.compression == kBiRgb)) {
    const int step = b.bpp / 8;
    for (int x = 0; x < w; ++x, src += step, dst += 3) {
      dst[0] = src[2], dst[1] = src[1], dst[2] = src[0];
    }
  } else {
    for (int x = 0; x < w; ++x, dst += 3) {
      const uint32_t px = b.bpp == 16 ? le16(src + 2 * x) : le32(src + 4 * x);
      for (int c = 0; c < 3; ++c) dst[c] = scale_channel(px, b.masks[c]);
    }
  }
}

}  // namespace

image decode_bmp(const uint8_t* d, size_t size, const std::string& name) {
  const bmp_info b = parse_header(d, size, name);
  // Palette padded to 256 black entries: out-of-range indices decode as black.
  uint8_t pal[256][3] = {};
  for (uint32_t i = 0; i < b.colors && b.bpp <= 8; ++i) {
    const uint8_t* e = d + b.palette_offset + size_t(i) * b.palette_entry;
    pal[i][0] = e[2], pal[i][1] = e[1], pal[i][2] = e[0];
  }
  const uint64_t stride = (uint64_t(b.width) * b.bpp + 31) / 32 * 4;
  need(size, uint64_t{b.data_offset} + stride * uint64_t(b.height), name, "pixel data");
  image im = make_image(b.width, b.height, name);
  for (int64_t y = 0; y < b.height; ++y) {
    const int64_t sy = b.top_down ? y : b.height - 1 - y;
    decode_row(b, d + b.data_offset + stride * uint64_t(sy),
               im.rgb.data() + size_t(y) * size_t(b.width) * 3, pal);
  }
  return im;
}

}  // namespace image_detail
}  // namespace sfc
