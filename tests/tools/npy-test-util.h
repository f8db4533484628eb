// Helpers for the .npy tests: hand-made files and "throws sfc::error mentioning X" checks.
#pragma once
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "kernels/common/error.h"
#include "tools/common/npy.h"

namespace sfc_test {

// magic + version + little-endian header length (2 bytes for v1.x, 4 otherwise) + header + data.
inline std::string npy_bytes(const std::string& header, const std::string& data = "", int major = 1,
                             int minor = 0) {
  std::string out = "\x93NUMPY";
  out += char(major);
  out += char(minor);
  const size_t len = header.size();
  out += char(len & 0xff);
  out += char((len >> 8) & 0xff);
  if (major != 1) {
    out += char((len >> 16) & 0xff);
    out += char((len >> 24) & 0xff);
  }
  return out + header + data;
}

// A header dict for a descr and shape text, e.g. header("<f4", "(2, 3)").
inline std::string header(const std::string& descr, const std::string& shape,
                          const std::string& fortran = "False") {
  return "{'descr': '" + descr + "', 'fortran_order': " + fortran + ", 'shape': " + shape + ", }\n";
}

inline sfc::npy_array parse(const std::string& bytes, const std::string& name = "test.npy") {
  return sfc::npy_parse(bytes.data(), bytes.size(), name);
}

// Asserts that parsing `bytes` throws sfc::error(invalid_argument) whose message names the
// file and contains `substr`.
inline void expect_parse_error(const std::string& bytes, const std::string& substr) {
  try {
    parse(bytes, "bad.npy");
    ADD_FAILURE() << "expected an sfc::error containing '" << substr << "'";
  } catch (const sfc::error& e) {
    const std::string what = e.what();
    EXPECT_EQ(e.code(), sfc::error::invalid_argument) << what;
    EXPECT_NE(what.find("bad.npy"), std::string::npos) << "no file name in: " << what;
    EXPECT_NE(what.find(substr), std::string::npos)
        << "message: " << what << "\nwanted:  " << substr;
  }
}

}  // namespace sfc_test
