// The synthesized /proc and /sys: a small read-only pseudo file system answered by the guest
// kernel, never shipped (on linux-proxy "self" would be the proxy, and the proxy refuses host
// procfs). Each file's content is generated from the guest's own state (the process, its
// threads, address space and fds, the vCPUs and the frame allocator) into a kernel buffer when
// it is opened, and again when it is read from offset 0 after an earlier read (as Linux's
// seq_file does after a rewind). Directories list their entries through getdents64. The text
// layouts are Linux's (kernel/procfs_format.h).
//
// What the trees hold: /proc/{self,thread-self,<pid>} with cmdline, environ, comm, stat,
// statm, status, maps, limits, mountinfo, mounts, cgroup, coredump_filter, exe, cwd, root, fd/
// and task/<tid>/; /proc/{cpuinfo,meminfo,stat,uptime,loadavg,cgroups,mounts,sys/...};
// /sys/devices/system/cpu, /sys/kernel/mm/{transparent_hugepage,hugepages} and a cgroup v2
// hierarchy at /sys/fs/cgroup in which the process has no limits (HotSpot's container support
// then uses the guest's vCPUs and memory, as it does natively outside a limited cgroup).
//
// Locking: called from syscalls under the kernel lock (sched/smp.h), which also guards the few
// static buffers used by code that never blocks (lookup()'s scratch, spare content buffers).
// Only read_link() of an fd whose file has no path blocks (one shipped stat for the inode of a
// pipe or socket); generating cmdline/environ may fault in the program's stack pages.
#pragma once

#include "base/result.h"
#include "base/types.h"

namespace jvmos::proc {
struct ElfImage;
}
namespace jvmos::kernel {
struct OpenFile;
}

namespace jvmos::procfs {

// Whether the normalised absolute guest path `path` is "/proc", "/sys" or lies below them: such
// paths are resolved here, never shipped.
bool owns(const char* path);

// Whether lookup() follows a symbolic link in the last component (inner ones always are).
enum class Follow : u8 { no, yes };

// A location in the trees (an inode, in Linux's terms).
struct Node {
    u16 kind;  // procfs.cpp's Kind
    i32 tid;   // the thread of a /proc/<pid>/task/<tid> view; 0 for the process's
    i32 index; // the fd of /proc/<pid>/fd/<n>, the CPU of /sys/devices/system/cpu/cpu<n>
};

struct Lookup {
    enum class Kind : u8 {
        node,     // the path names `node`; its canonical path ("self" resolved) is in `out`
        redirect, // a symbolic link was followed: resolution continues at the absolute path in
                  // `out`, which may leave the trees (/proc/self/exe, /proc/self/cwd/...)
        open_file // a /proc/<pid>/fd/<n> link whose file has no path (a pipe, a socket, the
                  // terminal): the path names fd `node.index`'s open file itself
    } kind;
    Node node;
};

// Resolves `path` (normalised, owns() true). `out` (PATH_MAX bytes, not overlapping `path`)
// receives the canonical or redirected path. ENOENT, ENOTDIR, ENAMETOOLONG as Linux.
Result<Lookup> lookup(const char* path, Follow follow, char* out, usize cap);

// What stat(2) reports for a node (the shim fills struct stat from it).
struct Attr {
    u64 dev;
    u64 ino;
    u32 mode; // S_IFMT bits and permissions
    u32 nlink;
    u32 uid, gid;
    i64 size;
    i64 blksize;
    i64 time_sec; // atime = mtime = ctime
};
Attr attributes(const Node& node);

// The target of a symbolic link (readlink(2), not NUL-terminated, truncated to `cap`). EINVAL
// if the node is not a link.
Result<usize> read_link(const Node& node, char* buf, usize cap);

// access(2) for `mode` (R_OK 4, W_OK 2, X_OK 1): EACCES for writing a read-only file and for
// executing a file.
Result<void> check_access(const Node& node, u32 mode);

// ---- Open files ---------------------------------------------------------------------------

// The open file description of a procfs file (OpenFile::procfs).
struct ProcFile;

// Opens `node` with open(2)'s `flags` as an OpenFile (refs 0, for install_fd) named by
// `path`, generating its content now. EACCES when writing a read-only file, EISDIR for writing
// a directory, ENOTDIR for O_DIRECTORY on a file, ELOOP for a link without O_PATH, ENOMEM.
Result<kernel::OpenFile*> open(const Node& node, u32 flags, const char* path);
// Frees what open() allocated (the last reference to the OpenFile is gone).
void release(ProcFile* file);

// read/pread into user memory at `user_buf` (offset < 0: at the file position, which advances).
// EISDIR for a directory.
Result<u64> read(ProcFile& file, u64 user_buf, u64 count, i64 offset);
// write: the writable files (coredump_filter, comm) take the new value from the user bytes.
// EBADF if the file was not opened for writing, EINVAL for a value Linux refuses.
Result<u64> write(ProcFile& file, u64 user_buf, u64 count);
// lseek: SEEK_SET and SEEK_CUR (seq_file's), SEEK_END is EINVAL.
Result<u64> seek(ProcFile& file, i64 offset, u32 whence);
// getdents64 from the file position: ENOTDIR for a file, EINVAL if the first entry does not
// fit in `count`.
Result<u64> getdents64(ProcFile& file, u64 user_buf, u64 count);
// fstat and fstatfs.
Attr attributes(const ProcFile& file);
u64 fs_magic(const ProcFile& file);
// The node a procfs open file is (for paths relative to a procfs directory fd).
const Node& node_of(const ProcFile& file);

// ---- What the process's start leaves for /proc/<pid>/maps, stat, cmdline and environ --------

// Whose ELF image note_elf() describes.
enum class ImageRole : u8 { program, interpreter };

// The PT_LOAD segments of `image`, loaded at `bias` from the file `path` (st_dev/st_ino `dev`,
// `ino`): their pages are named by the file in maps (with their file offsets); the program's
// also give stat's start_code/end_code/start_data/end_data.
void note_elf(const proc::ElfImage& image, u64 bias, const char* path, u64 dev, u64 ino,
              ImageRole role);
// The vDSO's mapping ("[vdso]").
void note_vdso(u64 start, u64 end);
// The initial stack: the address of argc, and where the argument and environment strings lie
// (stat's start_stack, arg_start..env_end; cmdline and environ are read from there).
void note_stack(u64 start_stack, u64 arg_start, u64 arg_end, u64 env_start, u64 env_end);

} // namespace jvmos::procfs
