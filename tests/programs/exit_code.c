/* exit(atoi(argv[1])): checks that the exit status reaches the shell unchanged. */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char** argv) {
    if (argc != 2) {
        fputs("usage: exit_code STATUS\n", stderr);
        return 2;
    }
    int status = atoi(argv[1]);
    printf("exiting with %d\n", status);
    exit(status);
}
