/*
 * fork_bench [ITERATIONS]: the cost of a process that does nothing. Median of 11 runs of
 * ITERATIONS (default 200) loops, each fork + child _exit(0) + waitpid, printed as
 * "fork_wait_<size> us_per_op" for a parent with 1 MiB and with 65 MiB of touched private
 * memory (the page tables fork copies and the copy-on-write marking grow with it; the child
 * writes nothing, so no page is copied). Static musl, run natively and as
 * `jvmos build/bench/fork_bench`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp(const void* a, const void* b) {
    const double x = *(const double*)a, y = *(const double*)b;
    return x < y ? -1 : x > y;
}

static double run(int iterations) {
    const double start = now_us();
    for (int i = 0; i < iterations; i++) {
        pid_t pid = fork();
        if (pid < 0) {
            perror("fork");
            exit(1);
        }
        if (pid == 0) _exit(0);
        int status;
        if (waitpid(pid, &status, 0) != pid) {
            perror("waitpid");
            exit(1);
        }
    }
    return (now_us() - start) / iterations;
}

static void measure(const char* name, int iterations) {
    double samples[11];
    for (int r = 0; r < 11; r++) samples[r] = run(iterations);
    qsort(samples, 11, sizeof samples[0], cmp);
    printf("%s %.1f\n", name, samples[5]);
}

int main(int argc, char** argv) {
    const int iterations = argc > 1 ? atoi(argv[1]) : 200;
    char* small = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    memset(small, 1, 1 << 20);
    measure("fork_wait_1MiB", iterations);
    char* large = mmap(NULL, 64 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    memset(large, 1, 64 << 20);
    measure("fork_wait_65MiB", iterations);
    return 0;
}
