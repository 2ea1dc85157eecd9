/* Shipped-call latency and throughput, run natively and under jvmos (bench/run_ship.sh):
 *   fstat and 4 KiB pread round trips: p50 and p99 over many calls;
 *   sequential copy of a large file with 1 MiB read/write: MB/s.
 * Usage: ship_bench FILE_TO_STAT COPY_SRC COPY_DST
 * Prints "name value" lines (ns for latencies, MB/s for the copy). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "latency.h"

int main(int argc, char** argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: ship_bench FILE COPY_SRC COPY_DST\n");
        return 2;
    }
    enum { N = 2000 };
    static long long lat[N];
    int fd = open(argv[1], O_RDONLY);
    if (fd < 0) return perror("open"), 1;
    struct stat st;
    for (int i = 0; i < N; i++) {
        long long t0 = now_ns();
        if (fstat(fd, &st) != 0) return perror("fstat"), 1;
        lat[i] = now_ns() - t0;
    }
    report("fstat", lat, N);
    static char page[4096];
    for (int i = 0; i < N; i++) {
        long long t0 = now_ns();
        if (pread(fd, page, sizeof page, 0) < 0) return perror("pread"), 1;
        lat[i] = now_ns() - t0;
    }
    report("pread_4k", lat, N);
    close(fd);

    static char buf[1 << 20];
    int in = open(argv[2], O_RDONLY), out = open(argv[3], O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (in < 0 || out < 0) return perror("open copy"), 1;
    long long t0 = now_ns(), bytes = 0;
    for (;;) {
        ssize_t n = read(in, buf, sizeof buf);
        if (n < 0) return perror("read"), 1;
        if (n == 0) break;
        if (write(out, buf, (size_t)n) != n) return perror("write"), 1;
        bytes += n;
    }
    long long t1 = now_ns();
    close(in);
    close(out);
    printf("copy_MBps %lld\n", bytes * 1000 / (t1 - t0 + 1));
    return 0;
}
