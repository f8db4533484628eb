#include "tools/common/image-list.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <cstdio>
#include <fstream>

#include "kernels/common/error.h"

namespace sfc {

namespace fs = std::filesystem;

namespace {
bool is_image_name(const fs::path& p) {
  std::string e = p.extension().string();
  std::transform(e.begin(), e.end(), e.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return e == ".jpg" || e == ".jpeg" || e == ".png" || e == ".bmp" || e == ".ppm" || e == ".pgm";
}
}  // namespace

std::vector<std::string> list_images(const std::vector<std::string>& paths) {
  std::vector<std::string> out;
  for (const std::string& p : paths) {
    std::error_code ec;
    const fs::file_status st = fs::status(p, ec);
    if (ec || !fs::exists(st)) throw error(error::io, p + ": no such file or directory");
    if (!fs::is_directory(st)) {
      out.push_back(p);
      continue;
    }
    std::vector<std::string> found;
    for (auto it = fs::recursive_directory_iterator(p, fs::directory_options::skip_permission_denied, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
      if (it->is_regular_file(ec) && is_image_name(it->path())) found.push_back(it->path().string());
    if (ec) throw error(error::io, p + ": cannot list folder: " + ec.message());
    std::sort(found.begin(), found.end());
    out.insert(out.end(), found.begin(), found.end());
  }
  if (out.empty()) throw error(error::invalid_argument, "no images found in the given paths");
  return out;
}

std::vector<std::string> read_labels(const std::string& path) {
  std::ifstream f(path);
  if (!f) throw error(error::io, path + ": cannot open label file");
  std::vector<std::string> labels;
  std::string line;
  while (std::getline(f, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    // "n01440764 tench, Tinca tinca": a WordNet id followed by the names.
    if (line.size() > 10 && line[0] == 'n' && std::isdigit(static_cast<unsigned char>(line[1])) && line[9] == ' ')
      line = line.substr(10);
    labels.push_back(line);
  }
  if (labels.empty()) throw error(error::invalid_argument, path + ": label file is empty");
  return labels;
}

std::string json_escape(const std::string& s) {
  std::string r;
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') r += '\\', r += char(c);
    else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      r += buf;
    } else r += char(c);
  }
  return r;
}

}  // namespace sfc
