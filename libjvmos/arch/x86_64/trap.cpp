// Exceptions and interrupts after entry.S saved the frame: user-mode exceptions go to the
// process layer (page faults, then signals); a kernel-mode exception is a kernel bug.
#include "arch/x86_64/arch.h"
#include "kernel/panic.h"
#include "kernel/process.h"
#include "kernel/stats.h"
#include "sched/scheduler.h"
#include "sched/smp.h"
#include "shipper/guest/ship.h"
#include "signal/signal.h"

extern "C" char jvmos_pv_idle_begin[], jvmos_pv_idle_end[];

namespace {
const char* vector_name(jvmos::u64 v) {
    static const char* const NAMES[32] = {
        "#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
        "#BR bound range", "#UD invalid opcode", "#NM device not available",
        "#DF double fault", "coprocessor overrun", "#TS invalid TSS", "#NP segment not present",
        "#SS stack fault", "#GP general protection", "#PF page fault", "reserved 15",
        "#MF x87 error", "#AC alignment check", "#MC machine check", "#XM SIMD error",
        "#VE virtualization", "#CP control protection", "reserved 22", "reserved 23",
        "reserved 24", "reserved 25", "reserved 26", "reserved 27", "#HV hypervisor injection",
        "#VC VMM communication", "#SX security", "reserved 31"};
    return v < 32 ? NAMES[v] : "interrupt";
}
} // namespace

extern "C" void jvmos_trap_entry(jvmos::arch::TrapFrame* frame) {
    using namespace jvmos;
    const u64 entered = stats::timestamp(); // --stats: time in interrupt handlers
    // A TLB shootdown: flush and go on, without the kernel lock (its sender holds it and waits).
    if (frame->vector == smp::TLB_VECTOR) {
        arch::apic_eoi();
        smp::on_tlb_ipi();
        stats::interrupt_end(frame->vector, entered);
        return;
    }
    const bool from_user = frame->from_user();
    // A page fault in anonymous memory is resolved without the kernel lock (only the address
    // space's lock): threads that fault on several vCPUs at once (a collector touching its
    // heap) do not queue behind each other or behind a syscall. A pending signal or reschedule
    // is not looked at here: its IPI or timer interrupt arrives once user mode runs again.
    if (from_user && frame->vector == 14) {
        const u64 fault_address = arch::backend().fault_address();
        smp::enter_from_user_unlocked();
        if (kernel::try_fast_fault(*frame, fault_address)) {
            smp::exit_to_user_unlocked();
            return;
        }
        smp::lock();
        kernel::handle_user_exception(*frame, fault_address);
        sched::maybe_preempt();
        signal::deliver_pending(*frame);
        smp::exit_to_user();
        return;
    }
    // From user mode the kernel lock is taken here and released on the way back. In kernel
    // mode the kernel runs with interrupts off except while a vCPU idles (lock released): an
    // interrupt there takes the lock for its handler; an exception in kernel mode (a fault on
    // user memory in copy_from_user) happens with the lock already held.
    bool took_lock = false;
    if (from_user) {
        smp::enter_from_user();
    } else if (!smp::locked_here()) {
        smp::lock();
        took_lock = true;
    }
    if (frame->vector >= 32) {
        // An interrupt taken between the PV idle path's "VIF on" and its HALT hypercall:
        // resume after the hypercall instead of halting through the wake-up.
        if (frame->rip >= reinterpret_cast<u64>(jvmos_pv_idle_begin) &&
            frame->rip < reinterpret_cast<u64>(jvmos_pv_idle_end))
            frame->rip = reinterpret_cast<u64>(jvmos_pv_idle_end);
        // Device interrupts: the ship ring's completion (wakes the threads whose calls are
        // done), the scheduler's timer, the reschedule IPI, and the APIC's spurious vector (no
        // EOI).
        if (frame->vector == JVMOS_SHIP_VECTOR) {
            arch::apic_eoi();
            shipper::on_completion_interrupt();
            signal::take_host_signals();
        } else if (frame->vector == sched::TIMER_VECTOR) {
            arch::apic_eoi();
            sched::on_timer_interrupt();
        } else if (frame->vector == smp::RESCHED_VECTOR) {
            arch::apic_eoi();
            sched::on_resched_ipi();
        } else if (frame->vector != 0xff) {
            arch::apic_eoi();
        }
        stats::interrupt_end(frame->vector, entered);
        if (from_user) {
            sched::maybe_preempt();
            signal::deliver_pending(*frame);
            smp::exit_to_user();
        } else if (took_lock) {
            smp::unlock();
        }
        return;
    }
    const u64 fault_address = frame->vector == 14 ? arch::backend().fault_address() : 0;
    if (from_user) {
        kernel::handle_user_exception(*frame, fault_address);
        sched::maybe_preempt();
        signal::deliver_pending(*frame);
        smp::exit_to_user();
        return;
    }
    panic_with_frame(*frame, fault_address, "%s in the kernel", vector_name(frame->vector));
}
