// Threads (local): clone for the pthread flag set, thread exit with CHILD_CLEARTID's futex
// wake, futex, set_robust_list, sched_yield, sched_setaffinity, prctl(PR_SET_NAME).
#include "arch/x86_64/arch.h"
#include "base/string.h"
#include "kernel/boot.h"
#include "kernel/process.h"
#include "kernel/time.h"
#include "sched/futex.h"
#include "sched/scheduler.h"
#include "sched/smp.h"
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

i32 g_next_tid;

struct Timespec {
    i64 tv_sec;
    i64 tv_nsec;
};

Result<i64> read_timespec_ns(u64 addr) {
    Timespec ts = TRY(UserPtr<Timespec>(addr).read());
    if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000) return Errno::EINVAL;
    if (ts.tv_sec > (INT64_MAX - ts.tv_nsec) / 1000000000) return INT64_MAX / 2;
    return ts.tv_sec * 1000000000 + ts.tv_nsec;
}

// The thread's exit: CHILD_CLEARTID clears the tid word and wakes one waiter (pthread_join).
void clear_child_tid(kernel::Thread& t) {
    if (!t.clear_child_tid) return;
    const u32 zero = 0;
    if (copy_to_user(t.clear_child_tid, &zero, sizeof zero).is_ok())
        sched::futex_wake(t.clear_child_tid, 1, sched::FUTEX_BITSET_MATCH_ANY);
}

} // namespace

Result<u64> sys_clone(SyscallArgs& args) {
    const u64 flags = args.a[0], stack = args.a[1], parent_tid = args.a[2];
    const u64 child_tid = args.a[3], tls = args.a[4];
    // Only threads: a new process would be a fork, and processes run on Linux (the proxy will
    // spawn them). TODO: ship fork+exec / posix_spawn.
    if ((flags & THREAD_FLAGS) != THREAD_FLAGS || (flags & CLONE_VFORK)) return Errno::ENOSYS;
    if (flags & ~ALLOWED) return Errno::EINVAL;
    if ((flags & CLONE_SETTLS) && tls >= JVMOS_USER_TOP) return Errno::EPERM;
    kernel::Thread& parent = kernel::current_thread();
    if (!g_next_tid) g_next_tid = kernel::current_process().pid + 1;
    const i32 tid = g_next_tid;

    arch::TrapFrame frame = *args.frame;
    frame.rax = 0; // the child sees clone return 0
    if (stack) frame.rsp = stack;
    kernel::Thread* child = TRY(sched::create_thread(frame, tid));
    g_next_tid++;
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

Result<u64> sys_exit(SyscallArgs& args) {
    kernel::Thread& t = kernel::current_thread();
    if (sched::live_threads() == 1) kernel::exit_process(int(args.a[0] & 0xff));
    clear_child_tid(t);
    sched::exit_current();
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
    constexpr u64 PR_SET_NAME = 15, PR_GET_NAME = 16;
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
    default:
        return Errno::EINVAL;
    }
}

// A futex wait that a signal interrupted restarts as Linux's does: without a timeout it is
// made again if the handler has SA_RESTART (ERESTARTSYS); with one, it fails with EINTR once a
// handler runs, and restart_syscall resumes it with the same deadline if none ran.
static Result<u64> futex_wait_restartable(u64 uaddr, u32 val, i64 deadline, u32 bitset) {
    Result<u64> r = sched::futex_wait(uaddr, val, deadline, bitset);
    if (r.is_ok() || r.error() != Errno::EINTR) return r;
    if (!deadline) return Errno::ERESTARTSYS;
    auto& restart = kernel::current_thread().restart;
    restart.kind = RESTART_FUTEX_WAIT;
    restart.val = val;
    restart.deadline = deadline;
    restart.addr = uaddr;
    restart.addr2 = bitset;
    return Errno::ERESTART_RESTARTBLOCK;
}

Result<u64> resume_futex_wait(sched::Thread& t) {
    return futex_wait_restartable(t.restart.addr, t.restart.val, t.restart.deadline,
                                  u32(t.restart.addr2));
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
        }
        return futex_wait_restartable(uaddr, val, deadline,
                                      cmd == FUTEX_WAIT ? sched::FUTEX_BITSET_MATCH_ANY : val3);
    }
    case FUTEX_WAKE:
        if (uaddr & 3) return Errno::EINVAL;
        return sched::futex_wake(uaddr, val, sched::FUTEX_BITSET_MATCH_ANY);
    case FUTEX_WAKE_BITSET:
        if (uaddr & 3) return Errno::EINVAL;
        if (val3 == 0) return Errno::EINVAL;
        return sched::futex_wake(uaddr, val, val3);
    case FUTEX_REQUEUE:
    case FUTEX_CMP_REQUEUE: {
        if ((uaddr | uaddr2) & 3) return Errno::EINVAL;
        if (cmd == FUTEX_CMP_REQUEUE) {
            const u32 current = TRY(UserPtr<u32>(uaddr).read());
            if (current != val3) return Errno::EAGAIN;
        }
        // The requeue count travels in the timeout argument's register.
        return sched::futex_requeue(uaddr, val, timeout, uaddr2);
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
        u64 woken = sched::futex_wake(uaddr, val, sched::FUTEX_BITSET_MATCH_ANY);
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
        if (hit) woken += sched::futex_wake(uaddr2, timeout, sched::FUTEX_BITSET_MATCH_ANY);
        return woken;
    }
    default:
        return Errno::ENOSYS;
    }
}

} // namespace jvmos::shim
