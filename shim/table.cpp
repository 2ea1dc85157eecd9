#include "shim/table.h"

namespace jvmos::shim {
namespace {

// The dispositions. Entries name the handler by the syscall's Linux name.
//   LOCAL(name)                 handled by libjvmos
//   PARTIAL(name, note)         handled, with the restriction in `note`
//   UNSUPPORTED(name, errno, note)
#define JVMOS_SYSCALL_TABLE(LOCAL, PARTIAL, UNSUPPORTED)                                           \
    PARTIAL(read, "fd 0-2 only, through the monitor's stdio (TEMPORARY until the shipper)")      \
    PARTIAL(write, "fd 0-2 only, through the monitor's stdio (TEMPORARY until the shipper)")     \
    PARTIAL(writev, "fd 0-2 only, through the monitor's stdio (TEMPORARY until the shipper)")    \
    PARTIAL(mmap, "anonymous memory; file mappings arrive with the shipper")                     \
    LOCAL(mprotect)                                                                                \
    LOCAL(munmap)                                                                                  \
    LOCAL(brk)                                                                                     \
    PARTIAL(rt_sigaction, "dispositions are recorded; delivery arrives with the signal work")   \
    PARTIAL(rt_sigprocmask, "masks are recorded; delivery arrives with the signal work")        \
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
#define JVMOS_UNSUPPORTED(name, err, note)                                                         \
    t.entries[NR_##name] = {#name, Disposition::Unsupported, nullptr, note, Errno::err};
    JVMOS_SYSCALL_TABLE(JVMOS_LOCAL, JVMOS_PARTIAL, JVMOS_UNSUPPORTED)
#undef JVMOS_LOCAL
#undef JVMOS_PARTIAL
#undef JVMOS_UNSUPPORTED
    return t;
}

constexpr Table TABLE = build_table();
constexpr SyscallInfo UNKNOWN = {nullptr, Disposition::Unknown, nullptr, nullptr, Errno::ENOSYS};

} // namespace

const SyscallInfo& syscall_info(u64 nr) {
    return nr < JVMOS_SYSCALL_COUNT_MAX ? TABLE.entries[nr] : UNKNOWN;
}

} // namespace jvmos::shim
