// PNG decoding with libpng. libpng's errors call our error function, which records the message
// and png_longjmp()s back to a setjmp in a small function whose only locals are plain C data;
// the failure becomes sfc::error there. Read-callback overruns (truncated files) are reported with
// png_error, never with a C++ exception through libpng's C frames. A file too small to hold its
// declared size (deflate's 1032:1 bound) is rejected before the pixel buffer is allocated.
//
// Conversion to 8-bit RGB (as PIL's convert("RGB") does, except 16-bit gray): palette -> RGB,
// gray of 1/2/4/8/16 bits -> replicated, 16-bit samples keep their high byte, alpha (including a
// tRNS expanded by the palette transform) is dropped. Interlaced images are de-interlaced.
#include <png.h>

#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "tools/common/image-decoders.h"

namespace sfc {
namespace image_detail {
namespace {

// All state shared with libpng; plain data only (safe across longjmp).
struct png_job {
  png_structp png;
  png_infop info;
  const uint8_t* data;
  size_t size;
  size_t pos;
  uint64_t raw_bits;  // size of the uncompressed samples, from IHDR
  char msg[256];
  char warning[256];  // first libpng warning, appended to the error message (IHDR details)
};

extern "C" void png_on_error(png_structp png, png_const_charp msg) {
  auto* job = static_cast<png_job*>(png_get_error_ptr(png));
  std::snprintf(job->msg, sizeof job->msg, "%s", msg ? msg : "unknown libpng error");
  png_longjmp(png, 1);
}

extern "C" void png_on_warning(png_structp png, png_const_charp msg) {
  auto* job = static_cast<png_job*>(png_get_error_ptr(png));
  if (!job->warning[0] && msg) std::snprintf(job->warning, sizeof job->warning, "%s", msg);
}

[[noreturn]] void fail_png(const png_job& job, const std::string& name) {
  std::string what = std::string("corrupt PNG: ") + job.msg;
  if (job.warning[0]) what += std::string(" (") + job.warning + ")";
  fail_corrupt(name, what);
}

extern "C" void png_on_read(png_structp png, png_bytep out, size_t n) {
  auto* job = static_cast<png_job*>(png_get_io_ptr(png));
  if (n > job->size - job->pos) png_error(png, "file is truncated");
  std::memcpy(out, job->data + job->pos, n);
  job->pos += n;
}

// Reads up to IDAT and installs the RGB8 transforms. Returns false on a libpng error.
bool png_read_header_safe(png_job* job) {
  if (setjmp(png_jmpbuf(job->png))) return false;
  png_set_read_fn(job->png, job, png_on_read);
  png_set_user_limits(job->png, kMaxImageSide, kMaxImageSide);
  png_read_info(job->png, job->info);
  const int color = png_get_color_type(job->png, job->info);
  const int depth = png_get_bit_depth(job->png, job->info);
  job->raw_bits = uint64_t{png_get_image_width(job->png, job->info)} *
                  png_get_image_height(job->png, job->info) *
                  png_get_channels(job->png, job->info) * depth;
  if (color == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(job->png);
  if (color == PNG_COLOR_TYPE_GRAY && depth < 8) png_set_expand_gray_1_2_4_to_8(job->png);
  if (depth == 16) png_set_strip_16(job->png);
  if (color & PNG_COLOR_MASK_ALPHA || png_get_valid(job->png, job->info, PNG_INFO_tRNS)) {
    png_set_strip_alpha(job->png);
  }
  if (color == PNG_COLOR_TYPE_GRAY || color == PNG_COLOR_TYPE_GRAY_ALPHA) {
    png_set_gray_to_rgb(job->png);
  }
  png_set_interlace_handling(job->png);
  png_read_update_info(job->png, job->info);
  return true;
}

bool png_read_pixels_safe(png_job* job, png_bytep* rows) {
  if (setjmp(png_jmpbuf(job->png))) return false;
  png_read_image(job->png, rows);
  png_read_end(job->png, nullptr);
  return true;
}

struct png_guard {
  png_job* job;
  ~png_guard() {
    if (job->png) png_destroy_read_struct(&job->png, job->info ? &job->info : nullptr, nullptr);
  }
};

}  // namespace

image decode_png(const uint8_t* data, size_t size, const std::string& name) {
  png_job job{};
  job.data = data;
  job.size = size;
  png_guard guard{&job};
  job.png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &job, png_on_error, png_on_warning);
  if (job.png) job.info = png_create_info_struct(job.png);
  if (!job.png || !job.info) fail_corrupt(name, "cannot initialise libpng");
  if (!png_read_header_safe(&job)) fail_png(job, name);
  const png_uint_32 w = png_get_image_width(job.png, job.info);
  const png_uint_32 h = png_get_image_height(job.png, job.info);
  check_image_dims(w, h, name);
  // Deflate expands at most 1032:1, so a file this small cannot hold the image: reject it before
  // allocating (a tiny file claiming a huge size).
  if (job.raw_bits / 8 > 1032 * uint64_t{size - job.pos} + 1024) {
    fail_corrupt(name, "PNG file of " + std::to_string(size) + " bytes is too small for a " +
                           std::to_string(w) + "x" + std::to_string(h) + " image (truncated?)");
  }
  if (png_get_channels(job.png, job.info) != 3 || png_get_bit_depth(job.png, job.info) != 8 ||
      png_get_rowbytes(job.png, job.info) != size_t(w) * 3) {
    fail_unsupported(name, "PNG colour type " +
                               std::to_string(png_get_color_type(job.png, job.info)) +
                               " cannot be converted to 8-bit RGB");
  }
  image im = make_image(w, h, name);
  std::vector<png_bytep> rows(h);
  for (png_uint_32 y = 0; y < h; ++y) rows[y] = im.rgb.data() + size_t(y) * w * 3;
  if (!png_read_pixels_safe(&job, rows.data())) fail_png(job, name);
  return im;
}

}  // namespace image_detail
}  // namespace sfc
