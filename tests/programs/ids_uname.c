/*
 * Identity and system information: uname's sysname and machine are printed (they must read as
 * Linux x86_64 for programs that check), the rest are relations that hold on any machine. The
 * raw syscalls are used where the C library would hide the kernel's answer (sched_getaffinity
 * returns a byte count only from the syscall; prlimit64 is called as itself).
 */
#include "check.h"

#include <stdint.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <unistd.h>

/* The kernel's struct rlimit64, independent of either C library's struct rlimit. */
struct kernel_rlimit64 {
    uint64_t cur;
    uint64_t max;
};

int main(void) {
    struct utsname u;
    CHECK(uname(&u) == 0, "uname");
    printf("sysname=%s machine=%s\n", u.sysname, u.machine);
    CHECK(strnlen(u.release, sizeof u.release) > 0, "uname release is not empty");

    CHECK(getuid() == geteuid(), "getuid() == geteuid()");
    CHECK(getgid() == getegid(), "getgid() == getegid()");
    pid_t pid = getpid();
    CHECK(pid > 0, "getpid() > 0");
    CHECK(syscall(SYS_gettid) == pid, "gettid() == getpid() in a single-threaded process");
    CHECK(getppid() >= 0, "getppid() >= 0");
    CHECK(getpid() == pid, "getpid() is stable");

    struct sysinfo si;
    memset(&si, 0, sizeof si);
    CHECK(sysinfo(&si) == 0, "sysinfo");
    CHECK(si.totalram > 0, "sysinfo totalram > 0");
    CHECK(si.freeram <= si.totalram, "sysinfo freeram <= totalram");
    CHECK(si.mem_unit > 0, "sysinfo mem_unit > 0");

    struct kernel_rlimit64 stack = {0, 0};
    CHECK(syscall(SYS_prlimit64, 0, RLIMIT_STACK, NULL, &stack) == 0, "prlimit64 GET RLIMIT_STACK");
    CHECK(stack.cur > 0, "RLIMIT_STACK soft limit > 0");
    CHECK(stack.cur <= stack.max, "RLIMIT_STACK soft limit <= hard limit");

    unsigned char mask[128];
    memset(mask, 0, sizeof mask);
    long bytes = syscall(SYS_sched_getaffinity, 0, sizeof mask, mask);
    CHECK(bytes > 0 && bytes <= (long)sizeof mask && bytes % 8 == 0,
          "sched_getaffinity returns a positive byte count, a multiple of 8");
    int cpus = 0;
    for (long i = 0; i < bytes; i++) cpus += __builtin_popcount(mask[i]);
    CHECK(cpus >= 1, "at least one CPU in the affinity mask");
    return 0;
}
