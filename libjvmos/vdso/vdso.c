/* jvmos's vDSO: clock_gettime, gettimeofday, time, clock_getres and getcpu without a trap, from
 * the TSC and the boot clock samples in __jvmos_vdso_data (filled by the guest kernel). Built as
 * a position-independent shared object with no relocations; glibc finds the LINUX_2.6 symbols
 * through AT_SYSINFO_EHDR. Clocks it cannot serve fall back to the real syscall. */
#include "vdso_data.h"

#include <stddef.h>
#include <stdint.h>

struct timespec64 {
    int64_t tv_sec;
    int64_t tv_nsec;
};
struct timeval64 {
    int64_t tv_sec;
    int64_t tv_usec;
};

__attribute__((visibility("hidden"), used, section(".data.jvmos")))
struct jvmos_vdso_data __jvmos_vdso_data = {JVMOS_VDSO_MAGIC, 0, 0, 0, 0, 0};

static inline uint64_t rdtsc(void) {
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

static inline long sys3(long nr, long a, long b, long c) {
    long ret;
    __asm__ volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
    return ret;
}

static inline int64_t since_boot_ns(const volatile struct jvmos_vdso_data* d) {
    const uint64_t now = rdtsc();
    if (now <= d->boot_tsc) return 0;
    return (int64_t)(((unsigned __int128)(now - d->boot_tsc) * d->ns_mult) >> 32);
}

/* 0 realtime, 1 monotonic, -1 not served here. */
static inline int kind(long clock) {
    switch (clock) {
    case 0: case 5: case 11: return 0;       /* REALTIME, REALTIME_COARSE, TAI */
    case 1: case 4: case 6: case 7: return 1; /* MONOTONIC, _RAW, _COARSE, BOOTTIME */
    default: return -1;
    }
}

int __vdso_clock_gettime(long clock, struct timespec64* ts) {
    const volatile struct jvmos_vdso_data* d = &__jvmos_vdso_data;
    const int k = kind(clock);
    if (k < 0 || !d->ready) return (int)sys3(228, clock, (long)ts, 0);
    const int64_t ns = (k == 0 ? d->boot_realtime_ns : d->boot_monotonic_ns) + since_boot_ns(d);
    ts->tv_sec = ns / 1000000000;
    ts->tv_nsec = ns % 1000000000;
    return 0;
}

int __vdso_gettimeofday(struct timeval64* tv, void* tz) {
    const volatile struct jvmos_vdso_data* d = &__jvmos_vdso_data;
    if (!d->ready) return (int)sys3(96, (long)tv, (long)tz, 0);
    if (tv) {
        const int64_t ns = d->boot_realtime_ns + since_boot_ns(d);
        tv->tv_sec = ns / 1000000000;
        tv->tv_usec = ns % 1000000000 / 1000;
    }
    if (tz) {
        int* z = (int*)tz;
        z[0] = 0;
        z[1] = 0;
    }
    return 0;
}

long __vdso_time(long* t) {
    const volatile struct jvmos_vdso_data* d = &__jvmos_vdso_data;
    if (!d->ready) return sys3(201, (long)t, 0, 0);
    const long s = (long)((d->boot_realtime_ns + since_boot_ns(d)) / 1000000000);
    if (t) *t = s;
    return s;
}

int __vdso_clock_getres(long clock, struct timespec64* res) {
    const int k = kind(clock);
    if (k < 0) return (int)sys3(229, clock, (long)res, 0);
    if (res) {
        res->tv_sec = 0;
        res->tv_nsec = (clock == 5 || clock == 6) ? 4000000 : 1;
    }
    return 0;
}

long __vdso_getcpu(unsigned* cpu, unsigned* node, void* unused) {
    /* The calling vCPU needs the kernel: on kvm_pvm user code runs with the host's GDT and
     * TSC_AUX, so LSL and RDTSCP/RDPID would report the host's CPU, not the vCPU. */
    return sys3(309 /* getcpu */, (long)cpu, (long)node, (long)unused);
}

int clock_gettime(long, struct timespec64*) __attribute__((weak, alias("__vdso_clock_gettime")));
int gettimeofday(struct timeval64*, void*) __attribute__((weak, alias("__vdso_gettimeofday")));
long time(long*) __attribute__((weak, alias("__vdso_time")));
int clock_getres(long, struct timespec64*) __attribute__((weak, alias("__vdso_clock_getres")));
long getcpu(unsigned*, unsigned*, void*) __attribute__((weak, alias("__vdso_getcpu")));
