// The shim's side of the synthesized /proc and /sys (kernel/procfs.h), answered locally by
// shim/sys_procfs.cpp: which path arguments go there instead of to linux-proxy, and the fd
// calls on the files it opens (sys_fd.cpp hands an OpenFile whose `procfs` is set over to
// these; such a file has no Handle on the proxy).
#pragma once

#include "base/result.h"
#include "kernel/files.h"
#include "kernel/procfs.h"
#include "shim/ship_util.h"

namespace jvmos::shim {

// Where a path argument leads.
struct PathRoute {
    enum class Where : u8 {
        shipped,          // ship the path as the program gave it, on dirfd's handle
        shipped_absolute, // ship `path`, rewritten to an absolute path, on the root handle
                          // (it left the trees through a link or "..")
        procfs,           // `node`; `path` holds its canonical path ("self" resolved)
        open_file,        // fd `node.index`'s open file (a /proc/<pid>/fd/<n> link to a file
                          // without a path: a pipe, a socket, a memfd, the terminal)
    } where;
    procfs::Node node;
};

// Resolves `path` (relative to dirfd) as far as the synthesized trees take it, following their
// symbolic links (one in the last component only with Follow::yes); may rewrite `path` (see
// PathRoute). `scratch` (LINUX_PATH_MAX bytes) receives the normalised absolute guest path of a
// shipped route when it is known (for OpenFile::path), "" otherwise. EBADF for a bad dirfd,
// ELOOP after 40 links, and procfs::lookup()'s errors.
Result<PathRoute> route_path(i64 dirfd, UserPath& path, procfs::Follow follow, char* scratch);

// Whether dirfd (the cwd for AT_FDCWD) is a directory of the trees: a path relative to it that
// route_path() did not rewrite must not be shipped.
bool is_procfs_base(i64 dirfd);

// The directory handle a shipped route's call goes to. ENOTDIR for a memfd dirfd.
Result<u32> route_handle(i64 dirfd, const PathRoute& route);

// struct stat of a procfs node.
void procfs_stat(const procfs::Attr& attr, LinuxStat& st);
// struct statfs of a file system of the trees (f_type `magic`) into user memory.
Result<u64> procfs_statfs(u64 magic, u64 user_buf);

// read/pread (offset < 0: at the file position) and write on a procfs file.
Result<u64> procfs_read_user(kernel::OpenFile* f, u64 buf, u64 count, i64 offset);
Result<u64> procfs_write_user(kernel::OpenFile* f, u64 buf, u64 count);
// readv/writev: the vectors in order, stopping at the first short transfer.
Result<u64> procfs_vector_io(kernel::OpenFile* f, u64 user_iov, u64 iovcnt, bool write);
// What simple_call()'s ops (TRUNCATE, SYNC, FLOCK, CHMOD, GETFL, SETFL) do on a procfs file.
Result<u64> procfs_simple_call(kernel::OpenFile* f, u32 op, u64 arg);
// fcntl beyond the fd flags: F_GETFL/F_SETFL, and record locks (one process: always granted).
Result<u64> procfs_fcntl(kernel::OpenFile* f, u64 cmd, u64 arg);

} // namespace jvmos::shim
