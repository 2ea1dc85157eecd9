/* Latency helpers shared by the shipped-call benchmarks (ship_bench.c, poll_bench.c): a
 * monotonic clock in ns, and a "NAME_p50 V" / "NAME_p99 V" report of sorted samples. */
#pragma once

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static long long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static int cmp_samples(const void* a, const void* b) {
    long long x = *(const long long*)a, y = *(const long long*)b;
    return x < y ? -1 : x > y;
}

/* Sorts the n samples in place and prints their median and 99th percentile. */
static void report(const char* name, long long* v, int n) {
    qsort(v, (size_t)n, sizeof v[0], cmp_samples);
    printf("%s_p50 %lld\n%s_p99 %lld\n", name, v[n / 2], name, v[n * 99 / 100]);
}
