// The schema's ProxyService (one per connection) and Session (one per guest) for Linux.
#pragma once

#include "handle.h"
#include "sandbox.h"
#include "worker_pool.h"

#include "jvmos.capnp.h"

#include <capnp/capability.h>
#include <kj/refcount.h>

namespace jvmos::proxy {

// The fds that StdioSource.inherited refers to: the proxy's own 0, 1, 2 in production (tests
// substitute pipes). They stay open and owned by the caller; sessions dup them.
struct InheritedStdio {
    int in = 0;
    int out = 1;
    int err = 2;
};

// Knobs of a proxy; main() fills them from the command line.
struct ProxyOptions {
    InheritedStdio stdio;
    unsigned max_workers = 64; // per session: blocking calls in flight at once (more queue)
};

// What a session's Handles share: the mount table and resolver, the worker pool, and the set
// that recognizes the session's own Handles when a guest passes one back (renameAt's newDir).
// Refcounted on the event-loop thread: the Session and every Handle hold a reference, so the
// mounts outlive every Handle and the pool outlives every job.
class SessionState final : public kj::Refcounted {
public:
    SessionState(kj::Own<MountTable> mounts, unsigned max_workers);

    const MountTable& mounts() const { return *m_mounts; }
    const Resolver& resolver() const { return m_resolver; }
    WorkerPool& pool() { return m_pool; }

    // Serves `handle` as a capability of this session.
    proto::Handle::Client add(kj::Own<HandleImpl> handle);
    // The HandleImpl behind `client` if it is one of this session's Handles (else null: a
    // foreign or remote capability).
    kj::Promise<kj::Maybe<HandleImpl&>> local_handle(proto::Handle::Client& client);

private:
    kj::Own<MountTable> m_mounts;
    Resolver m_resolver;
    capnp::CapabilityServerSet<proto::Handle> m_handles;
    // Last: destroyed first (joins the workers while the rest is intact).
    WorkerPool m_pool;
};

// A guest's session: its root, starting directory, stdio and pipes.
class SessionImpl final : public proto::Session::Server {
public:
    SessionImpl(kj::Own<SessionState> state, proto::Handle::Client root, proto::Handle::Client cwd,
                kj::String cwd_path, proto::Handle::Client in, proto::Handle::Client out,
                proto::Handle::Client err);

protected:
    kj::Promise<void> root(RootContext context) override;
    kj::Promise<void> cwd(CwdContext context) override;
    kj::Promise<void> stdio(StdioContext context) override;
    kj::Promise<void> pipe(PipeContext context) override;
    kj::Promise<void> socketpair(SocketpairContext context) override;
    // Answers inline when a set is ready now (or timeoutNs is 0), else waits on a worker.
    kj::Promise<void> poll(PollContext context) override;
    kj::Promise<void> interrupt(InterruptContext context) override;

private:
    kj::Own<SessionState> m_state;
    proto::Handle::Client m_root;
    proto::Handle::Client m_cwd;
    kj::String m_cwd_path;
    proto::Handle::Client m_stdin;
    proto::Handle::Client m_stdout;
    proto::Handle::Client m_stderr;
};

// The bootstrap capability of one connection.
class ProxyServiceImpl final : public proto::ProxyService::Server {
public:
    explicit ProxyServiceImpl(const ProxyOptions& options) : m_options(options) {}

protected:
    // Validates the config (see MountTable::build; cwd: absolute, empty means "/", must be a
    // directory: ENOENT/ENOTDIR...; stdio handles: exactly three, else EINVAL) and returns the
    // session, or the errno and no session.
    kj::Promise<void> newSession(NewSessionContext context) override;

private:
    ProxyOptions m_options;
};

} // namespace jvmos::proxy
