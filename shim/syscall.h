// What a syscall handler sees, and the handler prototypes (one file per family: sys_mm.cpp,
// sys_proc.cpp, sys_time.cpp, sys_signal.cpp, sys_fd.cpp, sys_fs.cpp). Handlers return Result<u64>;
// shim/dispatch.cpp is the single place where an Errno becomes -errno.
#pragma once

#include "arch/x86_64/frame.h"
#include "base/result.h"

namespace jvmos::sched {
struct Thread;
}

namespace jvmos::shim {

// struct timespec and struct timeval as x86-64 Linux passes them.
struct Timespec {
    i64 tv_sec;
    i64 tv_nsec;
};
struct Timeval {
    i64 tv_sec;
    i64 tv_usec;
};
inline constexpr i64 NSEC_PER_SEC = 1'000'000'000;

// A user struct timespec (a duration or an absolute time) in ns: EFAULT if unreadable, EINVAL
// if negative or tv_nsec is not below one second, as Linux checks them. Beyond ~146 years it
// saturates at INT64_MAX / 2, so that adding "now" to it cannot overflow.
Result<i64> read_timespec_ns(u64 addr);

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

// Every handler (the table in table.cpp says which are local and which shipped).
#define JVMOS_HANDLERS(X)                                                                          \
    X(read) X(write) X(readv) X(writev) X(pread64) X(pwrite64) X(mmap) X(mprotect) X(munmap)     \
    X(brk) X(rt_sigaction) X(rt_sigprocmask) X(nanosleep) X(getpid) X(exit) X(uname)           \
    X(gettimeofday) X(getuid) X(getgid) X(geteuid) X(getegid) X(getppid) X(sysinfo)            \
    X(arch_prctl) X(gettid) X(time) X(set_tid_address) X(clock_gettime) X(clock_getres)        \
    X(clock_nanosleep) X(exit_group) X(sched_getaffinity) X(prlimit64) X(getrandom)            \
    X(open) X(openat) X(creat) X(close) X(stat) X(lstat) X(fstat) X(newfstatat) X(statx)        \
    X(lseek) X(getdents64) X(readlink) X(readlinkat) X(access) X(faccessat) X(faccessat2)      \
    X(mkdir) X(mkdirat) X(unlink) X(unlinkat) X(rmdir) X(rename) X(renameat) X(renameat2)      \
    X(chmod) X(fchmod) X(fchmodat) X(ftruncate) X(fsync) X(fdatasync) X(flock) X(fstatfs)      \
    X(fcntl) X(dup) X(dup2) X(dup3) X(ioctl) X(getcwd) X(chdir) X(fchdir) X(pipe) X(pipe2)       \
    X(clone) X(futex) X(set_robust_list) X(sched_yield) X(sched_setaffinity) X(prctl) X(getcpu) \
    X(rt_sigreturn) X(sigaltstack) X(kill) X(tgkill) X(tkill) X(copy_file_range) X(sendfile)    \
    X(madvise) X(msync) X(mincore) X(rt_sigsuspend)     \
    X(pause) X(rt_sigpending) X(rt_sigtimedwait) X(rt_sigqueueinfo) X(rt_tgsigqueueinfo)      \
    X(restart_syscall)                                                                         \
    X(getpgrp) X(getpgid) X(getsid) X(fadvise64) X(statfs) X(socketpair) \
    X(utimensat) X(utimes) X(utime) X(futimesat) X(symlink) X(symlinkat) X(link) X(linkat)  \
    X(chown) X(fchown) X(lchown) X(fchownat) \
    X(memfd_create) X(fallocate) X(mremap) X(getrusage) X(times)                               \
    X(poll) X(ppoll) X(select) X(pselect6)                                                      \
    X(fork) X(vfork) X(clone3) X(wait4) X(waitid) X(setpgid) X(setsid)                         \
    X(alarm) X(setitimer) X(getitimer) X(umask) X(mlock) X(munlock) X(mlockall) X(munlockall)

JVMOS_HANDLERS(JVMOS_DECLARE_HANDLER)

// What restart_syscall(2) resumes (Thread::restart.kind): a call that a signal interrupted
// with ERESTART_RESTARTBLOCK and that no handler ended, continuing with its original deadline.
enum RestartKind : u32 {
    RESTART_NONE = 0,
    RESTART_NANOSLEEP = 1,
    RESTART_FUTEX_WAIT = 2,
    RESTART_POLL = 3,
};
Result<u64> resume_nanosleep(sched::Thread& t);  // sys_time.cpp
Result<u64> resume_futex_wait(sched::Thread& t); // sys_thread.cpp
Result<u64> resume_poll(sched::Thread& t);       // sys_poll.cpp

} // namespace jvmos::shim
