/* The vDSO: AT_SYSINFO_EHDR points at an ELF shared object that exports
 * __vdso_clock_gettime@LINUX_2.6 and __vdso_gettimeofday; calling it directly gives the same
 * clock as the syscall (within a second), and the monotonic clock never goes backwards. */
#include "check.h"

#include <elf.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static void* find(const unsigned char* base, const char* name) {
    const Elf64_Ehdr* e = (const Elf64_Ehdr*)base;
    const Elf64_Phdr* ph = (const Elf64_Phdr*)(base + e->e_phoff);
    const Elf64_Dyn* dyn = NULL;
    long bias = 0;
    for (int i = 0; i < e->e_phnum; i++) {
        if (ph[i].p_type == PT_DYNAMIC) dyn = (const Elf64_Dyn*)(base + ph[i].p_offset);
        if (ph[i].p_type == PT_LOAD && ph[i].p_offset == 0) bias = -(long)ph[i].p_vaddr;
    }
    REQUIRE(dyn != NULL, "the vDSO has a dynamic section");
    const Elf64_Sym* sym = NULL;
    const char* str = NULL;
    const unsigned* hash = NULL;
    for (const Elf64_Dyn* d = dyn; d->d_tag; d++) {
        if (d->d_tag == DT_SYMTAB) sym = (const Elf64_Sym*)(base + bias + d->d_un.d_ptr);
        if (d->d_tag == DT_STRTAB) str = (const char*)(base + bias + d->d_un.d_ptr);
        if (d->d_tag == DT_HASH) hash = (const unsigned*)(base + bias + d->d_un.d_ptr);
    }
    REQUIRE(sym && str && hash, "the vDSO has symbols");
    for (unsigned i = 0; i < hash[1]; i++)
        if (strcmp(str + sym[i].st_name, name) == 0 && sym[i].st_value)
            return (void*)(base + bias + sym[i].st_value);
    return NULL;
}

int main(void) {
    const unsigned char* base = (const unsigned char*)getauxval(AT_SYSINFO_EHDR);
    CHECK(base != NULL, "AT_SYSINFO_EHDR is present");
    CHECK(memcmp(base, ELFMAG, SELFMAG) == 0 && ((const Elf64_Ehdr*)base)->e_type == ET_DYN,
          "it points at an ELF shared object");
    int (*cg)(clockid_t, struct timespec*) = find(base, "__vdso_clock_gettime");
    int (*gtod)(void*, void*) = find(base, "__vdso_gettimeofday");
    CHECK(cg != NULL && gtod != NULL, "__vdso_clock_gettime and __vdso_gettimeofday exported");
    struct timespec v, s;
    REQUIRE(cg(CLOCK_REALTIME, &v) == 0, "vdso realtime");
    REQUIRE(syscall(SYS_clock_gettime, CLOCK_REALTIME, &s) == 0, "syscall realtime");
    CHECK(v.tv_sec - s.tv_sec <= 1 && s.tv_sec - v.tv_sec <= 1, "vDSO and syscall realtime agree");
    struct timespec prev, now;
    REQUIRE(cg(CLOCK_MONOTONIC, &prev) == 0, "vdso monotonic");
    int backwards = 0;
    for (int i = 0; i < 100000; i++) {
        cg(CLOCK_MONOTONIC, &now);
        if (now.tv_sec < prev.tv_sec || (now.tv_sec == prev.tv_sec && now.tv_nsec < prev.tv_nsec))
            backwards++;
        prev = now;
    }
    CHECK(backwards == 0, "vDSO monotonic clock never goes backwards");
    struct { long sec, usec; } tv;
    CHECK(gtod(&tv, NULL) == 0 && tv.sec - v.tv_sec <= 2 && tv.usec >= 0 && tv.usec < 1000000,
          "vDSO gettimeofday");
    return 0;
}
