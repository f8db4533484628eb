// Internal to tools/common/dataset*.cc: line-oriented label-file reading with file:line errors.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace sfc {
namespace dataset_detail {

struct text_line {
  int number = 0;  // 1-based
  std::string text;  // without the line end (\n or \r\n), trimmed of surrounding blanks
};

// Every line of the file (empty ones included, so numbers stay right). Throws sfc::error(io).
std::vector<text_line> read_text_lines(const std::string& path);

// Throws sfc::error(invalid_argument) "<file>:<line>: <what>" (line 0: "<file>: <what>").
[[noreturn]] void fail_at(const std::string& file, int line, const std::string& what);

// Strict integer parse of the whole string (no blanks, sign allowed); false if malformed.
bool parse_int64(const std::string& s, int64_t* v);
// Splits on `sep`, trimming blanks and one pair of surrounding double quotes from each field.
std::vector<std::string> split_fields(const std::string& s, char sep);
std::vector<std::string> split_blanks(const std::string& s);
std::string lower(std::string s);

// Class resolution for label files: names (--labels) and WNIDs (--synsets) in model order.
struct class_table {
  std::map<std::string, int> by_name, by_wnid;
  int count = 0;  // 0: unknown (no list given)
};

// Regular files directly in `dir` / subfolders of `dir`, sorted by name. Throws sfc::error(io).
std::vector<std::string> list_dir_files(const std::string& dir);
std::vector<std::string> list_subdirs(const std::string& dir);
// Image files (by extension: jpg jpeg png bmp ppm pgm) under dir, recursively, sorted.
std::vector<std::string> list_image_files(const std::string& dir);
bool has_image_extension(const std::string& path);

}  // namespace dataset_detail
}  // namespace sfc
