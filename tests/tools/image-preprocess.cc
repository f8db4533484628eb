// Preprocessing: PIL-exact bilinear resize (golden hashes computed with Pillow 9.4), torchvision
// Resize/CenterCrop geometry and ToTensor/Normalize arithmetic, the TFLite central-crop recipe
// against the stored reference tensors, layouts, BGR, no-resize mode and config validation.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "tests/tools/image-test-util.h"
#include "tools/common/preprocess.h"

namespace {

using sfc_test::bytes;
using sfc_test::fnv1a;
using sfc_test::pattern_image;

// Image.fromarray(pattern(w, h)).resize((ow, oh), Image.BILINEAR), FNV-1a of the bytes.
struct resize_case {
  int w, h, ow, oh;
  uint64_t hash;
};
const resize_case kResizeGolden[] = {
    {37, 23, 16, 16, 0xa9028cf1967c596cull}, {37, 23, 80, 50, 0xddd982c45925d53dull},
    {100, 7, 13, 29, 0xebdf62a6ea954853ull}, {5, 5, 5, 40, 0x77609c96e42ab239ull},
    {64, 48, 64, 20, 0x4c39f28b4dfab4f4ull}, {64, 48, 20, 48, 0x0f528ad9e0e656afull},
    {1, 1, 3, 2, 0x2f567e6e38ea98ffull},     {300, 200, 7, 5, 0x3ad9b950616850f5ull},
};

TEST(ImagePreprocess, ResizeMatchesPil) {
  for (const auto& c : kResizeGolden) {
    const sfc::image r = sfc::resize_bilinear_pil(pattern_image(c.w, c.h), c.ow, c.oh);
    EXPECT_EQ(r.width, c.ow);
    EXPECT_EQ(r.height, c.oh);
    EXPECT_EQ(fnv1a(r.rgb), c.hash) << c.w << "x" << c.h << " -> " << c.ow << "x" << c.oh;
  }
  const sfc::image p = pattern_image(9, 4);
  EXPECT_EQ(sfc::resize_bilinear_pil(p, 9, 4).rgb, p.rgb);
}

TEST(ImagePreprocess, TorchvisionGeometryMatchesPil) {
  // torchvision 0.14: Resize(256) then CenterCrop(224) of a PIL image (hashes from Pillow 9.4).
  // 259x261 -> 256x257: the crop top is round(16.5) = 16 (half to even).
  const resize_case cases[] = {{333, 500, 224, 224, 0xb97cd24432e3466bull},
                               {500, 375, 224, 224, 0xa8a354496bb822a0ull},
                               {257, 300, 224, 224, 0x2d31149070d4bfbaull},
                               {259, 261, 224, 224, 0xb3f34eb028f9630cull}};
  for (const auto& c : cases) {
    const sfc::image g =
        sfc::preprocess_geometry(pattern_image(c.w, c.h), sfc::imagenet_torchvision_config());
    EXPECT_EQ(fnv1a(g.rgb), c.hash) << c.w << "x" << c.h;
  }
  int w = 0, h = 0;
  sfc::shorter_side_size(333, 500, 256, &w, &h);
  EXPECT_EQ(w, 256);
  EXPECT_EQ(h, 384);  // int(256 * 500 / 333) = int(384.38)
  sfc::shorter_side_size(500, 375, 256, &w, &h);
  EXPECT_EQ(w, 341);
  EXPECT_EQ(h, 256);
  EXPECT_EQ(sfc::center_crop_offset(257, 224), 16);
  EXPECT_EQ(sfc::center_crop_offset(259, 224), 18);  // round(17.5) = 18
  EXPECT_EQ(sfc::center_crop_offset(300, 224), 38);
  EXPECT_EQ(sfc::center_crop_offset(220, 224), -2);
  EXPECT_EQ(sfc::center_crop_offset(221, 224), -1);  // pads left (3 // 2) = 1, right 2
}

TEST(ImagePreprocess, TfliteCentralCropMatchesPil) {
  const resize_case cases[] = {{500, 375, 224, 224, 0x1dc1e8e02daea342ull},
                               {333, 500, 224, 224, 0xb10c081c08965f41ull}};
  for (const auto& c : cases) {
    const sfc::image g =
        sfc::preprocess_geometry(pattern_image(c.w, c.h), sfc::imagenet_tflite_config(224));
    EXPECT_EQ(fnv1a(g.rgb), c.hash) << c.w << "x" << c.h;
  }
}

TEST(ImagePreprocess, CropLargerThanImageIsZeroPadded) {
  sfc::preprocess_config cfg;
  cfg.resize_size = 8, cfg.crop_size = 11;
  const sfc::image g = sfc::preprocess_geometry(pattern_image(8, 8), cfg);
  ASSERT_EQ(g.width, 11);
  // Pad left/top (11 - 8) // 2 = 1, right/bottom 2.
  const sfc::image p = pattern_image(8, 8);
  for (int y = 0; y < 11; ++y) {
    for (int x = 0; x < 11; ++x) {
      const bool inside = x >= 1 && x < 9 && y >= 1 && y < 9;
      for (int c = 0; c < 3; ++c) {
        ASSERT_EQ(g.pixel(x, y)[c], inside ? p.pixel(x - 1, y - 1)[c] : 0) << x << "," << y;
      }
    }
  }
}

TEST(ImagePreprocess, NormalizeMatchesTorchvisionFloat32) {
  // ((x / 255) - mean) / std in float32, values from torch/numpy float32 arithmetic.
  sfc::image im;
  im.width = 5, im.height = 1;
  im.rgb = {0, 0, 0, 1, 1, 1, 128, 128, 128, 254, 254, 254, 255, 255, 255};
  const std::vector<float> want[3] = {
      {-0x1.0f177ap+1f, -0x1.0ce656p+1f, 0x1.2f5e64p-4f, 0x1.1dab14p+1f, 0x1.1fdc3ap+1f},
      {-0x1.049248p+1f, -0x1.02549ep+1f, 0x1.a4369p-3f, 0x1.349dcp+1f, 0x1.36db6ep+1f},
      {-0x1.cdf012p+0f, -0x1.c979d4p+0f, 0x1.b4ba78p-2f, 0x1.4fb068p+1f, 0x1.51eb86p+1f}};
  sfc::preprocess_config cfg;
  std::vector<float> out(15);
  sfc::normalize_image(im, cfg, out.data());
  for (int c = 0; c < 3; ++c)
    for (int i = 0; i < 5; ++i) EXPECT_EQ(out[c * 5 + i], want[c][i]) << c << " " << i;
  cfg.layout = sfc::image_layout::nhwc;
  sfc::normalize_image(im, cfg, out.data());
  for (int c = 0; c < 3; ++c)
    for (int i = 0; i < 5; ++i) EXPECT_EQ(out[i * 3 + c], want[c][i]);
}

TEST(ImagePreprocess, LayoutsAndBgr) {
  const sfc::image p = pattern_image(4, 3);
  sfc::preprocess_config cfg = sfc::cifar_config();
  cfg.crop_size = 4;
  for (int c = 0; c < 3; ++c) cfg.mean[c] = 0, cfg.stddev[c] = 1;
  cfg.divisor = 1;
  cfg.bgr = true;
  cfg.layout = sfc::image_layout::nchw;
  EXPECT_THROW(sfc::preprocess(p, cfg), sfc::error);  // 4x3 is not 4x4
  const sfc::image sq = pattern_image(4, 4);
  const std::vector<float> t = sfc::preprocess(sq, cfg);
  std::vector<uint8_t> u(48);
  sfc::pack_u8(sq, cfg, u.data());
  for (int i = 0; i < 16; ++i) {
    for (int c = 0; c < 3; ++c) {
      EXPECT_EQ(t[c * 16 + i], sq.rgb[3 * i + 2 - c]);
      EXPECT_EQ(u[c * 16 + i], sq.rgb[3 * i + 2 - c]);
    }
  }
}

TEST(ImagePreprocess, NoResizeModeChecksSize) {
  const sfc::preprocess_config cfg = sfc::cifar_config();
  const sfc::image ok = pattern_image(32, 32);
  EXPECT_EQ(sfc::preprocess_geometry(ok, cfg).rgb, ok.rgb);
  try {
    sfc::preprocess(pattern_image(33, 32), cfg);
    ADD_FAILURE();
  } catch (const sfc::error& e) {
    EXPECT_EQ(e.code(), sfc::error::invalid_argument);
    EXPECT_NE(std::string(e.what()).find("image is 33x32 but the network expects exactly 32x32"),
              std::string::npos)
        << e.what();
  }
}

TEST(ImagePreprocess, InvalidConfigRejected) {
  const sfc::image p = pattern_image(8, 8);
  sfc::preprocess_config cfg;
  cfg.crop_size = 0;
  EXPECT_THROW(sfc::preprocess(p, cfg), sfc::error);
  cfg = {}, cfg.resize_size = 40000;
  EXPECT_THROW(sfc::preprocess(p, cfg), sfc::error);
  cfg = {}, cfg.stddev[1] = 0;
  EXPECT_THROW(sfc::preprocess(p, cfg), sfc::error);
  cfg = {}, cfg.divisor = 0;
  EXPECT_THROW(sfc::preprocess(p, cfg), sfc::error);
  cfg = sfc::imagenet_tflite_config(8), cfg.crop_fraction = 1.5;
  EXPECT_THROW(sfc::preprocess(p, cfg), sfc::error);
  // A 1x10000 strip resized to shorter side 256 would be 256x2560000.
  sfc::image strip;
  strip.width = 1, strip.height = 10000, strip.rgb.assign(30000, 7);
  EXPECT_THROW(sfc::preprocess(strip, sfc::imagenet_torchvision_config()), sfc::error);
  EXPECT_THROW(sfc::preprocess(sfc::image{}, sfc::imagenet_torchvision_config()), sfc::error);
  sfc::image bad = pattern_image(4, 4);
  bad.rgb.pop_back();
  EXPECT_THROW(sfc::resize_bilinear_pil(bad, 2, 2), sfc::error);
}

// The stored reference inputs (SOURCE.md: PIL decode, central 87.5% crop, PIL BILINEAR resize
// to S x S, uint8 NHWC) of the first 8 images in labels.csv order, for S = 224 and 128.
TEST(ImagePreprocess, MatchesStoredTfliteReference) {
  const std::string dir = sfc_test::data_dir() + "/imagenet_samples_eliSchwartz250";
  const char* files[8] = {"n01440764_tench",
                          "n01494475_hammerhead",
                          "n01514859_hen",
                          "n01532829_house_finch",
                          "n01560419_bulbul",
                          "n01601694_water_ouzel",
                          "n01622779_great_grey_owl",
                          "n01632458_spotted_salamander"};
  for (int s : {224, 128}) {
    const std::string ref_path = dir + "/preprocessed_first8_u8_nhwc_8x" + std::to_string(s) + "x" +
                                 std::to_string(s) + "x3.bin";
    FILE* f = std::fopen(ref_path.c_str(), "rb");
    if (!f) GTEST_SKIP() << ref_path << " not present";
    bytes ref(size_t(8) * s * s * 3);
    const size_t got = std::fread(ref.data(), 1, ref.size(), f);
    std::fclose(f);
    ASSERT_EQ(got, ref.size());
    size_t diff = 0, worst = 0;
    for (int i = 0; i < 8; ++i) {
      const sfc::image im = sfc::load_image(dir + "/images/" + files[i] + ".JPEG");
      const sfc::preprocess_config cfg = sfc::imagenet_tflite_config(s);
      bytes u(size_t(s) * s * 3);
      sfc::pack_u8(sfc::preprocess_geometry(im, cfg), cfg, u.data());
      for (size_t j = 0; j < u.size(); ++j) {
        const size_t d = size_t(std::abs(int(u[j]) - int(ref[i * u.size() + j])));
        diff += d != 0;
        worst = std::max(worst, d);
      }
    }
    std::printf("reference %dx%d: %zu of %zu bytes differ, max abs diff %zu\n", s, s, diff,
                ref.size(), worst);
    EXPECT_EQ(diff, 0u);
  }
}

}  // namespace
