/*
 * abi_bench [DIVISOR [[-]OP...]]: nanoseconds per operation for the kernel paths HotSpot leans on
 * (futexes, mprotect, mmap, first-touch faults, SIGSEGV with a handler that moves RIP, thread
 * creation, the vDSO clock) and the platform floor (the empty syscall). Static musl, so the same
 * binary runs natively and under jvmos; bench/run_abi.sh runs both and prints the ratios.
 *
 * Every operation is timed over RUNS runs of a fixed iteration count and the median run is
 * reported: a run disturbed by a timer interrupt, a vCPU preemption or another tenant of the
 * machine is discarded, a busy machine is not. Syscalls are inline `syscall` instructions, not
 * libc wrappers, so both sides time the same instructions (pthread_create/join and clock_gettime
 * go through musl on purpose: that is the path measured).
 *
 * Output: "name ns_per_op" per operation (one decimal), in the order below, then one line
 * "online_cpus N" (the CPUs sched_getaffinity reports, to tell whether a run had 1 or 2).
 * DIVISOR (default 1) divides the iteration counts for a quick run (which distorts fault_4k: its
 * 2 MiB pages are then amortised over fewer touches); OP names select operations, -OP leaves one
 * out.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <ucontext.h>

/* jvmos's private empty syscall (include/jvmos/abi/abi.h); natively it is the ENOSYS path. */
#define JVMOS_SYS_NOP 0x4a56L
#define RUNS 11
#define PAGE 4096L
#define LARGE_PAGE (2L << 20)
#define FUTEX_WAIT_PRIVATE 128
#define FUTEX_WAKE_PRIVATE 129

#include "raw_syscall.h"

/* A failed call would make the numbers meaningless: stop rather than report them. */
static void check(long result, const char* what) {
    if (result < 0 && result > -4096) {
        fprintf(stderr, "abi_bench: %s failed with errno %ld\n", what, -result);
        exit(1);
    }
}

