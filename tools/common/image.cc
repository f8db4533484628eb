// Format detection, file reading and dispatch to the per-format decoders (image-*.cc).
#include "tools/common/image.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "kernels/common/error.h"
#include "tools/common/image-decoders.h"

namespace sfc {

namespace image_detail {

void fail_corrupt(const std::string& name, const std::string& what) {
  throw_invalid(name + ": " + what);
}

void fail_unsupported(const std::string& name, const std::string& what) {
  throw_unsupported(name + ": " + what);
}

image make_image(int64_t width, int64_t height, const std::string& name) {
  check_image_dims(width, height, name);
  image im;
  im.width = static_cast<int>(width);
  im.height = static_cast<int>(height);
  im.rgb.assign(static_cast<size_t>(width) * static_cast<size_t>(height) * 3, 0);
  return im;
}

}  // namespace image_detail

const char* image_format_name(image_format f) {
  switch (f) {
    case image_format::jpeg:
      return "JPEG";
    case image_format::png:
      return "PNG";
    case image_format::bmp:
      return "BMP";
    case image_format::pnm:
      return "PPM/PGM";
    case image_format::unknown:
      break;
  }
  return "unknown";
}

image_format detect_image_format(const uint8_t* d, size_t n) {
  static const uint8_t kPng[8] = {0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a};
  if (n >= 3 && d[0] == 0xff && d[1] == 0xd8 && d[2] == 0xff) return image_format::jpeg;
  if (n >= 8 && std::memcmp(d, kPng, 8) == 0) return image_format::png;
  if (n >= 2 && d[0] == 'B' && d[1] == 'M') return image_format::bmp;
  if (n >= 3 && d[0] == 'P' && (d[1] == '2' || d[1] == '3' || d[1] == '5' || d[1] == '6') &&
      (d[2] == ' ' || d[2] == '\t' || d[2] == '\n' || d[2] == '\r' || d[2] == '#')) {
    return image_format::pnm;
  }
  return image_format::unknown;
}

void check_image_dims(int64_t width, int64_t height, const std::string& name) {
  const std::string dims = std::to_string(width) + "x" + std::to_string(height);
  if (width <= 0 || height <= 0) image_detail::fail_corrupt(name, "invalid image size " + dims);
  if (width > kMaxImageSide || height > kMaxImageSide || width * height > kMaxImagePixels) {
    image_detail::fail_corrupt(name, "image is " + dims + ", larger than the limit (" +
                                         std::to_string(kMaxImageSide) + " per side, " +
                                         std::to_string(kMaxImagePixels) + " pixels)");
  }
}

image decode_image(const uint8_t* data, size_t size, const std::string& name) {
  if (size == 0) image_detail::fail_corrupt(name, "empty file");
  switch (detect_image_format(data, size)) {
    case image_format::jpeg:
      return image_detail::decode_jpeg(data, size, name);
    case image_format::png:
      return image_detail::decode_png(data, size, name);
    case image_format::bmp:
      return image_detail::decode_bmp(data, size, name);
    case image_format::pnm:
      return image_detail::decode_pnm(data, size, name);
    case image_format::unknown:
      break;
  }
  image_detail::fail_unsupported(
      name, "unrecognised image format (expected JPEG, PNG, BMP or binary/ascii PPM/PGM)");
}

namespace {

[[noreturn]] void fail_io(const std::string& path, const std::string& what, int err) {
  throw error(error::io, path + ": " + what + " (" + std::strerror(err) + ")");
}

std::vector<uint8_t> read_file(const std::string& path) {
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) fail_io(path, "cannot open image file", errno);
  std::vector<uint8_t> bytes;
  uint8_t buf[1 << 16];
  for (;;) {
    const size_t got = std::fread(buf, 1, sizeof buf, f.get());
    bytes.insert(bytes.end(), buf, buf + got);
    if (got < sizeof buf) break;
  }
  if (std::ferror(f.get())) fail_io(path, "cannot read image file", errno ? errno : EIO);
  return bytes;
}

}  // namespace

image load_image(const std::string& path) {
  const std::vector<uint8_t> bytes = read_file(path);
  return decode_image(bytes.data(), bytes.size(), path);
}

}  // namespace sfc
