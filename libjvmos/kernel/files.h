// Each process's file descriptors. An fd names an open file description (OpenFile), which names
// a shipped Handle (a capability held by the monitor's relay, abi.h "The ship ring"); dup'ed
// fds share the OpenFile, as on Linux. The guest never sees a host fd number.
#pragma once

#include "base/result.h"
#include "base/types.h"
#include "mm/address_space.h"

namespace jvmos::kernel {

inline constexpr u32 LINUX_O_ACCMODE = 03;
inline constexpr u32 LINUX_S_IFMT = 0170000;
inline constexpr u32 LINUX_S_IFDIR = 0040000;
inline constexpr u32 LINUX_S_IFREG = 0100000;

struct MemFd;
} // namespace jvmos::kernel
namespace jvmos::procfs {
struct ProcFile;
} // namespace jvmos::procfs
namespace jvmos::kernel {

struct OpenFile {
    u32 handle;    // the relay's handle id (0 for a local file: memfd or procfs set)
    u32 refs;      // fds (and the cwd) naming it
    u32 mode;      // S_IFMT bits from the stat at open (0 if unknown)
    u32 open_flags; // O_ACCMODE and status flags given to open
    // The normalised guest path it was opened with (fchdir, getcwd, /proc/<pid>/fd and maps),
    // nullptr if it has none (pipes, sockets, the standard fds, memfds).
    char* path;
    // The stat openAt returned (struct stat bytes), usable by an fstat that follows the open
    // with no shipped call in between: the open+fstat pair then costs one round trip, exactly
    // as if both had run together on the proxy.
    u8 open_stat[144];
    u64 open_stat_seq; // shipper::calls_issued() right after the open; 0 = none
    u64 mapped_pages;  // pages of mmap regions reading from it (they hold one reference)
    MemFd* memfd;      // a local memfd (kernel/memfd.h), never shipped; nullptr otherwise
    procfs::ProcFile* procfs; // a synthesized /proc or /sys file (kernel/procfs.h), never
                              // shipped; nullptr otherwise
    u64 dev, ino; // st_dev and st_ino from the stat at open (0 if unknown): /proc/<pid>/maps
};

// The address space's source of file-mapping pages: file_id is the OpenFile*.
mm::FileBacking& file_backing();
// `pages` pages of a new mapping read from `f` (takes the mappings' reference on the first).
void file_mapped(OpenFile* f, u64 pages);

// The stat from the open, if no shipped call happened since (consumed: used at most once).
bool take_open_stat(OpenFile* f, void* stat_out);

// Creates an OpenFile for a new handle (refs = 0, owned by the first fd installed), recording
// `path` (may be nullptr).
Result<OpenFile*> make_open_file(u32 handle, u32 mode, u32 open_flags, const char* path);
void retain(OpenFile* f);
// Drops one reference; the last one releases the handle on the proxy.
void put(OpenFile* f);

// Lowest free fd >= min_fd naming `f` (takes a reference). EMFILE past RLIMIT_NOFILE.
Result<int> install_fd(OpenFile* f, bool cloexec, int min_fd = 0);
// Makes `fd` name `f` (closing what it named); EBADF if fd is out of range.
Result<void> install_fd_at(int fd, OpenFile* f, bool cloexec);
// The OpenFile of `fd`, EBADF if none.
Result<OpenFile*> file_of(i64 fd);
Result<bool> cloexec_of(i64 fd);
Result<void> set_cloexec(i64 fd, bool cloexec);
Result<void> close_fd(i64 fd);
// The fd table's size: every open fd is below it (FDSize in /proc/<pid>/status).
usize fd_table_size();

// The working directory (an OpenFile with its path), and the root directory's handle.
OpenFile* cwd();
void set_cwd(OpenFile* dir);
u32 root_handle();

// fork: a copy of a process's descriptor table naming the same OpenFiles (each retained), so
// that parent and child share file offsets and status flags, as on Linux. ENOMEM.
struct FdTable;
Result<FdTable*> fork_fd_table(const FdTable& from);
// A process ended: every descriptor closed (the last one of an OpenFile releases it) and the
// table freed.
void close_fd_table(FdTable* table);

// Sets up fds 0, 1, 2 and the cwd from the ship session (kernel boot).
void files_init();

} // namespace jvmos::kernel
