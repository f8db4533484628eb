// Image preprocessing for classification networks, bit-exact with the reference pipelines:
//
// - resize_mode::shorter_side_center_crop: torchvision 0.14 on a PIL image,
//     Resize(resize_size) -> CenterCrop(crop_size) -> ToTensor -> Normalize(mean, std).
//   The shorter side becomes resize_size and the longer int(resize_size * long / short); the
//   resampling is PIL's Image.BILINEAR (antialiased, ImagingResample's fixed-point arithmetic);
//   the crop offset is int(round((size - crop) / 2.0)) (half to even) and a crop larger than the
//   image is zero-padded as torchvision's center_crop does.
// - resize_mode::central_fraction: the TFLite/Coral recipe used for
//   shared/data/imagenet_samples_eliSchwartz250/preprocessed_first8_*.bin: crop the central
//   round(crop_fraction * w) x round(crop_fraction * h) (left = (w - cw) // 2, likewise top), then
//   PIL BILINEAR resize to crop_size x crop_size.
// - resize_mode::none: no geometry; the image must already be crop_size x crop_size (CIFAR).
//
// Float output: value = (pixel / divisor - mean[c]) / stddev[c], computed in float32 in that
// order (torchvision: ToTensor divides by 255, Normalize subtracts then divides). Channel c is the
// output channel: with bgr = true, output channel 0 is blue, and mean/stddev are given in output
// (B, G, R) order.
#pragma once
#include <cstdint>
#include <vector>

#include "tools/common/image.h"

namespace sfc {

enum class resize_mode { shorter_side_center_crop, central_fraction, none };
enum class image_layout { nchw, nhwc };

struct preprocess_config {
  resize_mode mode = resize_mode::shorter_side_center_crop;
  int resize_size = 256;         // shorter side after resize (shorter_side_center_crop)
  int crop_size = 224;           // output height and width
  double crop_fraction = 0.875;  // central_fraction only
  float mean[3] = {0.485f, 0.456f, 0.406f};
  float stddev[3] = {0.229f, 0.224f, 0.225f};
  float divisor = 255.0f;
  bool bgr = false;
  image_layout layout = image_layout::nchw;
};

// torchvision ImageNet: resize 256, crop 224, ImageNet mean/std, NCHW.
preprocess_config imagenet_torchvision_config();
// TFLite/Coral ImageNet: central 87.5% crop, resize to size x size, raw pixels (mean 0, std 1,
// divisor 1), NHWC.
preprocess_config imagenet_tflite_config(int size);
// CIFAR-10: exact 32x32 input, no resize, ImageNet-style mean/std as given, NCHW.
preprocess_config cifar_config();
// Raw pixel values 0..255 (mean 0, std 1, divisor 1), no resize, size x size, NCHW.
preprocess_config raw_config(int size);

// Throws sfc::error(invalid_argument) for out-of-range sizes, fractions or zero std/divisor.
void validate_preprocess_config(const preprocess_config& cfg);

// The geometric part: the crop_size x crop_size RGB uint8 image the network sees.
image preprocess_geometry(const image& src, const preprocess_config& cfg);
// Geometry + normalisation: 3 * crop_size * crop_size floats in cfg.layout.
std::vector<float> preprocess(const image& src, const preprocess_config& cfg);
// Normalises an already-cropped image into out (3 * width * height floats).
void normalize_image(const image& im, const preprocess_config& cfg, float* out);
// Copies an already-cropped image into out as uint8 in cfg.layout / channel order (for networks
// with uint8 input); mean/stddev/divisor are not applied.
void pack_u8(const image& im, const preprocess_config& cfg, uint8_t* out);

// Building blocks.
// PIL Image.resize((out_w, out_h), Image.BILINEAR) on an RGB image, byte-exact.
image resize_bilinear_pil(const image& src, int out_w, int out_h);
// The w x h window at (left, top); pixels outside src are zero (torchvision pad fill 0).
image crop_image(const image& src, int left, int top, int w, int h);
// torchvision 0.14 _compute_resized_output_size for an int size: {new_w, new_h}.
void shorter_side_size(int w, int h, int size, int* new_w, int* new_h);
// torchvision center_crop's offset along one axis (negative when the crop pads).
int center_crop_offset(int size, int crop);

}  // namespace sfc
