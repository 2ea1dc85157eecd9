/* Readiness-call latency, run natively and under jvmos (bench/run_poll.sh):
 *   poll(timeout 0) on one empty pipe, and on one pipe with data (answered at once): p50/p99;
 *   poll(timeout 0) on a memfd (local under jvmos: never shipped): p50/p99;
 *   a pipe ping-pong between two threads through poll: each side waits in poll(-1), reads the
 *   byte and writes it back on the other pipe; mean ns per round trip; and the same ping-pong
 *   with blocking reads only (no poll), for comparison.
 * Prints "name value" lines (ns). */
#define _GNU_SOURCE
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "latency.h"

enum { N = 2000, ROUNDS = 1000 };
static int ping[2], pong[2];

static int use_poll = 1;

static void wait_read(int fd) {
    struct pollfd p = {fd, POLLIN, 0};
    char c;
    if ((use_poll && poll(&p, 1, -1) != 1) || read(fd, &c, 1) != 1) {
        perror("ping-pong");
        exit(1);
    }
}

static void* echo(void* arg) {
    (void)arg;
    for (int i = 0; i < ROUNDS; i++) {
        wait_read(ping[0]);
        if (write(pong[1], "y", 1) != 1) exit(1);
    }
    return NULL;
}

static void bench_poll(const char* name, int fd) {
    static long long lat[N];
    for (int i = 0; i < N; i++) {
        struct pollfd p = {fd, POLLIN, 0};
        long long t0 = now_ns();
        if (poll(&p, 1, 0) < 0) perror("poll"), exit(1);
        lat[i] = now_ns() - t0;
    }
    report(name, lat, N);
}

int main(void) {
    int p[2];
    if (pipe(p) != 0) return perror("pipe"), 1;
    bench_poll("poll0_empty_pipe", p[0]);
    if (write(p[1], "x", 1) != 1) return 1;
    bench_poll("poll0_ready_pipe", p[0]);
    int mem = memfd_create("bench", 0);
    if (mem < 0) return perror("memfd_create"), 1;
    bench_poll("poll0_memfd", mem);

    if (pipe(ping) != 0 || pipe(pong) != 0) return perror("pipe"), 1;
    for (use_poll = 1; use_poll >= 0; use_poll--) {
        pthread_t t;
        if (pthread_create(&t, NULL, echo, NULL) != 0) return 1;
        long long t0 = now_ns();
        for (int i = 0; i < ROUNDS; i++) {
            if (write(ping[1], "x", 1) != 1) return 1;
            wait_read(pong[0]);
        }
        long long total = now_ns() - t0;
        pthread_join(t, NULL);
        printf("%s %lld\n", use_poll ? "pingpong_poll_round_trip" : "pingpong_read_round_trip",
               total / ROUNDS);
    }
    return 0;
}
