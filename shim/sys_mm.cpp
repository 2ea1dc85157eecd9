// Memory syscalls: mmap, munmap, mremap, mprotect, brk, madvise, msync, mincore (local:
// page-table edits in libjvmos/mm).
#include "jvmos/abi/abi.h"
#include "kernel/files.h"
#include "kernel/memfd.h"
#include "kernel/memory.h"
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
// memory. A shared mapping sees the file as it was when each page was first touched, and the
// pages the program writes go back to the file (shipped pwrites) on msync, munmap and exit.
// A memfd maps its frames instead (kernel/memfd.h): shared mappings alias them.
// TODO(perf): map read-only mounts' pages zero-copy from the host page cache.
Result<u64> map_file(u64 addr, u64 len, u64 prot, u64 flags, i64 fd, u64 offset) {
    kernel::OpenFile* f = TRY(kernel::file_of(fd));
    const bool shared = (flags & MAP_TYPE) != MAP_PRIVATE;
    if (f->memfd) {
        TRY(kernel::memfd_check_map(*f->memfd, shared && (prot & 0x2)));
        return as().map_object(addr, len, u32(prot & 0x7), u32(flags), *f->memfd->object, offset);
    }
    if (f->procfs) return Errno::ENODEV; // /proc and /sys files have no pages to map
    if ((f->mode & kernel::LINUX_S_IFMT) != kernel::LINUX_S_IFREG) return Errno::ENODEV;
    const u32 access = f->open_flags & kernel::LINUX_O_ACCMODE;
    if (access == 1 /* O_WRONLY */) return Errno::EACCES;
    u32 region_flags = u32(flags);
    if (shared && access != 2 /* O_RDWR */) {
        if (prot & 0x2) return Errno::EACCES;
        region_flags |= mm::REGION_NO_WRITE; // mprotect cannot make it writable either
    }
    return as().map_file(addr, len, u32(prot & 0x7), region_flags, reinterpret_cast<u64>(f),
                         offset);
}

// MAP_SHARED|MAP_ANONYMOUS: a memory object of its own (as Linux backs it with shmem), so that
// mremap can duplicate it and its pages stay when MADV_DONTNEED drops the page-table entries.
Result<u64> map_shared_anonymous(u64 addr, u64 len, u64 prot, u64 flags) {
    mm::MemoryObject* object = TRY(mm::MemoryObject::create(kernel::frames(), kernel::heap()));
    object->set_size(len);
    Result<u64> start = as().map_object(addr, len, u32(prot & 0x7), u32(flags), *object, 0);
    object->release(); // the mapping's page references keep it
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
    if (type != MAP_PRIVATE) return map_shared_anonymous(addr, len, prot, flags);
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
    case MADV_REMOVE: // TODO: on shared memory, free the object's pages too (punch a hole)
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
    const u64 len = align_up(args.a[1], PAGE_SIZE);
    if (addr + len < addr) return Errno::ENOMEM;
    if (len == 0) return 0;
    // Shared file mappings' dirty pages go to the file whatever the flags: on Linux read()
    // sees them at once through the page cache, here only once they are written back.
    TRY(as().sync(addr, len));
    return 0;
}

Result<u64> sys_mremap(SyscallArgs& args) {
    constexpr u64 MREMAP_MAYMOVE = 1, MREMAP_FIXED = 2, MREMAP_DONTUNMAP = 4;
    const u64 addr = args.a[0], flags = args.a[3], new_addr = args.a[4];
    u64 old_len = args.a[1], new_len = args.a[2];
    // Linux's checks, in its order.
    if (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP)) return Errno::EINVAL;
    if ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE)) return Errno::EINVAL;
    if ((flags & MREMAP_DONTUNMAP) && (!(flags & MREMAP_MAYMOVE) || old_len != new_len))
        return Errno::EINVAL;
    if (addr & (PAGE_SIZE - 1)) return Errno::EINVAL;
    // PAGE_ALIGN as Linux computes it: a length within a page of 2^64 wraps to 0.
    constexpr u64 WRAPS = ~u64(0) - (PAGE_SIZE - 1);
    old_len = old_len > WRAPS ? 0 : align_up(old_len, PAGE_SIZE);
    new_len = new_len > WRAPS ? 0 : align_up(new_len, PAGE_SIZE);
    if (new_len == 0) return Errno::EINVAL;
    if (flags & (MREMAP_FIXED | MREMAP_DONTUNMAP)) {
        if (new_addr & (PAGE_SIZE - 1)) return Errno::EINVAL;
        if (new_len > JVMOS_USER_TOP || new_addr > JVMOS_USER_TOP - new_len) return Errno::EINVAL;
        if ((flags & MREMAP_FIXED) && new_addr < mm::MMAP_MIN_ADDR) return Errno::EPERM;
    }
    // Lengths beyond the address space: no mapping holds that much, none can grow that far.
    if (old_len > JVMOS_USER_TOP) return Errno::EFAULT;
    if (new_len > JVMOS_USER_TOP) return Errno::ENOMEM;
    return as().remap(addr, old_len, new_len, u32(flags), new_addr);
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

// Guest memory is never swapped out, so locking it changes nothing; the range must be mapped,
// as Linux requires (ENOMEM otherwise).
static Result<u64> check_mapped(u64 addr, u64 len) {
    const u64 start = align_down(addr, PAGE_SIZE);
    if (len > JVMOS_USER_TOP || addr > JVMOS_USER_TOP - len) return Errno::ENOMEM;
    const u64 end = align_up(addr + len, PAGE_SIZE);
    for (u64 at = start; at < end;) {
        const mm::Region* r = as().regions().find(at);
        if (!r) return Errno::ENOMEM;
        at = r->end;
    }
    return 0;
}

Result<u64> sys_mlock(SyscallArgs& args) { return check_mapped(args.a[0], args.a[1]); }
Result<u64> sys_munlock(SyscallArgs& args) { return check_mapped(args.a[0], args.a[1]); }
Result<u64> sys_mlockall(SyscallArgs& args) {
    constexpr u64 MCL_CURRENT = 1, MCL_FUTURE = 2, MCL_ONFAULT = 4;
    const u64 flags = args.a[0];
    if (!flags || (flags & ~(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)) || flags == MCL_ONFAULT)
        return Errno::EINVAL;
    return 0;
}
Result<u64> sys_munlockall(SyscallArgs&) { return 0; }

} // namespace jvmos::shim
