#include "graph/tensor.h"

#include <cstring>

#include "kernels/common/error.h"

namespace sfc {

const char* dtype_name(dtype t) {
  switch (t) {
    case dtype::f32: return "f32";
    case dtype::i64: return "i64";
    case dtype::i32: return "i32";
    case dtype::s8: return "s8";
    case dtype::u8: return "u8";
  }
  return "?";
}

size_t dtype_size(dtype t) {
  switch (t) {
    case dtype::f32: return 4;
    case dtype::i64: return 8;
    case dtype::i32: return 4;
    case dtype::s8: return 1;
    case dtype::u8: return 1;
  }
  return 1;
}

std::string shape_str(const shape_t& s) {
  std::string r = "[";
  for (size_t i = 0; i < s.size(); ++i) r += (i ? ", " : "") + std::to_string(s[i]);
  return r + "]";
}

int64_t shape_numel(const shape_t& s, const std::string& what) {
  if (s.size() > size_t(kMaxRank))
    throw error(error::invalid_model, what + ": rank " + std::to_string(s.size()) +
                                          " exceeds the limit " + std::to_string(kMaxRank));
  int64_t n = 1;
  for (int64_t d : s) {
    if (d < 0) throw error(error::invalid_model, what + ": negative dimension in " + shape_str(s));
    if (d != 0 && n > kMaxElements / d)
      throw error(error::invalid_model, what + ": shape " + shape_str(s) + " has more than " +
                                            std::to_string(kMaxElements) + " elements");
    n *= d;
  }
  return n;
}

int64_t tensor_desc::numel() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

std::vector<int64_t> tensor_desc::strides() const {
  const int r = rank();
  std::vector<int64_t> s(size_t(r), 1);
  if (layout == tensor_layout::nhwc && r == 4) {
    const int64_t c = shape[1], h = shape[2], w = shape[3];
    s[0] = h * w * c, s[1] = 1, s[2] = w * c, s[3] = c;
    return s;
  }
  for (int i = r - 2; i >= 0; --i) s[size_t(i)] = s[size_t(i) + 1] * shape[size_t(i) + 1];
  return s;
}

std::string tensor_desc::str() const {
  return std::string(dtype_name(type)) + shape_str(shape) +
         (layout == tensor_layout::nhwc ? " nhwc" : "");
}

tensor::tensor(tensor_desc d) : desc_(std::move(d)) {
  shape_numel(desc_.shape);
  buf_.assign(desc_.bytes(), 0);
}

std::vector<int64_t> tensor_to_i64(const tensor& t) {
  const int64_t n = t.numel();
  std::vector<int64_t> v(size_t(n), 0);
  if (t.desc().type == dtype::i64) {
    std::memcpy(v.data(), t.data(), size_t(n) * 8);
  } else if (t.desc().type == dtype::i32) {
    for (int64_t i = 0; i < n; ++i) v[size_t(i)] = t.as<int32_t>()[i];
  } else {
    throw error(error::invalid_model, std::string("expected an integer tensor, got ") +
                                          dtype_name(t.desc().type));
  }
  return v;
}

std::shared_ptr<tensor> make_i64_tensor(const shape_t& shape, const std::vector<int64_t>& v) {
  auto t = std::make_shared<tensor>(tensor_desc{dtype::i64, shape, tensor_layout::plain});
  if (size_t(t->numel()) != v.size()) throw_invalid("make_i64_tensor: size mismatch");
  if (!v.empty()) std::memcpy(t->data(), v.data(), v.size() * 8);
  return t;
}

std::shared_ptr<tensor> make_f32_tensor(const shape_t& shape, const std::vector<float>& v) {
  auto t = std::make_shared<tensor>(tensor_desc{dtype::f32, shape, tensor_layout::plain});
  if (size_t(t->numel()) != v.size()) throw_invalid("make_f32_tensor: size mismatch");
  if (!v.empty()) std::memcpy(t->data(), v.data(), v.size() * 4);
  return t;
}

namespace {

template <class T>
void copy_inner(int64_t n, T* dst, int64_t ds, const T* src, int64_t ss) {
  for (int64_t i = 0; i < n; ++i) dst[i * ds] = src[i * ss];
}

void copy_rec(size_t es, const int64_t* shape, int rank, uint8_t* dst, const int64_t* dstr,
              const uint8_t* src, const int64_t* sstr) {
  if (rank == 1) {
    const int64_t n = shape[0];
    if (dstr[0] == 1 && sstr[0] == 1) {
      std::memcpy(dst, src, size_t(n) * es);
      return;
    }
    switch (es) {
      case 1: return copy_inner(n, dst, dstr[0], src, sstr[0]);
      case 4:
        return copy_inner(n, reinterpret_cast<uint32_t*>(dst), dstr[0],
                          reinterpret_cast<const uint32_t*>(src), sstr[0]);
      default:
        return copy_inner(n, reinterpret_cast<uint64_t*>(dst), dstr[0],
                          reinterpret_cast<const uint64_t*>(src), sstr[0]);
    }
  }
  for (int64_t i = 0; i < shape[0]; ++i)
    copy_rec(es, shape + 1, rank - 1, dst + i * dstr[0] * int64_t(es), dstr + 1,
             src + i * sstr[0] * int64_t(es), sstr + 1);
}

}  // namespace

void copy_strided(size_t elem_size, const shape_t& shape, void* dst, const int64_t* dst_strides,
                  const void* src, const int64_t* src_strides) {
  for (int64_t d : shape)
    if (d == 0) return;
  if (shape.empty()) {
    std::memcpy(dst, src, elem_size);
    return;
  }
  copy_rec(elem_size, shape.data(), int(shape.size()), static_cast<uint8_t*>(dst), dst_strides,
           static_cast<const uint8_t*>(src), src_strides);
}

void convert_layout(const tensor_desc& src_desc, const void* src, const tensor_desc& dst_desc,
                    void* dst) {
  if (src_desc.layout == dst_desc.layout || src_desc.rank() != 4 ||
      src_desc.numel() == src_desc.shape[0] * src_desc.shape[1] ||
      src_desc.shape[1] == 1) {  // same bytes in both layouts
    std::memcpy(dst, src, src_desc.bytes());
    return;
  }
  const std::vector<int64_t> ss = src_desc.strides(), ds = dst_desc.strides();
  // Walk in destination order, [N, H, W, C] or [N, C, H, W], so the inner loop writes contiguously.
  const int order[4] = {0, 2, 3, 1};
  const bool to_nhwc = dst_desc.layout == tensor_layout::nhwc;
  shape_t sh(4);
  int64_t s2[4], d2[4];
  for (int i = 0; i < 4; ++i) {
    const int d = to_nhwc ? order[i] : i;
    sh[size_t(i)] = src_desc.shape[size_t(d)], s2[i] = ss[size_t(d)], d2[i] = ds[size_t(d)];
  }
  copy_strided(dtype_size(src_desc.type), sh, dst, d2, src, s2);
}

}  // namespace sfc
