// Reaching linux-proxy. By default the monitor starts `jvmos-proxy --fd 3` (found next to the
// jvmos binary) as a child over a socketpair; the child inherits the monitor's fds 0, 1, 2, so
// the guest's stdio is the jvmos command's own (StdioSource.inherited). With --proxy the monitor
// connects to a running proxy instead and serves its own fds 0, 1, 2 itself (StdioHandle below,
// StdioSource.handles), because a proxy on another host cannot inherit them.
//
// Setup failures throw std::runtime_error with a one-line message fit for "jvmos: <message>":
// "cannot start linux-proxy: ..." or "cannot connect to linux-proxy at ADDRESS: ...".
#pragma once

#include "cli.h"

#include "jvmos.capnp.h"

#include <kj/function.h>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <sys/stat.h>
#include <sys/types.h>
#include <thread>

namespace jvmos::boot {

// Where the guest's fds 0, 1, 2 come from (the schema's StdioSource).
enum class StdioMode {
    Inherited,       // the proxy's own fds 0-2 (it inherited the monitor's)
    ServedByMonitor, // three StdioHandles on the monitor's fds 0-2
};

// A connected stream socket to linux-proxy, and the child process if the monitor started it.
class ProxyLink {
public:
    // Starts `binary --fd 3` with one end of a new socketpair as its fd 3 and the monitor's fds
    // 0-2 as its own. Throws "cannot start linux-proxy: <binary>: <reason>".
    static ProxyLink start(const std::string& binary);
    // Connects to a proxy listening at `address` (blocking; TCP_NODELAY on TCP). Throws
    // "cannot connect to linux-proxy at <address>: <reason>".
    static ProxyLink connect(const ProxyAddress& address);

    ProxyLink(ProxyLink&& other) noexcept;
    ProxyLink& operator=(ProxyLink&&) = delete;
    // Closes the socket if it was not taken, then waits up to 2 s for a child to exit (it exits
    // when its connection closes) and kills it if it has not.
    ~ProxyLink();

    // Hands the socket over (to the Relay, which owns it from then on). Once only.
    int take_socket();
    StdioMode stdio_mode() const { return m_stdio; }
    // How a child proxy ended, if it has ("it exited with status 2", "it was killed by signal
    // 9"); empty while it runs or when there is no child. Reaps it.
    std::string child_exit_status();

private:
    ProxyLink(int fd, pid_t child, StdioMode stdio) : m_fd(fd), m_child(child), m_stdio(stdio) {}
    int m_fd = -1;
    pid_t m_child = -1; // -1: none, or already reaped
    StdioMode m_stdio;
    std::string m_exit_text; // once reaped
};

// Runs blocking jobs on a thread of its own, one at a time in submission order, so that an event
// loop never blocks. Each job gets a "cancel" fd that becomes readable when the worker is being
// destroyed; jobs that wait (poll) include it so that destruction never hangs.
class BlockingWorker {
public:
    BlockingWorker();
    ~BlockingWorker(); // cancels waiting jobs, runs the queue dry, joins
    BlockingWorker(const BlockingWorker&) = delete;
    BlockingWorker& operator=(const BlockingWorker&) = delete;

    // Queues `job`; it runs on the worker thread and must not touch kj objects of the caller's
    // thread (it gets only the cancel fd).
    void post(kj::Function<void(int cancel_fd)> job);

private:
    void main();
    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<kj::Function<void(int)>> m_jobs; // guarded by m_mutex
    bool m_stopping = false;                     // guarded by m_mutex
    int m_cancel_fd = -1;
    std::thread m_thread;
};

// One of the monitor's own fds 0-2 served as a Handle (for StdioSource.handles). Lives on the
// thread whose event loop serves it (the relay's). What Linux would do on a terminal, pipe or
// file that is a process's stdio:
//  * read / write / flock run on a BlockingWorker: a read of a terminal may wait forever without
//    stalling the relay or the other two handles;
//  * stat, statfs, seek, pread, pwrite, truncate, sync, chmod, getStatusFlags are the direct
//    system calls on the fd (they do not block on terminals and pipes: ESPIPE, EINVAL...);
//  * ioctl: TCGETS, TIOCGWINSZ and FIONREAD only (else ENOTTY), as the schema says;
//  * setStatusFlags: EPERM, because the fd's flags are shared with the shell that started jvmos
//    (a guest setting O_NONBLOCK on the terminal would break the shell after jvmos exits);
//  * getdents and every path call: ENOTDIR (stdio is never a directory handle).
class StdioHandle final : public proto::Handle::Server {
public:
    // `fd` stays open and owned by the caller (it is 0, 1 or 2).
    explicit StdioHandle(int fd) : m_fd(fd) {}

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

private:
    int m_fd;
    BlockingWorker m_worker;
};

// proto::Stat from a host struct stat (for servers of the schema that stat a host fd).
void fill_proto_stat(proto::Stat::Builder out, const struct stat& st);

} // namespace jvmos::boot
