// ZIP layout read here (PKWARE APPNOTE 6.3):
//   end of central directory (EOCD, 22 bytes + comment, at the end of the file)
//     sig 0x06054b50 | disk u16 | cd disk u16 | entries here u16 | entries u16 | cd size u32 |
//     cd offset u32 | comment length u16
//   ZIP64 locator (20 bytes, just before the EOCD) -> ZIP64 EOCD (sig 0x06064b50) with u64 counts
//   central directory entry (46 bytes + name + extra + comment)
//     sig 0x02014b50 | versions u16 u16 | flags u16 | method u16 | time, date u16 u16 | crc u32 |
//     compressed u32 | uncompressed u32 | name len u16 | extra len u16 | comment len u16 |
//     disk u16 | attrs u16 u32 | local header offset u32
//   ZIP64 extra field (id 0x0001): u64 uncompressed, compressed, offset, each present only if
//     the 32-bit field is 0xffffffff
//   local header (30 bytes + name + extra), then the member's bytes
#include "tools/common/npz.h"

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <vector>

#include "kernels/common/error.h"

namespace sfc {
namespace {

[[noreturn]] void fail(const std::string& name, const std::string& what) {
  throw_invalid(name + ": " + what);
}

struct reader {
  const uint8_t* p;
  size_t size;
  const std::string& name;
  void need(size_t off, size_t len, const char* what) const {
    if (off > size || len > size - off) fail(name, std::string("truncated zip: ") + what);
  }
  uint64_t le(size_t off, int bytes) const {
    need(off, size_t(bytes), "field out of bounds");
    uint64_t v = 0;
    for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | p[off + size_t(i)];
    return v;
  }
};

uint32_t crc32(const uint8_t* d, size_t n) {
  static const std::array<uint32_t, 256> table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  uint32_t c = 0xffffffffu;
  for (size_t i = 0; i < n; ++i) c = table[(c ^ d[i]) & 0xff] ^ (c >> 8);
  return c ^ 0xffffffffu;
}

struct cd_info {
  uint64_t entries = 0, offset = 0;
};

cd_info find_central_directory(const reader& r) {
  if (r.size < 22) fail(r.name, "too small to be a zip archive");
  size_t eocd = SIZE_MAX;
  const size_t lowest = r.size >= 22 + 65535 ? r.size - 22 - 65535 : 0;
  for (size_t off = r.size - 22 + 1; off-- > lowest;)
    if (r.le(off, 4) == 0x06054b50) {
      eocd = off;
      break;
    }
  if (eocd == SIZE_MAX) fail(r.name, "no end-of-central-directory record (not a zip archive?)");
  cd_info cd{r.le(eocd + 10, 2), r.le(eocd + 16, 4)};
  if ((cd.entries == 0xffff || cd.offset == 0xffffffff) && eocd >= 20 &&
      r.le(eocd - 20, 4) == 0x07064b50) {
    const uint64_t z = r.le(eocd - 20 + 8, 8);
    if (z > r.size) fail(r.name, "bad zip64 locator");
    if (r.le(size_t(z), 4) != 0x06064b50) fail(r.name, "bad zip64 end-of-central-directory");
    cd.entries = r.le(size_t(z) + 32, 8), cd.offset = r.le(size_t(z) + 48, 8);
  }
  if (cd.offset > r.size) fail(r.name, "central directory offset out of bounds");
  return cd;
}

// Reads the ZIP64 extra field of a central-directory entry for the saturated 32-bit fields.
void apply_zip64(const reader& r, size_t extra, size_t len, uint64_t* usize, uint64_t* csize,
                 uint64_t* loff) {
  for (size_t e = extra; e + 4 <= extra + len;) {
    const uint64_t id = r.le(e, 2), sz = r.le(e + 2, 2);
    if (id == 1) {
      size_t q = e + 4;
      for (uint64_t* f : {usize, csize, loff})
        if (*f == 0xffffffff) *f = r.le(q, 8), q += 8;
      return;
    }
    e += 4 + size_t(sz);
  }
}

void read_member(const reader& r, size_t& off, npz_archive& out) {
  if (r.le(off, 4) != 0x02014b50) fail(r.name, "bad central directory entry");
  const uint64_t flags = r.le(off + 8, 2), method = r.le(off + 10, 2);
  const uint32_t crc = uint32_t(r.le(off + 16, 4));
  uint64_t csize = r.le(off + 20, 4), usize = r.le(off + 24, 4), loff = r.le(off + 42, 4);
  const size_t nlen = size_t(r.le(off + 28, 2)), xlen = size_t(r.le(off + 30, 2));
  const size_t clen = size_t(r.le(off + 32, 2));
  r.need(off + 46, nlen + xlen + clen, "central directory entry");
  std::string member(reinterpret_cast<const char*>(r.p + off + 46), nlen);
  apply_zip64(r, off + 46 + nlen, xlen, &usize, &csize, &loff);
  off += 46 + nlen + xlen + clen;
  const std::string where = "member '" + member + "'";
  if (flags & 1) fail(r.name, where + " is encrypted");
  if (method == 8)
    fail(r.name, where + " is deflate-compressed (np.savez_compressed); only stored members "
                         "(np.savez) are supported");
  if (method != 0) fail(r.name, where + " uses unsupported compression method " + std::to_string(method));
  if (csize != usize) fail(r.name, where + ": stored sizes differ");
  if (loff > r.size || r.le(size_t(loff), 4) != 0x04034b50) fail(r.name, where + ": bad local header");
  const size_t data = size_t(loff) + 30 + size_t(r.le(size_t(loff) + 26, 2)) +
                      size_t(r.le(size_t(loff) + 28, 2));
  if (usize > r.size) fail(r.name, where + ": size out of bounds");
  r.need(data, size_t(usize), "member data");
  if (crc32(r.p + data, size_t(usize)) != crc) fail(r.name, where + ": CRC-32 mismatch (corrupt)");
  std::string key = member;
  if (key.size() > 4 && key.compare(key.size() - 4, 4, ".npy") == 0) key.resize(key.size() - 4);
  if (out.count(key)) fail(r.name, "duplicate member '" + key + "'");
  out[key] = npy_parse(r.p + data, size_t(usize), r.name + ":" + member);
}

}  // namespace

npz_archive npz_parse(const void* bytes, size_t size, const std::string& name) {
  const reader r{static_cast<const uint8_t*>(bytes), size, name};
  const cd_info cd = find_central_directory(r);
  if (cd.entries > size / 46) fail(name, "implausible entry count " + std::to_string(cd.entries));
  npz_archive out;
  size_t off = size_t(cd.offset);
  for (uint64_t i = 0; i < cd.entries; ++i) read_member(r, off, out);
  return out;
}

npz_archive npz_load(const std::string& path) {
  std::ifstream f(path, std::ios::binary | std::ios::ate);
  if (!f) throw error(error::io, path + ": cannot open for reading (" + std::strerror(errno) + ")");
  const std::streamoff size = f.tellg();
  if (size < 0) throw error(error::io, path + ": cannot determine the file size");
  std::vector<uint8_t> bytes(static_cast<size_t>(size));
  f.seekg(0);
  if (!f.read(reinterpret_cast<char*>(bytes.data()), size))
    throw error(error::io, path + ": read failed");
  return npz_parse(bytes.data(), bytes.size(), path);
}

}  // namespace sfc
