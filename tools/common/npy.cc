// NumPy .npy reader/writer. File layout (numpy/lib/format.py, "NEP 1"):
//   offset 0   magic "\x93NUMPY"
//   offset 6   major, minor version bytes: 1.0, 2.0 or 3.0
//   offset 8   header length HLEN: uint16 LE (v1.0) or uint32 LE (v2.0, v3.0)
//   offset 10 / 12   header: an ASCII (v3.0: UTF-8) Python dict literal
//                    {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
//                    padded with spaces and ended by '\n' so the data starts 64-byte aligned
//   then        count(shape) · itemsize bytes of C-order little-endian elements, nothing after.
// Content problems throw sfc::error(invalid_argument), open/read/write failures sfc::error(io);
// every message starts with the file name.
#include "tools/common/npy.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "kernels/common/error.h"

namespace sfc {
namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicLen = 6;
constexpr size_t kMaxDims = 64;  // NPY_MAXDIMS in NumPy 2

[[noreturn]] void fail(const std::string& name, const std::string& what) {
  throw_invalid(name + ": " + what);
}

[[noreturn]] void fail_io(const std::string& path, const std::string& what) {
  throw error(error::io, path + ": " + what + " (" + std::strerror(errno) + ")");
}

// '<f4' etc. -> dtype. Byte order: '<' and '=' (native, which we take as little endian) are
// accepted for every type, '|' (not applicable) and '>' only for the one-byte types.
npy_dtype parse_descr(const std::string& descr, const std::string& name) {
  struct entry {
    const char* code;
    npy_dtype t;
  };
  static const entry kTypes[] = {{"f4", npy_dtype::f4},
                                 {"f8", npy_dtype::f8},
                                 {"i1", npy_dtype::i1},
                                 {"u1", npy_dtype::u1},
                                 {"i4", npy_dtype::i4}};
  const std::string quoted = "dtype '" + descr + "'";
  if (descr.size() == 3 && std::strchr("<=|>", descr[0]) != nullptr) {
    for (const entry& e : kTypes) {
      if (descr.compare(1, 2, e.code) != 0) continue;
      const bool one_byte = npy_dtype_size(e.t) == 1;
      if (descr[0] == '>' && !one_byte)
        fail(name, "big-endian " + quoted + " (" + npy_dtype_name(e.t) +
                       ") is not supported; save with arr.astype(arr.dtype.newbyteorder('<'))");
      if (descr[0] == '|' && !one_byte) break;
      return e.t;
    }
  }
  fail(name, "unsupported " + quoted + " (supported: '<f4', '<f8', '|i1', '|u1', '<i4')");
}

// A recursive-descent parser for the header's dict literal. Keys in any order, ' or " quotes,
// optional trailing commas, arbitrary spaces; shape is a tuple of non-negative integers.
class header_parser {
 public:
  header_parser(const std::string& text, const std::string& name) : s_(text), name_(name) {}

  void parse(npy_dtype& dtype, bool& fortran, std::vector<int64_t>& shape);

 private:
  [[noreturn]] void malformed(const std::string& what) const {
    fail(name_, "malformed header: " + what + " at offset " + std::to_string(i_) + " in " +
                    quote_header());
  }
  std::string quote_header() const {
    std::string h = s_.substr(0, s_.find_last_not_of(" \n") + 1);  // without the padding
    if (h.size() > 200) h = h.substr(0, 200) + "...";
    return "\"" + h + "\"";
  }
  void skip_ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r'))
      ++i_;
  }
  bool accept(char c) {
    skip_ws();
    if (i_ < s_.size() && s_[i_] == c) return ++i_, true;
    return false;
  }
  void expect(char c) {
    if (!accept(c)) malformed(std::string("expected '") + c + "'");
  }
  std::string parse_string();
  bool parse_bool();
  int64_t parse_dim();
  std::vector<int64_t> parse_shape();

  const std::string& s_;
  const std::string& name_;
  size_t i_ = 0;
};

