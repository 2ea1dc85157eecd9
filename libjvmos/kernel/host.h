// Requests to the monitor's userspace through the hypercall port (abi.h). Each one is a full
// exit (~25 us on kvm_pvm): rare events only — logging, panics, exit, ship setup.
#pragma once

#include "base/types.h"
#include "jvmos/abi/abi.h"

namespace jvmos::kernel {

// Issues one request; returns the monitor's result. `args` beyond those given are zero.
i64 host_request(u32 op, u64 a0 = 0, u64 a1 = 0, u64 a2 = 0);

// Writes text to the monitor's stderr (strace lines, kernel messages).
void host_log(const char* text, usize len);


[[noreturn]] void host_exit(int status);
[[noreturn]] void host_killed(int signal, const char* report, usize len);

// Guest-physical address of a kernel-image / physmap virtual address.
inline u64 kernel_va_to_gpa(const void* p) {
    return reinterpret_cast<u64>(p) - JVMOS_PHYSMAP_BASE;
}
template <typename T> inline T* gpa_to_kernel_va(u64 gpa) {
    return reinterpret_cast<T*>(JVMOS_PHYSMAP_BASE + gpa);
}

} // namespace jvmos::kernel
