// Tensors of the graph runtime: element type, logical shape (ONNX order, e.g. [N, C, H, W]) and
// memory layout. The layout only changes where an element lives, never what the shape means:
//   plain: row-major over the logical shape (constants, and every value that is not 4-D);
//   nhwc : a 4-D logical [N, C, H, W] value stored as [N][H][W][C] (4-D activations).
// Element strides per *logical* dimension make every data-movement op layout-agnostic.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace sfc {

// Element types. s8/u8 are the quantized activation types of the int8 mode.
enum class dtype : uint8_t { f32, i64, i32, s8, u8 };
const char* dtype_name(dtype t);
size_t dtype_size(dtype t);

enum class tensor_layout : uint8_t { plain, nhwc };

using shape_t = std::vector<int64_t>;
std::string shape_str(const shape_t& s);  // "[1, 3, 32, 32]"

// Limits that keep corrupt models from asking for absurd sizes.
constexpr int kMaxRank = 8;
constexpr int64_t kMaxElements = int64_t(1) << 32;

// Product of the dims; throws sfc::error(invalid_model) for negative dims or more than
// kMaxElements elements (`what` names the tensor in the message).
int64_t shape_numel(const shape_t& s, const std::string& what = "tensor");

struct tensor_desc {
  dtype type = dtype::f32;
  shape_t shape;
  tensor_layout layout = tensor_layout::plain;

  int rank() const { return int(shape.size()); }
  int64_t numel() const;
  size_t bytes() const { return size_t(numel()) * dtype_size(type); }
  // Element stride of each logical dimension (size rank()).
  std::vector<int64_t> strides() const;
  std::string str() const;  // "f32[1, 16, 32, 32] nhwc"
};

// Owning tensor; zero-initialised storage (new-aligned, enough for every element type).
class tensor {
 public:
  tensor() = default;
  explicit tensor(tensor_desc d);
  const tensor_desc& desc() const { return desc_; }
  void* data() { return buf_.data(); }
  const void* data() const { return buf_.data(); }
  template <class T> T* as() { return reinterpret_cast<T*>(buf_.data()); }
  template <class T> const T* as() const { return reinterpret_cast<const T*>(buf_.data()); }
  int64_t numel() const { return desc_.numel(); }

 private:
  tensor_desc desc_;
  std::vector<uint8_t> buf_;
};

// A tensor in an arena or a constant: borrowed description and data.
struct tview {
  const tensor_desc* desc = nullptr;
  void* data = nullptr;
  template <class T> T* as() const { return static_cast<T*>(data); }
};

// Reads an integer tensor (i64 or i32) as int64 values (plain layout required).
std::vector<int64_t> tensor_to_i64(const tensor& t);
std::shared_ptr<tensor> make_i64_tensor(const shape_t& shape, const std::vector<int64_t>& v);
std::shared_ptr<tensor> make_f32_tensor(const shape_t& shape, const std::vector<float>& v);

// dst[i] = src[i] for every multi-index i of `shape`, with element strides per dimension.
void copy_strided(size_t elem_size, const shape_t& shape, void* dst, const int64_t* dst_strides,
                  const void* src, const int64_t* src_strides);
// Same type and shape, any layouts.
void convert_layout(const tensor_desc& src_desc, const void* src, const tensor_desc& dst_desc,
                    void* dst);

}  // namespace sfc
