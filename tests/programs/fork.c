/*
 * Processes: fork without exec. Copy-on-write isolation both ways (small, large and
 * 2 MiB-backed memory), MAP_SHARED memory and memfds shared, fds (pipes, offsets) inherited,
 * wait4/waitid statuses (exit codes, SIGKILL, a real SIGSEGV), WNOHANG, ECHILD, EINTR, getppid,
 * kill to a child and to a process group, SIGCHLD handlers and SIG_IGN auto-reaping, a child
 * whose threads end with exit_group, a futex in shared memory woken across processes, nested
 * forks with reparenting, and fork from a multi-threaded parent. No pid is printed.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

/* musl ships no <linux/futex.h>. */
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_WAIT_PRIVATE (FUTEX_WAIT | FUTEX_PRIVATE_FLAG)
#define FUTEX_WAKE_PRIVATE (FUTEX_WAKE | FUTEX_PRIVATE_FLAG)

static long futex(void* addr, int op, int val, const struct timespec* timeout) {
    return syscall(SYS_futex, addr, op, val, timeout, NULL, 0);
}

/* Forks; the child runs fn and exits with its result. */
static pid_t spawn(int (*fn)(void*), void* arg) {
    fflush(stdout);
    pid_t pid = fork();
    REQUIRE(pid >= 0, "fork");
    if (pid == 0) _exit(fn(arg));
    return pid;
}

/* Waits for pid; returns its raw wait status. */
static int reap(pid_t pid) {
    int status = 0;
    pid_t got;
    do got = waitpid(pid, &status, 0);
    while (got < 0 && errno == EINTR);
    REQUIRE(got == pid, "waitpid returns the child");
    return status;
}

static void read_all(int fd, void* buf, size_t len) {
    size_t done = 0;
    while (done < len) {
        ssize_t n = read(fd, (char*)buf + done, len - done);
        REQUIRE(n > 0, "read from pipe");
        done += (size_t)n;
    }
}

static void write_all(int fd, const void* buf, size_t len) {
    REQUIRE(write(fd, buf, len) == (ssize_t)len, "write to pipe");
}

/* ---- copy-on-write ------------------------------------------------------------------------ */

static int g_small = 1;
#define LARGE_BYTES (16u << 20)
#define HUGE_BYTES (2u << 20)

struct CowArgs {
    unsigned char* large;
    unsigned char* huge; /* 2 MiB-aligned, 2 MiB */
    int to_parent, from_parent;
};

static unsigned long long sum(const unsigned char* p, size_t len) {
    return fnv1a(FNV1A_INIT, p, len);
}

static int cow_child(void* arg) {
    struct CowArgs* a = arg;
    char token;
    /* The parent writes after the fork: the child still sees what was there before. */
    read_all(a->from_parent, &token, 1);
    if (g_small != 1 || a->large[12345] != 0x11 || a->huge[777] != 0x22) return 10;
    if (a->large[LARGE_BYTES - 1] != 0x11 || a->huge[HUGE_BYTES - 1] != 0x22) return 11;
    /* And the child's writes stay its own. */
    g_small = 3;
    memset(a->large, 0x33, LARGE_BYTES);
    memset(a->huge, 0x44, HUGE_BYTES);
    if (a->large[0] != 0x33 || a->huge[HUGE_BYTES / 2] != 0x44) return 12;
    write_all(a->to_parent, "w", 1);
    return 0;
}

