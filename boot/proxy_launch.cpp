#include "proxy_launch.h"

#include <capnp/message.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdexcept>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/statfs.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace jvmos::boot {
namespace {

// The first fd of the child that is not stdio; the proxy is told its number with --fd.
constexpr int CHILD_SOCKET_FD = 3;
constexpr auto CONNECT_TIMEOUT = std::chrono::seconds(10);
constexpr auto CHILD_EXIT_WAIT = std::chrono::seconds(2);

std::string errno_text(int err) { return std::strerror(err); }

// Connects `fd` to `addr`, giving up after CONNECT_TIMEOUT. Returns 0 or an errno.
int connect_with_timeout(int fd, const sockaddr* addr, socklen_t len) {
    const int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) return errno;
    if (::connect(fd, addr, len) < 0) {
        if (errno != EINPROGRESS) return errno;
        pollfd p{fd, POLLOUT, 0};
        const int ms = int(std::chrono::milliseconds(CONNECT_TIMEOUT).count());
        int r;
        do r = poll(&p, 1, ms);
        while (r < 0 && errno == EINTR);
        if (r < 0) return errno;
        if (r == 0) return ETIMEDOUT;
        int err = 0;
        socklen_t err_len = sizeof err;
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &err_len) < 0) return errno;
        if (err) return err;
    }
    return fcntl(fd, F_SETFL, flags) < 0 ? errno : 0;
}

// Waits until `fd` is ready for `events` or the worker is cancelled. Returns 0 or ECANCELED.
int wait_ready(int fd, short events, int cancel_fd) {
    pollfd p[2] = {{fd, events, 0}, {cancel_fd, POLLIN, 0}};
    for (;;) {
        const int r = poll(p, 2, -1);
        if (r < 0) {
            if (errno == EINTR) continue;
            return errno;
        }
        if (p[1].revents) return ECANCELED;
        if (p[0].revents) return 0; // readable/writable, or an error/hangup the call will report
    }
}

// The kernel's struct termios (what TCGETS copies out): four tcflag_t, c_line, c_cc[19].
constexpr size_t KERNEL_TERMIOS_SIZE = 36;

struct IoOutcome {
    int error = 0;
    std::vector<kj::byte> data;
    uint32_t count = 0;
};

// Runs `job` on `worker` and resolves (on the calling thread) with its outcome. (Heap-held: g++
// 12 sees a false "maybe uninitialized" in kj's ExceptionOr holding a non-trivial value.)
kj::Promise<kj::Own<IoOutcome>> on_worker(BlockingWorker& worker,
                                          kj::Function<IoOutcome(int cancel_fd)> job) {
    auto paf = kj::newPromiseAndCrossThreadFulfiller<kj::Own<IoOutcome>>();
    worker.post([job = kj::mv(job), fulfiller = kj::mv(paf.fulfiller)](int cancel_fd) mutable {
        fulfiller->fulfill(kj::heap<IoOutcome>(job(cancel_fd)));
    });
    return kj::mv(paf.promise);
}

} // namespace

// ---- ProxyLink ---------------------------------------------------------------------------------

ProxyLink ProxyLink::start(const std::string& binary) {
    auto fail = [&](int err) -> ProxyLink {
        throw std::runtime_error("cannot start linux-proxy: " + binary + ": " + errno_text(err));
    };
    if (access(binary.c_str(), X_OK) != 0) return fail(errno);
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) return fail(errno);
    // The child's end must not already be fd 3: dup2(3, 3) would leave it close-on-exec.
    if (sv[1] == CHILD_SOCKET_FD) {
        const int moved = fcntl(sv[1], F_DUPFD_CLOEXEC, CHILD_SOCKET_FD + 1);
        if (moved < 0) {
            const int err = errno;
            close(sv[0]);
            close(sv[1]);
            return fail(err);
        }
        close(sv[1]);
        sv[1] = moved;
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, sv[1], CHILD_SOCKET_FD);
    const std::string fd_text = std::to_string(CHILD_SOCKET_FD);
    char* argv[] = {const_cast<char*>(binary.c_str()), const_cast<char*>("--fd"),
                    const_cast<char*>(fd_text.c_str()), nullptr};
    pid_t pid = -1;
    const int err = posix_spawn(&pid, binary.c_str(), &actions, nullptr, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    close(sv[1]);
    if (err) {
        close(sv[0]);
        return fail(err);
    }
    return ProxyLink(sv[0], pid, StdioMode::Inherited);
}

