// Helpers for the image tests: synthetic pixels, in-test PNG/JPEG encoders (libpng / libjpeg),
// hand-written BMP/PPM byte builders and error expectations.
#pragma once
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "kernels/common/error.h"
#include "tools/common/image.h"

// jpeglib.h needs size_t and FILE declared first.
#include <jpeglib.h>
#include <png.h>

namespace sfc_test {

using bytes = std::vector<uint8_t>;

// Deterministic RGB test pattern (also reproduced in Python for the PIL golden hashes).
inline sfc::image pattern_image(int w, int h) {
  sfc::image im;
  im.width = w;
  im.height = h;
  im.rgb.resize(size_t(w) * h * 3);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int c = 0; c < 3; ++c)
        im.rgb[(size_t(y) * w + x) * 3 + c] =
            static_cast<uint8_t>((x * 37 + y * 91 + c * 53 + ((x * y) % 7) * 11) & 255);
  return im;
}

inline uint64_t fnv1a(const bytes& b) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (uint8_t v : b) h = (h ^ v) * 0x100000001b3ull;
  return h;
}

inline void put_le(bytes* b, uint64_t v, int n) {
  for (int i = 0; i < n; ++i) b->push_back(static_cast<uint8_t>(v >> (8 * i)));
}
inline void put_str(bytes* b, const std::string& s) { b->insert(b->end(), s.begin(), s.end()); }

inline sfc::image decode(const bytes& b, const std::string& name = "mem.img") {
  return sfc::decode_image(b.data(), b.size(), name);
}

// Expects decode to throw sfc::error of `kind` whose message names the file and contains `what`.
inline void expect_decode_error(const bytes& b, sfc::error::kind kind, const std::string& what) {
  try {
    decode(b, "bad.img");
    ADD_FAILURE() << "no error, expected: " << what;
  } catch (const sfc::error& e) {
    const std::string msg = e.what();
    EXPECT_EQ(e.code(), kind) << msg;
    EXPECT_EQ(msg.rfind("bad.img: ", 0), 0u) << msg;
    EXPECT_NE(msg.find(what), std::string::npos) << "message: " << msg << "\nexpected: " << what;
  }
}

// Every strict prefix of b must be rejected with sfc::error (and must not crash).
inline void expect_all_prefixes_fail(const bytes& b) {
  for (size_t n = 0; n < b.size(); ++n) {
    bool threw = false;
    try {
      sfc::decode_image(b.data(), n, "cut.img");
    } catch (const sfc::error&) {
      threw = true;
    }
    EXPECT_TRUE(threw) << "prefix of " << n << " of " << b.size() << " bytes decoded";
  }
}

struct png_spec {
  int width = 0, height = 0;
  int color_type = PNG_COLOR_TYPE_RGB;
  int bit_depth = 8;
  bool interlace = false;
  bytes rows;                        // packed PNG rows (big-endian 16-bit samples)
  std::vector<png_color> palette;    // PNG_COLOR_TYPE_PALETTE
  std::vector<png_byte> trns_alpha;  // palette tRNS
  bool has_trans_color = false;      // gray / RGB tRNS
  png_color_16 trans_color{};
};

extern "C" inline void sfc_test_png_write(png_structp png, png_bytep data, size_t n) {
  auto* out = static_cast<bytes*>(png_get_io_ptr(png));
  out->insert(out->end(), data, data + n);
}
extern "C" inline void sfc_test_png_flush(png_structp) {}

inline bytes encode_png(const png_spec& s) {
  bytes out;
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png_create_info_struct(png);
  std::vector<png_bytep> rows(s.height);
  const size_t stride = s.rows.size() / s.height;
  for (int y = 0; y < s.height; ++y) rows[y] = const_cast<png_bytep>(&s.rows[y * stride]);
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    ADD_FAILURE() << "libpng write failed";
    return {};
  }
  png_set_write_fn(png, &out, sfc_test_png_write, sfc_test_png_flush);
  png_set_IHDR(png, info, s.width, s.height, s.bit_depth, s.color_type,
               s.interlace ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
               PNG_FILTER_TYPE_DEFAULT);
  if (!s.palette.empty()) png_set_PLTE(png, info, s.palette.data(), int(s.palette.size()));
  if (!s.trns_alpha.empty()) {
    png_set_tRNS(png, info, s.trns_alpha.data(), int(s.trns_alpha.size()), nullptr);
  }
  if (s.has_trans_color) png_set_tRNS(png, info, nullptr, 0, &s.trans_color);
  png_write_info(png, info);
  png_write_image(png, rows.data());
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  return out;
}

struct jpeg_spec {
  int width = 0, height = 0;
  int components = 3;  // 1 (gray), 3 (RGB in, YCbCr stored), 4 (CMYK, Adobe inverted)
  int quality = 100;
  bool progressive = false;
  bool subsample = false;  // 4:2:0 instead of 4:4:4
  bytes pixels;            // width * height * components
};

inline bytes encode_jpeg(const jpeg_spec& s) {
  jpeg_compress_struct c;
  jpeg_error_mgr err;
  c.err = jpeg_std_error(&err);
  jpeg_create_compress(&c);
  unsigned char* buf = nullptr;
  unsigned long size = 0;
  jpeg_mem_dest(&c, &buf, &size);
  c.image_width = s.width;
  c.image_height = s.height;
  c.input_components = s.components;
  c.in_color_space = s.components == 1 ? JCS_GRAYSCALE : s.components == 3 ? JCS_RGB : JCS_CMYK;
  jpeg_set_defaults(&c);
  jpeg_set_quality(&c, s.quality, TRUE);
  if (s.progressive) jpeg_simple_progression(&c);
  for (int i = 0; i < c.num_components; ++i) {
    c.comp_info[i].h_samp_factor = (i == 0 && s.subsample) ? 2 : 1;
    c.comp_info[i].v_samp_factor = (i == 0 && s.subsample) ? 2 : 1;
  }
  jpeg_start_compress(&c, TRUE);
  while (c.next_scanline < c.image_height) {
    JSAMPROW row =
        const_cast<JSAMPROW>(&s.pixels[size_t(c.next_scanline) * s.width * s.components]);
    jpeg_write_scanlines(&c, &row, 1);
  }
  jpeg_finish_compress(&c);
  bytes out(buf, buf + size);
  jpeg_destroy_compress(&c);
  free(buf);
  return out;
}

inline std::string data_dir() { return SFC_DATA_DIR; }

inline bool file_exists(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (f) std::fclose(f);
  return f != nullptr;
}

}  // namespace sfc_test