static void test_copy_on_write(void) {
    struct CowArgs a;
    a.large = malloc(LARGE_BYTES);
    REQUIRE(a.large, "malloc large");
    memset(a.large, 0x11, LARGE_BYTES);
    unsigned char* area = mmap(NULL, 2 * HUGE_BYTES, PROT_READ | PROT_WRITE,
                               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    REQUIRE(area != MAP_FAILED, "mmap 4 MiB");
    a.huge = (unsigned char*)(((uintptr_t)area + HUGE_BYTES - 1) & ~(uintptr_t)(HUGE_BYTES - 1));
    memset(a.huge, 0x22, HUGE_BYTES);
    int down[2], up[2];
    REQUIRE(pipe(down) == 0 && pipe(up) == 0, "pipes");
    a.from_parent = down[0];
    a.to_parent = up[1];
    const unsigned long long large_before = sum(a.large, LARGE_BYTES);
    pid_t pid = spawn(cow_child, &a);
    g_small = 2;
    a.large[12345] = 0x55;
    a.huge[777] = 0x66;
    a.large[LARGE_BYTES - 1] = 0x55;
    a.huge[HUGE_BYTES - 1] = 0x66;
    write_all(down[1], "x", 1);
    char token;
    read_all(up[0], &token, 1);
    int status = reap(pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
          "child sees memory as it was at fork, not the parent's later writes");
    CHECK(g_small == 2 && a.large[12345] == 0x55 && a.huge[777] == 0x66,
          "parent keeps its own writes");
    a.large[12345] = 0x11;
    a.large[LARGE_BYTES - 1] = 0x11;
    CHECK(sum(a.large, LARGE_BYTES) == large_before, "child's writes are not seen by the parent (large)");
    unsigned long long huge_ok = 1;
    for (size_t i = 0; i < HUGE_BYTES; i++)
        if (a.huge[i] != 0x22 && i != 777 && i != HUGE_BYTES - 1) huge_ok = 0;
    CHECK(huge_ok, "child's writes are not seen by the parent (2 MiB-backed)");
    /* After the child is gone the parent's pages are its own again: writes still work. */
    memset(a.huge, 0x77, HUGE_BYTES);
    memset(a.large, 0x78, LARGE_BYTES);
    CHECK(a.huge[0] == 0x77 && a.large[LARGE_BYTES - 1] == 0x78, "parent writes after the child exited");
    munmap(area, 2 * HUGE_BYTES);
    free(a.large);
    close(down[0]), close(down[1]), close(up[0]), close(up[1]);
}

/* ---- shared memory ------------------------------------------------------------------------ */

static int shared_child(void* arg) {
    volatile int* shared = arg;
    while (shared[0] != 1) sched_yield(); /* the parent's store */
    shared[1] = 2;
    return 0;
}

struct TruncateArgs {
    volatile char* view;
    int go;
};

static int touch_after_truncate(void* arg) {
    struct TruncateArgs* a = arg;
    char c;
    read_all(a->go, &c, 1);
    struct rlimit none = {0, 0};
    setrlimit(RLIMIT_CORE, &none);
    a->view[4096] = 1; /* beyond the end of the shrunk file: SIGBUS */
    return 0;
}

/* The parent shrinks a memfd both map: the child's mapping of the dropped page goes too. */
static void test_truncate_shared(void) {
    int fd = memfd_create("fork-truncate", 0);
    REQUIRE(fd >= 0 && ftruncate(fd, 8192) == 0, "memfd 8 KiB");
    struct TruncateArgs a;
    a.view = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    REQUIRE(a.view != MAP_FAILED, "mmap memfd");
    a.view[4096] = 7; /* mapped in both after the fork */
    int p[2];
    REQUIRE(pipe(p) == 0, "pipe");
    a.go = p[0];
    pid_t pid = spawn(touch_after_truncate, &a);
    REQUIRE(ftruncate(fd, 4096) == 0, "ftruncate 4 KiB");
    write_all(p[1], "t", 1);
    int status = reap(pid);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGBUS,
          "a memfd shrunk by the parent: the child's access past the end is SIGBUS");
    munmap((void*)a.view, 8192);
    close(fd), close(p[0]), close(p[1]);
}

static void test_shared_memory(void) {
    volatile int* shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    REQUIRE(shared != MAP_FAILED, "mmap shared");
    pid_t pid = spawn(shared_child, (void*)shared);
    shared[0] = 1;
    int status = reap(pid);
    CHECK(WIFEXITED(status) && shared[1] == 2, "MAP_SHARED|MAP_ANONYMOUS is shared both ways");

    int fd = memfd_create("fork-test", 0);
    REQUIRE(fd >= 0 && ftruncate(fd, 4096) == 0, "memfd");
    volatile int* view = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    REQUIRE(view != MAP_FAILED, "mmap memfd");
    view[0] = 0;
    pid = spawn(shared_child, (void*)view);
    view[0] = 1;
    status = reap(pid);
    CHECK(WIFEXITED(status) && view[1] == 2, "a MAP_SHARED memfd is shared both ways");
    /* The descriptor's offset is shared too (one open file description). */
    fflush(stdout);
    pid = fork();
    REQUIRE(pid >= 0, "fork");
    if (pid == 0) _exit(write(fd, "abc", 3) == 3 ? 0 : 1);
    status = reap(pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0 && lseek(fd, 0, SEEK_CUR) == 3,
          "the child's write moves the parent's file offset");
    munmap((void*)view, 4096);
    munmap((void*)shared, 4096);
    close(fd);
    test_truncate_shared();
}

