// memfd_create's files: local kernel objects, never shipped. A memfd is an open file whose
// bytes are a MemoryObject (mm/memory_object.h) of guest frames; read/write, ftruncate,
// fallocate and seals work on it here, and mmap maps its frames (every MAP_SHARED mapping
// aliases them: ZGC's multi-mapped heap).
//
// Locking: single vCPU for now; callers hold what guards the address space.
#pragma once

#include "base/result.h"
#include "base/types.h"
#include "mm/memory_object.h"

namespace jvmos::kernel {

struct OpenFile;

// memfd_create flags.
inline constexpr u32 LINUX_MFD_CLOEXEC = 0x1;
inline constexpr u32 LINUX_MFD_ALLOW_SEALING = 0x2;
inline constexpr u32 LINUX_MFD_HUGETLB = 0x4;
inline constexpr u32 LINUX_MFD_NOEXEC_SEAL = 0x8;
inline constexpr u32 LINUX_MFD_EXEC = 0x10;
// Seals (fcntl F_ADD_SEALS / F_GET_SEALS).
inline constexpr u32 LINUX_F_SEAL_SEAL = 0x1;
inline constexpr u32 LINUX_F_SEAL_SHRINK = 0x2;
inline constexpr u32 LINUX_F_SEAL_GROW = 0x4;
inline constexpr u32 LINUX_F_SEAL_WRITE = 0x8;
inline constexpr u32 LINUX_F_SEAL_FUTURE_WRITE = 0x10;
// fallocate modes.
inline constexpr u32 LINUX_FALLOC_FL_KEEP_SIZE = 0x1;
inline constexpr u32 LINUX_FALLOC_FL_PUNCH_HOLE = 0x2;
// tmpfs's f_type, which fstatfs reports for a memfd (ZGC checks it).
inline constexpr u64 LINUX_TMPFS_MAGIC = 0x01021994;
// The largest file size (Linux's MAX_LFS_FILESIZE).
inline constexpr u64 LINUX_MAX_FILE_SIZE = 0x7fffffffffffffffull;

// The kernel side of one memfd (one open file description: dup'ed fds share it).
struct MemFd {
    mm::MemoryObject* object;
    u64 position;     // the file offset of read/write/lseek
    u64 inode;        // st_ino: distinct per memfd
    u32 seals;        // LINUX_F_SEAL_* bits
    u32 status_flags; // F_SETFL's settable flags (O_APPEND, O_NONBLOCK...)
    char name[256];   // "memfd:" + the name given (for /proc/self/fd when it is synthesised)
};

// memfd_create: a new memfd named `name` (at most 249 bytes, checked by the caller) as an
// OpenFile with no fd yet (refs 0, like make_open_file's). EINVAL for unknown or unsupported
// flags (MFD_HUGETLB: no hugetlbfs pool, as on a default Linux), ENOMEM.
Result<OpenFile*> memfd_create(const char* name, u32 flags);
// Drops the open file's reference on the memfd (the last fd closed); its pages live on while
// mappings name them.
void memfd_release(MemFd* m);

// read/pread and write/pwrite between the memfd and the program's memory at `user_buf`.
// `offset` < 0 uses and advances the file position. EFAULT (or a short count) on a bad buffer;
// write: EPERM under F_SEAL_WRITE, F_SEAL_GROW past the end, EFBIG past the largest size.
Result<u64> memfd_read(MemFd& m, u64 user_buf, u64 count, i64 offset);
Result<u64> memfd_write(MemFd& m, u64 user_buf, u64 count, i64 offset);
// lseek (SEEK_SET/CUR/END/DATA/HOLE): the new position. EINVAL, ENXIO as Linux.
Result<u64> memfd_seek(MemFd& m, i64 offset, u32 whence);
// ftruncate: pages beyond the new size leave every mapping and are freed. EPERM if sealed.
Result<void> memfd_truncate(MemFd& m, u64 size);
// fallocate: mode 0 (or KEEP_SIZE) commits frames for [offset, offset + len) (growing the
// size unless KEEP_SIZE); PUNCH_HOLE|KEEP_SIZE frees them, removing them from every mapping
// (the range reads as zeros afterwards; partial pages are zeroed). EOPNOTSUPP for other modes,
// EINVAL, EFBIG, EPERM (seals), ENOMEM as Linux.
Result<void> memfd_allocate(MemFd& m, u32 mode, u64 offset, u64 len);
// F_ADD_SEALS: EPERM if F_SEAL_SEAL is set, EBUSY for F_SEAL_WRITE while a shared writable
// mapping exists, EINVAL for unknown bits.
Result<void> memfd_add_seals(MemFd& m, u32 seals);
// mmap's check: EPERM for a writable shared mapping of a write-sealed memfd.
Result<void> memfd_check_map(const MemFd& m, bool shared_writable);

} // namespace jvmos::kernel
