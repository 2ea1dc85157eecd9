#include "sched/scheduler.h"

#include "arch/x86_64/arch.h"
#include "arch/x86_64/cpu.h"
#include "base/assert.h"
#include "base/string.h"
#include "kernel/boot.h"
#include "kernel/memory.h"
#include "kernel/panic.h"
#include "kernel/stats.h"
#include "kernel/itimer.h"
#include "kernel/time.h"
#include "sched/smp.h"

extern "C" void jvmos_switch_context(jvmos::u64* save_rsp, jvmos::u64 new_rsp);
extern "C" void jvmos_thread_start();

namespace jvmos::sched {
namespace {

constexpr usize KERNEL_STACK_SIZE = 32 * KiB;
// Preemption: a thread runs at most this long while others are runnable.
constexpr i64 TIME_SLICE_NS = 10'000'000;

using RunQueue = ThreadQueue<&Thread::run_next>;

// What each vCPU schedules with.
struct CpuSched {
    RunQueue run_queue;      // runnable threads waiting for this vCPU
    u32 queued;              // their number
    Thread* current;
    Thread* idle;            // this vCPU's idle thread
    Thread* zombie;          // exited thread whose stack the next thread here frees
    bool need_resched;
    volatile bool idling;    // halted (or about to) in the idle loop, lock released
    volatile u64 halted_since; // --stats: TSC when this vCPU halted (0: not halted)
    i64 slice_end;           // monotonic ns when the current time slice ends (0: none)
    u64 armed_tsc;           // TSC deadline the LAPIC timer is armed for (0: disarmed)
    u64 loaded_fs;           // FS/GS bases loaded on this vCPU
    u64 loaded_gs;
    u64 loaded_root;         // page-table root loaded on this vCPU (0: the boot root)
};

CpuSched g_cpu[JVMOS_MAX_CPUS];
Thread* g_all;
usize g_live;
Thread* g_timers;        // sorted by wake_deadline
bool g_have_tsc_deadline;
u64 g_dead_cpu_tsc;      // CPU time of threads that exited

CpuSched& here() { return g_cpu[arch::cpu_index()]; }

bool allowed_on(const Thread* t, u32 cpu) { return t->affinity & (1ull << cpu); }

void push(u32 cpu, Thread* t) {
    g_cpu[cpu].run_queue.push(t);
    g_cpu[cpu].queued++;
}

// The next thread for vCPU `cpu`: its own queue first, else one stolen from the busiest other
// queue (a thread allowed to run here), so that no vCPU idles while work waits elsewhere.
Thread* pop_for(u32 cpu) {
    CpuSched& own = g_cpu[cpu];
    if (Thread* t = own.run_queue.pop()) {
        own.queued--;
        return t;
    }
    u32 busiest = cpu;
    for (u32 c = 0; c < smp::cpu_count(); c++)
        if (c != cpu && g_cpu[c].queued > (busiest == cpu ? 0 : g_cpu[busiest].queued))
            busiest = c;
    if (busiest == cpu) return nullptr;
    CpuSched& victim = g_cpu[busiest];
    Thread* prev = nullptr;
    for (Thread* t = victim.run_queue.head; t; prev = t, t = t->run_next) {
        if (!allowed_on(t, cpu)) continue;
        victim.run_queue.unlink(prev, t);
        victim.queued--;
        return t;
    }
    return nullptr;
}

// Whether a thread waits that vCPU `cpu` could run.
bool work_for(u32 cpu) {
    if (g_cpu[cpu].queued) return true;
    for (u32 c = 0; c < smp::cpu_count(); c++) {
        if (c == cpu || !g_cpu[c].queued) continue;
        for (Thread* t = g_cpu[c].run_queue.head; t; t = t->run_next)
            if (allowed_on(t, cpu)) return true;
    }
    return false;
}

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

// Queues a runnable thread on a vCPU it may run on: the idle one it last ran on, else any
// idle one (woken by an IPI), else this vCPU (the thread waits for this slice to end, as with
// a waker on Linux), else the allowed vCPU with the shortest queue (told by an IPI, so that
// it starts the slice clock).
void enqueue(Thread* t) {
    const u32 me = arch::cpu_index();
    const u32 n = smp::cpu_count();
    auto wake_idle = [&](u32 c) {
        if (c == me || !g_cpu[c].idling || !allowed_on(t, c)) return false;
        g_cpu[c].idling = false; // one wake-up per idle vCPU
        push(c, t);
        arch::send_ipi(c, smp::RESCHED_VECTOR);
        return true;
    };
    if (t->cpu < n && wake_idle(t->cpu)) return;
    for (u32 c = 0; c < n; c++)
        if (wake_idle(c)) return;
    if (allowed_on(t, me)) {
        push(me, t);
        return;
    }
    u32 target = n;
    for (u32 c = 0; c < n; c++)
        if (allowed_on(t, c) && (target == n || g_cpu[c].queued < g_cpu[target].queued))
            target = c;
    if (target == n) target = 0; // an impossible mask: sched_setaffinity refuses those
    push(target, t);
    if (g_cpu[target].idling) g_cpu[target].idling = false;
    arch::send_ipi(target, smp::RESCHED_VECTOR);
}

// The kernel's own earliest deadline (interval timers: kernel/itimer.cpp), 0 for none.
i64 g_kernel_deadline;

// Wakes every sleeper whose deadline passed.
void expire_timers() {
    const i64 now = kernel::monotonic_ns();
    if (g_kernel_deadline && g_kernel_deadline <= now) g_kernel_deadline = kernel::expire_itimers(now);
    while (g_timers && g_timers->wake_deadline <= now) {
        Thread* t = g_timers;
        g_timers = t->timer_next;
        t->timer_next = nullptr;
        t->wake_deadline = 0;
        if (t->state == ThreadState::Blocked) {
            t->wake_reason = WakeReason::TimedOut;
            t->state = ThreadState::Runnable;
            enqueue(t);
        }
    }
}

// Arms this vCPU's LAPIC timer for the earliest of the next sleeper's deadline and the end of
// the time slice. Each write is a trap to the hypervisor, so an unchanged deadline is not
// rewritten.
void arm_timer() {
    if (!g_have_tsc_deadline) return;
    CpuSched& cpu = here();
    i64 deadline = g_timers ? g_timers->wake_deadline : 0;
    if (g_kernel_deadline && (!deadline || g_kernel_deadline < deadline)) deadline = g_kernel_deadline;
    if (cpu.slice_end && (!deadline || cpu.slice_end < deadline)) deadline = cpu.slice_end;
    u64 tsc = 0;
    if (deadline) {
        const i64 delta = deadline - kernel::monotonic_ns();
        tsc = arch::rdtsc() + (delta > 0 ? kernel::ns_to_tsc(u64(delta)) : 1);
    }
    if (tsc == cpu.armed_tsc) return;
    // Each write is a trap, so only an earlier deadline is written. A later one is not needed
    // (the earlier interrupt re-arms), and neither is disarming when nothing waits: the armed
    // interrupt then fires once and finds nothing to do, which costs less than a write at every
    // context switch (a futex ping-pong switches thousands of times a second).
    if (!tsc) return;
    if (cpu.armed_tsc && cpu.armed_tsc <= tsc && cpu.armed_tsc > arch::rdtsc()) return;
    stats::count_trap(JVMOS_STATS_TRAP_TIMER_WRITE);
    arch::wrmsr(arch::MSR_TSC_DEADLINE, tsc);
    cpu.armed_tsc = tsc;
}

// Restores the user-visible per-thread CPU state of the thread that now runs.
void load_user_state(CpuSched& cpu, Thread* t) {
    arch::xrstor(t->xsave_area);
    if (t->fs_base != cpu.loaded_fs) {
        arch::set_user_fs_base(t->fs_base);
        cpu.loaded_fs = t->fs_base;
    }
    if (t->gs_base != cpu.loaded_gs) {
        arch::set_user_gs_base(t->gs_base);
        cpu.loaded_gs = t->gs_base;
    }
}

// Several processes: a thread of another one needs its page table. An idle vCPU goes back to
// the boot root (the first process's, which lives as long as jvmos), so that no vCPU keeps the
// root of a process that exits loaded. Without PCID each load flushes the TLB's user entries.
void load_page_table(CpuSched& cpu, Thread* next) {
    const u64 boot_root = kernel::boot_info().pml4_gpa;
    const u64 loaded = cpu.loaded_root ? cpu.loaded_root : boot_root;
    const u64 root = next->page_table_root ? next->page_table_root : boot_root;
    if (root == loaded) return;
    arch::backend().load_page_table(root);
    cpu.loaded_root = root;
}

void free_thread(Thread* t) {
    while (QueuedSignal* q = t->rt_queue) {
        t->rt_queue = q->next;
        kernel::heap().deallocate(q, sizeof *q);
    }
    kernel::heap().deallocate(reinterpret_cast<void*>(t->kernel_stack_base), KERNEL_STACK_SIZE);
    kernel::heap().deallocate(t->xsave_area, arch::xsave_area_size());
    kernel::heap().deallocate(t, sizeof(Thread));
}

} // namespace

extern "C" void jvmos_sched_after_switch() {
    CpuSched& cpu = here();
    if (cpu.zombie && cpu.zombie != cpu.current) {
        free_thread(cpu.zombie);
        cpu.zombie = nullptr;
    }
    if (!cpu.current->idle) load_user_state(cpu, cpu.current);
}

// A new thread's first run (entry.S jvmos_thread_start), on its way to user mode.
extern "C" void jvmos_sched_thread_first_run() {
    jvmos_sched_after_switch();
    smp::exit_to_user();
}

namespace {

// Switches this vCPU from `prev` (current; its state already set) to `next`.
void switch_to(CpuSched& cpu, Thread* prev, Thread* next) {
    next->state = ThreadState::Running;
    next->cpu = arch::cpu_index();
    cpu.need_resched = false;
    cpu.slice_end = (next->idle || !work_for(next->cpu)) ? 0 : kernel::monotonic_ns() + TIME_SLICE_NS;
    arm_timer();
    // CPU-time accounting: prev stops running, next starts (idle time counts for nobody).
    const u64 now_tsc = arch::rdtsc();
    if (prev->run_start_tsc) {
        prev->cpu_tsc += now_tsc - prev->run_start_tsc;
        prev->run_start_tsc = 0;
    }
    if (!next->idle) next->run_start_tsc = now_tsc;
    if (next == prev) return;
    if (!next->idle) stats::count_context_switch();
    if (prev->state == ThreadState::Dead) g_dead_cpu_tsc += prev->cpu_tsc;
    if (prev->state != ThreadState::Dead && !prev->idle) arch::xsave(prev->xsave_area);
    load_page_table(cpu, next);
    cpu.current = next;
    arch::set_kernel_stack(next->kernel_stack_top);
    jvmos_switch_context(&prev->saved_rsp, next->saved_rsp);
    // Running again as `prev`, maybe on another vCPU.
    jvmos_sched_after_switch();
}

// Switches to the next runnable thread, or to this vCPU's idle thread; returns when the
// current thread runs again. The caller has set the current thread's state (Runnable and
// queued, Blocked, or Dead).
void schedule() {
    CpuSched& cpu = here();
    expire_timers();
    Thread* next = pop_for(arch::cpu_index());
    if (!next) next = cpu.idle;
    switch_to(cpu, cpu.current, next);
}

// The idle thread of a vCPU: runs what becomes runnable, else halts until an interrupt
// (completion, timer, reschedule IPI). Entered holding the kernel lock.
[[noreturn]] void idle_loop() {
    for (;;) {
        CpuSched& cpu = here();
        expire_timers();
        if (Thread* next = pop_for(arch::cpu_index())) {
            switch_to(cpu, cpu.idle, next);
            continue;
        }
        cpu.slice_end = 0;
        arm_timer();
        cpu.idling = true;
        smp::unlock();
        // Interrupts taken while halted take the lock themselves (trap.cpp).
        const u64 halted = stats::timestamp();
        cpu.halted_since = halted;
        arch::backend().wait_for_interrupt();
        arch::backend().irq_disable();
        cpu.halted_since = 0;
        stats::idle_end(halted);
        cpu.idling = false;
        smp::lock();
        if (cpu.armed_tsc && arch::rdtsc() >= cpu.armed_tsc) cpu.armed_tsc = 0;
    }
}

extern "C" [[noreturn]] void jvmos_sched_idle_start() {
    jvmos_sched_after_switch();
    idle_loop();
}

} // namespace

u64 all_cpus() {
    const u32 n = smp::cpu_count();
    return n >= 64 ? ~0ull : (1ull << n) - 1;
}

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
    t->affinity = all_cpus();
    t->all_next = g_all;
    g_all = t;
    g_live++;
    return t;
}

