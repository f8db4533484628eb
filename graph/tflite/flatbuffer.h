// A bounds-checked reader for the FlatBuffers wire format, just what the TFLite reader needs:
// root offset, tables with vtables, scalars, vectors of scalars / tables, strings and union
// values. Nothing is trusted: every offset, vtable, field and vector length is checked against
// the buffer before it is read, and every failure throws sfc::error(invalid_model) naming the
// file, the object (`ctx`, e.g. "operator 3 options") and the field.
//
// Wire format (flatbuffers.dev "FlatBuffers internals"), all little-endian:
//   buffer[0..4)        uoffset_t: root table position (relative to 0); [4..8) file identifier
//   table at T          soffset_t s at T; its vtable starts at T - s
//   vtable at V         uint16 vtable_bytes, uint16 table_bytes, then one uint16 per field id:
//                       the field's offset from T, 0 = absent (the field takes its default)
//   offset field at F   uoffset_t u at F; the target (table, vector, string) is at F + u
//   vector at P         uint32 length n at P, then n elements from P + 4 (tables: n uoffsets,
//                       each relative to its own position)
//   string              a vector of chars followed by a NUL (not relied on)
//   union               two fields: a uint8 type id (field k) and an offset to a table (k + 1)
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace sfc::tflite::fb {

struct buffer {
  const uint8_t* data = nullptr;
  size_t size = 0;
  std::string name;  // file name, for messages

  [[noreturn]] void fail(const std::string& ctx, const std::string& what) const;
  // Throws unless [pos, pos + n) lies inside the buffer.
  void check(uint64_t pos, uint64_t n, const std::string& ctx, const char* what) const;
  template <class T> T read(uint64_t pos, const std::string& ctx, const char* what) const {
    check(pos, sizeof(T), ctx, what);
    T v;
    std::memcpy(&v, data + pos, sizeof(T));  // little-endian hosts only (x86-64, AArch64)
    return v;
  }
};

// A vector's element range: `count` elements of `elem` bytes from `pos`.
struct vec {
  uint64_t pos = 0;
  uint32_t count = 0;
};

class table {
 public:
  table() = default;
  // Validates the table header and its vtable.
  table(const buffer* b, uint64_t pos, std::string ctx);
  bool valid() const { return buf_ != nullptr; }
  const std::string& ctx() const { return ctx_; }

  bool has(int field) const { return field_offset(field, 1, "field") != 0; }

  template <class T> T scalar(int field, T def, const char* name) const {
    const uint32_t off = field_offset(field, sizeof(T), name);
    return off == 0 ? def : buf_->read<T>(pos_ + off, ctx_, name);
  }
  // A sub-table, or an invalid table when the field is absent.
  table child(int field, const char* name, const std::string& child_ctx) const;
  // A vector of `elem`-byte elements (count 0 when absent); its extent is checked.
  vec vector(int field, size_t elem, const char* name) const;
  std::string string(int field, const char* name) const;

  // Typed vector helpers (elements copied out).
  std::vector<int32_t> ints(int field, const char* name) const;
  std::vector<float> floats(int field, const char* name) const;
  std::vector<int64_t> longs(int field, const char* name) const;
  std::vector<uint8_t> bytes(int field, const char* name) const;
  // Element i of a vector of tables.
  table element(const vec& v, uint32_t i, const std::string& elem_ctx) const;

 private:
  // Offset of the field inside the table (0 = absent); checks the field fits the table.
  uint32_t field_offset(int field, size_t bytes, const char* name) const;
  uint64_t target(int field, const char* name) const;  // follows an offset field; 0 = absent

  const buffer* buf_ = nullptr;
  uint64_t pos_ = 0, vtable_ = 0;
  uint16_t vtable_bytes_ = 0, table_bytes_ = 0;
  std::string ctx_;
};

// The root table of a buffer (checks the root offset).
table root(const buffer* b, const std::string& ctx);

}  // namespace sfc::tflite::fb
