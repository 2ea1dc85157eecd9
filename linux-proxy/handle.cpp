#include "handle.h"

#include "host_calls.h"
#include "session.h"

#include <capnp/orphan.h>
#include <kj/debug.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/statfs.h>
#include <unistd.h>

namespace jvmos::proxy {

namespace {

constexpr uint32_t MAX_IO = proto::MAX_IO;
// The offset of read/write (the file position) as opposed to pread/pwrite's (never negative).
constexpr int64_t AT_POSITION = -1;

// The kernel's O_LARGEFILE (musl passes it; glibc's x86-64 O_LARGEFILE macro is 0). 64-bit
// offsets are all the proxy knows, so it changes nothing.
constexpr int LINUX_O_LARGEFILE = 0100000;

// Every O_* flag openAt understands (Linux x86-64 values). O_ASYNC is refused: it would send
// SIGIO to the proxy.
constexpr int KNOWN_OPEN_FLAGS = O_ACCMODE | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND |
                                 O_NONBLOCK | O_DSYNC | O_DIRECT | LINUX_O_LARGEFILE |
                                 O_DIRECTORY | O_NOFOLLOW | O_NOATIME | O_CLOEXEC | O_SYNC |
                                 O_PATH | O_TMPFILE;
// The status flags F_SETFL can change (Linux ignores the others it is given).
constexpr int SETTABLE_STATUS_FLAGS = O_APPEND | O_NONBLOCK | O_DIRECT | O_NOATIME;

// O_TMPFILE without its O_DIRECTORY part (glibc's O_TMPFILE and __O_TMPFILE include it).
constexpr int TMPFILE_BIT = O_TMPFILE & ~O_DIRECTORY;

constexpr int AT_FLAGS_STAT = AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH;

// The errno of a failed call, or EIO if errno was (impossibly) left 0.
int current_errno() { return errno != 0 ? errno : EIO; }

// A job that returns ECANCELED was interrupted (Handle.interrupt): a cancelled one has no
// caller left to tell. The guest sees what Linux's interrupted call gives: EINTR.
int interrupted_errno(int error) { return error == ECANCELED ? EINTR : error; }

Result<struct stat> stat_fd(int fd) {
    struct stat st;
    if (fstat(fd, &st) != 0) return last_errno();
    return kj::mv(st);
}

// The path of `fd` through /proc/self/fd: an operation on it reaches exactly the object `fd`
// refers to (an O_PATH fd included), with no lookup a guest could race.
kj::String proc_fd_path(int fd) { return kj::str("/proc/self/fd/", fd); }

bool writes(int flags) { return (flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC) != 0; }

// Linux applies a read-only mount to regular files, directories and symlinks; FIFOs, sockets
// and device nodes on it stay writable (the write goes to a pipe or a device, not the fs).
bool read_only_applies(mode_t mode) { return S_ISREG(mode) || S_ISDIR(mode) || S_ISLNK(mode); }

bool is_read_only(const Mount* mount) { return mount != nullptr && mount->read_only; }

} // namespace

// Completion of a read or write that ran on a worker.
struct HandleImpl::IoOutcome {
    int error = 0;
    size_t length = 0;        // bytes read or written
    kj::Array<kj::byte> data; // reads: the buffer (length valid bytes)
};

HandleImpl::HandleImpl(kj::Own<SessionState> session, kj::Own<const HostFd> fd,
                       const struct stat& st, int open_flags, HandleKind kind, const Mount* mount,
                       GuestPath guest)
    : m_session(kj::mv(session)), m_fd(kj::mv(fd)), m_type(st.st_mode & S_IFMT), m_dev(st.st_dev),
      m_path_only((open_flags & O_PATH) != 0), m_kind(kind), m_mount(mount),
      m_guest(kj::mv(guest)) {}

bool HandleImpl::may_block() const {
    return S_ISFIFO(m_type) || S_ISSOCK(m_type) || S_ISCHR(m_type);
}

bool HandleImpl::cannot_block(Direction direction) const {
    int flags = fcntl(m_fd->get(), F_GETFL);
    if (flags < 0 || (flags & (O_NONBLOCK | O_PATH)) != 0) return true; // fails or never waits
    // The wrong direction fails at once (EBADF); polling for it would wait forever.
    int access = flags & O_ACCMODE;
    return direction == Direction::IN ? access == O_WRONLY : access == O_RDONLY;
}

StartDir HandleImpl::start_dir() const { return StartDir{m_fd->get(), m_mount, m_dev, m_guest}; }

Result<Lookup> HandleImpl::lookup(kj::StringPtr path, FollowLast follow) const {
    JVMOS_PROXY_TRY(check_path_text(path));
    bool relative = path.size() > 0 && path[0] != '/';
    if (relative && (!S_ISDIR(m_type) || m_mount == nullptr)) return Errno{ENOTDIR};
    return m_session->resolver().lookup(start_dir(), path, follow);
}

HandleImpl* HandleImpl::of_this_session(kj::Maybe<HandleImpl&> other) const {
    KJ_IF_MAYBE (handle, other) {
        if (handle->m_session.get() == m_session.get()) return handle;
    }
    return nullptr;
}

// ---- I/O -----------------------------------------------------------------------------------

template <typename Context>
kj::Promise<void> HandleImpl::read_common(Context context, uint32_t count,
                                          int64_t offset, uint64_t token) {
    auto results = context.getResults();
    if (count > MAX_IO) {
        results.setErrno(EINVAL);
        return kj::READY_NOW;
    }
    int fd = m_fd->get();
    bool inline_ok = !may_block() || cannot_block(Direction::IN) || ready_now(fd, POLLIN);
    if (!inline_ok && m_emulated_nonblock) {
        results.setErrno(EAGAIN);
        return kj::READY_NOW;
    }
    if (inline_ok) {
        // Small counts go straight into the reply's buffer. A large count is read in two steps
        // so that a short read (a small file, a pipe) does not cost a zeroed 1 MiB reply buffer:
        // first up to STAGE bytes into scratch memory; only if that fills, the reply buffer
        // gets the rest too (regular files and directories only: there it cannot wait).
        auto orphanage = capnp::Orphanage::getForMessageContaining(results);
        auto read_at = [fd, offset](kj::byte* into, size_t size, size_t done) {
            return offset == AT_POSITION ? ::read(fd, into, size)
                                         : ::pread(fd, into, size, offset + int64_t(done));
        };
        constexpr size_t STAGE = 65536;
        if (count <= STAGE) {
            auto data = orphanage.template newOrphan<capnp::Data>(count);
            ssize_t n = read_at(data.get().begin(), count, 0);
            if (n < 0) {
                results.setErrno(current_errno());
                return kj::READY_NOW;
            }
            data.truncate(n);
            results.adoptData(kj::mv(data));
            return kj::READY_NOW;
        }
        auto scratch = kj::heapArray<kj::byte>(STAGE);
        ssize_t first = read_at(scratch.begin(), STAGE, 0);
        if (first < 0) {
            results.setErrno(current_errno());
            return kj::READY_NOW;
        }
        if (size_t(first) < STAGE || may_block()) {
            results.setData(scratch.slice(0, first));
            return kj::READY_NOW;
        }
        auto data = orphanage.template newOrphan<capnp::Data>(count);
        memcpy(data.get().begin(), scratch.begin(), STAGE);
        ssize_t rest = read_at(data.get().begin() + STAGE, count - STAGE, STAGE);
        data.truncate(STAGE + size_t(kj::max(rest, ssize_t(0)))); // an error after data: short
        results.adoptData(kj::mv(data));
        return kj::READY_NOW;
    }
    // Blocking mode, nothing to read yet: wait on a worker.
    auto job = [fd = kj::atomicAddRef(*m_fd), count,
                offset](const BlockingCall& call) mutable -> IoOutcome {
        IoOutcome out;
        out.data = kj::heapArray<kj::byte>(count);
        for (;;) {
            if (!call.wait_ready(fd->get(), POLLIN)) {
                out.error = ECANCELED;
                return out;
            }
            ssize_t n = offset == AT_POSITION ? ::read(fd->get(), out.data.begin(), count)
                                              : ::pread(fd->get(), out.data.begin(), count, offset);
            if (n >= 0) {
                out.length = n;
                return out;
            }
            // Another reader of a shared description took the data, or the guest made it
            // non-blocking meanwhile: wait again.
            if (errno == EINTR || errno == EAGAIN) continue;
            out.error = current_errno();
            return out;
        }
    };
    return m_session->pool()
        .run<IoOutcome>(kj::mv(job), nullptr, token)
        .then([context](IoOutcome out) mutable {
            auto results = context.getResults();
            if (out.error != 0) {
                results.setErrno(interrupted_errno(out.error));
            } else {
                results.setData(out.data.slice(0, out.length));
            }
        })
        .attach(kj::addRef(*m_session));
}

template <typename Context>
kj::Promise<void> HandleImpl::write_common(Context context, int64_t offset, uint64_t token) {
    auto data = context.getParams().getData();
    if (data.size() > MAX_IO) {
        context.getResults().setErrno(EINVAL);
        return kj::READY_NOW;
    }
    int fd = m_fd->get();
    auto write_at = [offset](int fd, const kj::byte* bytes, size_t size, size_t done) {
        return offset == AT_POSITION ? ::write(fd, bytes, size)
                                     : ::pwrite(fd, bytes, size, offset + int64_t(done));
    };
    if (!may_block() || cannot_block(Direction::OUT)) {
        ssize_t n = write_at(fd, data.begin(), data.size(), 0);
        auto results = context.getResults();
        if (n < 0) {
            results.setErrno(current_errno());
        } else {
            results.setWritten(n);
        }
        return kj::READY_NOW;
    }
    if (m_emulated_nonblock) {
        // The host description is blocking: write only what cannot block (one PIPE_BUF).
        auto results = context.getResults();
        if (!ready_now(fd, POLLOUT)) {
            results.setErrno(EAGAIN);
            return kj::READY_NOW;
        }
        ssize_t n = write_at(fd, data.begin(), kj::min(data.size(), size_t(PIPE_BUF)), 0);
        if (n < 0) {
            results.setErrno(current_errno());
        } else {
            results.setWritten(n);
        }
        return kj::READY_NOW;
    }
    // Blocking semantics: write what fits now, in chunks that cannot block, and hand the rest
    // to a worker. A failure after some bytes were written reports the bytes, as Linux does.
    size_t done = 0;
    while (done < data.size() && ready_now(fd, POLLOUT)) {
        size_t chunk = kj::min(data.size() - done, size_t(PIPE_BUF));
        ssize_t n = write_at(fd, data.begin() + done, chunk, done);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN) break;
            auto results = context.getResults();
            if (done > 0) {
                results.setWritten(done);
            } else {
                results.setErrno(current_errno());
            }
            return kj::READY_NOW;
        }
        done += n;
    }
    if (done == data.size()) {
        context.getResults().setWritten(done);
        return kj::READY_NOW;
    }
    auto rest = kj::heapArray<kj::byte>(data.slice(done, data.size()));
    auto job = [fd = kj::atomicAddRef(*m_fd), rest = kj::mv(rest), done,
                write_at](const BlockingCall& call) mutable -> IoOutcome {
        IoOutcome out;
        size_t written = 0;
        while (written < rest.size()) {
            if (!call.wait_ready(fd->get(), POLLOUT)) break;
            size_t chunk = kj::min(rest.size() - written, size_t(PIPE_BUF));
            ssize_t n = write_at(fd->get(), rest.begin() + written, chunk, done + written);
            if (n < 0) {
                if (errno == EINTR || errno == EAGAIN) continue;
                if (done + written == 0) out.error = current_errno();
                break;
            }
            written += n;
        }
        out.length = done + written;
        if (out.length == 0 && out.error == 0) out.error = ECANCELED;
        return out;
    };
    return m_session->pool()
        .run<IoOutcome>(kj::mv(job), nullptr, token)
        .then([context](IoOutcome out) mutable {
            auto results = context.getResults();
            if (out.error != 0) {
                results.setErrno(interrupted_errno(out.error));
            } else {
                results.setWritten(out.length);
            }
        })
        .attach(kj::addRef(*m_session));
}

