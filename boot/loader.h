// Placing the guest kernel and the boot data in guest memory before the first KVM_RUN (after
// that the monitor must not edit guest page tables: shared/PVM.md 1.2).
#pragma once

#include "guest_memory.h"
#include "jvmos/abi/abi.h"

#include <cstdint>
#include <string>
#include <vector>

namespace jvmos::boot {

struct LoadedKernel {
    uint64_t entry;    // virtual (physmap) address
    uint64_t phys_end; // first GPA after the image
};

// Loads the libjvmos ELF image at its physical addresses. Throws std::runtime_error if the
// file is missing or malformed.
LoadedKernel load_kernel(const GuestMemory& mem, const std::string& path);

struct BootPlan {
    uint32_t backend; // JVMOS_BACKEND_*
    uint32_t flags;   // JVMOS_BOOT_*
    uint32_t cpus;
    std::vector<std::string> argv; // argv[0] as the program sees it
    std::vector<std::string> envp;
    std::string execfn;            // path given to "execve"
};

// Writes the page tables, per-vCPU GDT/TSS, the argument strings and the
// boot info. Returns the boot info's GPA.
uint64_t write_boot_data(const GuestMemory& mem, const LoadedKernel& kernel, const BootPlan& plan);

} // namespace jvmos::boot

namespace jvmos::boot {
// Samples the host TSC and clocks together into the boot info (call right after setting the
// vCPUs' TSC to the host's, so that guest TSC readings convert to host time).
void stamp_boot_time(const GuestMemory& mem, uint64_t boot_info_gpa, uint64_t tsc_khz);
} // namespace jvmos::boot
