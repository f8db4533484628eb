// Internals of the .sfcq format (docs/sfcq-format.md): layout constants, CRC-32, the
// little-endian byte writer and the bounds-checked reader. Not installed; the tests use
// sfcq_update_checksums() to corrupt files "beneath the checksum".
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "kernels/common/error.h"

namespace sfc {
class graph;
struct sfcq_metadata;
namespace sfcq {

// Header (64 bytes; every field little-endian):
//   0  u8[8] magic            8  u16 version major   10 u16 version minor   12 u32 section count
//   16 u64 file size          24 u64 section table offset                   32 u32 body CRC-32
//   36 u8[24] reserved (0)    60 u32 header CRC-32 (of bytes [0, 60))
constexpr uint8_t kMagic[8] = {'S', 'F', 'C', 'Q', '\r', '\n', 0x1a, '\n'};
constexpr uint64_t kHeaderSize = 64;
constexpr uint64_t kOffMajor = 8, kOffMinor = 10, kOffSectionCount = 12, kOffFileSize = 16,
                   kOffSectionTable = 24, kOffBodyCrc = 32, kOffHeaderCrc = 60;
// Section table entry: u32 id, u32 flags, u64 offset, u64 size.
constexpr uint64_t kSectionEntrySize = 24;
constexpr uint32_t kSectionRequired = 1;  // flags bit 0: a reader that does not know it must fail
constexpr uint64_t kSectionAlign = 8;
constexpr uint64_t kDataAlign = 64;  // DATA section start and every tensor payload

// Section ids: four ASCII characters, first character in the lowest byte.
constexpr uint32_t fourcc(char a, char b, char c, char d) {
  return uint32_t(uint8_t(a)) | uint32_t(uint8_t(b)) << 8 | uint32_t(uint8_t(c)) << 16 |
         uint32_t(uint8_t(d)) << 24;
}
constexpr uint32_t kSectionMeta = fourcc('M', 'E', 'T', 'A');
constexpr uint32_t kSectionGraph = fourcc('G', 'R', 'P', 'H');
constexpr uint32_t kSectionValues = fourcc('V', 'A', 'L', 'U');
constexpr uint32_t kSectionNodes = fourcc('N', 'O', 'D', 'E');
constexpr uint32_t kSectionData = fourcc('D', 'A', 'T', 'A');
std::string section_name(uint32_t id);  // "VALU", or "0x12345678" if not printable

// Flag bits of the records.
constexpr uint32_t kGraphQuantized = 1;
constexpr uint32_t kValueShapeKnown = 1, kValueIsConst = 2, kValueHasData = 4;

// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320, as zlib's crc32()).
uint32_t crc32(const uint8_t* p, size_t n, uint32_t crc = 0);

// Recomputes the body and header checksums of a file image in place (for tests). Needs at least
// the header and a plausible file size field; does nothing otherwise.
void sfcq_update_checksums(std::vector<uint8_t>& file);

inline uint32_t load_u32(const uint8_t* p) {
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}
inline uint64_t load_u64(const uint8_t* p) { return load_u32(p) | uint64_t(load_u32(p + 4)) << 32; }
inline void store_u32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = uint8_t(v >> (8 * i));
}
inline void store_u64(uint8_t* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = uint8_t(v >> (8 * i));
}

// Appends little-endian values to a byte buffer.
class byte_writer {
 public:
  std::vector<uint8_t> bytes;
  void u8(uint8_t v) { bytes.push_back(v); }
  void u16(uint16_t v) { le(v, 2); }
  void u32(uint32_t v) { le(v, 4); }
  void u64(uint64_t v) { le(v, 8); }
  void i32(int32_t v) { le(uint32_t(v), 4); }
  void i64(int64_t v) { le(uint64_t(v), 8); }
  void f32(float v);  // IEEE-754 bit pattern (inf and NaN payloads round-trip)
  void str(const std::string& s);  // u32 length + bytes
  void pad_to(uint64_t align);     // zero bytes up to a multiple of `align`
  size_t size() const { return bytes.size(); }

 private:
  void le(uint64_t v, int n) {
    for (int i = 0; i < n; ++i) bytes.push_back(uint8_t(v >> (8 * i)));
  }
};

// Reads little-endian values from [pos, end) of a file image; every read is bounds-checked and
// every failure throws sfc::error(invalid_model) naming the context and the file offset of the
// field read last.
class byte_reader {
 public:
  byte_reader(const uint8_t* file, uint64_t begin, uint64_t end, std::string where)
      : file_(file), pos_(begin), field_(begin), end_(end), where_(std::move(where)) {}
  uint64_t pos() const { return pos_; }
  uint64_t remaining() const { return end_ - pos_; }
  const std::string& where() const { return where_; }
  void set_where(std::string w) { where_ = std::move(w); }

  uint8_t u8(const char* what) { return *take(1, what); }
  uint16_t u16(const char* what);
  uint32_t u32(const char* what) { return load_u32(take(4, what)); }
  uint64_t u64(const char* what) { return load_u64(take(8, what)); }
  int32_t i32(const char* what) { return int32_t(u32(what)); }
  int64_t i64(const char* what) { return int64_t(u64(what)); }
  float f32(const char* what);
  std::string str(const char* what);
  // A u32 element count, rejected if `count * min_item_bytes` exceeds the remaining bytes (so
  // a corrupt count cannot make the loader allocate more than the file holds).
  uint32_t count(const char* what, uint64_t min_item_bytes);
  // A reader over the next `n` bytes (advances past them).
  byte_reader sub(uint64_t n, const char* what);
  void skip(uint64_t n, const char* what) { take(n, what); }
  // Throws sfc::error(kind) with "sfcq: <where> (byte offset N): <msg>", N: the last field.
  [[noreturn]] void fail(const std::string& msg, error::kind kind = error::invalid_model) const;

 private:
  const uint8_t* take(uint64_t n, const char* what);
  const uint8_t* file_;
  uint64_t pos_, field_, end_;  // field_: start of the last field read
  std::string where_;
};

// A file whose header and section table have been validated (sfcq-read.cc).
struct section_span {
  uint64_t offset = 0, size = 0;
  bool present = false;
};
struct file_view {
  const uint8_t* data = nullptr;
  uint64_t size = 0;
  uint16_t minor = 0;
  section_span meta, graph, values, nodes, tensors;  // tensors: the DATA section
  // A newer minor may append fields and use flag bits this build does not know (skipped).
  bool newer_minor() const;
};
// Parses the META, GRPH, VALU and NODE sections (sfcq-read-records.cc); `g` is not yet
// compacted.
void read_records(const file_view& f, graph& g, sfcq_metadata* meta);

}  // namespace sfcq
}  // namespace sfc
