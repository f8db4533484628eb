// .sfcq byte-level helpers: CRC-32, little-endian writer and bounds-checked reader.
#include <cstdio>
#include <cstring>

#include "graph/sfcq/sfcq-internal.h"
#include "kernels/common/error.h"

namespace sfc {
namespace sfcq {

namespace {
struct crc_table {
  uint32_t t[256];
  crc_table() {
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
  }
};
}  // namespace

uint32_t crc32(const uint8_t* p, size_t n, uint32_t crc) {
  static const crc_table table;
  crc = ~crc;
  for (size_t i = 0; i < n; ++i) crc = table.t[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
  return ~crc;
}

std::string section_name(uint32_t id) {
  std::string s;
  for (int i = 0; i < 4; ++i) {
    const char c = char(id >> (8 * i));
    if (c < 0x20 || c > 0x7e) {
      char hex[16];
      std::snprintf(hex, sizeof hex, "0x%08x", id);
      return hex;
    }
    s += c;
  }
  return s;
}

void sfcq_update_checksums(std::vector<uint8_t>& file) {
  if (file.size() < kHeaderSize) return;
  const uint64_t size = load_u64(&file[kOffFileSize]);
  if (size >= kHeaderSize && size <= file.size())
    store_u32(&file[kOffBodyCrc], crc32(&file[kHeaderSize], size_t(size - kHeaderSize)));
  store_u32(&file[kOffHeaderCrc], crc32(file.data(), kOffHeaderCrc));
}

void byte_writer::f32(float v) {
  uint32_t bits;
  std::memcpy(&bits, &v, 4);
  u32(bits);
}

void byte_writer::str(const std::string& s) {
  u32(uint32_t(s.size()));
  bytes.insert(bytes.end(), s.begin(), s.end());
}

void byte_writer::pad_to(uint64_t align) {
  while (bytes.size() % align) bytes.push_back(0);
}

uint16_t byte_reader::u16(const char* what) {
  const uint8_t* p = take(2, what);
  return uint16_t(p[0] | p[1] << 8);
}

float byte_reader::f32(const char* what) {
  const uint32_t bits = u32(what);
  float v;
  std::memcpy(&v, &bits, 4);
  return v;
}

std::string byte_reader::str(const char* what) {
  const uint32_t n = u32(what);
  if (n > remaining())
    fail(std::string(what) + ": string length " + std::to_string(n) + " exceeds the " +
         std::to_string(remaining()) + " bytes left");
  const uint64_t at = pos_ - 4;
  const uint8_t* p = take(n, what);
  field_ = at;
  return std::string(reinterpret_cast<const char*>(p), n);
}

uint32_t byte_reader::count(const char* what, uint64_t min_item_bytes) {
  const uint32_t n = u32(what);
  if (min_item_bytes && uint64_t(n) > remaining() / min_item_bytes)
    fail(std::string(what) + ": count " + std::to_string(n) + " needs at least " +
         std::to_string(uint64_t(n) * min_item_bytes) + " bytes, only " +
         std::to_string(remaining()) + " left");
  return n;
}

byte_reader byte_reader::sub(uint64_t n, const char* what) {
  const uint64_t begin = pos_;
  take(n, what);
  return byte_reader(file_, begin, begin + n, where_);
}

const uint8_t* byte_reader::take(uint64_t n, const char* what) {
  field_ = pos_;
  if (n > remaining())
    fail(std::string(what) + ": needs " + std::to_string(n) + " bytes, only " +
         std::to_string(remaining()) + " left (truncated or corrupt)");
  const uint8_t* p = file_ + pos_;
  pos_ += n;
  return p;
}

void byte_reader::fail(const std::string& msg, error::kind kind) const {
  throw error(kind,
              "sfcq: " + where_ + " (byte offset " + std::to_string(field_) + "): " + msg);
}

}  // namespace sfcq
}  // namespace sfc
