/* Readiness: poll, ppoll, select and pselect6 on pipes, a socketpair, regular files, a
 * directory, /dev/null, a memfd and a /proc file; timeouts (zero, finite, infinite, written
 * back by select/pselect6/ppoll), POLLHUP and POLLNVAL, select's fd_set results and EBADF,
 * ppoll/pselect6's temporary signal mask (a blocked signal does not interrupt, an unblocked one
 * gives EINTR after its handler ran, the old mask is back afterwards), EINTR even with
 * SA_RESTART, EFAULT and EINVAL.
 *
 * A helper thread writes or signals after DELAY_MS while the main thread waits; the results do
 * not depend on whether it acts before or during the wait. Only facts are printed, never
 * times. */
#define _GNU_SOURCE
#include "check.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define DELAY_MS 100

static pthread_t main_thread;
static volatile sig_atomic_t hits;
static volatile int done;

static void on_signal(int sig) {
    (void)sig;
    hits++;
}

static void set_action(int sig, int flags) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = flags;
    sigemptyset(&sa.sa_mask);
    REQUIRE(sigaction(sig, &sa, NULL) == 0, "sigaction");
}

static void sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0) {
    }
}

static void block_usr1(int how) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    REQUIRE(pthread_sigmask(how, &set, NULL) == 0, "pthread_sigmask");
}

static int usr1_blocked(void) {
    sigset_t now;
    REQUIRE(pthread_sigmask(SIG_BLOCK, NULL, &now) == 0, "pthread_sigmask query");
    return sigismember(&now, SIGUSR1);
}

static const char* errno_name(int e) {
    switch (e) {
    case EINTR: return "EINTR";
    case EBADF: return "EBADF";
    case EFAULT: return "EFAULT";
    case EINVAL: return "EINVAL";
    default: return "other errno";
    }
}

/* ---- helper threads -------------------------------------------------------------------- */

struct later_write {
    int fd;
    int signal_first; /* send SIGUSR1 to the main thread, then write after another delay */
};

static void* write_later(void* arg) {
    struct later_write* w = arg;
    sleep_ms(DELAY_MS);
    if (w->signal_first) {
        pthread_kill(main_thread, SIGUSR1);
        sleep_ms(DELAY_MS);
    }
    REQUIRE(write(w->fd, "x", 1) == 1, "helper write");
    return NULL;
}

/* Signals the main thread every DELAY_MS until it says it is done. */
static void* signal_until_done(void* arg) {
    (void)arg;
    while (!__atomic_load_n(&done, __ATOMIC_ACQUIRE)) {
        sleep_ms(DELAY_MS);
        if (!__atomic_load_n(&done, __ATOMIC_ACQUIRE)) pthread_kill(main_thread, SIGUSR1);
    }
    return NULL;
}

static pthread_t start(void* (*fn)(void*), void* arg) {
    pthread_t t;
    REQUIRE(pthread_create(&t, NULL, fn, arg) == 0, "pthread_create");
    return t;
}

/* ---- the checks ------------------------------------------------------------------------ */

