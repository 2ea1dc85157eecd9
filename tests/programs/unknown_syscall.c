/* A syscall number no kernel knows must fail with ENOSYS, not crash or succeed. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void) {
    errno = 0;
    long result = syscall(999);
    int error = errno;
    if (result == -1 && error == ENOSYS) {
        puts("ENOSYS ok");
        return 0;
    }
    printf("FAIL: syscall(999) returned %ld, errno %d (%s)\n", result, error, strerror(error));
    return 1;
}
