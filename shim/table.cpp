#include "shim/table.h"

#include "base/format.h"
#include "kernel/host.h"

namespace jvmos::shim {
namespace {

// The dispositions. Entries name the handler by the syscall's Linux name.
//   LOCAL(name)                 handled by libjvmos
//   SHIPPED(name)               forwarded to linux-proxy through the ship ring
//   SHIPPED_NOTE(name, note)    forwarded, except for what `note` says is answered locally
//   PARTIAL(name, note)         handled, with the restriction in `note`
//   UNSUPPORTED(name, errno, note)
#define JVMOS_SYSCALL_TABLE(LOCAL, SHIPPED, SHIPPED_NOTE, PARTIAL, UNSUPPORTED)                    \
    SHIPPED_NOTE(read, "memfd, /proc and /sys files are local")                                    \
    SHIPPED_NOTE(write, "memfd, /proc and /sys files are local")                                   \
    SHIPPED_NOTE(readv, "memfd, /proc and /sys files are local")                                   \
    SHIPPED_NOTE(writev, "memfd, /proc and /sys files are local")                                  \
    SHIPPED_NOTE(pread64, "memfd, /proc and /sys files are local")                                 \
    SHIPPED_NOTE(pwrite64, "memfd, /proc and /sys files are local")                                \
    SHIPPED_NOTE(open, "paths in /proc and /sys are answered locally")                             \
    SHIPPED_NOTE(openat, "paths in /proc and /sys are answered locally")                           \
    SHIPPED_NOTE(creat, "paths in /proc and /sys are answered locally")                            \
    PARTIAL(close, "local fd table; the proxy's file is released with the last fd")              \
    SHIPPED_NOTE(stat, "paths in /proc and /sys are answered locally")                             \
    SHIPPED_NOTE(lstat, "paths in /proc and /sys are answered locally")                            \
    SHIPPED_NOTE(fstat, "memfd, /proc and /sys files are local")                                   \
    SHIPPED_NOTE(newfstatat, "paths in /proc and /sys are answered locally")                       \
    PARTIAL(statx, "STATX_BASIC_STATS only (no birth time, no attributes); /proc and /sys "     \
                   "answered locally")                                                           \
    SHIPPED_NOTE(lseek, "memfd, /proc and /sys files are local")                                   \
    SHIPPED_NOTE(getdents64, "/proc and /sys directories are listed locally")                      \
    SHIPPED_NOTE(readlink, "paths in /proc and /sys are answered locally")                         \
    SHIPPED_NOTE(readlinkat, "paths in /proc and /sys are answered locally")                       \
    SHIPPED_NOTE(access, "paths in /proc and /sys are answered locally")                           \
    SHIPPED_NOTE(faccessat, "paths in /proc and /sys are answered locally")                        \
    SHIPPED_NOTE(faccessat2, "paths in /proc and /sys are answered locally")                       \
    SHIPPED(mkdir)                                                                                 \
    SHIPPED(mkdirat)                                                                               \
    SHIPPED(unlink)                                                                                \
    SHIPPED(unlinkat)                                                                              \
    SHIPPED(rmdir)                                                                                 \
    SHIPPED(rename)                                                                                \
    SHIPPED(renameat)                                                                              \
    SHIPPED(renameat2)                                                                             \
    SHIPPED(chmod)                                                                                 \
    SHIPPED(fchmod)                                                                                \
    SHIPPED(fchmodat)                                                                              \
    SHIPPED(utimensat)                                                                             \
    SHIPPED(utimes)                                                                                \
    SHIPPED(utime)                                                                                 \
    SHIPPED(futimesat)                                                                             \
    SHIPPED(symlink)                                                                               \
    SHIPPED(symlinkat)                                                                             \
    SHIPPED(link)                                                                                  \
    SHIPPED(linkat)                                                                                \
    SHIPPED(chown)                                                                                 \
    SHIPPED(fchown)                                                                                \
    SHIPPED(lchown)                                                                                \
    SHIPPED(fchownat)                                                                              \
    SHIPPED(ftruncate)                                                                             \
    SHIPPED(fsync)                                                                                 \
    SHIPPED(fdatasync)                                                                             \
    SHIPPED(flock)                                                                                 \
    SHIPPED_NOTE(fstatfs, "memfd, /proc and /sys files are local")                                 \
    PARTIAL(fcntl, "F_GETFL/F_SETFL and record locks (F_GETLK/F_SETLK/F_SETLKW, F_OFD_*) "      \
                   "shipped; F_GETFD/F_SETFD/F_DUPFD(_CLOEXEC) local; others EINVAL")            \
    LOCAL(dup)                                                                                     \
    LOCAL(dup2)                                                                                    \
    LOCAL(dup3)                                                                                    \
    PARTIAL(ioctl, "TCGETS, TIOCGWINSZ, FIONREAD; other requests ENOTTY")                        \
    PARTIAL(getcwd, "the path is kept lexically, like a shell's logical pwd")                    \
    SHIPPED_NOTE(chdir, "paths in /proc and /sys are answered locally")                            \
    LOCAL(fchdir)                                                                                  \
    SHIPPED(pipe)                                                                                  \
    SHIPPED(pipe2)                                                                                 \
    SHIPPED_NOTE(poll, "one shipped call for all shipped fds; memfd and /proc files are local")    \
    SHIPPED_NOTE(ppoll, "one shipped call for all shipped fds; memfd and /proc files are local")   \
    SHIPPED_NOTE(select, "one shipped call for all shipped fds; memfd and /proc files are local")  \
    SHIPPED_NOTE(pselect6,                                                                         \
                 "one shipped call for all shipped fds; memfd and /proc files are local")        \
    SHIPPED(copy_file_range)                                                                       \
    PARTIAL(socketpair, "AF_UNIX only (sockets in general arrive with networking)")              \
    PARTIAL(sendfile, "between two files (or pipes) of the proxy; no socket support yet")        \
    PARTIAL(mmap, "file pages are read on first touch; shared writable file pages are written "  \
                  "back on msync/munmap/exit only (read() sees them after that); memfd "          \
                  "mappings alias its frames; no MAP_HUGETLB (ENOMEM)")                          \
    LOCAL(mprotect)                                                                                \
    PARTIAL(madvise, "DONTNEED/FREE/REMOVE drop the pages (REMOVE frees no memfd page); other "  \
                     "advice is accepted as a hint")                                              \
    PARTIAL(msync, "writes shared file mappings' dirty pages back whatever the flags")            \
    LOCAL(mremap)                                                                                  \
    PARTIAL(memfd_create, "local file of guest frames (its read/write/lseek/fstat/ftruncate/"     \
                          "fcntl are local too); no MFD_HUGETLB (EINVAL)")                        \
    PARTIAL(fallocate, "memfd: mode 0, KEEP_SIZE, PUNCH_HOLE|KEEP_SIZE; other files EOPNOTSUPP")  \
    LOCAL(mincore)                                                                                 \
    LOCAL(munmap)                                                                                  \
    LOCAL(brk)                                                                                     \
    LOCAL(rt_sigaction)                                                                            \
    LOCAL(rt_sigprocmask)                                                                          \
    LOCAL(rt_sigreturn)                                                                            \
    LOCAL(rt_sigsuspend)                                                                           \
    LOCAL(pause)                                                                                   \
    LOCAL(rt_sigpending)                                                                           \
    LOCAL(rt_sigtimedwait)                                                                         \
    PARTIAL(rt_sigqueueinfo, "guest processes; one pending instance per signal, RT ones too")  \
    PARTIAL(rt_tgsigqueueinfo, "guest threads; one pending instance per signal, RT ones too")  \
    LOCAL(restart_syscall)                                                                         \
    LOCAL(sigaltstack)                                                                             \
    PARTIAL(kill, "guest processes (pid, group, -1); host processes: ESRCH")                   \
    LOCAL(tgkill)                                                                                  \
    LOCAL(tkill)                                                                                   \
    LOCAL(nanosleep)                                                                               \
    LOCAL(getpid)                                                                                  \
    LOCAL(exit)                                                                                    \
    LOCAL(uname)                                                                                   \
    LOCAL(gettimeofday)                                                                            \
    LOCAL(getuid)                                                                                  \
    LOCAL(getgid)                                                                                  \
    LOCAL(geteuid)                                                                                 \
    LOCAL(getegid)                                                                                 \
    LOCAL(getppid)                                                                                 \
    LOCAL(sysinfo)                                                                                 \
    LOCAL(arch_prctl)                                                                              \
    LOCAL(gettid)                                                                                  \
    LOCAL(time)                                                                                    \
    PARTIAL(getrusage, "CPU time (all of it user time), reaped children's too; others zero")   \
    PARTIAL(times, "CPU time (all of it user time), reaped children's too")                    \
    LOCAL(set_tid_address)                                                                         \
    PARTIAL(clock_gettime, "REALTIME/MONOTONIC families and the process/thread CPU clocks")      \
    LOCAL(clock_getres)                                                                            \
    LOCAL(clock_nanosleep)                                                                         \
    LOCAL(exit_group)                                                                              \
    LOCAL(sched_getaffinity)                                                                       \
    LOCAL(prlimit64)                                                                               \
    LOCAL(getrandom)                                                                               \
    PARTIAL(clone, "threads (the pthread flag set) and processes without CLONE_VM (fork); "   \
                   "CLONE_VM without CLONE_THREAD (posix_spawn) is ENOSYS")                     \
    PARTIAL(fork, "copy-on-write copy of the caller; only the calling thread")                  \
    PARTIAL(vfork, "runs as fork (POSIX allows it): the parent does not wait")                  \
    PARTIAL(clone3, "as clone; no CLONE_PIDFD, set_tid or cgroup")                             \
    PARTIAL(wait4, "exited and killed children; never stopped or continued ones")              \
    PARTIAL(waitid, "P_ALL/P_PID/P_PGID; exited and killed children; no P_PIDFD")               \
    LOCAL(setpgid)                                                                                 \
    LOCAL(alarm)                                                                                   \
    PARTIAL(setitimer, "ITIMER_REAL only; ITIMER_VIRTUAL and ITIMER_PROF are EINVAL")          \
    PARTIAL(getitimer, "ITIMER_REAL only; ITIMER_VIRTUAL and ITIMER_PROF are EINVAL")          \
    PARTIAL(umask, "recorded and inherited by fork; shipped creations use the proxy's umask")  \
    PARTIAL(mlock, "accepted: guest memory is never swapped")                                   \
    PARTIAL(munlock, "accepted: guest memory is never swapped")                                 \
    PARTIAL(mlockall, "accepted: guest memory is never swapped")                                \
    PARTIAL(munlockall, "accepted: guest memory is never swapped")                              \
    LOCAL(setsid)                                                                                  \
    UNSUPPORTED(execve, ENOSYS, "a new program is not run in the guest (to be shipped to "     \
                                "the proxy); fork without exec is local")                        \
    UNSUPPORTED(execveat, ENOSYS, "a new program is not run in the guest (to be shipped to "   \
                                  "the proxy); fork without exec is local")                      \
    PARTIAL(futex, "WAIT/WAKE(_BITSET), REQUEUE, CMP_REQUEUE, WAKE_OP; no PI; shared futexes "   \
                   "keyed by memory object or frame in MAP_SHARED memory")                        \
    PARTIAL(set_robust_list, "recorded; robust mutexes are not cleaned up at thread death")      \
    LOCAL(sched_yield)                                                                             \
    LOCAL(getcpu)                                                                                  \
    LOCAL(sched_setaffinity)                                                                       \
    PARTIAL(prctl, "PR_SET/GET_NAME, _PDEATHSIG, _DUMPABLE, _CHILD_SUBREAPER (orphans always go "  \
                   "to the first process); others EINVAL")                                       \
    LOCAL(getpgrp)                                                                                 \
    LOCAL(getpgid)                                                                                 \
    LOCAL(getsid)                                                                                  \
    PARTIAL(fadvise64, "advice is accepted and ignored")                                         \
    SHIPPED_NOTE(statfs, "paths in /proc and /sys are answered locally")                           \
    UNSUPPORTED(getxattr, EOPNOTSUPP, "extended attributes: the file system reports none")      \
    UNSUPPORTED(lgetxattr, EOPNOTSUPP, "extended attributes: the file system reports none")     \
    UNSUPPORTED(fgetxattr, EOPNOTSUPP, "extended attributes: the file system reports none")     \
    UNSUPPORTED(listxattr, EOPNOTSUPP, "extended attributes: the file system reports none")     \
    UNSUPPORTED(llistxattr, EOPNOTSUPP, "extended attributes: the file system reports none")    \
    UNSUPPORTED(flistxattr, EOPNOTSUPP, "extended attributes: the file system reports none")    \
    UNSUPPORTED(rseq, ENOSYS, "glibc then marks rseq unregistered")                              \
    UNSUPPORTED(futex_waitv, ENOSYS, "callers fall back to futex(2)")

// Linux number of each syscall name, from the X-macro list.
enum LinuxNr : u64 {
#define JVMOS_NR(nr, name) NR_##name = nr,
    JVMOS_LINUX_SYSCALLS(JVMOS_NR)
#undef JVMOS_NR
};

struct Table {
    SyscallInfo entries[JVMOS_SYSCALL_COUNT_MAX];
};

constexpr Table build_table() {
    Table t{};
    for (auto& e : t.entries) e = {nullptr, Disposition::Unknown, nullptr, nullptr, Errno::ENOSYS};
#define JVMOS_NAME(nr, sys) t.entries[nr].name = #sys;
    JVMOS_LINUX_SYSCALLS(JVMOS_NAME)
#undef JVMOS_NAME
#define JVMOS_LOCAL(name)                                                                          \
    t.entries[NR_##name] = {#name, Disposition::Local, &sys_##name, nullptr, Errno::none};
#define JVMOS_PARTIAL(name, note)                                                                  \
    t.entries[NR_##name] = {#name, Disposition::Partial, &sys_##name, note, Errno::none};
#define JVMOS_SHIPPED(name)                                                                        \
    t.entries[NR_##name] = {#name, Disposition::Shipped, &sys_##name, nullptr, Errno::none};
#define JVMOS_SHIPPED_NOTE(name, note)                                                             \
    t.entries[NR_##name] = {#name, Disposition::Shipped, &sys_##name, note, Errno::none};
#define JVMOS_UNSUPPORTED(name, err, note)                                                         \
    t.entries[NR_##name] = {#name, Disposition::Unsupported, nullptr, note, Errno::err};
    JVMOS_SYSCALL_TABLE(JVMOS_LOCAL, JVMOS_SHIPPED, JVMOS_SHIPPED_NOTE, JVMOS_PARTIAL,
                        JVMOS_UNSUPPORTED)
#undef JVMOS_LOCAL
#undef JVMOS_PARTIAL
#undef JVMOS_SHIPPED
#undef JVMOS_SHIPPED_NOTE
#undef JVMOS_UNSUPPORTED
    return t;
}

constexpr Table TABLE = build_table();
constexpr SyscallInfo UNKNOWN = {nullptr, Disposition::Unknown, nullptr, nullptr, Errno::ENOSYS};

} // namespace

void print_syscall_table() {
    static char buf[8192];
    StringBuilder sb(buf, sizeof buf);
    auto flush = [&] {
        kernel::host_log(sb.c_str(), sb.length());
        sb = StringBuilder(buf, sizeof buf);
    };
    for (u64 nr = 0; nr < JVMOS_SYSCALL_COUNT_MAX; nr++) {
        const SyscallInfo& e = TABLE.entries[nr];
        if (!e.name) continue;
        const char* kind = e.disposition == Disposition::Local         ? "local"
                           : e.disposition == Disposition::Shipped     ? "shipped"
                           : e.disposition == Disposition::Partial     ? "partial"
                           : e.disposition == Disposition::Unsupported ? "unsupported"
                                                                       : "unknown";
        char line[512];
        usize n;
        if (e.disposition == Disposition::Unsupported)
            n = format(line, sizeof line, "%3llu %-24s %-11s %s: %s\n", (unsigned long long)nr,
                       e.name, kind, errno_name(e.error), e.note ? e.note : "");
        else if (e.disposition == Disposition::Unknown)
            n = format(line, sizeof line, "%3llu %-24s %-11s ENOSYS\n", (unsigned long long)nr,
                       e.name, kind);
        else if (e.note)
            n = format(line, sizeof line, "%3llu %-24s %-11s %s\n", (unsigned long long)nr,
                       e.name, kind, e.note);
        else
            n = format(line, sizeof line, "%3llu %-24s %s\n", (unsigned long long)nr, e.name,
                       kind);
        if (sb.length() + n + 1 >= sizeof buf) flush();
        sb.append(line);
    }
    flush();
}

const SyscallInfo& syscall_info(u64 nr) {
    return nr < JVMOS_SYSCALL_COUNT_MAX ? TABLE.entries[nr] : UNKNOWN;
}

} // namespace jvmos::shim
