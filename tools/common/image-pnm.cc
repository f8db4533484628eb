// PPM/PGM decoding (own parser): P6/P5 binary and P3/P2 ASCII, maxval 1..65535 (16-bit binary
// samples are big-endian). Comments ('#' to end of line) are allowed between header fields.
// Samples are scaled to 8 bits as Pillow does: round(v / maxval * 255), half to even; a sample
// above maxval is an error. Data after the image (e.g. a second image) is ignored.
#include <cmath>
#include <cstdint>
#include <string>

#include "tools/common/image-decoders.h"

namespace sfc {
namespace image_detail {
namespace {

struct pnm_reader {
  const uint8_t* d;
  size_t size;
  size_t pos;
  const std::string& name;

  static bool space(uint8_t c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
  }
  void skip_space_and_comments() {
    while (pos < size) {
      if (d[pos] == '#') {
        while (pos < size && d[pos] != '\n' && d[pos] != '\r') ++pos;
      } else if (space(d[pos])) {
        ++pos;
      } else {
        break;
      }
    }
  }
  // Reads an unsigned decimal; values above `limit` are an error naming `what`.
  uint32_t number(const char* what, uint32_t limit) {
    skip_space_and_comments();
    if (pos >= size)
      fail_corrupt(name, std::string("truncated PPM/PGM: file ends before the ") + what);
    if (d[pos] < '0' || d[pos] > '9') {
      fail_corrupt(name, std::string("corrupt PPM/PGM: expected a number for the ") + what);
    }
    uint64_t v = 0;
    while (pos < size && d[pos] >= '0' && d[pos] <= '9') {
      v = v * 10 + (d[pos++] - '0');
      if (v > limit) {
        fail_corrupt(name,
                     std::string("PPM/PGM ") + what + " is larger than " + std::to_string(limit));
      }
    }
    if (pos < size && !space(d[pos]) && d[pos] != '#') {
      fail_corrupt(name, std::string("corrupt PPM/PGM: junk after the ") + what);
    }
    return static_cast<uint32_t>(v);
  }
};

uint8_t scale_sample(uint32_t v, uint32_t maxval, const std::string& name) {
  if (v > maxval) {
    fail_corrupt(
        name, "PPM/PGM sample " + std::to_string(v) + " exceeds maxval " + std::to_string(maxval));
  }
  if (maxval == 255) return static_cast<uint8_t>(v);
  return static_cast<uint8_t>(std::nearbyint(double(v) / maxval * 255.0));
}

void store(image* im, size_t i, int channels, uint8_t v) {
  if (channels == 3) {
    im->rgb[i] = v;
  } else {
    im->rgb[3 * i] = im->rgb[3 * i + 1] = im->rgb[3 * i + 2] = v;
  }
}

void read_binary(pnm_reader& r, image* im, int channels, uint32_t maxval) {
  const size_t n = size_t(im->width) * im->height * channels;
  const size_t bytes = maxval > 255 ? 2 : 1;
  for (size_t i = 0; i < n; ++i) {
    const uint8_t* p = r.d + r.pos + i * bytes;
    const uint32_t v = bytes == 2 ? uint32_t(p[0]) << 8 | p[1] : p[0];
    store(im, i, channels, scale_sample(v, maxval, r.name));
  }
}

void read_ascii(pnm_reader& r, image* im, int channels, uint32_t maxval) {
  const size_t n = size_t(im->width) * im->height * channels;
  for (size_t i = 0; i < n; ++i) {
    r.skip_space_and_comments();
    if (r.pos >= r.size) {
      fail_corrupt(r.name, "truncated PPM/PGM: file ends after " + std::to_string(i) + " of " +
                               std::to_string(n) + " samples");
    }
    store(im, i, channels, scale_sample(r.number("sample", 65535), maxval, r.name));
  }
}

}  // namespace

image decode_pnm(const uint8_t* data, size_t size, const std::string& name) {
  pnm_reader r{data, size, 2, name};
  const char kind = static_cast<char>(data[1]);
  const bool binary = kind == '5' || kind == '6';
  const int channels = kind == '3' || kind == '6' ? 3 : 1;
  const uint32_t w = r.number("width", 1u << 30);
  const uint32_t h = r.number("height", 1u << 30);
  const uint32_t maxval = r.number("maxval", 65535);
  if (maxval == 0) fail_corrupt(name, "PPM/PGM maxval is 0");
  check_image_dims(w, h, name);
  const uint64_t samples = uint64_t{w} * h * channels;
  const uint64_t left = size - r.pos;
  if (binary) {
    const uint64_t need = samples * (maxval > 255 ? 2 : 1);
    if (left < 1 + need) {
      fail_corrupt(name, "truncated PPM/PGM: pixel data needs " + std::to_string(need) +
                             " bytes, file has " + std::to_string(left ? left - 1 : 0));
    }
    if (!pnm_reader::space(data[r.pos]))
      fail_corrupt(name, "corrupt PPM/PGM: no whitespace after maxval");
    ++r.pos;                        // the single whitespace byte after maxval
  } else if (left < 2 * samples) {  // every ASCII sample takes a separator and a digit
    fail_corrupt(
        name, "truncated PPM/PGM: too few bytes for " + std::to_string(samples) + " ASCII samples");
  }
  image im = make_image(w, h, name);
  if (binary)
    read_binary(r, &im, channels, maxval);
  else
    read_ascii(r, &im, channels, maxval);
  return im;
}

}  // namespace image_detail
}  // namespace sfc
