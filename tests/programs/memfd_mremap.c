/*
 * memfd, mremap and writable shared file mappings, as the JVM uses them: a memfd mapped at
 * three addresses (ZGC's heap views, one MAP_FIXED over a PROT_NONE reservation) aliases the
 * same memory; fallocate commits and punches holes; ftruncate, read/write, lseek, fstat,
 * fstatfs and seals on the memfd; private mappings of it copy on write; mremap grows, shrinks
 * and moves anonymous and shared mappings; a MAP_SHARED file mapping's writes reach the file
 * (msync, munmap) and read() sees them.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "check.h"

#define KIB 1024UL
#define MIB (1024UL * 1024UL)
#define PAGE 4096UL
#define TMPFS_MAGIC 0x01021994

static const int RW = PROT_READ | PROT_WRITE;

/* Whether [p, p + len) is mapped at all (mincore answers ENOMEM for unmapped pages). */
static int mapped(void* p, size_t len) {
    unsigned char vec[64];
    return mincore(p, len, vec) == 0;
}

/* A byte that depends on the page and the view that wrote it. */
static unsigned char pattern(size_t page, int salt) { return (unsigned char)(page * 7 + salt); }

static void memfd_views(void) {
    const size_t size = 4 * MIB;
    int fd = memfd_create("jvmos_test", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    CHECK(fd >= 0, "memfd_create");
    CHECK((fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0, "MFD_CLOEXEC sets FD_CLOEXEC");
    CHECK((fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDWR, "a memfd is open read-write");

    struct statfs sfs;
    CHECK(fstatfs(fd, &sfs) == 0 && sfs.f_type == TMPFS_MAGIC, "fstatfs: TMPFS_MAGIC");
    CHECK(sfs.f_bsize == PAGE, "fstatfs: 4 KiB blocks");

    struct stat st;
    CHECK(fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0, "fstat: empty file");
    CHECK((st.st_mode & 0777) == 0777, "fstat: mode 0777");
    CHECK(ftruncate(fd, size) == 0, "ftruncate to 4 MiB");
    CHECK(fstat(fd, &st) == 0 && st.st_size == (off_t)size && st.st_blocks == 0,
          "fstat: 4 MiB, nothing allocated");
    CHECK(fallocate(fd, 0, 0, 2 * MIB) == 0, "fallocate commits the first 2 MiB");
    CHECK(fstat(fd, &st) == 0 && st.st_blocks == 2 * MIB / 512 && st.st_size == (off_t)size,
          "fstat: 2 MiB allocated, size unchanged");
    CHECK(fallocate(fd, FALLOC_FL_PUNCH_HOLE, 0, PAGE) == -1 && errno == EOPNOTSUPP,
          "PUNCH_HOLE without KEEP_SIZE: EOPNOTSUPP");
    CHECK(fallocate(fd, 0, 0, 0) == -1 && errno == EINVAL, "fallocate of nothing: EINVAL");

    /* Three views, as ZGC maps its heap: two anywhere, one MAP_FIXED over a reservation. */
    char* reserve = mmap(NULL, 3 * size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                         -1, 0);
    CHECK(reserve != MAP_FAILED, "PROT_NONE reservation");
    char* a = mmap(NULL, size, RW, MAP_SHARED, fd, 0);
    char* b = mmap(NULL, size, RW, MAP_SHARED, fd, 0);
    /* 2 MiB-aligned, as ZGC's views are (the kernel may map it with 2 MiB pages). */
    char* const want_c = (char*)(((uintptr_t)reserve + size + 2 * MIB - 1) & ~(2 * MIB - 1));
    char* c = mmap(want_c, size, RW, MAP_SHARED | MAP_FIXED, fd, 0);
    CHECK(a != MAP_FAILED && b != MAP_FAILED && a != b, "two shared views");
    CHECK(c == want_c, "a MAP_FIXED view inside the reservation");

    /* Each view writes its own byte of every page; every view sees all three. */
    for (size_t page = 0; page < size / PAGE; page++) {
        a[page * PAGE] = (char)pattern(page, 1);
        b[page * PAGE + 1] = (char)pattern(page, 2);
        c[page * PAGE + 2] = (char)pattern(page, 3);
    }
    int agree = 1;
    for (size_t page = 0; page < size / PAGE; page++) {
        for (int k = 0; k < 3; k++) {
            const unsigned char want = pattern(page, k + 1);
            agree &= (unsigned char)a[page * PAGE + k] == want;
            agree &= (unsigned char)b[page * PAGE + k] == want;
            agree &= (unsigned char)c[page * PAGE + k] == want;
        }
    }
    CHECK(agree, "stores through each view are seen through the others");

    unsigned char buf[64];
    CHECK(pread(fd, buf, 3, 5 * PAGE) == 3 && buf[0] == pattern(5, 1) && buf[1] == pattern(5, 2) &&
              buf[2] == pattern(5, 3),
          "pread sees the stores");
    CHECK(pwrite(fd, "hello", 5, 3 * MIB + 7) == 5, "pwrite");
    CHECK(memcmp(a + 3 * MIB + 7, "hello", 5) == 0 && memcmp(c + 3 * MIB + 7, "hello", 5) == 0,
          "the views see pwrite's bytes");

    CHECK(munmap(b, size) == 0, "munmap of one view");
    c[PAGE + 9] = 'k';
    CHECK(a[PAGE + 9] == 'k' && a[2] == (char)pattern(0, 3), "the other views stay");

    /* A hole punched in the file is zero in every view; partial pages are zeroed in part. */
    memset(a, 0x5a, size);
    CHECK(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, MIB, MIB + 100) == 0,
          "fallocate PUNCH_HOLE|KEEP_SIZE");
    int zero = 1;
    for (size_t off = MIB; off < 2 * MIB + 100; off += 512) zero &= a[off] == 0 && c[off] == 0;
    zero &= a[2 * MIB + 99] == 0 && c[2 * MIB + 99] == 0;
    CHECK(zero, "the hole reads as zeros in every view");
    CHECK(a[MIB - 1] == 0x5a && c[2 * MIB + 100] == 0x5a, "bytes around the hole stay");
    CHECK(pread(fd, buf, 4, MIB + 5 * PAGE) == 4 && buf[0] == 0 && buf[3] == 0,
          "pread in the hole: zeros");
    CHECK(fstat(fd, &st) == 0 && st.st_size == (off_t)size, "the hole keeps the size");
    c[MIB + 3 * PAGE] = 'r';
    CHECK(a[MIB + 3 * PAGE] == 'r', "a store in the hole is seen in the other view");

    /* read/write/lseek at the file position. */
    CHECK(lseek(fd, 100, SEEK_SET) == 100, "lseek SEEK_SET");
    CHECK(write(fd, "abc", 3) == 3 && lseek(fd, 0, SEEK_CUR) == 103, "write advances");
    CHECK(a[100] == 'a' && a[102] == 'c', "the view sees write's bytes");
    CHECK(lseek(fd, -4, SEEK_END) == (off_t)size - 4, "lseek SEEK_END");
    CHECK(read(fd, buf, 64) == 4, "read stops at the end of the file");
    CHECK(read(fd, buf, 64) == 0, "read at the end: 0");

    /* Truncation: shorter reads, and zeros when the file grows back. */
    CHECK(ftruncate(fd, 2 * PAGE + 100) == 0, "ftruncate shrinks");
    CHECK(pread(fd, buf, 64, 2 * PAGE + 50) == 50, "pread past the new end is short");
    CHECK(ftruncate(fd, size) == 0, "ftruncate grows back");
    CHECK(a[2 * PAGE + 99] == 0x5a && a[2 * PAGE + 100] == 0 && c[3 * PAGE] == 0,
          "beyond the old end the views read zeros");
    CHECK(pread(fd, buf, 1, 3 * MIB + 7) == 1 && buf[0] == 0, "pread reads zeros there too");

    /* A private mapping sees the file until it writes a page, which it then keeps. */
    char* p = mmap(NULL, size, RW, MAP_PRIVATE, fd, 0);
    CHECK(p != MAP_FAILED, "private mapping of the memfd");
    CHECK(p[100] == 'a', "the private mapping sees the file");
    a[100] = 'S';
    CHECK(p[100] == 'S', "and later stores to a page it has not written");
    p[100] = 'P';
    CHECK(a[100] == 'S' && c[100] == 'S', "its own store stays private");
    a[100] = 'T';
    CHECK(p[100] == 'P', "and the copied page no longer follows the file");
    CHECK(munmap(p, size) == 0, "munmap the private mapping");

    /* Seals. */
    CHECK(fcntl(fd, F_GET_SEALS) == 0, "no seals yet");
    CHECK(fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK) == 0, "F_SEAL_SHRINK");
    CHECK(ftruncate(fd, PAGE) == -1 && errno == EPERM, "shrinking is refused");
    CHECK(ftruncate(fd, size + PAGE) == 0, "growing is allowed");
    CHECK(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE) == -1 && errno == EBUSY,
          "F_SEAL_WRITE with writable shared views: EBUSY");

    /* The views outlive the fd. */
    CHECK(close(fd) == 0, "close the memfd");
    a[77] = 'z';
    CHECK(c[77] == 'z', "the views still alias after close");
    CHECK(munmap(a, size) == 0 && munmap(reserve, 3 * size) == 0, "unmap everything");

    int plain = memfd_create("no_sealing", 0);
    CHECK(plain >= 0 && fcntl(plain, F_GET_SEALS) == F_SEAL_SEAL,
          "without MFD_ALLOW_SEALING: F_SEAL_SEAL");
    CHECK(fcntl(plain, F_ADD_SEALS, F_SEAL_GROW) == -1 && errno == EPERM, "adding seals: EPERM");
    close(plain);
    CHECK(memfd_create("bad_flags", 0x100) == -1 && errno == EINVAL, "unknown flags: EINVAL");
}

