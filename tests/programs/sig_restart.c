/* Interruption of blocking calls by signal handlers, as signal(7) lists it: a handler without
 * SA_RESTART makes a blocked pipe read and a futex wait fail with EINTR, one with SA_RESTART
 * restarts them; nanosleep, pause, sigtimedwait and a futex wait with a timeout fail with EINTR
 * either way (nanosleep with the time left in *rem); an ignored or default-ignored signal does
 * not interrupt at all; an interrupted pipe write that had written something returns its count.
 * Also rt_sigtimedwait (timeout, pending signal, interrupted by another signal), sigwaitinfo,
 * sigqueue's value and sigpending, and sigsuspend going on after a pending ignored signal.
 *
 * A helper thread sends the signal with pthread_kill after DELAY_MS, while the main thread is
 * blocked, then (where the test needs it) ends the wait after another DELAY_MS. Only facts are
 * printed, never times. */
#define _GNU_SOURCE
#include "check.h"

#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define DELAY_MS 150
#define FUTEX_WAIT_PRIVATE 128 /* FUTEX_WAIT | FUTEX_PRIVATE_FLAG (musl has no linux/futex.h) */
#define FUTEX_WAKE_PRIVATE 129

static pthread_t main_thread;
static volatile sig_atomic_t hits;
static int pipe_fds[2];
static int futex_word;

static const char* errno_name(int e) {
    switch (e) {
    case EINTR: return "EINTR";
    case EAGAIN: return "EAGAIN";
    case ETIMEDOUT: return "ETIMEDOUT";
    default: return "other errno";
    }
}

static void on_signal(int sig) {
    (void)sig;
    hits++;
}

static void set_action(int sig, void (*handler)(int), int flags) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sa.sa_flags = flags;
    sigemptyset(&sa.sa_mask);
    REQUIRE(sigaction(sig, &sa, NULL) == 0, "sigaction");
}

static void sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0) {
    }
}

/* What the helper thread does: signal the main thread, then end its wait. */
enum finish { FINISH_NONE, FINISH_WRITE, FINISH_WAKE, FINISH_DRAIN };

struct plan {
    int sig;
    enum finish finish;
};

