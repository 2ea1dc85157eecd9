/* Page faults on several CPUs at once while other threads change the address space (jvmos
 * resolves anonymous faults without its kernel lock, under the address space's own lock):
 *   - FAULTERS threads each write a pattern to every page of their own anonymous region (one
 *     2 MiB-aligned, so that it gets 2 MiB pages, the others offset so that they fault 4 KiB at
 *     a time), then read it all back; each round also drops half of the region with
 *     MADV_DONTNEED, which must read back as zeros;
 *   - a mapper thread meanwhile maps, touches, mprotects, replaces (MAP_FIXED) and unmaps
 *     regions of its own, and checks what it reads;
 *   - a syscall thread keeps entering the kernel (getppid, futex wake).
 * Every thread checks its own memory, so a lost or misdirected fault shows as a wrong value.
 * Output is deterministic. */
#define _GNU_SOURCE
#include "check.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define FUTEX_WAKE_PRIVATE 129 /* FUTEX_WAKE | FUTEX_PRIVATE_FLAG (musl has no linux/futex.h) */
#define MIB (1024UL * 1024UL)
#define PAGE 4096UL
#define FAULTERS 4
#define REGION (16 * MIB)
#define ROUNDS 4

static atomic_int running;
static atomic_int failures;
static int futex_word;

static void fail(const char* what, int id) {
    printf("FAIL: %s (thread %d)\n", what, id);
    atomic_fetch_add(&failures, 1);
}

static void* faulter(void* arg) {
    const int id = (int)(intptr_t)arg;
    /* Thread 0's region is 2 MiB aligned (2 MiB pages); the others start 4 KiB past a 2 MiB
     * boundary, so no aligned 2 MiB block fits at their start and faults go page by page. */
    char* raw = mmap(NULL, REGION + 4 * MIB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                     -1, 0);
    if (raw == MAP_FAILED) {
        fail("mmap", id);
        return NULL;
    }
    uintptr_t base = ((uintptr_t)raw + 2 * MIB - 1) & ~(2 * MIB - 1);
    if (id != 0) base += PAGE;
    volatile uint64_t* mem = (volatile uint64_t*)base;
    const size_t words = REGION / sizeof(uint64_t);
    const size_t stride = PAGE / sizeof(uint64_t);
    for (int round = 0; round < ROUNDS; round++) {
        for (size_t w = 0; w < words; w += stride) mem[w] = ((uint64_t)id << 56) | (w + round);
        for (size_t w = 0; w < words; w += stride)
            if (mem[w] != (((uint64_t)id << 56) | (w + round))) {
                fail("a written page reads back wrong", id);
                return NULL;
            }
        /* Drop the second half: zeros on the next read, fresh pages on the next write. */
        if (madvise((void*)(base + REGION / 2), REGION / 2, MADV_DONTNEED) != 0) {
            fail("madvise", id);
            return NULL;
        }
        for (size_t w = words / 2; w < words; w += stride)
            if (mem[w] != 0) {
                fail("a page dropped by MADV_DONTNEED is not zero", id);
                return NULL;
            }
    }
    munmap(raw, REGION + 4 * MIB);
    return NULL;
}

static void* mapper(void* arg) {
    (void)arg;
    int n = 0;
    while (atomic_load(&running)) {
        char* p = mmap(NULL, 1 * MIB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) {
            fail("mapper mmap", -1);
            return NULL;
        }
        for (size_t off = 0; off < 1 * MIB; off += PAGE) p[off] = (char)(off / PAGE + n);
        if (mprotect(p, 1 * MIB, PROT_READ) != 0) fail("mapper mprotect", -1);
        for (size_t off = 0; off < 1 * MIB; off += PAGE)
            if (p[off] != (char)(off / PAGE + n)) {
                fail("mapper reads back wrong", -1);
                return NULL;
            }
        /* Replace the middle with fresh memory: it reads as zeros. */
        char* q = mmap(p + 256 * 1024, 256 * 1024, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
        if (q != p + 256 * 1024 || q[0] != 0 || q[256 * 1024 - 1] != 0) fail("MAP_FIXED", -1);
        munmap(p, 1 * MIB);
        n++;
    }
    return NULL;
}

static void* syscaller(void* arg) {
    (void)arg;
    while (atomic_load(&running)) {
        getppid();
        syscall(SYS_futex, &futex_word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
    }
    return NULL;
}

int main(void) {
    atomic_store(&running, 1);
    pthread_t m, s, f[FAULTERS];
    REQUIRE(pthread_create(&m, NULL, mapper, NULL) == 0, "pthread_create");
    REQUIRE(pthread_create(&s, NULL, syscaller, NULL) == 0, "pthread_create");
    for (int i = 0; i < FAULTERS; i++)
        REQUIRE(pthread_create(&f[i], NULL, faulter, (void*)(intptr_t)i) == 0, "pthread_create");
    for (int i = 0; i < FAULTERS; i++) pthread_join(f[i], NULL);
    atomic_store(&running, 0);
    pthread_join(m, NULL);
    pthread_join(s, NULL);
    CHECK(atomic_load(&failures) == 0, "every thread read back what it wrote, zeros where dropped");
    return 0;
}
