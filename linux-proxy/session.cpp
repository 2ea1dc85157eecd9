#include "session.h"

#include <sys/socket.h>

#include <kj/debug.h>

#include <cerrno>
#include <fcntl.h>
#include <poll.h>
#include <vector>
#include <unistd.h>

namespace jvmos::proxy {

// ---- SessionState --------------------------------------------------------------------------

SessionState::SessionState(kj::Own<MountTable> mounts, unsigned max_workers)
    : m_mounts(kj::mv(mounts)), m_resolver(*m_mounts), m_pool(max_workers) {}

proto::Handle::Client SessionState::add(kj::Own<HandleImpl> handle) {
    return m_handles.add(kj::mv(handle));
}

kj::Promise<kj::Maybe<HandleImpl&>> SessionState::local_handle(proto::Handle::Client& client) {
    return m_handles.getLocalServer(client).then(
        [](kj::Maybe<proto::Handle::Server&> server) -> kj::Maybe<HandleImpl&> {
            KJ_IF_MAYBE (found, server) {
                // Only HandleImpls are ever added to the set.
                return kj::downcast<HandleImpl>(*found);
            }
            return nullptr;
        });
}

// ---- SessionImpl ---------------------------------------------------------------------------

SessionImpl::SessionImpl(kj::Own<SessionState> state, proto::Handle::Client root,
                         proto::Handle::Client cwd, kj::String cwd_path, proto::Handle::Client in,
                         proto::Handle::Client out, proto::Handle::Client err)
    : m_state(kj::mv(state)), m_root(kj::mv(root)), m_cwd(kj::mv(cwd)),
      m_cwd_path(kj::mv(cwd_path)), m_stdin(kj::mv(in)), m_stdout(kj::mv(out)),
      m_stderr(kj::mv(err)) {}

kj::Promise<void> SessionImpl::root(RootContext context) {
    context.getResults().setDir(m_root);
    return kj::READY_NOW;
}

kj::Promise<void> SessionImpl::cwd(CwdContext context) {
    auto results = context.getResults();
    results.setDir(m_cwd);
    results.setPath(m_cwd_path);
    return kj::READY_NOW;
}

kj::Promise<void> SessionImpl::stdio(StdioContext context) {
    auto results = context.getResults();
    results.setStdin(m_stdin);
    results.setStdout(m_stdout);
    results.setStderr(m_stderr);
    return kj::READY_NOW;
}

kj::Promise<void> SessionImpl::pipe(PipeContext context) {
    auto results = context.getResults();
    uint32_t flags = context.getParams().getFlags();
    if ((flags & ~uint32_t(O_NONBLOCK | O_CLOEXEC)) != 0) {
        results.setErrno(EINVAL);
        return kj::READY_NOW;
    }
    int fds[2];
    if (pipe2(fds, O_CLOEXEC | int(flags & O_NONBLOCK)) != 0) {
        results.setErrno(errno);
        return kj::READY_NOW;
    }
    kj::AutoCloseFd ends[2] = {kj::AutoCloseFd(fds[0]), kj::AutoCloseFd(fds[1])};
    struct stat st[2];
    for (int i = 0; i < 2; ++i) {
        if (fstat(ends[i], &st[i]) != 0) {
            results.setErrno(errno);
            return kj::READY_NOW;
        }
    }
    auto make = [&](int i) {
        return m_state->add(kj::heap<HandleImpl>(
            kj::addRef(*m_state), kj::atomicRefcounted<HostFd>(kj::mv(ends[i])), st[i],
            i == 0 ? O_RDONLY : O_WRONLY, HandleKind::PIPE, nullptr, GuestPath()));
    };
    results.setReadEnd(make(0));
    results.setWriteEnd(make(1));
    return kj::READY_NOW;
}

kj::Promise<void> SessionImpl::socketpair(SocketpairContext context) {
    auto results = context.getResults();
    const uint32_t type = context.getParams().getType();
    const uint32_t base = type & ~uint32_t(SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (base != SOCK_STREAM && base != SOCK_DGRAM && base != SOCK_SEQPACKET) {
        results.setErrno(EINVAL);
        return kj::READY_NOW;
    }
    int fds[2];
    if (::socketpair(AF_UNIX, int(base | (type & SOCK_NONBLOCK) | SOCK_CLOEXEC), 0, fds) != 0) {
        results.setErrno(errno);
        return kj::READY_NOW;
    }
    kj::AutoCloseFd ends[2] = {kj::AutoCloseFd(fds[0]), kj::AutoCloseFd(fds[1])};
    struct stat st[2];
    for (int i = 0; i < 2; ++i) {
        if (fstat(ends[i], &st[i]) != 0) {
            results.setErrno(errno);
            return kj::READY_NOW;
        }
    }
    // Sockets behave as pipes do here: possibly blocking, so their I/O runs on workers.
    auto make = [&](int i) {
        return m_state->add(kj::heap<HandleImpl>(
            kj::addRef(*m_state), kj::atomicRefcounted<HostFd>(kj::mv(ends[i])), st[i], O_RDWR,
            HandleKind::PIPE, nullptr, GuestPath()));
    };
    results.setFirst(make(0));
    results.setSecond(make(1));
    return kj::READY_NOW;
}

// ---- poll ----------------------------------------------------------------------------------

namespace {

// The events a guest may ask poll for (Linux's values); other bits are dropped. POLLERR,
// POLLHUP and POLLNVAL need no asking.
constexpr uint16_t POLL_REQUESTABLE = POLLIN | POLLPRI | POLLOUT | POLLRDNORM | POLLRDBAND |
                                      POLLWRNORM | POLLWRBAND | POLLMSG | POLLRDHUP;

struct PollOutcome {
    int error = 0; // ECANCELED: interrupted (the guest sees EINTR)
    int ready = 0;
    std::vector<struct pollfd> fds;
};

void reply_poll(proto::Session::PollResults::Builder results, const PollOutcome& out) {
    if (out.error != 0) {
        results.setErrno(out.error == ECANCELED ? EINTR : out.error);
        return;
    }
    results.setReady(uint32_t(out.ready));
    auto revents = results.initRevents(uint32_t(out.fds.size()));
    for (size_t i = 0; i < out.fds.size(); i++) revents.set(uint32_t(i), uint16_t(out.fds[i].revents));
}

} // namespace

kj::Promise<void> SessionImpl::poll(PollContext context) {
    auto params = context.getParams();
    auto entries = params.getEntries();
    if (entries.size() > proto::MAX_POLL_ENTRIES) {
        context.getResults().setErrno(EINVAL);
        return kj::READY_NOW;
    }
    // Which of this session's Handles each entry names (local_handle answers asynchronously).
    auto clients = kj::heapArrayBuilder<proto::Handle::Client>(entries.size());
    for (auto entry : entries) clients.add(entry.getHandle());
    auto owned = clients.finish();
    auto lookups = kj::heapArrayBuilder<kj::Promise<kj::Maybe<HandleImpl&>>>(owned.size());
    for (auto& client : owned) lookups.add(m_state->local_handle(client));
    return kj::joinPromises(lookups.finish())
        .then([state = kj::addRef(*m_state), context](kj::Array<kj::Maybe<HandleImpl&>> found) mutable
              -> kj::Promise<void> {
            auto params = context.getParams();
            auto entries = params.getEntries();
            const int64_t timeout_ns = params.getTimeoutNs();
            PollOutcome out;
            out.fds.resize(found.size());
            kj::Vector<kj::Own<const HostFd>> fds(found.size());
            for (size_t i = 0; i < found.size(); i++) {
                HandleImpl* handle = nullptr;
                KJ_IF_MAYBE (h, found[i]) handle = h;
                if (handle == nullptr || &handle->session() != state.get()) {
                    context.getResults().setErrno(EBADF); // a foreign or unknown capability
                    return kj::READY_NOW;
                }
                fds.add(handle->share_fd());
                out.fds[i] = {fds.back()->get(), short(entries[uint32_t(i)].getEvents() & POLL_REQUESTABLE), 0};
            }
            // Ready now (or not to wait): answered here, without a worker.
            out.ready = ::poll(out.fds.data(), out.fds.size(), 0);
            if (out.ready < 0) out.error = errno;
            if (out.ready != 0 || timeout_ns == 0) {
                reply_poll(context.getResults(), out);
                return kj::READY_NOW;
            }
            kj::Function<PollOutcome(const BlockingCall&)> job =
                [out = kj::mv(out), fds = kj::mv(fds), timeout_ns](const BlockingCall& call) mutable {
                    out.ready = call.poll(out.fds.data(), out.fds.size(), timeout_ns);
                    if (out.ready < 0) out.error = errno;
                    return kj::mv(out);
                };
            return state->pool()
                .run<PollOutcome>(kj::mv(job), nullptr, params.getToken())
                .then([context](PollOutcome out) mutable { reply_poll(context.getResults(), out); })
                .attach(kj::addRef(*state));
        });
}

kj::Promise<void> SessionImpl::interrupt(InterruptContext context) {
    m_state->pool().interrupt_call(context.getParams().getToken());
    return kj::READY_NOW;
}

// ---- ProxyServiceImpl ----------------------------------------------------------------------

namespace {

// One of the proxy's own fds as a STDIO Handle (a dup: the guest closing it leaves ours open).
// A closed source fd gives a Handle whose every call fails with EBADF.
proto::Handle::Client stdio_handle(SessionState& state, int source) {
    int fd = fcntl(source, F_DUPFD_CLOEXEC, 3);
    struct stat st {};
    if (fd >= 0 && fstat(fd, &st) != 0) st = {};
    return state.add(kj::heap<HandleImpl>(kj::addRef(state),
                                          kj::atomicRefcounted<HostFd>(kj::AutoCloseFd(fd)), st,
                                          O_RDWR, HandleKind::STDIO, nullptr, GuestPath()));
}

// A directory Handle (O_PATH) for a lookup's final directory.
Result<proto::Handle::Client> directory_handle(SessionState& state, Lookup& found) {
    int fd = openat(found.target, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return last_errno();
    kj::AutoCloseFd dir(fd);
    struct stat st;
    if (fstat(dir, &st) != 0) return last_errno();
    return state.add(kj::heap<HandleImpl>(kj::addRef(state),
                                          kj::atomicRefcounted<HostFd>(kj::mv(dir)), st, O_PATH,
                                          HandleKind::PATH, found.target_mount,
                                          kj::mv(found.guest)));
}

} // namespace

kj::Promise<void> ProxyServiceImpl::newSession(NewSessionContext context) {
    auto params = context.getParams();
    auto results = context.getResults();
    auto config = params.getConfig();
    auto stdio = params.getStdio();
    auto fail = [&](int error) {
        results.setErrno(error);
        return kj::Promise<void>(kj::READY_NOW);
    };

    auto mount_list = config.getMounts();
    if (mount_list.size() == 0 || mount_list.size() > MAX_MOUNTS) return fail(EINVAL);
    auto specs = KJ_MAP(mount, mount_list) {
        return MountSpec{mount.getHostPath(), mount.getGuestPath(), mount.getReadOnly()};
    };
    kj::StringPtr cwd = config.getCwd();
    if (cwd.size() == 0) cwd = "/";
    if (cwd[0] != '/') return fail(EINVAL);
    if (stdio.isHandles() && stdio.getHandles().size() != 3) return fail(EINVAL);

    auto table = MountTable::build(specs);
    if (!table.ok()) return fail(table.error());
    auto state = kj::refcounted<SessionState>(kj::mv(table).value(), m_options.max_workers);

    const Mount& root_mount = state->mounts().root();
    StartDir start{root_mount.root, &root_mount, root_mount.dev, nullptr};
    auto root = state->resolver().lookup(start, "/", FollowLast::YES);
    if (!root.ok()) return fail(root.error());
    auto root_handle = directory_handle(*state, root.value());
    if (!root_handle.ok()) return fail(root_handle.error());

    auto cwd_found = state->resolver().lookup(start, cwd, FollowLast::YES);
    if (!cwd_found.ok()) return fail(cwd_found.error());
    if (!cwd_found.value().exists()) return fail(ENOENT);
    if (!S_ISDIR(cwd_found.value().target_stat.st_mode)) return fail(ENOTDIR);
    auto cwd_path = format_guest_path(cwd_found.value().guest);
    auto cwd_handle = directory_handle(*state, cwd_found.value());
    if (!cwd_handle.ok()) return fail(cwd_handle.error());

    proto::Handle::Client in = nullptr, out = nullptr, err = nullptr;
    if (stdio.isHandles()) {
        auto handles = stdio.getHandles();
        in = handles[0];
        out = handles[1];
        err = handles[2];
    } else {
        in = stdio_handle(*state, m_options.stdio.in);
        out = stdio_handle(*state, m_options.stdio.out);
        err = stdio_handle(*state, m_options.stdio.err);
    }
    results.setSession(kj::heap<SessionImpl>(kj::mv(state), kj::mv(root_handle).value(),
                                             kj::mv(cwd_handle).value(), kj::mv(cwd_path),
                                             kj::mv(in), kj::mv(out), kj::mv(err)));
    return kj::READY_NOW;
}

} // namespace jvmos::proxy