static void* helper(void* arg) {
    const struct plan* p = arg;
    sleep_ms(DELAY_MS);
    pthread_kill(main_thread, p->sig);
    sleep_ms(DELAY_MS);
    if (p->finish == FINISH_WRITE) {
        REQUIRE(write(pipe_fds[1], "data", 4) == 4, "helper write");
    } else if (p->finish == FINISH_WAKE) {
        __atomic_store_n(&futex_word, 1, __ATOMIC_SEQ_CST);
        syscall(SYS_futex, &futex_word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
    } else if (p->finish == FINISH_DRAIN) {
        static char sink[1 << 16];
        while (read(pipe_fds[0], sink, sizeof sink) > 0) {
        }
    }
    return NULL;
}

static pthread_t start_helper(struct plan* p) {
    pthread_t t;
    REQUIRE(pthread_create(&t, NULL, helper, p) == 0, "pthread_create");
    return t;
}

static void pipe_read(int flags, const char* name) {
    char buf[16];
    struct plan p = {SIGUSR1, FINISH_WRITE};
    set_action(SIGUSR1, on_signal, flags);
    REQUIRE(pipe(pipe_fds) == 0, "pipe");
    hits = 0;
    pthread_t t = start_helper(&p);
    ssize_t n = read(pipe_fds[0], buf, sizeof buf);
    if (flags & SA_RESTART) {
        printf("%s: read -> %zd \"%.*s\", handler ran %d time(s)\n", name, n, (int)(n > 0 ? n : 0),
               buf, (int)hits);
        CHECK(n == 4 && hits == 1, "SA_RESTART: the pipe read was restarted and got the data");
    } else {
        int err = errno;
        printf("%s: read -> %zd (%s), handler ran %d time(s)\n", name, n,
               n < 0 ? errno_name(err) : "-", (int)hits);
        CHECK(n == -1 && err == EINTR && hits == 1, "no SA_RESTART: the pipe read failed with EINTR");
        n = read(pipe_fds[0], buf, sizeof buf);
        CHECK(n == 4 && memcmp(buf, "data", 4) == 0, "the data written later is all still there");
    }
    pthread_join(t, NULL);
    close(pipe_fds[0]);
    close(pipe_fds[1]);
}

static void ignored_read(int sig, void (*handler)(int), const char* what) {
    char buf[16];
    struct plan p = {sig, FINISH_WRITE};
    if (handler) set_action(sig, handler, 0);
    REQUIRE(pipe(pipe_fds) == 0, "pipe");
    pthread_t t = start_helper(&p);
    ssize_t n = read(pipe_fds[0], buf, sizeof buf);
    printf("%s during a pipe read: read -> %zd\n", what, n);
    CHECK(n == 4, "an ignored signal does not interrupt the read");
    pthread_join(t, NULL);
    close(pipe_fds[0]);
    close(pipe_fds[1]);
}

static void futex_wait(int flags, int with_timeout, const char* name) {
    struct plan p = {SIGUSR1, FINISH_WAKE};
    set_action(SIGUSR1, on_signal, flags);
    futex_word = 0;
    hits = 0;
    pthread_t t = start_helper(&p);
    struct timespec timeout = {30, 0};
    long r = syscall(SYS_futex, &futex_word, FUTEX_WAIT_PRIVATE, 0, with_timeout ? &timeout : NULL,
                     NULL, 0);
    int err = errno;
    if ((flags & SA_RESTART) && !with_timeout) {
        /* Restarted; the wake (or, had the helper already stored 1, EAGAIN) ends it. */
        printf("%s: restarted, not EINTR: %s\n", name,
               (r == 0 || err == EAGAIN) ? "yes" : errno_name(err));
        CHECK((r == 0 || err == EAGAIN) && hits == 1, "SA_RESTART: the futex wait was restarted");
    } else {
        printf("%s: futex -> %ld (%s), handler ran %d time(s)\n", name, r,
               r < 0 ? errno_name(err) : "-", (int)hits);
        CHECK(r == -1 && err == EINTR && hits == 1, "the futex wait failed with EINTR");
    }
    pthread_join(t, NULL);
}

static void sleep_interrupted(void) {
    struct plan p = {SIGUSR1, FINISH_NONE};
    set_action(SIGUSR1, on_signal, SA_RESTART);
    hits = 0;
    pthread_t t = start_helper(&p);
    struct timespec req = {3, 0}, rem = {0, 0};
    int r = nanosleep(&req, &rem);
    int err = errno;
    printf("nanosleep with SA_RESTART: -> %d (%s), rem.tv_sec in [1, 2]: %s\n", r,
           r < 0 ? errno_name(err) : "-",
           (rem.tv_sec >= 1 && rem.tv_sec <= 2) ? "yes" : "no");
    CHECK(r == -1 && err == EINTR && hits == 1, "nanosleep is never restarted: EINTR");
    CHECK(rem.tv_sec >= 1 && rem.tv_sec <= 2 && rem.tv_nsec >= 0 && rem.tv_nsec < 1000000000,
          "nanosleep wrote the time left to *rem");
    pthread_join(t, NULL);
}

static void sleep_not_interrupted(int sig, void (*handler)(int), const char* what) {
    struct plan p = {sig, FINISH_NONE};
    if (handler) set_action(sig, handler, 0);
    pthread_t t = start_helper(&p);
    struct timespec req = {0, 3 * DELAY_MS * 1000000L};
    int r = nanosleep(&req, NULL);
    printf("%s during nanosleep: -> %d\n", what, r);
    CHECK(r == 0, "an ignored signal does not interrupt nanosleep");
    pthread_join(t, NULL);
}

static void pause_interrupted(void) {
    struct plan p = {SIGUSR1, FINISH_NONE};
    set_action(SIGUSR1, on_signal, SA_RESTART);
    hits = 0;
    pthread_t t = start_helper(&p);
    int r = pause();
    int err = errno;
    CHECK(r == -1 && err == EINTR && hits == 1, "pause with SA_RESTART: EINTR after the handler");
    pthread_join(t, NULL);
}

/* sigsuspend lets in a pending SIGCHLD (blocked until then, ignored by default): no handler runs,
 * so the call goes on waiting (Linux's ERESTARTNOHAND restarts it) until a handled signal. */
static void sigsuspend_restarts_after_ignored(void) {
    sigset_t chld, old, none;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    set_action(SIGCHLD, (void (*)(int))SIG_DFL, 0);
    REQUIRE(sigprocmask(SIG_BLOCK, &chld, &old) == 0, "sigprocmask");
    REQUIRE(syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), SIGCHLD) == 0, "tgkill SIGCHLD");
    set_action(SIGUSR1, on_signal, 0);
    hits = 0;
    struct plan p = {SIGUSR1, FINISH_NONE};
    pthread_t t = start_helper(&p);
    sigemptyset(&none);
    int r = sigsuspend(&none);
    int err = errno;
    CHECK(r == -1 && err == EINTR && hits == 1,
          "sigsuspend: the pending ignored SIGCHLD did not end it, the handled SIGUSR1 did");
    sigset_t pending;
    REQUIRE(sigpending(&pending) == 0, "sigpending");
    CHECK(sigismember(&pending, SIGCHLD) == 0, "the ignored SIGCHLD was discarded");
    pthread_join(t, NULL);
    REQUIRE(sigprocmask(SIG_SETMASK, &old, NULL) == 0, "sigprocmask restore");
}

