// The one process the guest runs: its address space, threads (one, for now: the SMP scheduler
// arrives with the Linux-ABI issue), signal dispositions, limits and identity.
#pragma once

#include "arch/x86_64/frame.h"
#include "base/types.h"
#include "mm/address_space.h"
#include "sched/scheduler.h"

namespace jvmos::kernel {

inline constexpr int NSIG = 64;
inline constexpr int SIGKILL = 9;
inline constexpr int SIGSEGV = 11;
inline constexpr int SIGSTOP = 19;

// struct k_sigaction as rt_sigaction(2) passes it on x86-64.
struct SigAction {
    u64 handler;
    u64 flags;
    u64 restorer;
    u64 mask;
};

struct RLimit {
    u64 cur;
    u64 max;
};
inline constexpr int RLIMIT_COUNT = 16;

using Thread = sched::Thread;

struct Process {
    mm::AddressSpace* address_space;
    Thread* main_thread;
    i32 pid;
    i32 ppid;
    u32 uid, euid, gid, egid;
    SigAction actions[NSIG + 1]; // indexed by signal number
    RLimit rlimits[RLIMIT_COUNT];
    bool strace;
    char exe_path[4096]; // absolute guest path of the program (/proc/self/exe)
};

Process& current_process();
inline Thread& current_thread() { return *sched::current(); }
inline mm::AddressSpace& current_address_space() { return *current_process().address_space; }

// A CPU exception in user mode: resolves demand faults, otherwise the program receives the
// matching signal (for now: it dies of it, as Linux does without a handler; delivery to
// handlers arrives with the signal work).
void handle_user_exception(arch::TrapFrame& frame, u64 fault_address);

// A page fault in user mode, without the kernel lock: true if the address space resolved it
// (anonymous memory, a stale TLB entry); false if it needs handle_user_exception().
bool try_fast_fault(const arch::TrapFrame& frame, u64 fault_address);

// Ends the program: jvmos exits with `status`.
[[noreturn]] void exit_process(int status);
// The program dies of `signal` (Linux's default action): jvmos exits with 128 + signal and
// prints one line naming the signal.
[[noreturn]] void kill_process(int signal, const arch::TrapFrame* frame, u64 fault_address);

} // namespace jvmos::kernel
