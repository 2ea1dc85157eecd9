// Path syscalls, shipped to linux-proxy: open*, stat family, readlink, access, mkdir, unlink,
// rmdir, rename, chmod, chdir/fchdir/getcwd, symlink/link, chown family, utimensat family.
// Paths in /proc and /sys never leave the guest: route_path() hands them to kernel/procfs.
#include "base/path.h"
#include "base/string.h"
#include "kernel/files.h"
#include "kernel/process.h"
#include "shim/memfd_calls.h"
#include "shim/procfs_calls.h"
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
    if (i32(dirfd) == AT_FDCWD)
        return kernel::cwd()->procfs ? kernel::root_handle() : kernel::cwd()->handle;
    OpenFile* f = TRY(kernel::file_of(i32(dirfd)));
    if (f->memfd) return Errno::ENOTDIR; // a local file has no Handle to resolve paths on
    // A /proc or /sys directory has no Handle either; the paths shipped relative to it are
    // absolute by now (route_path(), begin_path_call()), and those ignore the directory.
    if (f->procfs) return kernel::root_handle();
    return f->handle;
}

const char* dir_path(i64 dirfd) {
    if (i32(dirfd) == AT_FDCWD) return kernel::cwd()->path;
    Result<OpenFile*> f = kernel::file_of(i32(dirfd));
    if (f.is_error() || (f.value()->mode & kernel::LINUX_S_IFMT) != kernel::LINUX_S_IFDIR)
        return nullptr;
    return f.value()->path;
}

Result<shipper::Call> begin_path_call(u32 op, i64 dirfd, const UserPath& path) {
    // Nothing in /proc or /sys can be created, removed or changed through a path.
    if (path.text[0] != '/' && is_procfs_base(dirfd)) return Errno::EACCES;
    const u32 handle = TRY(dir_handle(dirfd));
    shipper::Call c = shipper::begin(op, handle);
    c.slot().in_len = TRY(c.put_path(path.text, path.len));
    return c;
}