kj::Promise<void> HandleImpl::read(ReadContext context) {
    uint32_t count = context.getParams().getCount();
    uint64_t token = context.getParams().getToken();
    return read_common(kj::mv(context), count, AT_POSITION, token);
}

kj::Promise<void> HandleImpl::pread(PreadContext context) {
    auto params = context.getParams();
    uint32_t count = params.getCount();
    int64_t offset = params.getOffset();
    if (offset < 0) {
        context.getResults().setErrno(EINVAL);
        return kj::READY_NOW;
    }
    return read_common(kj::mv(context), count, offset, 0);
}

kj::Promise<void> HandleImpl::write(WriteContext context) {
    uint64_t token = context.getParams().getToken();
    return write_common(kj::mv(context), AT_POSITION, token);
}

kj::Promise<void> HandleImpl::pwrite(PwriteContext context) {
    int64_t offset = context.getParams().getOffset();
    if (offset < 0) {
        context.getResults().setErrno(EINVAL);
        return kj::READY_NOW;
    }
    return write_common(kj::mv(context), offset, 0);
}

kj::Promise<void> HandleImpl::seek(SeekContext context) {
    auto params = context.getParams();
    auto results = context.getResults();
    off_t position = lseek(m_fd->get(), params.getOffset(), params.getWhence());
    if (position < 0) {
        results.setErrno(current_errno());
    } else {
        results.setPosition(position);
    }
    return kj::READY_NOW;
}

