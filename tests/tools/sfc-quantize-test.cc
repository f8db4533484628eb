// sfc_quantize end to end (the binary), with sfc_eval and sfc_infer reading its .sfcq output:
//   - resnet20.onnx calibrated on 100 CIFAR JPEGs with SFC-6(7x7,3x3) at 8 bits, evaluated on the
//     200 lossless images: within 1.0 pt of fp32's 90.0 % and >= 97 % top-1 agreement;
//   - the per-layer report: fine-tuned transform-domain scales give a lower layer error than
//     max-abs, and Winograd F(4x4) int8 is measurably worse than SFC;
//   - the built-in ResNet-20 with other granularities / power-of-two scales / 6 bits (no data);
//   - bad flags and unreadable inputs: one clear line, exit status 2.
// Python's json module reads the JSON reports (skipped where python3 is missing).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "tests/tools/dataset-test-util.h"

namespace {

std::string data(const std::string& rel) { return std::string(SFC_DATA_DIR) + "/" + rel; }
bool have_data() { return std::ifstream(data("cifar10_resnet_akamaster/resnet20.onnx")).good(); }
bool have_python() { return std::system("python3 -c 'import json' >/dev/null 2>&1") == 0; }

std::string slurp(const std::string& f) {
  std::ifstream in(f);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int run(const std::string& bin, const std::string& args, std::string* err) {
  const std::string base = "/tmp/sfc_quantize_test_" + std::to_string(getpid());
  const int rc = std::system((bin + " " + args + " >" + base + ".out 2>" + base + ".err").c_str());
  *err = slurp(base + ".err");
  std::remove((base + ".out").c_str());
  std::remove((base + ".err").c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

// Runs a Python check on a JSON file; true if it passed.
// A w x h binary PPM with a seeded pattern.
void write_ppm(const std::string& path, int w, int h, int seed) {
  std::ofstream f(path, std::ios::binary);
  f << "P6\n" << w << " " << h << "\n255\n";
  uint32_t x = uint32_t(seed) * 2654435761u + 1;
  for (int i = 0; i < w * h * 3; ++i) x = x * 1664525u + 1013904223u, f.put(char(x >> 24));
}

bool py_check(const std::string& json, const std::string& code) {
  const std::string script = json + ".py";
  std::ofstream(script) << "import json, sys\nd = json.load(open(sys.argv[1]))\n" << code << "\n";
  const int rc = std::system(("python3 " + script + " " + json).c_str());
  std::remove(script.c_str());
  return rc == 0;
}

TEST(SfcQuantize, ResNet20Sfc6EvaluatedWithSfcEval) {
  if (!have_data()) GTEST_SKIP() << "shared data not found at " << SFC_DATA_DIR;
  sfc_test::temp_dir t;
  const std::string model = data("cifar10_resnet_akamaster/resnet20.onnx");
  const std::string q = t.str() + "/r20.sfcq", qjs = t.str() + "/q.json", ejs = t.str() + "/e.json";
  std::string err;
  ASSERT_EQ(run(SFC_QUANTIZE_BIN,
                "--model " + model + " --calib " + data("cifar10_test_jpeg300_yoongikim/images") +
                    " --calib-count 100 --algo sfc6_7x7_3x3 --bits 8 --tune-images 16 --quiet"
                    " --out " + q + " --json " + qjs,
                &err),
            0)
      << err;
  ASSERT_EQ(run(SFC_EVAL_BIN,
                "--model " + model + " --data " +
                    data("cifar10_test_lossless200_eembc/images_u8_nhwc_200x32x32x3.bin") +
                    " --raw-labels " + data("cifar10_test_lossless200_eembc/labels_200.txt") +
                    " --configs fp32,sfcq:" + q + " --mse-images 0 --quiet --json " + ejs,
                &err),
            0)
      << err;
  if (!have_python()) GTEST_SKIP() << "python3 not found: JSON reports not checked";
  // Accuracy: fp32 is the reference 90.0 %; the quantized file within 1 pt, >= 97 % agreement.
  EXPECT_TRUE(py_check(ejs, R"(
c = {x['name']: x for x in d['configs']}
fp = c['fp32']; q = [x for x in d['configs'] if x['name'].startswith('sfcq:')][0]
print('fp32 %.1f, sfcq %.1f, agreement %.1f' % (fp['top1'], q['top1'], q['agreement']))
assert abs(fp['top1'] - 90.0) < 1e-9
assert abs(q['top1'] - fp['top1']) <= 1.0 and q['agreement'] >= 97.0
assert 'sfc6_7x7_3x3' in q['convs'])"));
  // Per-layer report: tuned <= max-abs everywhere and lower in total; Winograd F(4x4) worse.
  EXPECT_TRUE(py_check(qjs, R"(
L = d['layers']
t = [l['tuning'] for l in L if 'tuning' in l]
assert len(t) == 17, len(t)
assert all(x['rel_mse_final'] <= x['rel_mse_maxabs'] for x in t)
assert sum(x['rel_mse_final'] for x in t) < sum(x['rel_mse_maxabs'] for x in t)
pairs = [(l['rel_mse']['wino_4x4_3x3'], l['rel_mse']['sfc6_7x7_3x3']) for l in L
         if l['rel_mse'].get('wino_4x4_3x3') is not None]
worse = sum(w > s for w, s in pairs)
ratio = sum(w for w, s in pairs) / sum(s for w, s in pairs)
print('wino worse on %d/%d layers, error ratio %.2f' % (worse, len(pairs), ratio))
assert worse == len(pairs) and ratio > 2
assert d['chosen_gbops'] < d['direct_gbops'])"));
}

// The built-in ResNet-20 (synthetic weights) on generated images: every granularity, power-of-two
// scales and 6 bits give a file that the C API (through sfc_infer) loads and runs with the
// preprocessing recorded in the file.
TEST(SfcQuantize, OptionsProduceLoadableFiles) {
  sfc_test::temp_dir t;
  const std::string imgs = t.str() + "/img";
  std::system(("mkdir -p " + imgs).c_str());
  for (int i = 0; i < 6; i++) write_ppm(imgs + "/" + std::to_string(i) + ".ppm", 32, 32, 10 + i);
  const std::vector<std::string> variants = {
      "--algo sfc4_4x4_3x3 --granularity tensor --scales pow2",
      "--algo sfc6_6x6_3x3 --granularity frequency --bits 6 --range mse",
      "--algo wino_4x4_3x3 --granularity channel --tune none --range percentile:99.9",
      "--algo auto --error-budget 0.2 --compare sfc6_7x7_3x3,wino_4x4_3x3",
      "--algo sfc6_6x6_3x3 --bits 4 --bias-correction on"};
  for (size_t i = 0; i < variants.size(); ++i) {
    SCOPED_TRACE(variants[i]);
    const std::string q = t.str() + "/m" + std::to_string(i) + ".sfcq";
    std::string err;
    ASSERT_EQ(run(SFC_QUANTIZE_BIN, "--model resnet20 --calib " + imgs + " --tune-images 4 --quiet " +
                                        variants[i] + " --out " + q + " --report-md " + q + ".md",
                  &err),
              0)
        << err;
    EXPECT_NE(slurp(q + ".md").find("| layer | shape | chosen |"), std::string::npos);
    // No preprocessing flags: sfc_infer takes the file's own (CIFAR, 32x32); ImageNet's 224x224
    // crop does not fit the model.
    ASSERT_EQ(run(SFC_INFER_BIN, "--model " + q + " --top-k 1 " + imgs + "/0.ppm", &err), 0) << err;
    EXPECT_EQ(run(SFC_INFER_BIN, "--model " + q + " --preprocess imagenet " + imgs + "/0.ppm", &err), 2);
  }
}

// sfc_eval's "+tune" configurations run the same pipeline in process (built-in ResNet-20, a raw
// u8 fixture of 6 images), next to the plain configuration and a .sfcq file of it.
TEST(SfcQuantize, SfcEvalTunedAndFileConfigurations) {
  sfc_test::temp_dir t;
  {
    std::ofstream bin(t.str() + "/x.bin", std::ios::binary), lab(t.str() + "/y.txt");
    uint32_t x = 7;
    for (int i = 0; i < 6 * 32 * 32 * 3; ++i) x = x * 1664525u + 1013904223u, bin.put(char(x >> 24));
    for (int i = 0; i < 6; ++i) lab << i % 10 << "\n";
  }
  const std::string js = t.str() + "/e.json";
  std::string err;
  ASSERT_EQ(run(SFC_EVAL_BIN, "--model resnet20 --data " + t.str() + "/x.bin --raw-labels " +
                                  t.str() + "/y.txt --calib-count 6 --mse-images 2 --quiet"
                                  " --configs fp32,int8:sfc4_4x4_3x3@6,int8:sfc4_4x4_3x3@6+tune"
                                  " --json " + js,
                &err),
            0)
      << err;
  if (!have_python()) GTEST_SKIP() << "python3 not found: JSON report not checked";
  EXPECT_TRUE(py_check(js, R"(
c = {x['name']: x for x in d['configs']}
assert set(c) == {'fp32', 'int8:sfc4_4x4_3x3@6', 'int8:sfc4_4x4_3x3@6+tune'}, list(c)
for n in ('int8:sfc4_4x4_3x3@6', 'int8:sfc4_4x4_3x3@6+tune'):
    assert not c[n].get('error'), c[n]
    assert 'sfc4_4x4_3x3' in c[n]['convs'], c[n]['convs'])"));
}

TEST(SfcQuantize, BadInputIsOneClearLine) {
  sfc_test::temp_dir t;
  const std::string imgs = t.str() + "/img";
  std::system(("mkdir -p " + imgs + " " + t.str() + "/empty").c_str());
  write_ppm(imgs + "/0.ppm", 32, 32, 3);
  std::ofstream(t.str() + "/bad.sfcq") << "SFCQ\r\n\x1a\nnot really";
  const std::string ok = "--model resnet20 --calib " + imgs + " --out " + t.str() + "/x.sfcq ";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"--calib " + imgs + " --out x.sfcq", "--model is required"},
      {"--model resnet20 --out x.sfcq", "--calib is required"},
      {"--model resnet20 --calib " + imgs, "--out"},
      {ok + "--bits 5", "--bits"},
      {ok + "--granularity pixel", "--granularity"},
      {ok + "--tune maybe", "--tune"},
      {ok + "--range max", "unknown range method"},
      {ok + "--algo sfc9_9x9_3x3", "unknown implementation policy"},
      {ok + "--compare nonsense", "--compare"},
      {ok + "--frobnicate", "unknown option"},
      {"--model /nonexistent.onnx --calib " + imgs + " --out x.sfcq", "nonexistent"},
      {"--model resnet20 --calib " + t.str() + "/empty --out x.sfcq", ""},
      {"--model resnet20 --calib " + imgs + " --out /nonexistent-dir/x.sfcq", "nonexistent-dir"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.first);
    std::string err;
    EXPECT_EQ(run(SFC_QUANTIZE_BIN, c.first, &err), 2);
    EXPECT_NE(err.find("sfc_quantize: "), std::string::npos) << err;
    EXPECT_NE(err.find(c.second), std::string::npos) << err;
    EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
  }
  std::string err;  // a corrupt .sfcq file: sfc_infer fails cleanly
  EXPECT_EQ(run(SFC_INFER_BIN, "--model " + t.str() + "/bad.sfcq " + imgs + "/0.ppm", &err), 2);
  EXPECT_NE(err.find("sfcq"), std::string::npos) << err;
}

}  // namespace
