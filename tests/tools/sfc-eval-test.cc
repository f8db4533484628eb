// sfc_eval end to end (the binary): a synthetic CIFAR-folders fixture with the built-in ResNet-20,
// the real akamaster ResNet-20 on the 200 lossless CIFAR-10 images (skipped without the shared
// data), reports, and clear one-line errors with exit status 2.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "tests/tools/dataset-test-util.h"

namespace {

std::string data(const std::string& rel) { return std::string(SFC_DATA_DIR) + "/" + rel; }

std::string slurp(const std::string& f) {
  std::ifstream in(f);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int run(const std::string& args, std::string* out, std::string* err) {
  const std::string base = "/tmp/sfc_eval_test_" + std::to_string(getpid());
  const int rc = std::system((std::string(SFC_EVAL_BIN) + " " + args + " >" + base + ".out 2>" + base + ".err").c_str());
  *out = slurp(base + ".out");
  *err = slurp(base + ".err");
  std::remove((base + ".out").c_str());
  std::remove((base + ".err").c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

// Parses the JSON with Python's json module when python3 is available (true if it parsed or
// there is no python3) and checks that it holds the given config names.
bool json_parses(const std::string& path, const std::string& names) {
  if (std::system("python3 -c 'import json' >/dev/null 2>&1") != 0) return true;
  const std::string cmd = "python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); "
                          "assert [c[\"name\"] for c in d[\"configs\"]] == sys.argv[2].split(\",\"), d' " + path + " " + names;
  return std::system(cmd.c_str()) == 0;
}

// A row of the Markdown results table: the cells after the config name.
std::vector<std::string> row(const std::string& table, const std::string& config) {
  const size_t p = table.find("| " + config + " |");
  std::vector<std::string> cells;
  if (p == std::string::npos) return cells;
  const size_t b = p + 4 + config.size();  // past "| <config> |"
  std::stringstream line(table.substr(b, table.find('\n', p) - b));
  std::string c;
  while (std::getline(line, c, '|')) cells.push_back(c);
  return cells;
}

TEST(SfcEval, SyntheticCifarFoldersAllReports) {
  sfc_test::temp_dir t;
  for (int i = 0; i < 6; i++) {  // 32x32 PPMs in three class folders
    const std::string cls = i % 3 == 0 ? "cat" : i % 3 == 1 ? "dog" : "frog";
    std::string px;
    for (int k = 0; k < 32 * 32 * 3; k++) px += char((k * (i + 3)) & 255);
    t.text("d/" + cls + "/" + std::to_string(i) + ".ppm", "P6\n32 32\n255\n" + px);
  }
  std::string out, err;
  const std::string md = t / "r.md", js = t / "r.json", svg = t / "r.svg";
  ASSERT_EQ(run("--model resnet20 --data " + t / "d" + " --configs int8:onednn,int8:sfc4_4x4_3x3@6 --limit 5 --mse-images 2 "
                "--calib-count 3 --decode-threads 2 --quiet --report-md " + md + " --json " + js + " --svg " + svg,
                &out, &err), 0) << err;
  // fp32 is added as the agreement reference; every config gets a row.
  for (const char* c : {"fp32", "int8:onednn", "int8:sfc4_4x4_3x3@6"}) EXPECT_EQ(row(out, c).size(), 9u) << c << "\n" << out;
  EXPECT_NE(out.find("sfc4_4x4_3x3 x"), std::string::npos) << out;
  const std::string m = slurp(md);
  EXPECT_NE(m.find("5 images, 10 classes"), std::string::npos) << m;
  EXPECT_NE(m.find("(cifar-folders)"), std::string::npos) << m;
  EXPECT_NE(m.find("Per-layer feature-map error vs fp32: relative MSE"), std::string::npos);
  EXPECT_EQ(m.find("n/a"), std::string::npos) << "every int8 conv output matched its fp32 twin\n" << m;
  EXPECT_TRUE(json_parses(js, "fp32,int8:onednn,int8:sfc4_4x4_3x3@6"));
  const std::string s = slurp(svg);
  EXPECT_EQ(s.rfind("<svg", 0), 0u);
  EXPECT_NE(s.find("int8:sfc4_4x4_3x3@6"), std::string::npos);
}

TEST(SfcEval, ResNet20LosslessFp32AndSfc6) {
  const std::string model = data("cifar10_resnet_akamaster/resnet20.onnx");
  if (!std::ifstream(model)) GTEST_SKIP() << "shared data absent: " << model;
  const std::string js = "/tmp/sfc_eval_test_" + std::to_string(getpid()) + ".json";
  std::string out, err;
  ASSERT_EQ(run("--model " + model + " --data " + data("cifar10_test_lossless200_eembc/images_u8_nhwc_200x32x32x3.bin") +
                    " --raw-labels " + data("cifar10_test_lossless200_eembc/labels_200.txt") +
                    " --configs fp32,int8:sfc6_7x7_3x3 --calib " + data("cifar10_test_jpeg300_yoongikim/images") +
                    " --calib-count 100 --mse-images 4 --decode-threads 2 --quiet --json " + js,
                &out, &err), 0) << err;
  const auto fp = row(out, "fp32"), q = row(out, "int8:sfc6_7x7_3x3");
  ASSERT_EQ(fp.size(), 9u) << out;
  ASSERT_EQ(q.size(), 9u) << out;
  EXPECT_EQ(std::stod(fp[0]), 90.0) << out;  // the PyTorch reference on these 200 images
  EXPECT_LE(std::abs(std::stod(q[0]) - 90.0), 1.0) << out;
  EXPECT_GE(std::stod(q[2]), 97.0) << out;  // agreement with fp32
  EXPECT_TRUE(json_parses(js, "fp32,int8:sfc6_7x7_3x3"));
  EXPECT_NE(slurp(js).find("\"rel_mse\""), std::string::npos);
  std::remove(js.c_str());
}

TEST(SfcEval, BadInputsFailWithOneLine) {
  sfc_test::temp_dir t;
  t.image("d/cat/a.png");
  t.text("csv/labels.csv", "a.png,0\n");
  const std::string d = t / "d";
  const std::pair<std::string, std::string> cases[] = {
      {"--data " + d, "--model is required"},
      {"--model resnet20", "--data is required"},
      {"--model alexnet --data " + d, "alexnet"},
      {"--model /nonexistent/m.onnx --data " + d, "m.onnx"},
      {"--model resnet20 --data /nonexistent/dir", "/nonexistent/dir"},
      {"--model resnet20 --data " + d + " --configs int8:bogus", "unknown int8 implementation 'bogus'"},
      {"--model resnet20 --data " + d + " --configs int8:sfc6_7x7_3x3@5", "bits must be 8, 6 or 4"},
      {"--model resnet20 --data " + d + " --configs fp64", "unknown configuration 'fp64'"},
      {"--model resnet20 --data " + d + " --layout coco", "--layout"},
      {"--model resnet20 --data " + d + " --limit 0", "--limit"},
      {"--model resnet20 --data " + d + " --bogus", "unknown option"},
      {"--model resnet20 --data " + t / "csv", "a.png is listed but missing"},
      {"--model resnet20 --data " + d + " --configs fp32", "2x2"},  // image is not 32x32
      {"--model m.sfcq --data " + d, ".sfcq"},
  };
  for (const auto& c : cases) {
    std::string out, err;
    EXPECT_EQ(run(c.first + " --quiet", &out, &err), 2) << c.first << "\n" << err;
    EXPECT_NE(err.find(c.second), std::string::npos) << c.first << " -> " << err;
    EXPECT_EQ(err.find('\n'), err.size() - 1) << "one line: " << err;
    EXPECT_EQ(err.rfind("sfc_eval: error: ", 0), 0u) << err;
  }
}

}  // namespace
