// memfd_create, fallocate, and the fd calls on a memfd: all local (kernel/memfd.h), never
// shipped. A memfd's bytes are guest frames that its MAP_SHARED mappings alias.
#include "base/string.h"
#include "jvmos/abi/abi.h"
#include "kernel/files.h"
#include "kernel/memfd.h"
#include "kernel/process.h"
#include "shim/memfd_calls.h"
#include "shim/record_locks.h"
#include "shim/syscall.h"
#include "shim/user_ptr.h"

namespace jvmos::shim {

using kernel::OpenFile;

namespace {

constexpr u32 LINUX_O_RDWR = 02;
constexpr u32 LINUX_O_LARGEFILE = 0100000;
// F_SETFL's settable flags: O_APPEND, O_NONBLOCK, O_ASYNC, O_DIRECT, O_NOATIME.
constexpr u32 SETFL_MASK = 02000 | 04000 | 020000 | 040000 | 01000000;
// memfd_create's name: at most NAME_MAX minus "memfd:".
constexpr usize MFD_NAME_MAX = 249;
constexpr u64 IOV_MAX = 1024;

struct Iovec {
    u64 base;
    u64 len;
};

// struct statfs on x86-64.
struct LinuxStatfs {
    i64 f_type;
    i64 f_bsize;
    u64 f_blocks;
    u64 f_bfree;
    u64 f_bavail;
    u64 f_files;
    u64 f_ffree;
    i32 f_fsid[2];
    i64 f_namelen;
    i64 f_frsize;
    i64 f_flags;
    i64 f_spare[4];
};
static_assert(sizeof(LinuxStatfs) == 120);

} // namespace

Result<u64> sys_memfd_create(SyscallArgs& a) {
    char name[MFD_NAME_MAX + 2];
    Result<usize> n = kernel::current_address_space().copy_string_from_user(name, a.a[0],
                                                                            sizeof name);
    if (n.is_error()) return n.error() == Errno::ENAMETOOLONG ? Errno::EINVAL : n.error();
    if (n.value() > MFD_NAME_MAX) return Errno::EINVAL;
    const u32 flags = u32(a.a[1]);
    if (a.a[1] != flags) return Errno::EINVAL;
    OpenFile* f = TRY(kernel::memfd_create(name, flags));
    Result<int> fd = kernel::install_fd(f, flags & kernel::LINUX_MFD_CLOEXEC);
    if (fd.is_error()) {
        kernel::retain(f);
        kernel::put(f);
        return fd.error();
    }
    return u64(fd.value());
}

Result<u64> sys_fallocate(SyscallArgs& a) {
    OpenFile* f = TRY(kernel::file_of(i64(a.a[0])));
    if (!f->memfd) {
        // Shipped files: no preallocation on the proxy yet. EOPNOTSUPP is what a file system
        // without fallocate answers; glibc's posix_fallocate and the JDK then fall back to
        // writing or ftruncate.
        if (i64(a.a[2]) < 0 || i64(a.a[3]) <= 0) return Errno::EINVAL;
        return Errno::EOPNOTSUPP;
    }
    TRY(kernel::memfd_allocate(*f->memfd, u32(a.a[1]), a.a[2], a.a[3]));
    return 0;
}

Result<u64> memfd_read_user(OpenFile* f, u64 buf, u64 count, i64 offset) {
    return kernel::memfd_read(*f->memfd, buf, count, offset);
}

Result<u64> memfd_write_user(OpenFile* f, u64 buf, u64 count, i64 offset) {
    return kernel::memfd_write(*f->memfd, buf, count, offset);
}

Result<u64> memfd_vector_io(OpenFile* f, u64 user_iov, u64 iovcnt, bool write) {
    if (iovcnt > IOV_MAX) return Errno::EINVAL;
    Iovec vecs[IOV_MAX];
    TRY(copy_from_user(vecs, user_iov, iovcnt * sizeof(Iovec)));
    u64 total = 0;
    for (u64 i = 0; i < iovcnt; i++) {
        if (vecs[i].len > u64(INT64_MAX) - total) return Errno::EINVAL;
        total += vecs[i].len;
    }
    u64 done = 0;
    for (u64 i = 0; i < iovcnt; i++) {
        if (vecs[i].len == 0) continue;
        Result<u64> r = write ? kernel::memfd_write(*f->memfd, vecs[i].base, vecs[i].len, -1)
                              : kernel::memfd_read(*f->memfd, vecs[i].base, vecs[i].len, -1);
        if (r.is_error()) return done ? Result<u64>(done) : r;
        done += r.value();
        if (r.value() < vecs[i].len) break;
    }
    return done;
}

Result<u64> memfd_lseek(OpenFile* f, i64 offset, u64 whence) {
    if (whence > 4) return Errno::EINVAL;
    return kernel::memfd_seek(*f->memfd, offset, u32(whence));
}

void memfd_stat(OpenFile* f, LinuxStat& st) {
    const kernel::MemFd& m = *f->memfd;
    memset(&st, 0, sizeof st);
    st.st_dev = 1; // tmpfs's internal mount, as Linux shows it (0:1)
    st.st_ino = m.inode;
    st.st_nlink = 0; // an unlinked file
    st.st_mode = kernel::LINUX_S_IFREG | 0777;
    st.st_uid = u32(kernel::current_process().uid);
    st.st_gid = u32(kernel::current_process().gid);
    st.st_size = i64(m.object->size());
    st.st_blksize = i64(PAGE_SIZE);
    st.st_blocks = i64(m.object->resident_pages() * (PAGE_SIZE / 512));
}

Result<u64> memfd_fstatfs(OpenFile*, u64 user_buf) {
    LinuxStatfs s{};
    s.f_type = i64(kernel::LINUX_TMPFS_MAGIC);
    s.f_bsize = i64(PAGE_SIZE);
    s.f_namelen = 255;
    s.f_frsize = i64(PAGE_SIZE);
    s.f_flags = 0x20; // ST_VALID
    // f_blocks/f_bfree/f_bavail 0: the internal tmpfs has no size limit (ZGC then skips its
    // free-space check, as on Linux).
    TRY(copy_to_user(user_buf, &s, sizeof s));
    return 0;
}

Result<u64> memfd_simple_call(OpenFile* f, u32 op, u64 arg) {
    switch (op) {
    case JVMOS_SHIP_TRUNCATE:
        TRY(kernel::memfd_truncate(*f->memfd, arg));
        return 0;
    case JVMOS_SHIP_SYNC: return 0;  // nothing to write anywhere
    case JVMOS_SHIP_FLOCK: return 0; // one process: its own locks never conflict
    case JVMOS_SHIP_CHMOD: return 0; // TODO: the mode is not kept (0777 always)
    case JVMOS_SHIP_GETFL: return LINUX_O_RDWR | LINUX_O_LARGEFILE | f->memfd->status_flags;
    case JVMOS_SHIP_SETFL:
        f->memfd->status_flags = u32(arg) & SETFL_MASK;
        return 0;
    default: return Errno::EINVAL;
    }
}

Result<u64> memfd_fcntl(OpenFile* f, u64 cmd, u64 arg) {
    constexpr u64 F_GETFL = 3, F_SETFL = 4;
    constexpr u64 F_ADD_SEALS = 1033, F_GET_SEALS = 1034;
    // No other process can hold a lock on a memfd: nothing conflicts.
    if (is_record_lock_command(cmd)) return local_record_lock(cmd, arg);
    switch (cmd) {
    case F_GETFL: return memfd_simple_call(f, JVMOS_SHIP_GETFL, 0);
    case F_SETFL: return memfd_simple_call(f, JVMOS_SHIP_SETFL, arg);
    case F_ADD_SEALS:
        TRY(kernel::memfd_add_seals(*f->memfd, u32(arg)));
        return 0;
    case F_GET_SEALS: return f->memfd->seals;
    default: return Errno::EINVAL;
    }
}

Result<u64> memfd_ioctl(OpenFile* f, u64 request, u64 arg) {
    constexpr u64 FIONREAD = 0x541b;
    if (request != FIONREAD) return Errno::ENOTTY;
    const u64 size = f->memfd->object->size(), pos = f->memfd->position;
    const i32 n = pos < size ? i32(size - pos > 0x7fffffff ? 0x7fffffff : size - pos) : 0;
    TRY(UserPtr<i32>(arg).write(n));
    return 0;
}

} // namespace jvmos::shim
