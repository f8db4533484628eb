// The one main() of sfc_bench_layers: every benchmarks/*.cc registers its benchmarks statically
// (or with benchmark::RegisterBenchmark in a namespace-scope initializer) and must NOT define
// BENCHMARK_MAIN itself.
#include <benchmark/benchmark.h>

BENCHMARK_MAIN();
