// .sfcq loader against corrupt files: every truncation, random byte flips (caught by the
// checksums), random corruption with the checksums recomputed ("beneath the checksum": must load
// or throw sfc::error, never crash), and targeted corruptions that must each be named.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "graph/sfcq/sfcq-internal.h"
#include "graph/sfcq/sfcq.h"
#include "kernels/common/error.h"

namespace sfcq_test {  // sfcq-test-util.cc
sfc::graph hand_graph();
sfc::sfcq_metadata hand_metadata();
std::vector<uint8_t> resnet20_file();
}  // namespace sfcq_test

namespace {
using namespace sfc::sfcq;

// Parses `f`; returns the error, or "" if it loaded (then it must serialize again).
std::string parse_error(const std::vector<uint8_t>& f, sfc::error::kind* kind = nullptr) {
  try {
    const sfc::graph g = sfc::sfcq_parse(f.data(), f.size());
    EXPECT_NO_THROW(sfc::sfcq_serialize(g));
    return "";
  } catch (const sfc::error& e) {
    if (kind) *kind = e.code();
    EXPECT_STRNE(e.what(), "");
    return e.what();
  }
}

const std::vector<uint8_t>& hand_file() {
  static const std::vector<uint8_t> f =
      sfc::sfcq_serialize(sfcq_test::hand_graph(), sfcq_test::hand_metadata());
  return f;
}

const std::vector<uint8_t>& resnet20() {
  static const std::vector<uint8_t> f = sfcq_test::resnet20_file();
  return f;
}

void expect_all_truncations_rejected(const std::vector<uint8_t>& f, size_t samples) {
  std::mt19937_64 rng(42);
  const size_t n = samples ? samples : f.size();
  for (size_t i = 0; i < n; ++i) {
    const size_t len = samples ? size_t(rng() % f.size()) : i;
    const std::vector<uint8_t> t(f.begin(), f.begin() + long(len));
    sfc::error::kind kind = sfc::error::internal;
    const std::string e = parse_error(t, &kind);
    ASSERT_NE(e, "") << "a " << len << "-byte prefix of a " << f.size() << "-byte file loaded";
    EXPECT_EQ(kind, sfc::error::invalid_model) << e;
    if (len >= 8) {
      EXPECT_NE(e.find("truncated"), std::string::npos) << e;
    }
  }
}

TEST(SfcqCorrupt, EveryTruncationOfSmallFile) { expect_all_truncations_rejected(hand_file(), 0); }
TEST(SfcqCorrupt, SampledTruncationsOfResNet20) {
  expect_all_truncations_rejected(resnet20(), 300);
}

void expect_flips_rejected(const std::vector<uint8_t>& f, int count) {
  std::mt19937_64 rng(7);
  std::vector<uint8_t> c = f;
  for (int i = 0; i < count; ++i) {
    const size_t pos = size_t(rng() % f.size());
    c[pos] ^= uint8_t(1 + rng() % 255);
    sfc::error::kind kind = sfc::error::internal;
    const std::string e = parse_error(c, &kind);
    c[pos] = f[pos];
    ASSERT_NE(e, "") << "a flip at " << pos << " went unnoticed";
    const char* want = pos < 8 ? "magic" : pos < kOffMinor ? "format version" : "checksum";
    EXPECT_NE(e.find(want), std::string::npos) << "flip at " << pos << ": " << e;
    EXPECT_EQ(kind, pos >= 8 && pos < kOffMinor ? sfc::error::unsupported
                                                : sfc::error::invalid_model);
  }
}

TEST(SfcqCorrupt, RandomByteFlipsFailTheChecksum) {
  expect_flips_rejected(hand_file(), 3000);
  expect_flips_rejected(resnet20(), 200);
}

// Random damage with valid checksums: the structure checks alone must hold. Half the rounds
// overwrite a 4-byte word with a boundary value (hits counts, lengths, offsets and ids).
void fuzz_beneath_checksum(const std::vector<uint8_t>& f, int rounds, uint64_t seed) {
  std::mt19937_64 rng(seed);
  static const uint32_t kWords[] = {0, 1, 0x7f, 0xff, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff};
  int loaded = 0;
  for (int i = 0; i < rounds; ++i) {
    std::vector<uint8_t> c = f;
    const int edits = 1 + int(rng() % 3);
    for (int k = 0; k < edits; ++k) {
      const size_t pos = size_t(rng() % (c.size() - 4));
      if (rng() % 2) {
        c[pos] ^= uint8_t(1 + rng() % 255);
      } else {
        const uint32_t w = rng() % 3 ? kWords[rng() % 8] : uint32_t(rng());
        store_u32(&c[pos], w);
      }
    }
    sfcq_update_checksums(c);
    loaded += parse_error(c).empty();
  }
  std::printf("[ beneath checksum: %d of %d damaged files still loaded ]\n", loaded, rounds);
}

TEST(SfcqCorrupt, BeneathTheChecksumNeverCrashes) {
  fuzz_beneath_checksum(hand_file(), 6000, 1);
  fuzz_beneath_checksum(resnet20(), 150, 2);
}

// Section offsets of a file (its table is trusted: only used on files the tests wrote).
uint64_t section_offset(const std::vector<uint8_t>& f, uint32_t id) {
  const uint64_t table = load_u64(&f[kOffSectionTable]);
  for (uint32_t i = 0; i < load_u32(&f[kOffSectionCount]); ++i)
    if (load_u32(&f[table + i * kSectionEntrySize]) == id)
      return load_u64(&f[table + i * kSectionEntrySize + 8]);
  ADD_FAILURE() << "no section " << section_name(id);
  return 0;
}

struct corruption {
  const char* what;
  uint32_t section;  // 0: absolute offset
  uint64_t offset;
  int bytes;  // 1, 4 or 8
  uint64_t value;
  const char* message;  // expected in the error
};

// Offsets in the hand-made file. VALU: u32 count, then value 0 ("w", s8 [4, 4, 3, 3], with
// data): +4 record length, +8 name, +13 flags, +17 dtype, +18 layout, +19 rank, +21 dims,
// +53 data desc, +57 data dims, +89 payload offset, +97 payload size. NODE: u32 count, node 0
// (conv0): +4 record length, +8 op, +12 name, +21 input count, +25 inputs (x, w, -1, r),
// +41 output count, +45 output (y), +49 attribute count, +53 conv geometry, +109 activation,
// +119 src qtype. GRPH: +0 name ("hand-made"), +13 opset, +17 flags, +21 inputs, +33 outputs.
const corruption kCorruptions[] = {
    {"huge value count", kSectionValues, 0, 4, 0xffffffff, "value count"},
    {"huge node count", kSectionNodes, 0, 4, 1000000, "node count"},
    {"huge record length", kSectionValues, 4, 4, 0xffffff00, "value record"},
    {"huge string length", kSectionValues, 8, 4, 0x7ffffff0, "string length"},
    {"unknown value flag", kSectionValues, 13, 4, 0x45, "unknown value flag"},
    {"bad dtype", kSectionValues, 17, 1, 9, "bad dtype"},
    {"bad layout", kSectionValues, 18, 1, 7, "bad layout"},
    {"rank over the limit", kSectionValues, 19, 1, 9, "rank 9 exceeds"},
    {"overflowing dims", kSectionValues, 21, 8, uint64_t(1) << 40, "more than"},
    {"overflowing dims (product wraps)", kSectionValues, 21, 8, uint64_t(1) << 62, "more than"},
    {"negative dim", kSectionValues, 21, 8, uint64_t(-5), "bad dimension"},
    {"data shape vs payload size", kSectionValues, 57, 8, 5, "does not match"},
    {"data dtype vs value", kSectionValues, 53, 1, 3 /* s8 -> s8 */ + 1, "does not match"},
    {"payload past the data section", kSectionValues, 89, 8, 64 * 1000, "outside the DATA"},
    {"payload offset overflow", kSectionValues, 89, 8, ~uint64_t(63), "outside the DATA"},
    {"unaligned payload", kSectionValues, 89, 8, 3, "not 64-byte aligned"},
    {"payload size", kSectionValues, 97, 8, 145, "does not match"},
    {"bad op type", kSectionNodes, 8, 4, 200, "bad op type"},
    {"huge input count", kSectionNodes, 21, 4, 0x40000000, "input count"},
    {"dangling input id", kSectionNodes, 25, 4, 1000, "dangling value id 1000"},
    {"bad absent input id", kSectionNodes, 29, 4, uint32_t(-2), "dangling value id -2"},
    {"node writes a constant", kSectionNodes, 45, 4, 0, "is a constant"},
    {"cycle", kSectionNodes, 25, 4, 3, "cycle"},
    {"bad activation", kSectionNodes, 109, 1, 3, "bad activation"},
    {"bad qtype", kSectionNodes, 119, 1, 5, "bad src qtype"},
    {"unknown graph flag", kSectionGraph, 17, 4, 0x80, "unknown graph flag"},
    {"dangling graph output", kSectionGraph, 37, 4, 11, "dangling value id 11"},
    {"section past the end", 0, kHeaderSize + 8, 8, 1 << 20, "outside"},
    {"section size overflow", 0, kHeaderSize + 16, 8, ~uint64_t(0), "outside"},
    {"unaligned section", 0, kHeaderSize + 8, 8, kHeaderSize + 5 * kSectionEntrySize + 4,
     "not aligned"},
    {"unknown section", 0, kHeaderSize, 4, fourcc('X', 'X', 'X', 'X'), "unknown section"},
    {"duplicate section", 0, kHeaderSize + 4 * kSectionEntrySize, 4, kSectionValues,
     "appears twice"},
    {"huge section count", 0, kOffSectionCount, 4, 1000, "section table"},
    {"section table past the end", 0, kOffSectionTable, 8, uint64_t(1) << 40, "section table"},
};

TEST(SfcqCorrupt, TargetedCorruptionsAreNamed) {
  for (const corruption& c : kCorruptions) {
    SCOPED_TRACE(c.what);
    std::vector<uint8_t> f = hand_file();
    const uint64_t at = (c.section ? section_offset(f, c.section) : 0) + c.offset;
    for (int i = 0; i < c.bytes; ++i) f[size_t(at) + size_t(i)] = uint8_t(c.value >> (8 * i));
    sfcq_update_checksums(f);
    sfc::error::kind kind = sfc::error::internal;
    const std::string e = parse_error(f, &kind);
    EXPECT_NE(e.find(c.message), std::string::npos) << "got: " << (e.empty() ? "(loaded)" : e);
    EXPECT_EQ(kind, sfc::error::invalid_model) << e;
  }
}

// Messages give the file offset of the offending field.
TEST(SfcqCorrupt, MessageGivesTheFieldOffset) {
  std::vector<uint8_t> f = hand_file();
  const uint64_t at = section_offset(f, kSectionValues) + 17;  // value 0's dtype
  f[size_t(at)] = 9;
  sfcq_update_checksums(f);
  const std::string e = parse_error(f);
  EXPECT_NE(e.find("(byte offset " + std::to_string(at) + ")"), std::string::npos) << e;
}

TEST(SfcqCorrupt, TrailingBytesAreRejected) {
  std::vector<uint8_t> f = hand_file();
  f.insert(f.end(), 8, 0xab);
  EXPECT_NE(parse_error(f).find("trailing garbage"), std::string::npos);
  store_u64(&f[kOffFileSize], f.size());  // declared, but belongs to no section
  sfcq_update_checksums(f);
  EXPECT_NE(parse_error(f).find("non-zero padding"), std::string::npos) << parse_error(f);
  f.insert(f.end(), 64, 0);
  store_u64(&f[kOffFileSize], f.size());
  sfcq_update_checksums(f);
  EXPECT_NE(parse_error(f).find("unexplained bytes"), std::string::npos) << parse_error(f);
}

// In a newer minor an unknown enum value is "not known to this build" (unsupported).
TEST(SfcqCorrupt, UnknownEnumInNewerMinorIsUnsupported) {
  std::vector<uint8_t> f = hand_file();
  f[kOffMinor] = uint8_t(sfc::kSfcqVersionMinor + 1);
  f[size_t(section_offset(f, kSectionNodes) + 8)] = 200;  // op type
  sfcq_update_checksums(f);
  sfc::error::kind kind = sfc::error::internal;
  const std::string e = parse_error(f, &kind);
  EXPECT_EQ(kind, sfc::error::unsupported) << e;
}

}  // namespace
