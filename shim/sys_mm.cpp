// Memory syscalls: mmap, munmap, mprotect, brk (local: page-table edits in libjvmos/mm).
#include "jvmos/abi/abi.h"
#include "kernel/files.h"
#include "kernel/process.h"
#include "shipper/guest/ship.h"
#include "shim/user_ptr.h"
#include "shim/syscall.h"

namespace jvmos::shim {
namespace {

constexpr u64 MAP_TYPE = 0x0f;
constexpr u64 MAP_SHARED = 0x01;
constexpr u64 MAP_PRIVATE = 0x02;
constexpr u64 MAP_SHARED_VALIDATE = 0x03;
constexpr u64 MAP_FIXED = 0x10;
constexpr u64 MAP_ANONYMOUS = 0x20;
constexpr u64 MAP_POPULATE = 0x8000;
constexpr u64 MAP_HUGETLB = 0x40000;
constexpr u64 MAP_FIXED_NOREPLACE = 0x100000;
constexpr u64 MAP_NORESERVE = 0x4000;
constexpr u64 EAGER_MAP_MAX = 64 * KiB;
constexpr u64 PROT_ALL = 0x7 | 0x8 /* SEM */ | 0x01000000 /* GROWSDOWN */ | 0x02000000;

mm::AddressSpace& as() { return kernel::current_address_space(); }

// A file mapping: pages are read from the file through the shipper when first touched (a
// fault-around window per shipped pread), so a program that maps a large file and reads a
// little of it (the JDK's 123 MB lib/modules) ships little. Private semantics: writes stay in
// memory; a read-only shared mapping sees the file as it was when each page was first touched.
// TODO(perf): map read-only mounts' pages zero-copy from the host page cache.
Result<u64> map_file(u64 addr, u64 len, u64 prot, u64 flags, i64 fd, u64 offset) {
    kernel::OpenFile* f = TRY(kernel::file_of(fd));
    if ((f->mode & kernel::LINUX_S_IFMT) != kernel::LINUX_S_IFREG) return Errno::ENODEV;
    const u32 access = f->open_flags & kernel::LINUX_O_ACCMODE;
    if (access == 1 /* O_WRONLY */) return Errno::EACCES;
    if ((flags & MAP_TYPE) != MAP_PRIVATE && (prot & 0x2)) {
        if (access != 2 /* O_RDWR */) return Errno::EACCES;
        return Errno::ENODEV; // writable shared file mappings: not yet
    }
    const u64 start = TRY(as().map_file(addr, len, u32(prot & 0x7), u32(flags),
                                        reinterpret_cast<u64>(f), offset));
    kernel::file_mapped(f, len / PAGE_SIZE);
    return start;
}

} // namespace

Result<u64> sys_mmap(SyscallArgs& args) {
    const u64 addr = args.a[0], prot = args.a[2], flags = args.a[3], offset = args.a[5];
    u64 len = args.a[1];
    if (offset & (PAGE_SIZE - 1)) return Errno::EINVAL;
    if (len == 0) return Errno::EINVAL;
    if (len > JVMOS_USER_TOP) return Errno::ENOMEM;
    len = align_up(len, PAGE_SIZE);
    const u64 type = flags & MAP_TYPE;
    if (type != MAP_SHARED && type != MAP_PRIVATE && type != MAP_SHARED_VALIDATE)
        return Errno::EINVAL;
    if ((flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) && (addr & (PAGE_SIZE - 1)))
        return Errno::EINVAL;
    if (flags & MAP_HUGETLB) return Errno::ENOMEM; // no hugetlbfs pool, as on a default Linux
    if (!(flags & MAP_ANONYMOUS)) return map_file(addr, len, prot, flags, i64(args.a[4]), offset);
    const u64 start = TRY(as().map_anonymous(addr, len, u32(prot & 0x7), u32(flags)));
    // Small accessible mappings are mapped at once: a demand fault costs two traps to the
    // hypervisor on kvm_pvm (the fault and the return), far more than a frame, and an
    // untouched page costs nothing to unmap (no TLB invalidation for a never-accessed entry).
    const bool small = len <= EAGER_MAP_MAX && (prot & 0x7) && !(flags & MAP_NORESERVE);
    if ((flags & MAP_POPULATE) || small) (void)as().populate(start, start + len);
    return start;
}

Result<u64> sys_munmap(SyscallArgs& args) {
    const u64 addr = args.a[0];
    u64 len = args.a[1];
    if (addr & (PAGE_SIZE - 1)) return Errno::EINVAL;
    if (len == 0 || len > JVMOS_USER_TOP) return Errno::EINVAL;
    len = align_up(len, PAGE_SIZE);
    if (addr > JVMOS_USER_TOP - len) return Errno::EINVAL;
    TRY(as().unmap(addr, len));
    return 0;
}

Result<u64> sys_mprotect(SyscallArgs& args) {
    const u64 addr = args.a[0], prot = args.a[2];
    u64 len = args.a[1];
    if (addr & (PAGE_SIZE - 1)) return Errno::EINVAL;
    if (prot & ~PROT_ALL) return Errno::EINVAL;
    if (len == 0) return 0;
    if (len > JVMOS_USER_TOP) return Errno::ENOMEM;
    len = align_up(len, PAGE_SIZE);
    if (addr > JVMOS_USER_TOP - len) return Errno::ENOMEM;
    TRY(as().protect(addr, len, u32(prot & 0x7)));
    return 0;
}

Result<u64> sys_brk(SyscallArgs& args) { return as().brk(args.a[0]); }

Result<u64> sys_madvise(SyscallArgs& args) {
    constexpr u64 MADV_DONTNEED = 4, MADV_FREE = 8, MADV_REMOVE = 9, MADV_HWPOISON = 100;
    const u64 addr = args.a[0], advice = args.a[2];
    u64 len = args.a[1];
    if (addr & (PAGE_SIZE - 1)) return Errno::EINVAL;
    if (len > JVMOS_USER_TOP) return Errno::EINVAL;
    len = align_up(len, PAGE_SIZE);
    if (len == 0) return 0;
    if (addr > JVMOS_USER_TOP - len) return Errno::ENOMEM;
    switch (advice) {
    case MADV_DONTNEED:
    case MADV_FREE: // freeing at once is a valid implementation of "free when convenient"
    case MADV_REMOVE:
        TRY(as().discard(addr, len));
        return 0;
    case MADV_HWPOISON:
        return Errno::EPERM;
    default:
        // Hints (NORMAL, RANDOM, SEQUENTIAL, WILLNEED, HUGEPAGE, DONTDUMP...): accepted.
        return advice <= 25 ? Result<u64>(0) : Result<u64>(Errno::EINVAL);
    }
}

Result<u64> sys_msync(SyscallArgs& args) {
    constexpr u64 MS_ASYNC = 1, MS_INVALIDATE = 2, MS_SYNC = 4;
    const u64 addr = args.a[0], flags = args.a[2];
    if (addr & (PAGE_SIZE - 1)) return Errno::EINVAL;
    if (flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC)) return Errno::EINVAL;
    if ((flags & MS_ASYNC) && (flags & MS_SYNC)) return Errno::EINVAL;
    // Private and anonymous mappings have nothing to write back; writable shared file
    // mappings do not exist yet.
    const u64 end = addr + align_up(args.a[1], PAGE_SIZE);
    for (u64 at = addr; at < end;) {
        const mm::Region* r = as().regions().find(at);
        if (!r) return Errno::ENOMEM;
        at = r->end;
    }
    return 0;
}

Result<u64> sys_mincore(SyscallArgs& args) {
    const u64 addr = args.a[0], len = args.a[1], vec = args.a[2];
    if (addr & (PAGE_SIZE - 1)) return Errno::EINVAL;
    if (len > JVMOS_USER_TOP || addr > JVMOS_USER_TOP - len) return Errno::ENOMEM;
    const u64 pages = align_up(len, PAGE_SIZE) / PAGE_SIZE;
    u8 chunk[512];
    for (u64 done = 0; done < pages;) {
        const u64 n = pages - done < sizeof chunk ? pages - done : sizeof chunk;
        TRY(as().residency(addr + done * PAGE_SIZE, n * PAGE_SIZE, chunk));
        TRY(copy_to_user(vec + done, chunk, n));
        done += n;
    }
    return 0;
}

} // namespace jvmos::shim
