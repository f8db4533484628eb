// The sfc int8 layer as sfc_bench runs it: the fast (ISA-dispatched) requantized layer, or the
// scalar reference path when the name is prefixed "scalar:".
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "kernels/ref/conv2d-ref.h"

namespace sfc {

struct sfc_layer_request {
  std::string algo;  // "sfc6_7x7_3x3" or "scalar:sfc6_7x7_3x3"
  conv2d_params p;
  const std::vector<int8_t>* weights = nullptr;  // OIHW
  const uint8_t* src = nullptr;                  // calibration input (u8, zero point 0)
  float src_scale = 1.f, dst_scale = 1.f;
  const std::vector<float>* wscale = nullptr;
  const std::vector<float>* bias = nullptr;
  int bits = 8, threads = 1;
  std::string max_isa;
};

class sfc_layer_runner {
 public:
  virtual ~sfc_layer_runner() = default;
  virtual void run(const uint8_t* src, uint8_t* dst) = 0;  // u8 NHWC in, u8 NHWC out (ReLU)
  virtual std::string detail() const = 0;
};

std::unique_ptr<sfc_layer_runner> make_sfc_layer_runner(const sfc_layer_request& r);

}  // namespace sfc
