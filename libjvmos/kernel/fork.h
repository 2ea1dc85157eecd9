// Processes made by fork: creating one (a copy of the caller's address space, fds and signal
// state with only the calling thread), ending one (its threads killed, everything freed, a
// zombie left for its parent with SIGCHLD), and waiting for one (wait4/waitid).
//
// Why fork without exec runs in the guest: stress-ng's stressors, shells' subshells and
// fork-based servers fork and go on running the same program, which needs the same memory
// (copy-on-write) and the same kernel objects, so the child must live next to its parent. A new
// program (execve) is the proxy's business, as before (docs/ARCHITECTURE.md).
//
// Locking: everything here runs under the kernel lock (sched/smp.h).
#pragma once

#include "arch/x86_64/frame.h"
#include "base/result.h"
#include "base/types.h"
#include "kernel/process.h"

namespace jvmos::kernel {

// What clone(2) asked for besides a new process.
struct ForkRequest {
    u64 stack;      // the child's RSP, 0 = the parent's
    u64 child_tid;  // CLONE_CHILD_SETTID / CLONE_CHILD_CLEARTID address (in the child)
    u64 parent_tid; // CLONE_PARENT_SETTID address (in the parent)
    u64 tls;        // CLONE_SETTLS value
    bool set_child_tid;
    bool clear_child_tid;
    bool set_parent_tid;
    bool set_tls;
};

// A new process that is a copy of the caller's, whose only thread returns 0 from the syscall
// that `frame` entered with. Returns its pid. ENOMEM / EAGAIN.
Result<i32> fork_process(const arch::TrapFrame& frame, const ForkRequest& request);

// Which children a wait selects.
struct WaitSelector {
    enum class Kind : u8 { any, pid, group } kind;
    i32 id; // the pid or the process group
};

// What wait4/waitid report about a child.
struct WaitResult {
    i32 pid;
    i32 status; // wait status (Linux's encoding)
    u32 uid;
    u64 cpu_ns; // the child's CPU time (its reaped children's included)
};

enum class WaitFlags : u32 { none = 0, no_hang = 1, no_reap = 2 };
inline WaitFlags operator|(WaitFlags a, WaitFlags b) {
    return WaitFlags(u32(a) | u32(b));
}
inline bool has(WaitFlags set, WaitFlags f) {
    return u32(set) & u32(f);
}

// Waits for a selected child of the calling process to end. Returns its pid with `out` filled
// (the zombie reaped unless no_reap), 0 with no_hang if none has ended yet, ECHILD if the
// caller has no such child, ERESTARTSYS if a signal arrived meanwhile.
Result<i32> wait_child(const WaitSelector& selector, WaitFlags flags, WaitResult& out);

// The calling thread is the first one of a process that must end (exit_group, a fatal signal)
// with `wait_status`: the other threads are killed and the last one out finishes the process.
// Only for processes other than the first.
[[noreturn]] void end_child_process(i32 wait_status);

// Boot: the first process joins the process list.
void register_first_process(Process* p);

} // namespace jvmos::kernel
