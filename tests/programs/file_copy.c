/* Copies a multi-megabyte file with read/write in odd-sized chunks, then checks the copy byte for
 * byte, with pread at scattered offsets and an mmap of the copy. Works in a fresh directory under
 * the current one, removed at the end. */
#include "check.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define SIZE (5 * 1024 * 1024 + 4321)

int main(void) {
    char dir[] = "jvmos_file_copy_XXXXXX";
    REQUIRE(mkdtemp(dir) != NULL, "mkdtemp");
    char src[64], dst[64];
    snprintf(src, sizeof src, "%s/src.bin", dir);
    snprintf(dst, sizeof dst, "%s/dst.bin", dir);

    /* A deterministic source file. */
    unsigned char* data = malloc(SIZE);
    REQUIRE(data != NULL, "malloc");
    unsigned long long x = 88172645463325252ULL;
    for (size_t i = 0; i < SIZE; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        data[i] = (unsigned char)x;
    }
    int fd = open(src, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    CHECK(fd >= 0, "create source");
    size_t off = 0;
    while (off < SIZE) {
        ssize_t n = write(fd, data + off, SIZE - off > 700000 ? 700000 : SIZE - off);
        REQUIRE(n > 0, "write source");
        off += (size_t)n;
    }
    CHECK(close(fd) == 0, "close source");

    /* The copy, in odd chunks. */
    int in = open(src, O_RDONLY);
    int out = open(dst, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    CHECK(in >= 0 && out >= 0, "open source and destination");
    struct stat st;
    CHECK(fstat(in, &st) == 0 && st.st_size == SIZE && S_ISREG(st.st_mode), "fstat size and type");
    static char buf[123457];
    size_t copied = 0;
    for (;;) {
        ssize_t n = read(in, buf, sizeof buf);
        REQUIRE(n >= 0, "read");
        if (n == 0) break;
        ssize_t w = write(out, buf, (size_t)n);
        REQUIRE(w == n, "write");
        copied += (size_t)n;
    }
    CHECK(copied == SIZE, "copied every byte");
    CHECK(close(in) == 0 && close(out) == 0, "close both");

    /* Verify. */
    int v = open(dst, O_RDONLY);
    CHECK(v >= 0, "reopen copy");
    CHECK(fstat(v, &st) == 0 && st.st_size == SIZE && (st.st_mode & 0777) == 0600,
          "copy has the size and mode given");
    unsigned char* back = malloc(SIZE);
    size_t got = 0;
    while (got < SIZE) {
        ssize_t n = read(v, back + got, SIZE - got);
        REQUIRE(n > 0, "read copy");
        got += (size_t)n;
    }
    CHECK(memcmp(back, data, SIZE) == 0, "copy equals source");
    for (size_t o = 0; o < SIZE; o += 999983) {
        unsigned char c;
        REQUIRE(pread(v, &c, 1, (off_t)o) == 1 && c == data[o], "pread at scattered offsets");
    }
    printf("ok: pread at scattered offsets\n");
    CHECK(lseek(v, 0, SEEK_END) == SIZE, "lseek SEEK_END");
    void* m = mmap(NULL, SIZE, PROT_READ, MAP_PRIVATE, v, 0);
    CHECK(m != MAP_FAILED, "mmap the copy");
    CHECK(memcmp(m, data, SIZE) == 0, "mapped bytes equal source");
    CHECK(munmap(m, SIZE) == 0, "munmap");
    close(v);
    printf("checksum %016llx\n", fnv1a(0xcbf29ce484222325ULL, back, SIZE));

    CHECK(unlink(src) == 0 && unlink(dst) == 0 && rmdir(dir) == 0, "clean up");
    return 0;
}