// This vCPU's idle thread: a kernel stack whose first context starts idle_loop().
static Result<Thread*> create_idle_thread() {
    auto* t = static_cast<Thread*>(kernel::heap().allocate(sizeof(Thread), alignof(Thread)));
    auto* stack = static_cast<u8*>(kernel::heap().allocate(KERNEL_STACK_SIZE, PAGE_SIZE));
    if (!t || !stack) return Errno::ENOMEM;
    memset(t, 0, sizeof *t);
    t->idle = true;
    t->state = ThreadState::Runnable;
    t->kernel_stack_base = reinterpret_cast<u64>(stack);
    t->kernel_stack_top = t->kernel_stack_base + KERNEL_STACK_SIZE;
    auto* ctx = reinterpret_cast<u64*>(t->kernel_stack_top) - 8;
    for (int i = 0; i < 6; i++) ctx[i] = 0;
    ctx[6] = reinterpret_cast<u64>(&jvmos_sched_idle_start);
    t->saved_rsp = reinterpret_cast<u64>(ctx);
    return t;
}

static void init_cpu_timer() {
    // LAPIC timer in TSC-deadline mode on TIMER_VECTOR (x2APIC LVT timer register).
    if (g_have_tsc_deadline) arch::wrmsr(arch::MSR_X2APIC_LVT_TIMER, TIMER_VECTOR | (2u << 17));
}

