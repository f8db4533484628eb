// NumPy .npy reader/writer (format versions 1.0, 2.0 and 3.0; C order only). Supported dtypes:
// float32 ('<f4'), float64 ('<f8'), int8 ('|i1'), uint8 ('|u1'), int32 ('<i4'). Every malformed
// file (bad magic, bad header dict, Fortran order, unsupported dtype, big-endian, truncated data,
// trailing garbage, absurd shapes) raises sfc::error with a message naming the file and the problem.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace sfc {

enum class npy_dtype { f4, f8, i1, u1, i4 };
const char* npy_dtype_name(npy_dtype t);  // "float32", ...
size_t npy_dtype_size(npy_dtype t);

struct npy_array {
  npy_dtype dtype = npy_dtype::f4;
  std::vector<int64_t> shape;  // empty = scalar
  std::vector<uint8_t> data;   // raw little-endian C-order elements
  size_t count() const;        // product of shape
  template <class T> T* as() { return reinterpret_cast<T*>(data.data()); }
  template <class T> const T* as() const { return reinterpret_cast<const T*>(data.data()); }
  std::string shape_str() const;  // "(1, 3, 32, 32)"
};

npy_array npy_load(const std::string& path);
// name is used in error messages only.
npy_array npy_parse(const void* bytes, size_t size, const std::string& name);
std::vector<uint8_t> npy_serialize(const npy_array& a);
void npy_save(const std::string& path, const npy_array& a);

npy_array npy_from_floats(const std::vector<int64_t>& shape, const std::vector<float>& v);
// Any supported dtype converted to float / double.
std::vector<float> npy_to_floats(const npy_array& a);
std::vector<double> npy_to_doubles(const npy_array& a);

}  // namespace sfc
