// Threads (local): clone for the pthread flag set, thread exit with CHILD_CLEARTID's futex
// wake, futex, set_robust_list, sched_yield, sched_setaffinity, prctl(PR_SET_NAME).
#include "arch/x86_64/arch.h"
#include "base/string.h"
#include "kernel/boot.h"
#include "kernel/fork.h"
#include "kernel/process.h"
#include "kernel/time.h"
#include "sched/futex.h"
#include "sched/scheduler.h"
#include "sched/smp.h"
#include "signal/signal.h"
#include "shim/syscall.h"
#include "shim/user_ptr.h"

namespace jvmos::shim {
namespace {

constexpr u64 CLONE_VM = 0x100, CLONE_FS = 0x200, CLONE_FILES = 0x400, CLONE_SIGHAND = 0x800;
constexpr u64 CLONE_PIDFD = 0x1000, CLONE_PTRACE = 0x2000, CLONE_VFORK = 0x4000;
constexpr u64 CLONE_PARENT = 0x8000, CLONE_THREAD = 0x10000, CLONE_NEWNS = 0x20000;
constexpr u64 CLONE_SYSVSEM = 0x40000, CLONE_SETTLS = 0x80000, CLONE_PARENT_SETTID = 0x100000;
constexpr u64 CLONE_CHILD_CLEARTID = 0x200000, CLONE_DETACHED = 0x400000;
constexpr u64 CLONE_CHILD_SETTID = 0x1000000;
constexpr u64 THREAD_FLAGS = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD;
constexpr u64 ALLOWED = THREAD_FLAGS | CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID |
                        CLONE_CHILD_CLEARTID | CLONE_DETACHED | CLONE_CHILD_SETTID | 0xff;

// How late a futex timeout may expire (see sys_futex).
constexpr i64 TIMER_SLACK_NS = 150'000;

// The thread's exit: CHILD_CLEARTID clears the tid word and wakes one waiter (pthread_join).
void clear_child_tid(kernel::Thread& t) {
    if (!t.clear_child_tid) return;
    const u32 zero = 0;
    if (copy_to_user(t.clear_child_tid, &zero, sizeof zero).is_ok())
        (void)sched::futex_wake(t.clear_child_tid, 1, sched::FUTEX_BITSET_MATCH_ANY,
                                sched::FutexScope::shared);
}

} // namespace

// clone without CLONE_VM: a new process (glibc's fork passes
// CLONE_CHILD_SETTID|CLONE_CHILD_CLEARTID|SIGCHLD). A process sharing the parent's memory
// (CLONE_VM|CLONE_VFORK on a new stack: posix_spawn, the JDK's process launch) exists only to
// execve, which is not supported in the guest: ENOSYS, as before fork existed, so that the
// caller reports the failure instead of a child that silently exits 127.
static Result<u64> clone_process(SyscallArgs& args, u64 flags, u64 stack, u64 parent_tid,
                                 u64 child_tid, u64 tls) {
    constexpr u64 PROCESS_ALLOWED = CLONE_VFORK | CLONE_SETTLS | CLONE_PARENT_SETTID |
                                    CLONE_CHILD_CLEARTID | CLONE_CHILD_SETTID | CLONE_DETACHED |
                                    0xff;
    if (flags & CLONE_VM) return Errno::ENOSYS;
    if (flags & (CLONE_THREAD | CLONE_SIGHAND)) return Errno::EINVAL; // need CLONE_VM
    if (flags & ~PROCESS_ALLOWED) return Errno::EINVAL; // shared fd tables, namespaces...
    if ((flags & 0xff) != 0 && (flags & 0xff) != u64(signal::SIGCHLD)) return Errno::EINVAL;
    if ((flags & CLONE_SETTLS) && tls >= JVMOS_USER_TOP) return Errno::EPERM;
    kernel::ForkRequest request{};
    request.stack = stack;
    request.child_tid = child_tid;
    request.parent_tid = parent_tid;
    request.tls = tls;
    request.set_child_tid = flags & CLONE_CHILD_SETTID;
    request.clear_child_tid = flags & CLONE_CHILD_CLEARTID;
    request.set_parent_tid = flags & CLONE_PARENT_SETTID;
    request.set_tls = flags & CLONE_SETTLS;
    return u64(TRY(kernel::fork_process(*args.frame, request)));
}

static Result<u64> clone_with(SyscallArgs& args, u64 flags, u64 stack, u64 parent_tid,
                              u64 child_tid, u64 tls) {
    if (!(flags & CLONE_THREAD))
        return clone_process(args, flags, stack, parent_tid, child_tid, tls);
    // Threads: the pthread flag set.
    if ((flags & THREAD_FLAGS) != THREAD_FLAGS || (flags & CLONE_VFORK)) return Errno::EINVAL;
    if (flags & ~ALLOWED) return Errno::EINVAL;
    if ((flags & CLONE_SETTLS) && tls >= JVMOS_USER_TOP) return Errno::EPERM;
    kernel::Thread& parent = kernel::current_thread();
    const i32 tid = kernel::allocate_tid();

    arch::TrapFrame frame = *args.frame;
    frame.rax = 0; // the child sees clone return 0
    if (stack) frame.rsp = stack;
    kernel::Thread* child = TRY(sched::create_thread(frame, tid));
    child->process = parent.process;
    child->page_table_root = parent.page_table_root;
    parent.process->threads++;
    child->fs_base = (flags & CLONE_SETTLS) ? tls : parent.fs_base;
    child->gs_base = parent.gs_base;
    child->signal_mask = parent.signal_mask;
    memcpy(child->name, parent.name, sizeof child->name);
    arch::xsave(child->xsave_area); // the child starts with the parent's FPU/vector state
    if (flags & CLONE_CHILD_CLEARTID) child->clear_child_tid = child_tid;
    if (flags & CLONE_PARENT_SETTID) (void)UserPtr<i32>(parent_tid).write(tid);
    if (flags & CLONE_CHILD_SETTID) (void)UserPtr<i32>(child_tid).write(tid);
    child->state = sched::ThreadState::Blocked; // make_runnable() queues it
    sched::make_runnable(child);
    return u64(tid);
}

Result<u64> sys_clone(SyscallArgs& args) {
    return clone_with(args, args.a[0], args.a[1], args.a[2], args.a[3], args.a[4]);
}

Result<u64> sys_fork(SyscallArgs& args) {
    return clone_with(args, u64(signal::SIGCHLD), 0, 0, 0, 0);
}

// vfork runs as fork, which POSIX allows: the child gets a copy instead of borrowing the
// parent's memory, and the parent does not wait for it.
Result<u64> sys_vfork(SyscallArgs& args) {
    return clone_with(args, u64(signal::SIGCHLD), 0, 0, 0, 0);
}

Result<u64> sys_clone3(SyscallArgs& args) {
    struct CloneArgs {
        u64 flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
        u64 set_tid, set_tid_size, cgroup;
    };
    constexpr u64 CLONE_ARGS_SIZE_VER0 = 64;
    const u64 size = args.a[1];
    if (size < CLONE_ARGS_SIZE_VER0 || size > 4096) return Errno::EINVAL;
    CloneArgs ca{};
    TRY(copy_from_user(&ca, args.a[0], size < sizeof ca ? size : sizeof ca));
    if (size > sizeof ca) {
        // Fields this kernel does not know must be zero (Linux's E2BIG rule).
        u8 tail[64];
        for (u64 at = sizeof ca; at < size; at += sizeof tail) {
            const u64 n = size - at < sizeof tail ? size - at : sizeof tail;
            TRY(copy_from_user(tail, args.a[0] + at, n));
            for (u64 i = 0; i < n; i++)
                if (tail[i]) return Errno::E2BIG;
        }
    }
    if (ca.flags & 0xff) return Errno::EINVAL; // the exit signal has its own field
    if (ca.exit_signal > 64 || (ca.flags & CLONE_PIDFD) || ca.set_tid_size || ca.cgroup)
        return Errno::EINVAL;
    if ((ca.stack == 0) != (ca.stack_size == 0)) return Errno::EINVAL;
    const u64 stack = ca.stack ? ca.stack + ca.stack_size : 0;
    return clone_with(args, ca.flags | ca.exit_signal, stack, ca.parent_tid, ca.child_tid, ca.tls);
}

Result<u64> sys_exit(SyscallArgs& args) {
    kernel::Thread& t = kernel::current_thread();
    if (kernel::live_threads() == 1) kernel::exit_process(int(args.a[0] & 0xff));
    clear_child_tid(t);
    kernel::exit_thread();
}

Result<u64> sys_exit_group(SyscallArgs& args) { kernel::exit_process(int(args.a[0] & 0xff)); }

Result<u64> sys_set_robust_list(SyscallArgs& args) {
    if (args.a[1] != 24) return Errno::EINVAL; // sizeof(struct robust_list_head)
    kernel::current_thread().robust_list = args.a[0];
    return 0;
}

Result<u64> sys_sched_yield(SyscallArgs&) {
    sched::yield();
    return 0;
}

// The thread sched_{get,set}affinity name: 0 or the process id mean the caller (the guest
// runs one process; its id is also the main thread's), otherwise a thread id.
Result<sched::Thread*> affinity_target(u64 pid) {
    kernel::Thread& me = kernel::current_thread();
    if (pid == 0 || pid == u64(me.tid)) return &me;
    if (i64(pid) < 0 || pid > 0x7fffffff) return Errno::ESRCH;
    sched::Thread* t = sched::find_thread(i32(pid));
    if (!t) return Errno::ESRCH;
    return t;
}

Result<u64> sys_sched_setaffinity(SyscallArgs& args) {
    const u64 pid = args.a[0], len = args.a[1], mask = args.a[2];
    sched::Thread* t = TRY(affinity_target(pid));
    // Linux reads min(len, its mask size) bytes; the vCPUs all fit in the first word.
    if (len == 0) return Errno::EINVAL;
    u64 first = 0;
    TRY(copy_from_user(&first, mask, len < 8 ? len : 8));
    TRY(sched::set_affinity(t, first));
    return 0;
}

Result<u64> sys_sched_getaffinity(SyscallArgs& args) {
    const u64 pid = args.a[0], len = args.a[1], mask = args.a[2];
    sched::Thread* t = TRY(affinity_target(pid));
    const u32 cpus = smp::cpu_count();
    const u64 mask_bytes = align_up((cpus + 63) / 64 * 8, 8); // Linux: whole longs
    if (len * 8 < cpus) return Errno::EINVAL;
    if (len & 7) return Errno::EINVAL;
    TRY(copy_to_user(mask, &t->affinity, mask_bytes));
    return mask_bytes;
}

Result<u64> sys_prctl(SyscallArgs& args) {
    constexpr u64 PR_SET_PDEATHSIG = 1, PR_GET_PDEATHSIG = 2, PR_GET_DUMPABLE = 3;
    constexpr u64 PR_SET_DUMPABLE = 4, PR_SET_NAME = 15, PR_GET_NAME = 16;
    constexpr u64 PR_SET_CHILD_SUBREAPER = 36, PR_GET_CHILD_SUBREAPER = 37;
    kernel::Thread& t = kernel::current_thread();
    switch (args.a[0]) {
    case PR_SET_NAME: {
        char name[16];
        Result<usize> n =
            kernel::current_address_space().copy_string_from_user(name, args.a[1], sizeof name);
        if (n.is_error() && n.error() != Errno::ENAMETOOLONG) return n.error();
        name[15] = 0; // Linux truncates to 15 characters
        memcpy(t.name, name, sizeof name);
        return 0;
    }
    case PR_GET_NAME:
        TRY(copy_to_user(args.a[1], t.name, sizeof t.name));
        return 0;
    case PR_SET_PDEATHSIG:
        if (args.a[1] > u64(kernel::NSIG)) return Errno::EINVAL;
        kernel::current_process().parent_death_signal = i32(args.a[1]);
        return 0;
    case PR_GET_PDEATHSIG:
        TRY(UserPtr<i32>(args.a[1]).write(kernel::current_process().parent_death_signal));
        return 0;
    case PR_SET_DUMPABLE:
        if (args.a[1] > 1) return Errno::EINVAL;
        return 0; // jvmos writes no core files: nothing depends on it
    case PR_GET_DUMPABLE:
        return 1;
    case PR_SET_CHILD_SUBREAPER:
        // Orphans always go to the first process (it adopts them as init would), whoever asks.
        kernel::current_process().subreaper = args.a[1] != 0;
        return 0;
    case PR_GET_CHILD_SUBREAPER:
        TRY(UserPtr<i32>(args.a[1]).write(kernel::current_process().subreaper ? 1 : 0));
        return 0;
    default:
        return Errno::EINVAL;
    }
}

// A futex wait that a signal interrupted restarts as Linux's does: without a timeout it is
// made again if the handler has SA_RESTART (ERESTARTSYS); with one, it fails with EINTR once a
// handler runs, and restart_syscall resumes it with the same deadline if none ran.
static Result<u64> futex_wait_restartable(u64 uaddr, u32 val, i64 deadline, u32 bitset,
                                          sched::FutexScope scope) {
    Result<u64> r = sched::futex_wait(uaddr, val, deadline, bitset, scope);
    if (r.is_ok() || r.error() != Errno::EINTR) return r;
    if (!deadline) return Errno::ERESTARTSYS;
    auto& restart = kernel::current_thread().restart;
    restart.kind = RESTART_FUTEX_WAIT;
    restart.val = val;
    restart.deadline = deadline;
    restart.addr = uaddr;
    restart.addr2 = bitset | (u64(scope) << 32);
    return Errno::ERESTART_RESTARTBLOCK;
}

Result<u64> resume_futex_wait(sched::Thread& t) {
    return futex_wait_restartable(t.restart.addr, t.restart.val, t.restart.deadline,
                                  u32(t.restart.addr2), sched::FutexScope(t.restart.addr2 >> 32));
}

Result<u64> sys_futex(SyscallArgs& args) {
    constexpr u32 FUTEX_WAIT = 0, FUTEX_WAKE = 1, FUTEX_REQUEUE = 3, FUTEX_CMP_REQUEUE = 4;
    constexpr u32 FUTEX_WAKE_OP = 5, FUTEX_WAIT_BITSET = 9, FUTEX_WAKE_BITSET = 10;
    constexpr u32 FUTEX_PRIVATE_FLAG = 128, FUTEX_CLOCK_REALTIME = 256;
    const u64 uaddr = args.a[0];
    const u32 op = u32(args.a[1]);
    const u32 val = u32(args.a[2]);
    const u64 timeout = args.a[3], uaddr2 = args.a[4];
    const u32 val3 = u32(args.a[5]);
    const u32 cmd = op & ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
    const sched::FutexScope scope = (op & FUTEX_PRIVATE_FLAG) ? sched::FutexScope::process_private
                                                              : sched::FutexScope::shared;
    if ((op & FUTEX_CLOCK_REALTIME) && cmd != FUTEX_WAIT && cmd != FUTEX_WAIT_BITSET)
        return Errno::ENOSYS;
    switch (cmd) {
    case FUTEX_WAIT:
    case FUTEX_WAIT_BITSET: {
        i64 deadline = 0;
        if (timeout) {
            const i64 t = TRY(read_timespec_ns(timeout));
            if (cmd == FUTEX_WAIT) {
                deadline = kernel::monotonic_ns() + t; // relative, CLOCK_MONOTONIC
            } else if (op & FUTEX_CLOCK_REALTIME) {
                const i64 now = kernel::realtime_ns();
                deadline = kernel::monotonic_ns() + (t > now ? t - now : 0);
            } else {
                deadline = t; // absolute CLOCK_MONOTONIC
            }
            if (deadline <= 0) deadline = 1;
            // A timeout may expire late: Linux adds the thread's timer slack (50 us) and its
            // wake-up latency (a 5 us FUTEX_WAIT takes ~100 us natively on our kvm_pvm hosts).
            // Here the slack is what lets a waiter with a few-microsecond timeout be found by
            // its waker at all: switching to the waker (a timer write, a page-table load, the
            // shadow-paging refill after it) takes longer than such a timeout, so without it
            // every wait would time out first (stress-ng's futex stressor never got a wake).
            // TODO(perf): cheaper switches between processes (PCID) would allow Linux's 50 us.
            deadline += TIMER_SLACK_NS;
        }
        return futex_wait_restartable(uaddr, val, deadline,
                                      cmd == FUTEX_WAIT ? sched::FUTEX_BITSET_MATCH_ANY : val3, scope);
    }
    case FUTEX_WAKE:
        if (uaddr & 3) return Errno::EINVAL;
        return sched::futex_wake(uaddr, val, sched::FUTEX_BITSET_MATCH_ANY, scope);
    case FUTEX_WAKE_BITSET:
        if (uaddr & 3) return Errno::EINVAL;
        if (val3 == 0) return Errno::EINVAL;
        return sched::futex_wake(uaddr, val, val3, scope);
    case FUTEX_REQUEUE:
    case FUTEX_CMP_REQUEUE: {
        if ((uaddr | uaddr2) & 3) return Errno::EINVAL;
        if (cmd == FUTEX_CMP_REQUEUE) {
            const u32 current = TRY(UserPtr<u32>(uaddr).read());
            if (current != val3) return Errno::EAGAIN;
        }
        // The requeue count travels in the timeout argument's register.
        return sched::futex_requeue(uaddr, val, timeout, uaddr2, scope);
    }
    case FUTEX_WAKE_OP: {
        if ((uaddr | uaddr2) & 3) return Errno::EINVAL;
        // val3 = op(4) cmp(4) oparg(12) cmparg(12).
        const u32 opcode = (val3 >> 28) & 0xf, cmp = (val3 >> 24) & 0xf;
        i32 oparg = i32(val3 << 8) >> 20;
        const i32 cmparg = i32(val3 << 20) >> 20;
        if (opcode & 8) oparg = 1 << (oparg & 31); // FUTEX_OP_OPARG_SHIFT
        const i32 old = TRY(UserPtr<i32>(uaddr2).read());
        i32 next;
        switch (opcode & 7) {
        case 0: next = oparg; break;          // SET
        case 1: next = old + oparg; break;    // ADD
        case 2: next = old | oparg; break;    // OR
        case 3: next = old & ~oparg; break;   // ANDN
        case 4: next = old ^ oparg; break;    // XOR
        default: return Errno::ENOSYS;
        }
        TRY(UserPtr<i32>(uaddr2).write(next));
        u64 woken = TRY(sched::futex_wake(uaddr, val, sched::FUTEX_BITSET_MATCH_ANY, scope));
        bool hit;
        switch (cmp) {
        case 0: hit = old == cmparg; break;
        case 1: hit = old != cmparg; break;
        case 2: hit = old < cmparg; break;
        case 3: hit = old <= cmparg; break;
        case 4: hit = old > cmparg; break;
        case 5: hit = old >= cmparg; break;
        default: return Errno::ENOSYS;
        }
        if (hit) woken += TRY(sched::futex_wake(uaddr2, timeout, sched::FUTEX_BITSET_MATCH_ANY, scope));
        return woken;
    }
    default:
        return Errno::ENOSYS;
    }
}

} // namespace jvmos::shim
