// CPU feature detection and the ISA ladder (house style §6).
//   x86-64: scalar < avx2 (AVX2+FMA, OS YMM state) < avx512vnni (AVX-512 F/BW/DQ/VL + VNNI, OS ZMM state)
//   AArch64: scalar < neon < neondot (HWCAP asimddp)
// SFC_MAX_ISA=scalar|avx2|avx512vnni|neon|neondot caps the level (downward only; an unknown value
// or one above the hardware is ignored with a note). SFC_VERBOSE=dispatch asks for dispatch logs.
#pragma once
#include <string>

namespace sfc {

enum class isa_level { scalar = 0, avx2 = 1, avx512vnni = 2, neon = 3, neondot = 4 };

const char* isa_name(isa_level l);
// Parses "scalar", "avx2", ...; returns false for unknown names.
bool isa_from_name(const std::string& name, isa_level* out);

struct cpu_features {
  bool avx2 = false, fma = false, os_ymm = false;
  bool avx512f = false, avx512bw = false, avx512dq = false, avx512vl = false, avx512vnni = false;
  bool os_zmm = false;
  bool neon = false, neondot = false;
  isa_level best = isa_level::scalar;  // highest level the CPU and OS support (and the build has)
  std::string describe() const;        // "avx2 fma avx512f ... -> avx512vnni"
};

// Detected once (thread-safe); pure hardware + OS facts, no environment.
const cpu_features& detect_cpu();

// Whether level `l` can run here (same architecture family and not above `best`).
bool isa_supported(isa_level l);

// The level to use: min(best, cap) where cap comes from `requested` if given, else SFC_MAX_ISA.
// `note` (optional) receives an explanation when the environment value was ignored.
isa_level effective_isa(const std::string& requested = "", std::string* note = nullptr);

// effective_isa() capped by a caller's max_isa within max_isa's own family: an x86 cap (e.g. a
// layer's avx512vnni default) does not cut the ARM tiers of an ARM build, nor an ARM cap the x86
// tiers (isa_level ranks neon / neondot above every x86 level). scalar caps everything.
isa_level effective_isa_capped(isa_level max_isa);

// True when SFC_VERBOSE contains "dispatch".
bool verbose_dispatch();

}  // namespace sfc