static void fill_pages(char* p, size_t len, int salt) {
    for (size_t off = 0; off < len; off += PAGE) p[off] = (char)pattern(off / PAGE, salt);
}

static int pages_match(const char* p, size_t len, int salt) {
    for (size_t off = 0; off < len; off += PAGE)
        if (p[off] != (char)pattern(off / PAGE, salt)) return 0;
    return 1;
}

/* A PROT_NONE reservation of `pages` pages: mappings placed inside it have known neighbours
 * (which never merge with them). */
static char* reservation(size_t pages) {
    char* r =
        mmap(NULL, pages * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    REQUIRE(r != MAP_FAILED, "reservation");
    return r;
}

static void mremap_anonymous(void) {
    /* Growing in place into free space after the mapping. */
    char* fence = reservation(16);
    char* p = mmap(fence + 4 * PAGE, 8 * PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    CHECK(p == fence + 4 * PAGE, "mmap 8 pages");
    fill_pages(p, 8 * PAGE, 1);
    CHECK(munmap(p + 4 * PAGE, 4 * PAGE) == 0, "free the upper half");
    CHECK(mremap(p, 4 * PAGE, 8 * PAGE, 0) == p, "mremap grows in place");
    CHECK(pages_match(p, 4 * PAGE, 1) && p[5 * PAGE] == 0, "old pages kept, new ones zero");

    /* Shrinking in place. */
    CHECK(mremap(p, 8 * PAGE, 2 * PAGE, 0) == p, "mremap shrinks in place");
    CHECK(!mapped(p + 2 * PAGE, PAGE) && errno == ENOMEM, "the tail is unmapped");
    CHECK(pages_match(p, 2 * PAGE, 1), "the head keeps its contents");

    /* Not at the end of its mapping and no MREMAP_MAYMOVE: ENOMEM. */
    char* q = mmap(NULL, 2 * PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(mremap(q, PAGE, 2 * PAGE, 0) == MAP_FAILED && errno == ENOMEM,
          "growing inside a mapping without MAYMOVE: ENOMEM");
    munmap(q, 2 * PAGE);
    munmap(p, 2 * PAGE);

    /* Errors as Linux reports them. */
    char* r = mmap(fence + 4 * PAGE, 4 * PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    REQUIRE(r == fence + 4 * PAGE, "mmap 4 pages");
    CHECK(mremap(r + 1, PAGE, 2 * PAGE, MREMAP_MAYMOVE) == MAP_FAILED && errno == EINVAL,
          "unaligned address: EINVAL");
    CHECK(mremap(r, PAGE, 0, MREMAP_MAYMOVE) == MAP_FAILED && errno == EINVAL,
          "zero new length: EINVAL");
    CHECK(mremap(r, PAGE, PAGE, MREMAP_FIXED, r + 2 * PAGE) == MAP_FAILED && errno == EINVAL,
          "MREMAP_FIXED without MAYMOVE: EINVAL");
    CHECK(mremap(r, 2 * PAGE, 2 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, r + PAGE) == MAP_FAILED &&
              errno == EINVAL,
          "overlapping MREMAP_FIXED: EINVAL");
    CHECK(mremap(r, 8 * PAGE, 16 * PAGE, MREMAP_MAYMOVE) == MAP_FAILED && errno == EFAULT,
          "old range beyond the mapping: EFAULT");
    CHECK(mprotect(r + 2 * PAGE, 2 * PAGE, PROT_READ) == 0, "split the mapping");
    CHECK(mremap(r, 4 * PAGE, 8 * PAGE, MREMAP_MAYMOVE) == MAP_FAILED && errno == EFAULT,
          "old range across two mappings: EFAULT");
    CHECK(mremap(r, 0, PAGE, MREMAP_MAYMOVE) == MAP_FAILED && errno == EINVAL,
          "duplicating a private mapping: EINVAL");
    CHECK(munmap(r, 4 * PAGE) == 0, "unmap");
    CHECK(mremap(r, PAGE, 2 * PAGE, MREMAP_MAYMOVE) == MAP_FAILED && errno == EFAULT,
          "nothing mapped: EFAULT");
    munmap(fence, 16 * PAGE);

    /* Moving 64 MiB: the pages go with it, the old range is gone. */
    const size_t big = 64 * MIB;
    char* m = mmap(NULL, big, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(m != MAP_FAILED, "mmap 64 MiB");
    fill_pages(m, big, 5);
    char* dest = mmap(NULL, 2 * big, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    char* moved = mremap(m, big, big, MREMAP_MAYMOVE | MREMAP_FIXED, dest + PAGE);
    CHECK(moved == dest + PAGE, "mremap MREMAP_FIXED moves 64 MiB to a 4 KiB-offset address");
    CHECK(pages_match(moved, big, 5), "every page moved with its contents");
    CHECK(!mapped(m, PAGE), "the old range is unmapped");
    char* grown = mremap(moved, big, 2 * big, MREMAP_MAYMOVE);
    CHECK(grown != MAP_FAILED, "mremap MAYMOVE grows to 128 MiB");
    CHECK(pages_match(grown, big, 5) && grown[big + 5 * PAGE] == 0 && grown[2 * big - 1] == 0,
          "contents kept, the new part zero");
    CHECK(munmap(grown, 2 * big) == 0, "unmap");
    munmap(dest, 2 * big);

    /* MREMAP_DONTUNMAP: the pages move, the old range stays mapped and empty. */
    char* d = mmap(NULL, 4 * PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    fill_pages(d, 4 * PAGE, 9);
    char* e = mremap(d, 4 * PAGE, 4 * PAGE, MREMAP_MAYMOVE | MREMAP_DONTUNMAP);
    CHECK(e != MAP_FAILED && e != d, "MREMAP_DONTUNMAP moves");
    CHECK(pages_match(e, 4 * PAGE, 9) && d[0] == 0 && d[3 * PAGE] == 0,
          "the pages moved; the old range reads zeros");
    munmap(d, 4 * PAGE);
    munmap(e, 4 * PAGE);
}

static void mremap_shared(void) {
    const size_t size = 4 * MIB;
    int fd = memfd_create("mremap_views", 0);
    CHECK(fd >= 0 && ftruncate(fd, size) == 0, "memfd of 4 MiB");
    char* a = mmap(NULL, size, RW, MAP_SHARED, fd, 0);
    char* b = mmap(NULL, size, RW, MAP_SHARED, fd, 0);
    fill_pages(a, size, 3);
    char* dest = mmap(NULL, 2 * size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                      -1, 0);
    char* m = mremap(a, size, size, MREMAP_MAYMOVE | MREMAP_FIXED, dest + 2 * MIB);
    CHECK(m == dest + 2 * MIB, "mremap moves a shared memfd view");
    CHECK(pages_match(m, size, 3), "the moved view keeps the contents");
    m[PAGE * 3 + 1] = 'm';
    CHECK(b[PAGE * 3 + 1] == 'm', "the moved view still aliases the other");
    char* dup = mremap(b, 0, size, MREMAP_MAYMOVE);
    CHECK(dup != MAP_FAILED && dup != b, "mremap with old_len 0 duplicates a shared view");
    dup[10] = 'd';
    CHECK(b[10] == 'd' && m[10] == 'd', "the duplicate aliases the others");
    char* shrunk = mremap(b, size, MIB, 0);
    CHECK(shrunk == b && b[PAGE * 3 + 1] == 'm', "a shared view shrinks in place");
    munmap(b, MIB);
    munmap(dup, size);
    munmap(dest, 2 * size);
    close(fd);

    /* MAP_SHARED|MAP_ANONYMOUS is shared memory too: old_len 0 duplicates it. */
    char* s = mmap(NULL, 2 * PAGE, RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    char* s2 = mremap(s, 0, 2 * PAGE, MREMAP_MAYMOVE);
    CHECK(s != MAP_FAILED && s2 != MAP_FAILED, "duplicate of shared anonymous memory");
    s[PAGE] = 'q';
    CHECK(s2[PAGE] == 'q', "aliases it");
    munmap(s, 2 * PAGE);
    munmap(s2, 2 * PAGE);
}

static void shared_file_writes(void) {
    char path[] = "/tmp/jvmos_shared_map_XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0, "temporary file");
    unlink(path);
    char page[PAGE];
    memset(page, 'a', sizeof page);
    for (int i = 0; i < 3; i++)
        REQUIRE(write(fd, page, sizeof page) == (ssize_t)sizeof page, "write");
    CHECK(write(fd, page, 100) == 100, "file of 3 pages and 100 bytes");
    const size_t len = 4 * PAGE;
    char* m = mmap(NULL, len, RW, MAP_SHARED, fd, 0);
    CHECK(m != MAP_FAILED, "writable MAP_SHARED file mapping");
    CHECK(m[0] == 'a' && m[3 * PAGE + 99] == 'a' && m[3 * PAGE + 100] == 0,
          "it shows the file, zeros after the end");
    m[0] = 'X';
    m[2 * PAGE + 5] = 'Y';
    m[3 * PAGE + 99] = 'Z';
    m[3 * PAGE + 200] = 'W'; /* beyond the end of the file: never written to it */
    CHECK(msync(m, len, MS_SYNC) == 0, "msync MS_SYNC");
    char buf[8];
    CHECK(pread(fd, buf, 1, 0) == 1 && buf[0] == 'X', "read() sees the first store");
    CHECK(pread(fd, buf, 1, 2 * PAGE + 5) == 1 && buf[0] == 'Y', "and the second");
    CHECK(pread(fd, buf, 2, 3 * PAGE + 98) == 2 && buf[0] == 'a' && buf[1] == 'Z',
          "and the one in the last partial page");
    struct stat st;
    CHECK(fstat(fd, &st) == 0 && st.st_size == 3 * PAGE + 100, "the file did not grow");
    m[PAGE + 1] = 'A';
    CHECK(msync(m, len, MS_ASYNC) == 0, "msync MS_ASYNC");
    CHECK(pread(fd, buf, 1, PAGE + 1) == 1 && buf[0] == 'A', "read() sees it");
    m[PAGE + 2] = 'B';
    CHECK(lseek(fd, 0, SEEK_SET) == 0 && read(fd, m + PAGE * 2 + 10, 1) == 1 &&
              m[2 * PAGE + 10] == 'X',
          "the kernel's store into the mapping");
    CHECK(munmap(m, len) == 0, "munmap writes back");
    CHECK(pread(fd, buf, 2, PAGE + 1) == 2 && buf[0] == 'A' && buf[1] == 'B',
          "read() sees the store made before munmap");
    CHECK(pread(fd, buf, 1, 2 * PAGE + 10) == 1 && buf[0] == 'X',
          "and the bytes read() put into the mapping");
    CHECK(msync(m, len, MS_SYNC) == -1 && errno == ENOMEM, "msync of an unmapped range: ENOMEM");
    CHECK(msync(m + 1, PAGE, MS_SYNC) == -1 && errno == EINVAL, "unaligned msync: EINVAL");
    close(fd);

    /* A file open read-only maps shared read-only, and mprotect cannot make it writable. */
    int ro = open("/bin/sh", O_RDONLY);
    CHECK(ro >= 0, "a read-only file");
    CHECK(mmap(NULL, PAGE, RW, MAP_SHARED, ro, 0) == MAP_FAILED && errno == EACCES,
          "writable shared mapping of a read-only fd: EACCES");
    char* r = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, ro, 0);
    CHECK(r != MAP_FAILED, "read-only shared mapping");
    CHECK(mprotect(r, PAGE, RW) == -1 && errno == EACCES, "mprotect to writable: EACCES");
    munmap(r, PAGE);
    close(ro);
}

int main(void) {
    memfd_views();
    mremap_anonymous();
    mremap_shared();
    shared_file_writes();
    printf("done\n");
    return 0;
}
