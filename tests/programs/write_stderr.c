/*
 * Raw writes alternating between stdout and stderr, then writev with three iovecs (non-empty,
 * empty, non-empty) to each. Only stdout is compared, so stdout also records what
 * each stderr write returned.
 */
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

static long write_line(int fd, const char* text) {
    return (long)write(fd, text, strlen(text));
}

int main(void) {
    char line[64];
    for (int i = 0; i < 6; i++) {
        int fd = (i % 2 == 0) ? 1 : 2;
        snprintf(line, sizeof line, "line %d to fd %d\n", i, fd);
        long n = write_line(fd, line);
        if (n != (long)strlen(line)) {
            printf("FAIL: write of line %d to fd %d returned %ld\n", i, fd, n);
            return 1;
        }
        if (fd == 2) write_line(1, "ok: stderr write returned its full length\n");
    }

    char first[] = "writev: first, ";
    char second[] = "";
    char third[] = "third and last\n";
    struct iovec iov[3] = {
        {first, strlen(first)},
        {second, 0},
        {third, strlen(third)},
    };
    const long expected = (long)(strlen(first) + strlen(third));
    for (int fd = 1; fd <= 2; fd++) {
        long n = (long)writev(fd, iov, 3);
        if (n != expected) {
            printf("FAIL: writev to fd %d returned %ld, expected %ld\n", fd, n, expected);
            return 1;
        }
        printf("ok: writev of 3 iovecs to fd %d returned %ld\n", fd, n);
        fflush(stdout);
    }

    /* Zero-length writes succeed and write nothing. */
    if (write(1, "", 0) != 0 || write(2, "", 0) != 0) {
        puts("FAIL: zero-length write");
        return 1;
    }
    puts("ok: zero-length writes return 0");
    return 0;
}
