// Path syscalls, shipped to linux-proxy: open*, stat family, readlink, access, mkdir, unlink,
// rmdir, rename, chmod, chdir/fchdir/getcwd.
#include "base/path.h"
#include "base/string.h"
#include "kernel/files.h"
#include "kernel/process.h"
#include "shim/ship_util.h"
#include "shim/syscall.h"
#include "shim/user_ptr.h"

namespace jvmos::shim {

using kernel::OpenFile;

Result<void> copy_path(u64 user_addr, UserPath& out, bool allow_empty) {
    if (user_addr == 0 && allow_empty) {
        out.text[0] = 0;
        out.len = 0;
        return {};
    }
    out.len = TRY(kernel::current_address_space().copy_string_from_user(out.text, user_addr,
                                                                        sizeof out.text));
    if (out.len == 0 && !allow_empty) return Errno::ENOENT;
    return {};
}

Result<u32> dir_handle(i64 dirfd) {
    if (i32(dirfd) == AT_FDCWD) return kernel::cwd()->handle;
    OpenFile* f = TRY(kernel::file_of(i32(dirfd)));
    return f->handle;
}

const char* dir_path(i64 dirfd) {
    if (i32(dirfd) == AT_FDCWD) return kernel::cwd()->path;
    Result<OpenFile*> f = kernel::file_of(i32(dirfd));
    return f.is_ok() ? f.value()->path : nullptr;
}

Result<shipper::Call> begin_path_call(u32 op, i64 dirfd, const UserPath& path) {
    const u32 handle = TRY(dir_handle(dirfd));
    shipper::Call c = shipper::begin(op, handle);
    c.slot().in_len = TRY(c.put_path(path.text, path.len));
    return c;
}

namespace {

// The guest path of what `path` (relative to dirfd) names, for directories we open.
void resolved_path(i64 dirfd, const UserPath& path, char* out, usize cap) {
    const char* base = dir_path(dirfd);
    if (normalize_path(base ? base : "/", path.text, out, cap).is_error()) out[0] = 0;
}

Result<u64> do_openat(i64 dirfd, u64 user_path, u64 flags, u64 mode) {
    UserPath path;
    TRY(copy_path(user_path, path));
    shipper::Call c = TRY(begin_path_call(JVMOS_SHIP_OPENAT, dirfd, path));
    c.slot().args[0] = flags & ~u64(LINUX_O_CLOEXEC);
    c.slot().args[1] = mode & 07777;
    TRY(shipper::call(c));
    const u32 handle = c.slot().new_handle;
    LinuxStat st{};
    if (c.slot().out_len >= sizeof st) memcpy(&st, c.data(), sizeof st);
    char guest_path[LINUX_PATH_MAX];
    resolved_path(dirfd, path, guest_path, sizeof guest_path);
    Result<OpenFile*> f = kernel::make_open_file(handle, st.st_mode, u32(flags), guest_path);
    if (f.is_error()) {
        shipper::release(handle);
        return f.error();
    }
    if (c.slot().out_len >= sizeof st) {
        memcpy(f.value()->open_stat, &st, sizeof st);
        f.value()->open_stat_seq = shipper::calls_issued();
    }
    Result<int> fd = kernel::install_fd(f.value(), flags & LINUX_O_CLOEXEC);
    if (fd.is_error()) {
        kernel::retain(f.value());
        kernel::put(f.value()); // releases the handle
        return fd.error();
    }
    return u64(fd.value());
}

// A stat of `path` relative to dirfd (or of dirfd itself with AT_EMPTY_PATH and ""), into
// `st`.
Result<void> do_stat(i64 dirfd, u64 user_path, u32 flags, LinuxStat& st) {
    UserPath path;
    TRY(copy_path(user_path, path, flags & AT_EMPTY_PATH));
    shipper::Call c;
    if (path.len == 0 && i32(dirfd) != AT_FDCWD) {
        OpenFile* f = TRY(kernel::file_of(i32(dirfd)));
        if (kernel::take_open_stat(f, &st)) return {};
    }
    if (path.len == 0) {
        c = shipper::begin(JVMOS_SHIP_STAT, TRY(dir_handle(dirfd)));
    } else {
        c = TRY(begin_path_call(JVMOS_SHIP_STATAT, dirfd, path));
        c.slot().args[0] = flags & AT_SYMLINK_NOFOLLOW;
    }
    TRY(shipper::call(c));
    if (c.slot().out_len < sizeof st) return Errno::EIO;
    memcpy(&st, c.data(), sizeof st);
    return {};
}

Result<u64> stat_to_user(i64 dirfd, u64 user_path, u32 flags, u64 user_buf) {
    if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT)) return Errno::EINVAL;
    LinuxStat st;
    TRY(do_stat(dirfd, user_path, flags, st));
    TRY(UserPtr<LinuxStat>(user_buf).write(st));
    return 0;
}