// ---- metadata ------------------------------------------------------------------------------

kj::Promise<void> HandleImpl::stat(StatContext context) {
    auto results = context.getResults();
    struct stat st;
    if (fstat(m_fd->get(), &st) != 0) {
        results.setErrno(current_errno());
    } else {
        fill_stat(results.initStat(), st);
    }
    return kj::READY_NOW;
}

kj::Promise<void> HandleImpl::statfs(StatfsContext context) {
    auto results = context.getResults();
    struct statfs fs;
    if (fstatfs(m_fd->get(), &fs) != 0) {
        results.setErrno(current_errno());
    } else {
        fill_statfs(results.initStatfs(), fs, read_only_mount());
    }
    return kj::READY_NOW;
}

kj::Promise<void> HandleImpl::truncate(TruncateContext context) {
    // The fd is writable only if its mount is not read-only (openAt saw to it): the kernel's
    // EBADF/EINVAL for a read-only fd is Linux's answer on a read-only mount too.
    if (ftruncate(m_fd->get(), context.getParams().getLength()) != 0) {
        context.getResults().setErrno(current_errno());
    }
    return kj::READY_NOW;
}

kj::Promise<void> HandleImpl::sync(SyncContext context) {
    bool data_only = context.getParams().getDataOnly();
    auto job = [fd = kj::atomicAddRef(*m_fd), data_only](const BlockingCall&) -> int {
        int rc = data_only ? fdatasync(fd->get()) : fsync(fd->get());
        return rc == 0 ? 0 : current_errno();
    };
    return m_session->pool()
        .run<int>(kj::mv(job))
        .then([context](int error) mutable { context.getResults().setErrno(error); })
        .attach(kj::addRef(*m_session));
}

kj::Promise<void> HandleImpl::flock(FlockContext context) {
    uint32_t operation = context.getParams().getOperation();
    uint32_t base = operation & ~uint32_t(LOCK_NB);
    if (base != LOCK_SH && base != LOCK_EX && base != LOCK_UN) {
        context.getResults().setErrno(EINVAL);
        return kj::READY_NOW;
    }
    int fd = m_fd->get();
    // First without waiting; LOCK_NB and LOCK_UN never wait.
    if (::flock(fd, int(base) | LOCK_NB) == 0) return kj::READY_NOW;
    if (errno != EWOULDBLOCK || (operation & LOCK_NB) != 0 || base == LOCK_UN) {
        context.getResults().setErrno(current_errno());
        return kj::READY_NOW;
    }
    auto job = [fd = kj::atomicAddRef(*m_fd), base](const BlockingCall& call) -> int {
        int pause_ms = 1;
        for (;;) {
            if (::flock(fd->get(), int(base) | LOCK_NB) == 0) return 0;
            if (errno != EWOULDBLOCK && errno != EINTR) return current_errno();
            if (!call.sleep(pause_ms)) return ECANCELED;
            pause_ms = kj::min(pause_ms * 2, 50);
        }
    };
    return m_session->pool()
        .run<int>(kj::mv(job), nullptr, context.getParams().getToken())
        .then([context](int error) mutable {
            context.getResults().setErrno(interrupted_errno(error));
        })
        .attach(kj::addRef(*m_session));
}

kj::Promise<void> HandleImpl::interrupt(InterruptContext context) {
    m_session->pool().interrupt_call(context.getParams().getToken());
    return kj::READY_NOW;
}

kj::Promise<void> HandleImpl::getStatusFlags(GetStatusFlagsContext context) {
    auto results = context.getResults();
    int flags = fcntl(m_fd->get(), F_GETFL);
    if (flags < 0) {
        results.setErrno(current_errno());
    } else {
        if (m_emulated_nonblock) flags |= O_NONBLOCK;
        results.setFlags(flags);
    }
    return kj::READY_NOW;
}

kj::Promise<void> HandleImpl::setStatusFlags(SetStatusFlagsContext context) {
    auto results = context.getResults();
    int flags = int(context.getParams().getFlags());
    if ((flags & ~KNOWN_OPEN_FLAGS) != 0) {
        results.setErrno(EINVAL);
        return kj::READY_NOW;
    }
    int current = fcntl(m_fd->get(), F_GETFL);
    if (current < 0) {
        results.setErrno(current_errno());
        return kj::READY_NOW;
    }
    if (m_kind == HandleKind::STDIO) {
        // Shared with the shell that started us: keep O_NONBLOCK here, change nothing there.
        int others = SETTABLE_STATUS_FLAGS & ~O_NONBLOCK;
        if ((flags & others) != (current & others)) {
            results.setErrno(EPERM);
            return kj::READY_NOW;
        }
        m_emulated_nonblock = (flags & O_NONBLOCK) != 0 && (current & O_NONBLOCK) == 0;
        return kj::READY_NOW;
    }
    int next = (current & ~SETTABLE_STATUS_FLAGS) | (flags & SETTABLE_STATUS_FLAGS);
    if (fcntl(m_fd->get(), F_SETFL, next) != 0) results.setErrno(current_errno());
    return kj::READY_NOW;
}