std::string header_parser::parse_string() {
  skip_ws();
  if (i_ >= s_.size() || (s_[i_] != '\'' && s_[i_] != '"')) malformed("expected a quoted string");
  const char q = s_[i_++];
  const size_t end = s_.find(q, i_);
  if (end == std::string::npos) malformed("unterminated string");
  std::string out = s_.substr(i_, end - i_);
  i_ = end + 1;
  return out;
}

bool header_parser::parse_bool() {
  skip_ws();
  for (const char* word : {"True", "False"}) {
    const size_t len = std::strlen(word);
    if (s_.compare(i_, len, word) == 0) {
      i_ += len;
      return word[0] == 'T';
    }
  }
  malformed("expected True or False");
}

// A decimal dimension (Python 2's "3L" suffix allowed). Negative or absurdly large is an error.
int64_t header_parser::parse_dim() {
  skip_ws();
  if (i_ < s_.size() && s_[i_] == '-') fail(name_, "negative dimension in shape");
  if (i_ >= s_.size() || s_[i_] < '0' || s_[i_] > '9') malformed("expected a dimension");
  int64_t v = 0;
  for (; i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9'; ++i_) {
    if (v > (std::numeric_limits<int64_t>::max() - 9) / 10)
      fail(name_, "absurd dimension in shape (does not fit 63 bits)");
    v = v * 10 + (s_[i_] - '0');
  }
  if (i_ < s_.size() && s_[i_] == 'L') ++i_;
  return v;
}

// "()" scalar, "(3,)", "(2, 3)", "(2, 3,)"; "(3)" is read as (3,).
std::vector<int64_t> header_parser::parse_shape() {
  expect('(');
  std::vector<int64_t> shape;
  while (!accept(')')) {
    if (shape.size() == kMaxDims) fail(name_, "shape has more than 64 dimensions");
    shape.push_back(parse_dim());
    if (accept(',')) continue;
    if (!accept(')')) malformed("expected ',' or ')' in shape");
    break;
  }
  return shape;
}

void header_parser::parse(npy_dtype& dtype, bool& fortran, std::vector<int64_t>& shape) {
  bool seen_descr = false, seen_fortran = false, seen_shape = false;
  expect('{');
  while (!accept('}')) {
    const std::string key = parse_string();
    expect(':');
    bool* seen = nullptr;
    if (key == "descr") {
      seen = &seen_descr;
      dtype = parse_descr(parse_string(), name_);
    } else if (key == "fortran_order") {
      seen = &seen_fortran;
      fortran = parse_bool();
    } else if (key == "shape") {
      seen = &seen_shape;
      shape = parse_shape();
    } else {
      malformed("unexpected key '" + key + "'");
    }
    if (*seen) malformed("duplicate key '" + key + "'");
    *seen = true;
    if (accept(',')) continue;
    if (!accept('}')) malformed("expected ',' or '}' after the value of '" + key + "'");
    break;
  }
  skip_ws();
  if (i_ != s_.size()) malformed("unexpected text after the dict");
  for (auto [ok, key] : {std::pair{seen_descr, "descr"}, std::pair{seen_fortran, "fortran_order"},
                         std::pair{seen_shape, "shape"}})
    if (!ok) fail(name_, std::string("header is missing the key '") + key + "'");
}

uint32_t read_le(const uint8_t* p, int bytes) {
  uint32_t v = 0;
  for (int b = bytes - 1; b >= 0; --b) v = (v << 8) | p[b];
  return v;
}

// Product of the dimensions times itemsize, checked for negative dimensions and overflow.
size_t checked_bytes(const std::vector<int64_t>& shape, size_t itemsize, const std::string& name) {
  const uint64_t limit = std::numeric_limits<int64_t>::max();
  uint64_t count = 1;
  for (int64_t d : shape) {
    if (d < 0) fail(name, "negative dimension in shape");
    if (d != 0 && count > limit / uint64_t(d))
      fail(name, "element count of shape overflows (absurd shape)");
    count *= uint64_t(d);
  }
  if (count > limit / itemsize) fail(name, "byte size of shape overflows (absurd shape)");
  return size_t(count * itemsize);
}