/* ---- pipes, statuses ---------------------------------------------------------------------- */

static int pipe_child(void* arg) {
    int fd = *(int*)arg;
    const char msg[] = "hello from the child";
    write_all(fd, msg, sizeof msg);
    return 0;
}

static void test_pipe(void) {
    int p[2];
    REQUIRE(pipe(p) == 0, "pipe");
    pid_t pid = spawn(pipe_child, &p[1]);
    close(p[1]);
    char buf[64];
    size_t got = 0;
    ssize_t n;
    while ((n = read(p[0], buf + got, sizeof buf - got)) > 0) got += (size_t)n;
    CHECK(n == 0 && got == sizeof "hello from the child" && strcmp(buf, "hello from the child") == 0,
          "pipe from child to parent, EOF once the child exits");
    close(p[0]);
    reap(pid);
}

static int exit_with(void* arg) { return (int)(intptr_t)arg; }

static int sleep_forever(void* arg) {
    (void)arg;
    for (;;) pause();
    return 0;
}

static int segfault(void* arg) {
    (void)arg;
    struct rlimit none = {0, 0};
    setrlimit(RLIMIT_CORE, &none); /* no core file natively */
    volatile int* volatile bad = (int*)16; /* hidden from the compiler's bounds check */
    *bad = 1;
    return 0;
}

static void test_statuses(void) {
    int codes[] = {0, 3, 255};
    for (int i = 0; i < 3; i++) {
        int status = reap(spawn(exit_with, (void*)(intptr_t)codes[i]));
        REQUIRE(WIFEXITED(status) && WEXITSTATUS(status) == codes[i], "exit status");
        REQUIRE(status == codes[i] << 8, "exit status encoding");
    }
    CHECK(1, "wait status of exit codes 0, 3, 255");

    pid_t pid = spawn(sleep_forever, NULL);
    CHECK(kill(pid, SIGKILL) == 0, "kill(child, SIGKILL)");
    int status = reap(pid);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL && !WIFEXITED(status),
          "a child killed by SIGKILL");

    pid = spawn(sleep_forever, NULL);
    errno = 0;
    CHECK(syscall(SYS_tgkill, getpid(), pid, 0) == -1 && errno == ESRCH,
          "tgkill with the child's tid but the parent's tgid: ESRCH");
    CHECK(syscall(SYS_tgkill, pid, pid, SIGTERM) == 0, "tgkill to the child's thread");
    status = reap(pid);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM, "the child died of the tgkill'd SIGTERM");

    status = reap(spawn(segfault, NULL));
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV, "a child killed by a real SIGSEGV");

    struct rusage ru;
    errno = 0;
    CHECK(wait4(-1, &status, 0, &ru) == -1 && errno == ECHILD, "wait4 without children: ECHILD");
    errno = 0;
    CHECK(waitpid(1234567, &status, WNOHANG) == -1 && errno == ECHILD,
          "waitpid for a process that is not a child: ECHILD");
}

static int blocked_reader(void* arg) {
    int fd = *(int*)arg;
    char c;
    return read(fd, &c, 1) == 1 ? 5 : 6;
}

static void test_wnohang(void) {
    int p[2];
    REQUIRE(pipe(p) == 0, "pipe");
    pid_t pid = spawn(blocked_reader, &p[0]);
    int status = 0;
    CHECK(waitpid(pid, &status, WNOHANG) == 0, "WNOHANG on a running child returns 0");
    CHECK(waitpid(-1, &status, WNOHANG | WUNTRACED) == 0, "WUNTRACED is accepted");
    write_all(p[1], "g", 1);
    status = reap(pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 5, "the child ran on and exited");
    close(p[0]), close(p[1]);
}

