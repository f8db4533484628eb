// Transform-domain scratch of the calling thread, shared by every fast-convolution layer (int8
// and exact int16) that runs on it: the layers of a network reuse the same U / mi lines, which
// stay in L2 from one layer to the next, instead of each layer writing its own cold buffers (up
// to 0.55 MB per SFC-6(7×7) layer at 56²). Each thread (each OpenMP worker, each application
// thread running a session) has its own; a buffer grows to the largest request and is kept until
// the thread exits. Not for use across a call that may run another layer on the same thread.
#pragma once
#include <cstddef>
#include <cstdint>

namespace sfc {

enum class thread_scratch_slot { u = 0, m = 1 };

// 64-byte aligned, at least `bytes` long; contents unspecified.
uint8_t* fastconv_thread_scratch(thread_scratch_slot slot, size_t bytes);

}  // namespace sfc