static void pipes(void) {
    int p[2];
    REQUIRE(pipe(p) == 0, "pipe");
    struct pollfd fds[2] = {{p[0], POLLIN, -1}, {p[1], POLLOUT, -1}};
    CHECK(poll(fds, 1, 0) == 0 && fds[0].revents == 0, "empty pipe, timeout 0: nothing ready");
    CHECK(poll(fds, 1, 50) == 0 && fds[0].revents == 0, "empty pipe, 50 ms: times out");
    CHECK(poll(fds, 2, 0) == 1 && fds[0].revents == 0 && fds[1].revents == POLLOUT,
          "empty pipe: the write end is POLLOUT");
    REQUIRE(write(p[1], "ab", 2) == 2, "write");
    CHECK(poll(fds, 2, -1) == 2 && fds[0].revents == POLLIN && fds[1].revents == POLLOUT,
          "data written: POLLIN on the read end, POLLOUT on the write end");
    struct pollfd rd = {p[0], POLLIN | POLLPRI | POLLRDHUP, 0};
    CHECK(poll(&rd, 1, 0) == 1 && rd.revents == POLLIN, "only the ready events are reported");
    close(p[1]);
    CHECK(poll(fds, 1, 0) == 1 && fds[0].revents == (POLLIN | POLLHUP),
          "writer closed with data left: POLLIN|POLLHUP");
    char buf[4];
    REQUIRE(read(p[0], buf, sizeof buf) == 2, "read");
    CHECK(poll(fds, 1, -1) == 1 && fds[0].revents == POLLHUP, "writer closed, drained: POLLHUP");
    struct pollfd none = {p[0], 0, 0};
    CHECK(poll(&none, 1, 0) == 1 && none.revents == POLLHUP, "POLLHUP even when not asked for");
    close(p[0]);

    /* Woken by data another thread writes while poll waits without a limit. */
    REQUIRE(pipe(p) == 0, "pipe");
    struct later_write w = {p[1], 0};
    pthread_t t = start(write_later, &w);
    struct pollfd in = {p[0], POLLIN, 0};
    CHECK(poll(&in, 1, -1) == 1 && in.revents == POLLIN, "infinite poll woken by a thread's write");
    pthread_join(t, NULL);
    REQUIRE(read(p[0], buf, 1) == 1, "read");

    /* A full pipe is not writable. */
    REQUIRE(fcntl(p[1], F_SETFL, O_NONBLOCK) == 0, "O_NONBLOCK");
    char block[4096];
    memset(block, 'f', sizeof block);
    long total = 0;
    for (;;) {
        ssize_t n = write(p[1], block, sizeof block);
        if (n < 0) break;
        total += n;
    }
    REQUIRE(errno == EAGAIN && total > 0, "filled the pipe");
    struct pollfd out = {p[1], POLLOUT, 0};
    CHECK(poll(&out, 1, 0) == 0 && out.revents == 0, "full pipe: no POLLOUT");
    CHECK(poll(&out, 1, 30) == 0, "full pipe: POLLOUT times out");
    while (total > 0) {
        ssize_t n = read(p[0], block, sizeof block);
        REQUIRE(n > 0, "drain");
        total -= n;
    }
    CHECK(poll(&out, 1, 0) == 1 && out.revents == POLLOUT, "drained pipe: POLLOUT again");
    close(p[0]);
    close(p[1]);
}

static void sockets(void) {
    int s[2];
    REQUIRE(socketpair(AF_UNIX, SOCK_STREAM, 0, s) == 0, "socketpair");
    struct pollfd fds[2] = {{s[0], POLLIN | POLLOUT, 0}, {s[1], POLLIN | POLLOUT, 0}};
    CHECK(poll(fds, 2, 0) == 2 && fds[0].revents == POLLOUT && fds[1].revents == POLLOUT,
          "socketpair: both ends POLLOUT");
    REQUIRE(write(s[0], "hi", 2) == 2, "send");
    CHECK(poll(fds, 2, 0) == 2 && fds[1].revents == (POLLIN | POLLOUT),
          "socketpair: the peer is POLLIN|POLLOUT");
    close(s[0]);
    struct pollfd peer = {s[1], POLLIN | POLLRDHUP, 0};
    CHECK(poll(&peer, 1, 0) == 1 && peer.revents == (POLLIN | POLLRDHUP | POLLHUP),
          "socketpair peer closed: POLLIN|POLLRDHUP|POLLHUP");
    close(s[1]);
}