/* A child that burns CPU time, reported in wait4's rusage. */
static int burn(void* arg) {
    (void)arg;
    struct timespec ts;
    volatile unsigned long x = 0;
    do {
        for (int i = 0; i < 100000; i++) x += (unsigned long)i;
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    } while (ts.tv_sec == 0 && ts.tv_nsec < 50 * 1000 * 1000);
    return 0;
}

static void test_rusage_waitid(void) {
    pid_t pid = spawn(burn, NULL);
    struct rusage ru;
    memset(&ru, 0, sizeof ru);
    int status;
    CHECK(wait4(pid, &status, 0, &ru) == pid, "wait4 with rusage");
    const long long us = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000LL +
                         ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
    CHECK(us >= 10000, "rusage holds the child's CPU time");
    struct rusage children;
    CHECK(getrusage(RUSAGE_CHILDREN, &children) == 0 &&
              children.ru_utime.tv_sec * 1000000LL + children.ru_utime.tv_usec +
                      children.ru_stime.tv_sec * 1000000LL + children.ru_stime.tv_usec >= 10000,
          "getrusage(RUSAGE_CHILDREN) counts reaped children");

    pid = spawn(exit_with, (void*)(intptr_t)9);
    siginfo_t si;
    memset(&si, 0, sizeof si);
    CHECK(waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT) == 0, "waitid WNOWAIT");
    CHECK(si.si_signo == SIGCHLD && si.si_code == CLD_EXITED && si.si_pid == pid && si.si_status == 9,
          "waitid's siginfo: SIGCHLD, CLD_EXITED, pid, status");
    memset(&si, 0, sizeof si);
    CHECK(waitid(P_ALL, 0, &si, WEXITED) == 0 && si.si_pid == pid, "the zombie is still there after WNOWAIT");
    pid = spawn(sleep_forever, NULL);
    memset(&si, 0xff, sizeof si);
    CHECK(waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG) == 0 && si.si_pid == 0,
          "waitid WNOHANG on a running child: si_pid 0");
    kill(pid, SIGTERM);
    memset(&si, 0, sizeof si);
    CHECK(waitid(P_PID, (id_t)pid, &si, WEXITED) == 0 && si.si_code == CLD_KILLED &&
              si.si_status == SIGTERM,
          "waitid: CLD_KILLED with the signal");
}

/* ---- identity, signals --------------------------------------------------------------------- */

static pid_t g_parent_pid;

static int check_ppid(void* arg) {
    (void)arg;
    if (getppid() != g_parent_pid || getpid() == g_parent_pid) return 1;
    /* /proc/self is the child, and its stat names the parent. */
    char link[64] = {0};
    if (readlink("/proc/self", link, sizeof link - 1) <= 0 || atoi(link) != getpid()) return 2;
    FILE* f = fopen("/proc/self/stat", "r");
    if (!f) return 3;
    int pid = 0, ppid = 0;
    char state;
    const int n = fscanf(f, "%d (%*[^)]) %c %d", &pid, &state, &ppid);
    fclose(f);
    if (n != 3 || pid != getpid() || ppid != g_parent_pid) return 4;
    return 0;
}

static volatile sig_atomic_t g_usr1;
static void on_usr1(int sig) {
    (void)sig;
    g_usr1 = 1;
}

static int wait_usr1(void* arg) {
    int fd = *(int*)arg;
    write_all(fd, "r", 1); /* the handler is installed (inherited) */
    /* SIGUSR1 is blocked (inherited mask) except inside sigsuspend: no lost wake-up. */
    sigset_t none;
    sigemptyset(&none);
    while (!g_usr1) sigsuspend(&none);
    return 42;
}

static volatile sig_atomic_t g_chld;
static void on_chld(int sig) {
    (void)sig;
    g_chld++;
}

/* Sends SIGUSR1 to the parent until it says (through shared memory) that its wait ended, so
 * that one of them arrives while the parent waits, whenever the parent gets there. */
