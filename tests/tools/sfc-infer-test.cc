// sfc_infer end to end (the binary, through the public C API): classifies real CIFAR images with
// the akamaster ResNet-20 ONNX export, labels, top-k, JSON, and clear errors for bad input.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace {

std::string data(const std::string& rel) { return std::string(SFC_DATA_DIR) + "/" + rel; }

int run(const std::string& args, std::string* out, std::string* err) {
  const std::string base = "/tmp/sfc_infer_test_" + std::to_string(getpid());
  const int rc = std::system((std::string(SFC_INFER_BIN) + " " + args + " >" + base + ".out 2>" + base + ".err").c_str());
  auto slurp = [](const std::string& f) {
    std::ifstream in(f);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  };
  *out = slurp(base + ".out");
  *err = slurp(base + ".err");
  std::remove((base + ".out").c_str());
  std::remove((base + ".err").c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

TEST(SfcInfer, ClassifiesCifarJpegsWithLabelsAndJson) {
  const std::string model = data("cifar10_resnet_akamaster/resnet20.onnx");
  const std::string imgs = data("cifar10_test_jpeg300_yoongikim/images");
  if (!std::ifstream(model)) GTEST_SKIP() << "shared data absent: " << model;
  const std::string labels = "/tmp/sfc_infer_labels_" + std::to_string(getpid()) + ".txt";
  { std::ofstream(labels) << "airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n"; }
  std::string out, err;
  ASSERT_EQ(run("--model " + model + " --preprocess cifar --labels " + labels + " --top-k 3 --batch 7 --json - " +
                    imgs + "/truck " + imgs + "/ship",
                &out, &err), 0) << err;
  // 60 images (30 per class folder), JSON with labels; most trucks are called "truck".
  size_t files = 0, truck_top1 = 0;
  for (size_t pos = 0; (pos = out.find("\"file\": ", pos)) != std::string::npos; pos++) {
    files++;
    const size_t top = out.find("\"label\": \"", pos);
    if (out.compare(pos + 9, imgs.size() + 6, imgs + "/truck") == 0 && out.compare(top + 10, 5, "truck") == 0) truck_top1++;
  }
  EXPECT_EQ(files, 60u);
  EXPECT_GE(truck_top1, 20u) << out.substr(0, 400);
  std::remove(labels.c_str());
}

TEST(SfcInfer, BadInputsFailCleanly) {
  std::string out, err;
  const std::string bad = "/tmp/sfc_infer_bad_" + std::to_string(getpid()) + ".jpg";
  { std::ofstream(bad) << "\xff\xd8\xff garbage"; }
  const std::pair<std::string, std::string> cases[] = {
      {"--model resnet20 --preprocess cifar /nonexistent.png", "nonexistent"},
      {"--model resnet20 --preprocess cifar " + bad, bad},
      {"--model resnet20", "no input images"},
      {"--model alexnet " + bad, "alexnet"},
      {"--model resnet20 --top-k 0 " + bad, "--top-k"},
      {"--model resnet20 --precision fp16 " + bad, "--precision"},
      {"--model resnet20 --bogus " + bad, "unknown option"},
      {"--model /nonexistent/model.onnx " + bad, "model.onnx"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(run(c.first, &out, &err), 2) << c.first;
    EXPECT_NE(err.find(c.second), std::string::npos) << c.first << " -> " << err;
  }
  std::remove(bad.c_str());
}

}  // namespace
