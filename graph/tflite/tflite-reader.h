// TFLite (.tflite FlatBuffers) model reader: a plain C++ description of subgraph 0 of a model,
// with TFLite's own tensor and operator indices kept, so that a later pass can map it onto the
// graph IR. Only the subset of the public TFLite schema (tensorflow/lite/schema/schema.fbs)
// that quantized CNNs use is read: Model, SubGraph, Tensor, QuantizationParameters, Buffer,
// Operator, OperatorCode and the options tables of the operators in `tfl_op` below.
//
// Errors (all sfc::error):
//   invalid_model: anything malformed — bad offsets, vtables, vector lengths, tensor or buffer
//                  indices out of range, constant data that does not match the tensor's shape,
//                  quantization vectors of the wrong length, missing operator inputs; the
//                  message names the file, the operator / tensor index and the field;
//   unsupported:   a valid model using an operator, tensor type or feature outside the subset
//                  (e.g. "operator 7: unsupported builtin operator MUL").
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace sfc::tflite {

// TensorType codes of schema.fbs; the reader accepts these five.
enum class tensor_type : int8_t { float32 = 0, int32 = 2, uint8 = 3, int64 = 4, int8 = 9 };
const char* tensor_type_name(tensor_type t);
size_t tensor_type_size(tensor_type t);

// BuiltinOperator codes of schema.fbs for the operators this reader accepts.
enum class tfl_op : int32_t {
  add = 0,
  average_pool_2d = 1,
  conv_2d = 3,
  depthwise_conv_2d = 4,
  dequantize = 6,
  fully_connected = 9,
  max_pool_2d = 17,
  reshape = 22,
  softmax = 25,
  pad = 34,
  mean = 40,
  quantize = 114,
};
const char* tfl_op_name(tfl_op op);

enum class padding : int8_t { same = 0, valid = 1 };
// ActivationFunctionType; tanh and sign_bit are rejected as unsupported.
enum class activation : int8_t { none = 0, relu = 1, relu_n1_to_1 = 2, relu6 = 3 };

// real = scale[c] * (q - zero_point[c]); one entry = per tensor, else one per index of
// `quantized_dimension`. Empty = not quantized.
struct quantization {
  std::vector<float> scale;
  std::vector<int64_t> zero_point;
  int32_t quantized_dimension = 0;
  bool empty() const { return scale.empty(); }
  bool per_channel() const { return scale.size() > 1; }
};

struct tensor {
  int index = 0;
  std::string name;
  tensor_type type = tensor_type::float32;
  std::vector<int32_t> shape;  // NHWC for activations; conv weights OHWI; depthwise 1HW(C*m)
  quantization quant;
  std::vector<uint8_t> data;   // constant contents (little-endian); empty for activations
  bool is_constant() const { return !data.empty(); }
  int64_t numel() const;
};

// The union of the options this reader understands; fields not used by an op keep defaults.
struct op_options {
  padding pad = padding::same;
  int32_t stride_w = 1, stride_h = 1;
  int32_t dilation_w = 1, dilation_h = 1;
  int32_t filter_w = 0, filter_h = 0;  // pooling
  int32_t depth_multiplier = 1;        // depthwise
  activation act = activation::none;
  float beta = 1.0f;                   // softmax
  bool keep_dims = false;              // mean
  bool keep_num_dims = false;          // fully connected
  std::vector<int32_t> new_shape;      // reshape (the shape input tensor takes precedence)
};

struct op {
  int index = 0;
  tfl_op code = tfl_op::add;
  int32_t version = 1;
  std::vector<int32_t> inputs, outputs;  // tensor indices; -1 = optional input left out
  op_options opt;
};

struct model {
  std::string name;  // file name, for messages
  uint32_t version = 0;
  std::string description;
  std::vector<tensor> tensors;
  std::vector<int32_t> inputs, outputs;
  std::vector<op> ops;  // execution order
};

// Parses a .tflite image; `name` is used in messages.
model read_model(const void* bytes, size_t size, const std::string& name);
// Reads the file (sfc::error(io) if it cannot be read), then read_model.
model load_model(const std::string& path);

}  // namespace sfc::tflite
