// The hardware-virtualisation backend: an ordinary ring-0 kernel (lidt, syscall/sysret,
// invlpg, hlt). On a kvm_pvm host it still works, instruction-emulated and ~3,000x slower; a
// test keeps it from rotting.
#include "arch/x86_64/arch.h"

#include "arch/x86_64/cpu.h"
#include "kernel/stats.h"

extern "C" void jvmos_hw_syscall_entry();

namespace jvmos::arch {
namespace {

void hw_init_cpu(PerCpu&, u64 idt_base, u16 idt_limit) {
    struct {
        u16 limit;
        u64 base;
    } __attribute__((packed)) idtr = {idt_limit, idt_base};
    asm volatile("lidt %0" : : "m"(idtr));
    wrmsr(MSR_STAR, (u64(JVMOS_SEL_KERNEL_CS) << 32) | (u64(JVMOS_SEL_USER32_CS) << 48));
    wrmsr(MSR_LSTAR, reinterpret_cast<u64>(&jvmos_hw_syscall_entry));
    wrmsr(MSR_SFMASK, 0x47700);
}

void hw_flush_tlb_page(u64 va) {
    stats::count_trap(JVMOS_STATS_TRAP_TLB_FLUSH_PAGE);
    asm volatile("invlpg (%0)" : : "r"(va) : "memory");
}
void hw_flush_tlb_all() {
    stats::count_trap(JVMOS_STATS_TRAP_TLB_FLUSH_ALL);
    write_cr3(read_cr3());
}
void hw_load_page_table(u64 root_gpa) {
    stats::count_trap(JVMOS_STATS_TRAP_TLB_FLUSH_ALL);
    write_cr3(root_gpa);
}
void hw_wait_for_interrupt() { asm volatile("sti; hlt; cli" ::: "memory"); }
u64 hw_fault_address() { return read_cr2(); }
void hw_irq_enable() { asm volatile("sti" ::: "memory"); }
void hw_irq_disable() { asm volatile("cli" ::: "memory"); }

} // namespace

const BackendOps BACKEND_HW = {
    "hardware virtualisation", BackendKind::Hardware, hw_init_cpu,       hw_flush_tlb_page,
    hw_flush_tlb_all,          hw_load_page_table,    hw_wait_for_interrupt, hw_fault_address, hw_irq_enable,
    hw_irq_disable,
};

} // namespace jvmos::arch
