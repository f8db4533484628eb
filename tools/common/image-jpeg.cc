// JPEG decoding with the libjpeg API (libjpeg-turbo). libjpeg reports fatal errors through
// error_exit, which must not return; we longjmp back to a setjmp in a small function whose only
// locals are plain C data, and turn the failure into sfc::error there. No C++ object with a
// destructor lives in a frame that a longjmp skips or re-enters.
//
// Warnings: "premature end of JPEG file" (truncation) is fatal; other corrupt-data warnings are
// tolerated, as PIL does. Output conversion: gray and YCbCr/RGB go to RGB inside libjpeg (gray is
// replicated); CMYK/YCCK use Adobe's inverted convention and PIL's CMYK->RGB formula.
#include <csetjmp>
#include <cstddef>
#include <cstdio>
#include <string>
#include <vector>

// jpeglib.h needs size_t and FILE declared first.
#include <jerror.h>
#include <jpeglib.h>

#include "tools/common/image-decoders.h"

namespace sfc {
namespace image_detail {
namespace {

constexpr long kMaxScans = 1000;  // progressive files with absurd scan counts are rejected

struct jpeg_err_ctx {
  jpeg_error_mgr pub;  // must be first: libjpeg sees a jpeg_error_mgr*
  std::jmp_buf jump;
  char msg[JMSG_LENGTH_MAX];
};

// All state shared with libjpeg; plain data only (safe across longjmp).
struct jpeg_job {
  jpeg_decompress_struct cinfo;
  jpeg_err_ctx err;
  jpeg_progress_mgr progress;
  bool created;
};

extern "C" void jpeg_on_error_exit(j_common_ptr cinfo) {
  auto* ctx = reinterpret_cast<jpeg_err_ctx*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, ctx->msg);
  std::longjmp(ctx->jump, 1);
}

extern "C" void jpeg_on_emit_message(j_common_ptr cinfo, int level) {
  if (level >= 0 || cinfo->err->msg_code != JWRN_JPEG_EOF) return;  // trace / benign warning
  jpeg_on_error_exit(cinfo);
}

extern "C" void jpeg_on_progress(j_common_ptr cinfo) {
  auto* d = reinterpret_cast<j_decompress_ptr>(cinfo);
  if (d->input_scan_number > kMaxScans) {
    auto* ctx = reinterpret_cast<jpeg_err_ctx*>(cinfo->err);
    std::snprintf(ctx->msg, sizeof ctx->msg, "more than %ld progressive scans", kMaxScans);
    std::longjmp(ctx->jump, 1);
  }
}

// Creates the decompressor and reads the header. Returns false on a libjpeg error.
bool jpeg_read_header_safe(jpeg_job* job, const uint8_t* data, size_t size) {
  job->cinfo.err = jpeg_std_error(&job->err.pub);
  job->err.pub.error_exit = jpeg_on_error_exit;
  job->err.pub.emit_message = jpeg_on_emit_message;
  if (setjmp(job->err.jump)) return false;
  jpeg_create_decompress(&job->cinfo);
  job->created = true;
  job->progress.progress_monitor = jpeg_on_progress;
  job->cinfo.progress = &job->progress;
  jpeg_mem_src(&job->cinfo, data, static_cast<unsigned long>(size));
  jpeg_read_header(&job->cinfo, TRUE);
  return true;
}

// PIL's cmyk2rgb on Adobe-inverted CMYK samples.
void cmyk_row_to_rgb(const uint8_t* in, uint8_t* out, int width) {
  for (int x = 0; x < width; ++x, in += 4, out += 3) {
    const int nk = in[3];  // 255 - k, since the samples are inverted
    for (int c = 0; c < 3; ++c) {
      const int cc = 255 - in[c];
      const int tmp = cc * nk + 128;
      const int v = nk - (((tmp >> 8) + tmp) >> 8);
      out[c] = static_cast<uint8_t>(v < 0 ? 0 : v);
    }
  }
}

// Decompresses into out (width*height*3). row is scratch of width*4 bytes for CMYK.
bool jpeg_read_pixels_safe(jpeg_job* job, uint8_t* out, uint8_t* row) {
  if (setjmp(job->err.jump)) return false;
  jpeg_decompress_struct* c = &job->cinfo;
  jpeg_start_decompress(c);
  const bool cmyk = c->out_color_space == JCS_CMYK;
  if (c->output_width != c->image_width || c->output_height != c->image_height ||
      c->output_components != (cmyk ? 4 : 3)) {
    std::snprintf(job->err.msg, sizeof job->err.msg, "unexpected decoder output geometry");
    return false;
  }
  const size_t stride = size_t(c->output_width) * 3;
  while (c->output_scanline < c->output_height) {
    uint8_t* dst = out + size_t(c->output_scanline) * stride;
    JSAMPROW rows[1] = {cmyk ? row : dst};
    if (jpeg_read_scanlines(c, rows, 1) != 1) return false;
    if (cmyk) cmyk_row_to_rgb(row, dst, static_cast<int>(c->output_width));
  }
  jpeg_finish_decompress(c);
  return true;
}

struct jpeg_guard {
  jpeg_job* job;
  ~jpeg_guard() {
    if (job->created) jpeg_destroy_decompress(&job->cinfo);
  }
};

void choose_output_space(jpeg_decompress_struct* c, const std::string& name) {
  switch (c->jpeg_color_space) {
    case JCS_GRAYSCALE:
    case JCS_YCbCr:
    case JCS_RGB:
      c->out_color_space = JCS_RGB;
      break;
    case JCS_CMYK:
    case JCS_YCCK:
      c->out_color_space = JCS_CMYK;
      break;
    default:
      fail_unsupported(name, "unsupported JPEG colour space with " +
                                 std::to_string(c->num_components) + " components");
  }
}

}  // namespace

image decode_jpeg(const uint8_t* data, size_t size, const std::string& name) {
  jpeg_job job{};
  jpeg_guard guard{&job};
  if (!jpeg_read_header_safe(&job, data, size)) {
    fail_corrupt(name, std::string("corrupt JPEG: ") + job.err.msg);
  }
  jpeg_decompress_struct* c = &job.cinfo;
  check_image_dims(c->image_width, c->image_height, name);
  // Huffman coding spends at least one bit per 8x8 block, so a file holds at most 512 pixels per
  // byte: a tiny file claiming a huge size is rejected before allocating. (Arithmetic coding has
  // no such bound.)
  const uint64_t pixels = uint64_t{c->image_width} * c->image_height;
  if (!c->arith_code && pixels > 512 * uint64_t{size} + 65536) {
    fail_corrupt(name, "JPEG file of " + std::to_string(size) + " bytes is too small for a " +
                           std::to_string(c->image_width) + "x" + std::to_string(c->image_height) +
                           " image (truncated?)");
  }
  choose_output_space(c, name);
  image im = make_image(c->image_width, c->image_height, name);
  std::vector<uint8_t> row(size_t(c->image_width) * 4);
  if (!jpeg_read_pixels_safe(&job, im.rgb.data(), row.data())) {
    fail_corrupt(name, std::string("corrupt JPEG: ") +
                           (job.err.msg[0] ? job.err.msg : "decoder returned no scanline"));
  }
  return im;
}

}  // namespace image_detail
}  // namespace sfc
