// .sfcq reader, part 1: magic, version, checksums, section table; then the records
// (sfcq-read-records.cc) and graph::compact(). Every check is described in docs/sfcq-format.md.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <memory>

#include "graph/sfcq/sfcq-internal.h"
#include "graph/sfcq/sfcq.h"

namespace sfc {
namespace sfcq {

bool file_view::newer_minor() const { return minor > kSfcqVersionMinor; }

namespace {

[[noreturn]] void fail(const std::string& msg, error::kind kind = error::invalid_model) {
  throw error(kind, "sfcq: " + msg);
}

std::string hex32(uint32_t v) {
  char s[16];
  std::snprintf(s, sizeof s, "0x%08x", v);
  return s;
}

// Magic, version, header checksum, file size, body checksum.
void check_header(const uint8_t* p, uint64_t size, file_view* f) {
  const uint64_t magic_len = std::min<uint64_t>(size, 8);
  if (magic_len && std::memcmp(p, kMagic, size_t(magic_len)) != 0)
    fail("not an .sfcq file (bad magic)");
  if (size < kHeaderSize)
    fail("truncated: the file is " + std::to_string(size) + " bytes, shorter than the " +
         std::to_string(kHeaderSize) + "-byte header");
  const uint16_t major = uint16_t(p[kOffMajor] | p[kOffMajor + 1] << 8);
  f->minor = uint16_t(p[kOffMinor] | p[kOffMinor + 1] << 8);
  if (major != kSfcqVersionMajor)
    fail("the file was written by format version " + std::to_string(major) + "." +
             std::to_string(f->minor) + "; this build reads " +
             std::to_string(kSfcqVersionMajor) + ".x (up to " +
             std::to_string(kSfcqVersionMajor) + "." + std::to_string(kSfcqVersionMinor) +
             " fully)",
         error::unsupported);
  const uint32_t hcrc = crc32(p, kOffHeaderCrc), hstored = load_u32(p + kOffHeaderCrc);
  if (hcrc != hstored)
    fail("header checksum mismatch (stored " + hex32(hstored) + ", computed " + hex32(hcrc) +
         "): the file is corrupt");
  const uint64_t file_size = load_u64(p + kOffFileSize);
  if (file_size > size)
    fail("truncated: the file is " + std::to_string(size) + " bytes, its header says " +
         std::to_string(file_size));
  if (file_size < size)
    fail(std::to_string(size - file_size) + " bytes of trailing garbage after the end of the " +
         "file declared in its header (" + std::to_string(file_size) + " bytes)");
  const uint32_t bcrc = crc32(p + kHeaderSize, size_t(size - kHeaderSize));
  const uint32_t bstored = load_u32(p + kOffBodyCrc);
  if (bcrc != bstored)
    fail("body checksum mismatch (stored " + hex32(bstored) + ", computed " + hex32(bcrc) +
         "): the file is corrupt");
}

struct section_entry {
  uint32_t id, flags;
  uint64_t offset, size;
};

// Reads the section table: every section inside the file, aligned, no overlaps; the bytes
// between sections are alignment padding (< 64 zero bytes).
std::vector<section_entry> read_section_table(const uint8_t* p, uint64_t size) {
  const uint32_t count = load_u32(p + kOffSectionCount);
  const uint64_t table = load_u64(p + kOffSectionTable);
  if (table < kHeaderSize || table % kSectionAlign != 0 || table > size ||
      count > (size - table) / kSectionEntrySize)
    fail("section table (offset " + std::to_string(table) + ", " + std::to_string(count) +
         " entries) does not fit in the " + std::to_string(size) + "-byte file");
  byte_reader r(p, table, table + uint64_t(count) * kSectionEntrySize, "section table");
  std::vector<section_entry> s(count);
  for (section_entry& e : s) {
    e.id = r.u32("section id"), e.flags = r.u32("section flags");
    e.offset = r.u64("section offset"), e.size = r.u64("section size");
    const std::string name = "section " + section_name(e.id);
    if (e.offset > size || e.size > size - e.offset)
      fail(name + " [" + std::to_string(e.offset) + ", +" + std::to_string(e.size) +
           ") lies outside the " + std::to_string(size) + "-byte file");
    if (e.offset % (e.id == kSectionData ? kDataAlign : kSectionAlign) != 0)
      fail(name + " offset " + std::to_string(e.offset) + " is not aligned");
  }
  std::sort(s.begin(), s.end(),
            [](const section_entry& a, const section_entry& b) { return a.offset < b.offset; });
  uint64_t end = r.pos();
  auto check_gap = [&](uint64_t from, uint64_t to, const std::string& before) {
    if (to < from) fail(before + " overlaps the preceding part of the file");
    if (to - from >= kDataAlign)
      fail(std::to_string(to - from) + " unexplained bytes before " + before);
    for (uint64_t i = from; i < to; ++i)
      if (p[i] != 0) fail("non-zero padding byte at offset " + std::to_string(i));
  };
  if (table != kHeaderSize) check_gap(kHeaderSize, table, "the section table");
  for (const section_entry& e : s) {
    check_gap(end, e.offset, "section " + section_name(e.id));
    end = e.offset + e.size;
  }
  check_gap(end, size, "the end of the file");
  return s;
}

void assign_sections(const std::vector<section_entry>& table, file_view* f) {
  for (const section_entry& e : table) {
    section_span* s = e.id == kSectionMeta     ? &f->meta
                      : e.id == kSectionGraph  ? &f->graph
                      : e.id == kSectionValues ? &f->values
                      : e.id == kSectionNodes  ? &f->nodes
                      : e.id == kSectionData   ? &f->tensors
                                               : nullptr;
    const std::string name = "section " + section_name(e.id);
    if (!s) {
      if (!f->newer_minor()) fail("unknown " + name + " in a version 1." +
                                  std::to_string(f->minor) + " file");
      if (e.flags & kSectionRequired)
        fail("required " + name + " of format version 1." + std::to_string(f->minor) +
                 " is not known to this build (reads 1." + std::to_string(kSfcqVersionMinor) +
                 ")",
             error::unsupported);
      continue;  // optional section of a newer minor
    }
    if (s->present) fail(name + " appears twice");
    *s = section_span{e.offset, e.size, true};
  }
  const std::pair<const section_span*, uint32_t> need[] = {{&f->meta, kSectionMeta},
                                                           {&f->graph, kSectionGraph},
                                                           {&f->values, kSectionValues},
                                                           {&f->nodes, kSectionNodes},
                                                           {&f->tensors, kSectionData}};
  for (const auto& n : need)
    if (!n.first->present) fail("section " + section_name(n.second) + " is missing");
}

}  // namespace
}  // namespace sfcq

bool is_sfcq(const void* data, size_t size) {
  return data && size >= 8 && std::memcmp(data, sfcq::kMagic, 8) == 0;
}

graph sfcq_parse(const void* data, size_t size, sfcq_metadata* meta) {
  using namespace sfcq;
  if (!data && size) throw_invalid("sfcq_parse: data is null");
  const uint8_t* p = static_cast<const uint8_t*>(data);
  file_view f;
  f.data = p, f.size = size;
  check_header(p, size, &f);
  assign_sections(read_section_table(p, size), &f);
  graph g;
  sfcq_metadata m;
  read_records(f, g, &m);
  try {
    g.compact();
  } catch (const std::exception& e) {
    fail(std::string("invalid graph: ") + e.what());
  }
  if (meta) *meta = std::move(m);
  return g;
}

graph load_sfcq(const std::string& path, sfcq_metadata* meta) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> fp(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!fp) throw error(error::io, "sfcq: cannot open '" + path + "'");
  std::vector<uint8_t> bytes;
  uint8_t buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, fp.get())) > 0)
    bytes.insert(bytes.end(), buf, buf + n);
  if (std::ferror(fp.get())) throw error(error::io, "sfcq: cannot read '" + path + "'");
  try {
    return sfcq_parse(bytes.data(), bytes.size(), meta);
  } catch (const error& e) {
    throw error(e.code(), path + ": " + e.what());
  }
}

}  // namespace sfc
