// Real third-party images from shared/data (skipped when absent): every file decodes, sizes are
// right, grayscale JPEGs come out with R = G = B.
#include <dirent.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/tools/image-test-util.h"
#include "tools/common/preprocess.h"

namespace {

std::vector<std::string> list_dir(const std::string& dir) {
  std::vector<std::string> out;
  DIR* d = opendir(dir.c_str());
  if (!d) return out;
  while (dirent* e = readdir(d)) {
    const std::string n = e->d_name;
    if (n != "." && n != "..") out.push_back(dir + "/" + n);
  }
  closedir(d);
  return out;
}

TEST(ImageRealFiles, CoralTestImages) {
  const std::string dir = sfc_test::data_dir() + "/imagenet_mobilenet_tflite_coral";
  if (!sfc_test::file_exists(dir + "/cat.bmp")) GTEST_SKIP() << dir << " not present";
  struct {
    const char* file;
    int w, h;
  } const cases[] = {
      {"cat.bmp", 512, 341}, {"grace_hopper.bmp", 512, 600}, {"parrot.jpg", 512, 929}};
  for (const auto& c : cases) {
    const sfc::image im = sfc::load_image(dir + "/" + c.file);
    EXPECT_EQ(im.width, c.w) << c.file;
    EXPECT_EQ(im.height, c.h) << c.file;
  }
  // cat.bmp (BITMAPV5HEADER, 24-bit bottom-up): the first stored row is the last image row.
  const sfc::image cat = sfc::load_image(dir + "/cat.bmp");
  const sfc_test::bytes raw = [&] {
    FILE* f = std::fopen((dir + "/cat.bmp").c_str(), "rb");
    sfc_test::bytes b(600);
    b.resize(std::fread(b.data(), 1, b.size(), f));
    std::fclose(f);
    return b;
  }();
  const uint8_t* last = cat.pixel(0, cat.height - 1);
  EXPECT_EQ(last[0], raw[138 + 2]);
  EXPECT_EQ(last[1], raw[138 + 1]);
  EXPECT_EQ(last[2], raw[138 + 0]);
}

void decode_all(const std::vector<std::string>& files, int* n, int* gray) {
  for (const std::string& f : files) {
    const sfc::image im = sfc::load_image(f);
    ASSERT_GT(im.width, 0) << f;
    ASSERT_EQ(im.rgb.size(), size_t(im.width) * im.height * 3) << f;
    bool is_gray = true;
    for (size_t i = 0; i < im.rgb.size() && is_gray; i += 3) {
      is_gray = im.rgb[i] == im.rgb[i + 1] && im.rgb[i] == im.rgb[i + 2];
    }
    ++*n;
    *gray += is_gray;
  }
}

TEST(ImageRealFiles, ImagenetSamplesDecode) {
  const auto files = list_dir(sfc_test::data_dir() + "/imagenet_samples_eliSchwartz250/images");
  if (files.empty()) GTEST_SKIP() << "imagenet_samples_eliSchwartz250 not present";
  int n = 0, gray = 0;
  decode_all(files, &n, &gray);
  EXPECT_EQ(n, 250);
  EXPECT_GT(gray, 0) << "SOURCE.md says some images are single-channel";
  std::printf("decoded %d ImageNet sample JPEGs (%d grayscale)\n", n, gray);
}

TEST(ImageRealFiles, CifarJpegsDecode) {
  const std::string dir = sfc_test::data_dir() + "/cifar10_test_jpeg300_yoongikim/images";
  const auto classes = list_dir(dir);
  if (classes.empty()) GTEST_SKIP() << dir << " not present";
  int n = 0;
  for (const std::string& c : classes) {
    for (const std::string& f : list_dir(c)) {
      const sfc::image im = sfc::load_image(f);
      ASSERT_EQ(im.width, 32) << f;
      ASSERT_EQ(im.height, 32) << f;
      const std::vector<float> t = sfc::preprocess(im, sfc::cifar_config());
      ASSERT_EQ(t.size(), 3u * 32 * 32);
      ++n;
    }
  }
  EXPECT_EQ(n, 300);
}

}  // namespace