static int signal_parent(void* arg) {
    volatile int* done = arg;
    const struct timespec pause_ts = {0, 5 * 1000 * 1000};
    int sent = 0;
    while (!*done || sent < 3) {
        kill(getppid(), SIGUSR1);
        sent++;
        nanosleep(&pause_ts, NULL);
    }
    return 0;
}

static void test_identity_and_signals(void) {
    g_parent_pid = getpid();
    CHECK(WEXITSTATUS(reap(spawn(check_ppid, NULL))) == 0, "getppid is the parent, getpid differs, /proc/self is the child");

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    REQUIRE(sigaction(SIGUSR1, &sa, NULL) == 0, "sigaction SIGUSR1");
    int p[2];
    REQUIRE(pipe(p) == 0, "pipe");
    sigset_t usr1, old_mask;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    REQUIRE(sigprocmask(SIG_BLOCK, &usr1, &old_mask) == 0, "block SIGUSR1");
    pid_t pid = spawn(wait_usr1, &p[1]);
    REQUIRE(sigprocmask(SIG_SETMASK, &old_mask, NULL) == 0, "unblock SIGUSR1");
    char c;
    read_all(p[0], &c, 1);
    CHECK(kill(pid, SIGUSR1) == 0, "kill(child, SIGUSR1)");
    int status = reap(pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 42, "the child's handler ran");
    CHECK(kill(pid, 0) == -1 && errno == ESRCH, "kill of a reaped child: ESRCH");

    /* SIGCHLD with a handler (no SA_RESTART): the wait still returns the child. */
    sa.sa_handler = on_chld;
    REQUIRE(sigaction(SIGCHLD, &sa, NULL) == 0, "sigaction SIGCHLD");
    pid = spawn(exit_with, (void*)(intptr_t)0);
    status = reap(pid);
    while (!g_chld) pause();
    CHECK(g_chld == 1, "SIGCHLD handler ran once");

    /* A signal during wait4 without SA_RESTART: EINTR. */
    volatile int* done = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    REQUIRE(done != MAP_FAILED, "mmap shared");
    g_usr1 = 0;
    pid = spawn(signal_parent, (void*)done);
    int r = waitpid(pid, &status, 0);
    CHECK(r == -1 && errno == EINTR && g_usr1, "wait4 interrupted by a handled signal: EINTR");
    /* With SA_RESTART the wait goes on through the signals until the child exits. */
    sa.sa_handler = on_usr1;
    sa.sa_flags = SA_RESTART;
    REQUIRE(sigaction(SIGUSR1, &sa, NULL) == 0, "sigaction SIGUSR1 SA_RESTART");
    *done = 1;
    g_usr1 = 0;
    r = waitpid(pid, &status, 0);
    CHECK(r == pid && WIFEXITED(status), "with SA_RESTART wait4 restarts and returns the child");
    munmap((void*)done, 4096);
    sa.sa_handler = SIG_DFL;
    sa.sa_flags = 0;
    sigaction(SIGCHLD, &sa, NULL);
    g_chld = 0;

    /* SIGCHLD ignored: children are reaped by themselves and wait finds none. */
    sa.sa_handler = SIG_IGN;
    REQUIRE(sigaction(SIGCHLD, &sa, NULL) == 0, "SIGCHLD SIG_IGN");
    pid = spawn(exit_with, (void*)(intptr_t)1);
    errno = 0;
    r = waitpid(pid, &status, 0);
    CHECK(r == -1 && errno == ECHILD, "SIGCHLD ignored: the child is reaped automatically (ECHILD)");
    sa.sa_handler = SIG_DFL;
    sa.sa_flags = SA_NOCLDWAIT;
    REQUIRE(sigaction(SIGCHLD, &sa, NULL) == 0, "SA_NOCLDWAIT");
    pid = spawn(exit_with, (void*)(intptr_t)1);
    errno = 0;
    r = waitpid(pid, &status, 0);
    CHECK(r == -1 && errno == ECHILD, "SA_NOCLDWAIT: the child is reaped automatically (ECHILD)");
    sa.sa_flags = 0;
    sigaction(SIGCHLD, &sa, NULL);
    close(p[0]), close(p[1]);
}

