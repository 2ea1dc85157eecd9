// File-descriptor syscalls. The fd table is local (dup, fcntl's FD flags, close); I/O and
// metadata on the open file are shipped to linux-proxy through the ring.
#include "base/string.h"
#include "kernel/files.h"
#include "kernel/process.h"
#include "shim/memfd_calls.h"
#include "shim/procfs_calls.h"
#include "signal/signal.h"
#include "shim/ship_util.h"
#include "shim/syscall.h"
#include "shim/record_locks.h"
#include "shim/user_ptr.h"

namespace jvmos::shim {

using kernel::OpenFile;

namespace {

constexpr int SIGPIPE = 13;
constexpr u64 IOV_MAX = 1024;
constexpr usize CHUNK = shipper::Call::DATA_CAPACITY;

struct Iovec {
    u64 base;
    u64 len;
};

// A write that hit a closed pipe also raises SIGPIPE on the writing thread, as on Linux: with
// the default action the program ends quietly (status 141) when the call returns.
Errno raise_sigpipe_if_default(Errno e) {
    if (e == Errno::EPIPE) {
        signal::SigInfo info{};
        info.signo = SIGPIPE;
        info.code = signal::SI_USER;
        info.pid = kernel::current_process().pid;
        (void)signal::send_to_thread(kernel::current_thread().tid, info);
    }
    return e;
}

// One shipped read of up to CHUNK bytes into user memory at `buf`.
Result<u64> read_chunk(u32 handle, u64 buf, usize n, bool positional, i64 offset) {
    shipper::Call c = shipper::begin(positional ? JVMOS_SHIP_PREAD : JVMOS_SHIP_READ, handle);
    c.slot().args[0] = n;
    c.slot().args[1] = u64(offset);
    TRY(shipper::call(c));
    const usize got = c.slot().out_len < n ? c.slot().out_len : n;
    TRY(copy_to_user(buf, c.data(), got));
    return got;
}

// Reads up to `count` bytes, in chunks; stops at the first short chunk (end of file, a pipe
// with less data) so that the semantics are read(2)'s.
Result<u64> do_read(i64 fd, u64 buf, u64 count, bool positional, i64 offset) {
    OpenFile* f = TRY(kernel::file_of(fd));
    if (positional && offset < 0) return Errno::EINVAL;
    if (f->memfd) return memfd_read_user(f, buf, count, positional ? offset : -1);
    if (f->procfs) return procfs_read_user(f, buf, count, positional ? offset : -1);
    u64 done = 0;
    while (done < count) {
        const usize n = count - done < CHUNK ? usize(count - done) : CHUNK;
        // Check each destination chunk before reading: bytes taken from a pipe must not be
        // lost to EFAULT.
        Result<void> ok = kernel::current_address_space().check_user(buf + done, n, mm::Access::Write);
        if (ok.is_error()) return done ? Result<u64>(done) : Result<u64>(ok.error());
        Result<u64> r = read_chunk(f->handle, buf + done, n, positional, offset + i64(done));
        if (r.is_error()) return done ? Result<u64>(done) : r;
        done += r.value();
        if (r.value() < n) break;
    }
    return done;
}

// Writes bytes gathered by `fill` (which copies `n` bytes from the program at `pos` into the
// slot buffer) in chunks.
template <typename Fill>
Result<u64> do_write(i64 fd, u64 count, bool positional, i64 offset, Fill fill) {
    OpenFile* f = TRY(kernel::file_of(fd));
    if (positional && offset < 0) return Errno::EINVAL;
    u64 done = 0;
    do {
        const usize n = count - done < CHUNK ? usize(count - done) : CHUNK;
        shipper::Call c = shipper::begin(positional ? JVMOS_SHIP_PWRITE : JVMOS_SHIP_WRITE,
                                         f->handle);
        Result<void> copied = fill(c.data(), done, n);
        if (copied.is_error()) return done ? Result<u64>(done) : Result<u64>(copied.error());
        c.slot().in_len = u32(n);
        c.slot().args[1] = u64(offset + i64(done));
        Result<i64> r = shipper::call(c);
        if (r.is_error()) {
            if (done) return done;
            return raise_sigpipe_if_default(r.error());
        }
        done += u64(r.value());
        if (u64(r.value()) < n) break;
    } while (done < count);
    return done;
}

Result<u64> write_user(i64 fd, u64 buf, u64 count, bool positional, i64 offset) {
    OpenFile* f = TRY(kernel::file_of(fd));
    if (f->memfd) {
        if (positional && offset < 0) return Errno::EINVAL;
        return memfd_write_user(f, buf, count, positional ? offset : -1);
    }
    if (f->procfs) {
        if (positional && offset < 0) return Errno::EINVAL;
        return procfs_write_user(f, buf, count);
    }
    return do_write(fd, count, positional, offset, [&](u8* dst, u64 pos, usize n) {
        return copy_from_user(dst, buf + pos, n);
    });
}

Result<u64> simple_call(i64 fd, u32 op, u64 arg0 = 0) {
    OpenFile* f = TRY(kernel::file_of(fd));
    if (f->memfd) return memfd_simple_call(f, op, arg0);
    if (f->procfs) return procfs_simple_call(f, op, arg0);
    shipper::Call c = shipper::begin(op, f->handle);
    c.slot().args[0] = arg0;
    return u64(TRY(shipper::call(c)));
}

// ---- record locks ----


// The program has taken a POSIX record lock at some time (then closes may have to drop them).
bool g_posix_locks_taken;

// fcntl's record-lock commands, on the proxy's real file: host processes see the locks. The
// POSIX ones belong to the proxy process, which is this program's one process as far as the
// host can tell; the OFD ones to the Handle's file description, which dup'ed fds share here as
// on Linux. F_SETLKW blocks this thread only (the proxy waits on a worker).
Result<u64> do_lock(OpenFile* f, u64 cmd, u64 user_lock) {
    const LinuxFlock wanted = TRY(UserPtr<LinuxFlock>(user_lock).read());
    shipper::Call c = shipper::begin(JVMOS_SHIP_LOCK, f->handle);
    c.slot().args[0] = cmd;
    memcpy(c.data(), &wanted, sizeof wanted);
    c.slot().in_len = sizeof wanted;
    TRY(shipper::call(c));
    if (cmd == F_GETLK || cmd == F_OFD_GETLK) {
        if (c.slot().out_len < sizeof(LinuxFlock)) return Errno::EIO;
        LinuxFlock held;
        memcpy(&held, c.data(), sizeof held);
        // Held by the proxy itself: by this program, whose pid Linux would report.
        if (held.l_type != F_UNLCK && held.l_pid == 0) held.l_pid = kernel::current_process().pid;
        TRY(UserPtr<LinuxFlock>(user_lock).write(held));
    } else if ((cmd == F_SETLK || cmd == F_SETLKW) && wanted.l_type != F_UNLCK) {
        g_posix_locks_taken = true;
    }
    return 0;
}

// Linux drops the process's POSIX locks on a file whenever any fd of it is closed. Closing the
// last reference to a shipped file closes the proxy's descriptor, which does that on the host;
// when the file stays open (a dup, a mapping), the locks are dropped here by an explicit unlock
// of the whole file (which releases the proxy's locks on it through any descriptor).
void drop_posix_locks_before_close(i64 fd) {
    if (!g_posix_locks_taken) return;
    Result<OpenFile*> f = kernel::file_of(fd);
    if (f.is_error() || f.value()->refs < 2 || f.value()->memfd || f.value()->procfs ||
        (f.value()->mode & kernel::LINUX_S_IFMT) != kernel::LINUX_S_IFREG)
        return;
    LinuxFlock all{};
    all.l_type = F_UNLCK;
    shipper::Call c = shipper::begin(JVMOS_SHIP_LOCK, f.value()->handle);
    c.slot().args[0] = F_SETLK;
    memcpy(c.data(), &all, sizeof all);
    c.slot().in_len = sizeof all;
    (void)shipper::call(c); // close(2) does not fail for this
}

Result<u64> dup_to(i64 oldfd, i64 newfd, u64 flags, bool dup3) {
    if (dup3 && (flags & ~u64(LINUX_O_CLOEXEC))) return Errno::EINVAL;
    OpenFile* f = TRY(kernel::file_of(oldfd));
    if (oldfd == newfd) return dup3 ? Result<u64>(Errno::EINVAL) : Result<u64>(u64(newfd));
    drop_posix_locks_before_close(newfd); // the fd dup2 replaces is closed
    TRY(kernel::install_fd_at(int(newfd), f, flags & LINUX_O_CLOEXEC));
    return u64(newfd);
}

} // namespace

Result<u64> sys_close(SyscallArgs& a) {
    drop_posix_locks_before_close(i64(a.a[0]));
    TRY(kernel::close_fd(i64(a.a[0])));
    return 0;
}

Result<u64> sys_read(SyscallArgs& a) { return do_read(i64(a.a[0]), a.a[1], a.a[2], false, 0); }
Result<u64> sys_pread64(SyscallArgs& a) {
    return do_read(i64(a.a[0]), a.a[1], a.a[2], true, i64(a.a[3]));
}
Result<u64> sys_write(SyscallArgs& a) {
    return write_user(i64(a.a[0]), a.a[1], a.a[2], false, 0);
}
Result<u64> sys_pwrite64(SyscallArgs& a) {
    return write_user(i64(a.a[0]), a.a[1], a.a[2], true, i64(a.a[3]));
}

Result<u64> sys_readv(SyscallArgs& a) {
    const i64 fd = i64(a.a[0]);
    const u64 iovcnt = a.a[2];
    OpenFile* f = TRY(kernel::file_of(fd));
    if (f->memfd) return memfd_vector_io(f, a.a[1], iovcnt, false);
    if (f->procfs) return procfs_vector_io(f, a.a[1], iovcnt, false);
    if (iovcnt > IOV_MAX) return Errno::EINVAL;
    Iovec vecs[IOV_MAX];
    TRY(copy_from_user(vecs, a.a[1], iovcnt * sizeof(Iovec)));
    u64 done = 0;
    for (u64 i = 0; i < iovcnt; i++) {
        if (vecs[i].len == 0) continue;
        Result<u64> r = do_read(fd, vecs[i].base, vecs[i].len, false, 0);
        if (r.is_error()) return done ? Result<u64>(done) : r;
        done += r.value();
        if (r.value() < vecs[i].len) break;
    }
    return done;
}

Result<u64> sys_writev(SyscallArgs& a) {
    const i64 fd = i64(a.a[0]);
    const u64 iovcnt = a.a[2];
    OpenFile* f = TRY(kernel::file_of(fd));
    if (f->memfd) return memfd_vector_io(f, a.a[1], iovcnt, true);
    if (f->procfs) return procfs_vector_io(f, a.a[1], iovcnt, true);
    if (iovcnt > IOV_MAX) return Errno::EINVAL;
    Iovec vecs[IOV_MAX];
    TRY(copy_from_user(vecs, a.a[1], iovcnt * sizeof(Iovec)));
    u64 total = 0;
    for (u64 i = 0; i < iovcnt; i++) {
        if (vecs[i].len > u64(INT64_MAX) - total) return Errno::EINVAL;
        total += vecs[i].len;
    }
    // Gather the vectors into one stream of slot-sized writes (one shipped call for the usual
    // small writev, e.g. stdio's two-piece flush).
    return do_write(fd, total, false, 0, [&](u8* dst, u64 pos, usize n) -> Result<void> {
        u64 skip = pos;
        usize filled = 0;
        for (u64 i = 0; i < iovcnt && filled < n; i++) {
            if (skip >= vecs[i].len) {
                skip -= vecs[i].len;
                continue;
            }
            usize take = usize(vecs[i].len - skip);
            if (take > n - filled) take = n - filled;
            TRY(copy_from_user(dst + filled, vecs[i].base + skip, take));
            filled += take;
            skip = 0;
        }
        return {};
    });
}

Result<u64> sys_lseek(SyscallArgs& a) {
    OpenFile* f = TRY(kernel::file_of(i64(a.a[0])));
    if (a.a[2] > 4) return Errno::EINVAL;
    if (f->memfd) return memfd_lseek(f, i64(a.a[1]), a.a[2]);
    if (f->procfs) return procfs::seek(*f->procfs, i64(a.a[1]), u32(a.a[2]));
    shipper::Call c = shipper::begin(JVMOS_SHIP_SEEK, f->handle);
    c.slot().args[0] = a.a[1];
    c.slot().args[1] = a.a[2];
    return u64(TRY(shipper::call(c)));
}

Result<u64> sys_fstat(SyscallArgs& a) {
    OpenFile* f = TRY(kernel::file_of(i64(a.a[0])));
    LinuxStat cached;
    if (f->memfd) {
        memfd_stat(f, cached);
        TRY(UserPtr<LinuxStat>(a.a[1]).write(cached));
        return 0;
    }
    if (f->procfs) {
        procfs_stat(procfs::attributes(*f->procfs), cached);
        TRY(UserPtr<LinuxStat>(a.a[1]).write(cached));
        return 0;
    }
    if (kernel::take_open_stat(f, &cached)) {
        TRY(UserPtr<LinuxStat>(a.a[1]).write(cached));
        return 0;
    }
    shipper::Call c = shipper::begin(JVMOS_SHIP_STAT, f->handle);
    TRY(shipper::call(c));
    if (c.slot().out_len < sizeof(LinuxStat)) return Errno::EIO;
    TRY(copy_to_user(a.a[1], c.data(), sizeof(LinuxStat)));
    return 0;
}

Result<u64> sys_fstatfs(SyscallArgs& a) {
    constexpr usize STATFS_SIZE = 120;
    OpenFile* f = TRY(kernel::file_of(i64(a.a[0])));
    if (f->memfd) return memfd_fstatfs(f, a.a[1]);
    if (f->procfs) return procfs_statfs(procfs::fs_magic(*f->procfs), a.a[1]);
    shipper::Call c = shipper::begin(JVMOS_SHIP_STATFS, f->handle);
    TRY(shipper::call(c));
    if (c.slot().out_len < STATFS_SIZE) return Errno::EIO;
    TRY(copy_to_user(a.a[1], c.data(), STATFS_SIZE));
    return 0;
}

Result<u64> sys_fadvise64(SyscallArgs& a) {
    TRY(kernel::file_of(i64(a.a[0])));
    if (a.a[3] > 5) return Errno::EINVAL; // POSIX_FADV_*: hints, accepted
    return 0;
}

Result<u64> sys_getdents64(SyscallArgs& a) {
    OpenFile* f = TRY(kernel::file_of(i64(a.a[0])));
    if (f->memfd) return Errno::ENOTDIR;
    if (f->procfs) return procfs::getdents64(*f->procfs, a.a[1], a.a[2]);
    const u64 count = a.a[2] < CHUNK ? a.a[2] : CHUNK;
    shipper::Call c = shipper::begin(JVMOS_SHIP_GETDENTS, f->handle);
    c.slot().args[0] = count;
    TRY(shipper::call(c));
    const usize n = c.slot().out_len < count ? c.slot().out_len : usize(count);
    TRY(copy_to_user(a.a[1], c.data(), n));
    return n;
}

Result<u64> sys_ftruncate(SyscallArgs& a) {
    if (i64(a.a[1]) < 0) return Errno::EINVAL;
    return simple_call(i64(a.a[0]), JVMOS_SHIP_TRUNCATE, a.a[1]);
}
Result<u64> sys_fsync(SyscallArgs& a) { return simple_call(i64(a.a[0]), JVMOS_SHIP_SYNC, 0); }
Result<u64> sys_fdatasync(SyscallArgs& a) { return simple_call(i64(a.a[0]), JVMOS_SHIP_SYNC, 1); }
Result<u64> sys_flock(SyscallArgs& a) { return simple_call(i64(a.a[0]), JVMOS_SHIP_FLOCK, a.a[1]); }
Result<u64> sys_fchmod(SyscallArgs& a) {
    return simple_call(i64(a.a[0]), JVMOS_SHIP_CHMOD, a.a[1] & 07777);
}
Result<u64> sys_fchown(SyscallArgs& a) {
    OpenFile* f = TRY(kernel::file_of(i64(a.a[0])));
    if (f->open_flags & LINUX_O_PATH) return Errno::EBADF; // as Linux's fchown
    if (f->memfd) return 0; // TODO: the owner is not kept (the process's, always)
    if (f->procfs) return Errno::EPERM;
    // fchownat(fd, "", uid, gid, AT_EMPTY_PATH) on the proxy.
    shipper::Call c = shipper::begin(JVMOS_SHIP_CHOWNAT, f->handle);
    c.slot().in_len = TRY(c.put_path("", 0));
    c.slot().args[0] = u32(a.a[1]);
    c.slot().args[1] = u32(a.a[2]);
    c.slot().args[2] = AT_EMPTY_PATH;
    TRY(shipper::call(c));
    return 0;
}

Result<u64> sys_fcntl(SyscallArgs& a) {
    constexpr u64 F_DUPFD = 0, F_GETFD = 1, F_SETFD = 2, F_GETFL = 3, F_SETFL = 4;
    constexpr u64 F_DUPFD_CLOEXEC = 1030;
    constexpr u64 FD_CLOEXEC = 1;
    const i64 fd = i64(a.a[0]);
    OpenFile* f = TRY(kernel::file_of(fd));
    if (f->memfd && a.a[1] != F_DUPFD && a.a[1] != F_DUPFD_CLOEXEC && a.a[1] != F_GETFD &&
        a.a[1] != F_SETFD)
        return memfd_fcntl(f, a.a[1], a.a[2]);
    if (f->procfs && a.a[1] != F_DUPFD && a.a[1] != F_DUPFD_CLOEXEC && a.a[1] != F_GETFD &&
        a.a[1] != F_SETFD)
        return procfs_fcntl(f, a.a[1], a.a[2]);
    switch (a.a[1]) {
    case F_DUPFD:
    case F_DUPFD_CLOEXEC: {
        if (i64(a.a[2]) < 0 || a.a[2] > 1u << 20) return Errno::EINVAL;
        return u64(TRY(kernel::install_fd(f, a.a[1] == F_DUPFD_CLOEXEC, int(a.a[2]))));
    }
    case F_GETFD: return TRY(kernel::cloexec_of(fd)) ? FD_CLOEXEC : 0;
    case F_SETFD:
        TRY(kernel::set_cloexec(fd, a.a[2] & FD_CLOEXEC));
        return 0;
    case F_GETFL: return simple_call(fd, JVMOS_SHIP_GETFL);
    case F_SETFL: return simple_call(fd, JVMOS_SHIP_SETFL, a.a[2]);
    case F_GETLK:
    case F_SETLK:
    case F_SETLKW:
    case F_OFD_GETLK:
    case F_OFD_SETLK:
    case F_OFD_SETLKW: return do_lock(f, a.a[1], a.a[2]);
    default: return Errno::EINVAL;
    }
}

Result<u64> sys_dup(SyscallArgs& a) {
    OpenFile* f = TRY(kernel::file_of(i64(a.a[0])));
    return u64(TRY(kernel::install_fd(f, false)));
}
Result<u64> sys_dup2(SyscallArgs& a) { return dup_to(i64(a.a[0]), i64(a.a[1]), 0, false); }
Result<u64> sys_dup3(SyscallArgs& a) { return dup_to(i64(a.a[0]), i64(a.a[1]), a.a[2], true); }

Result<u64> sys_ioctl(SyscallArgs& a) {
    constexpr u64 TCGETS = 0x5401, TIOCGWINSZ = 0x5413, FIONREAD = 0x541b;
    OpenFile* f = TRY(kernel::file_of(i64(a.a[0])));
    if (f->memfd) return memfd_ioctl(f, a.a[1], a.a[2]);
    if (f->procfs) return Errno::ENOTTY;
    usize size;
    switch (a.a[1]) {
    case TCGETS: size = 36; break;
    case TIOCGWINSZ: size = 8; break;
    case FIONREAD: size = 4; break;
    default: return Errno::ENOTTY;
    }
    shipper::Call c = shipper::begin(JVMOS_SHIP_IOCTL, f->handle);
    c.slot().args[0] = a.a[1];
    c.slot().in_len = u32(size);
    memset(c.data(), 0, size);
    const i64 r = TRY(shipper::call(c));
    const usize n = c.slot().out_len < size ? c.slot().out_len : size;
    TRY(copy_to_user(a.a[2], c.data(), n));
    return u64(r);
}

// Two new handles (a pipe's ends, a socket pair) installed as two fds written to user_fds.
static Result<u64> do_pair(u32 op, u64 arg, u64 user_fds, bool cloexec, u32 mode, bool rw) {
    shipper::Call c = shipper::begin(op, 0);
    c.slot().args[0] = arg;
    TRY(shipper::call(c));
    const u32 ends[2] = {c.slot().new_handle, c.slot().new_handle2};
    int fds[2] = {-1, -1};
    Errno failure = Errno::none;
    for (int i = 0; i < 2; i++) {
        Result<OpenFile*> f = kernel::make_open_file(ends[i], mode, rw ? 2 : u32(i), nullptr);
        if (f.is_error()) {
            shipper::release(ends[i]);
            failure = f.error();
            continue;
        }
        Result<int> fd = kernel::install_fd(f.value(), cloexec);
        if (fd.is_error()) {
            kernel::retain(f.value());
            kernel::put(f.value());
            failure = fd.error();
            continue;
        }
        fds[i] = fd.value();
    }
    if (failure == Errno::none) {
        const i32 out[2] = {fds[0], fds[1]};
        if (copy_to_user(user_fds, out, sizeof out).is_ok()) return 0;
        failure = Errno::EFAULT;
    }
    for (int fd : fds)
        if (fd >= 0) (void)kernel::close_fd(fd);
    return failure;
}

static Result<u64> do_pipe(u64 user_fds, u64 flags) {
    if (flags & ~u64(LINUX_O_CLOEXEC | LINUX_O_NONBLOCK)) return Errno::EINVAL;
    return do_pair(JVMOS_SHIP_PIPE, flags & LINUX_O_NONBLOCK, user_fds, flags & LINUX_O_CLOEXEC,
                   0010000 /* S_IFIFO */, false);
}

Result<u64> sys_pipe(SyscallArgs& a) { return do_pipe(a.a[0], 0); }
Result<u64> sys_pipe2(SyscallArgs& a) { return do_pipe(a.a[0], a.a[1]); }

Result<u64> sys_socketpair(SyscallArgs& a) {
    constexpr u64 AF_UNIX = 1, SOCK_NONBLOCK = 04000, SOCK_CLOEXEC = 02000000;
    const u64 domain = a.a[0], type = a.a[1], protocol = a.a[2];
    if (domain != AF_UNIX) return Errno::EAFNOSUPPORT;
    if (protocol != 0) return Errno::EPROTONOSUPPORT;
    const u64 base = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (base != 1 && base != 2 && base != 5) return Errno::EINVAL; // STREAM, DGRAM, SEQPACKET
    return do_pair(JVMOS_SHIP_SOCKETPAIR, type & ~SOCK_CLOEXEC, a.a[3], type & SOCK_CLOEXEC,
                   0140000 /* S_IFSOCK */, true);
}

} // namespace jvmos::shim

