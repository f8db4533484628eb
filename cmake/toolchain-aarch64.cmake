# Cross-build sfc for AArch64 (edge boards) on a Debian 12 x86-64 host, and run it under QEMU:
#   cmake -S . -B build-arm64 -G Ninja -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-aarch64.cmake \
#         -DCMAKE_BUILD_TYPE=Release
#   cmake --build build-arm64 -j2 && ctest --test-dir build-arm64 -j2 -L 'core|isa|backends|tools|api'
# (label graph, whole networks, is slow under emulation: .ci/test runs a subset of it).
# Needs (.ci/setup, setup_arm64): g++-aarch64-linux-gnu, qemu-user, the arm64 multiarch -dev packages
# (dpkg --add-architecture arm64) and a side prefix for the few arm64 packages that cannot be
# co-installed with their amd64 twins (see SFC_ARM64_PREFIX below).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
# Debian multiarch: arm64 libraries live in /usr/lib/aarch64-linux-gnu, headers in /usr/include
# (shared) and /usr/include/aarch64-linux-gnu; no CMAKE_SYSROOT. The cross compiler searches
# both by itself; this makes find_library/find_package look in lib/aarch64-linux-gnu (and never in
# lib/x86_64-linux-gnu).
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)

# Side prefix: Debian 12's libxnnpack0/-dev and libpthreadpool0/-dev are not Multi-Arch: same, and
# libdnnl-dev and libcpuinfo-dev are Multi-Arch: same but ship an arch-dependent file at a shared
# path (dnnl_config.h, cpuinfo-targets-none.cmake), so dpkg refuses them next to the amd64 ones.
# .ci/setup extracts those arm64 .debs (dpkg-deb -x) into this prefix instead; it is searched
# before / so its dnnl_config.h and dnnl CMake config win over the amd64 copies in /usr.
if(DEFINED ENV{SFC_ARM64_PREFIX})
  set(SFC_ARM64_PREFIX "$ENV{SFC_ARM64_PREFIX}")
else()
  set(SFC_ARM64_PREFIX "/opt/sfc-arm64")
endif()
set(CMAKE_FIND_ROOT_PATH "${SFC_ARM64_PREFIX}" /)
# Programs (protoc, python3, ...) are host tools; libraries, headers and packages are the target's.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# gtest_discover_tests (at build time) and ctest run the test binaries through this. qemu-user's
# default CPU for aarch64 is "max" (ASIMD + dotprod: HWCAP asimddp), so neon and neondot kernels
# both run.
# The ELF interpreter: with multiarch libc6:arm64 installed (it comes with the arm64 -dev packages)
# /lib/ld-linux-aarch64.so.1 exists and qemu needs no -L. Do NOT add -L /usr/aarch64-linux-gnu then:
# qemu would take ld.so from the cross toolchain's glibc (2.36-8cross1) while that ld.so still
# loads libc.so.6 from /lib/aarch64-linux-gnu (2.36-9+deb12uN); the mix hangs multi-threaded
# (OpenMP) programs at exit. -L is only the fallback for a host without libc6:arm64.
if(EXISTS /lib/ld-linux-aarch64.so.1)
  set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64)
else()
  set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64 -L /usr/aarch64-linux-gnu)
endif()
