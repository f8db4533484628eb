// Labelled image datasets for evaluation (sfc_eval): a list of images, each with its label as a
// class index in the MODEL's class order. Layouts (auto-detected from the path, or forced):
//
//   imagenet-folders  <root>/<wnid>/*.JPEG (ImageNet val as torchvision's ImageFolder sees it).
//                     Class index = position of the WNID in the synset list: --synsets FILE, or
//                     by default the sorted WNIDs of the subfolders (torchvision's order).
//   loc-csv           flat folder + LOC_val_solution.csv (Kaggle): "ImageId,PredictionString",
//                     the first token of PredictionString is the WNID; image <root>/<ImageId>.JPEG.
//                     WNID -> index through --synsets (default: the sorted WNIDs of the csv).
//   devkit            flat folder of ILSVRC2012_val_%08d.JPEG + ILSVRC2012_validation_ground_truth.txt
//                     (one 1-based ILSVRC2012_ID per line, line k = image k). The devkit's id order
//                     is not the model's: --devkit-synsets FILE (one WNID per line in ILSVRC2012_ID
//                     order, as in the devkit's meta.mat) maps id -> WNID, then --synsets (default:
//                     the sorted devkit WNIDs) maps WNID -> model index.
//   labels-csv        <root>/labels.csv "file,label" (header optional), paths relative to the
//                     csv; label = integer class index, or a class name (--labels) / WNID (--synsets).
//   cifar-folders     <root>/<class_name>/*.png|jpg; classes in --labels order (names), else the
//                     sorted folder names.
//   raw-u8            a .bin file of concatenated HWC uint8 RGB images (N x H x W x 3) plus a text
//                     file with one integer label per line (--raw-labels, default: the only
//                     labels*.txt beside the .bin); H x W from the options (the model's input).
//
// Every malformed label file (missing column, bad integer, unknown WNID / class, image listed but
// missing, duplicate entry, ground-truth count != image count, id out of range) throws
// sfc::error(invalid_argument) whose message starts with "<file>:<line>: " where a line applies.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "tools/common/image.h"

namespace sfc {

enum class dataset_layout { automatic, imagenet_folders, loc_csv, devkit, labels_csv, cifar_folders, raw_u8 };
const char* dataset_layout_name(dataset_layout l);  // "imagenet-folders", ...
// Throws sfc::error(invalid_argument) for an unknown name.
dataset_layout dataset_layout_from_name(const std::string& name);

struct dataset_options {
  dataset_layout layout = dataset_layout::automatic;
  std::string synsets;         // WNIDs in model class order ("nXXXXXXXX [idx] [name]" per line)
  std::string devkit_synsets;  // devkit layout: WNID of ILSVRC2012_ID k on line k
  std::string labels;          // class names in model class order (one per line)
  std::string label_file;      // overrides the layout's default label file name / location
  std::string raw_labels;      // raw-u8: label file
  int raw_height = 0, raw_width = 0;  // raw-u8: image size (required for raw-u8)
  int label_offset = 0;  // added to every label (1 for TF-slim models whose class 0 is background)
};

struct dataset_item {
  std::string path;      // image file ("" for raw-u8)
  int64_t raw_index = -1;  // raw-u8: image index in the .bin
  int label = -1;        // class index in the model's order
};

struct dataset {
  dataset_layout layout = dataset_layout::automatic;
  std::string root;                      // the path given
  std::vector<dataset_item> items;       // in a deterministic order (sorted paths / file order)
  std::vector<std::string> class_names;  // model order when known (may be empty)
  // raw-u8 only
  std::string raw_file;
  int raw_height = 0, raw_width = 0;

  size_t size() const { return items.size(); }
  // Decodes item i (thread-safe: reads the file each time).
  image load(size_t i) const;
};

// Throws sfc::error (io: path missing / unreadable; invalid_argument: malformed labels, nothing
// found, undetectable layout).
dataset open_dataset(const std::string& path, const dataset_options& opts = {});

// Label-file helpers (exposed for tests and tools).
// WNIDs in class order: the first token of each non-empty line. When the second token is an
// integer it must equal the line's class index (imagenet1k_synsets.txt: "n01440764 0 tench").
std::vector<std::string> read_synsets(const std::string& path);
bool is_wnid(const std::string& s);  // "n" + 8 digits

}  // namespace sfc
