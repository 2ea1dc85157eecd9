// Per-vCPU state. In kernel mode GS_BASE points at the vCPU's PerCpu on both backends (the PV
// host pre-flips GS on entry; the HW entry paths swapgs). The first fields are used by
// entry.S at the offsets in frame.h.
#pragma once

#include "arch/x86_64/frame.h"
#include "base/types.h"

namespace jvmos::arch {

struct Tss {
    u32 reserved0;
    u64 rsp[3];
    u64 reserved1;
    u64 ist[7];
    u64 reserved2;
    u16 reserved3;
    u16 iomap_base;
} __attribute__((packed));
static_assert(sizeof(Tss) == 104);

// kvm_pvm's shared "virtual interrupt flag" page (shared/PVM.md 1.5).
struct VifPage {
    volatile u8 if_;
    volatile u8 pending;
    u8 pad[6];
    volatile u64 cr2;
};

struct PerCpu {
    PerCpu* self;           // JVMOS_PERCPU_SELF
    u64 kernel_stack_top;   // JVMOS_PERCPU_KSTACK_TOP: syscall entry stack (= TSS.RSP0)
    u64 user_rsp;           // JVMOS_PERCPU_USER_RSP: scratch during syscall entry
    u64 iret_block[8];      // JVMOS_PERCPU_IRET_BLOCK: PV IRET_FRAME argument
    u32 index;
    u32 apic_id;
    VifPage* vif;           // PV only
    Tss* tss;
    u64* gdt;
};

// The calling vCPU's PerCpu (kernel mode only).
inline PerCpu* this_cpu() {
    PerCpu* p;
    asm volatile("mov %%gs:0, %0" : "=r"(p));
    return p;
}

} // namespace jvmos::arch
