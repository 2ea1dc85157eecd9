// Thin wrappers over x86-64 instructions. Privileged ones trap to the hypervisor on a kvm_pvm
// host (and are emulated, ~1 us each); keep them off hot paths.
#pragma once

#include "base/types.h"

namespace jvmos::arch {

inline constexpr u32 MSR_EFER = 0xc0000080;
inline constexpr u32 MSR_STAR = 0xc0000081;
inline constexpr u32 MSR_LSTAR = 0xc0000082;
inline constexpr u32 MSR_SFMASK = 0xc0000084;
inline constexpr u32 MSR_FS_BASE = 0xc0000100;
inline constexpr u32 MSR_GS_BASE = 0xc0000101;
inline constexpr u32 MSR_KERNEL_GS_BASE = 0xc0000102;
inline constexpr u32 MSR_TSC_DEADLINE = 0x6e0;
inline constexpr u32 MSR_X2APIC_EOI = 0x80b;
inline constexpr u32 MSR_X2APIC_ICR = 0x830;
inline constexpr u32 MSR_TSC_AUX = 0xc0000103;
inline constexpr u32 MSR_X2APIC_LVT_TIMER = 0x832;

inline u64 rdmsr(u32 msr) {
    u32 lo, hi;
    asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return (u64(hi) << 32) | lo;
}

inline void wrmsr(u32 msr, u64 v) {
    asm volatile("wrmsr" : : "c"(msr), "a"(u32(v)), "d"(u32(v >> 32)) : "memory");
}

inline u64 rdtsc() {
    u32 lo, hi;
    asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (u64(hi) << 32) | lo;
}

struct CpuidResult {
    u32 eax, ebx, ecx, edx;
};

inline CpuidResult cpuid(u32 leaf, u32 subleaf = 0) {
    CpuidResult r;
    asm volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
                 : "a"(leaf), "c"(subleaf));
    return r;
}

inline u64 xgetbv(u32 index) {
    u32 lo, hi;
    asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(index));
    return (u64(hi) << 32) | lo;
}

inline void xsetbv(u32 index, u64 v) {
    asm volatile("xsetbv" : : "c"(index), "a"(u32(v)), "d"(u32(v >> 32)));
}

inline u64 read_cr2() {
    u64 v;
    asm volatile("mov %%cr2, %0" : "=r"(v));
    return v;
}
inline u64 read_cr4() {
    u64 v;
    asm volatile("mov %%cr4, %0" : "=r"(v));
    return v;
}
inline void write_cr4(u64 v) { asm volatile("mov %0, %%cr4" : : "r"(v) : "memory"); }
inline u64 read_cr3() {
    u64 v;
    asm volatile("mov %%cr3, %0" : "=r"(v));
    return v;
}
inline void write_cr3(u64 v) { asm volatile("mov %0, %%cr3" : : "r"(v) : "memory"); }

inline void cpu_relax() { asm volatile("pause"); }

inline bool rdrand64(u64* out) {
    unsigned char ok;
    asm volatile("rdrand %0; setc %1" : "=r"(*out), "=qm"(ok));
    return ok;
}
inline bool rdseed64(u64* out) {
    unsigned char ok;
    asm volatile("rdseed %0; setc %1" : "=r"(*out), "=qm"(ok));
    return ok;
}

inline bool is_canonical(u64 va) {
    return (u64(i64(va << 16) >> 16)) == va;
}

} // namespace jvmos::arch
