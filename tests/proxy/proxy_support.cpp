#include "proxy_support.h"

#include <kj/debug.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <ftw.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

namespace jvmos::proxy::testing {

// ---- TempTree ------------------------------------------------------------------------------

TempTree::TempTree() {
    const char* base = getenv("TMPDIR");
    std::string pattern = std::string(base != nullptr && base[0] != '\0' ? base : "/tmp") +
                          "/jvmos-proxy-test-XXXXXX";
    std::vector<char> buffer(pattern.begin(), pattern.end());
    buffer.push_back('\0');
    KJ_ASSERT(mkdtemp(buffer.data()) != nullptr, strerror(errno));
    m_path = buffer.data();
}

TempTree::~TempTree() {
    // Make everything writable again (tests chmod things), then remove depth first.
    nftw(
        m_path.c_str(),
        [](const char* p, const struct stat* st, int type, struct FTW*) {
            if (type == FTW_D || type == FTW_DP) chmod(p, 0700);
            (void)st;
            return 0;
        },
        16, FTW_PHYS);
    nftw(
        m_path.c_str(),
        [](const char* p, const struct stat*, int, struct FTW*) { return remove(p); }, 16,
        FTW_DEPTH | FTW_PHYS);
}

void TempTree::mkdir(const std::string& relative) const {
    KJ_ASSERT(::mkdir(at(relative).c_str(), 0755) == 0, relative, strerror(errno));
}

void TempTree::write(const std::string& relative, const std::string& content) const {
    int fd = open(at(relative).c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    KJ_ASSERT(fd >= 0, relative, strerror(errno));
    KJ_ASSERT(::write(fd, content.data(), content.size()) == ssize_t(content.size()));
    close(fd);
}

void TempTree::symlink(const std::string& target, const std::string& relative) const {
    KJ_ASSERT(::symlink(target.c_str(), at(relative).c_str()) == 0, relative, strerror(errno));
}

std::string TempTree::read(const std::string& relative) const {
    int fd = open(at(relative).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return "";
    std::string out;
    char buffer[4096];
    ssize_t n;
    while ((n = ::read(fd, buffer, sizeof buffer)) > 0) out.append(buffer, n);
    close(fd);
    return out;
}

bool TempTree::exists(const std::string& relative) const {
    struct stat st;
    return lstat(at(relative).c_str(), &st) == 0;
}

// ---- InProcessServer -----------------------------------------------------------------------

InProcessServer::InProcessServer(ProxyOptions options) {
    signal(SIGPIPE, SIG_IGN); // as jvmos-proxy's main does
    int fds[2];
    KJ_ASSERT(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0);
    m_client_fd = fds[1];
    int server_fd = fds[0];
    m_thread = std::thread([server_fd, options]() {
        KJ_IF_MAYBE (exception, kj::runCatchingExceptions([&]() {
                         auto io = kj::setupAsyncIo();
                         auto stream =
                             io.lowLevelProvider->wrapSocketFd(kj::AutoCloseFd(server_fd));
                         serve_connection(kj::mv(stream), options).wait(io.waitScope);
                     })) {
            ADD_FAILURE() << "the server thread threw: " << exception->getDescription().cStr();
        }
    });
}

InProcessServer::~InProcessServer() {
    if (m_client_fd >= 0) close(m_client_fd);
    join();
}

int InProcessServer::take_client_fd() {
    int fd = m_client_fd;
    m_client_fd = -1;
    return fd;
}

void InProcessServer::join() {
    if (m_thread.joinable()) m_thread.join();
}

// ---- Client --------------------------------------------------------------------------------

Client::Client(int fd)
    : m_io(kj::setupAsyncIo()),
      m_stream(m_io.lowLevelProvider->wrapSocketFd(kj::AutoCloseFd(fd))),
      m_rpc(kj::heap<capnp::TwoPartyClient>(*m_stream)),
      m_service(m_rpc->bootstrap().castAs<proto::ProxyService>()), m_fd(fd) {}

void Client::disconnect() {
    // Both directions of the socket end at once, as when the monitor dies; the capabilities
    // the test still holds break.
    ::shutdown(m_fd, SHUT_RDWR);
}

// ---- one-call helpers ----------------------------------------------------------------------

namespace {

// The whole string, embedded NULs included (capnp's std::string conversion stops at the first).
kj::StringPtr text(const std::string& s) { return kj::StringPtr(s.data(), s.size()); }

} // namespace

SessionReply new_session(Client& client, const std::vector<MountArg>& mounts,
                         const std::string& cwd) {
    auto request = client.service().newSessionRequest();
    auto config = request.initConfig();
    auto list = config.initMounts(mounts.size());
    for (size_t i = 0; i < mounts.size(); ++i) {
        list[i].setHostPath(text(mounts[i].host));
        list[i].setGuestPath(text(mounts[i].guest));
        list[i].setReadOnly(mounts[i].read_only);
    }
    config.setCwd(text(cwd));
    request.initStdio().setInherited();
    auto reply = request.send().wait(client.ws());
    return SessionReply{reply.getErrno(), reply.getSession()};
}

OpenReply open_at(Client& c, proto::Handle::Client& dir, const std::string& path, uint32_t flags,
                  uint32_t mode) {
    auto request = dir.openAtRequest();
    request.setPath(text(path));
    request.setFlags(flags);
    request.setMode(mode);
    auto reply = request.send().wait(c.ws());
    auto st = reply.getStat();
    return OpenReply{reply.getErrno(), reply.getHandle(), st.getIno(), st.getMode(), st.getSize()};
}

DataReply read(Client& c, proto::Handle::Client& handle, uint32_t count) {
    auto request = handle.readRequest();
    request.setCount(count);
    auto reply = request.send().wait(c.ws());
    auto data = reply.getData();
    return DataReply{reply.getErrno(), std::string(data.asChars().begin(), data.size())};
}

DataReply read_file(Client& c, proto::Handle::Client& dir, const std::string& path) {
    auto opened = open_at(c, dir, path, O_RDONLY);
    if (opened.error != 0) return DataReply{opened.error, ""};
    return read(c, opened.handle, 65536);
}

CountReply write(Client& c, proto::Handle::Client& handle, const std::string& data) {
    auto request = handle.writeRequest();
    request.setData(kj::arrayPtr(reinterpret_cast<const kj::byte*>(data.data()), data.size()));
    auto reply = request.send().wait(c.ws());
    return CountReply{reply.getErrno(), reply.getWritten()};
}

StatReply stat_at(Client& c, proto::Handle::Client& dir, const std::string& path,
                  uint32_t flags) {
    auto request = dir.statAtRequest();
    request.setPath(text(path));
    request.setFlags(flags);
    auto reply = request.send().wait(c.ws());
    auto st = reply.getStat();
    return StatReply{reply.getErrno(), st.getIno(), st.getMode(), st.getSize()};
}

StatReply stat(Client& c, proto::Handle::Client& handle) {
    auto reply = handle.statRequest().send().wait(c.ws());
    auto st = reply.getStat();
    return StatReply{reply.getErrno(), st.getIno(), st.getMode(), st.getSize()};
}

DataReply readlink_at(Client& c, proto::Handle::Client& dir, const std::string& path) {
    auto request = dir.readlinkAtRequest();
    request.setPath(text(path));
    request.setMaxBytes(4096);
    auto reply = request.send().wait(c.ws());
    auto data = reply.getTarget();
    return DataReply{reply.getErrno(), std::string(data.asChars().begin(), data.size())};
}

int mkdir_at(Client& c, proto::Handle::Client& dir, const std::string& path, uint32_t mode) {
    auto request = dir.mkdirAtRequest();
    request.setPath(text(path));
    request.setMode(mode);
    return request.send().wait(c.ws()).getErrno();
}

int unlink_at(Client& c, proto::Handle::Client& dir, const std::string& path, uint32_t flags) {
    auto request = dir.unlinkAtRequest();
    request.setPath(text(path));
    request.setFlags(flags);
    return request.send().wait(c.ws()).getErrno();
}

int rename_at(Client& c, proto::Handle::Client& dir, const std::string& from,
              proto::Handle::Client& new_dir, const std::string& to, uint32_t flags) {
    auto request = dir.renameAtRequest();
    request.setOldPath(text(from));
    request.setNewDir(new_dir);
    request.setNewPath(text(to));
    request.setFlags(flags);
    return request.send().wait(c.ws()).getErrno();
}

int chmod_at(Client& c, proto::Handle::Client& dir, const std::string& path, uint32_t mode,
             uint32_t flags) {
    auto request = dir.chmodAtRequest();
    request.setPath(text(path));
    request.setMode(mode);
    request.setFlags(flags);
    return request.send().wait(c.ws()).getErrno();
}

int access_at(Client& c, proto::Handle::Client& dir, const std::string& path, uint32_t mode,
              uint32_t flags) {
    auto request = dir.accessAtRequest();
    request.setPath(text(path));
    request.setMode(mode);
    request.setFlags(flags);
    return request.send().wait(c.ws()).getErrno();
}

proto::Handle::Client root_of(Client& c, proto::Session::Client& session) {
    return session.rootRequest().send().wait(c.ws()).getDir();
}

// ---- ProxyTest -----------------------------------------------------------------------------

ProxyTest::ProxyTest() {
    tree.mkdir("root");
    tree.mkdir("root/etc");
    tree.write("root/etc/passwd", "guest passwd\n");
    tree.write("root/file.txt", "hello world");
    tree.mkdir("root/dir");
    tree.write("root/dir/a.txt", "a");
    tree.mkdir("root/dir/sub");
    tree.mkdir("root/data"); // the mount point
    tree.mkdir("root/ro");   // the mount point
    tree.mkdir("data");
    tree.write("data/d.txt", "data file");
    tree.mkdir("ro");
    tree.write("ro/r.txt", "read only");
    tree.mkdir("ro/rdir");
    tree.mkdir("outside");
    tree.write("outside/secret", "SECRET");
    tree.write("secret_parent", "PARENT SECRET");

    KJ_ASSERT(pipe2(m_stdin, O_CLOEXEC) == 0);
    KJ_ASSERT(pipe2(m_stdout, O_CLOEXEC) == 0);
    KJ_ASSERT(pipe2(m_stderr, O_CLOEXEC) == 0);
    ProxyOptions options;
    options.stdio = InheritedStdio{m_stdin[0], m_stdout[1], m_stderr[1]};
    server = std::make_unique<InProcessServer>(options);
    client = std::make_unique<Client>(server->take_client_fd());
    auto reply = new_session(*client, {{tree.at("root"), "/", false},
                                       {tree.at("data"), "/data", false},
                                       {tree.at("ro"), "/ro", true}});
    KJ_ASSERT(reply.error == 0, reply.error);
    session = kj::mv(reply.session);
    root = root_of(*client, session);
}

ProxyTest::~ProxyTest() noexcept {
    root = nullptr;
    session = nullptr;
    client.reset(); // disconnects: the server thread ends
    server->join();
    server.reset();
    for (int fd : {m_stdin[0], m_stdin[1], m_stdout[0], m_stdout[1], m_stderr[0], m_stderr[1]}) {
        close(fd);
    }
}

} // namespace jvmos::proxy::testing