std::string header_dict(const npy_array& a) {
  std::string descr = a.dtype == npy_dtype::i1   ? "|i1"
                      : a.dtype == npy_dtype::u1 ? "|u1"
                      : a.dtype == npy_dtype::f4 ? "<f4"
                      : a.dtype == npy_dtype::f8 ? "<f8"
                                                 : "<i4";
  return "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + a.shape_str() + ", }";
}

template <class Out, class In>
void convert(const npy_array& a, std::vector<Out>& out) {
  for (size_t i = 0; i < out.size(); ++i) {
    In v;
    std::memcpy(&v, a.data.data() + i * sizeof(In), sizeof(In));
    out[i] = Out(v);
  }
}

template <class Out>
std::vector<Out> to_vector(const npy_array& a) {
  if (a.data.size() != checked_bytes(a.shape, npy_dtype_size(a.dtype), "npy array"))
    throw_invalid("npy array: data has " + std::to_string(a.data.size()) + " bytes, shape " +
                  a.shape_str() + " of " + npy_dtype_name(a.dtype) + " needs " +
                  std::to_string(a.count() * npy_dtype_size(a.dtype)));
  std::vector<Out> out(a.count());
  switch (a.dtype) {
    case npy_dtype::f4:
      convert<Out, float>(a, out);
      break;
    case npy_dtype::f8:
      convert<Out, double>(a, out);
      break;
    case npy_dtype::i1:
      convert<Out, int8_t>(a, out);
      break;
    case npy_dtype::u1:
      convert<Out, uint8_t>(a, out);
      break;
    case npy_dtype::i4:
      convert<Out, int32_t>(a, out);
      break;
  }
  return out;
}

}  // namespace

const char* npy_dtype_name(npy_dtype t) {
  switch (t) {
    case npy_dtype::f4:
      return "float32";
    case npy_dtype::f8:
      return "float64";
    case npy_dtype::i1:
      return "int8";
    case npy_dtype::u1:
      return "uint8";
    case npy_dtype::i4:
      return "int32";
  }
  return "?";
}

size_t npy_dtype_size(npy_dtype t) {
  switch (t) {
    case npy_dtype::f4:
      return 4;
    case npy_dtype::f8:
      return 8;
    case npy_dtype::i1:
      return 1;
    case npy_dtype::u1:
      return 1;
    case npy_dtype::i4:
      return 4;
  }
  return 0;
}

size_t npy_array::count() const {
  size_t c = 1;
  for (int64_t d : shape) c *= size_t(d);
  return c;
}

// Python's tuple repr: "()", "(3,)", "(1, 3, 32, 32)".
std::string npy_array::shape_str() const {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + (shape.size() == 1 ? ",)" : ")");
}

npy_array npy_parse(const void* bytes, size_t size, const std::string& name) {
  const uint8_t* p = static_cast<const uint8_t*>(bytes);
  if (size < kMagicLen || std::memcmp(p, kMagic, kMagicLen) != 0)
    fail(name, "bad magic: not a NumPy .npy file (expected \"\\x93NUMPY\")");
  if (size < 8) fail(name, "file ends inside the .npy preamble");
  const int major = p[6], minor = p[7];
  if (minor != 0 || major < 1 || major > 3)
    fail(name, "unsupported .npy format version " + std::to_string(major) + "." +
                   std::to_string(minor) + " (supported: 1.0, 2.0, 3.0)");
  const size_t len_bytes = major == 1 ? 2 : 4, header_start = 8 + len_bytes;
  if (size < header_start) fail(name, "file ends inside the .npy preamble");
  const size_t header_len = read_le(p + 8, int(len_bytes));
  if (header_len > size - header_start)
    fail(name, "header length " + std::to_string(header_len) +
                   " extends beyond the end of the file (" + std::to_string(size) + " bytes)");
  const std::string header(reinterpret_cast<const char*>(p + header_start), header_len);

  npy_array a;
  bool fortran = false;
  header_parser(header, name).parse(a.dtype, fortran, a.shape);
  if (fortran) fail(name, "Fortran-order arrays are not supported; save with np.ascontiguousarray");
  const size_t want = checked_bytes(a.shape, npy_dtype_size(a.dtype), name);
  const size_t data_start = header_start + header_len, have = size - data_start;
  const std::string sizes =
      "expected " + std::to_string(want) + " bytes of data, file has " + std::to_string(have);
  if (have < want) fail(name, "truncated data: " + sizes + " (shape " + a.shape_str() + ")");
  if (have > want)
    fail(name, "trailing bytes: " + sizes + " (" + std::to_string(have - want) + " extra)");
  a.data.assign(p + data_start, p + size);
  return a;
}

