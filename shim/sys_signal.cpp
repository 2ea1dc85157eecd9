// Signal dispositions and masks (recorded; delivery to handlers arrives with the signal work:
// until then a fault kills the program as Linux's default action does).
#include "kernel/process.h"
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
    return Errno::EINTR;
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

static Result<u64> send(i32 tid_or_zero, u64 sig, i32 code) {
    if (sig > u64(kernel::NSIG)) return Errno::EINVAL;
    signal::SigInfo info{};
    info.signo = int(sig);
    info.code = code;
    info.pid = kernel::current_process().pid;
    info.uid = kernel::current_process().uid;
    if (tid_or_zero) TRY(signal::send_to_thread(tid_or_zero, info));
    else TRY(signal::send_to_process(info));
    return 0;
}

Result<u64> sys_kill(SyscallArgs& args) {
    const i32 pid = i32(args.a[0]);
    // The guest is one process: itself (or its group) is the only target it can reach.
    // TODO: ship kill(2) to the proxy for processes spawned on the host.
    if (pid != kernel::current_process().pid && pid != 0 && pid != -1) return Errno::ESRCH;
    return send(0, args.a[1], signal::SI_USER);
}

Result<u64> sys_tgkill(SyscallArgs& args) {
    if (i32(args.a[0]) <= 0 || i32(args.a[1]) <= 0) return Errno::EINVAL;
    if (i32(args.a[0]) != kernel::current_process().pid) return Errno::ESRCH;
    return send(i32(args.a[1]), args.a[2], signal::SI_TKILL);
}

Result<u64> sys_tkill(SyscallArgs& args) {
    if (i32(args.a[0]) <= 0) return Errno::EINVAL;
    return send(i32(args.a[0]), args.a[1], signal::SI_TKILL);
}

} // namespace jvmos::shim
