// The real jvmos-proxy binary: --listen unix:PATH (many connections, one dropping mid-call),
// --fd N (one connection; exit 0 when it closes, even mid-call; its own fds 0-2 are the
// guest's inherited stdio), and command-line misuse (one line, status 2).
#include "proxy_support.h"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace jvmos::proxy::testing {
namespace {

// The child process, killed (if still running) and reaped at the end.
class Child {
public:
    // Runs jvmos-proxy with `args`; `fds` maps child fd -> parent fd (dup2), -1: unchanged.
    Child(std::vector<std::string> args, std::vector<std::pair<int, int>> fds = {}) {
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        for (auto [child_fd, parent_fd] : fds) {
            posix_spawn_file_actions_adddup2(&actions, parent_fd, child_fd);
        }
        std::vector<char*> argv;
        std::string binary = JVMOS_PROXY_BINARY;
        argv.push_back(binary.data());
        for (auto& arg : args) argv.push_back(arg.data());
        argv.push_back(nullptr);
        int rc = posix_spawn(&m_pid, binary.c_str(), &actions, nullptr, argv.data(), environ);
        posix_spawn_file_actions_destroy(&actions);
        KJ_ASSERT(rc == 0, strerror(rc));
    }
    ~Child() {
        if (m_pid > 0) {
            kill(m_pid, SIGKILL);
            waitpid(m_pid, nullptr, 0);
        }
    }
    // Waits for the exit; returns the wait status.
    int wait() {
        int status = 0;
        KJ_ASSERT(waitpid(m_pid, &status, 0) == m_pid);
        m_pid = -1;
        return status;
    }
    pid_t pid() const { return m_pid; }

private:
    pid_t m_pid = -1;
};

// Connects to a unix socket, retrying while the proxy starts up (at most ~20 s: a synchronization
// wait, not a timing assertion). -1 if it never accepts.
int connect_unix(const std::string& path) {
    for (int attempt = 0; attempt < 2000; ++attempt) {
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_un address = {};
        address.sun_family = AF_UNIX;
        strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
        if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) return fd;
        close(fd);
        usleep(10000);
    }
    return -1;
}

TEST(ProxyBinary, ListenServesManyConnectionsAndSurvivesADroppedOne) {
    signal(SIGPIPE, SIG_IGN);
    TempTree tree;
    tree.write("hello", "from the binary");
    std::string socket_path = tree.at("proxy.sock");
    Child proxy({"--listen", "unix:" + socket_path});

    int first_fd = connect_unix(socket_path);
    ASSERT_GE(first_fd, 0);
    Client first(first_fd);
    auto first_session = new_session(first, {{tree.path(), "/", false}});
    ASSERT_EQ(first_session.error, 0);
    auto first_root = root_of(first, first_session.session);
    EXPECT_EQ(read_file(first, first_root, "hello").data, "from the binary");

    // A second connection, on another thread (one event loop per thread), drops mid-call.
    std::thread second([&]() {
        int fd = connect_unix(socket_path);
        ASSERT_GE(fd, 0);
        Client client(fd);
        auto session = new_session(client, {{tree.path(), "/", false}}).session;
        auto pipe = session.pipeRequest().send().wait(client.ws());
        auto read_end = pipe.getReadEnd();
        auto request = read_end.readRequest();
        request.setCount(10);
        auto pending = request.send();
        auto root = root_of(client, session);
        EXPECT_EQ(stat_at(client, root, "hello").error, 0); // the read is waiting now
        client.disconnect();
        EXPECT_ANY_THROW(pending.wait(client.ws()));
    });
    second.join();

    // A peer that sends garbage instead of Cap'n Proto loses its connection, nothing else.
    int garbage = connect_unix(socket_path);
    ASSERT_GE(garbage, 0);
    const unsigned char junk[] = {0xff, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4};
    ASSERT_EQ(::write(garbage, junk, sizeof junk), ssize_t(sizeof junk));
    char sink[64];
    while (::read(garbage, sink, sizeof sink) > 0) {} // until the proxy hangs up
    close(garbage);

    // The proxy is alive: the first connection still works and new ones are served.
    EXPECT_EQ(read_file(first, first_root, "hello").data, "from the binary");
    std::thread third([&]() {
        int fd = connect_unix(socket_path);
        ASSERT_GE(fd, 0);
        Client client(fd);
        auto session = new_session(client, {{tree.path(), "/", false}});
        ASSERT_EQ(session.error, 0);
        auto root = root_of(client, session.session);
        EXPECT_EQ(read_file(client, root, "hello").data, "from the binary");
    });
    third.join();
    EXPECT_EQ(kill(proxy.pid(), 0), 0); // still running (until killed: --listen never exits)
}