kj::Promise<void> HandleImpl::ioctl(IoctlContext context) {
    auto params = context.getParams();
    auto results = context.getResults();
    if (params.getArg().size() > MAX_IO) {
        results.setErrno(EINVAL);
        return kj::READY_NOW;
    }
    IoctlOutcome out = host_ioctl(m_fd->get(), params.getRequest());
    if (out.error != 0) {
        results.setErrno(out.error);
    } else {
        results.setResult(out.result);
        results.setArg(out.arg);
    }
    return kj::READY_NOW;
}

kj::Promise<void> HandleImpl::chmod(ChmodContext context) {
    auto results = context.getResults();
    if (m_path_only) {
        results.setErrno(EBADF); // fchmod on an O_PATH fd
    } else if (read_only_mount()) {
        results.setErrno(EROFS);
    } else if (fchmod(m_fd->get(), context.getParams().getMode() & 07777) != 0) {
        results.setErrno(current_errno());
    }
    return kj::READY_NOW;
}

kj::Promise<void> HandleImpl::getdents(GetdentsContext context) {
    auto results = context.getResults();
    uint32_t max_bytes = context.getParams().getMaxBytes();
    if (max_bytes == 0 || max_bytes > MAX_IO) {
        results.setErrno(EINVAL);
        return kj::READY_NOW;
    }
    auto data =
        capnp::Orphanage::getForMessageContaining(results).newOrphan<capnp::Data>(max_bytes);
    ssize_t n = getdents64(m_fd->get(), data.get().begin(), max_bytes);
    if (n < 0) {
        results.setErrno(current_errno());
        return kj::READY_NOW;
    }
    data.truncate(n);
    results.adoptData(kj::mv(data));
    return kj::READY_NOW;
}

// ---- path calls ----------------------------------------------------------------------------

void HandleImpl::reply_open(OpenAtContext& context, kj::AutoCloseFd fd, int flags,
                            const Mount* mount, GuestPath guest) {
    auto results = context.getResults();
    struct stat st;
    if (fstat(fd, &st) != 0) {
        results.setErrno(current_errno());
        return;
    }
    fill_stat(results.initStat(), st);
    auto host_fd = kj::atomicRefcounted<HostFd>(kj::mv(fd));
    results.setHandle(m_session->add(kj::heap<HandleImpl>(kj::addRef(*m_session), kj::mv(host_fd),
                                                          st, flags, HandleKind::PATH, mount,
                                                          kj::mv(guest))));
}

kj::Promise<void> HandleImpl::openAt(OpenAtContext context) {
    auto params = context.getParams();
    kj::StringPtr path = params.getPath();
    int flags = int(params.getFlags());
    mode_t mode = params.getMode() & 07777;
    auto fail = [&](int error) {
        context.getResults().setErrno(error);
        return kj::Promise<void>(kj::READY_NOW);
    };

    if ((flags & ~KNOWN_OPEN_FLAGS) != 0 || (flags & O_ACCMODE) == O_ACCMODE) return fail(EINVAL);
    bool tmpfile = (flags & O_TMPFILE) == O_TMPFILE;
    if ((flags & TMPFILE_BIT) != 0 && !tmpfile) return fail(EINVAL); // needs O_DIRECTORY
    if (tmpfile && ((flags & O_ACCMODE) == O_RDONLY || (flags & O_CREAT) != 0)) return fail(EINVAL);
    if (!tmpfile && (flags & (O_CREAT | O_DIRECTORY)) == (O_CREAT | O_DIRECTORY))
        return fail(EINVAL);
    if ((flags & O_PATH) != 0) flags &= O_PATH | O_DIRECTORY | O_NOFOLLOW; // Linux ignores the rest
    bool create = (flags & O_CREAT) != 0;
    bool exclusive = create && (flags & O_EXCL) != 0;
    // What the host open gets: never a controlling terminal, never inherited by a child.
    int host_flags = (flags & ~(O_CLOEXEC | O_NOCTTY)) | O_CLOEXEC | O_NOCTTY;

    // A lookup and the open are separate steps: a name a guest changes in between makes the
    // open fail (O_NOFOLLOW: ELOOP; O_CREAT: EEXIST); the lookup is then retried.
    for (int attempt = 0;; ++attempt) {
        bool last_attempt = attempt == 2;
        FollowLast follow =
            (flags & O_NOFOLLOW) != 0 || exclusive ? FollowLast::NO : FollowLast::YES;
        auto looked = lookup(path, follow);
        if (!looked.ok()) return fail(looked.error());
        Lookup& found = looked.value();

        if (tmpfile) {
            if (!found.exists()) return fail(ENOENT);
            if (!S_ISDIR(found.target_stat.st_mode)) return fail(ENOTDIR);
            if (is_read_only(found.target_mount)) return fail(EROFS);
            int fd = openat(found.target, ".", host_flags, mode);
            if (fd < 0) return fail(current_errno());
            reply_open(context, kj::AutoCloseFd(fd), flags, found.target_mount,
                       kj::mv(found.guest));
            return kj::READY_NOW;
        }

        if (!found.exists()) {
            if (!create) return fail(ENOENT);
            if (found.trailing_slash) return fail(EISDIR);
            if (is_read_only(found.parent_mount)) return fail(EROFS);
            int fd = openat(found.parent, found.name.cStr(), host_flags | O_NOFOLLOW, mode);
            if (fd < 0) {
                if (errno == EEXIST && !exclusive && !last_attempt) continue; // raced a creator
                return fail(current_errno());
            }
            reply_open(context, kj::AutoCloseFd(fd), flags, found.parent_mount,
                       kj::mv(found.guest));
            return kj::READY_NOW;
        }

        if (exclusive) return fail(EEXIST);
        mode_t type = found.target_stat.st_mode & S_IFMT;
        bool named = found.kind == LastKind::NAME && !found.is_mount_point;
        if ((flags & O_DIRECTORY) != 0 && !S_ISDIR(type)) return fail(ENOTDIR);
        if ((flags & O_PATH) != 0 && named) {
            // The lookup's own O_PATH fd is the answer (a symlink itself under O_NOFOLLOW).
            reply_open(context, kj::mv(found.target), flags, found.target_mount,
                       kj::mv(found.guest));
            return kj::READY_NOW;
        }
        if (S_ISLNK(type)) return fail(ELOOP); // O_NOFOLLOW on a symlink
        if (S_ISREG(type) && writes(flags) && is_read_only(found.target_mount)) return fail(EROFS);

        if (S_ISFIFO(type) && (flags & O_NONBLOCK) == 0 && (flags & O_ACCMODE) != O_RDWR) {
            return open_fifo(kj::mv(context), kj::mv(found), host_flags);
        }
        // ".", "..", "/" and mount roots are reopened through "." (never a dup: the new Handle
        // must not share a file description, and its offset, with another).
        int fd = named ? openat(found.parent, found.name.cStr(), host_flags | O_NOFOLLOW)
                       : openat(found.target, ".", host_flags);
        if (fd < 0) {
            if (errno == ELOOP && !last_attempt) continue; // became a symlink meanwhile
            return fail(current_errno());
        }
        reply_open(context, kj::AutoCloseFd(fd), flags, found.target_mount, kj::mv(found.guest));
        return kj::READY_NOW;
    }
}

