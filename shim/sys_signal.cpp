// Signal dispositions, masks, sending, waiting (rt_sigsuspend, pause, rt_sigtimedwait) and
// restart_syscall. Delivery and the restart rules are signal/signal.cpp's.
#include "kernel/process.h"
#include "kernel/time.h"
#include "sched/scheduler.h"
#include "signal/signal.h"
#include "shim/syscall.h"
#include "shim/user_ptr.h"

namespace jvmos::shim {
namespace {
constexpr u64 SIG_BLOCK = 0, SIG_UNBLOCK = 1, SIG_SETMASK = 2;
constexpr u64 UNBLOCKABLE = (1ull << (kernel::SIGKILL - 1)) | (1ull << (kernel::SIGSTOP - 1));
} // namespace

Result<u64> sys_rt_sigaction(SyscallArgs& args) {
    const u64 sig = args.a[0], act = args.a[1], oact = args.a[2], sigsetsize = args.a[3];
    if (sigsetsize != 8) return Errno::EINVAL;
    if (sig < 1 || sig > u64(kernel::NSIG)) return Errno::EINVAL;
    if (act && (sig == u64(kernel::SIGKILL) || sig == u64(kernel::SIGSTOP))) return Errno::EINVAL;
    kernel::SigAction& slot = kernel::current_process().actions[sig];
    kernel::SigAction wanted{};
    if (act) wanted = TRY(UserPtr<kernel::SigAction>(act).read());
    if (oact) TRY(UserPtr<kernel::SigAction>(oact).write(slot));
    if (act) {
        wanted.mask &= ~UNBLOCKABLE;
        slot = wanted;
        signal::discard_if_ignored(int(sig));
    }
    return 0;
}

Result<u64> sys_rt_sigprocmask(SyscallArgs& args) {
    const u64 how = args.a[0], set = args.a[1], oset = args.a[2], sigsetsize = args.a[3];
    if (sigsetsize != 8) return Errno::EINVAL;
    kernel::Thread& t = kernel::current_thread();
    u64 wanted = 0;
    if (set) {
        if (how != SIG_BLOCK && how != SIG_UNBLOCK && how != SIG_SETMASK) return Errno::EINVAL;
        wanted = TRY(UserPtr<u64>(set).read());
    }
    if (oset) TRY(UserPtr<u64>(oset).write(t.signal_mask));
    if (set) {
        if (how == SIG_BLOCK) t.signal_mask |= wanted;
        else if (how == SIG_UNBLOCK) t.signal_mask &= ~wanted;
        else t.signal_mask = wanted;
        t.signal_mask &= ~UNBLOCKABLE;
    }
    return 0;
}

Result<u64> sys_rt_sigsuspend(SyscallArgs& args) {
    if (args.a[1] != 8) return Errno::EINVAL;
    const u64 mask = TRY(UserPtr<u64>(args.a[0]).read());
    kernel::Thread& t = kernel::current_thread();
    t.saved_mask = t.signal_mask;
    t.has_saved_mask = true;
    t.signal_mask = mask & ~UNBLOCKABLE;
    // Wait for a signal the temporary mask lets through; its handler runs on the way out and
    // the old mask comes back when the handler returns.
    while (!(t.pending_signals & ~t.signal_mask)) sched::block_interruptible(0);
    // EINTR once a handler ran; if the signal turned out to be ignored, the wait goes on.
    return Errno::ERESTARTNOHAND;
}

Result<u64> sys_pause(SyscallArgs&) {
    kernel::Thread& t = kernel::current_thread();
    while (!(t.pending_signals & ~t.signal_mask)) sched::block_interruptible(0);
    return Errno::ERESTARTNOHAND;
}

Result<u64> sys_rt_sigpending(SyscallArgs& args) {
    if (args.a[1] != 8) return Errno::EINVAL;
    const kernel::Thread& t = kernel::current_thread();
    // Raised while blocked (an unblocked one would have been delivered or discarded).
    TRY(UserPtr<u64>(args.a[0]).write(t.pending_signals & t.signal_mask));
    return 0;
}

Result<u64> sys_rt_sigtimedwait(SyscallArgs& args) {
    if (args.a[3] != 8) return Errno::EINVAL;
    const u64 set = TRY(UserPtr<u64>(args.a[0]).read());
    i64 deadline = 0; // none
    if (args.a[2]) {
        const i64 ns = TRY(read_timespec_ns(args.a[2]));
        constexpr i64 MAX_NS = 100LL * 365 * 24 * 3600 * NSEC_PER_SEC; // beyond: no deadline
        if (ns == 0) deadline = -1; // poll
        else if (ns < MAX_NS) deadline = kernel::monotonic_ns() + ns;
    }
    signal::SigInfo info{};
    const int sig = TRY(signal::wait_for(set, deadline, info));
    if (args.a[1]) TRY(signal::copy_siginfo_to_user(args.a[1], info));
    return u64(sig);
}

Result<u64> sys_restart_syscall(SyscallArgs&) {
    kernel::Thread& t = kernel::current_thread();
    const u32 kind = t.restart.kind;
    t.restart.kind = RESTART_NONE;
    switch (kind) {
    case RESTART_NANOSLEEP: return resume_nanosleep(t);
    case RESTART_FUTEX_WAIT: return resume_futex_wait(t);
    case RESTART_POLL: return resume_poll(t);
    default: return Errno::EINTR; // nothing to resume (Linux's do_no_restart_syscall)
    }
}

Result<u64> sys_rt_sigreturn(SyscallArgs& args) {
    TRY(signal::sigreturn(*args.frame));
    args.full_return = true; // every register comes from the signal frame, rcx and r11 included
    return args.frame->rax;
}

Result<u64> sys_sigaltstack(SyscallArgs& args) {
    struct StackT {
        u64 ss_sp;
        i32 ss_flags;
        i32 pad;
        u64 ss_size;
    };
    constexpr i32 SS_ONSTACK = 1, SS_DISABLE = 2, SS_AUTODISARM = i32(1u << 31);
    constexpr u64 MINSIGSTKSZ = 2048;
    kernel::Thread& t = kernel::current_thread();
    const u64 sp = args.frame->rsp;
    const bool on = t.altstack_size && sp > t.altstack_sp && sp <= t.altstack_sp + t.altstack_size;
    if (args.a[1]) {
        StackT old{t.altstack_sp, t.altstack_size ? (on ? SS_ONSTACK : 0) : SS_DISABLE, 0,
                   t.altstack_size};
        TRY(UserPtr<StackT>(args.a[1]).write(old));
    }
    if (args.a[0]) {
        const StackT ss = TRY(UserPtr<StackT>(args.a[0]).read());
        if (on) return Errno::EPERM;
        const i32 mode = ss.ss_flags & ~SS_AUTODISARM;
        if (mode != 0 && mode != SS_DISABLE && mode != SS_ONSTACK) return Errno::EINVAL;
        if (mode == SS_DISABLE) {
            t.altstack_sp = t.altstack_size = 0;
            t.altstack_flags = SS_DISABLE;
        } else {
            if (ss.ss_size < MINSIGSTKSZ) return Errno::ENOMEM;
            t.altstack_sp = ss.ss_sp;
            t.altstack_size = ss.ss_size;
            t.altstack_flags = 0;
        }
    }
    return 0;
}

static signal::SigInfo sender_info(u64 sig, i32 code) {
    signal::SigInfo info{};
    info.signo = int(sig);
    info.code = code;
    info.pid = kernel::current_process().pid;
    info.uid = kernel::current_process().uid;
    return info;
}

// To a thread of the given process (tgid 0: any process).
static Result<u64> send_to_thread_of(i32 tgid, i32 tid, const signal::SigInfo& info) {
    const kernel::Thread* t = sched::find_thread(tid);
    if (!t || (tgid && (!t->process || t->process->pid != tgid))) return Errno::ESRCH;
    TRY(signal::send_to_thread(tid, info));
    return 0;
}

// kill(2)'s targets: pid > 0 one process, 0 the caller's group, -1 every process but the
// caller, < -1 the group -pid.
static Result<u64> send_to_pid(i32 pid, const signal::SigInfo& info) {
    if (pid > 0) {
        kernel::Process* p = kernel::find_process(pid);
        if (!p) return Errno::ESRCH;
        TRY(signal::send_to_process(*p, info));
        return 0;
    }
    if (pid == i32(0x80000000)) return Errno::ESRCH;
    kernel::Process& self = kernel::current_process();
    const i32 group = pid == 0 ? self.pgid : -pid;
    bool found = false;
    for (kernel::Process* p = kernel::all_processes(); p; p = p->all_next) {
        if (pid == -1 ? p == &self : p->pgid != group) continue;
        found = true;
        (void)signal::send_to_process(*p, info);
    }
    if (!found) return Errno::ESRCH;
    return 0;
}

// rt_sigqueueinfo / rt_tgsigqueueinfo: the sender supplies si_code, si_pid, si_uid and
// si_value (sigqueue(3) and pthread_sigqueue(3) fill them).
static Result<signal::SigInfo> queued_info(u64 sig, u64 user_info, bool to_self) {
    struct {
        i32 signo, err, code, pad;
        i32 pid;
        u32 uid;
        u64 value;
    } si;
    TRY(copy_from_user(&si, user_info, sizeof si));
    if (sig > u64(kernel::NSIG)) return Errno::EINVAL;
    // As Linux: towards another process the sender may not pose as the kernel or kill().
    if (!to_self && (si.code >= 0 || si.code == signal::SI_TKILL)) return Errno::EPERM;
    signal::SigInfo info{};
    info.signo = int(sig);
    info.code = si.code;
    info.pid = si.pid;
    info.uid = si.uid;
    info.value = si.value;
    return info;
}

Result<u64> sys_rt_sigqueueinfo(SyscallArgs& args) {
    const i32 pid = i32(args.a[0]);
    const kernel::Process* p = kernel::find_process(pid);
    if (!p) return Errno::ESRCH;
    const signal::SigInfo info =
        TRY(queued_info(args.a[1], args.a[2], p == &kernel::current_process()));
    return send_to_pid(pid, info);
}

Result<u64> sys_rt_tgsigqueueinfo(SyscallArgs& args) {
    const i32 tgid = i32(args.a[0]), tid = i32(args.a[1]);
    if (tgid <= 0 || tid <= 0) return Errno::EINVAL;
    const bool self = tgid == kernel::current_process().pid;
    const signal::SigInfo info = TRY(queued_info(args.a[2], args.a[3], self));
    return send_to_thread_of(tgid, tid, info);
}

Result<u64> sys_kill(SyscallArgs& args) {
    // Guest processes only. TODO: ship kill(2) to the proxy for processes spawned on the host.
    if (args.a[1] > u64(kernel::NSIG)) return Errno::EINVAL;
    return send_to_pid(i32(args.a[0]), sender_info(args.a[1], signal::SI_USER));
}

Result<u64> sys_tgkill(SyscallArgs& args) {
    if (i32(args.a[0]) <= 0 || i32(args.a[1]) <= 0) return Errno::EINVAL;
    if (args.a[2] > u64(kernel::NSIG)) return Errno::EINVAL;
    return send_to_thread_of(i32(args.a[0]), i32(args.a[1]),
                             sender_info(args.a[2], signal::SI_TKILL));
}

Result<u64> sys_tkill(SyscallArgs& args) {
    if (i32(args.a[0]) <= 0) return Errno::EINVAL;
    if (args.a[1] > u64(kernel::NSIG)) return Errno::EINVAL;
    return send_to_thread_of(0, i32(args.a[0]), sender_info(args.a[1], signal::SI_TKILL));
}

} // namespace jvmos::shim
