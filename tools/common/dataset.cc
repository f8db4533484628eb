#include "tools/common/dataset.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "kernels/common/error.h"
#include "tools/common/dataset-util.h"
#include "tools/common/image-list.h"

namespace sfc {

namespace fs = std::filesystem;
using namespace dataset_detail;

namespace {

const char* kLocCsv = "LOC_val_solution.csv";
const char* kDevkitGt = "ILSVRC2012_validation_ground_truth.txt";

bool exists_file(const std::string& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec);
}

std::string join(const std::string& dir, const std::string& name) { return (fs::path(dir) / name).string(); }

// WNID -> model index from --synsets, or from the sorted `found` WNIDs (torchvision's order).
std::map<std::string, int> wnid_index(const dataset_options& o, std::vector<std::string> found) {
  std::vector<std::string> order;
  if (!o.synsets.empty()) order = read_synsets(o.synsets);
  else {
    std::sort(found.begin(), found.end());
    found.erase(std::unique(found.begin(), found.end()), found.end());
    order = found;
  }
  std::map<std::string, int> m;
  for (size_t i = 0; i < order.size(); i++) m[order[i]] = int(i);
  return m;
}

std::string wnid_source(const dataset_options& o) {
  return o.synsets.empty() ? std::string("the dataset's own WNIDs") : o.synsets;
}

// Class names in model order: --labels, else the synset file's names, else `fallback`.
std::vector<std::string> class_names(const dataset_options& o, const std::vector<std::string>& fallback) {
  if (!o.labels.empty()) return read_labels(o.labels);
  if (!o.synsets.empty()) {
    std::vector<std::string> names;
    for (const text_line& l : read_text_lines(o.synsets)) {
      const std::vector<std::string> t = split_blanks(l.text);
      if (t.empty()) continue;
      int64_t idx;
      const size_t first = t.size() > 2 && parse_int64(t[1], &idx) ? 2 : 1;
      std::string name = t.size() > first ? t[first] : t[0];
      for (size_t k = first + 1; k < t.size(); k++) name += " " + t[k];
      names.push_back(name);
    }
    return names;
  }
  return fallback;
}

void check_unique(std::set<std::string>* seen, const std::string& key, const std::string& file, int line) {
  if (!seen->insert(key).second) fail_at(file, line, "duplicate entry '" + key + "'");
}

dataset open_imagenet_folders(const std::string& root, const dataset_options& o) {
  dataset d;
  const std::vector<std::string> dirs = list_subdirs(root);
  for (const std::string& s : dirs)
    if (!is_wnid(s)) fail_at(join(root, s), 0, "imagenet-folders expects subfolders named by WNID (nXXXXXXXX)");
  const std::map<std::string, int> idx = wnid_index(o, dirs);
  for (const std::string& s : dirs) {
    const auto it = idx.find(s);
    if (it == idx.end()) fail_at(join(root, s), 0, "WNID " + s + " is not in " + wnid_source(o));
    for (const std::string& f : list_image_files(join(root, s))) d.items.push_back({f, -1, it->second});
  }
  d.class_names = class_names(o, dirs);
  return d;
}

dataset open_loc_csv(const std::string& root, const dataset_options& o) {
  const std::string csv = o.label_file.empty() ? join(root, kLocCsv) : o.label_file;
  struct row { std::string id, wnid; int line; };
  std::vector<row> rows;
  std::set<std::string> seen;
  for (const text_line& l : read_text_lines(csv)) {
    if (l.text.empty()) continue;
    const std::vector<std::string> f = split_fields(l.text, ',');
    if (rows.empty() && seen.empty() && lower(f[0]) == "imageid") continue;  // header
    if (f.size() < 2 || f[1].empty()) fail_at(csv, l.number, "missing PredictionString column (expected ImageId,PredictionString)");
    const std::vector<std::string> t = split_blanks(f[1]);
    if (!is_wnid(t[0])) fail_at(csv, l.number, "PredictionString must start with a WNID, got '" + t[0] + "'");
    check_unique(&seen, f[0], csv, l.number);
    rows.push_back({f[0], t[0], l.number});
  }
  if (rows.empty()) fail_at(csv, 0, "no entries");
  std::vector<std::string> wnids;
  for (const row& r : rows) wnids.push_back(r.wnid);
  const std::map<std::string, int> idx = wnid_index(o, wnids);
  dataset d;
  for (const row& r : rows) {
    const auto it = idx.find(r.wnid);
    if (it == idx.end()) fail_at(csv, r.line, "WNID " + r.wnid + " is not in " + wnid_source(o));
    std::string path = join(root, r.id + ".JPEG");
    if (!exists_file(path) && exists_file(join(root, r.id))) path = join(root, r.id);
    if (!exists_file(path)) fail_at(csv, r.line, "image " + path + " is listed but missing");
    d.items.push_back({path, -1, it->second});
  }
  std::sort(d.items.begin(), d.items.end(), [](const dataset_item& a, const dataset_item& b) { return a.path < b.path; });
  d.class_names = class_names(o, {});
  return d;
}

dataset open_devkit(const std::string& root, const dataset_options& o) {
  const std::string gt = o.label_file.empty() ? join(root, kDevkitGt) : o.label_file;
  if (o.devkit_synsets.empty())
    throw error(error::invalid_argument, "the devkit layout needs --devkit-synsets FILE (one WNID per line in ILSVRC2012_ID order, "
                                         "as in the devkit's meta.mat) to map ground-truth ids to classes");
  std::vector<std::pair<std::string, int>> devkit;  // WNID, line
  for (const text_line& l : read_text_lines(o.devkit_synsets)) {
    if (l.text.empty()) continue;
    const std::string w = split_blanks(l.text)[0];
    if (!is_wnid(w)) fail_at(o.devkit_synsets, l.number, "expected a WNID (nXXXXXXXX), got '" + w + "'");
    devkit.push_back({w, l.number});
  }
  std::vector<std::string> wnids;
  for (const auto& w : devkit) wnids.push_back(w.first);
  const std::map<std::string, int> idx = wnid_index(o, wnids);
  std::vector<int> ids;  // per ground-truth line: 1-based ILSVRC2012_ID
  std::vector<int> lines;
  for (const text_line& l : read_text_lines(gt)) {
    if (l.text.empty()) continue;
    int64_t v;
    if (!parse_int64(l.text, &v)) fail_at(gt, l.number, "expected an integer ILSVRC2012_ID, got '" + l.text + "'");
    if (v < 1 || v > int64_t(devkit.size()))
      fail_at(gt, l.number, "ILSVRC2012_ID " + l.text + " is out of range [1, " + std::to_string(devkit.size()) + "]");
    ids.push_back(int(v));
    lines.push_back(l.number);
  }
  std::vector<std::pair<int, std::string>> images;  // image number, path
  for (const std::string& f : list_dir_files(root)) {
    const std::string name = fs::path(f).filename().string();
    int64_t k;
    if (name.size() != 28 || name.compare(0, 15, "ILSVRC2012_val_") != 0 || lower(name.substr(23)) != ".jpeg" ||
        !parse_int64(name.substr(15, 8), &k))
      continue;
    if (k < 1 || k > int64_t(ids.size()))
      fail_at(gt, 0, name + " has no ground-truth line (the file has " + std::to_string(ids.size()) + ")");
    images.push_back({int(k), f});
  }
  if (images.size() != ids.size())
    fail_at(gt, 0, std::to_string(ids.size()) + " ground-truth lines but " + std::to_string(images.size()) +
                       " images ILSVRC2012_val_*.JPEG in " + root);
  dataset d;
  for (const auto& im : images) {
    const auto& w = devkit[size_t(ids[size_t(im.first - 1)] - 1)];
    const auto it = idx.find(w.first);
    if (it == idx.end()) fail_at(o.devkit_synsets, w.second, "WNID " + w.first + " is not in " + wnid_source(o));
    d.items.push_back({im.second, -1, it->second});
  }
  d.class_names = class_names(o, {});
  return d;
}

class_table make_class_table(const dataset_options& o) {
  class_table t;
  if (!o.synsets.empty()) {
    const std::vector<std::string> s = read_synsets(o.synsets);
    for (size_t i = 0; i < s.size(); i++) t.by_wnid[s[i]] = int(i);
    t.count = int(s.size());
  }
  if (!o.labels.empty()) {
    const std::vector<std::string> n = read_labels(o.labels);
    for (size_t i = 0; i < n.size(); i++)
      if (!n[i].empty()) t.by_name.emplace(n[i], int(i));
    t.count = t.count ? std::min(t.count, int(n.size())) : int(n.size());
  }
  return t;
}

int resolve_label(const class_table& t, const std::string& s, const std::string& file, int line) {
  int64_t v;
  if (parse_int64(s, &v)) {
    if (v < 0 || (t.count && v >= t.count))
      fail_at(file, line, "label " + s + " is out of range" + (t.count ? " [0, " + std::to_string(t.count) + ")" : std::string(" (negative)")));
    return int(v);
  }
  if (s.empty()) fail_at(file, line, "empty label");
  auto w = t.by_wnid.find(s);
  if (w != t.by_wnid.end()) return w->second;
  auto n = t.by_name.find(s);
  if (n != t.by_name.end()) return n->second;
  if (t.by_wnid.empty() && t.by_name.empty())
    fail_at(file, line, "label '" + s + "' is not an integer; give --labels or --synsets to resolve class names");
  fail_at(file, line, "unknown class '" + s + "'");
}

dataset open_labels_csv(const std::string& root, const dataset_options& o) {
  std::string csv = o.label_file;
  if (csv.empty()) csv = exists_file(root) ? root : join(root, "labels.csv");
  const std::string base = fs::path(csv).parent_path().string();
  const class_table t = make_class_table(o);
  dataset d;
  std::set<std::string> seen;
  bool first = true;
  for (const text_line& l : read_text_lines(csv)) {
    if (l.text.empty()) continue;
    const std::vector<std::string> f = split_fields(l.text, ',');
    const std::string h = lower(f[0]);
    if (first && (h == "file" || h == "filename" || h == "path" || h == "image" || h == "imageid")) {
      first = false;
      continue;
    }
    first = false;
    if (f.size() < 2) fail_at(csv, l.number, "missing label column (expected file,label)");
    if (f[0].empty()) fail_at(csv, l.number, "empty file name");
    const std::string path = fs::path(f[0]).is_absolute() ? f[0] : join(base, f[0]);
    check_unique(&seen, f[0], csv, l.number);
    const int label = resolve_label(t, f[1], csv, l.number);
    if (!exists_file(path)) fail_at(csv, l.number, "image " + path + " is listed but missing");
    d.items.push_back({path, -1, label});
  }
  if (d.items.empty()) fail_at(csv, 0, "no entries");
  d.class_names = class_names(o, {});
  return d;
}

dataset open_cifar_folders(const std::string& root, const dataset_options& o) {
  const std::vector<std::string> dirs = list_subdirs(root);
  std::vector<std::string> classes = o.labels.empty() ? dirs : read_labels(o.labels);
  std::map<std::string, int> idx;
  for (size_t i = 0; i < classes.size(); i++)
    if (!classes[i].empty()) idx.emplace(classes[i], int(i));
  dataset d;
  for (const std::string& s : dirs) {
    const auto it = idx.find(s);
    if (it == idx.end()) fail_at(join(root, s), 0, "folder name '" + s + "' is not a class in " + o.labels);
    for (const std::string& f : list_image_files(join(root, s))) d.items.push_back({f, -1, it->second});
  }
  d.class_names = classes;
  return d;
}

std::string unique_match(const std::string& dir, bool (*match)(const std::string&), const std::string& what) {
  std::vector<std::string> found;
  for (const std::string& f : list_dir_files(dir))
    if (match(fs::path(f).filename().string())) found.push_back(f);
  if (found.size() != 1)
    throw error(error::invalid_argument, dir + ": expected exactly one " + what + ", found " + std::to_string(found.size()));
  return found[0];
}

bool is_bin_name(const std::string& n) { return lower(fs::path(n).extension().string()) == ".bin"; }
bool is_raw_labels_name(const std::string& n) { return lower(n).rfind("labels", 0) == 0 && lower(fs::path(n).extension().string()) == ".txt"; }

dataset open_raw_u8(const std::string& root, const dataset_options& o) {
  dataset d;
  d.raw_file = exists_file(root) ? root : unique_match(root, is_bin_name, "*.bin image file");
  std::string labels = !o.raw_labels.empty() ? o.raw_labels : o.label_file;
  if (labels.empty())
    labels = unique_match(fs::path(d.raw_file).parent_path().string(), is_raw_labels_name, "labels*.txt file (or give --raw-labels)");
  if (o.raw_height <= 0 || o.raw_width <= 0)
    throw error(error::invalid_argument, d.raw_file + ": raw-u8 needs the image size (--input-size HxW or the model's)");
  d.raw_height = o.raw_height, d.raw_width = o.raw_width;
  std::error_code ec;
  const uintmax_t bytes = fs::file_size(d.raw_file, ec);
  if (ec) throw error(error::io, d.raw_file + ": cannot read: " + ec.message());
  const uintmax_t per = uintmax_t(d.raw_height) * uintmax_t(d.raw_width) * 3;
  if (bytes == 0 || bytes % per)
    fail_at(d.raw_file, 0, std::to_string(bytes) + " bytes is not a whole number of " + std::to_string(d.raw_height) + "x" +
                               std::to_string(d.raw_width) + "x3 images");
  const class_table t = make_class_table(o);
  for (const text_line& l : read_text_lines(labels)) {
    if (l.text.empty()) continue;
    const std::vector<std::string> f = split_fields(l.text, ',');
    d.items.push_back({"", int64_t(d.items.size()), resolve_label(t, f.back(), labels, l.number)});
  }
  if (d.items.size() != bytes / per)
    fail_at(labels, 0, std::to_string(d.items.size()) + " labels but " + d.raw_file + " holds " + std::to_string(bytes / per) + " images");
  d.class_names = class_names(o, {});
  return d;
}

dataset_layout detect_layout(const std::string& root) {
  std::error_code ec;
  if (fs::is_regular_file(root, ec)) {
    const std::string e = lower(fs::path(root).extension().string());
    if (e == ".bin") return dataset_layout::raw_u8;
    if (e == ".csv") return dataset_layout::labels_csv;
    throw error(error::invalid_argument, root + ": a dataset file must be a raw .bin or a labels .csv");
  }
  if (exists_file(join(root, kLocCsv))) return dataset_layout::loc_csv;
  if (exists_file(join(root, kDevkitGt))) return dataset_layout::devkit;
  if (exists_file(join(root, "labels.csv"))) return dataset_layout::labels_csv;
  const std::vector<std::string> files = list_dir_files(root);
  if (std::count_if(files.begin(), files.end(), [](const std::string& f) { return is_bin_name(f); }) == 1)
    return dataset_layout::raw_u8;
  const std::vector<std::string> dirs = list_subdirs(root);
  if (dirs.empty())
    throw error(error::invalid_argument, root + ": cannot detect the dataset layout (no class subfolders, no " + kLocCsv +
                                             ", " + kDevkitGt + ", labels.csv or .bin); see --layout");
  return std::all_of(dirs.begin(), dirs.end(), is_wnid) ? dataset_layout::imagenet_folders : dataset_layout::cifar_folders;
}

}  // namespace