Result<Thread*> init(i32 tid) {
    Thread* first = TRY(allocate_thread(tid));
    first->state = ThreadState::Running;
    first->run_start_tsc = arch::rdtsc();
    CpuSched& cpu = here();
    cpu.current = first;
    cpu.idle = TRY(create_idle_thread());
    cpu.loaded_fs = 0;
    cpu.loaded_gs = 0;
    arch::set_kernel_stack(first->kernel_stack_top);
    g_have_tsc_deadline = arch::cpuid(1).ecx & (1u << 24);
    init_cpu_timer();
    return first;
}

void run_secondary_cpu() {
    CpuSched& cpu = here();
    Result<Thread*> idle = create_idle_thread();
    if (idle.is_error()) panic("out of memory for vCPU %u's idle thread", arch::cpu_index());
    cpu.idle = idle.value();
    cpu.current = cpu.idle;
    cpu.idle->state = ThreadState::Running;
    cpu.idle->cpu = arch::cpu_index();
    init_cpu_timer();
    // Leave the boot stack for the idle thread's own.
    arch::set_kernel_stack(cpu.idle->kernel_stack_top);
    u64 unused;
    jvmos_switch_context(&unused, cpu.idle->saved_rsp);
    panic("vCPU %u's boot context resumed", arch::cpu_index());
}

