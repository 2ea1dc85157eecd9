/*
 * The program break through the raw brk syscall (musl's sbrk() only accepts 0, so the syscall is
 * used directly both ways). Linux semantics checked here:
 *  - brk(0) returns the current break and changes nothing;
 *  - brk(x) returns x on success (even unaligned) and the old break on failure;
 *  - memory between the old and the new break is zero-filled on growth;
 *  - pages given back by shrinking are zero again when the break grows back over them;
 *  - a break below the start or into the upper address space is refused.
 * Nothing here calls malloc, so the C library never moves the break behind our back; the first
 * printf is flushed before the initial break is read so that glibc's stdout buffer (which may
 * come from brk) is already allocated.
 */
#include "check.h"

#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

#define STEP (1UL << 20)
#define TOTAL (64UL << 20)
#define PAGE 4096UL

static uintptr_t sys_brk(uintptr_t addr) {
    return (uintptr_t)syscall(SYS_brk, addr);
}

static unsigned char pattern(uintptr_t offset) {
    return (unsigned char)(((offset >> 12) * 29 + (offset & 0xfff) * 3 + 5) & 0xff);
}

/* True if every byte in [from, to) is zero. Checks one word per 64 bytes to stay quick. */
static int range_is_zero(uintptr_t from, uintptr_t to) {
    for (uintptr_t a = from; a < to; a += 64)
        if (*(volatile unsigned char*)a != 0) return 0;
    return to <= from || *(volatile unsigned char*)(to - 1) == 0;
}

int main(void) {
    printf("brk growth test\n");
    fflush(stdout);

    uintptr_t initial = sys_brk(0);
    CHECK(initial != 0, "brk(0) returns a non-zero break");
    CHECK(sys_brk(0) == initial, "brk(0) again returns the same break");

    /* Page-aligned base so that shrink/regrow below covers whole pages. */
    uintptr_t base = (initial + PAGE - 1) & ~(PAGE - 1);
    CHECK(sys_brk(base) == base, "brk to the page-aligned initial break succeeds");

    /* An unaligned break is returned exactly as asked, and the page it lands in is usable. */
    uintptr_t odd = base + 12345;
    CHECK(sys_brk(odd) == odd, "brk to an unaligned address returns that address");
    CHECK(sys_brk(0) == odd, "brk(0) reports the unaligned break");
    ((volatile unsigned char*)base)[12344] = 0x5a;
    CHECK(((volatile unsigned char*)base)[12344] == 0x5a, "last byte below unaligned break usable");
    ((volatile unsigned char*)base)[12344] = 0;

    int grew = 1, zeroed = 1;
    for (uintptr_t end = base + STEP; end <= base + TOTAL; end += STEP) {
        uintptr_t before = sys_brk(0);
        grew &= sys_brk(end) == end && sys_brk(0) == end;
        zeroed &= range_is_zero(before, end);
    }
    CHECK(grew, "brk grows in 1 MiB steps to 64 MiB, each returning the new break");
    CHECK(zeroed, "each newly added range reads as zero");

    for (uintptr_t off = 0; off < TOTAL; off += 8)
        *(volatile unsigned char*)(base + off) = pattern(off);
    int intact = 1;
    unsigned long long sum = FNV1A_INIT;
    for (uintptr_t off = 0; off < TOTAL; off += 8) {
        unsigned char v = *(volatile unsigned char*)(base + off);
        intact &= v == pattern(off);
        sum = fnv1a(sum, &v, 1);
    }
    CHECK(intact, "64 MiB heap keeps the written pattern");
    printf("heap checksum %016llx\n", sum);

    uintptr_t half = base + TOTAL / 2;
    CHECK(sys_brk(half) == half, "brk shrinks to 32 MiB and returns the new break");
    CHECK(sys_brk(0) == half, "brk(0) reports the shrunk break");
    CHECK(sys_brk(base + TOTAL) == base + TOTAL, "brk grows back to 64 MiB");
    CHECK(range_is_zero(half, base + TOTAL),
          "memory given back by shrinking is zero after regrowth");
    intact = 1;
    for (uintptr_t off = 0; off < TOTAL / 2; off += 8)
        intact &= *(volatile unsigned char*)(base + off) == pattern(off);
    CHECK(intact, "memory below the shrink point kept its pattern");

    uintptr_t current = sys_brk(0);
    CHECK(sys_brk(PAGE) == current,
          "brk below the start of the heap fails, returning the old break");
    CHECK(sys_brk(0x7ffffffff000UL) == current,
          "brk up to the top of user space fails, returning the old break");
    CHECK(sys_brk(0xffff800000000000UL) == current,
          "brk to a kernel address fails, returning the old break");
    CHECK(sys_brk(current) == current, "brk to the current break is a no-op success");

    CHECK(sys_brk(initial) == initial, "brk back to the initial break");
    CHECK(sys_brk(0) == initial, "brk(0) reports the initial break again");
    return 0;
}
