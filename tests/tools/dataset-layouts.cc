// sfc_eval's dataset readers (tools/common/dataset.h): every layout from small fixtures written
// here, auto-detection, and the devkit id -> WNID -> model index mapping.
#include <map>

#include "tests/tools/dataset-test-util.h"

namespace {

using sfc_test::labels_by_file;
using sfc_test::temp_dir;

TEST(DatasetLayouts, ImagenetFoldersSortedWnidsOrSynsetFile) {
  temp_dir t;
  t.image("val/n02000000/a.JPEG"), t.image("val/n01000000/b.JPEG"), t.image("val/n01000000/c.JPEG");
  sfc::dataset d = sfc::open_dataset(t / "val");
  EXPECT_EQ(d.layout, sfc::dataset_layout::imagenet_folders);
  EXPECT_EQ(labels_by_file(d, t / "val"),
            (std::map<std::string, int>{{"n01000000/b.JPEG", 0}, {"n01000000/c.JPEG", 0}, {"n02000000/a.JPEG", 1}}));
  EXPECT_EQ(d.load(0).width, 2);
  // A synset file fixes the model order (and may hold classes without images).
  sfc::dataset_options o;
  o.synsets = t.text("synsets.txt", "n09999999 0 other\nn02000000 1 second\nn01000000 2 first class\n");
  d = sfc::open_dataset(t / "val", o);
  EXPECT_EQ(labels_by_file(d, t / "val")["n02000000/a.JPEG"], 1);
  EXPECT_EQ(labels_by_file(d, t / "val")["n01000000/b.JPEG"], 2);
  ASSERT_EQ(d.class_names.size(), 3u);
  EXPECT_EQ(d.class_names[2], "first class");
}

TEST(DatasetLayouts, LocCsv) {
  temp_dir t;
  t.image("ILSVRC2012_val_00000001.JPEG"), t.image("ILSVRC2012_val_00000002.JPEG");
  t.text("LOC_val_solution.csv",
         "ImageId,PredictionString\nILSVRC2012_val_00000002,n01000000 1 2 3 4 n01000000 5 6 7 8\n"
         "ILSVRC2012_val_00000001,n03000000 10 20 30 40\n");
  sfc::dataset d = sfc::open_dataset(t.str());
  EXPECT_EQ(d.layout, sfc::dataset_layout::loc_csv);
  EXPECT_EQ(labels_by_file(d, t.str()),
            (std::map<std::string, int>{{"ILSVRC2012_val_00000001.JPEG", 1}, {"ILSVRC2012_val_00000002.JPEG", 0}}));
  sfc::dataset_options o;
  o.synsets = t.text("s.txt", "n03000000\nn02000000\nn01000000\n");
  d = sfc::open_dataset(t.str(), o);
  EXPECT_EQ(labels_by_file(d, t.str())["ILSVRC2012_val_00000001.JPEG"], 0);
  EXPECT_EQ(labels_by_file(d, t.str())["ILSVRC2012_val_00000002.JPEG"], 2);
}

TEST(DatasetLayouts, DevkitMapsIdsThroughItsOwnClassOrder) {
  temp_dir t;
  for (int k = 1; k <= 4; k++) t.image("ILSVRC2012_val_0000000" + std::to_string(k) + ".JPEG");
  // Ground truth in devkit ids; the devkit's class order is a permutation of the sorted WNIDs.
  t.text("ILSVRC2012_validation_ground_truth.txt", "3\n1\n2\n3\n");
  sfc::dataset_options o;
  o.devkit_synsets = t.text("devkit.txt", "n03000000\nn01000000\nn02000000\n");
  sfc::dataset d = sfc::open_dataset(t.str(), o);
  EXPECT_EQ(d.layout, sfc::dataset_layout::devkit);
  // id 1 -> n03000000 -> index 2 (sorted), id 2 -> n01000000 -> 0, id 3 -> n02000000 -> 1.
  EXPECT_EQ(labels_by_file(d, t.str()),
            (std::map<std::string, int>{{"ILSVRC2012_val_00000001.JPEG", 1},
                                        {"ILSVRC2012_val_00000002.JPEG", 2},
                                        {"ILSVRC2012_val_00000003.JPEG", 0},
                                        {"ILSVRC2012_val_00000004.JPEG", 1}}));
  // With the model's own synset order.
  o.synsets = t.text("model.txt", "n02000000 0 b\nn03000000 1 c\nn01000000 2 a\n");
  d = sfc::open_dataset(t.str(), o);
  EXPECT_EQ(labels_by_file(d, t.str())["ILSVRC2012_val_00000001.JPEG"], 0);
  EXPECT_EQ(labels_by_file(d, t.str())["ILSVRC2012_val_00000002.JPEG"], 1);
  EXPECT_EQ(labels_by_file(d, t.str())["ILSVRC2012_val_00000003.JPEG"], 2);
}

TEST(DatasetLayouts, LabelsCsvWithIntegerAndNameLabels) {
  temp_dir t;
  t.image("imgs/x.png"), t.image("imgs/y.png"), t.image("imgs/z.png");
  t.text("labels.csv", "file,label\nimgs/x.png,2\nimgs/y.png,0\n");
  sfc::dataset d = sfc::open_dataset(t.str());
  EXPECT_EQ(d.layout, sfc::dataset_layout::labels_csv);
  EXPECT_EQ(labels_by_file(d, t.str()), (std::map<std::string, int>{{"imgs/x.png", 2}, {"imgs/y.png", 0}}));
  // Names (--labels) and WNIDs (--synsets), no header; a csv file can be given directly.
  const std::string csv = t.text("named.csv", "imgs/x.png,cat\nimgs/y.png,n00000002\nimgs/z.png,1\n");
  sfc::dataset_options o;
  o.labels = t.text("names.txt", "dog\ncat\nbird\n");
  o.synsets = t.text("syn.txt", "n00000000\nn00000001\nn00000002\n");
  d = sfc::open_dataset(csv, o);
  EXPECT_EQ(labels_by_file(d, t.str()), (std::map<std::string, int>{{"imgs/x.png", 1}, {"imgs/y.png", 2}, {"imgs/z.png", 1}}));
}

TEST(DatasetLayouts, CifarFoldersByLabelsFileOrSortedNames) {
  temp_dir t;
  t.image("c/truck/0.png"), t.image("c/airplane/0.jpg"), t.image("c/cat/1.png"), t.image("c/cat/0.png");
  sfc::dataset d = sfc::open_dataset(t / "c");
  EXPECT_EQ(d.layout, sfc::dataset_layout::cifar_folders);
  EXPECT_EQ(labels_by_file(d, t / "c"),
            (std::map<std::string, int>{{"airplane/0.jpg", 0}, {"cat/0.png", 1}, {"cat/1.png", 1}, {"truck/0.png", 2}}));
  EXPECT_EQ(d.items[1].path, t / "c/cat/0.png");  // sorted within a class
  sfc::dataset_options o;
  o.labels = t.text("cifar10.txt", "airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n");
  d = sfc::open_dataset(t / "c", o);
  EXPECT_EQ(labels_by_file(d, t / "c"),
            (std::map<std::string, int>{{"airplane/0.jpg", 0}, {"cat/0.png", 3}, {"cat/1.png", 3}, {"truck/0.png", 9}}));
  EXPECT_EQ(d.class_names.size(), 10u);
}

TEST(DatasetLayouts, RawU8) {
  temp_dir t;
  std::string bytes;
  for (int i = 0; i < 3; i++) bytes += std::string(2 * 2 * 3, char(10 * (i + 1)));
  const std::string bin = t.text("raw/images_u8.bin", bytes);
  t.text("raw/labels_3.txt", "4\n0\n9\n");
  sfc::dataset_options o;
  o.raw_height = o.raw_width = 2;
  for (const std::string& path : {bin, t / "raw"}) {  // the .bin, or its folder
    sfc::dataset d = sfc::open_dataset(path, o);
    EXPECT_EQ(d.layout, sfc::dataset_layout::raw_u8);
    ASSERT_EQ(d.size(), 3u);
    EXPECT_EQ(d.items[0].label, 4);
    EXPECT_EQ(d.items[2].label, 9);
    const sfc::image im = d.load(1);
    EXPECT_EQ(im.width, 2);
    EXPECT_EQ(im.rgb[0], 20);
  }
}

TEST(DatasetLayouts, ForcedLayoutAndNames) {
  EXPECT_EQ(sfc::dataset_layout_from_name("loc-csv"), sfc::dataset_layout::loc_csv);
  EXPECT_STREQ(sfc::dataset_layout_name(sfc::dataset_layout::raw_u8), "raw-u8");
  EXPECT_THROW(sfc::dataset_layout_from_name("coco"), sfc::error);
  temp_dir t;
  t.image("n01000000/a.png");
  sfc::dataset_options o;
  o.layout = sfc::dataset_layout::cifar_folders;  // WNID folders read as plain class folders
  EXPECT_EQ(sfc::open_dataset(t.str(), o).layout, sfc::dataset_layout::cifar_folders);
}

}  // namespace
