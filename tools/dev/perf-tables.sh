#!/usr/bin/env bash
# Regenerates the tables of docs/performance.md: runs sfc_bench --layer over the issue's shape
# list (each row one process: sfc variants, oneDNN direct and Winograd, XNNPACK, interleaved) and
# sfc_bench --model, writes JSON into $OUT (default /tmp/sfc-perf) and prints Markdown.
#   tools/dev/perf-tables.sh [build-dir]
set -euo pipefail
B=${1:-build}
OUT=${OUT:-/tmp/sfc-perf}
RUNS=${RUNS:-100}
mkdir -p "$OUT"
bench=$B/tools/sfc_bench
layer() {  # name args...
  local name=$1; shift
  local args=("$@")
  # Multi-threaded rows leave XNNPACK out: its pthreadpool keeps spinning after a run and takes
  # the cores from the OpenMP team of whatever runs next (seen as 10x slower SFC rows).
  if [[ "$name" == *_t2* ]]; then
    for i in "${!args[@]}"; do args[$i]=${args[$i]//,xnnpack/}; done
  fi
  "$bench" --layer --runs "$RUNS" --json "$OUT/$name.json" "${args[@]}" > "$OUT/$name.txt"
}
for t in 1 2; do
  # XNNPACK only at 1 thread: with 2, its pool's workers keep spinning after each run and take a
  # core from the OpenMP implementations interleaved with it (docs/performance.md, session 7).
  xnn=""; if [ "$t" = 1 ]; then xnn=",xnnpack"; fi
  for n in 1 8; do
    layer "k3_56x64_n${n}_t${t}"  --ic 64  --oc 64  --hw 56 --k 3 --batch $n --threads $t --impl sfc6_7x7_3x3,sfc4_4x4_3x3,wino_4x4_3x3,exact:sfc6_7x7_3x3,onednn,onednn_wino$xnn
    layer "k3_28x128_n${n}_t${t}" --ic 128 --oc 128 --hw 28 --k 3 --batch $n --threads $t --impl sfc6_7x7_3x3,sfc4_4x4_3x3,wino_4x4_3x3,exact:sfc6_7x7_3x3,onednn,onednn_wino$xnn
    layer "k3_14x256_n${n}_t${t}" --ic 256 --oc 256 --hw 14 --k 3 --batch $n --threads $t --impl sfc6_7x7_3x3,sfc4_4x4_3x3,wino_4x4_3x3,exact:sfc6_7x7_3x3,onednn,onednn_wino$xnn
    layer "k3_7x512_n${n}_t${t}"  --ic 512 --oc 512 --hw 7  --k 3 --batch $n --threads $t --impl sfc6_7x7_3x3,sfc4_4x4_3x3,wino_4x4_3x3,onednn,onednn_wino$xnn
  done
  layer "k5_56x64_t${t}"  --ic 64  --oc 64  --hw 56 --k 5 --threads $t --impl sfc6_6x6_5x5,exact:sfc6_6x6_5x5,onednn$xnn
  layer "k5_28x128_t${t}" --ic 128 --oc 128 --hw 28 --k 5 --threads $t --impl sfc6_6x6_5x5,exact:sfc6_6x6_5x5,onednn$xnn
  layer "k7_56x64_t${t}"  --ic 64  --oc 64  --hw 56 --k 7 --threads $t --impl sfc6_6x6_7x7,sfc6_4x4_7x7,onednn$xnn
  layer "k7_28x128_t${t}" --ic 128 --oc 128 --hw 28 --k 7 --threads $t --impl sfc6_6x6_7x7,sfc6_4x4_7x7,onednn$xnn
done
for s in "56 64" "28 128" "14 256"; do
  set -- $s
  layer "cold_k3_$1x$2" --ic $2 --oc $2 --hw $1 --k 3 --cold --impl sfc6_7x7_3x3,sfc4_4x4_3x3,wino_2x2_3x3,onednn,onednn_wino
  SFC_MAX_ISA=avx2 ONEDNN_MAX_CPU_ISA=avx2 layer "avx2_k3_$1x$2" --ic $2 --oc $2 --hw $1 --k 3 --impl sfc6_7x7_3x3,sfc4_4x4_3x3,exact:sfc6_7x7_3x3,onednn
done
# Pairs: one fast implementation and oneDNN direct, nothing else in the process. The rows above
# interleave up to seven implementations, whose weights evict each other from L2 between runs
# (docs/performance.md "cache-state sensitivity"); a pair is the layer as a network runs it when
# its neighbours are small. Both views are reported.
pair() {  # name impl args...
  local name=$1 impl=$2; shift 2
  "$bench" --layer --runs "${PAIR_RUNS:-150}" --json "$OUT/pair_$name.json" --impl "$impl,onednn" "$@" > "$OUT/pair_$name.txt"
}
for n in 1 8; do
  for s in "56 64" "28 128" "14 256" "7 512"; do
    set -- $s
    for a in sfc6_7x7_3x3 sfc4_4x4_3x3; do pair "k3_$1x$2_n${n}_$a" $a --ic $2 --oc $2 --hw $1 --k 3 --batch $n; done
  done
done
# The other fast paths beside oneDNN, batch 1, 1 thread (XNNPACK only at 1 thread: its pool's
# workers keep spinning after a run and take a core from the OpenMP runs that follow).
for s in "56 64" "28 128" "14 256" "7 512"; do
  set -- $s
  for a in wino_2x2_3x3 onednn_wino xnnpack; do pair "k3_$1x$2_n1_$a" $a --ic $2 --oc $2 --hw $1 --k 3; done
done
# Cold caches at 14²: weights from DRAM as inside a network (SFC-4: 3.2 MB, F(2×2): 1.05 MB).
for a in sfc4_4x4_3x3 wino_2x2_3x3; do pair "cold_k3_14x256_$a" $a --ic 256 --oc 256 --hw 14 --k 3 --cold; done
pair "stem_k7s2_224x3" smallc_direct --ic 3 --oc 64 --hw 224 --k 7 --stride 2 --pad 3
pair "stem_k7s2_224x3_n8" smallc_direct --ic 3 --oc 64 --hw 224 --k 7 --stride 2 --pad 3 --batch 8
for s in "56 64" "28 128"; do
  set -- $s
  pair "exact_k3_$1x$2" exact:sfc6_7x7_3x3 --ic $2 --oc $2 --hw $1 --k 3
  pair "k5_$1x$2" sfc6_6x6_5x5 --ic $2 --oc $2 --hw $1 --k 5
  pair "k7_$1x$2" sfc6_4x4_7x7 --ic $2 --oc $2 --hw $1 --k 7
  pair "k5_$1x$2_xnnpack" xnnpack --ic $2 --oc $2 --hw $1 --k 5
  pair "k7_$1x$2_xnnpack" xnnpack --ic $2 --oc $2 --hw $1 --k 7
  for a in sfc6_7x7_3x3 sfc4_4x4_3x3; do
    pair "t2_k3_$1x$2_$a" $a --ic $2 --oc $2 --hw $1 --k 3 --threads 2
    SFC_MAX_ISA=avx2 ONEDNN_MAX_CPU_ISA=avx2 pair "avx2_k3_$1x$2_$a" $a --ic $2 --oc $2 --hw $1 --k 3
  done
done
python3 - "$OUT" <<'PY'
import json, glob, os, sys
out = sys.argv[1]
print("| run | layer | batch | threads | impl | median ms | min ms | GMAC/s | vs oneDNN |")
print("|---|---|---|---|---|---|---|---|---|")
for f in sorted(glob.glob(os.path.join(out, "*.json"))):
    j = json.load(open(f)); L = j["layer"]
    shape = f'{L["k"]}x{L["k"]} {L["h"]}²×{L["ic"]}'
    for r in j["results"]:
        if "error" in r: continue
        print(f'| {os.path.basename(f)[:-5]} | {shape} | {L["n"]} | {j["threads"]} | {r["impl"]} | {r["median_ms"]:.4f} | {r["min_ms"]:.4f} | {r["gmacs"]:.0f} | {r["ratio_vs_onednn"]:.2f}× |')
PY
