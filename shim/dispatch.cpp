// The syscall dispatcher: number -> table entry -> handler, the single place where an Errno
// becomes -errno, and the --strace tracer.
#include "arch/x86_64/arch.h"
#include "base/format.h"
#include "kernel/host.h"
#include "kernel/process.h"
#include "kernel/stats.h"
#include "sched/scheduler.h"
#include "sched/smp.h"
#include "signal/signal.h"
#include "shim/strace.h"
#include "shim/table.h"

namespace jvmos::shim {
namespace {

constexpr u64 NR_EXIT = 60;
constexpr u64 NR_EXIT_GROUP = 231;
constexpr u64 NR_RT_SIGRETURN = 15;

class TracedMemory final : public UserMemory {
public:
    bool read(u64 addr, void* out, usize len) const override {
        return kernel::current_address_space().peek(addr, out, len);
    }
};

// Unknown syscalls reported so far (each is reported once).
u64 g_reported_unknown[JVMOS_SYSCALL_COUNT_MAX / 64];
char g_trace_line[1024];

// With several processes each line starts with the caller's pid, as `strace -f` writes it;
// with one the format stays strace's plain one. Returns the prefix's length in g_trace_line.
usize trace_prefix() {
    if (kernel::process_count() <= 1) return 0;
    return format(g_trace_line, sizeof g_trace_line, "[pid %5d] ", kernel::current_process().pid);
}

void trace_line(usize n) {
    if (n >= sizeof g_trace_line) {
        n = sizeof g_trace_line - 1;
        g_trace_line[n - 1] = '\n';
    }
    kernel::host_log(g_trace_line, n);
}

void report_unknown_once(u64 nr) {
    if (nr < JVMOS_SYSCALL_COUNT_MAX) {
        u64& word = g_reported_unknown[nr / 64];
        if (word & (1ull << (nr % 64))) return;
        word |= 1ull << (nr % 64);
    }
    const char* name = syscall_name(nr);
    usize n;
    if (name)
        n = format(g_trace_line, sizeof g_trace_line,
                   "jvmos: unsupported syscall %s (%llu) returned ENOSYS\n", name,
                   (unsigned long long)nr);
    else
        n = format(g_trace_line, sizeof g_trace_line,
                   "jvmos: unknown syscall %llu returned ENOSYS\n", (unsigned long long)nr);
    trace_line(n);
}

} // namespace
} // namespace jvmos::shim

extern "C" jvmos::u64 jvmos_syscall_entry(jvmos::arch::TrapFrame* f) {
    using namespace jvmos;
    using namespace jvmos::shim;
    smp::enter_from_user();
    SyscallArgs args{f->rax, {f->rdi, f->rsi, f->rdx, f->r10, f->r8, f->r9}, f, false};
    const SyscallInfo& info = syscall_info(args.nr);
    const bool strace = kernel::current_process().strace;
    if (strace && (args.nr == NR_EXIT || args.nr == NR_EXIT_GROUP)) {
        const usize p = trace_prefix();
        trace_line(p + format_syscall_noreturn(g_trace_line + p, sizeof g_trace_line - p, args.nr,
                                               args.a, TracedMemory()));
    }
    const stats::SyscallProbe probe = stats::syscall_begin(args.nr);
    i64 ret;
    if (info.handler) {
        Result<u64> r = info.handler(args);
        ret = r.is_ok() ? i64(r.value()) : -i64(r.error());
    } else {
        ret = -i64(info.error);
    }
    f->rax = u64(ret);
    stats::syscall_end(probe, args.nr);
    if (strace) {
        const usize p = trace_prefix();
        trace_line(p + format_syscall(g_trace_line + p, sizeof g_trace_line - p, args.nr, args.a,
                                      ret, TracedMemory()));
        if (info.disposition == Disposition::Unknown) report_unknown_once(args.nr);
    }
    sched::maybe_preempt();
    // After rt_sigreturn RAX is the interrupted context's, not a return value that could ask
    // for a restart (Linux sets orig_ax to -1 there).
    const i64 restartable = args.nr == NR_RT_SIGRETURN ? -1 : i64(args.nr);
    if (signal::deliver_pending(*f, restartable)) args.full_return = true;
    smp::exit_to_user();
    return args.full_return;
}
