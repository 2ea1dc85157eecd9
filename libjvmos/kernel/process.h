// The guest's processes: each has its address space, threads, fd table, signal dispositions,
// limits and identity. The first one is the program jvmos started; the others are its
// descendants made by fork (kernel/fork.cpp: fork without exec; spawning a new program stays
// the proxy's job). jvmos exits when the first process does.
//
// Locking: the process list, the parent/child links and the states are protected by the
// kernel lock (sched/smp.h).
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

struct FdTable;   // kernel/files.cpp
struct OpenFile;  // kernel/files.h

enum class ProcessState : u8 {
    Running,
    Exiting, // exit_group or a fatal signal: its threads are on their way out
    Zombie,  // every thread gone and everything freed; waits for its parent to reap it
};

struct Process {
    mm::AddressSpace* address_space;
    Thread* main_thread; // the thread that started it (its tid is the pid); may have exited
    i32 pid;
    i32 ppid;
    i32 pgid;
    i32 sid;
    u32 uid, euid, gid, egid;
    SigAction actions[NSIG + 1]; // indexed by signal number
    RLimit rlimits[RLIMIT_COUNT];
    bool strace;
    char exe_path[4096]; // absolute guest path of the program (/proc/self/exe)
    FdTable* files;
    OpenFile* cwd;
    // Family and lifetime (kernel/fork.cpp).
    Process* parent;       // nullptr for the first process
    Process* first_child;  // children, living and zombie
    Process* next_sibling;
    Process* all_next;     // every process
    ProcessState state;
    u32 threads;           // live threads
    i32 wait_status;       // what wait4 reports, once Exiting (Linux's encoding)
    u64 dead_threads_ns;   // CPU time of its threads that exited
    u64 children_ns;       // CPU time of the children it reaped (RUSAGE_CHILDREN)
    i32 parent_death_signal; // prctl(PR_SET_PDEATHSIG): sent to it when its parent ends
    bool subreaper;        // prctl(PR_SET_CHILD_SUBREAPER), recorded (orphans go to the first)
    i64 alarm_deadline_ns; // alarm/ITIMER_REAL (kernel/itimer.h): monotonic ns, 0 = disarmed
    i64 alarm_interval_ns;
    u32 umask;             // umask(2); the first process starts with 022
    sched::WaitQueue child_waiters; // its threads blocked in wait4/waitid
};

Process& current_process();
// The process jvmos started (it lives as long as jvmos).
Process& first_process();
// The process with that pid (zombies included), nullptr if none.
Process* find_process(i32 pid);
// Every process, through Process::all_next.
Process* all_processes();
// How many processes exist (zombies included).
usize process_count();
// A new pid or tid (one number space, as on Linux).
i32 allocate_tid();
// CPU time of the process's threads, live and exited.
u64 process_cpu_ns(const Process& p);
// Live threads of the calling process.
usize live_threads();
inline Thread& current_thread() { return *sched::current(); }
inline mm::AddressSpace& current_address_space() { return *current_process().address_space; }

// A CPU exception in user mode: resolves demand faults, otherwise the program receives the
// matching signal (for now: it dies of it, as Linux does without a handler; delivery to
// handlers arrives with the signal work).
void handle_user_exception(arch::TrapFrame& frame, u64 fault_address);

// A page fault in user mode, without the kernel lock: true if the address space resolved it
// (anonymous memory, a stale TLB entry); false if it needs handle_user_exception().
bool try_fast_fault(const arch::TrapFrame& frame, u64 fault_address);

// exit_group: ends the calling process with exit code `status`. For the first process jvmos
// exits with it; another one becomes a zombie (kernel/fork.cpp).
[[noreturn]] void exit_process(int status);
// The calling process dies of `signal` (Linux's default action). For the first process jvmos
// exits with 128 + signal and prints one line naming the signal; another one becomes a zombie
// whose status says the signal.
[[noreturn]] void kill_process(int signal, const arch::TrapFrame* frame, u64 fault_address);
// The first process is ending, so jvmos is: every process's shared file pages are being
// written back, and no address space may be freed any more.
bool jvmos_ending();
// exit(2) of the calling thread when other threads of its process live on (kernel/fork.cpp).
[[noreturn]] void exit_thread();

} // namespace jvmos::kernel
