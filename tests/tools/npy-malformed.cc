// .npy: every malformed input is rejected with sfc::error(invalid_argument) naming the file and
// the problem. All inputs are hand-made byte strings.
#include <gtest/gtest.h>

#include <string>

#include "tests/tools/npy-test-util.h"

namespace {

using sfc_test::expect_parse_error;
using sfc_test::header;
using sfc_test::npy_bytes;

const std::string k6Floats(24, '\0');

TEST(NpyMalformed, BadMagic) {
  expect_parse_error("", "bad magic");
  expect_parse_error("\x93NUM", "bad magic");
  expect_parse_error("PK\x03\x04\x14\x00\x00\x00", "bad magic");
  std::string b = npy_bytes(header("<f4", "(6,)"), k6Floats);
  b[5] = 'Z';
  expect_parse_error(b, "not a NumPy .npy file");
}

TEST(NpyMalformed, PreambleCutShort) {
  expect_parse_error("\x93NUMPY", "file ends inside the .npy preamble");
  expect_parse_error(std::string("\x93NUMPY\x01\x00\x10", 9), "file ends inside the .npy preamble");
  expect_parse_error(std::string("\x93NUMPY\x02\x00\x10\x00\x00", 11),
                     "file ends inside the .npy preamble");
}

TEST(NpyMalformed, UnsupportedVersion) {
  expect_parse_error(npy_bytes(header("<f4", "(6,)"), k6Floats, 4),
                     "unsupported .npy format version 4.0");
  expect_parse_error(npy_bytes(header("<f4", "(6,)"), k6Floats, 0), "version 0.0");
  expect_parse_error(npy_bytes(header("<f4", "(6,)"), k6Floats, 1, 1),
                     "version 1.1 (supported: 1.0, 2.0, 3.0)");
}

TEST(NpyMalformed, HeaderLengthBeyondFile) {
  std::string b = npy_bytes(header("<f4", "(6,)"));
  b[8] = '\xff';  // claim a 0x..ff-byte header
  b[9] = '\x7f';
  expect_parse_error(b, "header length 32767 extends beyond the end of the file");
  std::string v2 = npy_bytes(header("<f4", "(6,)"), "", 2);
  v2[11] = '\x10';
  expect_parse_error(v2, "extends beyond the end of the file");
}

TEST(NpyMalformed, MalformedDict) {
  const char* const bad[] = {
      "",                                                                 // empty header
      "'descr': '<f4', 'fortran_order': False, 'shape': (6,)",            // no braces
      "{'descr': '<f4', 'fortran_order': False, 'shape': (6,)",           // unclosed
      "{'descr' '<f4', 'fortran_order': False, 'shape': (6,)}",           // missing ':'
      "{'descr': '<f4', 'fortran_order': False, 'shape': (6,), 'sha",     // unterminated string
      "{'descr': \"<f4', 'fortran_order': False, 'shape': (6,)}",         // quote mismatch
      "{'descr': '<f4', 'fortran_order': false, 'shape': (6,)}",          // Python bool
      "{'descr': '<f4', 'fortran_order': 0, 'shape': (6,)}",              // not a bool
      "{'descr': '<f4', 'fortran_order': False, 'shape': [6]}",           // list, not tuple
      "{'descr': '<f4', 'fortran_order': False, 'shape': (6, x)}",        // not an integer
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2 3)}",         // missing comma
      "{'descr': '<f4', 'fortran_order': False, 'shape': (6,),, }",       // double comma
      "{'descr': '<f4' 'fortran_order': False, 'shape': (6,)}",           // missing comma
      "{'descr': '<f4', 'fortran_order': False, 'shape': (6,)} junk",     // text after the dict
      "{descr: '<f4', 'fortran_order': False, 'shape': (6,)}",            // unquoted key
      "{'descr': <f4, 'fortran_order': False, 'shape': (6,)}",            // unquoted value
      "{'descr': '<f4', 'fortran_order': False, 'shape': (6,), 'x': 1}",  // unknown key
      "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (6,)}",  // duplicate
  };
  for (const char* h : bad) {
    SCOPED_TRACE(h);
    expect_parse_error(npy_bytes(h, k6Floats), "malformed header");
  }
}

