// Internal to tools/common: the per-format decoders behind sfc::decode_image (image.h). Each takes
// the whole file in memory, checks dimensions with check_image_dims before allocating, and throws
// sfc::error with messages that start with `name`.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

#include "tools/common/image.h"

namespace sfc {
namespace image_detail {

image decode_jpeg(const uint8_t* data, size_t size, const std::string& name);
image decode_png(const uint8_t* data, size_t size, const std::string& name);
image decode_bmp(const uint8_t* data, size_t size, const std::string& name);
image decode_pnm(const uint8_t* data, size_t size, const std::string& name);

// Throws sfc::error(invalid_argument) "<name>: <what>".
[[noreturn]] void fail_corrupt(const std::string& name, const std::string& what);
// Throws sfc::error(unsupported) "<name>: <what>".
[[noreturn]] void fail_unsupported(const std::string& name, const std::string& what);

// Allocates a zeroed RGB image after checking the dimensions.
image make_image(int64_t width, int64_t height, const std::string& name);

}  // namespace image_detail
}  // namespace sfc
