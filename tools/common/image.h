// Image decoding for the tools: JPEG (libjpeg-turbo), PNG (libpng), BMP and PPM/PGM (own parsers).
// Every decoder returns 8-bit RGB, HWC, row-major, no padding. The format is detected from the
// magic bytes, never from the file name.
//
// Conversions follow PIL's Image.convert("RGB") where it matters for matching PIL-based reference
// pipelines: grayscale is replicated, alpha is dropped (not composited), 16-bit samples keep their
// high byte (PNG) and Adobe CMYK JPEGs use PIL's CMYK->RGB formula.
//
// Errors: an unreadable file throws sfc::error(io); corrupt or truncated content throws
// sfc::error(invalid_argument); a recognised but unsupported variant (e.g. BMP RLE, 12-bit JPEG)
// or an unknown format throws sfc::error(unsupported). Every message starts with the file name.
// Dimensions are checked against kMaxImageSide / kMaxImagePixels before any pixel allocation.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace sfc {

constexpr int kMaxImageSide = 32768;
constexpr int64_t kMaxImagePixels = int64_t{1} << 28;

enum class image_format { unknown, jpeg, png, bmp, pnm };
const char* image_format_name(image_format f);  // "JPEG", "PNG", "BMP", "PPM/PGM", "unknown"

// Detects the format from the first bytes (needs at most 8).
image_format detect_image_format(const uint8_t* data, size_t size);

struct image {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> rgb;  // height * width * 3 bytes
  const uint8_t* pixel(int x, int y) const { return &rgb[(size_t(y) * width + x) * 3]; }
};

// Decodes an in-memory file. name is used in error messages only.
image decode_image(const uint8_t* data, size_t size, const std::string& name);
// Reads and decodes a file.
image load_image(const std::string& path);

// Throws sfc::error(invalid_argument) "<name>: image is WxH, larger than ..." when the
// dimensions are non-positive or exceed the limits above. Used by every decoder.
void check_image_dims(int64_t width, int64_t height, const std::string& name);

}  // namespace sfc
