// Signal dispositions and masks (recorded; delivery to handlers arrives with the signal work:
// until then a fault kills the program as Linux's default action does).
#include "kernel/process.h"
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

} // namespace jvmos::shim
