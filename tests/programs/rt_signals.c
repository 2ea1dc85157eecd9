/* Real-time signals are queued, standard ones are not:
 *   - while blocked, SIGRTMIN+1 sent three times with sigqueue values 1, 2, 3, SIGRTMIN once
 *     (value 9) and SIGUSR1 twice; unblocked, every deliverable signal gets its frame at once,
 *     lowest number first, each on top of the last, so the handlers run SIGRTMIN+1 (1, 2, 3 in
 *     the order sent: the handler blocks its own signal), then SIGRTMIN, then SIGUSR1 once;
 *   - sigpending keeps a real-time signal's bit until its last instance is taken
 *     (sigtimedwait takes them one at a time, oldest first);
 *   - tgkill of a real-time signal queues too, kill as well;
 *   - setting a queued real-time signal to SIG_IGN discards every instance.
 * Output is deterministic. */
#define _GNU_SOURCE
#include "check.h"

#include <signal.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static int seen_sig[16];
static int seen_value[16];
static int seen_code[16];
static volatile int seen;

static void handler(int sig, siginfo_t* info, void* context) {
    (void)context;
    if (seen < 16) {
        seen_sig[seen] = sig;
        seen_value[seen] = info->si_value.sival_int;
        seen_code[seen] = info->si_code;
    }
    seen++;
}

static void send_value(int sig, int value) {
    union sigval v;
    v.sival_int = value;
    REQUIRE(sigqueue(getpid(), sig, v) == 0, "sigqueue");
}

int main(void) {
    const int rt0 = SIGRTMIN, rt1 = SIGRTMIN + 1;
    struct sigaction sa = {0};
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    REQUIRE(sigaction(SIGUSR1, &sa, NULL) == 0, "sigaction");
    REQUIRE(sigaction(rt0, &sa, NULL) == 0, "sigaction");
    REQUIRE(sigaction(rt1, &sa, NULL) == 0, "sigaction");

    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigaddset(&block, rt0);
    sigaddset(&block, rt1);
    REQUIRE(sigprocmask(SIG_BLOCK, &block, &old) == 0, "sigprocmask");
    send_value(rt1, 1);
    send_value(rt1, 2);
    send_value(rt0, 9);
    send_value(rt1, 3);
    send_value(SIGUSR1, 5);
    send_value(SIGUSR1, 6);
    CHECK(seen == 0, "nothing delivered while blocked");
    REQUIRE(sigprocmask(SIG_SETMASK, &old, NULL) == 0, "unblock");
    CHECK(seen == 5, "five deliveries: SIGUSR1 once, the real-time ones every time");
    CHECK(seen_sig[0] == rt1 && seen_value[0] == 1 && seen_sig[1] == rt1 && seen_value[1] == 2 &&
              seen_sig[2] == rt1 && seen_value[2] == 3,
          "SIGRTMIN+1 three times, in the order sent");
    CHECK(seen_sig[3] == rt0 && seen_value[3] == 9, "then SIGRTMIN");
    CHECK(seen_sig[4] == SIGUSR1 && seen_value[4] == 5, "then SIGUSR1 once, the first one's value");
    CHECK(seen_code[0] == SI_QUEUE && seen_code[4] == SI_QUEUE, "si_code SI_QUEUE");

    /* sigtimedwait takes the instances one by one; the bit stays until the last one. */
    sigset_t only;
    sigemptyset(&only);
    sigaddset(&only, rt1);
    REQUIRE(sigprocmask(SIG_BLOCK, &only, NULL) == 0, "block rt1");
    send_value(rt1, 7);
    send_value(rt1, 8);
    sigset_t pending;
    struct timespec zero = {0, 0};
    siginfo_t info;
    int ok = sigtimedwait(&only, &info, &zero) == rt1 && info.si_value.sival_int == 7;
    sigpending(&pending);
    ok = ok && sigismember(&pending, rt1);
    ok = ok && sigtimedwait(&only, &info, &zero) == rt1 && info.si_value.sival_int == 8;
    sigpending(&pending);
    ok = ok && !sigismember(&pending, rt1);
    CHECK(ok, "sigtimedwait takes them oldest first; sigpending until the last one");
    errno = 0;
    CHECK(sigtimedwait(&only, &info, &zero) == -1 && errno == EAGAIN, "then none: EAGAIN");

    /* tgkill and kill queue real-time signals too. */
    syscall(SYS_tgkill, getpid(), (int)syscall(SYS_gettid), rt1);
    syscall(SYS_tgkill, getpid(), (int)syscall(SYS_gettid), rt1);
    kill(getpid(), rt1);
    int codes_ok = 1, count = 0;
    while (sigtimedwait(&only, &info, &zero) == rt1) {
        count++;
        /* SI_TKILL, SI_TKILL, SI_USER (glibc's sigtimedwait reports SI_TKILL as SI_USER). */
        if (info.si_pid != getpid() || (info.si_code != SI_USER && info.si_code != SI_TKILL) ||
            (count == 3 && info.si_code != SI_USER))
            codes_ok = 0;
    }
    CHECK(count == 3 && codes_ok, "tgkill twice and kill once: three instances, the sender's pid");

    /* SIG_IGN discards every queued instance. */
    send_value(rt1, 1);
    send_value(rt1, 2);
    signal(rt1, SIG_IGN);
    sigpending(&pending);
    CHECK(!sigismember(&pending, rt1), "SIG_IGN discards the queued instances");
    REQUIRE(sigaction(rt1, &sa, NULL) == 0, "sigaction");
    seen = 0;
    REQUIRE(sigprocmask(SIG_UNBLOCK, &only, NULL) == 0, "unblock");
    CHECK(seen == 0, "none is delivered afterwards");
    return 0;
}