// struct statx (256 bytes).
struct StatxTimestamp {
    i64 tv_sec;
    u32 tv_nsec;
    i32 reserved;
};
struct LinuxStatx {
    u32 stx_mask;
    u32 stx_blksize;
    u64 stx_attributes;
    u32 stx_nlink;
    u32 stx_uid;
    u32 stx_gid;
    u16 stx_mode;
    u16 pad0;
    u64 stx_ino;
    u64 stx_size;
    u64 stx_blocks;
    u64 stx_attributes_mask;
    StatxTimestamp stx_atime, stx_btime, stx_ctime, stx_mtime;
    u32 stx_rdev_major, stx_rdev_minor;
    u32 stx_dev_major, stx_dev_minor;
    u64 spare[14];
};
static_assert(sizeof(LinuxStatx) == 256);

u32 dev_major(u64 dev) { return u32(((dev >> 8) & 0xfff) | ((dev >> 32) & ~0xfffull)); }
u32 dev_minor(u64 dev) { return u32((dev & 0xff) | ((dev >> 12) & ~0xffull)); }

Result<u64> do_unlinkat(i64 dirfd, u64 user_path, u64 flags) {
    if (flags & ~u64(AT_REMOVEDIR)) return Errno::EINVAL;
    UserPath path;
    TRY(copy_path(user_path, path));
    shipper::Call c = TRY(begin_path_call(JVMOS_SHIP_UNLINKAT, dirfd, path));
    c.slot().args[0] = flags;
    TRY(shipper::call(c));
    return 0;
}

Result<u64> do_renameat(i64 olddirfd, u64 oldpath, i64 newdirfd, u64 newpath, u64 flags) {
    UserPath from, to;
    TRY(copy_path(oldpath, from));
    TRY(copy_path(newpath, to));
    const u32 new_dir = TRY(dir_handle(newdirfd));
    shipper::Call c = TRY(begin_path_call(JVMOS_SHIP_RENAMEAT, olddirfd, from));
    c.slot().path2_off = c.slot().in_len;
    c.slot().in_len = TRY(c.put_path(to.text, to.len, c.slot().in_len));
    c.slot().handle2 = new_dir;
    c.slot().args[0] = flags;
    TRY(shipper::call(c));
    return 0;
}

Result<u64> do_mkdirat(i64 dirfd, u64 user_path, u64 mode) {
    UserPath path;
    TRY(copy_path(user_path, path));
    shipper::Call c = TRY(begin_path_call(JVMOS_SHIP_MKDIRAT, dirfd, path));
    c.slot().args[0] = mode & 07777;
    TRY(shipper::call(c));
    return 0;
}

Result<u64> do_accessat(i64 dirfd, u64 user_path, u64 mode, u64 flags) {
    if (mode & ~u64(7)) return Errno::EINVAL;
    if (flags & ~u64(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) return Errno::EINVAL;
    UserPath path;
    TRY(copy_path(user_path, path, flags & AT_EMPTY_PATH));
    shipper::Call c = TRY(begin_path_call(JVMOS_SHIP_ACCESSAT, dirfd, path));
    c.slot().args[0] = mode;
    c.slot().args[1] = flags;
    TRY(shipper::call(c));
    return 0;
}

Result<u64> do_readlinkat(i64 dirfd, u64 user_path, u64 buf, i64 size) {
    if (size <= 0) return Errno::EINVAL;
    UserPath path;
    TRY(copy_path(user_path, path));
    // /proc/self/exe is the program, not the proxy (on the proxy "self" is the proxy).
    // TODO: the synthesised /proc of the Linux-ABI work replaces this special case.
    char abs[LINUX_PATH_MAX];
    const char* base = dir_path(dirfd);
    if (normalize_path(base ? base : "/", path.text, abs, sizeof abs).is_ok() &&
        (strcmp(abs, "/proc/self/exe") == 0 || strcmp(abs, "/proc/thread-self/exe") == 0)) {
        const char* exe = kernel::current_process().exe_path;
        usize n = strlen(exe);
        if (n > u64(size)) n = usize(size);
        TRY(copy_to_user(buf, exe, n));
        return n;
    }
    shipper::Call c = TRY(begin_path_call(JVMOS_SHIP_READLINKAT, dirfd, path));
    const u64 max = u64(size) < shipper::Call::DATA_CAPACITY ? u64(size) : shipper::Call::DATA_CAPACITY;
    c.slot().args[0] = max;
    TRY(shipper::call(c));
    const usize n = c.slot().out_len < max ? c.slot().out_len : usize(max);
    TRY(copy_to_user(buf, c.data(), n));
    return n;
}

Result<u64> do_chmodat(i64 dirfd, u64 user_path, u64 mode, u64 flags) {
    UserPath path;
    TRY(copy_path(user_path, path));
    shipper::Call c = TRY(begin_path_call(JVMOS_SHIP_CHMODAT, dirfd, path));
    c.slot().args[0] = mode & 07777;
    c.slot().args[1] = flags;
    TRY(shipper::call(c));
    return 0;
}

} // namespace

