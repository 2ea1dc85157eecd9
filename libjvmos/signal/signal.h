// Signal delivery with Linux's x86-64 rt_sigframe layout: siginfo, ucontext with the full
// register state in uc_mcontext, and the XSAVE state (AVX-512 included) in fpstate, on the
// thread's stack or its sigaltstack; rt_sigreturn restores all of it, honouring registers the
// handler changed (HotSpot rewrites RIP to continue after an implicit null check).
#pragma once

#include "arch/x86_64/frame.h"
#include "base/result.h"
#include "base/types.h"
#include "sched/scheduler.h"

namespace jvmos::kernel {
struct Process;
}
namespace jvmos::sched {
struct Thread;
}

namespace jvmos::signal {

inline constexpr int SIGHUP = 1, SIGINT = 2, SIGQUIT = 3, SIGILL = 4, SIGTRAP = 5, SIGABRT = 6;
inline constexpr int SIGBUS = 7, SIGFPE = 8, SIGKILL = 9, SIGSEGV = 11, SIGPIPE = 13;
inline constexpr int SIGTERM = 15, SIGCHLD = 17, SIGCONT = 18, SIGSTOP = 19, SIGURG = 23;
inline constexpr int SIGWINCH = 28;

// si_code values.
inline constexpr i32 SI_USER = 0, SI_QUEUE = -1, SI_TKILL = -6;
inline constexpr i32 SEGV_MAPERR = 1, SEGV_ACCERR = 2, BUS_ADRERR = 2, FPE_INTDIV = 1;
inline constexpr i32 ILL_ILLOPN = 2, TRAP_BRKPT = 1, SI_KERNEL = 0x80;

// The parts of siginfo_t we fill (the rest of the 128 bytes is zero).
struct SigInfo {
    i32 signo;
    i32 code;
    u64 addr; // SIGSEGV/SIGBUS/SIGFPE/SIGILL/SIGTRAP: the faulting address
    i32 pid;  // kill/tgkill: the sender
    u32 uid;
    u64 value; // rt_sigqueueinfo: si_value
};

// A synchronous signal from a CPU exception in user mode: delivered to the handler now (the
// frame is rewritten to enter it), or, if the program has no handler, blocks it or ignores
// it, the program dies of it as on Linux. `fault_frame` is the thread's user frame.
void force_fault_signal(arch::TrapFrame& frame, const SigInfo& info);

// Queues a signal for a thread (tgkill/tkill) or the process (kill: routed to a thread that
// does not block it). Wakes an interruptibly blocked target. A real-time signal (32..64) is
// queued once per send, delivered in order; EAGAIN once MAX_QUEUED_SIGNALS of them are pending
// in the guest (Linux: RLIMIT_SIGPENDING). A standard signal already pending is merged.
Result<void> send_to_thread(i32 tid, const SigInfo& info);
Result<void> send_to_process(const SigInfo& info);
// kill(2) to a process (the caller's or another): routed to one of its threads that does not
// block it. Nothing happens to a zombie.
Result<void> send_to_process(kernel::Process& target, const SigInfo& info);
// The thread's process is ending (exit_group, a fatal signal in another thread): SIGKILL.
void kill_thread(sched::Thread& t);

// On every return to user mode: delivers one pending, unblocked signal by rewriting `frame`
// (ignored ones are discarded on the way). `syscall_nr` is the syscall whose return value is in
// frame.rax, or -1 (an interrupt or exception, or rt_sigreturn): a kernel-internal ERESTART*
// value there becomes, as on Linux, EINTR or a restart of the call (RIP back on the
// `syscall` instruction, RAX = the number again; restart_syscall(2) for
// ERESTART_RESTARTBLOCK) depending on whether a handler runs and its SA_RESTART.
// Returns true if the frame changed beyond RAX (the return must restore every register).
bool deliver_pending(arch::TrapFrame& frame, i64 syscall_nr = -1);

// rt_sigtimedwait: takes a pending signal of `set` (the lowest) into `out` and returns its
// number; otherwise waits until one arrives (EINTR if another, unblocked signal arrives first),
// or `deadline_ns` passes (monotonic; EAGAIN; 0 = no deadline, negative = do not wait).
Result<int> wait_for(u64 set, i64 deadline_ns, SigInfo& out);

// Writes `info` as a Linux siginfo_t (128 bytes) at the user address.
Result<void> copy_siginfo_to_user(u64 addr, const SigInfo& info);

// After rt_sigaction: if `sig`'s action now ignores it (SIG_IGN, or SIG_DFL for a signal
// ignored by default), its pending instances are discarded, blocked ones included (POSIX).
void discard_if_ignored(int sig);

// Takes the signals the jvmos process received on the host (boot info's host_signals) and
// sends them to the program, as kill(2) from outside would. Called on the ship interrupt.
void take_host_signals();

// Signals pending for `t`, queued real-time instances counted one by one (/proc SigQ).
u64 queued_count(const sched::Thread& t);

// The most real-time signal instances pending at once in the guest.
inline constexpr u64 MAX_QUEUED_SIGNALS = 65536;

// rt_sigreturn: restores the user frame from the signal frame at the user stack.
Result<void> sigreturn(arch::TrapFrame& frame);

} // namespace jvmos::signal
