// The schema's Handle for Linux: one host fd, with the mount it lives in (for EROFS) and its
// canonical guest path (where relative paths and ".." start).
//
// Every method answers with the errno Linux would give (0 on success); nothing a guest sends
// makes it throw. What each call does beyond the plain system call on the host fd:
//  * read/write/pread/pwrite on a FIFO, socket or character device in blocking mode: done
//    inline when the fd is ready now, else on a worker thread (worker_pool.h) that polls the fd
//    and the job's cancellation, so a read that waits forever never blocks the event loop or
//    other calls. Writes go in PIPE_BUF chunks while they have to wait, so that a cancelled
//    write (connection dropped) ends too. Regular files and directories: inline.
//  * flock without LOCK_NB that has to wait: a worker retries LOCK_NB with a growing pause (at
//    most 50 ms); fsync/fdatasync: on a worker.
//  * openAt of a FIFO without O_NONBLOCK: on a worker (opening it blocks until the other end
//    opens; cancelling opens the other end to end the wait).
//  * Path calls resolve through the session's Resolver (sandbox.h) and apply Linux's read-only
//    mount rules: EROFS for creating, writing (regular files; FIFOs and devices stay writable),
//    truncating, mkdir, unlink, rmdir, rename and chmod beneath a readOnly mount, after the
//    errnos Linux checks first (EEXIST for mkdir of an existing name, EXDEV across mounts...).
//  * symlinkAt/linkAt create names through the parent directory's fd (never following a final
//    symlink); linkAt refuses two mounts (EXDEV), so a hard link cannot carry a read-only
//    mount's file into a writable one. chownAt/setTimesAt act on the lookup's O_PATH fd (or
//    this Handle's fd) with AT_EMPTY_PATH; EROFS beneath a readOnly mount, as Linux for every
//    file type.
//  * interrupt: the read, write, flock or F_SETLKW job submitted with that token (a guest
//    signal) ends its wait as a cancelled one would, but still replies: EINTR, or what it had
//    transferred.
//  * lock: the non-waiting forms inline; F_SETLKW/F_OFD_SETLKW first try without waiting,
//    then wait on a worker in BlockingCall::interruptible() (cancelled calls end their wait).
//  * Stdio handles share their file description with the process that started the proxy (a
//    shell): setStatusFlags keeps O_NONBLOCK in the Handle instead of changing the host
//    description, and refuses other changes with EPERM.
#pragma once

#include "host_fd.h"
#include "sandbox.h"

#include "jvmos.capnp.h"

#include <kj/async.h>

#include <sys/stat.h>

namespace jvmos::proxy {

class SessionState;

// What a Handle was made by; decides what setStatusFlags may change.
enum class HandleKind {
    PATH,  // openAt, root, cwd: a file or directory beneath a mount
    PIPE,  // Session.pipe
    STDIO, // the proxy's inherited fds 0-2 (a description shared with the proxy's parent)
};

class HandleImpl final : public proto::Handle::Server {
public:
    // `st` is the fd's stat at creation (its type decides inline or worker); `open_flags` the
    // O_* flags it was opened with (O_PATH matters); `mount` is null for pipes and stdio,
    // `guest` their empty path.
    HandleImpl(kj::Own<SessionState> session, kj::Own<const HostFd> fd, const struct stat& st,
               int open_flags, HandleKind kind, const Mount* mount, GuestPath guest);

    // Resolves `path` (relative to this Handle, or absolute) with the session's resolver.
    // ENOTDIR for a relative path when this Handle is not a directory.
    Result<Lookup> lookup(kj::StringPtr path, FollowLast follow) const;