npy_array npy_load(const std::string& path) {
  std::ifstream f(path, std::ios::binary | std::ios::ate);
  if (!f) fail_io(path, "cannot open for reading");
  const std::streamoff size = f.tellg();
  if (size < 0) fail_io(path, "cannot determine the file size");
  std::vector<uint8_t> bytes(static_cast<size_t>(size));
  f.seekg(0);
  if (!f.read(reinterpret_cast<char*>(bytes.data()), size)) fail_io(path, "read failed");
  return npy_parse(bytes.data(), bytes.size(), path);
}

// Version 1.0; the header is space-padded so that 10 + HLEN is a multiple of 64 and ends in '\n'.
std::vector<uint8_t> npy_serialize(const npy_array& a) {
  const size_t want = checked_bytes(a.shape, npy_dtype_size(a.dtype), "npy_serialize");
  if (a.data.size() != want)
    throw_invalid("npy_serialize: data has " + std::to_string(a.data.size()) + " bytes, shape " +
                  a.shape_str() + " of " + npy_dtype_name(a.dtype) + " needs " +
                  std::to_string(want));
  std::string header = header_dict(a);
  const size_t unpadded = 10 + header.size() + 1;  // + '\n'
  header.append((64 - unpadded % 64) % 64, ' ');
  header += '\n';
  if (header.size() > 0xffff) throw_invalid("npy_serialize: header too long for format 1.0");
  std::vector<uint8_t> out(10 + header.size() + a.data.size());
  std::memcpy(out.data(), kMagic, kMagicLen);
  out[6] = 1;  // version 1.0
  out[7] = 0;
  out[8] = uint8_t(header.size() & 0xff);  // HLEN, uint16 little endian
  out[9] = uint8_t(header.size() >> 8);
  std::memcpy(out.data() + 10, header.data(), header.size());
  if (!a.data.empty()) std::memcpy(out.data() + 10 + header.size(), a.data.data(), a.data.size());
  return out;
}

void npy_save(const std::string& path, const npy_array& a) {
  const std::vector<uint8_t> bytes = npy_serialize(a);
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (!f) fail_io(path, "cannot open for writing");
  f.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
  f.close();
  if (!f) fail_io(path, "write failed");
}

npy_array npy_from_floats(const std::vector<int64_t>& shape, const std::vector<float>& v) {
  npy_array a;
  a.dtype = npy_dtype::f4;
  a.shape = shape;
  if (checked_bytes(shape, sizeof(float), "npy_from_floats") != v.size() * sizeof(float))
    throw_invalid("npy_from_floats: shape " + a.shape_str() + " holds " +
                  std::to_string(a.count()) + " elements, got " + std::to_string(v.size()));
  a.data.resize(v.size() * sizeof(float));
  if (!v.empty()) std::memcpy(a.data.data(), v.data(), a.data.size());
  return a;
}

std::vector<float> npy_to_floats(const npy_array& a) { return to_vector<float>(a); }
std::vector<double> npy_to_doubles(const npy_array& a) { return to_vector<double>(a); }

}  // namespace sfc
