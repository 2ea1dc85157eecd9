/*
 * A write through a NULL pointer: the process must die of SIGSEGV, which the shell reports as
 * status 139 (128 + 11) natively and which jvmos must reproduce as its own exit status. The line
 * printed first (and flushed, since the process never reaches exit()) proves the program ran.
 */
#include <stdio.h>

int main(void) {
    fputs("about to write through a NULL pointer\n", stdout);
    fflush(stdout);
    volatile int* null_pointer = (volatile int*)0;
    *null_pointer = 42;
    fputs("FAIL: still alive after the NULL write\n", stdout);
    return 1;
}