static void always_ready(void) {
    char path[] = "/tmp/jvmos_poll_XXXXXX";
    int file = mkstemp(path);
    REQUIRE(file >= 0, "mkstemp");
    unlink(path);
    int mem = memfd_create("poll", 0);
    REQUIRE(mem >= 0, "memfd_create");
    int proc = open("/proc/self/status", O_RDONLY);
    REQUIRE(proc >= 0, "open /proc/self/status");
    int dir = open("/tmp", O_RDONLY | O_DIRECTORY);
    REQUIRE(dir >= 0, "open /tmp");
    int null = open("/dev/null", O_RDWR);
    REQUIRE(null >= 0, "open /dev/null");
    const short both = POLLIN | POLLOUT;
    struct pollfd fds[5] = {{file, both, 0}, {mem, both, 0}, {proc, both, 0}, {dir, POLLIN, 0},
                            {null, both | POLLPRI, 0}};
    CHECK(poll(fds, 5, -1) == 5, "file, memfd, /proc file, directory, /dev/null: all ready");
    CHECK(fds[0].revents == both, "regular file: POLLIN|POLLOUT");
    CHECK(fds[1].revents == both, "memfd: POLLIN|POLLOUT");
    CHECK(fds[2].revents == both, "/proc file: POLLIN|POLLOUT");
    CHECK(fds[3].revents == POLLIN, "directory: POLLIN");
    CHECK(fds[4].revents == both, "/dev/null: POLLIN|POLLOUT");
    struct pollfd only_local = {mem, POLLRDNORM | POLLWRNORM | POLLPRI, 0};
    CHECK(poll(&only_local, 1, -1) == 1 && only_local.revents == (POLLRDNORM | POLLWRNORM),
          "memfd: RDNORM|WRNORM when asked, never PRI");

    /* A ready local fd ends the wait of a set with an empty pipe at once. */
    int p[2];
    REQUIRE(pipe(p) == 0, "pipe");
    struct pollfd mixed[2] = {{p[0], POLLIN, 0}, {mem, POLLIN, 0}};
    CHECK(poll(mixed, 2, -1) == 1 && mixed[0].revents == 0 && mixed[1].revents == POLLIN,
          "empty pipe + memfd, infinite timeout: returns with the memfd");

    fd_set r, w;
    FD_ZERO(&r);
    FD_ZERO(&w);
    FD_SET(file, &r);
    FD_SET(mem, &w);
    FD_SET(p[0], &r);
    struct timeval tv = {5, 0};
    CHECK(select(p[0] > mem ? p[0] + 1 : mem + 1, &r, &w, NULL, &tv) == 2 && FD_ISSET(file, &r) &&
              FD_ISSET(mem, &w) && !FD_ISSET(p[0], &r),
          "select: the file readable, the memfd writable, the empty pipe not");
    close(p[0]);
    close(p[1]);
    close(file);
    close(mem);
    close(proc);
    close(dir);
    close(null);
}

/* The standard fds (compare.sh: stdin /dev/null, stdout and stderr files; with a standalone
 * proxy they are the monitor's own fds, which the relay polls itself), alone and mixed with a
 * pipe of the proxy's. */
static void standard_fds(void) {
    struct pollfd std[3] = {{0, POLLIN, 0}, {1, POLLOUT, 0}, {2, POLLOUT, 0}};
    CHECK(poll(std, 3, -1) == 3 && std[0].revents == POLLIN && std[1].revents == POLLOUT &&
              std[2].revents == POLLOUT,
          "stdin readable, stdout and stderr writable");
    int p[2];
    REQUIRE(pipe(p) == 0, "pipe");
    struct pollfd mixed[2] = {{p[0], POLLIN, 0}, {0, POLLIN, 0}};
    CHECK(poll(mixed, 2, -1) == 1 && mixed[0].revents == 0 && mixed[1].revents == POLLIN,
          "empty pipe + stdin: returns with stdin");
    struct pollfd quiet[2] = {{p[0], POLLIN, 0}, {0, 0, 0}};
    CHECK(poll(quiet, 2, 50) == 0 && quiet[0].revents == 0 && quiet[1].revents == 0,
          "empty pipe + stdin asked for nothing: times out");
    CHECK(poll(&quiet[1], 1, 30) == 0, "stdin asked for nothing, alone: times out");
    struct later_write w = {p[1], 0};
    pthread_t t = start(write_later, &w);
    CHECK(poll(quiet, 2, -1) == 1 && quiet[0].revents == POLLIN && quiet[1].revents == 0,
          "empty pipe + quiet stdin, no limit: woken by a thread's write");
    pthread_join(t, NULL);
    close(p[0]);
    close(p[1]);
}