TEST(ProxyBinary, FdServesOneConnectionWithItsOwnStdioAndExitsWhenItCloses) {
    signal(SIGPIPE, SIG_IGN);
    TempTree tree;
    int sockets[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sockets), 0);
    int out[2];
    ASSERT_EQ(pipe2(out, O_CLOEXEC), 0);
    Child proxy({"--fd", "3"}, {{3, sockets[1]}, {1, out[1]}});
    close(sockets[1]);
    close(out[1]);
    {
        Client client(sockets[0]);
        auto session = new_session(client, {{tree.path(), "/", false}}).session;
        auto stdout_handle = session.stdioRequest().send().wait(client.ws()).getStdout();
        EXPECT_EQ(write(client, stdout_handle, "guest says hi").value, 13);
        char buffer[32] = {};
        ASSERT_EQ(::read(out[0], buffer, sizeof buffer), 13);
        EXPECT_STREQ(buffer, "guest says hi");

        // Mid-call: a read waiting on an empty pipe when the connection goes.
        auto pipe = session.pipeRequest().send().wait(client.ws());
        auto read_end = pipe.getReadEnd();
        auto request = read_end.readRequest();
        request.setCount(10);
        auto pending = request.send();
        auto root = root_of(client, session);
        EXPECT_EQ(stat_at(client, root, "/").error, 0);
        client.disconnect();
        EXPECT_ANY_THROW(pending.wait(client.ws()));
    }
    int status = proxy.wait();
    ASSERT_TRUE(WIFEXITED(status)) << status;
    EXPECT_EQ(WEXITSTATUS(status), 0);
    close(out[0]);
}

// Runs the binary with `args`; returns (exit status, stderr, stdout).
struct RunResult {
    int status;
    std::string err;
    std::string out;
};
RunResult run(std::vector<std::string> args) {
    int err[2], out[2];
    KJ_ASSERT(pipe2(err, O_CLOEXEC) == 0 && pipe2(out, O_CLOEXEC) == 0);
    Child child(args, {{2, err[1]}, {1, out[1]}});
    close(err[1]);
    close(out[1]);
    auto drain = [](int fd) {
        std::string text;
        char buffer[4096];
        ssize_t n;
        while ((n = ::read(fd, buffer, sizeof buffer)) > 0) text.append(buffer, n);
        close(fd);
        return text;
    };
    std::string out_text = drain(out[0]);
    std::string err_text = drain(err[0]);
    int status = child.wait();
    return RunResult{WIFEXITED(status) ? WEXITSTATUS(status) : -1, err_text, out_text};
}

TEST(ProxyBinary, MisuseIsOneLineAndStatus2) {
    for (auto args : std::vector<std::vector<std::string>>{{},
                                                           {"--bogus"},
                                                           {"--listen", "nowhere"},
                                                           {"--fd"},
                                                           {"--fd", "3", "--listen", "unix:/x"}}) {
        auto result = run(args);
        EXPECT_EQ(result.status, 2);
        ASSERT_FALSE(result.err.empty());
        EXPECT_EQ(result.err.find('\n'), result.err.size() - 1) << result.err; // one line
        EXPECT_EQ(result.err.rfind("jvmos-proxy: ", 0), 0u) << result.err;
    }
    auto help = run({"--help"});
    EXPECT_EQ(help.status, 0);
    EXPECT_NE(help.out.find("--listen unix:PATH"), std::string::npos);
    auto not_a_socket = run({"--fd", "99"}); // not open in the child
    EXPECT_EQ(not_a_socket.status, 2);
}

} // namespace
} // namespace jvmos::proxy::testing