Thread* current() { return here().current; }

void set_kernel_deadline(i64 deadline_ns) {
    g_kernel_deadline = deadline_ns;
    arm_timer();
}

void load_boot_page_table() {
    CpuSched& cpu = here();
    if (!cpu.loaded_root || cpu.loaded_root == kernel::boot_info().pml4_gpa) return;
    arch::backend().load_page_table(kernel::boot_info().pml4_gpa);
    cpu.loaded_root = 0;
}

void account_halted_cpus() {
    // A vCPU still halted when the program ends has not added its idle time yet.
    for (u32 c = 0; c < smp::cpu_count(); c++) {
        const u64 since = g_cpu[c].halted_since;
        if (since && c != arch::cpu_index()) stats::idle_add(c, arch::rdtsc() - since);
    }
}
usize live_threads() { return g_live; }

Result<Thread*> create_thread(const arch::TrapFrame& frame, i32 tid) {
    Thread* t = TRY(allocate_thread(tid));
    t->affinity = current()->affinity; // inherited, as clone(2) does
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
    enqueue(t);
    // The running thread keeps the CPU until its slice ends (a waker is not preempted by the
    // thread it wakes), so start the slice clock now that someone waits.
    CpuSched& cpu = here();
    if (!cpu.slice_end && cpu.current->state == ThreadState::Running && !cpu.current->idle) {
        cpu.slice_end = kernel::monotonic_ns() + TIME_SLICE_NS;
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
    here().need_resched = true;
}

WakeReason block(i64 deadline_ns) {
    Thread* t = current();
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
    Thread* t = current();
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
bool others_runnable() { return work_for(arch::cpu_index()); }

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
    Thread* t = current();
    const u32 me = arch::cpu_index();
    // Nothing else to run here (idle vCPUs take new work first), and allowed to stay.
    if (!work_for(me) && allowed_on(t, me)) return;
    t->state = ThreadState::Runnable;
    if (allowed_on(t, me)) push(me, t);
    else enqueue(t); // it may no longer run here (sched_setaffinity)
    schedule();
}

void kick(Thread* t) {
    if (t->state == ThreadState::Running && t->cpu != arch::cpu_index())
        arch::send_ipi(t->cpu, smp::RESCHED_VECTOR);
}

void on_resched_ipi() {
    expire_timers();
    // A thread was queued here by another vCPU (it runs now: wake-ups are not kept waiting
    // for a slice on another vCPU), or the current one may no longer run here.
    CpuSched& cpu = here();
    const u32 me = arch::cpu_index();
    if (work_for(me) || (!cpu.current->idle && !allowed_on(cpu.current, me)))
        cpu.need_resched = true;
}

Result<void> set_affinity(Thread* t, u64 mask) {
    mask &= all_cpus();
    if (!mask) return Errno::EINVAL;
    t->affinity = mask;
    const u32 me = arch::cpu_index();
    if (t == current()) {
        if (!allowed_on(t, me)) yield(); // moves it to a vCPU it may run on
    } else if (t->state == ThreadState::Runnable) {
        for (u32 c = 0; c < smp::cpu_count(); c++) {
            if (allowed_on(t, c) || !g_cpu[c].run_queue.remove(t)) continue;
            g_cpu[c].queued--;
            enqueue(t);
            break;
        }
    } else if (t->state == ThreadState::Running && !allowed_on(t, t->cpu)) {
        arch::send_ipi(t->cpu, smp::RESCHED_VECTOR); // it moves at its next return to user mode
    }
    return {};
}

void exit_current() {
    Thread* t = current();
    t->state = ThreadState::Dead;
    for (Thread** p = &g_all; *p; p = &(*p)->all_next) {
        if (*p == t) {
            *p = t->all_next;
            break;
        }
    }
    g_live--;
    CpuSched& cpu = here();
    if (cpu.zombie) free_thread(cpu.zombie); // not running: safe to free
    cpu.zombie = t;
    schedule();
    panic("a dead thread was scheduled");
}

void on_timer_interrupt() {
    CpuSched& cpu = here();
    cpu.armed_tsc = 0;
    expire_timers();
    if (work_for(arch::cpu_index())) {
        cpu.need_resched = true;
    } else if (cpu.slice_end && kernel::monotonic_ns() >= cpu.slice_end) {
        // The thread that was waiting went to another vCPU: nothing to preempt for (a slice
        // end left in the past would re-fire the timer at once, forever).
        cpu.slice_end = 0;
    }
    arm_timer();
}

void maybe_preempt() {
    CpuSched& cpu = here();
    if (!cpu.need_resched) return;
    cpu.need_resched = false;
    if (cpu.current->idle) return;
    if (!work_for(arch::cpu_index()) && allowed_on(cpu.current, arch::cpu_index())) {
        cpu.slice_end = 0;
        return;
    }
    yield();
}

} // namespace jvmos::sched

