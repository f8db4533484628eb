// How the fast-convolution layers (q8-layer.cc, q16-layer.cc) split one run over threads. A work
// item is a range of tiles [t0, t1) (at most one block) and a group of output-channel chunks; the
// input transform is done per item, so splitting channels repeats it. Per thread:
//   - 1 thread: blocks of `block` tiles, all channels;
//   - by tiles: thread s takes the tiles [s·n/T, (s+1)·n/T) in blocks, all channels (balanced to
//     one tile; used when every thread gets at least one full block);
//   - by channels: every thread takes every block, thread s the channel group s (when the chunks
//     divide evenly: the input transform, ~5-15 % of the time, is repeated per thread);
//   - otherwise (few tiles): (block, group) items dealt out in order.
// Every output byte is computed the same way whatever the split, so results do not depend on the
// thread count.
#pragma once
#include <algorithm>
#include <cstdint>
#include <vector>

namespace sfc {

struct fastconv_work_item {
  int t0 = 0, t1 = 0, group = 0;
};

struct fastconv_work_split {
  int ngroups = 1;
  std::vector<std::vector<fastconv_work_item>> per_thread;  // [thread] items in order

  fastconv_work_split(int tiles, int block, int chunks, int threads) {
    const int T = std::max(1, threads);
    per_thread.resize(size_t(T));
    auto blocks = [&](int s, int a, int b, int group) {
      for (int t = a; t < b; t += block) per_thread[size_t(s)].push_back({t, std::min(b, t + block), group});
    };
    if (T == 1) {
      blocks(0, 0, tiles, 0);
      return;
    }
    if (tiles >= T * block) {  // by tiles
      for (int s = 0; s < T; ++s) blocks(s, int(int64_t(s) * tiles / T), int(int64_t(s + 1) * tiles / T), 0);
      return;
    }
    if (chunks % T == 0) {  // by channels
      ngroups = T;
      for (int s = 0; s < T; ++s) blocks(s, 0, tiles, s);
      return;
    }
    const int nblocks = (tiles + block - 1) / block;  // few tiles: (block, group) items in order
    ngroups = std::min(chunks, (T + nblocks - 1) / nblocks);
    const int items = nblocks * ngroups;
    for (int it = 0; it < items; ++it) {
      const int b = it / ngroups, s = int(int64_t(it) * T / items);
      per_thread[size_t(s)].push_back({b * block, std::min(tiles, (b + 1) * block), it % ngroups});
    }
  }
  int threads() const { return int(per_thread.size()); }
};

}  // namespace sfc
