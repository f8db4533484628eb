// .npy: round trips for every dtype and shape, the exact bytes written, accepted header
// variants, conversions, and file I/O.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "kernels/common/error.h"
#include "tests/tools/npy-test-util.h"
#include "tools/common/npy.h"

namespace {

using sfc::npy_array;
using sfc::npy_dtype;
using sfc_test::header;
using sfc_test::npy_bytes;
using sfc_test::parse;

const npy_dtype kAllTypes[] = {npy_dtype::f4, npy_dtype::f8, npy_dtype::i1, npy_dtype::u1,
                               npy_dtype::i4};
const std::vector<std::vector<int64_t>> kShapes = {
    {}, {0}, {1}, {5}, {2, 3}, {2, 0, 3}, {1, 3, 4, 5}, {1, 1, 1, 1, 1, 2}};

npy_array make_array(npy_dtype t, const std::vector<int64_t>& shape) {
  npy_array a;
  a.dtype = t;
  a.shape = shape;
  a.data.resize(a.count() * sfc::npy_dtype_size(t));
  for (size_t i = 0; i < a.data.size(); ++i) a.data[i] = uint8_t(i * 37 + 11);
  return a;
}

TEST(NpyRoundTrip, EveryDtypeAndShape) {
  for (npy_dtype t : kAllTypes)
    for (const auto& shape : kShapes) {
      const npy_array a = make_array(t, shape);
      const std::vector<uint8_t> bytes = sfc::npy_serialize(a);
      SCOPED_TRACE(std::string(sfc::npy_dtype_name(t)) + " " + a.shape_str());
      // Version 1.0, header padded so that the data starts at a multiple of 64, ending in '\n'.
      ASSERT_GE(bytes.size(), 10 + a.data.size());
      const size_t data_start = bytes.size() - a.data.size();
      EXPECT_EQ(bytes[6], 1);
      EXPECT_EQ(bytes[7], 0);
      EXPECT_EQ(data_start % 64, 0u);
      EXPECT_EQ(size_t(bytes[8] | bytes[9] << 8), data_start - 10);
      EXPECT_EQ(bytes[data_start - 1], '\n');
      const npy_array b = sfc::npy_parse(bytes.data(), bytes.size(), "mem");
      EXPECT_EQ(b.dtype, t);
      EXPECT_EQ(b.shape, shape);
      EXPECT_EQ(b.data, a.data);
    }
}

TEST(NpyRoundTrip, ExactBytesMatchNumpy) {
  // What np.save(f, np.array([1, 2, 3], dtype='<f4')) writes (NumPy >= 1.9 pads to 64 bytes).
  const std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }";
  const std::string hdr = dict + std::string(128 - 10 - dict.size() - 1, ' ') + "\n";
  const float v[3] = {1, 2, 3};
  const std::string want = npy_bytes(hdr, std::string(reinterpret_cast<const char*>(v), 12));
  const auto got = sfc::npy_serialize(sfc::npy_from_floats({3}, {1, 2, 3}));
  EXPECT_EQ(std::string(got.begin(), got.end()), want);
}

TEST(NpyRoundTrip, HeaderTextPerDtypeAndShape) {
  auto text = [](npy_dtype t, std::vector<int64_t> shape) {
    const auto b = sfc::npy_serialize(make_array(t, shape));
    const std::string s(b.begin() + 10, b.end());
    return s.substr(0, s.find('}') + 1);
  };
  EXPECT_EQ(text(npy_dtype::i1, {}), "{'descr': '|i1', 'fortran_order': False, 'shape': (), }");
  EXPECT_EQ(text(npy_dtype::u1, {0}), "{'descr': '|u1', 'fortran_order': False, 'shape': (0,), }");
  EXPECT_EQ(text(npy_dtype::f8, {1, 3, 32, 32}),
            "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 3, 32, 32), }");
  EXPECT_EQ(text(npy_dtype::i4, {2, 2}),
            "{'descr': '<i4', 'fortran_order': False, 'shape': (2, 2), }");
}

TEST(NpyRoundTrip, DtypeNamesAndSizes) {
  EXPECT_STREQ(sfc::npy_dtype_name(npy_dtype::f4), "float32");
  EXPECT_STREQ(sfc::npy_dtype_name(npy_dtype::f8), "float64");
  EXPECT_STREQ(sfc::npy_dtype_name(npy_dtype::i1), "int8");
  EXPECT_STREQ(sfc::npy_dtype_name(npy_dtype::u1), "uint8");
  EXPECT_STREQ(sfc::npy_dtype_name(npy_dtype::i4), "int32");
  EXPECT_EQ(sfc::npy_dtype_size(npy_dtype::f4), 4u);
  EXPECT_EQ(sfc::npy_dtype_size(npy_dtype::f8), 8u);
  EXPECT_EQ(sfc::npy_dtype_size(npy_dtype::i1), 1u);
  EXPECT_EQ(sfc::npy_dtype_size(npy_dtype::u1), 1u);
  EXPECT_EQ(sfc::npy_dtype_size(npy_dtype::i4), 4u);
}