namespace jvmos::shim {

// copy_file_range and sendfile between two shipped files: one shipped call per step, and the
// bytes never leave the proxy (the proxy runs copy_file_range on the host).
static Result<u64> do_copy_range(i64 fd_in, u64 off_in_ptr, i64 fd_out, u64 off_out_ptr,
                                 u64 len, bool sendfile) {
    OpenFile* in = TRY(kernel::file_of(fd_in));
    OpenFile* out = TRY(kernel::file_of(fd_out));
    if (in->memfd || out->memfd) return Errno::EINVAL; // TODO: copies to and from memfds
    if (in->procfs || out->procfs) return Errno::EINVAL; // TODO: sendfile from /proc files
    i64 in_off = -1, out_off = -1;
    if (off_in_ptr) {
        in_off = TRY(UserPtr<i64>(off_in_ptr).read());
        if (in_off < 0) return Errno::EINVAL;
    }
    if (off_out_ptr) {
        out_off = TRY(UserPtr<i64>(off_out_ptr).read());
        if (out_off < 0) return Errno::EINVAL;
    }
    u64 done = 0;
    while (done < len) {
        shipper::Call c = shipper::begin(JVMOS_SHIP_COPY_RANGE, in->handle);
        c.slot().handle2 = out->handle;
        c.slot().args[0] = u64(in_off < 0 ? -1 : in_off + i64(done));
        c.slot().args[1] = u64(out_off < 0 ? -1 : out_off + i64(done));
        c.slot().args[2] = len - done;
        Result<i64> r = shipper::call(c);
        if (r.is_error()) {
            if (done) break;
            return sendfile ? raise_sigpipe_if_default(r.error()) : r.error();
        }
        if (r.value() == 0) break; // end of the input
        done += u64(r.value());
    }
    if (off_in_ptr) TRY(UserPtr<i64>(off_in_ptr).write(in_off + i64(done)));
    if (off_out_ptr) TRY(UserPtr<i64>(off_out_ptr).write(out_off + i64(done)));
    return done;
}

Result<u64> sys_copy_file_range(SyscallArgs& a) {
    if (a.a[5] != 0) return Errno::EINVAL; // flags: none defined
    return do_copy_range(i64(a.a[0]), a.a[1], i64(a.a[2]), a.a[3], a.a[4], false);
}

Result<u64> sys_sendfile(SyscallArgs& a) {
    return do_copy_range(i64(a.a[1]), a.a[2], i64(a.a[0]), 0, a.a[3], true);
}

} // namespace jvmos::shim