const char* dataset_layout_name(dataset_layout l) {
  switch (l) {
    case dataset_layout::automatic: return "auto";
    case dataset_layout::imagenet_folders: return "imagenet-folders";
    case dataset_layout::loc_csv: return "loc-csv";
    case dataset_layout::devkit: return "devkit";
    case dataset_layout::labels_csv: return "labels-csv";
    case dataset_layout::cifar_folders: return "cifar-folders";
    case dataset_layout::raw_u8: return "raw-u8";
  }
  return "?";
}

dataset_layout dataset_layout_from_name(const std::string& name) {
  for (dataset_layout l : {dataset_layout::automatic, dataset_layout::imagenet_folders, dataset_layout::loc_csv,
                           dataset_layout::devkit, dataset_layout::labels_csv, dataset_layout::cifar_folders,
                           dataset_layout::raw_u8})
    if (name == dataset_layout_name(l)) return l;
  throw error(error::invalid_argument, "--layout must be auto, imagenet-folders, loc-csv, devkit, labels-csv, cifar-folders or raw-u8, got '" + name + "'");
}

bool is_wnid(const std::string& s) {
  if (s.size() != 9 || s[0] != 'n') return false;
  return std::all_of(s.begin() + 1, s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; });
}

std::vector<std::string> read_synsets(const std::string& path) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const text_line& l : read_text_lines(path)) {
    if (l.text.empty()) continue;
    const std::vector<std::string> t = split_blanks(l.text);
    if (!is_wnid(t[0])) fail_at(path, l.number, "expected a WNID (nXXXXXXXX) first, got '" + t[0] + "'");
    int64_t idx;
    if (t.size() > 1 && parse_int64(t[1], &idx) && idx != int64_t(out.size()))
      fail_at(path, l.number, "class index " + t[1] + " does not match the line's position " + std::to_string(out.size()));
    check_unique(&seen, t[0], path, l.number);
    out.push_back(t[0]);
  }
  if (out.empty()) fail_at(path, 0, "no synsets");
  return out;
}