TEST(NpyRoundTrip, ShapeStrAndCount) {
  npy_array a;
  EXPECT_EQ(a.shape_str(), "()");
  EXPECT_EQ(a.count(), 1u);
  a.shape = {3};
  EXPECT_EQ(a.shape_str(), "(3,)");
  a.shape = {1, 3, 32, 32};
  EXPECT_EQ(a.shape_str(), "(1, 3, 32, 32)");
  EXPECT_EQ(a.count(), 3072u);
  a.shape = {4, 0};
  EXPECT_EQ(a.count(), 0u);
}

TEST(NpyParse, AcceptsHeaderVariants) {
  const std::string data(24, '\0');  // 6 float32
  const char* const headers[] = {
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }",
      "{\"shape\": (2, 3), \"descr\": \"<f4\", \"fortran_order\": False}",
      "{ 'fortran_order' :False ,'shape':(2,3,),'descr':'=f4' }   \n",
      "{'descr':'<f4','fortran_order':False,'shape':(2L, 3L)}",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (6,),}\n",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (6), }\n",
      "{'descr': '<f4', 'fortran_order': False, 'shape': ( 1 , 6 , ) , }\t\r\n",
  };
  for (const char* h : headers) {
    SCOPED_TRACE(h);
    const npy_array a = parse(npy_bytes(h, data));
    EXPECT_EQ(a.dtype, npy_dtype::f4);
    EXPECT_EQ(a.count(), 6u);
  }
}

TEST(NpyParse, AcceptsByteOrderMarkers) {
  struct c {
    const char* descr;
    npy_dtype t;
  };
  for (const c& e : {c{"<f4", npy_dtype::f4}, c{"=f4", npy_dtype::f4}, c{"<f8", npy_dtype::f8},
                     c{"=f8", npy_dtype::f8}, c{"|i1", npy_dtype::i1}, c{"<i1", npy_dtype::i1},
                     c{"=i1", npy_dtype::i1}, c{"|u1", npy_dtype::u1}, c{"<u1", npy_dtype::u1},
                     c{"<i4", npy_dtype::i4}, c{"=i4", npy_dtype::i4}}) {
    SCOPED_TRACE(e.descr);
    const std::string data(sfc::npy_dtype_size(e.t) * 2, '\x01');
    EXPECT_EQ(parse(npy_bytes(header(e.descr, "(2,)"), data)).dtype, e.t);
  }
}

TEST(NpyParse, Versions2And3UseFourByteHeaderLength) {
  const std::string data = "\x01\x02\x03";
  for (int major : {2, 3}) {
    const npy_array a = parse(npy_bytes(header("|u1", "(3,)"), data, major));
    EXPECT_EQ(a.shape, (std::vector<int64_t>{3}));
    EXPECT_EQ(a.data, (std::vector<uint8_t>{1, 2, 3}));
  }
  // A header longer than 65535 bytes only fits version 2.0+.
  const std::string big =
      "{'descr': '|u1', 'fortran_order': False, 'shape': (1,)" + std::string(70000, ' ') + "}\n";
  EXPECT_EQ(parse(npy_bytes(big, "\x07", 2)).data, (std::vector<uint8_t>{7}));
}

TEST(NpyParse, ScalarAndEmptyArrays) {
  const npy_array s = parse(npy_bytes(header("<i4", "()"), std::string("\x2a\0\0\0", 4)));
  EXPECT_TRUE(s.shape.empty());
  EXPECT_EQ(s.count(), 1u);
  EXPECT_EQ(s.as<int32_t>()[0], 42);
  const npy_array e = parse(npy_bytes(header("<f8", "(0, 5)")));
  EXPECT_EQ(e.shape, (std::vector<int64_t>{0, 5}));
  EXPECT_TRUE(e.data.empty());
  EXPECT_TRUE(sfc::npy_to_floats(e).empty());
}

