/*
 * One 256 MiB malloc with every page touched (musl and glibc both serve it with mmap), then many
 * small mallocs of varying sizes (served from brk/mmap'd heap pages), each filled, verified and
 * freed in an interleaved order. Prints checksums that depend on every byte written and read.
 */
#include "check.h"

#include <stdint.h>
#include <unistd.h>

#define LARGE_BYTES (256UL << 20)
#define SMALL_COUNT 20000
#define SMALL_ROUNDS 4

static unsigned char* small[SMALL_COUNT];
static size_t small_size[SMALL_COUNT];

static unsigned char pattern(size_t index, size_t salt) {
    return (unsigned char)((index * 131u + salt * 7u + 1u) & 0xff);
}

static void large_block(void) {
    const size_t page = 4096;
    unsigned char* block = malloc(LARGE_BYTES);
    CHECK(block != NULL, "malloc 256 MiB");

    /* A block this large is a fresh mmap in both musl and glibc, so it must read as zero. */
    int all_zero = 1;
    for (size_t off = 0; off < LARGE_BYTES; off += page)
        all_zero &= block[off] == 0 && block[off + page - 1] == 0;
    CHECK(all_zero, "256 MiB block reads as zero on first touch");

    for (size_t off = 0; off < LARGE_BYTES; off += page) {
        size_t p = off / page;
        block[off] = pattern(p, 1);
        block[off + page / 2] = pattern(p, 2);
        block[off + page - 1] = pattern(p, 3);
    }
    unsigned long long sum = FNV1A_INIT;
    int intact = 1;
    for (size_t off = 0; off < LARGE_BYTES; off += page) {
        size_t p = off / page;
        intact &= block[off] == pattern(p, 1) && block[off + page / 2] == pattern(p, 2) &&
                  block[off + page - 1] == pattern(p, 3);
        sum = fnv1a(sum, &block[off], 1);
        sum = fnv1a(sum, &block[off + page / 2], 1);
        sum = fnv1a(sum, &block[off + page - 1], 1);
    }
    CHECK(intact, "every page of the 256 MiB block kept its pattern");
    printf("large checksum %016llx over %lu pages\n", sum, LARGE_BYTES / page);
    free(block);
    printf("ok: freed 256 MiB\n");
}

static void small_blocks(void) {
    unsigned long long sum = FNV1A_INIT;
    size_t total = 0;
    for (int round = 0; round < SMALL_ROUNDS; round++) {
        for (size_t i = 0; i < SMALL_COUNT; i++) {
            /* Sizes from 1 byte to a bit over 4 KiB, so several size classes are exercised. */
            size_t size = 1 + (i * 37 + (size_t)round * 11) % 4200;
            small[i] = malloc(size);
            REQUIRE(small[i] != NULL, "small malloc");
            REQUIRE(((uintptr_t)small[i] & 15) == 0, "malloc result is 16-byte aligned");
            small_size[i] = size;
            for (size_t b = 0; b < size; b++) small[i][b] = pattern(i + b, (size_t)round);
            total += size;
        }
        /* Free every other block, verify the rest, then free those too. */
        for (size_t i = 0; i < SMALL_COUNT; i += 2) free(small[i]);
        for (size_t i = 1; i < SMALL_COUNT; i += 2) {
            for (size_t b = 0; b < small_size[i]; b++)
                REQUIRE(small[i][b] == pattern(i + b, (size_t)round), "small block intact");
            sum = fnv1a(sum, small[i], small_size[i]);
            free(small[i]);
        }
    }
    printf("ok: %d small mallocs (%zu bytes) filled, verified and freed\n",
           SMALL_COUNT * SMALL_ROUNDS, total);
    printf("small checksum %016llx\n", sum);
}

int main(void) {
    large_block();
    small_blocks();
    return 0;
}
