// Test support for linux-proxy: a temporary host tree, the proxy served in-process on one end of
// a socketpair (a thread running its own kj event loop), and a real Cap'n Proto client on the
// other end, on the test's thread.
#pragma once

#include "server.h"

#include "jvmos.capnp.h"

#include <capnp/rpc-twoparty.h>
#include <gtest/gtest.h>
#include <kj/async-io.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace jvmos::proxy::testing {

// A directory under $TMPDIR (or /tmp), removed recursively at the end.
class TempTree {
public:
    TempTree();
    ~TempTree();
    const std::string& path() const { return m_path; }
    std::string at(const std::string& relative) const { return m_path + "/" + relative; }
    void mkdir(const std::string& relative) const;
    void write(const std::string& relative, const std::string& content) const;
    void symlink(const std::string& target, const std::string& relative) const;
    std::string read(const std::string& relative) const; // "" if absent
    bool exists(const std::string& relative) const;

private:
    std::string m_path;
};

// The proxy serving one connection on a thread of its own.
class InProcessServer {
public:
    explicit InProcessServer(ProxyOptions options);
    ~InProcessServer(); // closes the client end if still held, then waits for the server thread
    // The client end of the socketpair (ownership passes to the caller).
    int take_client_fd();
    // Waits until serve_connection() has returned (the client disconnected) and every session
    // of the connection is gone.
    void join();

private:
    int m_client_fd = -1;
    std::thread m_thread;
};

// A client of one connection, on the calling thread's event loop (one per thread at a time).
class Client {
public:
    explicit Client(int fd);
    kj::WaitScope& ws() { return m_io.waitScope; }
    proto::ProxyService::Client& service() { return m_service; }
    // Closes the connection (the stream); capabilities obtained from it break.
    void disconnect();

private:
    kj::AsyncIoContext m_io;
    kj::Own<kj::AsyncIoStream> m_stream;
    kj::Own<capnp::TwoPartyClient> m_rpc;
    proto::ProxyService::Client m_service;
    int m_fd; // the socket (owned by m_stream)
};

struct MountArg {
    std::string host;
    std::string guest;
    bool read_only = false;
};

// newSession with inherited stdio; returns errno and the session (null unless errno is 0).
struct SessionReply {
    int error;
    proto::Session::Client session;
};
SessionReply new_session(Client& client, const std::vector<MountArg>& mounts,
                         const std::string& cwd = "/");

// Convenience wrappers: one call, waited for.
struct OpenReply {
    int error;
    proto::Handle::Client handle;
    uint64_t ino;
    uint32_t mode;
    int64_t size;
};
OpenReply open_at(Client& c, proto::Handle::Client& dir, const std::string& path, uint32_t flags,
                  uint32_t mode = 0644);
struct DataReply {
    int error;
    std::string data;
};
DataReply read(Client& c, proto::Handle::Client& handle, uint32_t count);
DataReply read_file(Client& c, proto::Handle::Client& dir, const std::string& path);
struct CountReply {
    int error;
    int64_t value;
};
CountReply write(Client& c, proto::Handle::Client& handle, const std::string& data);
struct StatReply {
    int error;
    uint64_t ino;
    uint32_t mode;
    int64_t size;
};
StatReply stat_at(Client& c, proto::Handle::Client& dir, const std::string& path,
                  uint32_t flags = 0);
StatReply stat(Client& c, proto::Handle::Client& handle);
DataReply readlink_at(Client& c, proto::Handle::Client& dir, const std::string& path);
int mkdir_at(Client& c, proto::Handle::Client& dir, const std::string& path, uint32_t mode = 0755);
int unlink_at(Client& c, proto::Handle::Client& dir, const std::string& path, uint32_t flags = 0);
int rename_at(Client& c, proto::Handle::Client& dir, const std::string& from,
              proto::Handle::Client& new_dir, const std::string& to, uint32_t flags = 0);
int chmod_at(Client& c, proto::Handle::Client& dir, const std::string& path, uint32_t mode,
             uint32_t flags = 0);
int access_at(Client& c, proto::Handle::Client& dir, const std::string& path, uint32_t mode,
              uint32_t flags = 0);
proto::Handle::Client root_of(Client& c, proto::Session::Client& session);

// A fixture with a temp tree ("root" mounted at "/", "data" at "/data", "ro" read-only at
// "/ro", "outside" not mounted), an in-process server whose inherited stdio is three pipes, a
// client and a session.
class ProxyTest : public ::testing::Test {
protected:
    ProxyTest();
    ~ProxyTest() noexcept override;

    // The other ends of the inherited stdio pipes: write to stdin_writer, read from the others.
    int stdin_writer() const { return m_stdin[1]; }
    int stdout_reader() const { return m_stdout[0]; }

    TempTree tree;
    std::unique_ptr<InProcessServer> server;
    std::unique_ptr<Client> client;
    proto::Session::Client session = nullptr;
    proto::Handle::Client root = nullptr;

private:
    int m_stdin[2] = {-1, -1};
    int m_stdout[2] = {-1, -1};
    int m_stderr[2] = {-1, -1};
};

} // namespace jvmos::proxy::testing
