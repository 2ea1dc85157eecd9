#include "shim/table.h"

#include "base/format.h"
#include "kernel/host.h"

namespace jvmos::shim {
namespace {

// The dispositions. Entries name the handler by the syscall's Linux name.
//   LOCAL(name)                 handled by libjvmos
//   SHIPPED(name)               forwarded to linux-proxy through the ship ring
//   PARTIAL(name, note)         handled, with the restriction in `note`
//   UNSUPPORTED(name, errno, note)
#define JVMOS_SYSCALL_TABLE(LOCAL, SHIPPED, PARTIAL, UNSUPPORTED)                                  \
    SHIPPED(read)                                                                                  \
    SHIPPED(write)                                                                                 \
    SHIPPED(readv)                                                                                 \
    SHIPPED(writev)                                                                                \
    SHIPPED(pread64)                                                                               \
    SHIPPED(pwrite64)                                                                              \
    SHIPPED(open)                                                                                  \
    SHIPPED(openat)                                                                                \
    SHIPPED(creat)                                                                                 \
    PARTIAL(close, "local fd table; the proxy's file is released with the last fd")              \
    SHIPPED(stat)                                                                                  \
    SHIPPED(lstat)                                                                                 \
    SHIPPED(fstat)                                                                                 \
    SHIPPED(newfstatat)                                                                            \
    PARTIAL(statx, "STATX_BASIC_STATS only (no birth time, no attributes)")                     \
    SHIPPED(lseek)                                                                                 \
    SHIPPED(getdents64)                                                                            \
    SHIPPED(readlink)                                                                              \
    SHIPPED(readlinkat)                                                                            \
    SHIPPED(access)                                                                                \
    SHIPPED(faccessat)                                                                             \
    SHIPPED(faccessat2)                                                                            \
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
    SHIPPED(ftruncate)                                                                             \
    SHIPPED(fsync)                                                                                 \
    SHIPPED(fdatasync)                                                                             \
    SHIPPED(flock)                                                                                 \
    SHIPPED(fstatfs)                                                                               \
    PARTIAL(fcntl, "F_GETFL/F_SETFL shipped; F_GETFD/F_SETFD/F_DUPFD(_CLOEXEC) local; others EINVAL") \
    LOCAL(dup)                                                                                     \
    LOCAL(dup2)                                                                                    \
    LOCAL(dup3)                                                                                    \
    PARTIAL(ioctl, "TCGETS, TIOCGWINSZ, FIONREAD; other requests ENOTTY")                        \
    PARTIAL(getcwd, "the path is kept lexically, like a shell's logical pwd")                    \
    SHIPPED(chdir)                                                                                 \
    LOCAL(fchdir)                                                                                  \
    SHIPPED(pipe)                                                                                  \
    SHIPPED(pipe2)                                                                                 \
    SHIPPED(copy_file_range)                                                                       \
    PARTIAL(socketpair, "AF_UNIX only (sockets in general arrive with networking)")              \
    PARTIAL(sendfile, "between two files (or pipes) of the proxy; no socket support yet")        \
    PARTIAL(mmap, "anonymous memory; private file mappings are copied at map time; "             \
                  "writable shared file mappings are not supported (ENODEV)")                    \
    LOCAL(mprotect)                                                                                \
    PARTIAL(madvise, "DONTNEED/FREE/REMOVE drop the pages; other advice is accepted as a hint")  \
    LOCAL(msync)                                                                                   \
    LOCAL(mincore)                                                                                 \
    LOCAL(munmap)                                                                                  \
    LOCAL(brk)                                                                                     \
    LOCAL(rt_sigaction)                                                                            \
    LOCAL(rt_sigprocmask)                                                                          \
    LOCAL(rt_sigreturn)                                                                            \
    LOCAL(rt_sigsuspend)                                                                           \
    LOCAL(sigaltstack)                                                                             \
    PARTIAL(kill, "the guest process itself only; host processes: ESRCH")                        \
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
    LOCAL(set_tid_address)                                                                         \
    PARTIAL(clock_gettime, "REALTIME/MONOTONIC families and the process/thread CPU clocks")      \
    LOCAL(clock_getres)                                                                            \
    LOCAL(clock_nanosleep)                                                                         \
    LOCAL(exit_group)                                                                              \
    LOCAL(sched_getaffinity)                                                                       \
    LOCAL(prlimit64)                                                                               \
    LOCAL(getrandom)                                                                               \
    PARTIAL(clone, "threads (the pthread flag set); a new process (fork, vfork) is ENOSYS")      \
    PARTIAL(futex, "WAIT/WAKE(_BITSET), REQUEUE, CMP_REQUEUE, WAKE_OP; no PI; shared = private")  \
    PARTIAL(set_robust_list, "recorded; robust mutexes are not cleaned up at thread death")      \
    LOCAL(sched_yield)                                                                             \
    LOCAL(getcpu)                                                                                  \
    LOCAL(sched_setaffinity)                                                                       \
    PARTIAL(prctl, "PR_SET_NAME and PR_GET_NAME; others EINVAL")                                  \
    LOCAL(getpgrp)                                                                                 \
    LOCAL(getpgid)                                                                                 \
    LOCAL(getsid)                                                                                  \
    PARTIAL(fadvise64, "advice is accepted and ignored")                                         \
    SHIPPED(statfs)                                                                                \
    UNSUPPORTED(getxattr, EOPNOTSUPP, "extended attributes: the file system reports none")      \
    UNSUPPORTED(lgetxattr, EOPNOTSUPP, "extended attributes: the file system reports none")     \
    UNSUPPORTED(fgetxattr, EOPNOTSUPP, "extended attributes: the file system reports none")     \
    UNSUPPORTED(listxattr, EOPNOTSUPP, "extended attributes: the file system reports none")     \
    UNSUPPORTED(llistxattr, EOPNOTSUPP, "extended attributes: the file system reports none")    \
    UNSUPPORTED(flistxattr, EOPNOTSUPP, "extended attributes: the file system reports none")    \
    UNSUPPORTED(rseq, ENOSYS, "glibc then marks rseq unregistered")                              \
    UNSUPPORTED(clone3, ENOSYS, "glibc falls back to clone(2)")

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
#define JVMOS_UNSUPPORTED(name, err, note)                                                         \
    t.entries[NR_##name] = {#name, Disposition::Unsupported, nullptr, note, Errno::err};
    JVMOS_SYSCALL_TABLE(JVMOS_LOCAL, JVMOS_SHIPPED, JVMOS_PARTIAL, JVMOS_UNSUPPORTED)
#undef JVMOS_LOCAL
#undef JVMOS_PARTIAL
#undef JVMOS_SHIPPED
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
