#include "sched/scheduler.h"

#include "arch/x86_64/arch.h"
#include "arch/x86_64/cpu.h"
#include "base/assert.h"
#include "base/string.h"
#include "kernel/memory.h"
#include "kernel/panic.h"
#include "kernel/time.h"

extern "C" void jvmos_switch_context(jvmos::u64* save_rsp, jvmos::u64 new_rsp);
extern "C" void jvmos_thread_start();

namespace jvmos::sched {
namespace {

constexpr usize KERNEL_STACK_SIZE = 32 * KiB;
// Preemption: a thread runs at most this long while others are runnable.
constexpr i64 TIME_SLICE_NS = 10'000'000;

Thread* g_current;
Thread* g_all;
usize g_live;
ThreadQueue<&Thread::run_next> g_run_queue;
Thread* g_timers;        // sorted by wake_deadline
Thread* g_zombie;        // exited thread whose stack the next thread frees
bool g_need_resched;
i64 g_slice_end;         // monotonic ns when the current time slice ends (0: none)
u64 g_armed_tsc;         // TSC deadline the LAPIC timer is armed for (0: disarmed)
bool g_have_tsc_deadline;
u64 g_loaded_fs;         // FS/GS bases loaded on this vCPU
u64 g_loaded_gs;
u64 g_dead_cpu_tsc;      // CPU time of threads that exited

void timer_insert(Thread* t) {
    Thread** p = &g_timers;
    while (*p && (*p)->wake_deadline <= t->wake_deadline) p = &(*p)->timer_next;
    t->timer_next = *p;
    *p = t;
}

void timer_remove(Thread* t) {
    for (Thread** p = &g_timers; *p; p = &(*p)->timer_next) {
        if (*p == t) {
            *p = t->timer_next;
            t->timer_next = nullptr;
            return;
        }
    }
}

// Wakes every sleeper whose deadline passed.
void expire_timers() {
    const i64 now = kernel::monotonic_ns();
    while (g_timers && g_timers->wake_deadline <= now) {
        Thread* t = g_timers;
        g_timers = t->timer_next;
        t->timer_next = nullptr;
        t->wake_deadline = 0;
        if (t->state == ThreadState::Blocked) {
            t->wake_reason = WakeReason::TimedOut;
            t->state = ThreadState::Runnable;
            g_run_queue.push(t);
        }
    }
}

// Arms the LAPIC timer for the earliest of the next sleeper's deadline and the end of the time
// slice. Each write is a trap to the hypervisor, so an unchanged deadline is not rewritten.
void arm_timer() {
    if (!g_have_tsc_deadline) return;
    i64 deadline = g_timers ? g_timers->wake_deadline : 0;
    if (g_slice_end && (!deadline || g_slice_end < deadline)) deadline = g_slice_end;
    u64 tsc = 0;
    if (deadline) {
        const i64 delta = deadline - kernel::monotonic_ns();
        tsc = arch::rdtsc() + (delta > 0 ? kernel::ns_to_tsc(u64(delta)) : 1);
    }
    if (tsc == g_armed_tsc) return;
    // Re-arming for a later deadline than the armed one is not needed: the earlier interrupt
    // re-arms. Only an earlier deadline (or disarming when nothing waits) is written.
    if (tsc && g_armed_tsc && g_armed_tsc <= tsc && g_armed_tsc > arch::rdtsc()) return;
    arch::wrmsr(arch::MSR_TSC_DEADLINE, tsc);
    g_armed_tsc = tsc;
}

// Restores the user-visible per-thread CPU state of the thread that now runs.
void load_user_state(Thread* t) {
    arch::xrstor(t->xsave_area);
    if (t->fs_base != g_loaded_fs) {
        arch::set_user_fs_base(t->fs_base);
        g_loaded_fs = t->fs_base;
    }
    if (t->gs_base != g_loaded_gs) {
        arch::set_user_gs_base(t->gs_base);
        g_loaded_gs = t->gs_base;
    }
}

void free_thread(Thread* t) {
    kernel::heap().deallocate(reinterpret_cast<void*>(t->kernel_stack_base), KERNEL_STACK_SIZE);
    kernel::heap().deallocate(t->xsave_area, arch::xsave_area_size());
    kernel::heap().deallocate(t, sizeof(Thread));
}

} // namespace

extern "C" void jvmos_sched_after_switch() {
    if (g_zombie && g_zombie != g_current) {
        free_thread(g_zombie);
        g_zombie = nullptr;
    }
    load_user_state(g_current);
}

namespace {

// Switches to the next runnable thread; returns when the current thread runs again. The
// caller has set the current thread's state (Runnable and queued, Blocked, or Dead).
void schedule() {
    Thread* prev = g_current;
    Thread* next;
    for (;;) {
        expire_timers();
        next = g_run_queue.pop();
        if (next) break;
        // Nothing to run: halt until an interrupt (ship completion, timer) makes a thread
        // runnable. The blocked thread's CPU clock stops while the vCPU idles.
        if (prev->run_start_tsc) {
            prev->cpu_tsc += arch::rdtsc() - prev->run_start_tsc;
            prev->run_start_tsc = 0;
        }
        g_slice_end = 0;
        arm_timer();
        arch::backend().wait_for_interrupt();
        arch::backend().irq_disable();
        if (g_armed_tsc && arch::rdtsc() >= g_armed_tsc) g_armed_tsc = 0;
    }
    next->state = ThreadState::Running;
    g_need_resched = false;
    g_slice_end = g_run_queue.empty() ? 0 : kernel::monotonic_ns() + TIME_SLICE_NS;
    arm_timer();
    // CPU-time accounting: prev stops running, next starts (idle time counts for nobody).
    const u64 now_tsc = arch::rdtsc();
    if (prev->run_start_tsc) {
        prev->cpu_tsc += now_tsc - prev->run_start_tsc;
        prev->run_start_tsc = 0;
    }
    next->run_start_tsc = now_tsc;
    if (next == prev) return;
    if (prev->state == ThreadState::Dead) g_dead_cpu_tsc += prev->cpu_tsc;
    if (prev->state != ThreadState::Dead) arch::xsave(prev->xsave_area);
    g_current = next;
    arch::set_kernel_stack(next->kernel_stack_top);
    jvmos_switch_context(&prev->saved_rsp, next->saved_rsp);
    // Running again as `prev`.
    jvmos_sched_after_switch();
}

} // namespace

static Result<Thread*> allocate_thread(i32 tid) {
    auto* t = static_cast<Thread*>(kernel::heap().allocate(sizeof(Thread), alignof(Thread)));
    auto* stack = static_cast<u8*>(kernel::heap().allocate(KERNEL_STACK_SIZE, PAGE_SIZE));
    void* xsave = kernel::heap().allocate(arch::xsave_area_size(), 64);
    if (!t || !stack || !xsave) {
        if (t) kernel::heap().deallocate(t, sizeof(Thread));
        if (stack) kernel::heap().deallocate(stack, KERNEL_STACK_SIZE);
        if (xsave) kernel::heap().deallocate(xsave, arch::xsave_area_size());
        return Errno::EAGAIN;
    }
    memset(t, 0, sizeof *t);
    t->tid = tid;
    t->kernel_stack_base = reinterpret_cast<u64>(stack);
    t->kernel_stack_top = t->kernel_stack_base + KERNEL_STACK_SIZE;
    t->xsave_area = xsave;
    t->all_next = g_all;
    g_all = t;
    g_live++;
    return t;
}

Result<Thread*> init(i32 tid) {
    Thread* first = TRY(allocate_thread(tid));
    first->state = ThreadState::Running;
    first->run_start_tsc = arch::rdtsc();
    g_current = first;
    g_loaded_fs = 0;
    g_loaded_gs = 0;
    arch::set_kernel_stack(first->kernel_stack_top);
    g_have_tsc_deadline = arch::cpuid(1).ecx & (1u << 24);
    // LAPIC timer in TSC-deadline mode on TIMER_VECTOR (x2APIC LVT timer register).
    if (g_have_tsc_deadline) arch::wrmsr(arch::MSR_X2APIC_LVT_TIMER, TIMER_VECTOR | (2u << 17));
    return first;
}

Thread* current() { return g_current; }
usize live_threads() { return g_live; }

Result<Thread*> create_thread(const arch::TrapFrame& frame, i32 tid) {
    Thread* t = TRY(allocate_thread(tid));
    // The user's frame at the top of the stack, and below it a switch_context frame whose
    // return address starts the thread (six callee-saved registers, then RIP).
    auto* user = reinterpret_cast<arch::TrapFrame*>(t->kernel_stack_top - sizeof(arch::TrapFrame));
    *user = frame;
    auto* ctx = reinterpret_cast<u64*>(user) - 7;
    for (int i = 0; i < 6; i++) ctx[i] = 0;
    ctx[6] = reinterpret_cast<u64>(&jvmos_thread_start);
    t->saved_rsp = reinterpret_cast<u64>(ctx);
    return t;
}

void make_runnable(Thread* t) {
    if (t->state != ThreadState::Blocked) return;
    if (t->wake_deadline) timer_remove(t);
    t->wake_deadline = 0;
    t->state = ThreadState::Runnable;
    g_run_queue.push(t);
    // The running thread keeps the CPU until its slice ends (a waker is not preempted by the
    // thread it wakes), so start the slice clock now that someone waits.
    if (!g_slice_end && g_current->state == ThreadState::Running) {
        g_slice_end = kernel::monotonic_ns() + TIME_SLICE_NS;
        arm_timer();
    }
}

void wake(Thread* t) {
    if (t->state != ThreadState::Blocked) return;
    t->wake_reason = WakeReason::Woken;
    make_runnable(t);
}

void wake_from_interrupt(Thread* t) {
    if (t->state != ThreadState::Blocked) return;
    wake(t);
    // Completed I/O runs soon: switch at the next return to user mode.
    g_need_resched = true;
}

WakeReason block(i64 deadline_ns) {
    Thread* t = g_current;
    t->state = ThreadState::Blocked;
    t->wake_reason = WakeReason::Woken;
    if (deadline_ns) {
        t->wake_deadline = deadline_ns;
        timer_insert(t);
    }
    schedule();
    return t->wake_reason;
}

WakeReason block_interruptible(i64 deadline_ns) {
    Thread* t = g_current;
    // A signal that is already pending (and not blocked) interrupts at once.
    if (t->pending_signals & ~t->signal_mask) return WakeReason::Interrupted;
    t->interruptible = true;
    const WakeReason why = block(deadline_ns);
    t->interruptible = false;
    return why;
}

void interrupt(Thread* t) {
    if (t->state != ThreadState::Blocked || !t->interruptible) return;
    t->wake_reason = WakeReason::Interrupted;
    make_runnable(t);
}

Thread* first_thread() { return g_all; }
bool others_runnable() { return !g_run_queue.empty(); }

u64 thread_cpu_ns(const Thread* t) {
    u64 tsc = t->cpu_tsc;
    if (t->run_start_tsc) tsc += arch::rdtsc() - t->run_start_tsc;
    return kernel::tsc_to_ns(tsc);
}

u64 process_cpu_ns() {
    u64 ns = kernel::tsc_to_ns(g_dead_cpu_tsc);
    for (Thread* t = g_all; t; t = t->all_next) ns += thread_cpu_ns(t);
    return ns;
}

Thread* find_thread(i32 tid) {
    for (Thread* t = g_all; t; t = t->all_next)
        if (t->tid == tid) return t;
    return nullptr;
}
Thread* next_thread(Thread* t) { return t->all_next; }

void yield() {
    Thread* t = g_current;
    t->state = ThreadState::Runnable;
    g_run_queue.push(t);
    schedule();
}

void exit_current() {
    Thread* t = g_current;
    t->state = ThreadState::Dead;
    for (Thread** p = &g_all; *p; p = &(*p)->all_next) {
        if (*p == t) {
            *p = t->all_next;
            break;
        }
    }
    g_live--;
    if (g_zombie) free_thread(g_zombie); // not running: safe to free
    g_zombie = t;
    schedule();
    panic("a dead thread was scheduled");
}

void on_timer_interrupt() {
    g_armed_tsc = 0;
    expire_timers();
    if (g_slice_end && kernel::monotonic_ns() >= g_slice_end) g_need_resched = true;
    if (!g_run_queue.empty()) g_need_resched = true;
    arm_timer();
}

void maybe_preempt() {
    if (!g_need_resched) return;
    g_need_resched = false;
    if (g_run_queue.empty()) return;
    yield();
}

} // namespace jvmos::sched

