/* futex waits that end by timeout or signal while other threads wait on the same word: the
 * ended waiter must leave the queue without losing the others, and a wake that reaches a waiter
 * whose timeout has already fired still counts as a wake-up (as on Linux: the wait returns 0).
 * A kernel that loses a waiter hangs here (the test's timeout catches it). Output is
 * deterministic. */
#include "check.h"

#include <limits.h>
#include <sys/syscall.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* musl ships no <linux/futex.h>. */
#define FUTEX_WAIT_PRIVATE 128
#define FUTEX_WAKE_PRIVATE 129

static atomic_int word;
static atomic_int waiting;

static long futex(atomic_int* addr, int op, int val, const struct timespec* ts) {
    return syscall(SYS_futex, addr, op, val, ts, NULL, 0);
}

/* Waits on `word` until it becomes non-zero (no timeout). */
static void* untimed_waiter(void* arg) {
    (void)arg;
    atomic_fetch_add(&waiting, 1);
    while (atomic_load(&word) == 0) futex(&word, FUTEX_WAIT_PRIVATE, 0, NULL);
    return (void*)1;
}

/* Busy for `ms` milliseconds without a system call, so a timer fires while this thread runs. */
static void spin_ms(long ms) {
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    do clock_gettime(CLOCK_MONOTONIC, &now);
    while ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000 < ms);
}

static void wait_for_waiters(int n) {
    while (atomic_load(&waiting) < n) usleep(1000);
    usleep(20000); /* they have reached the futex wait */
}

/* Round 1: a lone timed wait times out; then two untimed waiters are woken by one FUTEX_WAKE. */
static void timeout_in_front(void) {
    atomic_store(&word, 0);
    atomic_store(&waiting, 0);
    pthread_t a, b;
    struct timespec ts = {0, 5 * 1000 * 1000};
    long r = futex(&word, FUTEX_WAIT_PRIVATE, 0, &ts); /* main waits first (front of queue) */
    CHECK(r == -1 && errno == ETIMEDOUT, "a lone timed futex wait times out with ETIMEDOUT");

    REQUIRE(pthread_create(&a, NULL, untimed_waiter, NULL) == 0, "create waiter a");
    REQUIRE(pthread_create(&b, NULL, untimed_waiter, NULL) == 0, "create waiter b");
    wait_for_waiters(2);
    atomic_store(&word, 1);
    long woken = futex(&word, FUTEX_WAKE_PRIVATE, INT_MAX, NULL);
    void* ra;
    void* rb;
    pthread_join(a, &ra);
    pthread_join(b, &rb);
    CHECK(woken == 2 && ra == (void*)1 && rb == (void*)1, "FUTEX_WAKE woke both untimed waiters");
}

static atomic_int timed_result = 99;
static atomic_int timed_errno;

static void* timed_waiter(void* arg) {
    long ms = (long)arg;
    struct timespec ts = {0, ms * 1000 * 1000};
    atomic_fetch_add(&waiting, 1);
    long r = futex(&word, FUTEX_WAIT_PRIVATE, 0, &ts);
    atomic_store(&timed_errno, r == 0 ? 0 : errno);
    atomic_store(&timed_result, (int)r);
    return NULL;
}

/* Round 2: the timed waiter is at the front, untimed ones behind it; its timeout fires while
 * the main thread spins (so it is runnable but has not run yet), then the main thread wakes
 * everyone. Every untimed waiter must wake; the timed one returns 0 or ETIMEDOUT. */
static void timeout_while_others_wait(void) {
    atomic_store(&word, 0);
    atomic_store(&waiting, 0);
    pthread_t t, w[3];
    REQUIRE(pthread_create(&t, NULL, timed_waiter, (void*)30L) == 0, "create timed waiter");
    wait_for_waiters(1);
    for (int i = 0; i < 3; i++) REQUIRE(pthread_create(&w[i], NULL, untimed_waiter, NULL) == 0, "create");
    wait_for_waiters(4);
    spin_ms(60); /* the timed waiter's deadline passes while this thread runs */
    atomic_store(&word, 1);
    long woken = futex(&word, FUTEX_WAKE_PRIVATE, INT_MAX, NULL);
    for (int i = 0; i < 3; i++) pthread_join(w[i], NULL);
    pthread_join(t, NULL);
    int tr = atomic_load(&timed_result), te = atomic_load(&timed_errno);
    CHECK(tr == 0 || (tr == -1 && te == ETIMEDOUT), "the timed waiter returned 0 or ETIMEDOUT");
    CHECK(woken >= 3 && woken <= 4, "the wake counted every untimed waiter");
    printf("all three untimed waiters woke\n");
}

static void on_usr1(int sig) { (void)sig; }

/* Round 3: a waiter interrupted by a signal handler while others wait on the same word. */
static void signal_while_others_wait(void) {
    atomic_store(&word, 0);
    atomic_store(&waiting, 0);
    struct sigaction sa = {0};
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL); /* no SA_RESTART */
    pthread_t t, w[2];
    REQUIRE(pthread_create(&t, NULL, timed_waiter, (void*)900L) == 0, "create signalled waiter");
    wait_for_waiters(1);
    for (int i = 0; i < 2; i++) REQUIRE(pthread_create(&w[i], NULL, untimed_waiter, NULL) == 0, "create");
    wait_for_waiters(3);
    pthread_kill(t, SIGUSR1);
    spin_ms(20);
    pthread_join(t, NULL);
    int tr = atomic_load(&timed_result), te = atomic_load(&timed_errno);
    CHECK(tr == -1 && te == EINTR, "a signal handler ends a timed futex wait with EINTR");
    atomic_store(&word, 1);
    long woken = futex(&word, FUTEX_WAKE_PRIVATE, INT_MAX, NULL);
    for (int i = 0; i < 2; i++) pthread_join(w[i], NULL);
    CHECK(woken == 2, "the other two waiters were still queued and woke");
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    timeout_in_front();
    for (int i = 0; i < 5; i++) timeout_while_others_wait();
    signal_while_others_wait();
    printf("done\n");
    return 0;
}
