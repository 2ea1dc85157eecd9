// Path routing to the synthesized /proc and /sys, and the fd calls on their files (see
// procfs_calls.h). The content is kernel/procfs.cpp's; this file only speaks the syscall ABI.
#include "base/path.h"
#include "base/string.h"
#include "kernel/files.h"
#include "kernel/procfs.h"
#include "shim/procfs_calls.h"
#include "shim/record_locks.h"
#include "shim/user_ptr.h"

namespace jvmos::shim {

using kernel::OpenFile;

namespace {

constexpr int MAX_LINKS = 40; // Linux's MAXSYMLINKS
constexpr u32 LINUX_O_LARGEFILE = 0100000;
constexpr u32 SETFL_MASK = 02000 | 04000 | 020000 | 040000 | 01000000; // APPEND NONBLOCK ASYNC
                                                                       // DIRECT NOATIME
struct Iovec {
    u64 base;
    u64 len;
};

// The open file a dirfd names as a base directory (the cwd for AT_FDCWD).
Result<OpenFile*> base_of(i64 dirfd) {
    if (i32(dirfd) == AT_FDCWD) return kernel::cwd();
    return kernel::file_of(i32(dirfd));
}

bool is_directory(const OpenFile* f) {
    return (f->mode & kernel::LINUX_S_IFMT) == kernel::LINUX_S_IFDIR;
}

// Whether the path names a directory by its form ("dir/", "dir/.", "dir/.."): then a link in
// its last normalised component is followed, as Linux follows "link/".
bool names_directory(const char* path, usize len) {
    if (len && path[len - 1] == '/') return true;
    usize start = len;
    while (start && path[start - 1] != '/') start--;
    const usize n = len - start;
    return (n == 1 && path[start] == '.') ||
           (n == 2 && path[start] == '.' && path[start + 1] == '.');
}

// Whether "..", somewhere in `path`, climbs out of /proc or /sys (e.g. "/proc/.."): the proxy
// refuses host procfs on its way, so the normalised path is what must be shipped.
bool climbs_out_of_trees(const char* base, const char* path) {
    bool dotdot = false;
    for (const char* p = path; *p; p++)
        if (p[0] == '.' && p[1] == '.' && (p == path || p[-1] == '/') && (p[2] == '/' || !p[2]))
            dotdot = true;
    if (!dotdot) return false;
    // Outside the kernel stack; nothing here blocks, and the kernel lock keeps other vCPUs out.
    static char prefix[LINUX_PATH_MAX], normal[LINUX_PATH_MAX];
    bool climbs = false;
    // Each prefix that ends just before a ".." component.
    for (usize i = 0; path[i] && !climbs; i++) {
        if (!(path[i] == '.' && path[i + 1] == '.' && (i == 0 || path[i - 1] == '/') &&
              (path[i + 2] == '/' || !path[i + 2])))
            continue;
        memcpy(prefix, path, i);
        prefix[i] = 0;
        climbs =
            normalize_path(base, prefix, normal, LINUX_PATH_MAX).is_ok() && procfs::owns(normal);
    }
    return climbs;
}

} // namespace

Result<PathRoute> route_path(i64 dirfd, UserPath& path, procfs::Follow follow, char* scratch) {
    scratch[0] = 0;
    // A relative path needs its base directory's guest path; without one (a dirfd that is not
    // a directory) the proxy answers, as it does for any other path (ENOTDIR).
    const char* base = "/";
    bool from_procfs = false;
    if (path.text[0] != '/') {
        OpenFile* dir = TRY(base_of(dirfd));
        if (!dir->path || !is_directory(dir)) return PathRoute{PathRoute::Where::shipped, {}};
        base = dir->path;
        from_procfs = dir->procfs != nullptr;
    }
    if (normalize_path(base, path.text, scratch, LINUX_PATH_MAX).is_error()) {
        scratch[0] = 0; // too long: the proxy says ENAMETOOLONG
        return PathRoute{PathRoute::Where::shipped, {}};
    }
    // Paths are normalised lexically (as getcwd keeps them): "link/.." is the link's directory,
    // which is right for the links inside the trees and approximate for the ones that leave
    // them (cwd, exe, fd/<n>).
    if (names_directory(path.text, path.len)) follow = procfs::Follow::yes;
    for (int links = 0;; links++) {
        if (!procfs::owns(scratch)) {
            if (!from_procfs && links == 0 && !climbs_out_of_trees(base, path.text))
                return PathRoute{PathRoute::Where::shipped, {}};
            // Out of the trees through a link or "..": ship the absolute path.
            path.len = strlen(scratch);
            memcpy(path.text, scratch, path.len + 1);
            return PathRoute{PathRoute::Where::shipped_absolute, {}};
        }
        if (links == MAX_LINKS) return Errno::ELOOP;
        const procfs::Lookup l = TRY(procfs::lookup(scratch, follow, path.text, sizeof path.text));
        switch (l.kind) {
        case procfs::Lookup::Kind::node:
            path.len = strlen(path.text);
            scratch[0] = 0;
            return PathRoute{PathRoute::Where::procfs, l.node};
        case procfs::Lookup::Kind::open_file:
            scratch[0] = 0;
            return PathRoute{PathRoute::Where::open_file, l.node};
        case procfs::Lookup::Kind::redirect:
            memcpy(scratch, path.text, strlen(path.text) + 1);
            break;
        }
    }
}

bool is_procfs_base(i64 dirfd) {
    Result<OpenFile*> dir = base_of(dirfd);
    return dir.is_ok() && dir.value()->procfs;
}

Result<u32> route_handle(i64 dirfd, const PathRoute& route) {
    if (route.where == PathRoute::Where::shipped_absolute) return kernel::root_handle();
    return dir_handle(dirfd);
}

void procfs_stat(const procfs::Attr& a, LinuxStat& st) {
    memset(&st, 0, sizeof st);
    st.st_dev = a.dev;
    st.st_ino = a.ino;
    st.st_nlink = a.nlink;
    st.st_mode = a.mode;
    st.st_uid = a.uid;
    st.st_gid = a.gid;
    st.st_size = a.size;
    st.st_blksize = a.blksize;
    st.st_atime_sec = st.st_mtime_sec = st.st_ctime_sec = a.time_sec;
}

Result<u64> procfs_statfs(u64 magic, u64 user_buf) {
    struct LinuxStatfs {
        u64 f_type, f_bsize, f_blocks, f_bfree, f_bavail, f_files, f_ffree;
        i32 f_fsid[2];
        u64 f_namelen, f_frsize, f_flags, f_spare[4];
    } s{};
    static_assert(sizeof(LinuxStatfs) == 120);
    constexpr u64 ST_VALID = 0x20, ST_NOSUID = 2, ST_NODEV = 4, ST_NOEXEC = 8, ST_RELATIME = 4096;
    s.f_type = magic;
    s.f_bsize = PAGE_SIZE;
    s.f_namelen = 255;
    s.f_frsize = PAGE_SIZE;
    s.f_flags = ST_VALID | ST_NOSUID | ST_NODEV | ST_NOEXEC | ST_RELATIME;
    TRY(UserPtr<LinuxStatfs>(user_buf).write(s));
    return 0;
}

Result<u64> procfs_read_user(OpenFile* f, u64 buf, u64 count, i64 offset) {
    return procfs::read(*f->procfs, buf, count, offset);
}

Result<u64> procfs_write_user(OpenFile* f, u64 buf, u64 count) {
    return procfs::write(*f->procfs, buf, count);
}

Result<u64> procfs_vector_io(OpenFile* f, u64 user_iov, u64 iovcnt, bool write) {
    constexpr u64 IOV_MAX = 1024, BATCH = 32;
    if (iovcnt > IOV_MAX) return Errno::EINVAL;
    u64 done = 0;
    for (u64 first = 0; first < iovcnt; first += BATCH) {
        Iovec vecs[BATCH];
        const u64 n = iovcnt - first < BATCH ? iovcnt - first : BATCH;
        Result<void> copied =
            copy_from_user(vecs, user_iov + first * sizeof(Iovec), n * sizeof(Iovec));
        if (copied.is_error()) return done ? Result<u64>(done) : Result<u64>(copied.error());
        for (u64 i = 0; i < n; i++) {
            if (vecs[i].len == 0) continue;
            Result<u64> r = write ? procfs::write(*f->procfs, vecs[i].base, vecs[i].len)
                                  : procfs::read(*f->procfs, vecs[i].base, vecs[i].len, -1);
            if (r.is_error()) return done ? Result<u64>(done) : r;
            done += r.value();
            if (r.value() < vecs[i].len) return done;
        }
    }
    return done;
}

Result<u64> procfs_simple_call(OpenFile* f, u32 op, u64 arg) {
    switch (op) {
    case JVMOS_SHIP_TRUNCATE:
        return Errno::EINVAL; // procfs has no setattr for sizes
    case JVMOS_SHIP_SYNC:
        return Errno::EINVAL; // nor fsync
    case JVMOS_SHIP_FLOCK:
        return 0; // one process: its locks never conflict
    case JVMOS_SHIP_CHMOD:
        return Errno::EPERM;
    case JVMOS_SHIP_GETFL:
        return (f->open_flags & ~u32(LINUX_O_CLOEXEC | 0100 | 0200 | 0400 | 01000)) |
               LINUX_O_LARGEFILE; // without O_CREAT, O_EXCL, O_NOCTTY, O_TRUNC
    case JVMOS_SHIP_SETFL:
        f->open_flags = (f->open_flags & ~SETFL_MASK) | (u32(arg) & SETFL_MASK);
        return 0;
    default:
        return Errno::EINVAL;
    }
}

Result<u64> procfs_fcntl(OpenFile* f, u64 cmd, u64 arg) {
    constexpr u64 F_GETFL = 3, F_SETFL = 4;
    // No other process can lock a /proc file: nothing conflicts.
    if (is_record_lock_command(cmd)) return local_record_lock(cmd, arg);
    switch (cmd) {
    case F_GETFL:
        return procfs_simple_call(f, JVMOS_SHIP_GETFL, 0);
    case F_SETFL:
        return procfs_simple_call(f, JVMOS_SHIP_SETFL, arg);
    default:
        return Errno::EINVAL;
    }
}

} // namespace jvmos::shim
