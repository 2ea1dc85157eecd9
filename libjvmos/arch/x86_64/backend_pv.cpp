// The kvm_pvm paravirtual backend (shared/PVM.md): the kernel runs natively at hardware CPL3
// with a registered VIF page (done in entry.S before anything else), two page-table roots
// (kernel, and kernel|0x1000 holding the user half only), hypercalls through `int $0x1b`, and
// returns to user through `int $0x19` (syscalls) or the IRET_FRAME hypercall.
#include "arch/x86_64/arch.h"

#include "arch/x86_64/cpu.h"
#include "kernel/panic.h"
#include "kernel/stats.h"

extern "C" void jvmos_pv_syscall_entry();
extern "C" jvmos::u8 jvmos_vif_pages[][4096];

// Each vCPU's VIF page (registered by _start, indexed by vCPU). Page aligned, in the image so
// their GPAs are known.
alignas(4096) jvmos::u8 jvmos_vif_pages[JVMOS_MAX_CPUS][4096];

namespace jvmos::arch {
namespace {

constexpr u32 MSR_PVM_SIGNATURE = 0x4b564d11;
constexpr u64 PVM_SIGNATURE = 0x4d5650;

enum : u64 {
    HC_SET_CR3 = 0x1001,
    HC_LOAD_IDT = 0x1005,
    HC_FLUSH_TLB = 0x1007,
    HC_FLUSH_TLB_ONE = 0x1008,
    HC_HALT = 0x1009,
};

inline u64 hypercall(u64 nr, u64 a = 0, u64 b = 0, u64 c = 0) {
    u64 ret;
    asm volatile("int $0x1b" : "=a"(ret) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
    return ret;
}

VifPage* vif() { return this_cpu()->vif; }

void pv_init_cpu(PerCpu& cpu, u64 idt_base, u16 idt_limit) {
    // The monitor detected kvm_pvm; confirm we really run natively on it.
    u16 cs;
    asm volatile("mov %%cs, %0" : "=r"(cs));
    if (rdmsr(MSR_PVM_SIGNATURE) != PVM_SIGNATURE || cs != JVMOS_SEL_USER_CS)
        panic("paravirtual backend chosen but the vCPU is not in kvm_pvm native mode "
              "(cs=%#x)", cs);
    cpu.vif = reinterpret_cast<VifPage*>(jvmos_vif_pages[cpu.index]);
    hypercall(HC_LOAD_IDT, idt_base, idt_limit);
    wrmsr(MSR_STAR, (u64(JVMOS_SEL_KERNEL_CS) << 32) | (u64(JVMOS_SEL_USER32_CS) << 48));
    wrmsr(MSR_LSTAR, reinterpret_cast<u64>(&jvmos_pv_syscall_entry));
    wrmsr(MSR_SFMASK, 0x47700); // TF DF IF NT AC ... (the PV VIF follows IF)
}

void pv_flush_tlb_page(u64 va) {
    stats::count_trap(JVMOS_STATS_TRAP_TLB_FLUSH_PAGE);
    hypercall(HC_FLUSH_TLB_ONE, va);
}
void pv_flush_tlb_all() {
    stats::count_trap(JVMOS_STATS_TRAP_TLB_FLUSH_ALL);
    hypercall(HC_FLUSH_TLB);
}

void pv_load_page_table(u64 root_gpa) {
    stats::count_trap(JVMOS_STATS_TRAP_TLB_FLUSH_ALL);
    hypercall(HC_SET_CR3, root_gpa);
}

void pv_irq_enable() {
    VifPage* v = vif();
    v->if_ = 1;
    asm volatile("" ::: "memory");
    // An interrupt that arrived while disabled is delivered by the next hypercall.
    if (v->pending) {
        stats::count_trap(JVMOS_STATS_TRAP_IRQ_WINDOW);
        hypercall(HC_FLUSH_TLB_ONE, 0);
    }
}

void pv_irq_disable() {
    vif()->if_ = 0;
    asm volatile("" ::: "memory");
}

void pv_wait_for_interrupt() {
    // HALT means "sti; hlt": VIF must be 1 or the vCPU never wakes (shared/PVM.md 4). Unlike
    // sti's one-instruction shadow, an interrupt can be delivered between setting VIF and the
    // hypercall; its handler then moves the return address past the hypercall
    // (idle_interrupted()), so a wake-up is never slept through.
    asm volatile(".globl jvmos_pv_idle_begin\n"
                 "jvmos_pv_idle_begin:\n\t"
                 "movb $1, (%[vif])\n\t"
                 "int $0x1b\n"
                 ".globl jvmos_pv_idle_end\n"
                 "jvmos_pv_idle_end:"
                 :
                 : [vif] "r"(&vif()->if_), "a"(u64(HC_HALT))
                 : "rbx", "rcx", "rdx", "memory");
}

u64 pv_fault_address() { return vif()->cr2; } // the cr2_cell flag

} // namespace

const BackendOps BACKEND_PV = {
    "kvm_pvm paravirtual",  BackendKind::Paravirtual, pv_init_cpu,   pv_flush_tlb_page,
    pv_flush_tlb_all,       pv_load_page_table,       pv_wait_for_interrupt,    pv_fault_address, pv_irq_enable,
    pv_irq_disable,
};

} // namespace jvmos::arch