Result<u64> sys_open(SyscallArgs& a) { return do_openat(AT_FDCWD, a.a[0], a.a[1], a.a[2]); }
Result<u64> sys_openat(SyscallArgs& a) { return do_openat(i64(a.a[0]), a.a[1], a.a[2], a.a[3]); }
Result<u64> sys_creat(SyscallArgs& a) {
    return do_openat(AT_FDCWD, a.a[0], 01 | 0100 | 01000 /* WRONLY|CREAT|TRUNC */, a.a[1]);
}

Result<u64> sys_stat(SyscallArgs& a) { return stat_to_user(AT_FDCWD, a.a[0], 0, a.a[1]); }
Result<u64> sys_lstat(SyscallArgs& a) {
    return stat_to_user(AT_FDCWD, a.a[0], AT_SYMLINK_NOFOLLOW, a.a[1]);
}
Result<u64> sys_newfstatat(SyscallArgs& a) {
    return stat_to_user(i64(a.a[0]), a.a[1], u32(a.a[3]), a.a[2]);
}

Result<u64> sys_statx(SyscallArgs& a) {
    const i64 dirfd = i64(a.a[0]);
    const u32 flags = u32(a.a[2]);
    if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT | AT_STATX_SYNC_TYPE))
        return Errno::EINVAL;
    if ((flags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE) return Errno::EINVAL;
    LinuxStat st;
    TRY(do_stat(dirfd, a.a[1], flags & (AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH), st));
    LinuxStatx x{};
    x.stx_mask = 0x7ff; // STATX_BASIC_STATS
    x.stx_blksize = u32(st.st_blksize);
    x.stx_nlink = u32(st.st_nlink);
    x.stx_uid = st.st_uid;
    x.stx_gid = st.st_gid;
    x.stx_mode = u16(st.st_mode);
    x.stx_ino = st.st_ino;
    x.stx_size = u64(st.st_size);
    x.stx_blocks = u64(st.st_blocks);
    x.stx_atime = {st.st_atime_sec, u32(st.st_atime_nsec), 0};
    x.stx_mtime = {st.st_mtime_sec, u32(st.st_mtime_nsec), 0};
    x.stx_ctime = {st.st_ctime_sec, u32(st.st_ctime_nsec), 0};
    x.stx_rdev_major = dev_major(st.st_rdev);
    x.stx_rdev_minor = dev_minor(st.st_rdev);
    x.stx_dev_major = dev_major(st.st_dev);
    x.stx_dev_minor = dev_minor(st.st_dev);
    TRY(UserPtr<LinuxStatx>(a.a[4]).write(x));
    return 0;
}

Result<u64> sys_readlink(SyscallArgs& a) {
    return do_readlinkat(AT_FDCWD, a.a[0], a.a[1], i64(a.a[2]));
}
Result<u64> sys_readlinkat(SyscallArgs& a) {
    return do_readlinkat(i64(a.a[0]), a.a[1], a.a[2], i64(a.a[3]));
}

Result<u64> sys_access(SyscallArgs& a) { return do_accessat(AT_FDCWD, a.a[0], a.a[1], 0); }
Result<u64> sys_faccessat(SyscallArgs& a) { return do_accessat(i64(a.a[0]), a.a[1], a.a[2], 0); }
Result<u64> sys_faccessat2(SyscallArgs& a) {
    return do_accessat(i64(a.a[0]), a.a[1], a.a[2], a.a[3]);
}