ProxyLink ProxyLink::connect(const ProxyAddress& address) {
    auto fail = [&](const std::string& reason) -> ProxyLink {
        throw std::runtime_error("cannot connect to linux-proxy at " + address.text + ": " +
                                 reason);
    };
    if (address.kind == ProxyAddress::Kind::Unix) {
        sockaddr_un sun{};
        sun.sun_family = AF_UNIX;
        if (address.path.size() >= sizeof sun.sun_path) return fail("socket path too long");
        std::memcpy(sun.sun_path, address.path.data(), address.path.size());
        const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) return fail(errno_text(errno));
        if (int err = connect_with_timeout(fd, reinterpret_cast<sockaddr*>(&sun), sizeof sun)) {
            close(fd);
            return fail(errno_text(err));
        }
        return ProxyLink(fd, -1, StdioMode::ServedByMonitor);
    }
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* list = nullptr;
    const std::string port = std::to_string(address.port);
    if (int gai = getaddrinfo(address.host.c_str(), port.c_str(), &hints, &list))
        return fail(gai_strerror(gai));
    int last_err = EHOSTUNREACH;
    int fd = -1;
    for (addrinfo* ai = list; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) {
            last_err = errno;
            continue;
        }
        if (int err = connect_with_timeout(fd, ai->ai_addr, ai->ai_addrlen)) {
            last_err = err;
            close(fd);
            fd = -1;
            continue;
        }
        break;
    }
    freeaddrinfo(list);
    if (fd < 0) return fail(errno_text(last_err));
    const int one = 1;
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one); // latency over batching
    return ProxyLink(fd, -1, StdioMode::ServedByMonitor);
}

ProxyLink::ProxyLink(ProxyLink&& other) noexcept
    : m_fd(other.m_fd), m_child(other.m_child), m_stdio(other.m_stdio),
      m_exit_text(std::move(other.m_exit_text)) {
    other.m_fd = -1;
    other.m_child = -1;
}

ProxyLink::~ProxyLink() {
    if (m_fd >= 0) close(m_fd);
    if (m_child <= 0) return;
    const auto deadline = std::chrono::steady_clock::now() + CHILD_EXIT_WAIT;
    while (std::chrono::steady_clock::now() < deadline) {
        if (waitpid(m_child, nullptr, WNOHANG) != 0) return; // reaped (or not our child)
        usleep(1000);
    }
    kill(m_child, SIGKILL);
    waitpid(m_child, nullptr, 0);
}

int ProxyLink::take_socket() {
    if (m_fd < 0) throw std::logic_error("ProxyLink::take_socket called twice");
    const int fd = m_fd;
    m_fd = -1;
    return fd;
}

std::string ProxyLink::child_exit_status() {
    if (m_child > 0) {
        int status = 0;
        if (waitpid(m_child, &status, WNOHANG) == m_child) {
            m_child = -1;
            if (WIFEXITED(status))
                m_exit_text = "it exited with status " + std::to_string(WEXITSTATUS(status));
            else if (WIFSIGNALED(status))
                m_exit_text = "it was killed by signal " + std::to_string(WTERMSIG(status));
        }
    }
    return m_exit_text;
}

// ---- BlockingWorker ----------------------------------------------------------------------------

BlockingWorker::BlockingWorker() {
    m_cancel_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (m_cancel_fd < 0) throw std::runtime_error("eventfd: " + errno_text(errno));
    m_thread = std::thread([this] { main(); });
}

