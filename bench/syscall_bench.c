/*
 * syscall_bench [DIVISOR]: nanoseconds per operation for the basic user->kernel->user paths,
 * built static with musl so the same binary runs natively and under jvmos (bench/run.sh runs
 * both and prints the ratio).
 *
 * Each operation is timed over RUNS runs of a fixed iteration count; the median run is reported,
 * which discards a run disturbed by a timer interrupt, a vCPU preemption or a page-table
 * warm-up. The syscalls are issued with inline `syscall` instructions, not libc wrappers, so
 * both sides time exactly the same instruction sequence and no errno bookkeeping.
 *
 * Output: one line per operation, "name ns_per_op", ns_per_op with one decimal. DIVISOR (default
 * 1) divides the iteration counts, for a quick smoke run.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>

/* jvmos's private empty syscall (include/jvmos/abi/abi.h); natively it is the ENOSYS path. */
#define JVMOS_SYS_NOP 0x4a56L
#define RUNS 11
#define SYSCALL_ITERATIONS 200000L
#define MMAP_ITERATIONS 20000L
#define PAGE 4096L

#include "raw_syscall.h"

static long map_page(void) {
    return raw_syscall6(SYS_mmap, 0, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
                        0);
}

/* A failed mmap would make the numbers meaningless: stop rather than report them. */
static void check_mapping(long address) {
    if (address < 0 && address > -4096) {
        fprintf(stderr, "syscall_bench: mmap failed with errno %ld\n", -address);
        exit(1);
    }
}

static void op_getppid(long n) {
    for (long i = 0; i < n; i++) raw_syscall0(SYS_getppid);
}

static void op_nop(long n) {
    for (long i = 0; i < n; i++) raw_syscall0(JVMOS_SYS_NOP);
}

static void op_mmap_touch(long n) {
    for (long i = 0; i < n; i++) {
        long address = map_page();
        check_mapping(address);
        *(volatile char*)address = 1;
        raw_syscall2(SYS_munmap, address, PAGE);
    }
}

static void op_mmap_no_touch(long n) {
    for (long i = 0; i < n; i++) {
        long address = map_page();
        check_mapping(address);
        raw_syscall2(SYS_munmap, address, PAGE);
    }
}

static uint64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* Median over RUNS runs of N iterations, in tenths of a nanosecond per iteration. */
static uint64_t median_tenths_ns(void (*op)(long), long n) {
    uint64_t samples[RUNS];
    op(n / 10 + 1); /* warm-up: page tables, caches, lazy kernel state */
    for (int r = 0; r < RUNS; r++) {
        uint64_t start = now_ns();
        op(n);
        samples[r] = (now_ns() - start) * 10 / (uint64_t)n;
    }
    for (int i = 1; i < RUNS; i++) {
        uint64_t v = samples[i];
        int j = i - 1;
        for (; j >= 0 && samples[j] > v; j--) samples[j + 1] = samples[j];
        samples[j + 1] = v;
    }
    return samples[RUNS / 2];
}

static void report(const char* name, void (*op)(long), long n) {
    uint64_t tenths = median_tenths_ns(op, n);
    printf("%s %llu.%llu\n", name, (unsigned long long)(tenths / 10),
           (unsigned long long)(tenths % 10));
    fflush(stdout);
}

int main(int argc, char** argv) {
    long divisor = argc > 1 ? atol(argv[1]) : 1;
    if (divisor < 1) {
        fputs("usage: syscall_bench [DIVISOR]\n", stderr);
        return 2;
    }
    long nop = raw_syscall0(JVMOS_SYS_NOP);
    if (nop != 0 && nop != -38 /* ENOSYS, natively */) {
        fprintf(stderr, "syscall_bench: JVMOS_SYS_NOP returned %ld\n", nop);
        return 1;
    }
    report("getppid", op_getppid, SYSCALL_ITERATIONS / divisor);
    report("jvmos_nop", op_nop, SYSCALL_ITERATIONS / divisor);
    report("mmap_munmap_4k_touch", op_mmap_touch, MMAP_ITERATIONS / divisor);
    report("mmap_munmap_4k", op_mmap_no_touch, MMAP_ITERATIONS / divisor);
    return 0;
}