dataset open_dataset(const std::string& path, const dataset_options& opts) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw error(error::io, path + ": no such file or directory");
  const dataset_layout l = opts.layout == dataset_layout::automatic ? detect_layout(path) : opts.layout;
  if (l != dataset_layout::raw_u8 && l != dataset_layout::labels_csv && !fs::is_directory(path, ec))
    throw error(error::invalid_argument, path + ": the " + std::string(dataset_layout_name(l)) + " layout needs a folder");
  dataset d;
  switch (l) {
    case dataset_layout::imagenet_folders: d = open_imagenet_folders(path, opts); break;
    case dataset_layout::loc_csv: d = open_loc_csv(path, opts); break;
    case dataset_layout::devkit: d = open_devkit(path, opts); break;
    case dataset_layout::labels_csv: d = open_labels_csv(path, opts); break;
    case dataset_layout::cifar_folders: d = open_cifar_folders(path, opts); break;
    case dataset_layout::raw_u8: d = open_raw_u8(path, opts); break;
    case dataset_layout::automatic: break;
  }
  if (d.items.empty()) throw error(error::invalid_argument, path + ": no images found (" + dataset_layout_name(l) + " layout)");
  for (dataset_item& it : d.items) it.label += opts.label_offset;
  d.layout = l;
  d.root = path;
  return d;
}

image dataset::load(size_t i) const {
  const dataset_item& it = items.at(i);
  if (layout != dataset_layout::raw_u8) return load_image(it.path);
  image im;
  im.width = raw_width, im.height = raw_height;
  im.rgb.resize(size_t(raw_width) * size_t(raw_height) * 3);
  std::ifstream f(raw_file, std::ios::binary);
  f.seekg(std::streamoff(it.raw_index) * std::streamoff(im.rgb.size()));
  if (!f.read(reinterpret_cast<char*>(im.rgb.data()), std::streamsize(im.rgb.size())))
    throw error(error::io, raw_file + ": cannot read image " + std::to_string(it.raw_index));
  return im;
}

}  // namespace sfc