BlockingWorker::~BlockingWorker() {
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_stopping = true;
    }
    const uint64_t one = 1;
    (void)!::write(m_cancel_fd, &one, sizeof one); // never reset: every later wait returns too
    m_wake.notify_all();
    m_thread.join();
    close(m_cancel_fd);
}

void BlockingWorker::post(kj::Function<void(int)> job) {
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_jobs.push_back(kj::mv(job));
    }
    m_wake.notify_one();
}

void BlockingWorker::main() {
    for (;;) {
        kj::Function<void(int)> job;
        {
            std::unique_lock<std::mutex> lock(m_mutex);
            m_wake.wait(lock, [&] { return m_stopping || !m_jobs.empty(); });
            if (m_jobs.empty()) return; // stopping, and every queued job has run
            job = kj::mv(m_jobs.front());
            m_jobs.pop_front();
        }
        job(m_cancel_fd);
    }
}

// ---- StdioHandle -------------------------------------------------------------------------------

void fill_proto_stat(proto::Stat::Builder out, const struct stat& st) {
    out.setDev(st.st_dev);
    out.setIno(st.st_ino);
    out.setMode(st.st_mode);
    out.setNlink(st.st_nlink);
    out.setUid(st.st_uid);
    out.setGid(st.st_gid);
    out.setRdev(st.st_rdev);
    out.setSize(st.st_size);
    out.setBlksize(st.st_blksize);
    out.setBlocks(st.st_blocks);
    out.setAtimeSec(st.st_atim.tv_sec);
    out.setAtimeNsec(st.st_atim.tv_nsec);
    out.setMtimeSec(st.st_mtim.tv_sec);
    out.setMtimeNsec(st.st_mtim.tv_nsec);
    out.setCtimeSec(st.st_ctim.tv_sec);
    out.setCtimeNsec(st.st_ctim.tv_nsec);
}

kj::Promise<void> StdioHandle::read(ReadContext context) {
    const uint32_t count = context.getParams().getCount();
    if (count > proto::MAX_IO) {
        context.getResults().setErrno(EINVAL);
        return kj::READY_NOW;
    }
    const int fd = m_fd;
    return on_worker(m_worker,
                     [fd, count](int cancel_fd) {
                         IoOutcome out;
                         out.data.resize(count);
                         for (;;) {
                             if ((out.error = wait_ready(fd, POLLIN, cancel_fd))) return out;
                             const ssize_t n = ::read(fd, out.data.data(), count);
                             if (n >= 0) {
                                 out.data.resize(size_t(n));
                                 return out;
                             }
                             // EAGAIN: someone made the fd non-blocking; wait again.
                             if (errno != EINTR && errno != EAGAIN) {
                                 out.error = errno;
                                 return out;
                             }
                         }
                     })
        .then([context](kj::Own<IoOutcome> out) mutable {
            auto r = context.getResults();
            r.setErrno(out->error);
            if (!out->error) r.setData(kj::arrayPtr(out->data.data(), out->data.size()));
        });
}

kj::Promise<void> StdioHandle::write(WriteContext context) {
    auto data = context.getParams().getData();
    if (data.size() > proto::MAX_IO) {
        context.getResults().setErrno(EINVAL);
        return kj::READY_NOW;
    }
    const int fd = m_fd;
    // The bytes are copied: the request message belongs to this thread.
    return on_worker(m_worker,
                     [fd, bytes = kj::heapArray<kj::byte>(data)](int cancel_fd) {
                         IoOutcome out;
                         size_t done = 0;
                         while (done < bytes.size()) {
                             if ((out.error = wait_ready(fd, POLLOUT, cancel_fd))) break;
                             const ssize_t n =
                                 ::write(fd, bytes.begin() + done, bytes.size() - done);
                             if (n >= 0) {
                                 done += size_t(n);
                             } else if (errno != EINTR && errno != EAGAIN) {
                                 out.error = errno;
                                 break;
                             }
                         }
                         // Linux reports a partial write as success.
                         if (done) out.error = 0;
                         out.count = uint32_t(done);
                         return out;
                     })
        .then([context](kj::Own<IoOutcome> out) mutable {
            auto r = context.getResults();
            r.setErrno(out->error);
            r.setWritten(out->count);
        });
}