static void write_interrupted(void) {
    /* More than a pipe holds: the write blocks once the pipe is full. */
    static char big[1 << 20];
    struct plan p = {SIGUSR1, FINISH_DRAIN};
    set_action(SIGUSR1, on_signal, SA_RESTART);
    REQUIRE(pipe(pipe_fds) == 0, "pipe");
    hits = 0;
    pthread_t t = start_helper(&p);
    ssize_t n = write(pipe_fds[1], big, sizeof big);
    CHECK(n > 0 && n < (ssize_t)sizeof big && hits == 1,
          "an interrupted pipe write returns the bytes it wrote");
    close(pipe_fds[1]);
    pthread_join(t, NULL);
    close(pipe_fds[0]);
}

static void sigtimedwait_cases(void) {
    sigset_t set, old;
    siginfo_t info;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    REQUIRE(sigprocmask(SIG_BLOCK, &set, &old) == 0, "sigprocmask");

    struct timespec short_wait = {0, 100000000};
    int r = sigtimedwait(&set, &info, &short_wait);
    CHECK(r == -1 && errno == EAGAIN, "sigtimedwait with nothing pending: EAGAIN at the timeout");
    struct timespec zero = {0, 0};
    r = sigtimedwait(&set, &info, &zero);
    CHECK(r == -1 && errno == EAGAIN, "sigtimedwait with a zero timeout polls: EAGAIN");

    /* tgkill itself: glibc's pthread_kill of the calling thread is not tgkill (si_code 0). */
    REQUIRE(syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), SIGUSR2) == 0, "tgkill self");
    sigset_t pending;
    REQUIRE(sigpending(&pending) == 0, "sigpending");
    CHECK(sigismember(&pending, SIGUSR2) == 1, "sigpending shows the blocked SIGUSR2");
    memset(&info, 0, sizeof info);
    r = sigtimedwait(&set, &info, &short_wait);
    printf("sigtimedwait, SIGUSR2 pending: -> %d, si_signo %d, si_code %d, si_pid is ours: %s\n",
           r, info.si_signo, info.si_code, info.si_pid == getpid() ? "yes" : "no");
    /* glibc's sigtimedwait reports SI_TKILL as SI_USER. */
    CHECK(r == SIGUSR2 && info.si_signo == SIGUSR2 &&
              (info.si_code == SI_TKILL || info.si_code == SI_USER),
          "sigtimedwait took the pending signal");
    REQUIRE(sigpending(&pending) == 0, "sigpending");
    CHECK(sigismember(&pending, SIGUSR2) == 0, "and it is no longer pending");

    /* sigwaitinfo: the signal arrives while the thread waits. */
    struct plan p = {SIGUSR2, FINISH_NONE};
    pthread_t t = start_helper(&p);
    memset(&info, 0, sizeof info);
    r = sigwaitinfo(&set, &info);
    printf("sigwaitinfo: -> %d, si_code %d, si_pid is ours: %s\n", r, info.si_code,
           info.si_pid == getpid() ? "yes" : "no");
    CHECK(r == SIGUSR2 && info.si_pid == getpid(), "sigwaitinfo woke up with the sent signal");
    pthread_join(t, NULL);

    /* Another, handled and unblocked, signal ends the wait with EINTR. The system call itself:
     * musl's sigtimedwait() retries after EINTR. */
    set_action(SIGUSR1, on_signal, SA_RESTART);
    hits = 0;
    struct plan q = {SIGUSR1, FINISH_NONE};
    t = start_helper(&q);
    struct timespec long_wait = {30, 0};
    r = (int)syscall(SYS_rt_sigtimedwait, &set, &info, &long_wait, 8 /* the kernel's sigset */);
    int err = errno;
    CHECK(r == -1 && err == EINTR && hits == 1,
          "sigtimedwait interrupted by a handled signal: EINTR, even with SA_RESTART");
    pthread_join(t, NULL);

    /* sigqueue carries a value. */
    union sigval value;
    value.sival_int = 4242;
    REQUIRE(sigqueue(getpid(), SIGUSR2, value) == 0, "sigqueue");
    memset(&info, 0, sizeof info);
    r = sigwaitinfo(&set, &info);
    printf("sigqueue + sigwaitinfo: -> %d, si_code %d, si_value %d\n", r, info.si_code,
           info.si_value.sival_int);
    CHECK(r == SIGUSR2 && info.si_code == SI_QUEUE && info.si_value.sival_int == 4242,
          "sigwaitinfo returned sigqueue's value");

    REQUIRE(sigprocmask(SIG_SETMASK, &old, NULL) == 0, "sigprocmask restore");
}

int main(void) {
    main_thread = pthread_self();
    setvbuf(stdout, NULL, _IOLBF, 0);

    pipe_read(0, "pipe read, handler without SA_RESTART");
    pipe_read(SA_RESTART, "pipe read, handler with SA_RESTART");
    ignored_read(SIGUSR2, (void (*)(int))SIG_IGN, "SIGUSR2 ignored");
    ignored_read(SIGURG, NULL, "SIGURG (default: ignore)");

    futex_wait(0, 0, "futex wait, no SA_RESTART");
    futex_wait(SA_RESTART, 0, "futex wait, SA_RESTART");
    futex_wait(SA_RESTART, 1, "futex wait with a timeout, SA_RESTART");

    sleep_interrupted();
    sleep_not_interrupted(SIGCHLD, NULL, "SIGCHLD (default: ignore)");
    sleep_not_interrupted(SIGUSR2, (void (*)(int))SIG_IGN, "SIGUSR2 ignored");
    pause_interrupted();
    sigsuspend_restarts_after_ignored();
    write_interrupted();

    set_action(SIGUSR2, (void (*)(int))SIG_DFL, 0);
    sigtimedwait_cases();
    printf("done\n");
    return 0;
}
