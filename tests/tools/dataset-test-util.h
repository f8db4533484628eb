// Fixture helpers for the dataset tests: a temporary folder with tiny PPM images and text files.
#pragma once
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "kernels/common/error.h"
#include "tools/common/dataset.h"

namespace sfc_test {

class temp_dir {
 public:
  temp_dir() {
    static int counter = 0;
    path_ = std::filesystem::temp_directory_path() /
            ("sfc_dataset_test_" + std::to_string(getpid()) + "_" + std::to_string(counter++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string str() const { return path_.string(); }
  std::string operator/(const std::string& rel) const { return (path_ / rel).string(); }
  // A 2x2 binary PPM whose pixels all equal `value` (any file name: decoders sniff the content).
  std::string image(const std::string& rel, uint8_t value = 7) const {
    const std::string p = *this / rel;
    std::filesystem::create_directories(std::filesystem::path(p).parent_path());
    std::ofstream f(p, std::ios::binary);
    f << "P6\n2 2\n255\n" << std::string(12, char(value));
    return p;
  }
  std::string text(const std::string& rel, const std::string& content) const {
    const std::string p = *this / rel;
    std::filesystem::create_directories(std::filesystem::path(p).parent_path());
    std::ofstream(p, std::ios::binary) << content;
    return p;
  }

 private:
  std::filesystem::path path_;
};

// Expects open_dataset to throw sfc::error whose message contains every string of `parts`.
inline void expect_dataset_error(const std::string& path, const sfc::dataset_options& o,
                                 const std::vector<std::string>& parts) {
  try {
    sfc::open_dataset(path, o);
    ADD_FAILURE() << "no error, expected: " << parts.front();
  } catch (const sfc::error& e) {
    for (const auto& p : parts) EXPECT_NE(std::string(e.what()).find(p), std::string::npos) << e.what() << "\n  missing: " << p;
  }
}

// "file -> label" for every item, file relative to root.
inline std::map<std::string, int> labels_by_file(const sfc::dataset& d, const std::string& root) {
  std::map<std::string, int> m;
  for (const auto& it : d.items) m[std::filesystem::relative(it.path, root).string()] = it.label;
  return m;
}

}  // namespace sfc_test