// Opening a FIFO for reading or writing alone waits for the other end: on a worker. Cancelling
// the call opens the FIFO read-write (which never waits) to end that wait.
kj::Promise<void> HandleImpl::open_fifo(OpenAtContext context, Lookup found, int host_flags) {
    struct Opened {
        int error = 0;
        kj::AutoCloseFd fd;
    };
    auto parent = kj::atomicRefcounted<HostFd>(kj::mv(found.parent));
    auto fifo = kj::atomicRefcounted<HostFd>(kj::mv(found.target));
    auto job = [parent = kj::mv(parent), name = kj::mv(found.name),
                host_flags](const BlockingCall& call) -> Opened {
        Opened out;
        int fd = openat(parent->get(), name.cStr(), host_flags | O_NOFOLLOW);
        if (fd < 0) {
            out.error = current_errno();
        } else if (call.cancelled()) {
            close(fd);
            out.error = ECANCELED;
        } else {
            out.fd = kj::AutoCloseFd(fd);
        }
        return out;
    };
    auto wake = [fifo = kj::mv(fifo)]() {
        int other = open(proc_fd_path(fifo->get()).cStr(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
        if (other >= 0) close(other);
    };
    int flags = int(context.getParams().getFlags());
    return m_session->pool()
        .run<Opened>(kj::mv(job), kj::Function<void()>(kj::mv(wake)))
        .then([this, context, flags, mount = found.target_mount,
               guest = kj::mv(found.guest)](Opened out) mutable {
            if (out.error != 0) {
                context.getResults().setErrno(out.error);
                return;
            }
            reply_open(context, kj::mv(out.fd), flags, mount, kj::mv(guest));
        })
        .attach(kj::addRef(*m_session), thisCap());
}

kj::Promise<void> HandleImpl::statAt(StatAtContext context) {
    auto params = context.getParams();
    auto results = context.getResults();
    kj::StringPtr path = params.getPath();
    uint32_t flags = params.getFlags();
    if ((flags & ~uint32_t(AT_FLAGS_STAT)) != 0) {
        results.setErrno(EINVAL);
        return kj::READY_NOW;
    }
    if (path.size() == 0) {
        if ((flags & AT_EMPTY_PATH) == 0) {
            results.setErrno(ENOENT);
            return kj::READY_NOW;
        }
        auto st = stat_fd(m_fd->get());
        if (!st.ok()) {
            results.setErrno(st.error());
        } else {
            fill_stat(results.initStat(), st.value());
        }
        return kj::READY_NOW;
    }
    auto found =
        lookup(path, (flags & AT_SYMLINK_NOFOLLOW) != 0 ? FollowLast::NO : FollowLast::YES);
    if (!found.ok()) {
        results.setErrno(found.error());
    } else if (!found.value().exists()) {
        results.setErrno(ENOENT);
    } else {
        fill_stat(results.initStat(), found.value().target_stat);
    }
    return kj::READY_NOW;
}

kj::Promise<void> HandleImpl::readlinkAt(ReadlinkAtContext context) {
    auto params = context.getParams();
    auto results = context.getResults();
    kj::StringPtr path = params.getPath();
    uint32_t max_bytes = params.getMaxBytes();
    if (max_bytes == 0 || max_bytes > MAX_IO) {
        results.setErrno(EINVAL);
        return kj::READY_NOW;
    }
    int link_fd;
    Result<Lookup> found = Errno{ENOENT};
    if (path.size() == 0) {
        link_fd = m_fd->get(); // readlinkat(fd, ""): fd is an O_PATH|O_NOFOLLOW symlink
    } else {
        found = lookup(path, FollowLast::NO);
        if (!found.ok()) {
            results.setErrno(found.error());
            return kj::READY_NOW;
        }
        if (!found.value().exists()) {
            results.setErrno(ENOENT);
            return kj::READY_NOW;
        }
        if (!S_ISLNK(found.value().target_stat.st_mode)) {
            results.setErrno(EINVAL);
            return kj::READY_NOW;
        }
        link_fd = found.value().target;
    }
    auto buffer = kj::heapArray<char>(kj::min(max_bytes, uint32_t(MAX_PATH_BYTES + 1)));
    ssize_t n = readlinkat(link_fd, "", buffer.begin(), buffer.size());
    if (n < 0) {
        results.setErrno(current_errno());
    } else {
        results.setTarget(kj::arrayPtr(reinterpret_cast<const kj::byte*>(buffer.begin()), n));
    }
    return kj::READY_NOW;
}

kj::Promise<void> HandleImpl::accessAt(AccessAtContext context) {
    auto params = context.getParams();
    auto results = context.getResults();
    kj::StringPtr path = params.getPath();
    uint32_t mode = params.getMode();
    uint32_t flags = params.getFlags();
    if ((mode & ~uint32_t(F_OK | R_OK | W_OK | X_OK)) != 0 ||
        (flags & ~uint32_t(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) != 0) {
        results.setErrno(EINVAL);
        return kj::READY_NOW;
    }
    int object;
    mode_t type;
    const Mount* mount;
    Result<Lookup> found = Errno{ENOENT};
    if (path.size() == 0) {
        if ((flags & AT_EMPTY_PATH) == 0) {
            results.setErrno(ENOENT);
            return kj::READY_NOW;
        }
        object = m_fd->get();
        type = m_type;
        mount = m_mount;
    } else {
        found = lookup(path, (flags & AT_SYMLINK_NOFOLLOW) != 0 ? FollowLast::NO : FollowLast::YES);
        if (!found.ok()) {
            results.setErrno(found.error());
            return kj::READY_NOW;
        }
        if (!found.value().exists()) {
            results.setErrno(ENOENT);
            return kj::READY_NOW;
        }
        object = found.value().target;
        type = found.value().target_stat.st_mode & S_IFMT;
        mount = found.value().target_mount;
    }
    if ((mode & W_OK) != 0 && is_read_only(mount) && read_only_applies(type)) {
        results.setErrno(EROFS);
        return kj::READY_NOW;
    }
    if (faccessat(object, "", int(mode), AT_EMPTY_PATH | int(flags & AT_EACCESS)) != 0) {
        results.setErrno(current_errno());
    }
    return kj::READY_NOW;
}

kj::Promise<void> HandleImpl::mkdirAt(MkdirAtContext context) {
    auto params = context.getParams();
    auto results = context.getResults();
    auto found = lookup(params.getPath(), FollowLast::NEVER);
    if (!found.ok()) {
        results.setErrno(found.error());
        return kj::READY_NOW;
    }
    Lookup& at = found.value();
    if (at.kind != LastKind::NAME || at.exists()) {
        results.setErrno(EEXIST);
    } else if (is_read_only(at.parent_mount)) {
        results.setErrno(EROFS);
    } else if (mkdirat(at.parent, at.name.cStr(), params.getMode() & 07777) != 0) {
        results.setErrno(current_errno());
    }
    return kj::READY_NOW;
}

kj::Promise<void> HandleImpl::unlinkAt(UnlinkAtContext context) {
    auto params = context.getParams();
    auto results = context.getResults();
    uint32_t flags = params.getFlags();
    if ((flags & ~uint32_t(AT_REMOVEDIR)) != 0) {
        results.setErrno(EINVAL);
        return kj::READY_NOW;
    }
    bool rmdir = (flags & AT_REMOVEDIR) != 0;
    auto found = lookup(params.getPath(), FollowLast::NEVER);
    if (!found.ok()) {
        results.setErrno(found.error());
        return kj::READY_NOW;
    }
    Lookup& at = found.value();
    int error = 0;
    if (at.kind != LastKind::NAME) {
        // Linux: rmdir(".") EINVAL, rmdir("..") ENOTEMPTY, rmdir("/") EBUSY; unlink: EISDIR.
        error = !rmdir                         ? EISDIR
                : at.kind == LastKind::DOT    ? EINVAL
                : at.kind == LastKind::DOTDOT ? ENOTEMPTY
                                              : EBUSY;
    } else if (at.is_mount_point) {
        error = rmdir ? EBUSY : EISDIR;
    } else if (rmdir && m_session->mounts().has_mount_below(at.guest)) {
        error = EBUSY;
    } else if (is_read_only(at.parent_mount)) {
        error = EROFS;
    } else if (!at.exists()) {
        error = ENOENT;
    } else if (at.trailing_slash && !S_ISDIR(at.target_stat.st_mode)) {
        error = ENOTDIR;
    } else if (unlinkat(at.parent, at.name.cStr(), rmdir ? AT_REMOVEDIR : 0) != 0) {
        error = current_errno();
    }
    results.setErrno(error);
    return kj::READY_NOW;
}

kj::Promise<void> HandleImpl::renameAt(RenameAtContext context) {
    auto params = context.getParams();
    uint32_t flags = params.getFlags();
    if ((flags & ~uint32_t(RENAME_NOREPLACE | RENAME_EXCHANGE)) != 0 ||
        (flags & (RENAME_NOREPLACE | RENAME_EXCHANGE)) == (RENAME_NOREPLACE | RENAME_EXCHANGE)) {
        context.getResults().setErrno(EINVAL);
        return kj::READY_NOW;
    }
    auto new_dir = params.getNewDir();
    auto recognized = m_session->local_handle(new_dir);
    return recognized.then([this, context, flags, new_dir = kj::mv(new_dir)](
                               kj::Maybe<HandleImpl&> other) mutable {
        auto params = context.getParams();
        auto results = context.getResults();
        HandleImpl* target_dir = of_this_session(other);
        if (target_dir == nullptr) {
            results.setErrno(EBADF); // not a Handle of this session
            return;
        }
        auto from = lookup(params.getOldPath(), FollowLast::NEVER);
        if (!from.ok()) {
            results.setErrno(from.error());
            return;
        }
        auto to = target_dir->lookup(params.getNewPath(), FollowLast::NEVER);
        if (!to.ok()) {
            results.setErrno(to.error());
            return;
        }
        Lookup& a = from.value();
        Lookup& b = to.value();
        const MountTable& mounts = m_session->mounts();
        int error = 0;
        if (a.kind != LastKind::NAME || b.kind != LastKind::NAME || a.is_mount_point ||
            b.is_mount_point || mounts.has_mount_below(a.guest) ||
            mounts.has_mount_below(b.guest)) {
            error = EBUSY;
        } else if (a.parent_mount != b.parent_mount) {
            error = EXDEV;
        } else if (is_read_only(a.parent_mount)) {
            error = EROFS;
        } else if (!a.exists()) {
            error = ENOENT;
        } else if ((a.trailing_slash || b.trailing_slash) && !S_ISDIR(a.target_stat.st_mode)) {
            error = ENOTDIR;
        } else if (renameat2(a.parent, a.name.cStr(), b.parent, b.name.cStr(), flags) != 0) {
            error = current_errno();
        }
        results.setErrno(error);
    }).attach(thisCap());
}

kj::Promise<void> HandleImpl::copyRange(CopyRangeContext context) {
    auto target = context.getParams().getTarget();
    auto recognized = m_session->local_handle(target);
    return recognized.then([this, context, target = kj::mv(target)](
                               kj::Maybe<HandleImpl&> other) mutable {
        auto params = context.getParams();
        auto results = context.getResults();
        HandleImpl* out = of_this_session(other);
        if (out == nullptr) {
            results.setErrno(EBADF); // not a Handle of this session
            return;
        }
        if (out->read_only_mount()) {
            results.setErrno(EBADF); // opened read-only on a read-only mount, as Linux says
            return;
        }
        int64_t in_off = params.getInOffset(), out_off = params.getOutOffset();
        if (in_off < -1 || out_off < -1) {
            results.setErrno(EINVAL);
            return;
        }
        // One bounded step per call (the guest loops): a huge copy must not hold the event
        // loop for long. TODO(perf): run large copies on a worker.
        constexpr uint64_t STEP = 64ull << 20;
        const uint64_t len = kj::min(params.getLength(), STEP);
        loff_t in_pos = in_off, out_pos = out_off;
        ssize_t n = copy_file_range(m_fd->get(), in_off < 0 ? nullptr : &in_pos, out->m_fd->get(),
                                    out_off < 0 ? nullptr : &out_pos, len, 0);
        if (n < 0) {
            results.setErrno(current_errno());
            return;
        }
        results.setCopied(uint64_t(n));
    }).attach(thisCap());
}

kj::Promise<void> HandleImpl::chmodAt(ChmodAtContext context) {
    auto params = context.getParams();
    auto results = context.getResults();
    kj::StringPtr path = params.getPath();
    uint32_t flags = params.getFlags();
    if ((flags & ~uint32_t(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) != 0) {
        results.setErrno(EINVAL);
        return kj::READY_NOW;
    }
    int object;
    mode_t type;
    const Mount* mount;
    Result<Lookup> found = Errno{ENOENT};
    if (path.size() == 0) {
        if ((flags & AT_EMPTY_PATH) == 0) {
            results.setErrno(ENOENT);
            return kj::READY_NOW;
        }
        object = m_fd->get();
        type = m_type;
        mount = m_mount;
    } else {
        found = lookup(path, (flags & AT_SYMLINK_NOFOLLOW) != 0 ? FollowLast::NO : FollowLast::YES);
        if (!found.ok()) {
            results.setErrno(found.error());
            return kj::READY_NOW;
        }
        if (!found.value().exists()) {
            results.setErrno(ENOENT);
            return kj::READY_NOW;
        }
        object = found.value().target;
        type = found.value().target_stat.st_mode & S_IFMT;
        mount = found.value().target_mount;
    }
    if (S_ISLNK(type)) {
        results.setErrno(EOPNOTSUPP); // Linux cannot chmod a symlink
    } else if (is_read_only(mount)) {
        results.setErrno(EROFS);
    } else if (::chmod(proc_fd_path(object).cStr(), params.getMode() & 07777) != 0) {
        results.setErrno(current_errno());
    }
    return kj::READY_NOW;
}

// ---- links, ownership, times ---------------------------------------------------------------

Result<HandleImpl::Object> HandleImpl::object_at(kj::StringPtr path, uint32_t flags,
                                                 Lookup& storage) const {
    if (path.size() == 0) {
        if ((flags & AT_EMPTY_PATH) == 0) return Errno{ENOENT};
        return Object{m_fd->get(), m_mount};
    }
    auto found =
        lookup(path, (flags & AT_SYMLINK_NOFOLLOW) != 0 ? FollowLast::NO : FollowLast::YES);
    if (!found.ok()) return Errno{found.error()};
    storage = kj::mv(found).value();
    if (!storage.exists()) return Errno{ENOENT};
    return Object{storage.target.get(), storage.target_mount};
}

kj::Promise<void> HandleImpl::symlinkAt(SymlinkAtContext context) {
    auto params = context.getParams();
    auto results = context.getResults();
    kj::StringPtr target = params.getTarget();
    if (target.size() == 0) {
        results.setErrno(ENOENT);
        return kj::READY_NOW;
    }
    if (memchr(target.begin(), '\0', target.size()) != nullptr) {
        results.setErrno(EINVAL);
        return kj::READY_NOW;
    }
    if (target.size() >= MAX_PATH_BYTES) { // Linux takes at most PATH_MAX bytes with the NUL
        results.setErrno(ENAMETOOLONG);
        return kj::READY_NOW;
    }
    auto found = lookup(params.getPath(), FollowLast::NEVER);
    if (!found.ok()) {
        results.setErrno(found.error());
        return kj::READY_NOW;
    }
    Lookup& at = found.value();
    // Linux's order (filename_create): an existing name, then "name/", then the read-only mount.
    if (at.kind != LastKind::NAME || at.exists()) {
        results.setErrno(EEXIST);
    } else if (at.trailing_slash) {
        results.setErrno(ENOENT);
    } else if (is_read_only(at.parent_mount)) {
        results.setErrno(EROFS);
    } else if (symlinkat(target.cStr(), at.parent, at.name.cStr()) != 0) {
        results.setErrno(current_errno());
    }
    return kj::READY_NOW;
}

kj::Promise<void> HandleImpl::linkAt(LinkAtContext context) {
    uint32_t flags = context.getParams().getFlags();
    if ((flags & ~uint32_t(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH)) != 0) {
        context.getResults().setErrno(EINVAL);
        return kj::READY_NOW;
    }
    auto new_dir = context.getParams().getNewDir();
    auto recognized = m_session->local_handle(new_dir);
    return recognized.then([this, context, flags, new_dir = kj::mv(new_dir)](
                               kj::Maybe<HandleImpl&> other) mutable {
        auto params = context.getParams();
        auto results = context.getResults();
        HandleImpl* target_dir = of_this_session(other);
        if (target_dir == nullptr) {
            results.setErrno(EBADF); // not a Handle of this session
            return;
        }
        // The existing file: this Handle's (AT_EMPTY_PATH), or the old path's final object.
        kj::StringPtr old_path = params.getOldPath();
        bool this_file = old_path.size() == 0;
        if (this_file && (flags & AT_EMPTY_PATH) == 0) {
            results.setErrno(ENOENT);
            return;
        }
        Lookup from;
        if (!this_file) {
            auto looked = lookup(old_path, (flags & AT_SYMLINK_FOLLOW) != 0 ? FollowLast::YES
                                                                           : FollowLast::NO);
            if (!looked.ok()) {
                results.setErrno(looked.error());
                return;
            }
            from = kj::mv(looked).value();
            if (!from.exists()) {
                results.setErrno(ENOENT);
                return;
            }
        }
        auto to = target_dir->lookup(params.getNewPath(), FollowLast::NEVER);
        if (!to.ok()) {
            results.setErrno(to.error());
            return;
        }
        Lookup& b = to.value();
        const Mount* old_mount = this_file ? m_mount : from.target_mount;
        // A directory (".", "..", "/", a mount root) cannot be linked; its name is not what the
        // lookup's parent holds either (a mount point hides the host directory under it).
        bool directory_name = !this_file && (from.kind != LastKind::NAME || from.is_mount_point);
        int error = 0;
        if (b.kind != LastKind::NAME || b.exists()) {
            error = EEXIST;
        } else if (b.trailing_slash) {
            error = ENOENT;
        } else if (is_read_only(b.parent_mount)) {
            error = EROFS;
        } else if (old_mount != b.parent_mount) {
            error = EXDEV; // also a pipe or stdio Handle: not beneath any mount
        } else if (directory_name) {
            error = EPERM;
        } else if (this_file) {
            if (linkat(m_fd->get(), "", b.parent, b.name.cStr(), AT_EMPTY_PATH) != 0)
                error = current_errno();
        } else if (linkat(from.parent, from.name.cStr(), b.parent, b.name.cStr(), 0) != 0) {
            // Flags 0: a name the guest swapped for a symlink meanwhile is linked itself, never
            // followed on the host.
            error = current_errno();
        }
        results.setErrno(error);
    }).attach(thisCap());
}

kj::Promise<void> HandleImpl::chownAt(ChownAtContext context) {
    auto params = context.getParams();
    auto results = context.getResults();
    uint32_t flags = params.getFlags();
    if ((flags & ~uint32_t(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) != 0) {
        results.setErrno(EINVAL);
        return kj::READY_NOW;
    }
    Lookup storage;
    auto object = object_at(params.getPath(), flags, storage);
    if (!object.ok()) {
        results.setErrno(object.error());
    } else if (is_read_only(object.value().mount)) {
        results.setErrno(EROFS);
    } else if (fchownat(object.value().fd, "", uid_t(params.getUid()), gid_t(params.getGid()),
                        AT_EMPTY_PATH) != 0) {
        results.setErrno(current_errno());
    }
    return kj::READY_NOW;
}

namespace {

bool valid_time_nsec(int64_t nsec) {
    return (nsec >= 0 && nsec <= 999'999'999) || nsec == UTIME_NOW || nsec == UTIME_OMIT;
}

struct timespec host_timespec(proto::TimeSpec::Reader t) {
    struct timespec out {};
    out.tv_sec = t.getSec();
    out.tv_nsec = t.getNsec();
    return out;
}

} // namespace

kj::Promise<void> HandleImpl::setTimesAt(SetTimesAtContext context) {
    auto params = context.getParams();
    auto results = context.getResults();
    struct timespec times[2] = {host_timespec(params.getAtime()),
                                host_timespec(params.getMtime())};
    // Linux's order: nothing to do (not even a lookup), then the values, then the flags.
    if (times[0].tv_nsec == UTIME_OMIT && times[1].tv_nsec == UTIME_OMIT) return kj::READY_NOW;
    uint32_t flags = params.getFlags();
    if (!valid_time_nsec(times[0].tv_nsec) || !valid_time_nsec(times[1].tv_nsec) ||
        (flags & ~uint32_t(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) != 0) {
        results.setErrno(EINVAL);
        return kj::READY_NOW;
    }
    Lookup storage;
    auto object = object_at(params.getPath(), flags, storage);
    if (!object.ok()) {
        results.setErrno(object.error());
    } else if (is_read_only(object.value().mount)) {
        results.setErrno(EROFS);
    } else if (utimensat(object.value().fd, "", times, AT_EMPTY_PATH) != 0) {
        results.setErrno(current_errno());
    }
    return kj::READY_NOW;
}

// ---- record locks --------------------------------------------------------------------------

namespace {

struct flock host_flock(proto::FileLock::Reader in) {
    struct flock out {};
    out.l_type = in.getType();
    out.l_whence = in.getWhence();
    out.l_start = in.getStart();
    out.l_len = in.getLen();
    out.l_pid = in.getPid();
    return out;
}

} // namespace

kj::Promise<void> HandleImpl::lock(LockContext context) {
    auto params = context.getParams();
    auto results = context.getResults();
    int command = int(params.getCommand());
    struct flock wanted = host_flock(params.getLock());
    int fd = m_fd->get();
    int no_wait;
    switch (command) {
    case F_GETLK:
    case F_OFD_GETLK: {
        if (fcntl(fd, command, &wanted) != 0) {
            results.setErrno(current_errno());
            return kj::READY_NOW;
        }
        // The proxy's own POSIX locks are the guest's (see the schema).
        if (wanted.l_type != F_UNLCK && wanted.l_pid == getpid()) wanted.l_pid = 0;
        auto out = results.initLock();
        out.setType(wanted.l_type);
        out.setWhence(wanted.l_whence);
        out.setStart(wanted.l_start);
        out.setLen(wanted.l_len);
        out.setPid(wanted.l_pid);
        return kj::READY_NOW;
    }
    case F_SETLK:
    case F_OFD_SETLK:
        if (fcntl(fd, command, &wanted) != 0) results.setErrno(current_errno());
        return kj::READY_NOW;
    case F_SETLKW: no_wait = F_SETLK; break;
    case F_OFD_SETLKW: no_wait = F_OFD_SETLK; break;
    default:
        results.setErrno(EINVAL);
        return kj::READY_NOW;
    }
    // First without waiting (an unlock, a free range: no worker needed).
    if (fcntl(fd, no_wait, &wanted) == 0) return kj::READY_NOW;
    if (errno != EAGAIN && errno != EACCES) {
        results.setErrno(current_errno());
        return kj::READY_NOW;
    }
    auto job = [fd = kj::atomicAddRef(*m_fd), command,
                wanted](const BlockingCall& call) mutable -> int {
        int rc = call.interruptible([&]() { return fcntl(fd->get(), command, &wanted); });
        return rc == 0 ? 0 : current_errno();
    };
    return m_session->pool()
        .run<int>(kj::mv(job), nullptr, params.getToken())
        .then([context](int error) mutable {
            context.getResults().setErrno(interrupted_errno(error));
        })
        .attach(kj::addRef(*m_session));
}

} // namespace jvmos::proxy
