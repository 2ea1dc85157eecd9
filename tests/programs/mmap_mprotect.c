/*
 * Anonymous private mappings: zero fill, a 16 GiB PROT_NONE|MAP_NORESERVE reservation committed
 * piecewise with MAP_FIXED (the way a JVM lays out its heap), munmap of the middle of a mapping,
 * mprotect to PROT_READ and back, address hints, MAP_FIXED_NOREPLACE and the EINVAL cases.
 * Addresses are compared, never printed.
 */
#include "check.h"

#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

#define PAGE 4096UL
#define RESERVE_BYTES (16UL << 30)
#define HINT_ADDRESS 0x200000000000UL

static void* map_anon(void* addr, size_t len, int prot, int extra_flags) {
    return mmap(addr, len, prot, MAP_PRIVATE | MAP_ANONYMOUS | extra_flags, -1, 0);
}

static int all_zero(const unsigned char* p, size_t len) {
    for (size_t i = 0; i < len; i++)
        if (p[i] != 0) return 0;
    return 1;
}

static void fill(unsigned char* p, size_t len, unsigned salt) {
    for (size_t i = 0; i < len; i++) p[i] = (unsigned char)((i * 7 + salt) & 0xff);
}

static int matches(const unsigned char* p, size_t len, unsigned salt) {
    for (size_t i = 0; i < len; i++)
        if (p[i] != (unsigned char)((i * 7 + salt) & 0xff)) return 0;
    return 1;
}

static void basic(void) {
    const size_t len = 1UL << 20;
    unsigned char* p = map_anon(NULL, len, PROT_READ | PROT_WRITE, 0);
    CHECK(p != MAP_FAILED, "mmap 1 MiB anonymous read-write");
    CHECK(((uintptr_t)p & (PAGE - 1)) == 0, "mmap result is page aligned");
    CHECK(all_zero(p, len), "fresh anonymous mapping is zero-filled");
    fill(p, len, 1);
    CHECK(matches(p, len, 1), "anonymous mapping keeps written data");
    CHECK(munmap(p, len) == 0, "munmap 1 MiB");

    /* A length that is not a page multiple maps whole pages. */
    unsigned char* q = map_anon(NULL, 100, PROT_READ | PROT_WRITE, 0);
    CHECK(q != MAP_FAILED, "mmap of 100 bytes");
    q[PAGE - 1] = 1;
    CHECK(q[PAGE - 1] == 1 && all_zero(q, PAGE - 1), "mmap of 100 bytes gives a whole zeroed page");
    CHECK(munmap(q, 100) == 0, "munmap of 100 bytes");
}

static void reservation(void) {
    unsigned char* r = map_anon(NULL, RESERVE_BYTES, PROT_NONE, MAP_NORESERVE);
    CHECK(r != MAP_FAILED, "reserve 16 GiB PROT_NONE|MAP_NORESERVE");

    /* Commit pieces at the start, in the middle and at the very end, as a JVM heap would. */
    const size_t offsets[] = {0, 1UL << 30, (8UL << 30) + 5 * PAGE, RESERVE_BYTES - (4UL << 20)};
    const unsigned count = sizeof offsets / sizeof offsets[0];
    const size_t len = 4UL << 20;
    int committed = 1, zeroed = 1, kept = 1;
    for (unsigned i = 0; i < count && committed; i++) {
        unsigned char* want = r + offsets[i];
        unsigned char* got = map_anon(want, len, PROT_READ | PROT_WRITE, MAP_FIXED);
        committed = got == want;
        if (committed) {
            zeroed &= all_zero(got, len);
            fill(got, len, i + 10);
        }
    }
    CHECK(committed, "MAP_FIXED commits inside the reservation land at the requested addresses");
    CHECK(zeroed, "committed pieces are zero-filled");
    for (unsigned i = 0; i < count; i++) kept &= matches(r + offsets[i], len, i + 10);
    CHECK(kept, "each committed piece keeps its own data");

    /* Give a committed piece back to PROT_NONE by mapping over it, then commit it again. */
    unsigned char* mid = r + offsets[1];
    CHECK(map_anon(mid, len, PROT_NONE, MAP_FIXED | MAP_NORESERVE) == mid,
          "MAP_FIXED PROT_NONE over a committed piece");
    CHECK(map_anon(mid, len, PROT_READ | PROT_WRITE, MAP_FIXED) == mid, "recommit that piece");
    CHECK(all_zero(mid, len), "a recommitted piece is zero-filled again");
    CHECK(matches(r + offsets[2], len, 12), "its neighbours are untouched");

    CHECK(munmap(r, RESERVE_BYTES) == 0, "munmap the whole 16 GiB reservation");
}

static void unmap_middle(void) {
    const size_t pages = 16;
    unsigned char* p = map_anon(NULL, pages * PAGE, PROT_READ | PROT_WRITE, 0);
    CHECK(p != MAP_FAILED, "mmap 16 pages");
    fill(p, pages * PAGE, 3);
    CHECK(munmap(p + 4 * PAGE, 4 * PAGE) == 0, "munmap pages 4..7 of 16");
    CHECK(matches(p, 4 * PAGE, 3), "pages 0..3 intact after munmap of the middle");
    int tail = 1;
    for (size_t i = 8 * PAGE; i < pages * PAGE; i++)
        tail &= p[i] == (unsigned char)((i * 7 + 3) & 0xff);
    CHECK(tail, "pages 8..15 intact after munmap of the middle");

    /* The hole really is free: MAP_FIXED_NOREPLACE may take it, and it comes back zeroed. */
    unsigned char* hole =
        map_anon(p + 4 * PAGE, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_FIXED_NOREPLACE);
    CHECK(hole == p + 4 * PAGE, "MAP_FIXED_NOREPLACE into the unmapped hole succeeds");
    CHECK(all_zero(hole, 4 * PAGE), "refilled hole is zero-filled");
    CHECK(munmap(p, pages * PAGE) == 0, "munmap all 16 pages");
}

