/*
 * Clocks and sleeps. Only relations are printed: monotonic time never goes backwards, a sleep
 * lasts at least as long as asked (an upper bound would be a timing assertion, so there is none),
 * and the realtime sources (clock_gettime, time, gettimeofday) agree with each other.
 */
#include "check.h"

#include <stdint.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/times.h>
#include <time.h>

#define NS_PER_SEC 1000000000LL

static long long to_ns(struct timespec t) {
    return (long long)t.tv_sec * NS_PER_SEC + t.tv_nsec;
}

static long long monotonic_ns(void) {
    struct timespec t;
    REQUIRE(clock_gettime(CLOCK_MONOTONIC, &t) == 0, "clock_gettime(CLOCK_MONOTONIC)");
    return to_ns(t);
}

int main(void) {
    struct timespec t;
    CHECK(clock_gettime(CLOCK_MONOTONIC, &t) == 0, "clock_gettime(CLOCK_MONOTONIC)");
    CHECK(t.tv_nsec >= 0 && t.tv_nsec < NS_PER_SEC, "CLOCK_MONOTONIC tv_nsec in [0, 1e9)");

    long long previous = monotonic_ns();
    int monotonic = 1;
    for (int i = 0; i < 1000; i++) {
        long long now = monotonic_ns();
        monotonic &= now >= previous;
        previous = now;
    }
    CHECK(monotonic, "CLOCK_MONOTONIC non-decreasing over 1000 reads");

    long long before = monotonic_ns();
    struct timespec fifty_ms = {0, 50 * 1000 * 1000};
    CHECK(nanosleep(&fifty_ms, NULL) == 0, "nanosleep(50 ms) returns 0");
    CHECK(monotonic_ns() - before >= 50 * 1000 * 1000LL, "nanosleep(50 ms) lasted at least 50 ms");

    before = monotonic_ns();
    struct timespec twenty_ms = {0, 20 * 1000 * 1000};
    CHECK(clock_nanosleep(CLOCK_MONOTONIC, 0, &twenty_ms, NULL) == 0,
          "clock_nanosleep(CLOCK_MONOTONIC, 20 ms) returns 0");
    CHECK(monotonic_ns() - before >= 20 * 1000 * 1000LL,
          "clock_nanosleep(CLOCK_MONOTONIC, 20 ms) lasted at least 20 ms");

    /* An absolute deadline in the past returns at once, and one in the future is honoured. */
    struct timespec deadline;
    CHECK(clock_gettime(CLOCK_MONOTONIC, &deadline) == 0, "read CLOCK_MONOTONIC for a deadline");
    long long deadline_ns = to_ns(deadline) + 10 * 1000 * 1000LL;
    deadline.tv_sec = deadline_ns / NS_PER_SEC;
    deadline.tv_nsec = deadline_ns % NS_PER_SEC;
    CHECK(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, NULL) == 0,
          "clock_nanosleep(TIMER_ABSTIME, now + 10 ms) returns 0");
    CHECK(monotonic_ns() >= deadline_ns, "clock_nanosleep(TIMER_ABSTIME) woke after the deadline");

    struct timespec realtime;
    CHECK(clock_gettime(CLOCK_REALTIME, &realtime) == 0, "clock_gettime(CLOCK_REALTIME)");
    time_t now = time(NULL);
    CHECK(now != (time_t)-1, "time(NULL) succeeds");
    long long skew = (long long)realtime.tv_sec - (long long)now;
    CHECK(skew > -86400 && skew < 86400, "CLOCK_REALTIME within 1 day of time(NULL)");
    CHECK(realtime.tv_sec > 1600000000, "CLOCK_REALTIME is after September 2020");

    struct timeval tv;
    CHECK(gettimeofday(&tv, NULL) == 0, "gettimeofday");
    CHECK(tv.tv_usec >= 0 && tv.tv_usec < 1000000, "gettimeofday tv_usec in [0, 1e6)");
    long long tv_ns = (long long)tv.tv_sec * NS_PER_SEC + (long long)tv.tv_usec * 1000;
    long long diff = tv_ns - to_ns(realtime);
    CHECK(diff > -NS_PER_SEC && diff < NS_PER_SEC, "gettimeofday within 1 s of CLOCK_REALTIME");

    struct timespec res = {0, 0};
    CHECK(clock_getres(CLOCK_MONOTONIC, &res) == 0 && (res.tv_sec > 0 || res.tv_nsec > 0),
          "clock_getres(CLOCK_MONOTONIC) > 0");
    res.tv_sec = res.tv_nsec = 0;
    CHECK(clock_getres(CLOCK_REALTIME, &res) == 0 && (res.tv_sec > 0 || res.tv_nsec > 0),
          "clock_getres(CLOCK_REALTIME) > 0");
    /* getrusage/times: CPU time grows with work; a process without children has none. */
    struct rusage ru0, ru1, ruc;
    CHECK(getrusage(RUSAGE_SELF, &ru0) == 0, "getrusage(RUSAGE_SELF)");
    long long u0 = ru0.ru_utime.tv_sec * 1000000LL + ru0.ru_utime.tv_usec + ru0.ru_stime.tv_sec * 1000000LL + ru0.ru_stime.tv_usec;
    long long u1 = u0;
    /* Spin until 20 ms more CPU time is reported (bounded: 10 s of wall time on a loaded host). */
    volatile unsigned long spin = 0;
    long long give_up = monotonic_ns() + 10 * NS_PER_SEC;
    while (u1 - u0 < 20000 && monotonic_ns() < give_up) {
        for (int i = 0; i < 100000; i++) spin++;
        REQUIRE(getrusage(RUSAGE_SELF, &ru1) == 0, "getrusage(RUSAGE_SELF) again");
        u1 = ru1.ru_utime.tv_sec * 1000000LL + ru1.ru_utime.tv_usec + ru1.ru_stime.tv_sec * 1000000LL + ru1.ru_stime.tv_usec;
    }
    CHECK(u1 - u0 >= 20000, "spinning adds CPU time to getrusage(RUSAGE_SELF)");
    CHECK(getrusage(RUSAGE_CHILDREN, &ruc) == 0 && ruc.ru_utime.tv_sec == 0 && ruc.ru_utime.tv_usec == 0,
          "getrusage(RUSAGE_CHILDREN) is zero without children");
    errno = 0;
    CHECK(getrusage(7, &ruc) == -1 && errno == EINVAL, "getrusage(7) fails with EINVAL");
    struct tms tm;
    clock_t c0 = times(&tm);
    CHECK(c0 != (clock_t)-1 && tm.tms_cutime == 0 && tm.tms_cstime == 0, "times() with no children");
    CHECK(tm.tms_utime + tm.tms_stime >= 1, "times() reports the CPU time spent (in 10 ms ticks)");
    struct timespec hundred_ms = {0, 100 * 1000 * 1000};
    nanosleep(&hundred_ms, NULL);
    CHECK(times(&tm) - c0 >= 9, "times()'s return value advances with real time");

    return 0;
}