TEST(NpyConvert, EveryDtypeToFloatsAndDoubles) {
  auto from = [](npy_dtype t, const void* p, size_t n) {
    npy_array a;
    a.dtype = t;
    a.shape = {int64_t(n)};
    a.data.assign(static_cast<const uint8_t*>(p),
                  static_cast<const uint8_t*>(p) + n * sfc::npy_dtype_size(t));
    return a;
  };
  const int8_t i1[] = {-128, 0, 127};
  EXPECT_EQ(sfc::npy_to_floats(from(npy_dtype::i1, i1, 3)), (std::vector<float>{-128, 0, 127}));
  const uint8_t u1[] = {0, 128, 255};
  EXPECT_EQ(sfc::npy_to_doubles(from(npy_dtype::u1, u1, 3)), (std::vector<double>{0, 128, 255}));
  const int32_t i4[] = {std::numeric_limits<int32_t>::min(), -1, 16777217};
  EXPECT_EQ(sfc::npy_to_doubles(from(npy_dtype::i4, i4, 3)),
            (std::vector<double>{-2147483648.0, -1, 16777217}));
  EXPECT_EQ(sfc::npy_to_floats(from(npy_dtype::i4, i4, 3))[2], 16777216.f);
  const float f4[] = {0.1f, -2.5f};
  EXPECT_EQ(sfc::npy_to_doubles(from(npy_dtype::f4, f4, 2)), (std::vector<double>{0.1f, -2.5}));
  const double f8[] = {0.1, 1e300};
  const auto f = sfc::npy_to_floats(from(npy_dtype::f8, f8, 2));
  EXPECT_EQ(f[0], 0.1f);
  EXPECT_EQ(f[1], std::numeric_limits<float>::infinity());
}

TEST(NpyConvert, FromFloats) {
  const npy_array a = sfc::npy_from_floats({2, 2}, {1, 2, 3, 4});
  EXPECT_EQ(a.dtype, npy_dtype::f4);
  EXPECT_EQ(a.as<float>()[3], 4.f);
  EXPECT_EQ(sfc::npy_to_floats(a), (std::vector<float>{1, 2, 3, 4}));
  EXPECT_EQ(sfc::npy_from_floats({}, {7}).count(), 1u);
  EXPECT_THROW(sfc::npy_from_floats({2, 2}, {1, 2, 3}), sfc::error);
  EXPECT_THROW(sfc::npy_from_floats({-1}, {}), sfc::error);
}

TEST(NpyFile, SaveAndLoadEveryDtype) {
  const std::string path =
      ::testing::TempDir() + "sfc_npy_" + std::to_string(getpid()) + "_roundtrip.npy";
  for (npy_dtype t : kAllTypes) {
    const npy_array a = make_array(t, {2, 3, 4});
    sfc::npy_save(path, a);
    const npy_array b = sfc::npy_load(path);
    EXPECT_EQ(b.dtype, t);
    EXPECT_EQ(b.shape, a.shape);
    EXPECT_EQ(b.data, a.data);
  }
  std::remove(path.c_str());
}

TEST(NpyFile, IoErrorsNameThePath) {
  const std::string missing = ::testing::TempDir() + "no_such_dir_sfc/x.npy";
  for (int save = 0; save < 2; ++save) {
    try {
      if (save)
        sfc::npy_save(missing, sfc::npy_from_floats({1}, {1}));
      else
        sfc::npy_load(missing);
      ADD_FAILURE() << "expected an io error";
    } catch (const sfc::error& e) {
      EXPECT_EQ(e.code(), sfc::error::io);
      EXPECT_NE(std::string(e.what()).find(missing), std::string::npos) << e.what();
    }
  }
}

TEST(NpyFile, LoadErrorsNameThePath) {
  const std::string path =
      ::testing::TempDir() + "sfc_npy_" + std::to_string(getpid()) + "_garbage.npy";
  std::FILE* f = std::fopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  std::fputs("PK\x03\x04 not an npy", f);
  std::fclose(f);
  try {
    sfc::npy_load(path);
    ADD_FAILURE() << "expected an error";
  } catch (const sfc::error& e) {
    EXPECT_EQ(e.code(), sfc::error::invalid_argument);
    EXPECT_NE(std::string(e.what()).find(path + ": bad magic"), std::string::npos) << e.what();
  }
  std::remove(path.c_str());
}

TEST(NpySerialize, RejectsInconsistentArrays) {
  npy_array a = make_array(npy_dtype::i4, {2, 2});
  a.data.pop_back();
  EXPECT_THROW(sfc::npy_serialize(a), sfc::error);
  EXPECT_THROW(sfc::npy_to_floats(a), sfc::error);
  a.shape = {-2, -2};
  a.data.resize(16);
  EXPECT_THROW(sfc::npy_serialize(a), sfc::error);
}

}  // namespace
