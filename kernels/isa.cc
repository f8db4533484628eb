#include "kernels/isa.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#if defined(__x86_64__) || defined(_M_X64)
#include <cpuid.h>
#define SFC_ARCH_X86_64 1
#elif defined(__aarch64__)
#include <sys/auxv.h>
#define SFC_ARCH_ARM64 1
#endif

namespace sfc {

const char* isa_name(isa_level l) {
  switch (l) {
    case isa_level::scalar: return "scalar";
    case isa_level::avx2: return "avx2";
    case isa_level::avx512vnni: return "avx512vnni";
    case isa_level::neon: return "neon";
    case isa_level::neondot: return "neondot";
  }
  return "?";
}

bool isa_from_name(const std::string& name, isa_level* out) {
  for (isa_level l : {isa_level::scalar, isa_level::avx2, isa_level::avx512vnni, isa_level::neon,
                      isa_level::neondot})
    if (name == isa_name(l)) {
      *out = l;
      return true;
    }
  return false;
}

namespace {

#if SFC_ARCH_X86_64
uint64_t xgetbv0() {
  uint32_t eax, edx;
  __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
  return (uint64_t(edx) << 32) | eax;
}

void detect_x86(cpu_features& f) {
  unsigned a, b, c, d;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return;
  const bool osxsave = c & (1u << 27);
  f.fma = c & (1u << 12);
  if (osxsave) {
    // XCR0: bits 1,2 = SSE/AVX (YMM) state; bits 5,6,7 = opmask/ZMM state.
    const uint64_t xcr0 = xgetbv0();
    f.os_ymm = (xcr0 & 0x6) == 0x6;
    f.os_zmm = f.os_ymm && (xcr0 & 0xE0) == 0xE0;
  }
  if (__get_cpuid_max(0, nullptr) >= 7) {
    __cpuid_count(7, 0, a, b, c, d);
    f.avx2 = b & (1u << 5);
    f.avx512f = b & (1u << 16);
    f.avx512dq = b & (1u << 17);
    f.avx512bw = b & (1u << 30);
    f.avx512vl = b & (1u << 31);
    f.avx512vnni = c & (1u << 11);
  }
  if (f.avx2 && f.fma && f.os_ymm) f.best = isa_level::avx2;
#if defined(SFC_HAVE_AVX512VNNI)
  if (f.best == isa_level::avx2 && f.avx512f && f.avx512bw && f.avx512dq && f.avx512vl &&
      f.avx512vnni && f.os_zmm)
    f.best = isa_level::avx512vnni;
#endif
#if !defined(SFC_HAVE_AVX2)
  f.best = isa_level::scalar;
#endif
}
#endif

#if SFC_ARCH_ARM64
void detect_arm64(cpu_features& f) {
  const unsigned long hw = getauxval(AT_HWCAP);
  f.neon = true;  // Advanced SIMD is mandatory on AArch64
  f.neondot = hw & (1ul << 20);  // HWCAP_ASIMDDP
  f.best = isa_level::neon;
#if defined(SFC_HAVE_NEONDOT)
  if (f.neondot) f.best = isa_level::neondot;
#endif
}
#endif

bool same_family(isa_level a, isa_level b) {
  auto arm = [](isa_level l) { return l == isa_level::neon || l == isa_level::neondot; };
  auto x86 = [](isa_level l) { return l == isa_level::avx2 || l == isa_level::avx512vnni; };
  if (a == isa_level::scalar || b == isa_level::scalar) return true;
  return (arm(a) && arm(b)) || (x86(a) && x86(b));
}

}  // namespace

std::string cpu_features::describe() const {
  std::string s;
  auto add = [&](bool on, const char* n) {
    if (on) s += std::string(s.empty() ? "" : " ") + n;
  };
  add(avx2, "avx2"), add(fma, "fma"), add(os_ymm, "os-ymm"), add(avx512f, "avx512f");
  add(avx512bw, "avx512bw"), add(avx512dq, "avx512dq"), add(avx512vl, "avx512vl");
  add(avx512vnni, "avx512vnni"), add(os_zmm, "os-zmm"), add(neon, "neon"), add(neondot, "asimddp");
  return (s.empty() ? std::string("(none)") : s) + " -> " + isa_name(best);
}

const cpu_features& detect_cpu() {
  static const cpu_features f = [] {
    cpu_features r;
#if SFC_ARCH_X86_64
    detect_x86(r);
#elif SFC_ARCH_ARM64
    detect_arm64(r);
#endif
    return r;
  }();
  return f;
}

bool isa_supported(isa_level l) {
  const isa_level best = detect_cpu().best;
  return l == isa_level::scalar || (same_family(l, best) && int(l) <= int(best));
}

isa_level effective_isa(const std::string& requested, std::string* note) {
  const isa_level best = detect_cpu().best;
  std::string cap = requested;
  if (cap.empty()) {
    const char* env = std::getenv("SFC_MAX_ISA");
    if (env) cap = env;
  }
  if (cap.empty()) return best;
  isa_level l;
  if (!isa_from_name(cap, &l)) {
    if (note) *note = "SFC_MAX_ISA='" + cap + "' is not a known ISA; ignored";
    return best;
  }
  if (!isa_supported(l)) {
    if (note) *note = "SFC_MAX_ISA=" + cap + " is above what this CPU/build supports (" + isa_name(best) + "); using " + isa_name(best);
    return best;
  }
  return l;
}

isa_level effective_isa_capped(isa_level max_isa) {
  const isa_level eff = effective_isa();
  const auto arm = [](isa_level l) { return l == isa_level::neon || l == isa_level::neondot; };
  const bool cross = max_isa != isa_level::scalar && eff != isa_level::scalar && arm(max_isa) != arm(eff);
  return cross ? eff : isa_level(std::min(int(max_isa), int(eff)));
}

bool verbose_dispatch() {
  const char* env = std::getenv("SFC_VERBOSE");
  return env && std::strstr(env, "dispatch") != nullptr;
}

}  // namespace sfc
