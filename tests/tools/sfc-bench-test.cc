// sfc_bench --layer: the engine runs every implementation kind and reports sane rows; the CLI
// rejects bad flags with a clear message and a non-zero status.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "tools/sfc_bench/layer-bench.h"

namespace {

TEST(LayerBench, RunsAllImplementationKindsInterleaved) {
  sfc::layer_bench_options o;
  o.p.ic = 16, o.p.oc = 16, o.p.h = o.p.w = 14, o.p.kh = o.p.kw = 3;
  o.p.pad_t = o.p.pad_l = o.p.pad_b = o.p.pad_r = 1;
  o.impls = {"sfc6_7x7_3x3", "scalar:sfc4_4x4_3x3", "onednn", "xnnpack", "ref", "sfc6_6x6_5x5"};
  o.runs = 3, o.warmup = 1;
  const auto rows = sfc::run_layer_bench(o);
  ASSERT_EQ(rows.size(), o.impls.size());
  for (size_t i = 0; i + 1 < rows.size(); i++) {
    EXPECT_TRUE(rows[i].error.empty()) << rows[i].name << ": " << rows[i].error;
    EXPECT_GT(rows[i].median_ms, 0) << rows[i].name;
    EXPECT_LE(rows[i].min_ms, rows[i].median_ms);
    EXPECT_LE(rows[i].median_ms, rows[i].max_ms);
  }
  EXPECT_NEAR(rows[2].ratio_vs_onednn, 1.0, 1e-12);
  EXPECT_FALSE(rows.back().error.empty()) << "a 5x5 algorithm cannot run a 3x3 layer";
  const std::string json = sfc::layer_bench_json(o, rows);
  EXPECT_NE(json.find("\"impl\": \"onednn\""), std::string::npos);
  EXPECT_NE(sfc::layer_bench_table(o, rows).find("vs oneDNN"), std::string::npos);
}

int run_cli(const std::string& args, std::string* err) {
  const std::string f = "/tmp/sfc_bench_test_err_" + std::to_string(getpid());
  const int rc = std::system((std::string(SFC_BENCH_BIN) + " " + args + " >/dev/null 2>" + f).c_str());
  std::ifstream in(f);
  err->assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  std::remove(f.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

TEST(SfcBenchCli, BadFlags) {
  const std::pair<std::string, std::string> cases[] = {
      {"--layer --ic 0", "--ic"}, {"--layer --bogus", "unknown option"}, {"", "--layer"},
      {"--layer --k", "needs a value"}, {"--layer --hw 2 --k 7 --pad 0", "output"}};
  for (const auto& c : cases) {
    std::string err;
    EXPECT_EQ(run_cli(c.first, &err), 2) << c.first;
    EXPECT_NE(err.find(c.second), std::string::npos) << c.first << " -> " << err;
  }
  std::string err;
  EXPECT_EQ(run_cli("--layer --ic 8 --oc 8 --hw 7 --runs 2 --warmup 0 --impl onednn,ref --json /tmp/sfc_bench_test.json", &err), 0) << err;
  std::ifstream j("/tmp/sfc_bench_test.json");
  EXPECT_TRUE(j.good());
}

}  // namespace
