// Bounds-checked FlatBuffers reading; see flatbuffer.h for the wire format.
#include "graph/tflite/flatbuffer.h"

#include "kernels/common/error.h"

namespace sfc::tflite::fb {

void buffer::fail(const std::string& ctx, const std::string& what) const {
  throw error(error::invalid_model, name + ": " + ctx + ": " + what);
}

void buffer::check(uint64_t pos, uint64_t n, const std::string& ctx, const char* what) const {
  if (pos > size || n > size - pos)
    fail(ctx, std::string(what) + " at byte " + std::to_string(pos) + " (+" + std::to_string(n) +
                  ") lies outside the " + std::to_string(size) + "-byte file");
}

table::table(const buffer* b, uint64_t pos, std::string ctx) : buf_(b), pos_(pos), ctx_(std::move(ctx)) {
  const int32_t soff = b->read<int32_t>(pos, ctx_, "table header");
  const int64_t vt = int64_t(pos) - int64_t(soff);
  if (vt < 0 || uint64_t(vt) >= b->size) b->fail(ctx_, "vtable offset " + std::to_string(soff) + " points outside the file");
  vtable_ = uint64_t(vt);
  vtable_bytes_ = b->read<uint16_t>(vtable_, ctx_, "vtable size");
  table_bytes_ = b->read<uint16_t>(vtable_ + 2, ctx_, "vtable size");
  if (vtable_bytes_ < 4 || vtable_bytes_ % 2 != 0)
    b->fail(ctx_, "bad vtable size " + std::to_string(vtable_bytes_));
  b->check(vtable_, vtable_bytes_, ctx_, "vtable");
  if (table_bytes_ < 4) b->fail(ctx_, "bad table size " + std::to_string(table_bytes_));
  b->check(pos_, table_bytes_, ctx_, "table");
}

uint32_t table::field_offset(int field, size_t bytes, const char* name) const {
  if (buf_ == nullptr) return 0;  // an absent table: every field takes its default
  const uint32_t slot = 4 + 2 * uint32_t(field);
  if (slot + 2 > vtable_bytes_) return 0;
  const uint16_t off = buf_->read<uint16_t>(vtable_ + slot, ctx_, name);
  if (off == 0) return 0;
  if (off < 4 || off + bytes > table_bytes_)
    buf_->fail(ctx_, std::string("field '") + name + "' at table offset " + std::to_string(off) +
                         " does not fit the " + std::to_string(table_bytes_) + "-byte table");
  return off;
}

uint64_t table::target(int field, const char* name) const {
  const uint32_t off = field_offset(field, 4, name);
  if (off == 0) return 0;
  const uint64_t at = pos_ + off;
  const uint32_t rel = buf_->read<uint32_t>(at, ctx_, name);
  if (rel == 0 || at + rel >= buf_->size)
    buf_->fail(ctx_, std::string("field '") + name + "' offset " + std::to_string(rel) + " points outside the file");
  return at + rel;
}

table table::child(int field, const char* name, const std::string& child_ctx) const {
  const uint64_t t = target(field, name);
  return t == 0 ? table() : table(buf_, t, child_ctx);
}

vec table::vector(int field, size_t elem, const char* name) const {
  const uint64_t t = target(field, name);
  if (t == 0) return {};
  const uint32_t n = buf_->read<uint32_t>(t, ctx_, name);
  if (uint64_t(n) * elem > buf_->size)
    buf_->fail(ctx_, std::string("vector '") + name + "' claims " + std::to_string(n) +
                         " elements, more than the file can hold");
  buf_->check(t + 4, uint64_t(n) * elem, ctx_, name);
  return {t + 4, n};
}

std::string table::string(int field, const char* name) const {
  const vec v = vector(field, 1, name);
  return std::string(reinterpret_cast<const char*>(buf_->data + v.pos), v.count);
}

namespace {
template <class T> std::vector<T> copy_out(const buffer* b, const vec& v) {
  std::vector<T> out(v.count);
  if (v.count) std::memcpy(out.data(), b->data + v.pos, size_t(v.count) * sizeof(T));
  return out;
}
}  // namespace

std::vector<int32_t> table::ints(int field, const char* name) const {
  return copy_out<int32_t>(buf_, vector(field, 4, name));
}
std::vector<float> table::floats(int field, const char* name) const {
  return copy_out<float>(buf_, vector(field, 4, name));
}
std::vector<int64_t> table::longs(int field, const char* name) const {
  return copy_out<int64_t>(buf_, vector(field, 8, name));
}
std::vector<uint8_t> table::bytes(int field, const char* name) const {
  return copy_out<uint8_t>(buf_, vector(field, 1, name));
}

table table::element(const vec& v, uint32_t i, const std::string& elem_ctx) const {
  const uint64_t at = v.pos + 4 * uint64_t(i);
  const uint32_t rel = buf_->read<uint32_t>(at, ctx_, "vector element");
  if (rel == 0 || at + rel >= buf_->size)
    buf_->fail(elem_ctx, "offset " + std::to_string(rel) + " points outside the file");
  return table(buf_, at + rel, elem_ctx);
}

table root(const buffer* b, const std::string& ctx) {
  const uint32_t r = b->read<uint32_t>(0, ctx, "root offset");
  if (r < 4 || r >= b->size) b->fail(ctx, "root offset " + std::to_string(r) + " points outside the file");
  return table(b, r, ctx);
}

}  // namespace sfc::tflite::fb
