// Helpers shared by the shipped-syscall handlers (sys_fd.cpp, sys_fs.cpp): Linux struct
// layouts, resolving dirfd arguments to handles, copying paths from the program.
#pragma once

#include "base/result.h"
#include "kernel/files.h"
#include "shipper/guest/ship.h"

namespace jvmos::shim {

inline constexpr i64 AT_FDCWD = -100;
inline constexpr u32 AT_SYMLINK_NOFOLLOW = 0x100;
inline constexpr u32 AT_REMOVEDIR = 0x200;
inline constexpr u32 AT_EACCESS = 0x200;
inline constexpr u32 AT_SYMLINK_FOLLOW = 0x400;
inline constexpr u32 AT_NO_AUTOMOUNT = 0x800;
inline constexpr u32 AT_EMPTY_PATH = 0x1000;
inline constexpr u32 AT_STATX_SYNC_TYPE = 0x6000;
inline constexpr u32 LINUX_O_CLOEXEC = 02000000;
inline constexpr u32 LINUX_O_NONBLOCK = 04000;
inline constexpr u32 LINUX_O_DIRECTORY = 0200000;
inline constexpr u32 LINUX_O_PATH = 010000000;
inline constexpr usize LINUX_PATH_MAX = 4096;

// struct stat on x86-64 (144 bytes), as the relay writes it into the slot.
struct LinuxStat {
    u64 st_dev;
    u64 st_ino;
    u64 st_nlink;
    u32 st_mode;
    u32 st_uid;
    u32 st_gid;
    u32 pad0;
    u64 st_rdev;
    i64 st_size;
    i64 st_blksize;
    i64 st_blocks;
    i64 st_atime_sec;
    i64 st_atime_nsec;
    i64 st_mtime_sec;
    i64 st_mtime_nsec;
    i64 st_ctime_sec;
    i64 st_ctime_nsec;
    i64 reserved[3];
};
static_assert(sizeof(LinuxStat) == 144);

// A path argument copied from the program (NUL-terminated, at most PATH_MAX bytes).
struct UserPath {
    char text[LINUX_PATH_MAX];
    usize len;
};

// Copies a path from the program: EFAULT, ENAMETOOLONG; an empty path is ENOENT unless
// `allow_empty` (AT_EMPTY_PATH).
Result<void> copy_path(u64 user_addr, UserPath& out, bool allow_empty = false);

// The handle a *at() call resolves `path` against: the cwd for AT_FDCWD, else the fd's
// (absolute paths ignore it, as Linux does, but the fd must still be valid if not AT_FDCWD).
Result<u32> dir_handle(i64 dirfd);

// The guest path of the directory `dirfd` names (for recording opened directories' paths).
const char* dir_path(i64 dirfd);

// Starts a path call of `op` on dirfd's handle with `path` in the data buffer.
Result<shipper::Call> begin_path_call(u32 op, i64 dirfd, const UserPath& path);

} // namespace jvmos::shim
