/*
 * Clocks and sleeps. Only relations are printed: monotonic time never goes backwards, a sleep
 * lasts at least as long as asked (an upper bound would be a timing assertion, so there is none),
 * and the realtime sources (clock_gettime, time, gettimeofday) agree with each other.
 */
#include "check.h"

#include <stdint.h>
#include <sys/time.h>
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
    return 0;
}
