#include "graph/onnx/onnx-proto-util.h"

#include <cstring>

#include "kernels/common/error.h"

namespace sfc {
namespace onnx_util {
namespace {

[[noreturn]] void bad(const std::string& what, const std::string& msg) {
  throw error(error::invalid_model, what + ": " + msg);
}

// Bytes per element in raw_data for the ONNX types we read.
size_t onnx_elem_size(int t) {
  switch (t) {
    case onnx::TensorProto::FLOAT:
    case onnx::TensorProto::INT32: return 4;
    case onnx::TensorProto::INT64:
    case onnx::TensorProto::DOUBLE: return 8;
    default: return 1;  // INT8, UINT8, BOOL
  }
}

template <class Src>
void store_converted(const Src* src, int64_t n, tensor& t) {
  for (int64_t i = 0; i < n; ++i) switch (t.desc().type) {
      case dtype::f32: t.as<float>()[i] = float(src[i]); break;
      case dtype::i64: t.as<int64_t>()[i] = int64_t(src[i]); break;
      case dtype::i32: t.as<int32_t>()[i] = int32_t(src[i]); break;
      case dtype::s8: t.as<int8_t>()[i] = int8_t(src[i]); break;
      case dtype::u8: t.as<uint8_t>()[i] = uint8_t(src[i]); break;
    }
}

int64_t stored_count(const onnx::TensorProto& p) {
  switch (p.data_type()) {
    case onnx::TensorProto::FLOAT: return p.float_data_size();
    case onnx::TensorProto::DOUBLE: return p.double_data_size();
    case onnx::TensorProto::INT64: return p.int64_data_size();
    default: return p.int32_data_size();
  }
}

void read_raw(const onnx::TensorProto& p, int64_t n, tensor& t, const std::string& what) {
  const std::string& raw = p.raw_data();
  const size_t es = onnx_elem_size(p.data_type());
  if (raw.size() != size_t(n) * es)
    bad(what, "raw_data has " + std::to_string(raw.size()) + " bytes, expected " +
                  std::to_string(size_t(n) * es));
  if (p.data_type() == onnx::TensorProto::DOUBLE) {
    std::vector<double> d(static_cast<size_t>(n));
    if (n) std::memcpy(d.data(), raw.data(), raw.size());
    store_converted(d.data(), n, t);
  } else if (n) {
    std::memcpy(t.data(), raw.data(), raw.size());  // little-endian host, like ONNX
  }
}

void read_typed(const onnx::TensorProto& p, int64_t n, tensor& t, const std::string& what) {
  auto check = [&](int count) {
    if (int64_t(count) != n)
      bad(what, "has " + std::to_string(count) + " values, expected " + std::to_string(n));
  };
  switch (p.data_type()) {
    case onnx::TensorProto::FLOAT:
      check(p.float_data_size());
      return store_converted(p.float_data().data(), n, t);
    case onnx::TensorProto::DOUBLE:
      check(p.double_data_size());
      return store_converted(p.double_data().data(), n, t);
    case onnx::TensorProto::INT64:
      check(p.int64_data_size());
      return store_converted(p.int64_data().data(), n, t);
    default:  // INT32, INT8, UINT8, BOOL are stored in int32_data
      check(p.int32_data_size());
      return store_converted(p.int32_data().data(), n, t);
  }
}

}  // namespace

bool dtype_from_onnx(int onnx_type, dtype* t) {
  switch (onnx_type) {
    case onnx::TensorProto::FLOAT:
    case onnx::TensorProto::DOUBLE: *t = dtype::f32; return true;
    case onnx::TensorProto::INT64: *t = dtype::i64; return true;
    case onnx::TensorProto::INT32: *t = dtype::i32; return true;
    case onnx::TensorProto::INT8: *t = dtype::s8; return true;
    case onnx::TensorProto::UINT8:
    case onnx::TensorProto::BOOL: *t = dtype::u8; return true;
    default: return false;
  }
}

int dtype_to_onnx(dtype t) {
  switch (t) {
    case dtype::f32: return onnx::TensorProto::FLOAT;
    case dtype::i64: return onnx::TensorProto::INT64;
    case dtype::i32: return onnx::TensorProto::INT32;
    case dtype::s8: return onnx::TensorProto::INT8;
    case dtype::u8: return onnx::TensorProto::UINT8;
  }
  return onnx::TensorProto::UNDEFINED;
}

std::shared_ptr<tensor> tensor_from_proto(const onnx::TensorProto& p, const std::string& what) {
  if (p.data_location() == onnx::TensorProto::EXTERNAL || p.external_data_size() > 0)
    throw error(error::unsupported, what + ": tensors with external data are not supported "
                                           "(save the model with its weights embedded)");
  if (p.has_segment()) throw error(error::unsupported, what + ": segmented tensors are not supported");
  tensor_desc d;
  if (!dtype_from_onnx(p.data_type(), &d.type))
    throw error(error::unsupported, what + ": ONNX data type " + std::to_string(p.data_type()) +
                                        " is not supported");
  for (int64_t dim : p.dims()) d.shape.push_back(dim);
  const int64_t n = shape_numel(d.shape, what);
  // Sizes are checked before anything is allocated: a corrupt dim must not allocate gigabytes.
  const int64_t have = p.has_raw_data() ? int64_t(p.raw_data().size() / onnx_elem_size(p.data_type()))
                                        : stored_count(p);
  if (have != n)
    bad(what, "holds " + std::to_string(have) + " elements, shape " + shape_str(d.shape) +
                  " needs " + std::to_string(n));
  auto t = std::make_shared<tensor>(d);
  if (p.has_raw_data()) read_raw(p, n, *t, what);
  else read_typed(p, n, *t, what);
  return t;
}

void tensor_to_proto(const tensor& t, const std::string& name, onnx::TensorProto* out) {
  out->set_name(name);
  out->set_data_type(dtype_to_onnx(t.desc().type));
  for (int64_t d : t.desc().shape) out->add_dims(d);
  out->set_raw_data(std::string(static_cast<const char*>(t.data()), t.desc().bytes()));
}

attribute attribute_from_proto(const onnx::AttributeProto& a, const std::string& what) {
  attribute r;
  switch (a.type()) {
    case onnx::AttributeProto::INT: r.kind = attribute::i, r.int_value = a.i(); break;
    case onnx::AttributeProto::FLOAT: r.kind = attribute::f, r.float_value = a.f(); break;
    case onnx::AttributeProto::STRING: r.kind = attribute::s, r.string_value = a.s(); break;
    case onnx::AttributeProto::INTS:
      r.kind = attribute::ints;
      r.int_values.assign(a.ints().begin(), a.ints().end());
      break;
    case onnx::AttributeProto::FLOATS:
      r.kind = attribute::floats;
      r.float_values.assign(a.floats().begin(), a.floats().end());
      break;
    case onnx::AttributeProto::TENSOR:
      r.kind = attribute::t;
      r.tensor_value = tensor_from_proto(a.t(), what);
      break;
    default:
      throw error(error::unsupported, what + ": attribute type " + std::to_string(a.type()) +
                                          " is not supported");
  }
  return r;
}

void attribute_to_proto(const std::string& name, const attribute& a, onnx::AttributeProto* out) {
  out->set_name(name);
  switch (a.kind) {
    case attribute::i: out->set_type(onnx::AttributeProto::INT), out->set_i(a.int_value); break;
    case attribute::f: out->set_type(onnx::AttributeProto::FLOAT), out->set_f(a.float_value); break;
    case attribute::s: out->set_type(onnx::AttributeProto::STRING), out->set_s(a.string_value); break;
    case attribute::ints:
      out->set_type(onnx::AttributeProto::INTS);
      for (int64_t v : a.int_values) out->add_ints(v);
      break;
    case attribute::floats:
      out->set_type(onnx::AttributeProto::FLOATS);
      for (float v : a.float_values) out->add_floats(v);
      break;
    case attribute::t:
      out->set_type(onnx::AttributeProto::TENSOR);
      tensor_to_proto(*a.tensor_value, name, out->mutable_t());
      break;
  }
}

}  // namespace onnx_util
}  // namespace sfc
