/*
 * mm_bench [DIVISOR]: the memory calls ZGC and glibc's realloc lean on, natively and under jvmos
 * (the same static binary both ways). Median of RUNS runs; one line "name value unit" each:
 *
 *   mremap_move_64m_aligned   us per mremap(MREMAP_MAYMOVE|MREMAP_FIXED) of 64 MiB of (once)
 *                             touched anonymous memory between two 2 MiB-aligned addresses
 *   mremap_move_64m_offset    the same to an address 4 KiB past a 2 MiB boundary (no 2 MiB page
 *                             can move whole)
 *   mremap_touch_move_64m_aligned  us per (a write to every 2 MiB of the region, then the
 *                             aligned move): the moved translations are in use each time
 *   mremap_touch_move_64m_offset   the same with the offset destination (a write to every
 *                             64 KiB)
 *   memfd_setup_3views        us for memfd_create + ftruncate + fallocate of 64 MiB + three
 *                             MAP_SHARED|MAP_FIXED views in 2 MiB-aligned reservations (ZGC)
 *   memfd_touch_3views        ns per 4 KiB page for the first write through each view (all pages
 *                             of all three views)
 *   memfd_teardown_3views     us for the three munmaps and the close
 *
 * DIVISOR (default 1) divides the repetition counts for a quick run.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define RUNS 11
#define MIB (1024UL * 1024UL)
#define PAGE 4096UL
#define REGION (64 * MIB)

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int compare(const void* a, const void* b) {
    const double x = *(const double*)a, y = *(const double*)b;
    return x < y ? -1 : x > y;
}

static double median(double* v) {
    qsort(v, RUNS, sizeof v[0], compare);
    return v[RUNS / 2];
}

static void die(const char* what) {
    perror(what);
    exit(1);
}

/* A 2 MiB-aligned PROT_NONE reservation of `len` bytes. */
static char* reserve_aligned(size_t len) {
    char* r =
        mmap(NULL, len + 2 * MIB, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (r == MAP_FAILED) die("reserve");
    return (char*)(((uintptr_t)r + 2 * MIB - 1) & ~(2 * MIB - 1));
}

/* `touch_stride` 0: moves only; otherwise a write every touch_stride bytes before each move. */
static void bench_mremap(long moves, size_t offset, size_t touch_stride, const char* name) {
    char* a = reserve_aligned(REGION);
    char* b = reserve_aligned(REGION + PAGE) + offset;
    char* m =
        mmap(a, REGION, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    if (m != a) die("mmap");
    madvise(m, REGION, MADV_HUGEPAGE);
    for (size_t off = 0; off < REGION; off += PAGE) m[off] = (char)off;
    char* where[2] = {a, b};
    double samples[RUNS];
    int at = 0;
    for (int run = 0; run < RUNS; run++) {
        const double t0 = now_ns();
        for (long i = 0; i < moves; i++) {
            char* to = where[1 - at];
            if (touch_stride)
                for (size_t off = 0; off < REGION; off += touch_stride) where[at][off] = (char)off;
            if (mremap(where[at], REGION, REGION, MREMAP_MAYMOVE | MREMAP_FIXED, to) != to)
                die("mremap");
            at = 1 - at;
        }
        samples[run] = (now_ns() - t0) / (double)moves / 1e3;
    }
    char* m2 = where[at];
    for (size_t off = 0; off < REGION; off += 16 * PAGE)
        if (m2[off] != (char)off) die("contents");
    munmap(m2, REGION);
    printf("%s %.1f us\n", name, median(samples));
}

static void bench_memfd(void) {
    double setup[RUNS], touch[RUNS], teardown[RUNS];
    char* views[3];
    for (int v = 0; v < 3; v++) views[v] = reserve_aligned(REGION);
    for (int run = 0; run < RUNS; run++) {
        double t0 = now_ns();
        int fd = memfd_create("bench_heap", MFD_CLOEXEC);
        if (fd < 0 || ftruncate(fd, REGION) != 0 || fallocate(fd, 0, 0, REGION) != 0)
            die("memfd");
        for (int v = 0; v < 3; v++)
            if (mmap(views[v], REGION, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0) !=
                views[v])
                die("mmap view");
        double t1 = now_ns();
        for (int v = 0; v < 3; v++)
            for (size_t off = 0; off < REGION; off += PAGE) views[v][off + v] = (char)v;
        double t2 = now_ns();
        for (int v = 0; v < 3; v++) {
            /* Back to a reservation, as ZGC unmaps a view. */
            if (mmap(views[v], REGION, PROT_NONE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0) != views[v])
                die("unmap view");
        }
        close(fd);
        double t3 = now_ns();
        setup[run] = (t1 - t0) / 1e3;
        touch[run] = (t2 - t1) / (double)(3 * REGION / PAGE);
        teardown[run] = (t3 - t2) / 1e3;
    }
    printf("memfd_setup_3views %.1f us\n", median(setup));
    printf("memfd_touch_3views %.1f ns\n", median(touch));
    printf("memfd_teardown_3views %.1f us\n", median(teardown));
}

int main(int argc, char** argv) {
    long divisor = argc > 1 ? atol(argv[1]) : 1;
    if (divisor < 1) divisor = 1;
    bench_mremap(100 / divisor + 1, 0, 0, "mremap_move_64m_aligned");
    bench_mremap(20 / divisor + 1, PAGE, 0, "mremap_move_64m_offset");
    bench_mremap(20 / divisor + 1, 0, 2 * MIB, "mremap_touch_move_64m_aligned");
    bench_mremap(20 / divisor + 1, PAGE, 16 * PAGE, "mremap_touch_move_64m_offset");
    bench_memfd();
    return 0;
}
