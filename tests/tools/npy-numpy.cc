// .npy interoperability with NumPy itself. Optional: runs only where a python3 with numpy is
// found (tried: `python3`, then `/usr/bin/python3`); otherwise every test here is skipped. The
// core .npy tests (npy-roundtrip.cc, npy-malformed.cc) never need Python.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "kernels/common/error.h"
#include "tools/common/npy.h"

namespace {

using sfc::npy_array;
using sfc::npy_dtype;

std::string find_python_with_numpy() {
  for (const char* py : {"python3", "/usr/bin/python3"}) {
    const std::string cmd = std::string(py) + " -c 'import numpy' >/dev/null 2>&1";
    if (std::system(cmd.c_str()) == 0) return py;
  }
  return "";
}

// A per-process temp folder prefix, so concurrent test processes never share a file.
std::string temp_prefix() {
  return ::testing::TempDir() + "sfc_npy_" + std::to_string(getpid()) + "_";
}

// Runs a Python script (numpy imported as np; DIR + name is temp_prefix() + name); true on exit
// status 0.
bool run_python(const std::string& py, const std::string& body) {
  const std::string dir = temp_prefix();
  const std::string script = dir + "test.py";
  std::ofstream(script) << "import numpy as np, sys\nDIR = '" << dir << "'\n" << body;
  const int rc = std::system((py + " " + script).c_str());
  std::remove(script.c_str());
  return rc == 0;
}

class NpyNumpy : public ::testing::Test {
 protected:
  void SetUp() override {
    static const std::string py = find_python_with_numpy();
    if (py.empty()) GTEST_SKIP() << "python3 with numpy not found";
    py_ = py;
  }
  std::string path(const std::string& name) const { return temp_prefix() + name; }
  std::string py_;
};

TEST_F(NpyNumpy, LoadsWhatNumpySaves) {
  ASSERT_TRUE(run_python(py_, R"(
np.save(DIR + 'sfc_np_f4.npy', (np.arange(6, dtype='<f4') * 0.5).reshape(2, 3))
np.save(DIR + 'sfc_np_f8.npy', np.array(3.25))
np.save(DIR + 'sfc_np_i1.npy', np.array([-128, 0, 127], np.int8))
np.save(DIR + 'sfc_np_u1.npy', np.zeros((0, 4), np.uint8))
np.save(DIR + 'sfc_np_i4.npy', np.arange(-5, 5, dtype='<i4').reshape(2, 5))
for v in (2, 3):
    with open(DIR + 'sfc_np_v%d.npy' % v, 'wb') as f:
        np.lib.format.write_array(f, np.arange(4, dtype=np.uint8), version=(v, 0))
)"));
  const npy_array f4 = sfc::npy_load(path("sfc_np_f4.npy"));
  EXPECT_EQ(f4.shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(sfc::npy_to_floats(f4), (std::vector<float>{0, 0.5, 1, 1.5, 2, 2.5}));
  const npy_array f8 = sfc::npy_load(path("sfc_np_f8.npy"));
  EXPECT_TRUE(f8.shape.empty());
  EXPECT_EQ(sfc::npy_to_doubles(f8), (std::vector<double>{3.25}));
  EXPECT_EQ(sfc::npy_to_floats(sfc::npy_load(path("sfc_np_i1.npy"))),
            (std::vector<float>{-128, 0, 127}));
  const npy_array u1 = sfc::npy_load(path("sfc_np_u1.npy"));
  EXPECT_EQ(u1.dtype, npy_dtype::u1);
  EXPECT_EQ(u1.shape, (std::vector<int64_t>{0, 4}));
  const npy_array i4 = sfc::npy_load(path("sfc_np_i4.npy"));
  EXPECT_EQ(i4.dtype, npy_dtype::i4);
  EXPECT_EQ(i4.as<int32_t>()[0], -5);
  EXPECT_EQ(i4.as<int32_t>()[9], 4);
  for (const char* v : {"sfc_np_v2.npy", "sfc_np_v3.npy"})
    EXPECT_EQ(sfc::npy_load(path(v)).data, (std::vector<uint8_t>{0, 1, 2, 3})) << v;
  for (const char* f : {"f4", "f8", "i1", "u1", "i4", "v2", "v3"})
    std::remove(path(std::string("sfc_np_") + f + ".npy").c_str());
}

TEST_F(NpyNumpy, RejectsFortranOrderAndBigEndianFromNumpy) {
  ASSERT_TRUE(run_python(py_, R"(
np.save(DIR + 'sfc_np_fortran.npy', np.asfortranarray(np.ones((2, 3), np.float32)))
np.save(DIR + 'sfc_np_be.npy', np.arange(3, dtype='>f4'))
np.save(DIR + 'sfc_np_i8.npy', np.arange(3, dtype='<i8'))
)"));
  const std::pair<const char*, const char*> cases[] = {
      {"sfc_np_fortran.npy", "Fortran-order arrays are not supported"},
      {"sfc_np_be.npy", "big-endian dtype '>f4'"},
      {"sfc_np_i8.npy", "unsupported dtype '<i8'"}};
  for (const auto& [file, msg] : cases) {
    try {
      sfc::npy_load(path(file));
      ADD_FAILURE() << file << " loaded";
    } catch (const sfc::error& e) {
      EXPECT_NE(std::string(e.what()).find(msg), std::string::npos) << e.what();
    }
    std::remove(path(file).c_str());
  }
}

TEST_F(NpyNumpy, NumpyLoadsWhatWeSave) {
  npy_array i1;
  i1.dtype = npy_dtype::i1;
  i1.shape = {3};
  i1.data = {0x80, 0x00, 0x7f};
  sfc::npy_save(path("sfc_ours_i1.npy"), i1);
  sfc::npy_save(path("sfc_ours_f4.npy"), sfc::npy_from_floats({2, 2}, {1, 2, 3, 4.5f}));
  sfc::npy_save(path("sfc_ours_scalar.npy"), sfc::npy_from_floats({}, {7}));
  EXPECT_TRUE(run_python(py_, R"(
a = np.load(DIR + 'sfc_ours_i1.npy')
assert a.dtype == np.int8 and a.tolist() == [-128, 0, 127], a
b = np.load(DIR + 'sfc_ours_f4.npy')
assert b.dtype == np.float32 and b.shape == (2, 2) and b[1, 1] == 4.5, b
c = np.load(DIR + 'sfc_ours_scalar.npy')
assert c.shape == () and c == 7, c
)"));
  for (const char* f : {"sfc_ours_i1.npy", "sfc_ours_f4.npy", "sfc_ours_scalar.npy"})
    std::remove(path(f).c_str());
}

}  // namespace
