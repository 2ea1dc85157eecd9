// TEMPORARY stdio path (removed when the shipper lands): read/write/writev on fds 0-2 go to the
// monitor's own stdio through the hypercall port, one exit per 64 KiB chunk. No other file
// descriptor exists yet, so every other fd is EBADF.
#include "base/string.h"
#include "kernel/host.h"
#include "kernel/process.h"
#include "shim/syscall.h"
#include "shim/user_ptr.h"

namespace jvmos::shim {
namespace {

constexpr int SIGPIPE = 13;
constexpr u64 SIG_IGN = 1;
constexpr u64 IOV_MAX = 1024;

struct Iovec {
    u64 base;
    u64 len;
};

bool valid_fd(u64 fd) { return fd <= 2; }

// Writes `n` bytes already in the bounce buffer. A closed pipe raises SIGPIPE as on Linux
// (default action: the program dies quietly with 128 + 13).
Result<u64> host_write(u64 fd, usize n) {
    const i64 r = kernel::host_request(JVMOS_HOST_STDIO_WRITE, fd,
                                       kernel::kernel_va_to_gpa(kernel::stdio_bounce_buffer()), n);
    if (r == -i64(Errno::EPIPE) && kernel::current_process().actions[SIGPIPE].handler == 0)
        kernel::kill_process(SIGPIPE, nullptr, 0);
    if (r < 0) return Errno(-r);
    return u64(r);
}

} // namespace

Result<u64> sys_write(SyscallArgs& args) {
    const u64 fd = args.a[0], buf = args.a[1], count = args.a[2];
    if (!valid_fd(fd)) return Errno::EBADF;
    u8* bounce = kernel::stdio_bounce_buffer();
    u64 done = 0;
    while (done < count) {
        const usize n = count - done < kernel::STDIO_BOUNCE_SIZE ? usize(count - done)
                                                                 : kernel::STDIO_BOUNCE_SIZE;
        Result<void> c = copy_from_user(bounce, buf + done, n);
        if (c.is_error()) return done ? Result<u64>(done) : Result<u64>(c.error());
        Result<u64> w = host_write(fd, n);
        if (w.is_error()) return done ? Result<u64>(done) : w;
        done += w.value();
        if (w.value() < n) break;
    }
    return done;
}

Result<u64> sys_writev(SyscallArgs& args) {
    const u64 fd = args.a[0], iov = args.a[1], iovcnt = args.a[2];
    if (!valid_fd(fd)) return Errno::EBADF;
    if (iovcnt > IOV_MAX) return Errno::EINVAL;
    Iovec vecs[IOV_MAX];
    TRY(copy_from_user(vecs, iov, iovcnt * sizeof(Iovec)));
    u64 total = 0;
    for (u64 i = 0; i < iovcnt; i++) {
        if (vecs[i].len > u64(INT64_MAX) - total) return Errno::EINVAL;
        total += vecs[i].len;
    }
    // Gather into the bounce buffer, flushing whenever it fills.
    u8* bounce = kernel::stdio_bounce_buffer();
    usize fill = 0;
    u64 done = 0;
    for (u64 i = 0; i < iovcnt; i++) {
        u64 off = 0;
        while (off < vecs[i].len) {
            usize n = kernel::STDIO_BOUNCE_SIZE - fill;
            if (n > vecs[i].len - off) n = usize(vecs[i].len - off);
            Result<void> c = copy_from_user(bounce + fill, vecs[i].base + off, n);
            if (c.is_error()) {
                if (fill) {
                    Result<u64> w = host_write(fd, fill);
                    if (w.is_ok()) done += w.value();
                }
                return done ? Result<u64>(done) : Result<u64>(c.error());
            }
            fill += n;
            off += n;
            if (fill == kernel::STDIO_BOUNCE_SIZE) {
                Result<u64> w = host_write(fd, fill);
                if (w.is_error()) return done ? Result<u64>(done) : w;
                done += w.value();
                if (w.value() < fill) return done;
                fill = 0;
            }
        }
    }
    if (fill) {
        Result<u64> w = host_write(fd, fill);
        if (w.is_error()) return done ? Result<u64>(done) : w;
        done += w.value();
    }
    return done;
}

Result<u64> sys_read(SyscallArgs& args) {
    const u64 fd = args.a[0], buf = args.a[1], count = args.a[2];
    if (!valid_fd(fd)) return Errno::EBADF;
    if (count == 0) return 0;
    const usize n = count < kernel::STDIO_BOUNCE_SIZE ? usize(count) : kernel::STDIO_BOUNCE_SIZE;
    // Check the destination first so that bytes taken from stdin are never lost to EFAULT.
    u8 probe = 0;
    TRY(copy_to_user(buf, &probe, 0));
    u8* bounce = kernel::stdio_bounce_buffer();
    const i64 r = kernel::host_request(JVMOS_HOST_STDIO_READ, fd, kernel::kernel_va_to_gpa(bounce), n);
    if (r < 0) return Errno(-r);
    TRY(copy_to_user(buf, bounce, usize(r)));
    return u64(r);
}

} // namespace jvmos::shim
