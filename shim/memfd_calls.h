// The fd calls on a memfd (kernel/memfd.h), answered locally by shim/sys_memfd.cpp: the
// handlers of sys_fd.cpp and sys_fs.cpp hand an OpenFile whose `memfd` is set over to these
// instead of shipping it (a memfd has no Handle on the proxy).
#pragma once

#include "base/result.h"
#include "kernel/files.h"
#include "shim/ship_util.h"

namespace jvmos::shim {

// read/pread (offset < 0: at the file position) and write/pwrite into/from user memory.
Result<u64> memfd_read_user(kernel::OpenFile* f, u64 buf, u64 count, i64 offset);
Result<u64> memfd_write_user(kernel::OpenFile* f, u64 buf, u64 count, i64 offset);
// readv/writev: the vectors in order, stopping at the first short transfer.
Result<u64> memfd_vector_io(kernel::OpenFile* f, u64 user_iov, u64 iovcnt, bool write);
Result<u64> memfd_lseek(kernel::OpenFile* f, i64 offset, u64 whence);
// struct stat of the memfd (S_IFREG|0777, nlink 0 as for an unlinked file, size, blocks).
void memfd_stat(kernel::OpenFile* f, LinuxStat& st);
// fstatfs: tmpfs's (f_type TMPFS_MAGIC, no size limit).
Result<u64> memfd_fstatfs(kernel::OpenFile* f, u64 user_buf);
// What simple_call()'s ops (TRUNCATE, SYNC, FLOCK, CHMOD, GETFL, SETFL) do on a memfd.
Result<u64> memfd_simple_call(kernel::OpenFile* f, u32 op, u64 arg);
// fcntl beyond the fd flags: F_GETFL/F_SETFL, record locks (one process: always granted),
// F_ADD_SEALS/F_GET_SEALS.
Result<u64> memfd_fcntl(kernel::OpenFile* f, u64 cmd, u64 arg);
// ioctl: FIONREAD (bytes after the position); anything else ENOTTY.
Result<u64> memfd_ioctl(kernel::OpenFile* f, u64 request, u64 arg);

} // namespace jvmos::shim