kj::Promise<void> StdioHandle::pread(PreadContext context) {
    auto p = context.getParams();
    auto r = context.getResults();
    if (p.getCount() > proto::MAX_IO) {
        r.setErrno(EINVAL);
        return kj::READY_NOW;
    }
    // Never waits: a terminal, pipe or socket gives ESPIPE, a regular file has its bytes.
    auto buf = kj::heapArray<kj::byte>(p.getCount());
    const ssize_t n = ::pread(m_fd, buf.begin(), buf.size(), p.getOffset());
    if (n < 0) r.setErrno(errno);
    else r.setData(buf.slice(0, size_t(n)));
    return kj::READY_NOW;
}

kj::Promise<void> StdioHandle::pwrite(PwriteContext context) {
    auto p = context.getParams();
    auto r = context.getResults();
    if (p.getData().size() > proto::MAX_IO) {
        r.setErrno(EINVAL);
        return kj::READY_NOW;
    }
    const ssize_t n = ::pwrite(m_fd, p.getData().begin(), p.getData().size(), p.getOffset());
    if (n < 0) r.setErrno(errno);
    else r.setWritten(uint32_t(n));
    return kj::READY_NOW;
}

kj::Promise<void> StdioHandle::seek(SeekContext context) {
    auto p = context.getParams();
    auto r = context.getResults();
    const off_t pos = ::lseek(m_fd, p.getOffset(), p.getWhence());
    if (pos < 0) r.setErrno(errno);
    else r.setPosition(pos);
    return kj::READY_NOW;
}

kj::Promise<void> StdioHandle::stat(StatContext context) {
    auto r = context.getResults();
    struct stat st;
    if (::fstat(m_fd, &st) < 0) r.setErrno(errno);
    else fill_proto_stat(r.initStat(), st);
    return kj::READY_NOW;
}

kj::Promise<void> StdioHandle::statfs(StatfsContext context) {
    auto r = context.getResults();
    struct statfs sf;
    if (::fstatfs(m_fd, &sf) < 0) {
        r.setErrno(errno);
        return kj::READY_NOW;
    }
    auto out = r.initStatfs();
    out.setType(sf.f_type);
    out.setBsize(sf.f_bsize);
    out.setBlocks(sf.f_blocks);
    out.setBfree(sf.f_bfree);
    out.setBavail(sf.f_bavail);
    out.setFiles(sf.f_files);
    out.setFfree(sf.f_ffree);
    uint32_t fsid[2];
    static_assert(sizeof fsid == sizeof sf.f_fsid);
    std::memcpy(fsid, &sf.f_fsid, sizeof fsid);
    out.setFsid(uint64_t(fsid[0]) | uint64_t(fsid[1]) << 32);
    out.setNamelen(sf.f_namelen);
    out.setFrsize(sf.f_frsize);
    out.setFlags(sf.f_flags);
    return kj::READY_NOW;
}

kj::Promise<void> StdioHandle::truncate(TruncateContext context) {
    if (::ftruncate(m_fd, context.getParams().getLength()) < 0)
        context.getResults().setErrno(errno);
    return kj::READY_NOW;
}

kj::Promise<void> StdioHandle::sync(SyncContext context) {
    const int r = context.getParams().getDataOnly() ? ::fdatasync(m_fd) : ::fsync(m_fd);
    if (r < 0) context.getResults().setErrno(errno);
    return kj::READY_NOW;
}

