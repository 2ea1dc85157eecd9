/* The smallest program: one line on stdout, exit status 0. */
#include <stdio.h>

int main(void) {
    fputs("Hello from jvmos test\n", stdout);
    return 0;
}