    const SessionState& session() const { return *m_session; }
    // The host fd, shared (for a Session.poll job that outlives this call).
    kj::Own<const HostFd> share_fd() const { return kj::atomicAddRef(*m_fd); }

protected:
    kj::Promise<void> read(ReadContext context) override;
    kj::Promise<void> write(WriteContext context) override;
    kj::Promise<void> pread(PreadContext context) override;
    kj::Promise<void> pwrite(PwriteContext context) override;
    kj::Promise<void> seek(SeekContext context) override;
    kj::Promise<void> stat(StatContext context) override;
    kj::Promise<void> statfs(StatfsContext context) override;
    kj::Promise<void> truncate(TruncateContext context) override;
    kj::Promise<void> sync(SyncContext context) override;
    kj::Promise<void> flock(FlockContext context) override;
    kj::Promise<void> interrupt(InterruptContext context) override;
    kj::Promise<void> getStatusFlags(GetStatusFlagsContext context) override;
    kj::Promise<void> setStatusFlags(SetStatusFlagsContext context) override;
    kj::Promise<void> ioctl(IoctlContext context) override;
    kj::Promise<void> chmod(ChmodContext context) override;
    kj::Promise<void> getdents(GetdentsContext context) override;
    kj::Promise<void> openAt(OpenAtContext context) override;
    kj::Promise<void> statAt(StatAtContext context) override;
    kj::Promise<void> readlinkAt(ReadlinkAtContext context) override;
    kj::Promise<void> accessAt(AccessAtContext context) override;
    kj::Promise<void> mkdirAt(MkdirAtContext context) override;
    kj::Promise<void> unlinkAt(UnlinkAtContext context) override;
    kj::Promise<void> renameAt(RenameAtContext context) override;
    kj::Promise<void> chmodAt(ChmodAtContext context) override;
    kj::Promise<void> copyRange(CopyRangeContext context) override;
    kj::Promise<void> symlinkAt(SymlinkAtContext context) override;
    kj::Promise<void> linkAt(LinkAtContext context) override;
    kj::Promise<void> chownAt(ChownAtContext context) override;
    kj::Promise<void> setTimesAt(SetTimesAtContext context) override;
    kj::Promise<void> lock(LockContext context) override;

private:
    // `other` (a capability the session recognised as local) if it belongs to this session, else
    // nullptr: a Handle of another session is never reachable from this one.
    HandleImpl* of_this_session(kj::Maybe<HandleImpl&> other) const;
    // The object a path call with AT_EMPTY_PATH acts on: this Handle's file for an empty path
    // (ENOENT without AT_EMPTY_PATH), else the path's final object, its symlink followed unless
    // AT_SYMLINK_NOFOLLOW (ENOENT if it does not exist). `storage` keeps the lookup's fds.
    struct Object {
        int fd;
        const Mount* mount;
    };
    Result<Object> object_at(kj::StringPtr path, uint32_t flags, Lookup& storage) const;

    struct IoOutcome;
    template <typename Context>
    kj::Promise<void> read_common(Context context, uint32_t count, int64_t offset,
                                  uint64_t token);
    template <typename Context>
    kj::Promise<void> write_common(Context context, int64_t offset, uint64_t token);
    kj::Promise<void> open_fifo(OpenAtContext context, Lookup lookup, int host_flags);
    void reply_open(OpenAtContext& context, kj::AutoCloseFd fd, int flags, const Mount* mount,
                    GuestPath guest);

    // FIFO, socket or character device: its I/O may block.
    bool may_block() const;
    // No read (IN) or write (OUT) on the host fd can wait: the description has O_NONBLOCK, is
    // O_PATH, is not open for that direction, or the fd is bad. Then the call runs inline.
    enum class Direction { IN, OUT };
    bool cannot_block(Direction direction) const;
    bool read_only_mount() const { return m_mount != nullptr && m_mount->read_only; }
    StartDir start_dir() const;

    kj::Own<SessionState> m_session;
    kj::Own<const HostFd> m_fd;
    mode_t m_type;  // S_IFMT bits at creation
    dev_t m_dev;    // st_dev at creation (where a relative walk starts)
    bool m_path_only; // opened with O_PATH
    HandleKind m_kind;
    const Mount* m_mount;
    GuestPath m_guest;
    bool m_emulated_nonblock = false; // STDIO only: the guest's O_NONBLOCK
};

} // namespace jvmos::proxy