static void protections(void) {
    const size_t len = 8 * PAGE;
    unsigned char* p = map_anon(NULL, len, PROT_READ | PROT_WRITE, 0);
    CHECK(p != MAP_FAILED, "mmap 8 pages for mprotect");
    fill(p, len, 5);
    CHECK(mprotect(p, len, PROT_READ) == 0, "mprotect to PROT_READ");
    CHECK(matches(p, len, 5), "read-only pages still readable with their data");
    CHECK(mprotect(p + 2 * PAGE, 2 * PAGE, PROT_READ | PROT_WRITE) == 0,
          "mprotect part of it back to PROT_READ|PROT_WRITE");
    fill(p + 2 * PAGE, 2 * PAGE, 6);
    CHECK(matches(p + 2 * PAGE, 2 * PAGE, 6), "re-enabled pages writable");
    CHECK(mprotect(p, len, PROT_READ | PROT_WRITE) == 0, "mprotect all back to read-write");
    fill(p, len, 7);
    CHECK(matches(p, len, 7), "whole mapping writable again");
    CHECK(mprotect(p, len, PROT_NONE) == 0 && mprotect(p, len, PROT_READ) == 0,
          "mprotect PROT_NONE then PROT_READ");
    CHECK(matches(p, len, 7), "data survives PROT_NONE");
    /* Raw syscall: musl's mprotect() rounds the address down to a page itself. */
    errno = 0;
    CHECK(syscall(SYS_mprotect, p + 1, PAGE, PROT_READ) == -1 && errno == EINVAL,
          "mprotect of an unaligned address gives EINVAL");
    CHECK(munmap(p, len) == 0, "munmap the mprotect mapping");
}

static void hints_and_errors(void) {
    void* hint = (void*)HINT_ADDRESS;
    unsigned char* h = map_anon(hint, 16 * PAGE, PROT_READ | PROT_WRITE, 0);
    CHECK(h != MAP_FAILED, "mmap with a hint address");
    printf("hint 0x200000000000 honoured: %s\n", (void*)h == hint ? "yes" : "no");
    h[0] = 1;

    /* The hinted range is now occupied. */
    errno = 0;
    void* clash = map_anon(h + PAGE, PAGE, PROT_READ | PROT_WRITE, MAP_FIXED_NOREPLACE);
    CHECK(clash == MAP_FAILED && errno == EEXIST,
          "MAP_FIXED_NOREPLACE on an occupied range gives EEXIST");
    CHECK(h[0] == 1, "the occupied range is untouched by the refused mapping");

    /* A hint on an occupied range is only a hint: the mapping goes elsewhere, nothing is lost. */
    unsigned char* moved = map_anon(h, PAGE, PROT_READ | PROT_WRITE, 0);
    CHECK(moved != MAP_FAILED && moved != h, "a hint on an occupied range maps elsewhere");
    CHECK(h[0] == 1, "the occupied range is untouched by the hinted mapping");
    CHECK(munmap(moved, PAGE) == 0, "munmap the moved mapping");

    errno = 0;
    CHECK(munmap(h + 1, PAGE) == -1 && errno == EINVAL,
          "munmap of an unaligned address gives EINVAL");
    errno = 0;
    CHECK(map_anon(NULL, 0, PROT_READ | PROT_WRITE, 0) == MAP_FAILED && errno == EINVAL,
          "zero-length mmap gives EINVAL");
    errno = 0;
    CHECK(map_anon(h + 1, PAGE, PROT_READ | PROT_WRITE, MAP_FIXED) == MAP_FAILED && errno == EINVAL,
          "MAP_FIXED at an unaligned address gives EINVAL");
    CHECK(munmap(h, 16 * PAGE) == 0, "munmap the hinted mapping");
}

/* madvise(MADV_DONTNEED) gives zero pages back; mincore reports what is resident. */
static void advice(void) {
    unsigned char* p = map_anon(NULL, 8 * PAGE, PROT_READ | PROT_WRITE, 0);
    CHECK(p != MAP_FAILED, "mmap 8 pages for madvise");
    for (int i = 0; i < 8; i++) p[i * PAGE] = (unsigned char)(i + 1);
    unsigned char vec[8];
    CHECK(mincore(p, 8 * PAGE, vec) == 0 && vec[0] == 1 && vec[7] == 1, "mincore: touched pages are resident");
    CHECK(madvise(p + 2 * PAGE, 3 * PAGE, MADV_DONTNEED) == 0, "madvise DONTNEED on 3 pages");
    CHECK(p[2 * PAGE] == 0 && p[4 * PAGE] == 0 && p[1 * PAGE] == 2 && p[5 * PAGE] == 6,
          "discarded pages read as zero, the others keep their bytes");
    CHECK(madvise(p, 8 * PAGE, MADV_WILLNEED) == 0 && madvise(p, 8 * PAGE, MADV_SEQUENTIAL) == 0,
          "hints are accepted");
    CHECK(madvise(p + 1, PAGE, MADV_DONTNEED) == -1 && errno == EINVAL, "madvise unaligned: EINVAL");
    CHECK(msync(p, 8 * PAGE, MS_SYNC) == 0, "msync of anonymous memory");
    CHECK(munmap(p, 8 * PAGE) == 0, "munmap");
    CHECK(mincore(p, PAGE, vec) == -1 && errno == ENOMEM, "mincore of an unmapped page: ENOMEM");
}

int main(void) {
    basic();
    advice();
    reservation();
    unmap_middle();
    protections();
    hints_and_errors();
    return 0;
}