Result<u64> sys_mkdir(SyscallArgs& a) { return do_mkdirat(AT_FDCWD, a.a[0], a.a[1]); }
Result<u64> sys_mkdirat(SyscallArgs& a) { return do_mkdirat(i64(a.a[0]), a.a[1], a.a[2]); }
Result<u64> sys_unlink(SyscallArgs& a) { return do_unlinkat(AT_FDCWD, a.a[0], 0); }
Result<u64> sys_unlinkat(SyscallArgs& a) { return do_unlinkat(i64(a.a[0]), a.a[1], a.a[2]); }
Result<u64> sys_rmdir(SyscallArgs& a) { return do_unlinkat(AT_FDCWD, a.a[0], AT_REMOVEDIR); }
Result<u64> sys_rename(SyscallArgs& a) {
    return do_renameat(AT_FDCWD, a.a[0], AT_FDCWD, a.a[1], 0);
}
Result<u64> sys_renameat(SyscallArgs& a) {
    return do_renameat(i64(a.a[0]), a.a[1], i64(a.a[2]), a.a[3], 0);
}
Result<u64> sys_renameat2(SyscallArgs& a) {
    return do_renameat(i64(a.a[0]), a.a[1], i64(a.a[2]), a.a[3], a.a[4]);
}
Result<u64> sys_chmod(SyscallArgs& a) { return do_chmodat(AT_FDCWD, a.a[0], a.a[1], 0); }
Result<u64> sys_fchmodat(SyscallArgs& a) {
    return do_chmodat(i64(a.a[0]), a.a[1], a.a[2], 0);
}

Result<u64> sys_statfs(SyscallArgs& a) {
    // statfs(path) = open the path (O_PATH) + fstatfs + close, in two shipped calls.
    UserPath path;
    TRY(copy_path(a.a[0], path));
    shipper::Call c = TRY(begin_path_call(JVMOS_SHIP_OPENAT, AT_FDCWD, path));
    c.slot().args[0] = LINUX_O_PATH;
    TRY(shipper::call(c));
    const u32 handle = c.slot().new_handle;
    constexpr usize STATFS_SIZE = 120;
    u8 buf[STATFS_SIZE];
    shipper::Call s = shipper::begin(JVMOS_SHIP_STATFS, handle);
    Result<i64> r = shipper::call(s);
    const bool ok = r.is_ok() && s.slot().out_len >= STATFS_SIZE;
    if (ok) memcpy(buf, s.data(), STATFS_SIZE);
    shipper::release(handle);
    if (r.is_error()) return r.error();
    if (!ok) return Errno::EIO;
    TRY(copy_to_user(a.a[1], buf, STATFS_SIZE));
    return 0;
}

Result<u64> sys_getcwd(SyscallArgs& a) {
    const char* path = kernel::cwd()->path;
    const usize n = strlen(path) + 1;
    if (a.a[1] < n) return Errno::ERANGE;
    TRY(copy_to_user(a.a[0], path, n));
    return n;
}

Result<u64> sys_chdir(SyscallArgs& a) {
    UserPath path;
    TRY(copy_path(a.a[0], path));
    shipper::Call c = TRY(begin_path_call(JVMOS_SHIP_OPENAT, AT_FDCWD, path));
    c.slot().args[0] = LINUX_O_PATH | LINUX_O_DIRECTORY;
    TRY(shipper::call(c));
    const u32 handle = c.slot().new_handle;
    char guest_path[LINUX_PATH_MAX];
    resolved_path(AT_FDCWD, path, guest_path, sizeof guest_path);
    Result<OpenFile*> dir = kernel::make_open_file(handle, kernel::LINUX_S_IFDIR,
                                                   LINUX_O_PATH | LINUX_O_DIRECTORY, guest_path);
    if (dir.is_error()) {
        shipper::release(handle);
        return dir.error();
    }
    kernel::set_cwd(dir.value());
    return 0;
}

Result<u64> sys_fchdir(SyscallArgs& a) {
    OpenFile* f = TRY(kernel::file_of(i64(a.a[0])));
    if ((f->mode & kernel::LINUX_S_IFMT) != kernel::LINUX_S_IFDIR || !f->path)
        return Errno::ENOTDIR;
    kernel::set_cwd(f);
    return 0;
}

} // namespace jvmos::shim
