/*
 * startup_bench: prints CLOCK_REALTIME in nanoseconds as the very first thing in main, and
 * nothing else. bench/run.sh subtracts the host's realtime taken just before it exec'd the
 * monitor, giving exec-to-first-user-code latency (monitor start, VM creation, guest kernel boot,
 * ELF load, libc start-up). CLOCK_REALTIME because it is the clock the host and guest share.
 */
#include <stdio.h>
#include <time.h>

int main(void) {
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    printf("%lld\n", (long long)t.tv_sec * 1000000000LL + t.tv_nsec);
    return 0;
}
