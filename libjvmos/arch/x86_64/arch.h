// The arch/x86_64 interface: everything above arch/ uses only this. Two backends implement the
// privileged operations — hardware virtualisation (ring 0: lidt, invlpg, hlt, sysret) and the
// kvm_pvm paravirtual native mode (VIF page, hypercalls, int-gate returns; shared/PVM.md) —
// chosen once at boot from the monitor's detection, which the PV backend confirms.
#pragma once

#include "arch/x86_64/frame.h"
#include "arch/x86_64/percpu.h"
#include "base/types.h"
#include "jvmos/abi/abi.h"

namespace jvmos::arch {

enum class BackendKind : u8 { Hardware, Paravirtual };

struct BackendOps {
    const char* name;
    BackendKind kind;
    // Per-vCPU setup after the common part (IDT built, TSS filled): load the IDT, syscall MSRs.
    void (*init_cpu)(PerCpu& cpu, u64 idt_base, u16 idt_limit);
    void (*flush_tlb_page)(u64 va);
    void (*flush_tlb_all)();
    // Makes the page table rooted at `root_gpa` (the kernel root; the PV user root is root +
    // 0x1000) this vCPU's; the TLB's non-global entries go with the old one (no PCID).
    void (*load_page_table)(u64 root_gpa);
    // Waits until an interrupt arrives (interrupts enabled while waiting).
    void (*wait_for_interrupt)();
    // Address of the last page fault on this vCPU.
    u64 (*fault_address)();
    // Interrupt flag (the real one, or the PV virtual one).
    void (*irq_enable)();
    void (*irq_disable)();
};

extern const BackendOps BACKEND_HW;
extern const BackendOps BACKEND_PV;

// The backend in use (valid after init_boot_cpu).
const BackendOps& backend();
bool is_pv();

// Sets up vCPU 0: GS/per-CPU area, TSS stacks, IDT, syscall MSRs, FPU/XSAVE state. Panics with
// a clear message if the monitor's backend choice does not hold on this vCPU.
void init_boot_cpu(const jvmos_boot_info& boot);
// Sets up another vCPU (`index` >= 1) the same way, after init_boot_cpu ran on vCPU 0, except
// its exception (IST) stacks: set_ist_stacks() gives it IST_STACKS_SIZE bytes of kernel memory
// once it can allocate.
void init_ap_cpu(const jvmos_boot_info& boot, u32 index);
void set_ist_stacks(void* stacks);
inline constexpr usize IST_STACKS_SIZE = 3 * 16 * KiB;
// The calling vCPU's index (0 = the boot vCPU).
inline u32 cpu_index() { return this_cpu()->index; }
// Sends interrupt `vector` to the vCPU with index `cpu` (x2APIC fixed IPI; APIC id = index).
void send_ipi(u32 cpu, u8 vector);

// The XSAVE area size for the enabled state components, and the component mask.
usize xsave_area_size();
u64 xsave_mask();
// Saves/restores the user's extended state (64-byte aligned area of xsave_area_size()).
void xsave(void* area);
void xrstor(const void* area);
// Fills `area` with the state a new process starts with (x87 and SSE defaults, rest init).
void xsave_init_area(void* area);

// Switches to `frame` (on a kernel stack) and returns to user mode through it.
[[noreturn]] void enter_user(TrapFrame* frame);

// Sets the kernel stack used for entries from user mode on this vCPU.
void set_kernel_stack(u64 top);

// Signals end of interrupt to this vCPU's local APIC (x2APIC).
void apic_eoi();

// Sets the user's FS / GS base on this vCPU.
void set_user_fs_base(u64 base);
void set_user_gs_base(u64 base);

} // namespace jvmos::arch

extern "C" {
// Called by entry.S.
void jvmos_kernel_main(jvmos_boot_info* boot);
// Entry of the other vCPUs (RSI = index >= 1).
[[noreturn]] void jvmos_ap_main(jvmos_boot_info* boot, jvmos::u64 index);
// Returns nonzero if the return to user must restore every register from the frame
// (rt_sigreturn, signal delivery, a changed RIP that sysret cannot take).
jvmos::u64 jvmos_syscall_entry(jvmos::arch::TrapFrame* frame);
void jvmos_trap_entry(jvmos::arch::TrapFrame* frame);
}
