/*
 * getrandom: two 64-byte draws are not all zero and differ from each other; GRND_NONBLOCK works.
 * The bytes themselves are never printed. The raw syscall is used so that neither C library can
 * substitute another source.
 */
#include "check.h"

#include <sys/syscall.h>
#include <unistd.h>

#ifndef GRND_NONBLOCK
#define GRND_NONBLOCK 0x0001
#endif

static long sys_getrandom(void* buf, size_t len, unsigned flags) {
    return syscall(SYS_getrandom, buf, len, flags);
}

static int all_zero(const unsigned char* p, size_t len) {
    for (size_t i = 0; i < len; i++)
        if (p[i] != 0) return 0;
    return 1;
}

int main(void) {
    unsigned char a[64] = {0}, b[64] = {0}, c[64] = {0};
    CHECK(sys_getrandom(a, sizeof a, 0) == (long)sizeof a, "getrandom 64 bytes returns 64");
    CHECK(sys_getrandom(b, sizeof b, 0) == (long)sizeof b, "second getrandom returns 64");
    CHECK(!all_zero(a, sizeof a) && !all_zero(b, sizeof b), "random bytes are not all zero");
    CHECK(memcmp(a, b, sizeof a) != 0, "two draws differ");
    CHECK(sys_getrandom(c, sizeof c, GRND_NONBLOCK) == (long)sizeof c,
          "getrandom(GRND_NONBLOCK) returns 64");
    CHECK(!all_zero(c, sizeof c) && memcmp(c, a, sizeof c) != 0 && memcmp(c, b, sizeof c) != 0,
          "GRND_NONBLOCK bytes are non-zero and differ from both draws");

    /* Byte-level spread: 3 x 64 bytes from a uniform source hit well over 64 distinct values. */
    int seen[256] = {0}, distinct = 0;
    for (size_t i = 0; i < 64; i++) {
        seen[a[i]] = seen[b[i]] = seen[c[i]] = 1;
    }
    for (int v = 0; v < 256; v++) distinct += seen[v];
    CHECK(distinct > 64, "192 random bytes take more than 64 distinct values");

    unsigned char big[4096];
    CHECK(sys_getrandom(big, sizeof big, 0) == (long)sizeof big, "getrandom 4096 bytes at once");
    CHECK(sys_getrandom(big, 0, 0) == 0, "getrandom of 0 bytes returns 0");
    return 0;
}