TEST(NpyMalformed, MissingKey) {
  expect_parse_error(npy_bytes("{'fortran_order': False, 'shape': (6,)}", k6Floats),
                     "header is missing the key 'descr'");
  expect_parse_error(npy_bytes("{'descr': '<f4', 'shape': (6,)}", k6Floats),
                     "missing the key 'fortran_order'");
  expect_parse_error(npy_bytes("{'descr': '<f4', 'fortran_order': False}", k6Floats),
                     "missing the key 'shape'");
  expect_parse_error(npy_bytes("{}", k6Floats), "missing the key");
}

TEST(NpyMalformed, FortranOrder) {
  expect_parse_error(npy_bytes(header("<f4", "(2, 3)", "True"), k6Floats),
                     "Fortran-order arrays are not supported; save with np.ascontiguousarray");
}

TEST(NpyMalformed, BigEndianDtype) {
  expect_parse_error(npy_bytes(header(">f4", "(6,)"), k6Floats),
                     "big-endian dtype '>f4' (float32) is not supported");
  expect_parse_error(npy_bytes(header(">i4", "(6,)"), k6Floats), "big-endian dtype '>i4'");
  expect_parse_error(npy_bytes(header(">f8", "(3,)"), k6Floats), "big-endian dtype '>f8'");
}

TEST(NpyMalformed, UnsupportedDtypeIsNamed) {
  for (const char* d :
       {"<i8", "<f2", "<u4", "|b1", "<U3", "|O", "|f4", "f4", "<c8", "|V16", "<i4 "}) {
    SCOPED_TRACE(d);
    expect_parse_error(npy_bytes(header(d, "(6,)"), k6Floats),
                       std::string("unsupported dtype '") + d + "'");
  }
}

TEST(NpyMalformed, BadShapes) {
  expect_parse_error(npy_bytes(header("<f4", "(-1,)"), k6Floats), "negative dimension");
  expect_parse_error(npy_bytes(header("<f4", "(2, -3)"), k6Floats), "negative dimension");
  expect_parse_error(npy_bytes(header("<f4", "(99999999999999999999,)"), k6Floats),
                     "absurd dimension");
  expect_parse_error(npy_bytes(header("|u1", "(4294967296, 4294967296)"), k6Floats),
                     "element count of shape overflows");
  expect_parse_error(npy_bytes(header("<f8", "(4611686018427387904,)"), k6Floats),
                     "byte size of shape overflows");
  std::string dims65 = "(";
  for (int i = 0; i < 65; ++i) dims65 += "1, ";
  expect_parse_error(npy_bytes(header("<f4", dims65 + ")"), k6Floats), "more than 64 dimensions");
}

TEST(NpyMalformed, TruncatedData) {
  expect_parse_error(npy_bytes(header("<f4", "(2, 3)"), std::string(20, '\0')),
                     "truncated data: expected 24 bytes of data, file has 20");
  expect_parse_error(npy_bytes(header("<i4", "()")), "expected 4 bytes of data, file has 0");
  // A huge (but representable) shape is a truncation, not an allocation.
  expect_parse_error(npy_bytes(header("<f4", "(1000000000, 1000000000)"), k6Floats),
                     "expected 4000000000000000000 bytes of data, file has 24");
}

TEST(NpyMalformed, TrailingBytes) {
  expect_parse_error(npy_bytes(header("<f4", "(2, 3)"), std::string(25, '\0')),
                     "trailing bytes: expected 24 bytes of data, file has 25");
  expect_parse_error(npy_bytes(header("|i1", "(0,)"), "\n"),
                     "expected 0 bytes of data, file has 1");
}

}  // namespace