static char* map_anonymous(long length, int prot) {
    long address = raw_syscall6(SYS_mmap, 0, length, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    check(address, "mmap");
    return (char*)address;
}

/* `length` bytes of fresh anonymous memory starting on a 2 MiB boundary, so that a 2 MiB page
 * can back each 2 MiB of it; *mapping and *mapped receive what to munmap. */
static char* map_large_aligned(long length, char** mapping, long* mapped) {
    *mapped = length + LARGE_PAGE;
    *mapping = map_anonymous(*mapped, PROT_READ | PROT_WRITE);
    return (char*)(((uintptr_t)*mapping + LARGE_PAGE - 1) & ~(uintptr_t)(LARGE_PAGE - 1));
}

static uint64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static inline long futex(volatile int* word, int op, int value) {
    return raw_syscall6(SYS_futex, (long)word, op, value, 0, 0, 0);
}

/* Each operation runs `n` iterations and returns the nanoseconds the timed part took (set-up
 * that is not the operation, such as creating the ping-pong partner, stays outside). */
typedef uint64_t (*Op)(long n);

static uint64_t op_nop(long n) {
    uint64_t start = now_ns();
    for (long i = 0; i < n; i++) raw_syscall0(JVMOS_SYS_NOP);
    return now_ns() - start;
}

static uint64_t op_getppid(long n) {
    uint64_t start = now_ns();
    for (long i = 0; i < n; i++) raw_syscall0(SYS_getppid);
    return now_ns() - start;
}

static volatile int g_futex_word;

static uint64_t op_futex_wake(long n) {
    uint64_t start = now_ns();
    for (long i = 0; i < n; i++) futex(&g_futex_word, FUTEX_WAKE_PRIVATE, 1);
    return now_ns() - start;
}

/* Ping-pong: the word says whose turn it is (0 main, 1 partner); each side flips it, wakes the
 * other and sleeps until it is flipped back. One iteration is one round trip: two wakes, two
 * waits and, when both threads share a CPU, two context switches. */
static volatile int g_turn;
static long g_rounds;

static void* pingpong_partner(void* unused) {
    (void)unused;
    for (long i = 0; i < g_rounds; i++) {
        while (__atomic_load_n(&g_turn, __ATOMIC_ACQUIRE) != 1)
            futex(&g_turn, FUTEX_WAIT_PRIVATE, 0);
        __atomic_store_n(&g_turn, 0, __ATOMIC_RELEASE);
        futex(&g_turn, FUTEX_WAKE_PRIVATE, 1);
    }
    return NULL;
}

static uint64_t op_futex_pingpong(long n) {
    pthread_t partner;
    g_turn = 0;
    g_rounds = n + 1;
    if (pthread_create(&partner, NULL, pingpong_partner, NULL) != 0) {
        fputs("abi_bench: pthread_create failed\n", stderr);
        exit(1);
    }
    uint64_t start = 0;
    /* Round 0 waits until the partner runs; the clock starts after it. */
    for (long i = 0; i <= n; i++) {
        if (i == 1) start = now_ns();
        __atomic_store_n(&g_turn, 1, __ATOMIC_RELEASE);
        futex(&g_turn, FUTEX_WAKE_PRIVATE, 1);
        while (__atomic_load_n(&g_turn, __ATOMIC_ACQUIRE) != 0)
            futex(&g_turn, FUTEX_WAIT_PRIVATE, 1);
    }
    uint64_t elapsed = now_ns() - start;
    pthread_join(partner, NULL);
    return elapsed;
}

static uint64_t mprotect_toggle(char* base, long length, long n) {
    uint64_t start = now_ns();
    for (long i = 0; i < n; i += 2) {
        check(raw_syscall3(SYS_mprotect, (long)base, length, PROT_READ), "mprotect");
        check(raw_syscall3(SYS_mprotect, (long)base, length, PROT_READ | PROT_WRITE), "mprotect");
    }
    return now_ns() - start;
}

/* One mprotect call (RW -> R or R -> RW) of a present (written) page: a PTE rewrite plus, for
 * RW -> R, the TLB invalidation. */
static uint64_t op_mprotect_1page(long n) {
    char* page = map_anonymous(PAGE, PROT_READ | PROT_WRITE);
    page[0] = 1;
    uint64_t elapsed = mprotect_toggle(page, PAGE, n);
    raw_syscall3(SYS_munmap, (long)page, PAGE, 0);
    return elapsed;
}

/* The same on a page never touched: no PTE to rewrite, so no invalidation. The difference to
 * mprotect_1page is the price of the PTE rewrite and its TLB invalidation. */
static uint64_t op_mprotect_1page_untouched(long n) {
    char* page = map_anonymous(PAGE, PROT_READ | PROT_WRITE);
    uint64_t elapsed = mprotect_toggle(page, PAGE, n);
    raw_syscall3(SYS_munmap, (long)page, PAGE, 0);
    return elapsed;
}

/* One mprotect call over 64 present pages (256 KiB). */
static uint64_t op_mprotect_64pages(long n) {
    const long length = 64 * PAGE;
    char* range = map_anonymous(length, PROT_READ | PROT_WRITE);
    for (long at = 0; at < length; at += PAGE) range[at] = 1;
    uint64_t elapsed = mprotect_toggle(range, length, n);
    raw_syscall3(SYS_munmap, (long)range, length, 0);
    return elapsed;
}

static uint64_t op_mmap_munmap_4k(long n) {
    uint64_t start = now_ns();
    for (long i = 0; i < n; i++) {
        char* page = map_anonymous(PAGE, PROT_READ | PROT_WRITE);
        raw_syscall3(SYS_munmap, (long)page, PAGE, 0);
    }
    return now_ns() - start;
}

/* First touch: n pages of `stride` bytes in a fresh anonymous region, one write per page. The
 * mmap and munmap are outside the clock. Natively, 4 KiB pages unless the region is advised
 * MADV_HUGEPAGE (this host's THP mode is "madvise"); jvmos backs aligned 2 MiB of anonymous
 * memory with a 2 MiB page whatever the advice. */
static uint64_t first_touch(long n, long stride, long touch_every, int huge) {
    char* mapping;
    long mapped;
    char* base = map_large_aligned(n * stride, &mapping, &mapped);
    if (huge) raw_syscall3(SYS_madvise, (long)base, n * stride, MADV_HUGEPAGE);
    uint64_t start = now_ns();
    for (long at = 0; at < n * stride; at += touch_every) base[at] = 1;
    uint64_t elapsed = now_ns() - start;
    raw_syscall3(SYS_munmap, (long)mapping, mapped, 0);
    return elapsed;
}

/* Per 4 KiB page, each written once. The region is unmapped after each run, so the next run may
 * get the same frames back: under jvmos that is guest memory the host has already backed and
 * shadowed. */
static uint64_t op_fault_4k(long n) { return first_touch(n, PAGE, PAGE, 0); }

/* The same, but the region is never unmapped, so every run gets memory nothing in this process
 * has used before: under jvmos, guest frames the host has not backed or shadowed yet (the cost a
 * growing Java heap pays). Natively there is no difference to fault_4k beyond noise. */
static uint64_t op_fault_4k_fresh(long n) {
    char* mapping;
    long mapped;
    char* base = map_large_aligned(n * PAGE, &mapping, &mapped);
    uint64_t start = now_ns();
    for (long at = 0; at < n * PAGE; at += PAGE) base[at] = 1;
    return now_ns() - start;
}

/* Per 2 MiB (MADV_HUGEPAGE), written once: one 2 MiB page fault where the kernel uses them. */
static uint64_t op_fault_2m(long n) { return first_touch(n, LARGE_PAGE, LARGE_PAGE, 1); }

/* Per 2 MiB (MADV_HUGEPAGE), every 4 KiB page of it written once: what making 2 MiB of new heap
 * usable costs, including any per-4 KiB work below the guest (the host's shadow-page fills). */
static uint64_t op_fill_2m(long n) { return first_touch(n, LARGE_PAGE, PAGE, 1); }

/* Faults of 4 KiB pages: regions just short of 2 MiB (as guard pages leave a thread stack or a
 * heap), so that no 2 MiB page fits, with one write every 64 KiB (jvmos maps a 64 KiB window
 * per anonymous fault; natively each write is a 4 KiB fault). `faults` touches in `regions`
 * regions carved out of a PROT_NONE reservation with mprotect. */
#define SMALL_REGION (LARGE_PAGE - PAGE)
#define WINDOW (64L * 1024)
static char* map_small_regions(long faults, long* reserved) {
    const long per_region = SMALL_REGION / WINDOW; /* 31 windows fit in 2 MiB - 4 KiB */
    const long regions = (faults + per_region - 1) / per_region;
    *reserved = regions * LARGE_PAGE;
    char* base = map_anonymous(*reserved, PROT_NONE);
    for (long r = 0; r < regions; r++)
        check(raw_syscall3(SYS_mprotect, (long)(base + r * LARGE_PAGE), SMALL_REGION,
                           PROT_READ | PROT_WRITE), "mprotect");
    return base;
}

static void touch_small_regions(char* base, long faults) {
    const long per_region = SMALL_REGION / WINDOW;
    for (long i = 0; i < faults; i++)
        base[(i / per_region) * LARGE_PAGE + (i % per_region) * WINDOW] = 1;
}

struct Toucher {
    char* base;
    long faults;
    volatile int* go;
};

static void* toucher(void* arg) {
    struct Toucher* t = arg;
    while (!*t->go) {
    }
    touch_small_regions(t->base, t->faults);
    return NULL;
}

/* Per fault, one thread. */
static uint64_t op_fault_64k(long n) {
    long reserved;
    char* base = map_small_regions(n, &reserved);
    uint64_t start = now_ns();
    touch_small_regions(base, n);
    uint64_t elapsed = now_ns() - start;
    raw_syscall3(SYS_munmap, (long)base, reserved, 0);
    return elapsed;
}

/* Per fault, two threads faulting at once in regions of their own (wall time over both threads'
 * faults: with no lock in common it is half of op_fault_64k's on two CPUs). */
static uint64_t op_fault_64k_2threads(long n) {
    long reserved[2];
    struct Toucher t[2];
    volatile int go = 0;
    pthread_t threads[2];
    for (int i = 0; i < 2; i++) {
        t[i].base = map_small_regions(n / 2, &reserved[i]);
        t[i].faults = n / 2;
        t[i].go = &go;
        check(pthread_create(&threads[i], NULL, toucher, &t[i]) ? -1 : 0, "pthread_create");
    }
    uint64_t start = now_ns();
    go = 1;
    for (int i = 0; i < 2; i++) pthread_join(threads[i], NULL);
    uint64_t elapsed = now_ns() - start;
    for (int i = 0; i < 2; i++) raw_syscall3(SYS_munmap, (long)t[i].base, reserved[i], 0);
    return elapsed;
}

static volatile int g_stop_syscalls;
static void* syscall_loop(void* unused) {
    while (!g_stop_syscalls) raw_syscall0(SYS_getppid);
    return unused;
}

/* Per fault, one thread faulting while another one makes syscalls without pause (a kernel lock
 * on the fault path would make every fault wait for the syscalls). */
static uint64_t op_fault_64k_vs_syscalls(long n) {
    long reserved;
    char* base = map_small_regions(n, &reserved);
    pthread_t other;
    g_stop_syscalls = 0;
    check(pthread_create(&other, NULL, syscall_loop, NULL) ? -1 : 0, "pthread_create");
    uint64_t start = now_ns();
    touch_small_regions(base, n);
    uint64_t elapsed = now_ns() - start;
    g_stop_syscalls = 1;
    pthread_join(other, NULL);
    raw_syscall3(SYS_munmap, (long)base, reserved, 0);
    return elapsed;
}

/* SIGSEGV: a load from a PROT_NONE page (HotSpot's polling page and implicit null checks); the
 * handler resumes after the faulting instruction by setting RIP to the address the faulting
 * sequence left in RCX, as HotSpot's handler moves RIP to a stub. Per fault. */
static volatile long g_faults;

static void segv_handler(int signal, siginfo_t* info, void* context) {
    (void)signal;
    (void)info;
    ucontext_t* uc = context;
    uc->uc_mcontext.gregs[REG_RIP] = uc->uc_mcontext.gregs[REG_RCX];
    g_faults++;
}

static inline void faulting_load(const char* address) {
    __asm__ volatile("lea 1f(%%rip), %%rcx\n\t"
                     "movl (%0), %%eax\n\t"
                     "1:"
                     :
                     : "r"(address)
                     : "rax", "rcx", "memory");
}

static uint64_t op_sigsegv_fixup(long n) {
    struct sigaction action, previous;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = segv_handler;
    action.sa_flags = SA_SIGINFO;
    sigemptyset(&action.sa_mask);
    if (sigaction(SIGSEGV, &action, &previous) != 0) {
        fputs("abi_bench: sigaction failed\n", stderr);
        exit(1);
    }
    char* page = map_anonymous(PAGE, PROT_NONE);
    g_faults = 0;
    uint64_t start = now_ns();
    for (long i = 0; i < n; i++) faulting_load(page);
    uint64_t elapsed = now_ns() - start;
    raw_syscall3(SYS_munmap, (long)page, PAGE, 0);
    sigaction(SIGSEGV, &previous, NULL);
    if (g_faults != n) {
        fprintf(stderr, "abi_bench: %ld SIGSEGVs for %ld faulting loads\n", g_faults, n);
        exit(1);
    }
    return elapsed;
}

static void* empty_thread(void* unused) { return unused; }

/* pthread_create + pthread_join of a thread that returns at once (musl: stack mmap, clone,
 * exit, futex wake of the joiner, stack munmap). */
static uint64_t op_thread_create_join(long n) {
    uint64_t start = now_ns();
    for (long i = 0; i < n; i++) {
        pthread_t thread;
        if (pthread_create(&thread, NULL, empty_thread, NULL) != 0) {
            fputs("abi_bench: pthread_create failed\n", stderr);
            exit(1);
        }
        pthread_join(thread, NULL);
    }
    return now_ns() - start;
}

/* clock_gettime(CLOCK_MONOTONIC) through musl, which uses the vDSO when the kernel maps one. */
static uint64_t op_clock_gettime(long n) {
    struct timespec t;
    uint64_t sum = 0;
    uint64_t start = now_ns();
    for (long i = 0; i < n; i++) {
        clock_gettime(CLOCK_MONOTONIC, &t);
        sum += (uint64_t)t.tv_nsec;
    }
    uint64_t elapsed = now_ns() - start;
    __asm__ volatile("" : : "r"(sum));
    return elapsed;
}

struct Bench {
    const char* name;
    Op op;
    long iterations; /* per run; chosen so that a run under jvmos takes well under a second */
};

static const struct Bench BENCHES[] = {
    {"jvmos_nop", op_nop, 100000},
    {"getppid", op_getppid, 100000},
    {"futex_wake_nowaiter", op_futex_wake, 100000},
    {"futex_pingpong", op_futex_pingpong, 4000},
    {"mprotect_1page", op_mprotect_1page, 10000},
    {"mprotect_1page_untouched", op_mprotect_1page_untouched, 10000},
    {"mprotect_64pages", op_mprotect_64pages, 4000},
    {"mmap_munmap_4k", op_mmap_munmap_4k, 10000},
    {"fault_4k_fresh", op_fault_4k_fresh, 1024}, /* 12 runs keep 48 MiB mapped */
    {"fault_4k", op_fault_4k, 4096},
    {"fault_2m", op_fault_2m, 8},
    {"fill_2m", op_fill_2m, 8},
    {"fault_64k", op_fault_64k, 1024},
    {"fault_64k_2threads", op_fault_64k_2threads, 1024},
    {"fault_64k_vs_syscalls", op_fault_64k_vs_syscalls, 1024},
    {"sigsegv_fixup", op_sigsegv_fixup, 4000},
    {"thread_create_join", op_thread_create_join, 1000},
    {"clock_gettime", op_clock_gettime, 1000000},
};

/* Median over RUNS runs of n iterations, in tenths of a nanosecond per iteration. */
static uint64_t median_tenths_ns(Op op, long n) {
    uint64_t samples[RUNS];
    op(n / 10 + 1); /* warm-up: page tables, caches, lazy kernel state, the thread cache */
    for (int r = 0; r < RUNS; r++) samples[r] = op(n) * 10 / (uint64_t)n;
    for (int i = 1; i < RUNS; i++) {
        uint64_t v = samples[i];
        int j = i - 1;
        for (; j >= 0 && samples[j] > v; j--) samples[j + 1] = samples[j];
        samples[j + 1] = v;
    }
    return samples[RUNS / 2];
}

/* With no OP arguments every operation runs; "name" selects one, "-name" leaves one out (when
 * only "-name"s are given, all the others run). */
static int selected(const char* name, int argc, char** argv) {
    int any_selection = 0;
    for (int i = 2; i < argc; i++) {
        if (argv[i][0] == '-') {
            if (strcmp(argv[i] + 1, name) == 0) return 0;
        } else {
            any_selection = 1;
        }
    }
    if (!any_selection) return 1;
    for (int i = 2; i < argc; i++)
        if (strcmp(argv[i], name) == 0) return 1;
    return 0;
}

int main(int argc, char** argv) {
    long divisor = argc > 1 ? atol(argv[1]) : 1;
    if (divisor < 1) {
        fputs("usage: abi_bench [DIVISOR [[-]OP...]]\n", stderr);
        return 2;
    }
    long nop = raw_syscall0(JVMOS_SYS_NOP);
    if (nop != 0 && nop != -38 /* ENOSYS, natively */) {
        fprintf(stderr, "abi_bench: JVMOS_SYS_NOP returned %ld\n", nop);
        return 1;
    }
    for (size_t i = 0; i < sizeof BENCHES / sizeof BENCHES[0]; i++) {
        const struct Bench* b = &BENCHES[i];
        if (!selected(b->name, argc, argv)) continue;
        long n = b->iterations / divisor;
        if (n < 2) n = 2;
        uint64_t tenths = median_tenths_ns(b->op, n);
        printf("%s %llu.%llu\n", b->name, (unsigned long long)(tenths / 10),
               (unsigned long long)(tenths % 10));
        fflush(stdout);
    }
    cpu_set_t cpus;
    CPU_ZERO(&cpus);
    printf("online_cpus %d\n",
           sched_getaffinity(0, sizeof cpus, &cpus) == 0 ? CPU_COUNT(&cpus) : -1);
    return 0;
}
