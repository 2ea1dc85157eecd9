/*
 * Prints argc, every argv entry and every environment variable, in order. Entries are bracketed
 * so that spaces and empty strings are visible in a diff. compare.sh passes the same absolute
 * program path both ways, so argv[0] must match exactly too.
 */
#include <stdio.h>

extern char** environ;

int main(int argc, char** argv) {
    printf("argc=%d\n", argc);
    for (int i = 0; i < argc; i++) printf("argv[%d]=[%s]\n", i, argv[i]);
    printf("argv[argc] is %s\n", argv[argc] == NULL ? "NULL" : "not NULL");
    int count = 0;
    for (char** e = environ; *e != NULL; e++, count++) printf("env[%d]=[%s]\n", count, *e);
    printf("envc=%d\n", count);
    return 0;
}
