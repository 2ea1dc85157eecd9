// What a syscall handler sees, and the handler prototypes (one file per family: sys_mm.cpp,
// sys_proc.cpp, sys_time.cpp, sys_signal.cpp, sys_stdio.cpp). Handlers return Result<u64>;
// shim/dispatch.cpp is the single place where an Errno becomes -errno.
#pragma once

#include "arch/x86_64/frame.h"
#include "base/result.h"

namespace jvmos::shim {

struct SyscallArgs {
    u64 nr;
    u64 a[6]; // rdi, rsi, rdx, r10, r8, r9
    arch::TrapFrame* frame;
    // Set by a handler that changed the frame beyond RAX (rt_sigreturn, signal delivery): the
    // return to user must restore every register from it instead of taking sysret.
    bool full_return;
};

using SyscallHandler = Result<u64> (*)(SyscallArgs& args);

#define JVMOS_DECLARE_HANDLER(name) Result<u64> sys_##name(SyscallArgs& args);

// Local handlers implemented in this issue.
#define JVMOS_LOCAL_HANDLERS(X)                                                                    \
    X(read) X(write) X(writev) X(mmap) X(mprotect) X(munmap) X(brk) X(rt_sigaction)               \
    X(rt_sigprocmask) X(nanosleep) X(getpid) X(exit) X(uname) X(gettimeofday) X(getuid)        \
    X(getgid) X(geteuid) X(getegid) X(getppid) X(sysinfo) X(arch_prctl) X(gettid) X(time)      \
    X(set_tid_address) X(clock_gettime) X(clock_getres) X(clock_nanosleep) X(exit_group)       \
    X(sched_getaffinity) X(prlimit64) X(getrandom)

JVMOS_LOCAL_HANDLERS(JVMOS_DECLARE_HANDLER)

} // namespace jvmos::shim
