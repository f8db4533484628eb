#include "tools/common/dataset-util.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "kernels/common/error.h"

namespace sfc {
namespace dataset_detail {

namespace fs = std::filesystem;

namespace {
std::string trim(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) b++;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) e--;
  return s.substr(b, e - b);
}
}  // namespace

std::vector<text_line> read_text_lines(const std::string& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) throw error(error::io, path + ": is a folder, expected a text file");
  std::ifstream f(path, std::ios::binary);
  if (!f) throw error(error::io, path + ": cannot open");
  std::vector<text_line> lines;
  std::string s;
  int n = 0;
  while (std::getline(f, s)) {
    ++n;
    if (n == 1 && s.size() >= 3 && s.compare(0, 3, "\xEF\xBB\xBF") == 0) s.erase(0, 3);  // UTF-8 BOM
    lines.push_back({n, trim(s)});
  }
  if (f.bad()) throw error(error::io, path + ": read error");
  return lines;
}

void fail_at(const std::string& file, int line, const std::string& what) {
  throw error(error::invalid_argument, file + (line > 0 ? ":" + std::to_string(line) : std::string()) + ": " + what);
}

bool parse_int64(const std::string& s, int64_t* v) {
  if (s.empty() || s.size() > 19) return false;
  size_t i = s[0] == '-' || s[0] == '+' ? 1 : 0;
  if (i == s.size()) return false;
  for (size_t k = i; k < s.size(); k++)
    if (!std::isdigit(static_cast<unsigned char>(s[k]))) return false;
  errno = 0;
  const long long x = std::strtoll(s.c_str(), nullptr, 10);
  if (errno) return false;
  *v = x;
  return true;
}

std::vector<std::string> split_fields(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t b = 0;
  while (true) {
    const size_t e = s.find(sep, b);
    std::string f = trim(s.substr(b, e == std::string::npos ? std::string::npos : e - b));
    if (f.size() >= 2 && f.front() == '"' && f.back() == '"') f = f.substr(1, f.size() - 2);
    out.push_back(f);
    if (e == std::string::npos) break;
    b = e + 1;
  }
  return out;
}

std::vector<std::string> split_blanks(const std::string& s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) i++;
    size_t j = i;
    while (j < s.size() && !std::isspace(static_cast<unsigned char>(s[j]))) j++;
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return s;
}

bool has_image_extension(const std::string& path) {
  const std::string e = lower(fs::path(path).extension().string());
  return e == ".jpg" || e == ".jpeg" || e == ".png" || e == ".bmp" || e == ".ppm" || e == ".pgm";
}

std::vector<std::string> list_dir_files(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec))
    if (it->is_regular_file(ec)) out.push_back(it->path().string());
  if (ec) throw error(error::io, dir + ": cannot list folder: " + ec.message());
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> list_subdirs(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec))
    if (it->is_directory(ec)) out.push_back(it->path().filename().string());
  if (ec) throw error(error::io, dir + ": cannot list folder: " + ec.message());
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> list_image_files(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
    if (it->is_regular_file(ec) && has_image_extension(it->path().string())) out.push_back(it->path().string());
  if (ec) throw error(error::io, dir + ": cannot list folder: " + ec.message());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace dataset_detail
}  // namespace sfc
