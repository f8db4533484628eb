// Preprocessing (see preprocess.h). The resize is a transcription of PIL's ImagingResample
// (libImaging/Resample.c, Pillow 9.x) for 8-bit images and the bilinear ("triangle") filter:
// coefficients computed in double per output pixel, normalised to sum 1, converted to
// fixed point with PRECISION_BITS = 22, accumulated from a 1 << 21 rounding bias, shifted and
// clipped per pass; horizontal pass first (only over the rows the vertical pass reads), then
// vertical. Every arithmetic step keeps PIL's types and order so the bytes match.
#include "tools/common/preprocess.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "kernels/common/error.h"

namespace sfc {
namespace {

constexpr int kPrecisionBits = 32 - 8 - 2;

// Fixed-point resampling weights for one axis (PIL precompute_coeffs + normalize_coeffs_8bpc).
struct axis_coeffs {
  int ksize = 0;
  std::vector<int> xmin, count;  // first input index and number of taps per output index
  std::vector<int32_t> k;        // out_size * ksize weights
};

axis_coeffs precompute_coeffs(int in_size, int out_size) {
  const float in0 = 0.0f, in1 = static_cast<float>(in_size);
  const double scale = static_cast<double>(in1 - in0) / out_size;
  const double filterscale = scale < 1.0 ? 1.0 : scale;
  const double support = 1.0 * filterscale;  // bilinear filter support is 1
  axis_coeffs a;
  a.ksize = static_cast<int>(std::ceil(support)) * 2 + 1;
  a.xmin.resize(out_size);
  a.count.resize(out_size);
  a.k.assign(size_t(out_size) * a.ksize, 0);
  std::vector<double> w(a.ksize);
  for (int xx = 0; xx < out_size; ++xx) {
    const double center = in0 + (xx + 0.5) * scale;
    const double ss = 1.0 / filterscale;
    int xmin = static_cast<int>(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    int xmax = static_cast<int>(center + support + 0.5);
    if (xmax > in_size) xmax = in_size;
    xmax -= xmin;
    double ww = 0.0;
    for (int x = 0; x < xmax; ++x) {
      double t = (x + xmin - center + 0.5) * ss;
      if (t < 0.0) t = -t;
      w[x] = t < 1.0 ? 1.0 - t : 0.0;
      ww += w[x];
    }
    int32_t* k = &a.k[size_t(xx) * a.ksize];
    for (int x = 0; x < xmax; ++x) {
      const double v = ww != 0.0 ? w[x] / ww : w[x];
      k[x] = v < 0 ? static_cast<int>(-0.5 + v * (1 << kPrecisionBits))
                   : static_cast<int>(0.5 + v * (1 << kPrecisionBits));
    }
    a.xmin[xx] = xmin;
    a.count[xx] = xmax;
  }
  return a;
}

inline uint8_t clip8(int32_t acc) {
  const int32_t v = acc >> kPrecisionBits;
  return static_cast<uint8_t>(v < 0 ? 0 : v > 255 ? 255 : v);
}

// Horizontal pass over input rows [y0, y0 + rows): out is rows x out_w.
void resample_horizontal(const image& in, int y0, int rows, const axis_coeffs& a, image* out) {
  const int out_w = out->width;
  for (int y = 0; y < rows; ++y) {
    const uint8_t* src = in.rgb.data() + size_t(y0 + y) * in.width * 3;
    uint8_t* dst = out->rgb.data() + size_t(y) * out_w * 3;
    for (int xx = 0; xx < out_w; ++xx) {
      const int32_t* k = &a.k[size_t(xx) * a.ksize];
      const uint8_t* s = src + size_t(a.xmin[xx]) * 3;
      int32_t s0 = 1 << (kPrecisionBits - 1), s1 = s0, s2 = s0;
      for (int x = 0; x < a.count[xx]; ++x, s += 3) {
        s0 += s[0] * k[x];
        s1 += s[1] * k[x];
        s2 += s[2] * k[x];
      }
      dst[3 * xx] = clip8(s0), dst[3 * xx + 1] = clip8(s1), dst[3 * xx + 2] = clip8(s2);
    }
  }
}

// Vertical pass; a.xmin are row indices into in, shifted by -y0. Integer sums are exact, so
// accumulating row by row gives PIL's bytes.
void resample_vertical(const image& in, int y0, const axis_coeffs& a, image* out) {
  const size_t row = size_t(in.width) * 3;
  std::vector<int32_t> acc(row);
  for (int yy = 0; yy < out->height; ++yy) {
    const int32_t* k = &a.k[size_t(yy) * a.ksize];
    std::fill(acc.begin(), acc.end(), int32_t{1} << (kPrecisionBits - 1));
    for (int y = 0; y < a.count[yy]; ++y) {
      const uint8_t* p = in.rgb.data() + size_t(a.xmin[yy] - y0 + y) * row;
      for (size_t i = 0; i < row; ++i) acc[i] += p[i] * k[y];
    }
    uint8_t* dst = out->rgb.data() + size_t(yy) * row;
    for (size_t i = 0; i < row; ++i) dst[i] = clip8(acc[i]);
  }
}

image blank(int w, int h) {
  image im;
  im.width = w;
  im.height = h;
  im.rgb.assign(size_t(w) * h * 3, 0);
  return im;
}

// Python's round() for a double: half to even.
int round_half_even(double v) { return static_cast<int>(std::nearbyint(v)); }

void check_size(int v, const char* what) {
  if (v < 1 || v > kMaxImageSide) {
    throw_invalid(std::string("preprocess: ") + what + " " + std::to_string(v) +
                  " is out of range [1, " + std::to_string(kMaxImageSide) + "]");
  }
}

void check_input(const image& src) {
  check_image_dims(src.width, src.height, "preprocess: input image");
  if (src.rgb.size() != size_t(src.width) * src.height * 3) {
    throw_invalid("preprocess: input image holds " + std::to_string(src.rgb.size()) +
                  " bytes, not " + std::to_string(src.width) + "x" + std::to_string(src.height) +
                  "x3");
  }
}

}  // namespace

image resize_bilinear_pil(const image& src, int out_w, int out_h) {
  check_input(src);
  check_size(out_w, "resize width");
  check_size(out_h, "resize height");
  check_image_dims(out_w, out_h, "resize_bilinear_pil");
  if (out_w == src.width && out_h == src.height) return src;
  const axis_coeffs h = precompute_coeffs(src.width, out_w);
  const axis_coeffs v = precompute_coeffs(src.height, out_h);
  // Rows of src the vertical pass reads (PIL's ybox_first / ybox_last).
  const int y_first = v.xmin[0];
  const int y_last = v.xmin[out_h - 1] + v.count[out_h - 1];
  image tmp;
  const image* vin = &src;
  int y0 = 0;
  if (out_w != src.width) {
    tmp = blank(out_w, y_last - y_first);
    resample_horizontal(src, y_first, y_last - y_first, h, &tmp);
    vin = &tmp;
    y0 = y_first;
  }
  if (out_h == src.height) return tmp;  // only the horizontal pass was needed (covers all rows)
  image out = blank(out_w, out_h);
  resample_vertical(*vin, y0, v, &out);
  return out;
}

image crop_image(const image& src, int left, int top, int w, int h) {
  check_image_dims(w, h, "crop_image");
  image out = blank(w, h);
  const int x0 = std::max(left, 0), x1 = std::min(left + w, src.width);
  if (x0 >= x1) return out;
  for (int y = std::max(top, 0); y < std::min(top + h, src.height); ++y) {
    std::copy(src.pixel(x0, y), src.pixel(x0, y) + size_t(x1 - x0) * 3,
              out.rgb.data() + (size_t(y - top) * w + (x0 - left)) * 3);
  }
  return out;
}

void shorter_side_size(int w, int h, int size, int* new_w, int* new_h) {
  const int shorter = w <= h ? w : h, longer = w <= h ? h : w;
  // Python: int(size * long / short), true division in double, truncated.
  const int64_t new_long =
      static_cast<int64_t>(static_cast<double>(int64_t{size} * longer) / shorter);
  if (new_long > kMaxImageSide) {
    throw_invalid("preprocess: resizing " + std::to_string(w) + "x" + std::to_string(h) +
                  " to shorter side " + std::to_string(size) + " gives a longer side of " +
                  std::to_string(new_long) + ", above the limit");
  }
  *new_w = w <= h ? size : static_cast<int>(new_long);
  *new_h = w <= h ? static_cast<int>(new_long) : size;
}

int center_crop_offset(int size, int crop) {
  if (crop > size) return -((crop - size) / 2);  // torchvision pads left/top by (crop-size)//2
  return round_half_even((size - crop) / 2.0);
}

preprocess_config imagenet_torchvision_config() { return preprocess_config{}; }

preprocess_config imagenet_tflite_config(int size) {
  preprocess_config c;
  c.mode = resize_mode::central_fraction;
  c.crop_size = size;
  c.crop_fraction = 0.875;
  for (int i = 0; i < 3; ++i) c.mean[i] = 0.0f, c.stddev[i] = 1.0f;
  c.divisor = 1.0f;
  c.layout = image_layout::nhwc;
  return c;
}

preprocess_config raw_config(int size) {
  preprocess_config c;
  c.mode = resize_mode::none;
  c.crop_size = c.resize_size = size;
  for (int k = 0; k < 3; ++k) c.mean[k] = 0.f, c.stddev[k] = 1.f;
  c.divisor = 1.f;
  return c;
}

preprocess_config cifar_config() {
  preprocess_config c;
  c.mode = resize_mode::none;
  c.crop_size = 32;
  return c;
}

void validate_preprocess_config(const preprocess_config& cfg) {
  check_size(cfg.crop_size, "crop size");
  if (cfg.mode == resize_mode::shorter_side_center_crop) check_size(cfg.resize_size, "resize size");
  if (cfg.mode == resize_mode::central_fraction &&
      !(cfg.crop_fraction > 0.0 && cfg.crop_fraction <= 1.0)) {
    throw_invalid("preprocess: crop fraction " + std::to_string(cfg.crop_fraction) +
                  " is not in (0, 1]");
  }
  for (int c = 0; c < 3; ++c) {
    if (!(cfg.stddev[c] != 0.0f) || !std::isfinite(cfg.stddev[c]) || !std::isfinite(cfg.mean[c])) {
      throw_invalid("preprocess: std[" + std::to_string(c) + "] must be finite and non-zero");
    }
  }
  if (!(cfg.divisor != 0.0f) || !std::isfinite(cfg.divisor)) {
    throw_invalid("preprocess: divisor must be finite and non-zero");
  }
}

image preprocess_geometry(const image& src, const preprocess_config& cfg) {
  validate_preprocess_config(cfg);
  check_input(src);
  const int s = cfg.crop_size;
  if (cfg.mode == resize_mode::none) {
    if (src.width != s || src.height != s) {
      throw_invalid("preprocess: image is " + std::to_string(src.width) + "x" +
                    std::to_string(src.height) + " but the network expects exactly " +
                    std::to_string(s) + "x" + std::to_string(s) + " (no-resize mode)");
    }
    return src;
  }
  if (cfg.mode == resize_mode::central_fraction) {
    const int cw = std::max(1, round_half_even(cfg.crop_fraction * src.width));
    const int ch = std::max(1, round_half_even(cfg.crop_fraction * src.height));
    const image c = crop_image(src, (src.width - cw) / 2, (src.height - ch) / 2, cw, ch);
    return resize_bilinear_pil(c, s, s);
  }
  int rw = 0, rh = 0;
  shorter_side_size(src.width, src.height, cfg.resize_size, &rw, &rh);
  const image r = resize_bilinear_pil(src, rw, rh);
  return crop_image(r, center_crop_offset(rw, s), center_crop_offset(rh, s), s, s);
}

void normalize_image(const image& im, const preprocess_config& cfg, float* out) {
  validate_preprocess_config(cfg);
  check_input(im);
  float lut[3][256];
  for (int c = 0; c < 3; ++c) {
    for (int v = 0; v < 256; ++v)
      lut[c][v] = (float(v) / cfg.divisor - cfg.mean[c]) / cfg.stddev[c];
  }
  const size_t plane = size_t(im.width) * im.height;
  for (size_t i = 0; i < plane; ++i) {
    const uint8_t* p = &im.rgb[3 * i];
    for (int c = 0; c < 3; ++c) {
      const float v = lut[c][p[cfg.bgr ? 2 - c : c]];
      if (cfg.layout == image_layout::nchw)
        out[c * plane + i] = v;
      else
        out[3 * i + c] = v;
    }
  }
}

void pack_u8(const image& im, const preprocess_config& cfg, uint8_t* out) {
  check_input(im);
  const size_t plane = size_t(im.width) * im.height;
  for (size_t i = 0; i < plane; ++i) {
    for (int c = 0; c < 3; ++c) {
      const uint8_t v = im.rgb[3 * i + (cfg.bgr ? 2 - c : c)];
      if (cfg.layout == image_layout::nchw)
        out[c * plane + i] = v;
      else
        out[3 * i + c] = v;
    }
  }
}

std::vector<float> preprocess(const image& src, const preprocess_config& cfg) {
  const image g = preprocess_geometry(src, cfg);
  std::vector<float> out(size_t(g.width) * g.height * 3);
  normalize_image(g, cfg, out.data());
  return out;
}

}  // namespace sfc