static void select_sets(void) {
    int p[3][2];
    for (int i = 0; i < 3; i++) REQUIRE(pipe(p[i]) == 0, "pipe");
    REQUIRE(write(p[0][1], "a", 1) == 1 && write(p[2][1], "c", 1) == 1, "write");
    fd_set r, w, e;
    FD_ZERO(&r);
    FD_ZERO(&w);
    FD_ZERO(&e);
    int max = 0;
    for (int i = 0; i < 3; i++) {
        FD_SET(p[i][0], &r);
        FD_SET(p[i][0], &e);
        if (p[i][0] > max) max = p[i][0];
    }
    CHECK(select(max + 1, &r, NULL, &e, NULL) == 2, "select on three pipes: two ready");
    CHECK(FD_ISSET(p[0][0], &r) && !FD_ISSET(p[1][0], &r) && FD_ISSET(p[2][0], &r),
          "select: exactly the ready pipes stay set");
    int empty_e = 1;
    for (int i = 0; i < 3; i++) empty_e &= !FD_ISSET(p[i][0], &e);
    CHECK(empty_e, "select: no exceptional condition");
    FD_ZERO(&r);
    FD_SET(p[1][0], &r);
    FD_SET(p[1][1], &w);
    struct timeval zero = {0, 0};
    CHECK(select(max + 1, &r, &w, NULL, &zero) == 1 && !FD_ISSET(p[1][0], &r) &&
              FD_ISSET(p[1][1], &w),
          "select: an empty pipe's write end is writable");

    /* The time left is written back (Linux's select), here through the raw system call. */
    FD_ZERO(&r);
    FD_SET(p[0][0], &r);
    struct timeval tv = {5, 0};
    CHECK(syscall(SYS_select, max + 1, &r, NULL, NULL, &tv) == 1 && tv.tv_sec >= 4 &&
              tv.tv_sec <= 5 && tv.tv_usec >= 0 && tv.tv_usec < 1000000,
          "select ready at once: the time left (4..5 s) written back");
    FD_ZERO(&r);
    FD_SET(p[1][0], &r);
    tv.tv_sec = 0;
    tv.tv_usec = 30000;
    CHECK(syscall(SYS_select, max + 1, &r, NULL, NULL, &tv) == 0 && tv.tv_sec == 0 &&
              tv.tv_usec == 0 && !FD_ISSET(p[1][0], &r),
          "select timed out: 0, the set cleared, no time left");
    tv.tv_sec = 0;
    tv.tv_usec = 2000000; /* normalised by Linux, not EINVAL */
    FD_SET(p[0][0], &r);
    CHECK(syscall(SYS_select, max + 1, &r, NULL, NULL, &tv) == 1, "select: tv_usec of 2 s accepted");
    struct timespec ts = {3, 0};
    FD_SET(p[2][0], &r);
    CHECK(syscall(SYS_pselect6, max + 1, &r, NULL, NULL, &ts, NULL) == 2 && ts.tv_sec >= 2 &&
              ts.tv_sec <= 3,
          "pselect6: the time left written back as a timespec");
    struct pollfd one = {p[0][0], POLLIN, 0};
    ts.tv_sec = 3;
    ts.tv_nsec = 0;
    CHECK(syscall(SYS_ppoll, &one, 1, &ts, NULL, 8) == 1 && ts.tv_sec >= 2 && ts.tv_sec <= 3,
          "ppoll: the time left written back");

    /* nfds 0: a sleep. */
    CHECK(poll(NULL, 0, 30) == 0, "poll of no fds with 30 ms: 0");
    tv.tv_sec = 0;
    tv.tv_usec = 30000;
    CHECK(select(0, NULL, NULL, NULL, &tv) == 0, "select of no fds with 30 ms: 0");
    ts.tv_sec = 0;
    ts.tv_nsec = 30000000;
    CHECK(ppoll(NULL, 0, &ts, NULL) == 0, "ppoll of no fds with 30 ms: 0");

    /* Errors. */
    int closed = p[1][0];
    close(closed);
    FD_ZERO(&r);
    FD_SET(closed, &r);
    FD_SET(p[0][0], &r);
    errno = 0;
    CHECK(select(max + 1, &r, NULL, NULL, NULL) == -1 && errno == EBADF,
          "select with a closed fd in a set: EBADF");
    struct pollfd nval[3] = {{closed, POLLIN, 0}, {-1, POLLIN, -1}, {p[0][0], POLLIN, 0}};
    CHECK(poll(nval, 3, -1) == 2 && nval[0].revents == POLLNVAL && nval[1].revents == 0 &&
              nval[2].revents == POLLIN,
          "poll: POLLNVAL for a closed fd, a negative fd ignored");
    struct pollfd negative = {-5, POLLIN, 7};
    CHECK(poll(&negative, 1, 10) == 0 && negative.revents == 0, "poll of a negative fd: times out");
    errno = 0;
    CHECK(syscall(SYS_poll, 8, 1, 0) == -1 && errno == EFAULT, "poll with a bad pointer: EFAULT");
    errno = 0;
    CHECK(syscall(SYS_select, max + 1, (void*)8, NULL, NULL, NULL) == -1 && errno == EFAULT,
          "select with a bad fd_set pointer: EFAULT");
    errno = 0;
    CHECK(syscall(SYS_ppoll, &one, 1, (void*)8, NULL, 8) == -1 && errno == EFAULT,
          "ppoll with a bad timespec pointer: EFAULT");
    errno = 0;
    CHECK(syscall(SYS_select, -1, NULL, NULL, NULL, NULL) == -1 && errno == EINVAL,
          "select with negative nfds: EINVAL");
    tv.tv_sec = 0;
    tv.tv_usec = -1;
    errno = 0;
    CHECK(syscall(SYS_select, 1, NULL, NULL, NULL, &tv) == -1 && errno == EINVAL,
          "select with a negative tv_usec: EINVAL");
    ts.tv_sec = 0;
    ts.tv_nsec = 1000000000;
    errno = 0;
    CHECK(syscall(SYS_ppoll, &one, 1, &ts, NULL, 8) == -1 && errno == EINVAL,
          "ppoll with tv_nsec of 1 s: EINVAL");
    sigset_t mask;
    sigemptyset(&mask);
    errno = 0;
    CHECK(syscall(SYS_ppoll, &one, 1, NULL, &mask, 4) == -1 && errno == EINVAL,
          "ppoll with a sigsetsize of 4: EINVAL");
    struct {
        const void* ss;
        size_t len;
    } bad_size = {&mask, 16};
    errno = 0;
    CHECK(syscall(SYS_pselect6, 0, NULL, NULL, NULL, NULL, &bad_size) == -1 && errno == EINVAL,
          "pselect6 with a sigsetsize of 16: EINVAL");
    errno = 0;
    CHECK(syscall(SYS_poll, &one, 0x7fffffff, 0) == -1 && errno == EINVAL,
          "poll of more fds than RLIMIT_NOFILE: EINVAL");
    /* nfds is an unsigned int: the upper half of the register is not looked at. */
    CHECK(syscall(SYS_poll, &one, (1ul << 32) | 1, 0) == 1 && one.revents == POLLIN,
          "poll: nfds is 32 bits");
    for (int i = 0; i < 3; i++) {
        close(p[i][0] == closed ? -1 : p[i][0]);
        close(p[i][1]);
    }
}

