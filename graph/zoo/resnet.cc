// ResNet topologies of the zoo (see zoo.h). Names follow the PyTorch modules ("layer2.0.conv1",
// "layer2.0.downsample.0"), as an ONNX export of the same model would show them.
#include <string>

#include "graph/zoo/zoo-builder.h"
#include "graph/zoo/zoo.h"

namespace sfc {
namespace {

using zoo::act;
using zoo::builder;

// gamma ranges: ~1 inside a branch, small on the last BN of a residual branch (trained ResNets
// end their branches with small gammas; it also keeps the residual stream's variance bounded).
constexpr double kGammaLo = 0.8, kGammaHi = 1.2;
constexpr double kLastLo = 0.2, kLastHi = 0.4;
// ImageNet models calibrate on a 64x64 sample (stage 4 still sees 2x2 pixels) to keep building
// cheap; the per-channel statistics of a conv barely depend on the resolution.
constexpr int64_t kCalibHw = 112;

act basic_block(builder& b, const act& x, int64_t planes, int stride, const std::string& p) {
  act y = b.conv_bn(x, planes, 3, stride, 1, p + "conv1", p + "bn1", kGammaLo, kGammaHi, true);
  y = b.conv_bn(y, planes, 3, 1, 1, p + "conv2", p + "bn2", kLastLo, kLastHi, false);
  act sc = x;
  if (stride != 1 || x.c != planes)
    sc = b.conv_bn(x, planes, 1, stride, 0, p + "downsample.0", p + "downsample.1", kGammaLo,
                   kGammaHi, false);
  return b.add_relu(y, sc, p.substr(0, p.size() - 1));
}

act bottleneck(builder& b, const act& x, int64_t planes, int stride, const std::string& p) {
  act y = b.conv_bn(x, planes, 1, 1, 0, p + "conv1", p + "bn1", kGammaLo, kGammaHi, true);
  y = b.conv_bn(y, planes, 3, stride, 1, p + "conv2", p + "bn2", kGammaLo, kGammaHi, true);
  y = b.conv_bn(y, planes * 4, 1, 1, 0, p + "conv3", p + "bn3", kLastLo, kLastHi, false);
  act sc = x;
  if (stride != 1 || x.c != planes * 4)
    sc = b.conv_bn(x, planes * 4, 1, stride, 0, p + "downsample.0", p + "downsample.1", kGammaLo,
                   kGammaHi, false);
  return b.add_relu(y, sc, p.substr(0, p.size() - 1));
}

graph imagenet_resnet(const char* name, const int (&blocks)[4], bool bottle, const zoo_options& o) {
  builder b(name, o.seed);
  act x = b.input("input", o.batch, 3, 224, 224, kCalibHw, kCalibHw);
  x = b.conv_bn(x, 64, 7, 2, 3, "conv1", "bn1", kGammaLo, kGammaHi, true);
  x = b.max_pool(x, 3, 2, 1, "maxpool");
  for (int s = 0; s < 4; ++s) {
    const int64_t planes = int64_t(64) << s;
    for (int i = 0; i < blocks[s]; ++i) {
      const std::string p = "layer" + std::to_string(s + 1) + "." + std::to_string(i) + ".";
      const int stride = (i == 0 && s > 0) ? 2 : 1;
      x = bottle ? bottleneck(b, x, planes, stride, p) : basic_block(b, x, planes, stride, p);
    }
  }
  b.head(x, 1000, false);
  return b.finish();
}

// CIFAR ResNet-(6n+2): 16/32/64 channels, option-A shortcuts, mean over H, W, Linear(64, 10).
graph cifar_resnet(const char* name, int n, const zoo_options& o) {
  builder b(name, o.seed);
  act x = b.input("input", o.batch, 3, 32, 32, 32, 32);
  x = b.conv_bn(x, 16, 3, 1, 1, "conv1", "bn1", kGammaLo, kGammaHi, true);
  for (int s = 0; s < 3; ++s) {
    const int64_t planes = int64_t(16) << s;
    for (int i = 0; i < n; ++i) {
      const std::string p = "layer" + std::to_string(s + 1) + "." + std::to_string(i) + ".";
      const int stride = (i == 0 && s > 0) ? 2 : 1;
      act y = b.conv_bn(x, planes, 3, stride, 1, p + "conv1", p + "bn1", kGammaLo, kGammaHi, true);
      y = b.conv_bn(y, planes, 3, 1, 1, p + "conv2", p + "bn2", kLastLo, kLastHi, false);
      const act sc = (stride != 1 || x.c != planes) ? b.option_a_shortcut(x, planes / 4, p + "shortcut") : x;
      x = b.add_relu(y, sc, p.substr(0, p.size() - 1));
    }
  }
  b.head(x, 10, true);
  return b.finish();
}

}  // namespace

graph zoo_build(zoo_model m, const zoo_options& o) {
  static const int k18[4] = {2, 2, 2, 2}, k34[4] = {3, 4, 6, 3};
  switch (m) {
    case zoo_model::resnet18: return imagenet_resnet("resnet18", k18, false, o);
    case zoo_model::resnet34: return imagenet_resnet("resnet34", k34, false, o);
    case zoo_model::resnet50: return imagenet_resnet("resnet50", k34, true, o);
    case zoo_model::resnet20: return cifar_resnet("resnet20", 3, o);
    case zoo_model::resnet32: return cifar_resnet("resnet32", 5, o);
    case zoo_model::resnet56: return cifar_resnet("resnet56", 9, o);
  }
  return graph();
}

const char* zoo_model_name(zoo_model m) {
  switch (m) {
    case zoo_model::resnet18: return "resnet18";
    case zoo_model::resnet34: return "resnet34";
    case zoo_model::resnet50: return "resnet50";
    case zoo_model::resnet20: return "resnet20";
    case zoo_model::resnet32: return "resnet32";
    case zoo_model::resnet56: return "resnet56";
  }
  return "?";
}

bool zoo_model_from_name(const std::string& name, zoo_model* m) {
  for (zoo_model z : zoo_all())
    if (name == zoo_model_name(z)) {
      *m = z;
      return true;
    }
  return false;
}

std::vector<zoo_model> zoo_all() {
  return {zoo_model::resnet18, zoo_model::resnet34, zoo_model::resnet50,
          zoo_model::resnet20, zoo_model::resnet32, zoo_model::resnet56};
}

}  // namespace sfc
