// Built-in model zoo: standard CNN topologies built in code with deterministic synthetic weights,
// so benchmarks and tests need no model files.
//   resnet18 / resnet34 / resnet50 : torchvision topology (ResNet-50 v1.5: stride in the 3x3),
//                                    input [N, 3, 224, 224], output logits [N, 1000]
//   resnet20 / resnet32 / resnet56 : CIFAR ResNets (He et al. 2016, akamaster's code) with the
//                                    option-A shortcut (Slice with steps 2 + channel Pad),
//                                    input [N, 3, 32, 32], output logits [N, 10]
// The graphs are unfused, as an exporter writes them: Conv (no bias) -> BatchNormalization ->
// Relu, Add, pooling, Gemm. Weights are He-normal; BatchNormalization running statistics are
// calibrated on a synthetic N(0, 1) input propagated through the graph while it is built
// (zoo-builder.h), so each BN normalizes what actually reaches it and activations neither explode
// nor vanish with depth. gamma / beta are drawn like trained values (small gamma on the last BN
// of each residual branch).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "graph/ir.h"

namespace sfc {

enum class zoo_model : uint8_t { resnet18, resnet34, resnet50, resnet20, resnet32, resnet56 };

struct zoo_options {
  int64_t batch = -1;  // -1: dynamic batch dimension (set it when preparing)
  uint64_t seed = 1;
};

graph zoo_build(zoo_model m, const zoo_options& o = {});
const char* zoo_model_name(zoo_model m);  // "resnet50"
bool zoo_model_from_name(const std::string& name, zoo_model* m);
std::vector<zoo_model> zoo_all();

}  // namespace sfc