static void masks(void) {
    set_action(SIGUSR1, 0);
    sigset_t wait_mask;
    int p[2];
    char c;
    REQUIRE(pipe(p) == 0, "pipe");
    struct pollfd in = {p[0], POLLIN, 0};

    /* A signal the wait's mask blocks does not interrupt it; it is delivered once unblocked. */
    block_usr1(SIG_BLOCK);
    REQUIRE(pthread_sigmask(SIG_BLOCK, NULL, &wait_mask) == 0, "mask");
    hits = 0;
    struct later_write w = {p[1], 1};
    pthread_t t = start(write_later, &w);
    fd_set r;
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    CHECK(pselect(p[0] + 1, &r, NULL, NULL, NULL, &wait_mask) == 1 && FD_ISSET(p[0], &r) &&
              hits == 0,
          "pselect: a SIGUSR1 its mask blocks does not interrupt it");
    pthread_join(t, NULL);
    REQUIRE(read(p[0], &c, 1) == 1, "read");
    w.signal_first = 1;
    t = start(write_later, &w);
    CHECK(ppoll(&in, 1, NULL, &wait_mask) == 1 && in.revents == POLLIN && hits == 0,
          "ppoll: a SIGUSR1 its mask blocks does not interrupt it");
    pthread_join(t, NULL);
    REQUIRE(read(p[0], &c, 1) == 1, "read");
    CHECK(hits == 0 && usr1_blocked(), "the blocked SIGUSR1s are still pending");
    REQUIRE(write(p[1], "r", 1) == 1, "write");
    sigset_t none;
    sigemptyset(&none);
    CHECK(ppoll(&in, 1, NULL, &none) == 1 && in.revents == POLLIN && hits == 0 && usr1_blocked(),
          "ppoll ready at once: its empty mask is not left behind");
    REQUIRE(read(p[0], &c, 1) == 1, "read");
    block_usr1(SIG_UNBLOCK);
    CHECK(hits == 1, "delivered (once) when unblocked");

    /* A signal the wait's mask lets through: EINTR after its handler ran, old mask back. */
    sigset_t open_mask;
    sigemptyset(&open_mask);
    block_usr1(SIG_BLOCK);
    hits = 0;
    raise(SIGUSR1); /* pending before the call */
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    errno = 0;
    int rc = pselect(p[0] + 1, &r, NULL, NULL, NULL, &open_mask);
    printf("pselect with a pending SIGUSR1 it unblocks: %d %s, handler ran %d\n", rc,
           rc < 0 ? errno_name(errno) : "-", (int)hits);
    CHECK(usr1_blocked(), "pselect: the old mask is back");

    hits = 0;
    done = 0;
    t = start(signal_until_done, NULL);
    errno = 0;
    in.revents = 0x777;
    rc = ppoll(&in, 1, NULL, &open_mask); /* the pipe is empty: waits in the proxy */
    __atomic_store_n(&done, 1, __ATOMIC_RELEASE);
    printf("ppoll interrupted during its wait: %d %s, handler ran %s, revents %#x\n", rc,
           rc < 0 ? errno_name(errno) : "-", hits > 0 ? "yes" : "no", (unsigned)in.revents);
    pthread_join(t, NULL);
    CHECK(usr1_blocked(), "ppoll: the old mask is back");
    block_usr1(SIG_UNBLOCK);
    hits = 0;

    /* poll and select are never restarted, even for an SA_RESTART handler. */
    set_action(SIGUSR1, SA_RESTART);
    done = 0;
    t = start(signal_until_done, NULL);
    errno = 0;
    rc = poll(&in, 1, -1);
    int poll_errno = errno;
    __atomic_store_n(&done, 1, __ATOMIC_RELEASE);
    pthread_join(t, NULL);
    printf("poll (infinite) and an SA_RESTART handler: %d %s, handler ran %s\n", rc,
           rc < 0 ? errno_name(poll_errno) : "-", hits > 0 ? "yes" : "no");
    hits = 0;
    done = 0;
    t = start(signal_until_done, NULL);
    errno = 0;
    rc = poll(&in, 1, 60000);
    poll_errno = errno;
    __atomic_store_n(&done, 1, __ATOMIC_RELEASE);
    pthread_join(t, NULL);
    printf("poll (60 s) and an SA_RESTART handler: %d %s, handler ran %s\n", rc,
           rc < 0 ? errno_name(poll_errno) : "-", hits > 0 ? "yes" : "no");
    hits = 0;
    done = 0;
    t = start(signal_until_done, NULL);
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    struct timeval tv = {60, 0};
    errno = 0;
    rc = select(p[0] + 1, &r, NULL, NULL, &tv);
    poll_errno = errno;
    __atomic_store_n(&done, 1, __ATOMIC_RELEASE);
    pthread_join(t, NULL);
    printf("select (60 s) and an SA_RESTART handler: %d %s, handler ran %s\n", rc,
           rc < 0 ? errno_name(poll_errno) : "-", hits > 0 ? "yes" : "no");
    close(p[0]);
    close(p[1]);
}

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    main_thread = pthread_self();
    pipes();
    sockets();
    always_ready();
    standard_fds();
    select_sets();
    masks();
    printf("done\n");
    return 0;
}