kj::Promise<void> StdioHandle::flock(FlockContext context) {
    const uint32_t op = context.getParams().getOperation();
    const int fd = m_fd;
    // A blocking lock may wait for another process: on the worker, as a series of non-blocking
    // attempts so that the worker's cancel fd still ends the wait.
    return on_worker(m_worker,
                     [fd, op](int cancel_fd) {
                         IoOutcome out;
                         const bool wait = !(op & LOCK_NB) && !(op & LOCK_UN);
                         for (;;) {
                             if (::flock(fd, int(op | (wait ? LOCK_NB : 0))) == 0) return out;
                             if (errno == EINTR) continue;
                             if (!wait || errno != EWOULDBLOCK) {
                                 out.error = errno;
                                 return out;
                             }
                             pollfd p{cancel_fd, POLLIN, 0};
                             if (poll(&p, 1, 10) > 0) {
                                 out.error = EINTR;
                                 return out;
                             }
                         }
                     })
        .then([context](kj::Own<IoOutcome> out) mutable {
            context.getResults().setErrno(out->error);
        });
}

kj::Promise<void> StdioHandle::getStatusFlags(GetStatusFlagsContext context) {
    auto r = context.getResults();
    const int flags = ::fcntl(m_fd, F_GETFL);
    if (flags < 0) r.setErrno(errno);
    else r.setFlags(uint32_t(flags));
    return kj::READY_NOW;
}

kj::Promise<void> StdioHandle::setStatusFlags(SetStatusFlagsContext context) {
    context.getResults().setErrno(EPERM);
    return kj::READY_NOW;
}

kj::Promise<void> StdioHandle::ioctl(IoctlContext context) {
    auto p = context.getParams();
    auto r = context.getResults();
    size_t size;
    switch (p.getRequest()) {
    case TCGETS: size = KERNEL_TERMIOS_SIZE; break;
    case TIOCGWINSZ: size = sizeof(struct winsize); break;
    case FIONREAD: size = sizeof(int); break;
    default: r.setErrno(ENOTTY); return kj::READY_NOW;
    }
    // All three only write their argument; a generous buffer guards against a kernel whose
    // structure is larger than the one we return.
    kj::byte buf[256] = {};
    const int result = ::ioctl(m_fd, p.getRequest(), buf);
    if (result < 0) {
        r.setErrno(errno);
        return kj::READY_NOW;
    }
    r.setResult(result);
    r.setArg(kj::arrayPtr(buf, size));
    return kj::READY_NOW;
}

kj::Promise<void> StdioHandle::chmod(ChmodContext context) {
    if (::fchmod(m_fd, context.getParams().getMode()) < 0) context.getResults().setErrno(errno);
    return kj::READY_NOW;
}

#define JVMOS_STDIO_NOT_A_DIRECTORY(Method, Context)                                               \
    kj::Promise<void> StdioHandle::Method(Context context) {                                       \
        context.getResults().setErrno(ENOTDIR);                                                    \
        return kj::READY_NOW;                                                                      \
    }
JVMOS_STDIO_NOT_A_DIRECTORY(getdents, GetdentsContext)
JVMOS_STDIO_NOT_A_DIRECTORY(openAt, OpenAtContext)
JVMOS_STDIO_NOT_A_DIRECTORY(statAt, StatAtContext)
JVMOS_STDIO_NOT_A_DIRECTORY(readlinkAt, ReadlinkAtContext)
JVMOS_STDIO_NOT_A_DIRECTORY(accessAt, AccessAtContext)
JVMOS_STDIO_NOT_A_DIRECTORY(mkdirAt, MkdirAtContext)
JVMOS_STDIO_NOT_A_DIRECTORY(unlinkAt, UnlinkAtContext)
JVMOS_STDIO_NOT_A_DIRECTORY(renameAt, RenameAtContext)
JVMOS_STDIO_NOT_A_DIRECTORY(chmodAt, ChmodAtContext)
#undef JVMOS_STDIO_NOT_A_DIRECTORY

} // namespace jvmos::boot
