/*
 * Shared helpers for the integration programs in tests/programs/.
 *
 * Every program here runs natively and under jvmos, and tests/integration/compare.sh compares
 * the two stdouts byte for byte. So a program prints facts ("ok: ..."), never values that differ
 * between runs (pids, addresses, times, random bytes). A failed check prints the details that do
 * differ (errno, values) because at that point the comparison has failed anyway, and exits 1.
 */
#pragma once

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Prints "ok: WHAT" if COND holds; otherwise prints a FAIL line with errno and exits 1. */
#define CHECK(cond, what)                                                                          \
    do {                                                                                           \
        REQUIRE(cond, what);                                                                       \
        printf("ok: %s\n", (what));                                                                \
    } while (0)

/* Like CHECK but silent on success: for checks inside loops. errno is read after COND ran. */
#define REQUIRE(cond, what)                                                                        \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            int check_errno_ = errno;                                                              \
            printf("FAIL: %s [%s] at %s:%d errno=%d (%s)\n", (what), #cond, __FILE__, __LINE__,    \
                   check_errno_, strerror(check_errno_));                                          \
            fflush(stdout);                                                                        \
            exit(1);                                                                               \
        }                                                                                          \
    } while (0)

/* FNV-1a over a buffer, continuing from HASH: a cheap checksum that depends on every byte. */
static inline unsigned long long fnv1a(unsigned long long hash, const void* data, size_t len) {
    const unsigned char* p = (const unsigned char*)data;
    for (size_t i = 0; i < len; i++) {
        hash ^= p[i];
        hash *= 0x100000001b3ULL;
    }
    return hash;
}

#define FNV1A_INIT 0xcbf29ce484222325ULL
