/*
 * Copies stdin to stdout until EOF with raw read/write (binary-safe, any read size, partial
 * writes retried), then reports the byte count on stderr, which compare.sh does not compare.
 */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

static int write_all(const char* p, size_t len) {
    while (len > 0) {
        ssize_t n = write(1, p, len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int main(void) {
    /* An odd buffer size so reads do not line up with pages or pipe buffers. */
    static char buffer[12289];
    unsigned long long total = 0;
    for (;;) {
        ssize_t n = read(0, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            perror("stdin_echo: read");
            return 1;
        }
        if (n == 0) break;
        if (write_all(buffer, (size_t)n) != 0) {
            perror("stdin_echo: write");
            return 1;
        }
        total += (unsigned long long)n;
    }
    fprintf(stderr, "stdin_echo: %llu bytes\n", total);
    return 0;
}
