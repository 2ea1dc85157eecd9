// Threads and the scheduler. One address space, so a thread is a kernel stack, a saved kernel
// context, the user's registers (the TrapFrame at the top of its kernel stack while it is in
// the kernel), its FS/GS bases and its extended (XSAVE) state.
//
// Each vCPU has its own run queue. A thread that becomes runnable goes to an idle vCPU it may
// run on (woken by a reschedule IPI), preferring the one it last ran on, else to the waker's
// vCPU; a vCPU whose queue is empty steals from the longest other queue before it idles, so no
// vCPU idles while a thread it could run waits. Threads honour their affinity masks
// (sched_setaffinity). Blocking with timeouts (each vCPU's LAPIC TSC-deadline timer),
// preemption by a time slice, and an idle thread per vCPU that halts it.
//
// Locking: the kernel lock (sched/smp.h) and interrupts off in the kernel (the PV VIF and the
// HW IF) protect the queues. The page-fault fast path, which runs without the kernel lock,
// never touches them.
#pragma once

#include "arch/x86_64/frame.h"
#include "base/result.h"
#include "base/types.h"

namespace jvmos::kernel {
struct Process;
}

namespace jvmos::sched {

enum class ThreadState : u8 { Runnable, Running, Blocked, Dead };

// One pending instance of a real-time signal: Linux queues every one sent (a standard signal
// is pending at most once). Owned by signal/; freed with the thread.
struct QueuedSignal {
    QueuedSignal* next;
    i32 signo;
    i32 code;
    i32 pid;
    u64 value;
};

// Why a blocked thread woke up.
enum class WakeReason : u8 { Woken, TimedOut, Interrupted };

struct Thread {
    i32 tid;
    kernel::Process* process; // the process it belongs to (nullptr for idle threads)
    u64 page_table_root;      // its process's page-table root, loaded when it runs (0: idle)
    ThreadState state;
    WakeReason wake_reason;
    u64 kernel_stack_base;  // lowest address of the kernel stack (heap)
    u64 kernel_stack_top;
    u64 saved_rsp;          // kernel context while switched out (callee-saved regs on stack)
    u64 fs_base;
    u64 gs_base;
    u64 signal_mask;
    u64 clear_child_tid;    // set_tid_address / CLONE_CHILD_CLEARTID
    u64 robust_list;        // set_robust_list (recorded)
    void* xsave_area;       // the user's extended state while the thread is switched out
    char name[16];          // prctl(PR_SET_NAME)
    i64 wake_deadline;      // monotonic ns, or 0 for none
    // Two links, because a thread that a timeout or a signal makes runnable is on the run queue
    // while it is still queued where it waited (it takes itself out when it runs).
    Thread* run_next;       // run queue link
    Thread* wait_next;      // wait queue link (futex bucket, ship slot waiters, wait4)
    Thread* timer_next;     // sorted list of threads sleeping with a deadline
    Thread* all_next;       // every live thread
    void* wait_channel;     // what a blocked thread waits for (futex key, ship slot...)
    u64 wait_bitset;        // futex bitset
    u64 futex_offset;       // futex key's second half (wait_channel is its space)
    bool interruptible;     // blocked in a wait a signal may interrupt (futex, sleep)
    // Signals queued for this thread (bit N-1 = signal N) and their senders.
    u64 pending_signals;
    // rt_sigsuspend: the mask to restore once the handler that ended the wait returns.
    u64 saved_mask;
    bool has_saved_mask;
    i32 pending_code[64];
    i32 pending_pid[64];
    u64 pending_value[64];  // si_value of rt_sigqueueinfo (sigqueue(3)), else 0
    // Real-time signals (32..64) in the order they were sent; their bit in pending_signals is
    // set while at least one is queued. The standard ones use the three arrays above.
    QueuedSignal* rt_queue;
    // rt_sigtimedwait: the signals it waits for (Linux's real_blocked). Blocked, yet they wake
    // it and are never dropped as ignored.
    u64 sigwait_set;
    // restart_syscall(2): how to resume the call that last ended with ERESTART_RESTARTBLOCK
    // (Linux's restart_block). Owned by signal/ and shim/; kind 0 = nothing (EINTR).
    struct {
        u32 kind;
        u32 val;
        i64 deadline;       // monotonic ns
        u64 addr;
        u64 addr2;
    } restart;
    // CPU time: accumulated while switched out, plus the current stretch while running.
    u64 cpu_tsc;
    u64 run_start_tsc;
    // sigaltstack(2).
    u64 altstack_sp;
    u64 altstack_size;
    u32 altstack_flags;
    u32 cpu;                // the vCPU it runs or last ran on
    u64 affinity;           // the vCPUs it may run on (bit N = vCPU N; sched_setaffinity)
    bool idle;              // a vCPU's idle thread (not a user thread)
};

// A FIFO of threads linked through the member `Link` (run queue or a wait queue).
template <Thread* Thread::*Link>
struct ThreadQueue {
    Thread* head = nullptr;
    Thread* tail = nullptr;
    void push(Thread* t) {
        t->*Link = nullptr;
        if (tail) tail->*Link = t;
        else head = t;
        tail = t;
    }
    Thread* pop() {
        Thread* t = head;
        if (!t) return nullptr;
        head = t->*Link;
        if (!head) tail = nullptr;
        t->*Link = nullptr;
        return t;
    }
    // Unlinks `t`, whose predecessor is `prev` (nullptr: t is the head).
    void unlink(Thread* prev, Thread* t) {
        if (prev) prev->*Link = t->*Link;
        else head = t->*Link;
        if (tail == t) tail = prev;
        t->*Link = nullptr;
    }
    // Takes `t` out; false if it was not queued here.
    bool remove(Thread* t) {
        Thread* prev = nullptr;
        for (Thread* p = head; p; prev = p, p = p->*Link) {
            if (p != t) continue;
            unlink(prev, p);
            return true;
        }
        return false;
    }
    bool empty() const { return head == nullptr; }
};

// Blocked threads waiting for the same thing.
using WaitQueue = ThreadQueue<&Thread::wait_next>;

// Creates the program's main thread and makes it current (kernel boot, once, vCPU 0).
Result<Thread*> init(i32 tid);
// Starts scheduling on another vCPU (its own entry, holding the kernel lock): never returns.
[[noreturn]] void run_secondary_cpu();
Thread* current();
usize live_threads();
// The earliest deadline of the kernel's interval timers (monotonic ns, 0 = none): the timer
// interrupt calls kernel::expire_itimers() once it passes.
void set_kernel_deadline(i64 deadline_ns);
// Makes this vCPU use the boot page table (the first process's), so that the current one can
// be freed (a process's last thread on its way out).
void load_boot_page_table();

// A new thread whose first return to user mode uses `frame` (copied onto its kernel stack).
Result<Thread*> create_thread(const arch::TrapFrame& frame, i32 tid);

void make_runnable(Thread* t);
// Every vCPU's bit.
u64 all_cpus();
// sched_setaffinity: `t` runs only on the vCPUs of `mask` from now on (the current thread moves
// at once, a thread running elsewhere at its next return to user mode). EINVAL if the mask
// names no vCPU.
Result<void> set_affinity(Thread* t, u64 mask);
// Blocks the current thread until make_runnable()/wake() or `deadline_ns` (monotonic, 0 =
// none). Returns why it woke.
WakeReason block(i64 deadline_ns);
// Wakes a thread blocked in block() with reason Woken (no-op if it is not blocked).
void wake(Thread* t);
// As block(), but a signal sent to the thread ends the wait with WakeReason::Interrupted.
WakeReason block_interruptible(i64 deadline_ns);
// Ends an interruptible wait of `t` (a signal arrived for it).
void interrupt(Thread* t);
// Every live thread (for routing process-directed signals).
Thread* first_thread();
Thread* next_thread(Thread* t);
// As wake(), from an interrupt handler: the woken thread runs at the next return to user mode
// (completed I/O should not wait for a time slice to end).
void wake_from_interrupt(Thread* t);
void yield();
// --stats: adds the idle time of vCPUs that are halted right now (the program is ending).
void account_halted_cpus();
// Whether another thread is waiting for a CPU.
bool others_runnable();
// A signal is pending for `t`: if it runs on another vCPU, make it enter the kernel.
void kick(Thread* t);
// The reschedule IPI's handler.
void on_resched_ipi();
// Ends the current thread (its kernel stack is freed by the next thread to run).
[[noreturn]] void exit_current();

// Interrupt-time hooks: the LAPIC timer fired / a reschedule is due on return to user mode.
void on_timer_interrupt();
// Called on every return to user mode: switches if the time slice is over or the current
// thread blocked.
void maybe_preempt();

// CPU time in ns of a thread (the current one included up to now), and of the whole process
// (live threads plus those that exited).
u64 thread_cpu_ns(const Thread* t);
u64 process_cpu_ns();
Thread* find_thread(i32 tid);

// The LAPIC timer vector.
inline constexpr u64 TIMER_VECTOR = 0x30;

} // namespace jvmos::sched
