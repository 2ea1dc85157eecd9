// The one file with every guest-physical address the monitor chooses. The guest learns all of
// them from struct jvmos_boot_info; only JVMOS_KERNEL_LOAD_GPA and the physmap base are fixed
// by the ABI (include/jvmos/abi/abi.h).
#pragma once

#include "jvmos/abi/abi.h"

#include <cstdint>

namespace jvmos::boot::layout {

inline constexpr uint64_t PAGE = 4096;

// [0, 0x1000) stays unused so that a guest null-pointer GPA is never meaningful.
inline constexpr uint64_t BOOT_INFO_GPA = 0x1000;    // struct jvmos_boot_info (one page)
inline constexpr uint64_t GDT_GPA = 0x2000;          // per-vCPU GDTs, GDT_STRIDE apart
inline constexpr uint64_t GDT_STRIDE = 128;          // JVMOS_GDT_ENTRIES * 8 = 80 bytes used
inline constexpr uint64_t TSS_GPA = 0x4000;          // per-vCPU TSSs, TSS_STRIDE apart
inline constexpr uint64_t TSS_STRIDE = 128;          // 104 bytes used
inline constexpr uint64_t BOOT_STACK_GPA = 0x10000;  // vCPU 0's boot stack [0x10000, 0x20000)
inline constexpr uint64_t BOOT_STACK_TOP_GPA = 0x20000;
inline constexpr uint64_t PML4_GPA = 0x20000;        // 8 KiB aligned: kernel root
inline constexpr uint64_t USER_PML4_GPA = 0x21000;   // zeroed; the PV backend's user-half root
inline constexpr uint64_t PDPT_GPA = 0x22000;        // physmap PDPT (covers 512 GiB)
inline constexpr uint64_t PD_GPA = 0x23000;          // physmap PDs, one per GiB of GPA space
inline constexpr uint64_t PD_LIMIT_GPA = JVMOS_KERNEL_LOAD_GPA;

// The 32-bit MMIO hole: RAM above 3 GiB is moved to 4 GiB and up, so that the in-kernel
// IOAPIC (0xfec00000) and LAPIC (0xfee00000) never shadow guest RAM; Intel's VMX also needs
// its TSS and identity-map pages there.
inline constexpr uint64_t LOW_RAM_LIMIT = 3ull << 30;
inline constexpr uint64_t HIGH_RAM_BASE = 4ull << 30;
inline constexpr uint64_t VMX_IDENTITY_MAP_GPA = 0xfffbc000;
inline constexpr uint64_t VMX_TSS_GPA = 0xfffbd000;

inline constexpr uint64_t MIN_MEM = 64ull << 20;  // below this a program cannot even load
// Each GiB of GPA space needs one PD page in [PD_GPA, PD_LIMIT_GPA).
inline constexpr uint64_t MAX_GPA = ((PD_LIMIT_GPA - PD_GPA) / PAGE) << 30;
inline constexpr uint64_t MAX_MEM = MAX_GPA - (HIGH_RAM_BASE - LOW_RAM_LIMIT);

inline constexpr uint64_t physmap(uint64_t gpa) { return JVMOS_PHYSMAP_BASE + gpa; }

static_assert(sizeof(jvmos_boot_info) <= PAGE);
static_assert(GDT_GPA + JVMOS_MAX_CPUS * GDT_STRIDE <= TSS_GPA);
static_assert(TSS_GPA + JVMOS_MAX_CPUS * TSS_STRIDE <= BOOT_STACK_GPA);
static_assert((PML4_GPA & 0x1fff) == 0, "the PV backend needs an 8 KiB aligned root pair");

} // namespace jvmos::boot::layout
