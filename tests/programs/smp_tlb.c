/* Page-table changes seen by a thread that runs on another CPU at the same time (TLB
 * shootdown): a reader thread spins on a page while the main thread
 *   1. replaces the page with MAP_FIXED (new contents): the reader must see the new value,
 *   2. mprotects it to PROT_NONE: the reader must fault (SIGSEGV), and
 *   3. unmaps it: the reader must fault.
 * With stale translations the reader would keep reading the old page forever; each wait is
 * bounded and reports a failure instead of hanging. Meant to run with 2+ CPUs (jvmos --cpus 2).
 * Output is deterministic. */
#define _GNU_SOURCE
#include "check.h"

#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static volatile int* page;
static atomic_long reads;
static atomic_int seen_value;
static atomic_int faulted;
static atomic_int stop;
static sigjmp_buf reader_env;

static void on_segv(int sig) {
    (void)sig;
    atomic_store(&faulted, 1);
    siglongjmp(reader_env, 1);
}

static void* reader(void* arg) {
    (void)arg;
    struct sigaction sa = {0};
    sa.sa_handler = on_segv;
    sigaction(SIGSEGV, &sa, NULL);
    for (;;) {
        if (sigsetjmp(reader_env, 1)) {
            /* faulted: wait until main says go on (or stop) */
            while (atomic_load(&faulted) && !atomic_load(&stop)) sched_yield();
        }
        if (atomic_load(&stop)) return NULL;
        atomic_store(&seen_value, *page);
        atomic_fetch_add(&reads, 1);
    }
}

static int wait_until(int (*cond)(void)) {
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        if (cond()) return 1;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec - start.tv_sec > 10) return 0;
        sched_yield();
    }
}

static long reads_mark;
static int reader_progressed(void) { return atomic_load(&reads) > reads_mark + 1000; }
static int reader_sees_two(void) { return atomic_load(&seen_value) == 2; }
static int reader_faulted(void) { return atomic_load(&faulted); }

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    REQUIRE(page != MAP_FAILED, "mmap");
    *page = 1;
    pthread_t t;
    REQUIRE(pthread_create(&t, NULL, reader, NULL) == 0, "pthread_create");
    reads_mark = 0;
    CHECK(wait_until(reader_progressed), "the reader thread reads the page");

    void* again = mmap((void*)page, 4096, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    REQUIRE(again == (void*)page, "mmap MAP_FIXED over the page");
    *page = 2;
    CHECK(wait_until(reader_sees_two), "the reader sees the replacing page's contents");

    REQUIRE(mprotect((void*)page, 4096, PROT_NONE) == 0, "mprotect");
    CHECK(wait_until(reader_faulted), "the reader faults after mprotect(PROT_NONE)");

    REQUIRE(mprotect((void*)page, 4096, PROT_READ) == 0, "mprotect back");
    reads_mark = atomic_load(&reads);
    atomic_store(&faulted, 0);
    CHECK(wait_until(reader_progressed), "the reader reads again after mprotect(PROT_READ)");

    REQUIRE(munmap((void*)page, 4096) == 0, "munmap");
    CHECK(wait_until(reader_faulted), "the reader faults after munmap");

    atomic_store(&stop, 1);
    pthread_join(t, NULL);
    printf("done\n");
    return 0;
}