static int group_child(void* arg) {
    int fd = *(int*)arg;
    if (setpgid(0, 0) != 0) return 1;
    if (getpgrp() != getpid() || getpgid(0) != getpid()) return 2;
    write_all(fd, "g", 1);
    for (;;) pause();
    return 0;
}

static int new_session(void* arg) {
    (void)arg;
    const pid_t me = getpid();
    if (setsid() != me) return 1;
    if (getsid(0) != me || getpgrp() != me) return 2;
    errno = 0;
    if (setsid() != -1 || errno != EPERM) return 3; /* now a group leader */
    if (setpgid(0, getppid()) != -1 || errno != EPERM) return 4; /* a session leader */
    return 0;
}

static void test_groups(void) {
    CHECK(WEXITSTATUS(reap(spawn(new_session, NULL))) == 0,
          "setsid in a child: its own session and group; EPERM for a leader");
    int p[2];
    REQUIRE(pipe(p) == 0, "pipe");
    pid_t pid = spawn(group_child, &p[1]);
    char c;
    read_all(p[0], &c, 1);
    CHECK(getpgid(pid) == pid, "setpgid(0, 0) in the child makes its own group");
    CHECK(getsid(pid) == getsid(0), "the child is in the parent's session");
    CHECK(kill(-pid, SIGTERM) == 0, "kill(-pgrp, SIGTERM)");
    int status = reap(pid);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM, "the group's process died of SIGTERM");
    CHECK(setpgid(pid, pid) == -1 && errno == ESRCH, "setpgid of a reaped child: ESRCH");
    close(p[0]), close(p[1]);
}

/* ---- threads ------------------------------------------------------------------------------ */

static void* blocked_thread(void* arg) {
    (void)arg;
    for (;;) pause();
    return NULL;
}

static void* exiting_thread(void* arg) {
    (void)arg;
    exit(7); /* exit_group from a thread other than main */
    return NULL;
}

static int threaded_child(void* arg) {
    (void)arg;
    pthread_t t;
    for (int i = 0; i < 3; i++)
        if (pthread_create(&t, NULL, blocked_thread, NULL) != 0) return 1;
    if (pthread_create(&t, NULL, exiting_thread, NULL) != 0) return 1;
    for (;;) pause();
    return 0;
}

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static volatile int g_spin_stop;
static void* spinning_thread(void* arg) {
    (void)arg;
    while (!g_spin_stop) {
        pthread_mutex_lock(&g_lock);
        pthread_mutex_unlock(&g_lock);
    }
    return NULL;
}

static int count_threads(void) {
    FILE* f = fopen("/proc/self/status", "r");
    if (!f) return -1;
    char line[256];
    int n = -1;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "Threads:", 8) == 0) n = atoi(line + 8);
    fclose(f);
    return n;
}

static int single_threaded_child(void* arg) {
    (void)arg;
    if (count_threads() != 1) return 1;
    /* The mutex may have been held by another thread at fork: only trylock is safe. */
    if (pthread_mutex_trylock(&g_lock) == 0) pthread_mutex_unlock(&g_lock);
    pthread_t t;
    if (pthread_create(&t, NULL, blocked_thread, NULL) != 0) return 2;
    if (count_threads() != 2) return 3;
    return 0;
}

static void test_threads(void) {
    int status = reap(spawn(threaded_child, NULL));
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 7, "a thread's exit() ends the whole child (exit_group)");

    pthread_t spinners[2];
    for (int i = 0; i < 2; i++)
        REQUIRE(pthread_create(&spinners[i], NULL, spinning_thread, NULL) == 0, "pthread_create");
    for (int i = 0; i < 5; i++) {
        status = reap(spawn(single_threaded_child, NULL));
        REQUIRE(WIFEXITED(status) && WEXITSTATUS(status) == 0, "fork from a multi-threaded parent");
    }
    g_spin_stop = 1;
    for (int i = 0; i < 2; i++) pthread_join(spinners[i], NULL);
    CHECK(1, "fork from a multi-threaded parent: the child has the calling thread only");
}

/* ---- futex across processes ----------------------------------------------------------------- */

struct FutexWords {
    int word;     /* the futex */
    int waiting;  /* the child is about to wait */
};