namespace {

constexpr u64 LINUX_O_NOFOLLOW = 0400000;

// An OpenFile made here (refs 0) installed as a new fd; on failure it is freed.
Result<u64> install_new(OpenFile* f, u64 flags) {
    Result<int> fd = kernel::install_fd(f, flags & LINUX_O_CLOEXEC);
    if (fd.is_error()) {
        kernel::retain(f);
        kernel::put(f);
        return fd.error();
    }
    return u64(fd.value());
}

Result<u64> do_openat(i64 dirfd, u64 user_path, u64 flags, u64 mode) {
    UserPath path;
    TRY(copy_path(user_path, path));
    char guest_path[LINUX_PATH_MAX];
    const procfs::Follow follow =
        flags & LINUX_O_NOFOLLOW ? procfs::Follow::no : procfs::Follow::yes;
    const PathRoute route = TRY(route_path(dirfd, path, follow, guest_path));
    if (route.where == PathRoute::Where::procfs)
        return install_new(TRY(procfs::open(route.node, u32(flags), path.text)), flags);
    if (route.where == PathRoute::Where::open_file) {
        // /proc/self/fd/N of a pipe, socket or memfd: Linux opens the same object anew; here
        // the new fd shares the open file description (its offset and status flags).
        OpenFile* same = TRY(kernel::file_of(route.node.index));
        return u64(TRY(kernel::install_fd(same, flags & LINUX_O_CLOEXEC)));
    }
    shipper::Call c = shipper::begin(JVMOS_SHIP_OPENAT, TRY(route_handle(dirfd, route)));
    c.slot().in_len = TRY(c.put_path(path.text, path.len));
    c.slot().args[0] = flags & ~u64(LINUX_O_CLOEXEC);
    c.slot().args[1] = mode & 07777;
    TRY(shipper::call(c));
    const u32 handle = c.slot().new_handle;
    LinuxStat st{};
    if (c.slot().out_len >= sizeof st) memcpy(&st, c.data(), sizeof st);
    Result<OpenFile*> f = kernel::make_open_file(handle, st.st_mode, u32(flags), guest_path);
    if (f.is_error()) {
        shipper::release(handle);
        return f.error();
    }
    f.value()->dev = st.st_dev;
    f.value()->ino = st.st_ino;
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
    PathRoute route{PathRoute::Where::shipped, {}};
    if (path.len != 0) {
        char scratch[LINUX_PATH_MAX];
        const procfs::Follow follow =
            flags & AT_SYMLINK_NOFOLLOW ? procfs::Follow::no : procfs::Follow::yes;
        route = TRY(route_path(dirfd, path, follow, scratch));
        if (route.where == PathRoute::Where::procfs) {
            procfs_stat(procfs::attributes(route.node), st);
            return {};
        }
        if (route.where == PathRoute::Where::open_file) {
            // stat follows /proc/self/fd/N to the file itself: fstat(N).
            dirfd = route.node.index;
            path.len = 0;
        }
    }
    if (path.len == 0) {
        OpenFile* f = i32(dirfd) == AT_FDCWD ? kernel::cwd() : TRY(kernel::file_of(i32(dirfd)));
        if (f->memfd) {
            memfd_stat(f, st);
            return {};
        }
        if (f->procfs) {
            procfs_stat(procfs::attributes(*f->procfs), st);
            return {};
        }
        if (kernel::take_open_stat(f, &st)) return {};
    }
    if (path.len == 0) {
        c = shipper::begin(JVMOS_SHIP_STAT, TRY(dir_handle(dirfd)));
    } else {
        c = shipper::begin(JVMOS_SHIP_STATAT, TRY(route_handle(dirfd, route)));
        c.slot().in_len = TRY(c.put_path(path.text, path.len));
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

// A shipped call on two paths, each relative to its own directory (renameat, linkat): `from`
// goes as the call's path, `to` as its second path under the second handle.
Result<u64> two_path_call(u32 op, i64 olddirfd, const UserPath& from, i64 newdirfd,
                          const UserPath& to, u64 flags) {
    if (to.text[0] != '/' && is_procfs_base(newdirfd)) return Errno::EACCES;
    const u32 new_dir = TRY(dir_handle(newdirfd));
    shipper::Call c = TRY(begin_path_call(op, olddirfd, from));
    c.slot().path2_off = c.slot().in_len;
    c.slot().in_len = TRY(c.put_path(to.text, to.len, c.slot().in_len));
    c.slot().handle2 = new_dir;
    c.slot().args[0] = flags;
    TRY(shipper::call(c));
    return 0;
}

Result<u64> do_renameat(i64 olddirfd, u64 oldpath, i64 newdirfd, u64 newpath, u64 flags) {
    UserPath from, to;
    TRY(copy_path(oldpath, from));
    TRY(copy_path(newpath, to));
    return two_path_call(JVMOS_SHIP_RENAMEAT, olddirfd, from, newdirfd, to, flags);
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
    char scratch[LINUX_PATH_MAX];
    const procfs::Follow follow =
        flags & AT_SYMLINK_NOFOLLOW ? procfs::Follow::no : procfs::Follow::yes;
    const PathRoute route = path.len ? TRY(route_path(dirfd, path, follow, scratch))
                                     : PathRoute{PathRoute::Where::shipped, {}};
    if (route.where == PathRoute::Where::procfs) {
        TRY(procfs::check_access(route.node, u32(mode)));
        return 0;
    }
    if (route.where == PathRoute::Where::open_file) return 0; // an open pipe or socket
    if (path.len == 0) { // AT_EMPTY_PATH: the fd itself
        OpenFile* f = i32(dirfd) == AT_FDCWD ? kernel::cwd() : TRY(kernel::file_of(i32(dirfd)));
        if (f->procfs) {
            TRY(procfs::check_access(procfs::node_of(*f->procfs), u32(mode)));
            return 0;
        }
    }
    shipper::Call c = shipper::begin(JVMOS_SHIP_ACCESSAT, TRY(route_handle(dirfd, route)));
    c.slot().in_len = TRY(c.put_path(path.text, path.len));
    c.slot().args[0] = mode;
    c.slot().args[1] = flags;
    TRY(shipper::call(c));
    return 0;
}

Result<u64> do_readlinkat(i64 dirfd, u64 user_path, u64 buf, i64 size) {
    if (size <= 0) return Errno::EINVAL;
    UserPath path;
    TRY(copy_path(user_path, path));
    // /proc/self/exe is the program, not the proxy: the link is answered by procfs.
    char scratch[LINUX_PATH_MAX];
    const PathRoute route = TRY(route_path(dirfd, path, procfs::Follow::no, scratch));
    if (route.where == PathRoute::Where::procfs) {
        const usize n = TRY(procfs::read_link(route.node, scratch, sizeof scratch));
        const usize copied = n < u64(size) ? n : usize(size);
        TRY(copy_to_user(buf, scratch, copied));
        return copied;
    }
    shipper::Call c = shipper::begin(JVMOS_SHIP_READLINKAT, TRY(route_handle(dirfd, route)));
    c.slot().in_len = TRY(c.put_path(path.text, path.len));
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

// utimensat(2)'s timestamps, and the special nanosecond values.
struct LinuxTimespec {
    i64 sec;
    i64 nsec;
};
constexpr i64 UTIME_NOW = (1l << 30) - 1;
constexpr i64 UTIME_OMIT = (1l << 30) - 2;

bool valid_time_nsec(i64 nsec) {
    return (nsec >= 0 && nsec < 1'000'000'000) || nsec == UTIME_NOW || nsec == UTIME_OMIT;
}

// The common part of utimensat, utimes, utime and futimesat (Linux's do_utimes): `times` null
// means "both now"; a null path with a real dirfd is the fd itself (futimens).
Result<u64> do_utimes(i64 dirfd, u64 user_path, const LinuxTimespec* times, u32 flags) {
    LinuxTimespec t[2] = {{0, UTIME_NOW}, {0, UTIME_NOW}};
    if (times) {
        if (!valid_time_nsec(times[0].nsec) || !valid_time_nsec(times[1].nsec))
            return Errno::EINVAL;
        t[0] = times[0];
        t[1] = times[1];
    }
    shipper::Call c;
    if (user_path == 0 && i32(dirfd) != AT_FDCWD) {
        if (flags) return Errno::EINVAL;
        OpenFile* f = TRY(kernel::file_of(dirfd));
        if (f->open_flags & LINUX_O_PATH) return Errno::EBADF; // as futimens on an O_PATH fd
        if (f->memfd) return 0; // TODO: a memfd's times are not kept
        if (f->procfs) return Errno::EPERM;
        c = shipper::begin(JVMOS_SHIP_UTIMENSAT, f->handle);
        c.slot().in_len = TRY(c.put_path("", 0));
        flags = AT_EMPTY_PATH;
    } else {
        if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) return Errno::EINVAL;
        if (user_path == 0) return Errno::EFAULT;
        UserPath path;
        TRY(copy_path(user_path, path, flags & AT_EMPTY_PATH));
        c = TRY(begin_path_call(JVMOS_SHIP_UTIMENSAT, dirfd, path));
    }
    c.slot().args[0] = u64(t[0].sec);
    c.slot().args[1] = u64(t[1].sec);
    c.slot().args[2] = u64(u32(t[0].nsec)) | u64(u32(t[1].nsec)) << 32;
    c.slot().args[3] = flags;
    TRY(shipper::call(c));
    return 0;
}

// utimes and futimesat take struct timeval (microseconds).
Result<u64> do_futimesat(i64 dirfd, u64 user_path, u64 user_times) {
    struct LinuxTimeval {
        i64 sec;
        i64 usec;
    } tv[2];
    if (!user_times) return do_utimes(dirfd, user_path, nullptr, 0);
    TRY(copy_from_user(tv, user_times, sizeof tv));
    if (tv[0].usec < 0 || tv[0].usec >= 1'000'000 || tv[1].usec < 0 || tv[1].usec >= 1'000'000)
        return Errno::EINVAL;
    const LinuxTimespec t[2] = {{tv[0].sec, tv[0].usec * 1000}, {tv[1].sec, tv[1].usec * 1000}};
    return do_utimes(dirfd, user_path, t, 0);
}

Result<u64> do_symlinkat(u64 user_target, i64 dirfd, u64 user_path) {
    UserPath target, path;
    TRY(copy_path(user_target, target));
    TRY(copy_path(user_path, path));
    shipper::Call c = TRY(begin_path_call(JVMOS_SHIP_SYMLINKAT, dirfd, path));
    c.slot().path2_off = c.slot().in_len;
    c.slot().in_len = TRY(c.put_path(target.text, target.len, c.slot().in_len));
    TRY(shipper::call(c));
    return 0;
}

Result<u64> do_linkat(i64 olddirfd, u64 oldpath, i64 newdirfd, u64 newpath, u64 flags) {
    if (flags & ~u64(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH)) return Errno::EINVAL;
    UserPath from, to;
    TRY(copy_path(oldpath, from, flags & AT_EMPTY_PATH));
    TRY(copy_path(newpath, to));
    return two_path_call(JVMOS_SHIP_LINKAT, olddirfd, from, newdirfd, to, flags);
}

Result<u64> do_chownat(i64 dirfd, u64 user_path, u64 uid, u64 gid, u64 flags) {
    if (flags & ~u64(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) return Errno::EINVAL;
    UserPath path;
    TRY(copy_path(user_path, path, flags & AT_EMPTY_PATH));
    shipper::Call c = TRY(begin_path_call(JVMOS_SHIP_CHOWNAT, dirfd, path));
    c.slot().args[0] = u32(uid); // uid_t: -1 is 0xffffffff, "unchanged"
    c.slot().args[1] = u32(gid);
    c.slot().args[2] = flags;
    TRY(shipper::call(c));
    return 0;
}

} // namespace

Result<u64> sys_utimensat(SyscallArgs& a) {
    LinuxTimespec t[2];
    const LinuxTimespec* times = nullptr;
    if (a.a[2]) {
        TRY(copy_from_user(t, a.a[2], sizeof t));
        // Linux returns before looking at anything else (not even the path or the flags).
        if (t[0].nsec == UTIME_OMIT && t[1].nsec == UTIME_OMIT) return 0;
        times = t;
    }
    return do_utimes(i64(a.a[0]), a.a[1], times, u32(a.a[3]));
}
Result<u64> sys_utimes(SyscallArgs& a) { return do_futimesat(AT_FDCWD, a.a[0], a.a[1]); }
Result<u64> sys_futimesat(SyscallArgs& a) { return do_futimesat(i64(a.a[0]), a.a[1], a.a[2]); }
Result<u64> sys_utime(SyscallArgs& a) {
    if (!a.a[1]) return do_utimes(AT_FDCWD, a.a[0], nullptr, 0);
    i64 times[2]; // struct utimbuf: actime, modtime (whole seconds)
    TRY(copy_from_user(times, a.a[1], sizeof times));
    const LinuxTimespec t[2] = {{times[0], 0}, {times[1], 0}};
    return do_utimes(AT_FDCWD, a.a[0], t, 0);
}

Result<u64> sys_symlink(SyscallArgs& a) { return do_symlinkat(a.a[0], AT_FDCWD, a.a[1]); }
Result<u64> sys_symlinkat(SyscallArgs& a) { return do_symlinkat(a.a[0], i64(a.a[1]), a.a[2]); }
Result<u64> sys_link(SyscallArgs& a) { return do_linkat(AT_FDCWD, a.a[0], AT_FDCWD, a.a[1], 0); }
Result<u64> sys_linkat(SyscallArgs& a) {
    return do_linkat(i64(a.a[0]), a.a[1], i64(a.a[2]), a.a[3], a.a[4]);
}

Result<u64> sys_chown(SyscallArgs& a) { return do_chownat(AT_FDCWD, a.a[0], a.a[1], a.a[2], 0); }
Result<u64> sys_lchown(SyscallArgs& a) {
    return do_chownat(AT_FDCWD, a.a[0], a.a[1], a.a[2], AT_SYMLINK_NOFOLLOW);
}
Result<u64> sys_fchownat(SyscallArgs& a) {
    return do_chownat(i64(a.a[0]), a.a[1], a.a[2], a.a[3], a.a[4]);
}

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
    char scratch[LINUX_PATH_MAX];
    const PathRoute route = TRY(route_path(AT_FDCWD, path, procfs::Follow::yes, scratch));
    if (route.where == PathRoute::Where::procfs) {
        OpenFile* f = TRY(procfs::open(route.node, LINUX_O_PATH, path.text));
        const u64 magic = procfs::fs_magic(*f->procfs);
        kernel::retain(f);
        kernel::put(f);
        return procfs_statfs(magic, a.a[1]);
    }
    if (route.where == PathRoute::Where::open_file) return Errno::EOPNOTSUPP; // TODO: pipefs
    shipper::Call c = shipper::begin(JVMOS_SHIP_OPENAT, TRY(route_handle(AT_FDCWD, route)));
    c.slot().in_len = TRY(c.put_path(path.text, path.len));
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
    char guest_path[LINUX_PATH_MAX];
    const PathRoute route = TRY(route_path(AT_FDCWD, path, procfs::Follow::yes, guest_path));
    if (route.where == PathRoute::Where::open_file) return Errno::ENOTDIR;
    if (route.where == PathRoute::Where::procfs) {
        OpenFile* dir = TRY(procfs::open(route.node, LINUX_O_PATH | LINUX_O_DIRECTORY, path.text));
        kernel::set_cwd(dir);
        return 0;
    }
    shipper::Call c = shipper::begin(JVMOS_SHIP_OPENAT, TRY(route_handle(AT_FDCWD, route)));
    c.slot().in_len = TRY(c.put_path(path.text, path.len));
    c.slot().args[0] = LINUX_O_PATH | LINUX_O_DIRECTORY;
    TRY(shipper::call(c));
    const u32 handle = c.slot().new_handle;
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
