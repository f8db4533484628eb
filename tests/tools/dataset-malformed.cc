// Malformed label files: each gives sfc::error naming the file (and line where one applies).
#include "tests/tools/dataset-test-util.h"

namespace {

using sfc_test::expect_dataset_error;
using sfc_test::temp_dir;

TEST(DatasetMalformed, LabelsCsv) {
  temp_dir t;
  t.image("a.png"), t.image("b.png");
  const sfc::dataset_options none;
  const std::string csv = t / "labels.csv";
  t.text("labels.csv", "file,label\na.png,1\nb.png\n");
  expect_dataset_error(t.str(), none, {csv + ":3:", "missing label column"});
  t.text("labels.csv", "a.png,1x\n");
  expect_dataset_error(t.str(), none, {csv + ":1:", "'1x' is not an integer"});
  t.text("labels.csv", "a.png,-1\n");
  expect_dataset_error(t.str(), none, {csv + ":1:", "out of range"});
  t.text("labels.csv", "a.png,0\nmissing.png,1\n");
  expect_dataset_error(t.str(), none, {csv + ":2:", "missing.png is listed but missing"});
  t.text("labels.csv", "a.png,0\nb.png,1\na.png,1\n");
  expect_dataset_error(t.str(), none, {csv + ":3:", "duplicate entry 'a.png'"});
  sfc::dataset_options o;
  o.labels = t.text("names.txt", "cat\ndog\n");
  t.text("labels.csv", "a.png,cat\nb.png,horse\n");
  expect_dataset_error(t.str(), o, {csv + ":2:", "unknown class 'horse'"});
  t.text("labels.csv", "a.png,2\n");
  expect_dataset_error(t.str(), o, {csv + ":1:", "label 2 is out of range [0, 2)"});
  t.text("labels.csv", "file,label\n");
  expect_dataset_error(t.str(), none, {csv, "no entries"});
}

TEST(DatasetMalformed, LocCsv) {
  temp_dir t;
  t.image("ILSVRC2012_val_00000001.JPEG");
  const std::string csv = t / "LOC_val_solution.csv";
  const sfc::dataset_options none;
  t.text("LOC_val_solution.csv", "ImageId,PredictionString\nILSVRC2012_val_00000001\n");
  expect_dataset_error(t.str(), none, {csv + ":2:", "missing PredictionString"});
  t.text("LOC_val_solution.csv", "ILSVRC2012_val_00000001,dog 1 2 3 4\n");
  expect_dataset_error(t.str(), none, {csv + ":1:", "must start with a WNID"});
  t.text("LOC_val_solution.csv", "ILSVRC2012_val_00000001,n01000000 1 2 3 4\nILSVRC2012_val_00000009,n01000000 1 2 3 4\n");
  expect_dataset_error(t.str(), none, {csv + ":2:", "listed but missing"});
  t.text("LOC_val_solution.csv", "ILSVRC2012_val_00000001,n01000000 1 2 3 4\nILSVRC2012_val_00000001,n01000000 1 2 3 4\n");
  expect_dataset_error(t.str(), none, {csv + ":2:", "duplicate entry"});
  sfc::dataset_options o;
  o.synsets = t.text("s.txt", "n02000000\n");
  t.text("LOC_val_solution.csv", "ILSVRC2012_val_00000001,n01000000 1 2 3 4\n");
  expect_dataset_error(t.str(), o, {csv + ":1:", "WNID n01000000 is not in " + o.synsets});
}

TEST(DatasetMalformed, Devkit) {
  temp_dir t;
  t.image("ILSVRC2012_val_00000001.JPEG"), t.image("ILSVRC2012_val_00000002.JPEG");
  const std::string gt = t / "ILSVRC2012_validation_ground_truth.txt";
  t.text("ILSVRC2012_validation_ground_truth.txt", "1\n2\n");
  expect_dataset_error(t.str(), {}, {"--devkit-synsets"});
  sfc::dataset_options o;
  o.devkit_synsets = t.text("devkit.txt", "n01000000\nn02000000\n");
  t.text("ILSVRC2012_validation_ground_truth.txt", "1\ntwo\n");
  expect_dataset_error(t.str(), o, {gt + ":2:", "expected an integer"});
  t.text("ILSVRC2012_validation_ground_truth.txt", "1\n3\n");
  expect_dataset_error(t.str(), o, {gt + ":2:", "ILSVRC2012_ID 3 is out of range [1, 2]"});
  t.text("ILSVRC2012_validation_ground_truth.txt", "1\n2\n1\n");
  expect_dataset_error(t.str(), o, {gt, "3 ground-truth lines but 2 images"});
  t.text("ILSVRC2012_validation_ground_truth.txt", "1\n");
  expect_dataset_error(t.str(), o, {gt, "ILSVRC2012_val_00000002.JPEG has no ground-truth line"});
  t.text("devkit.txt", "n01000000\nbogus\n");
  t.text("ILSVRC2012_validation_ground_truth.txt", "1\n2\n");
  expect_dataset_error(t.str(), o, {o.devkit_synsets + ":2:", "expected a WNID"});
  t.text("devkit.txt", "n01000000\nn02000000\n");
  o.synsets = t.text("model.txt", "n01000000 0 a\n");
  expect_dataset_error(t.str(), o, {o.devkit_synsets + ":2:", "WNID n02000000 is not in"});
}

TEST(DatasetMalformed, SynsetsFoldersAndRaw) {
  temp_dir t;
  t.image("d/n01000000/a.png"), t.image("d/n02000000/a.png");
  sfc::dataset_options o;
  o.synsets = t.text("s.txt", "n01000000 0 a\nn02000000 5 b\n");
  expect_dataset_error(t / "d", o, {o.synsets + ":2:", "class index 5"});
  o.synsets = t.text("s.txt", "n01000000\nn01000000\n");
  expect_dataset_error(t / "d", o, {o.synsets + ":2:", "duplicate entry"});
  o.synsets = t.text("s.txt", "n01000000\n");
  expect_dataset_error(t / "d", o, {"n02000000", "is not in " + o.synsets});
  sfc::dataset_options c;
  c.layout = sfc::dataset_layout::cifar_folders;
  c.labels = t.text("names.txt", "n01000000\n");
  expect_dataset_error(t / "d", c, {"folder name 'n02000000' is not a class"});
  // raw-u8: label count, bad integers, size.
  t.text("r/x.bin", std::string(24, '\0'));
  sfc::dataset_options r;
  r.raw_height = r.raw_width = 2;
  r.raw_labels = t.text("r/labels.txt", "1\n2\n3\n");
  expect_dataset_error(t / "r/x.bin", r, {r.raw_labels, "3 labels but", "holds 2 images"});
  t.text("r/labels.txt", "1\nx\n");
  expect_dataset_error(t / "r/x.bin", r, {r.raw_labels + ":2:", "not an integer"});
  r.raw_height = 3;
  expect_dataset_error(t / "r/x.bin", r, {"x.bin", "not a whole number of 3x2x3 images"});
  r.raw_height = 0;
  expect_dataset_error(t / "r/x.bin", r, {"needs the image size"});
  // Paths and detection.
  expect_dataset_error(t / "nope", {}, {"nope", "no such file"});
  std::filesystem::create_directories(t / "empty");
  expect_dataset_error(t / "empty", {}, {"cannot detect the dataset layout"});
}

}  // namespace