static int futex_child(void* arg) {
    struct FutexWords* w = arg;
    __atomic_store_n(&w->waiting, 1, __ATOMIC_SEQ_CST);
    long r = futex(&w->word, FUTEX_WAIT, 0, NULL); /* shared: no PRIVATE flag */
    return r == 0 ? 0 : 1;
}

static int g_private_word;
static int private_futex_child(void* arg) {
    (void)arg;
    struct timespec ts = {0, 200 * 1000 * 1000};
    long r = futex(&g_private_word, FUTEX_WAIT_PRIVATE, 0, &ts);
    return r == -1 && errno == ETIMEDOUT ? 0 : 1;
}

static void test_futex(void) {
    struct FutexWords* w = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    REQUIRE(w != MAP_FAILED, "mmap shared");
    pid_t pid = spawn(futex_child, w);
    while (!__atomic_load_n(&w->waiting, __ATOMIC_SEQ_CST)) sched_yield();
    /* Only a wake that finds the child waiting counts: repeat until one does. */
    while (futex(&w->word, FUTEX_WAKE, 1, NULL) != 1) sched_yield();
    int status = reap(pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
          "a futex wait in the child is woken by the parent through shared memory");
    munmap(w, 4096);

    /* A private futex at the same address in two processes names two different words: the
     * parent's private wakes, all through the child's timed wait, never reach it. */
    pid = spawn(private_futex_child, NULL);
    while (waitpid(pid, &status, WNOHANG) == 0) {
        REQUIRE(futex(&g_private_word, FUTEX_WAKE_PRIVATE, 1, NULL) == 0, "private wake");
        sched_yield();
    }
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
          "a private futex is not woken from another process");
}

/* ---- nested forks, reparenting -------------------------------------------------------------- */

static int grandchild(void* arg) {
    int* fds = arg;
    char c;
    read_all(fds[0], &c, 1); /* the middle process has exited */
    /* Reparented to the subreaper (the top process): not the middle one any more. */
    pid_t ppid = getppid();
    write_all(fds[1], ppid == g_parent_pid ? "y" : "n", 1);
    return 0;
}

static int middle(void* arg) {
    int* fds = arg;
    pid_t gc = spawn(grandchild, fds);
    write_all(fds[3], &gc, sizeof gc); /* tell the top process */
    return 0;
}

static void test_nested(void) {
    /* As a subreaper the top process adopts orphans natively too (jvmos gives them to the
     * first process). */
    REQUIRE(prctl(PR_SET_CHILD_SUBREAPER, 1) == 0, "PR_SET_CHILD_SUBREAPER");
    g_parent_pid = getpid();
    int go[2], answer[2], pid_pipe[2];
    REQUIRE(pipe(go) == 0 && pipe(answer) == 0 && pipe(pid_pipe) == 0, "pipes");
    int fds[4] = {go[0], answer[1], 0, pid_pipe[1]};
    pid_t mid = spawn(middle, fds);
    pid_t gc;
    read_all(pid_pipe[0], &gc, sizeof gc);
    int status = reap(mid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the middle process exited");
    write_all(go[1], "g", 1);
    char c;
    read_all(answer[0], &c, 1);
    CHECK(c == 'y', "the grandchild is reparented (getppid is the adopter)");
    status = reap(gc);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the adopter reaps the grandchild");
    close(go[0]), close(go[1]), close(answer[0]), close(answer[1]);
    close(pid_pipe[0]), close(pid_pipe[1]);
}

/* Many short-lived children (frames and page tables come back each time). */
static void test_many(void) {
    for (int i = 0; i < 50; i++) {
        int status = reap(spawn(exit_with, (void*)(intptr_t)(i & 0x7f)));
        REQUIRE(WIFEXITED(status) && WEXITSTATUS(status) == (i & 0x7f), "many children");
    }
    CHECK(1, "50 children forked and reaped in turn");
}

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    test_copy_on_write();
    test_shared_memory();
    test_pipe();
    test_statuses();
    test_wnohang();
    test_rusage_waitid();
    test_identity_and_signals();
    test_groups();
    test_threads();
    test_futex();
    test_nested();
    test_many();
    printf("done\n");
    return 0;
}
