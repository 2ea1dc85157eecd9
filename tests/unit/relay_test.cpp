// The relay (boot/relay.*) against an in-process fake linux-proxy and a fake guest: guest memory
// is a std::vector, the "guest" is the test thread filling ring slots, the proxy is a Cap'n Proto
// server on its own thread over a socketpair, doing real POSIX calls in a temporary directory.
// No KVM: the doorbell and the completion interrupt are plain eventfds.
#include "relay.h"

#include "jvmos/abi/abi.h"

#include <capnp/capability.h>
#include <capnp/rpc-twoparty.h>
#include <kj/async-io.h>
#include <kj/debug.h>
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <thread>
#include <unistd.h>

namespace jvmos::boot {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// Generous bound for "eventually": a wait that runs out fails the test instead of hanging it.
constexpr auto PATIENCE = 10s;

template <typename Pred> bool eventually(Pred pred) {
    const auto deadline = std::chrono::steady_clock::now() + PATIENCE;
    while (!pred()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(50us);
    }
    return true;
}

// ---- The fake proxy ----------------------------------------------------------------------------

enum class FakeMode {
    Normal,
    Hang, // read answers only when interrupted (a call in flight, e.g. when the connection dies)
    Liar, // read answers with more bytes than asked for
};

class FakeHandle;

// State shared by the fake's servers (all on the fake's thread).
struct FakeWorld {
    std::string root;
    capnp::CapabilityServerSet<proto::Handle> handles;
    int stdio[3] = {-1, -1, -1}; // the fake's ends: stdin read end, stdout/stderr write ends
    int refuse_errno = 0;         // newSession answers this errno when nonzero
    std::mutex mutex;
    std::vector<MountOption> mounts_seen; // guarded by mutex
    std::string cwd_seen;                 // guarded by mutex
    bool inherited_seen = false;          // guarded by mutex
    std::atomic<int> interrupts_seen{0};  // Handle.interrupt calls received

    proto::Handle::Client handle(int fd, FakeMode mode = FakeMode::Normal);
    // A path of a call on `dir_fd`: relative stays relative, absolute is taken from the root.
    std::pair<int, std::string> resolve(int dir_fd, const std::string& path, int& root_fd) {
        if (!path.empty() && path[0] == '/') {
            root_fd = open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            return {root_fd, path.size() > 1 ? path.substr(1) : "."};
        }
        return {dir_fd, path};
    }
};

class FakeHandle final : public proto::Handle::Server {
public:
    FakeHandle(FakeWorld& world, int fd, FakeMode mode) : m_world(world), m_fd(fd), m_mode(mode) {}
    ~FakeHandle() { close(m_fd); }
    int fd() const { return m_fd; }

protected:
    kj::Promise<void> read(ReadContext c) override {
        const uint32_t n = c.getParams().getCount();
        if (m_mode == FakeMode::Hang) {
            // Waits until interrupt() names this call's token, then fails as Linux's would.
            auto paf = kj::newPromiseAndFulfiller<void>();
            m_hung_token = c.getParams().getToken();
            m_hung = kj::mv(paf.fulfiller);
            return paf.promise.then([c]() mutable { c.getResults().setErrno(EINTR); });
        }
        if (m_mode == FakeMode::Liar) {
            c.getResults().initData(n + 1);
            return kj::READY_NOW;
        }
        std::vector<uint8_t> buf(n);
        const ssize_t got = ::read(m_fd, buf.data(), n);
        if (got < 0) c.getResults().setErrno(errno);
        else c.getResults().setData(kj::arrayPtr(buf.data(), size_t(got)));
        return kj::READY_NOW;
    }
    kj::Promise<void> write(WriteContext c) override {
        auto d = c.getParams().getData();
        const ssize_t n = ::write(m_fd, d.begin(), d.size());
        if (n < 0) c.getResults().setErrno(errno);
        else c.getResults().setWritten(uint32_t(n));
        return kj::READY_NOW;
    }
    kj::Promise<void> pread(PreadContext c) override {
        std::vector<uint8_t> buf(c.getParams().getCount());
        const ssize_t got = ::pread(m_fd, buf.data(), buf.size(), c.getParams().getOffset());
        if (got < 0) c.getResults().setErrno(errno);
        else c.getResults().setData(kj::arrayPtr(buf.data(), size_t(got)));
        return kj::READY_NOW;
    }
    kj::Promise<void> pwrite(PwriteContext c) override {
        auto d = c.getParams().getData();
        const ssize_t n = ::pwrite(m_fd, d.begin(), d.size(), c.getParams().getOffset());
        if (n < 0) c.getResults().setErrno(errno);
        else c.getResults().setWritten(uint32_t(n));
        return kj::READY_NOW;
    }
    kj::Promise<void> seek(SeekContext c) override {
        const off_t pos = ::lseek(m_fd, c.getParams().getOffset(), c.getParams().getWhence());
        if (pos < 0) c.getResults().setErrno(errno);
        else c.getResults().setPosition(pos);
        return kj::READY_NOW;
    }
    kj::Promise<void> stat(StatContext c) override {
        struct stat st;
        if (::fstat(m_fd, &st) < 0) c.getResults().setErrno(errno);
        else fill_proto_stat(c.getResults().initStat(), st);
        return kj::READY_NOW;
    }
    kj::Promise<void> statfs(StatfsContext c) override {
        struct statfs sf;
        if (::fstatfs(m_fd, &sf) < 0) {
            c.getResults().setErrno(errno);
            return kj::READY_NOW;
        }
        auto o = c.getResults().initStatfs();
        o.setType(sf.f_type);
        o.setBsize(sf.f_bsize);
        o.setBlocks(sf.f_blocks);
        o.setBfree(sf.f_bfree);
        o.setBavail(sf.f_bavail);
        o.setFiles(sf.f_files);
        o.setFfree(sf.f_ffree);
        uint64_t fsid;
        std::memcpy(&fsid, &sf.f_fsid, 8);
        o.setFsid(fsid);
        o.setNamelen(sf.f_namelen);
        o.setFrsize(sf.f_frsize);
        o.setFlags(sf.f_flags);
        return kj::READY_NOW;
    }
    kj::Promise<void> truncate(TruncateContext c) override {
        if (::ftruncate(m_fd, c.getParams().getLength()) < 0) c.getResults().setErrno(errno);
        return kj::READY_NOW;
    }
    kj::Promise<void> sync(SyncContext c) override {
        if ((c.getParams().getDataOnly() ? ::fdatasync(m_fd) : ::fsync(m_fd)) < 0)
            c.getResults().setErrno(errno);
        return kj::READY_NOW;
    }
    kj::Promise<void> flock(FlockContext c) override {
        if (::flock(m_fd, int(c.getParams().getOperation())) < 0) c.getResults().setErrno(errno);
        return kj::READY_NOW;
    }
    kj::Promise<void> getStatusFlags(GetStatusFlagsContext c) override {
        const int f = fcntl(m_fd, F_GETFL);
        if (f < 0) c.getResults().setErrno(errno);
        else c.getResults().setFlags(uint32_t(f));
        return kj::READY_NOW;
    }
    kj::Promise<void> setStatusFlags(SetStatusFlagsContext c) override {
        if (fcntl(m_fd, F_SETFL, c.getParams().getFlags()) < 0) c.getResults().setErrno(errno);
        return kj::READY_NOW;
    }
    kj::Promise<void> ioctl(IoctlContext c) override {
        if (c.getParams().getRequest() != FIONREAD) {
            c.getResults().setErrno(ENOTTY);
            return kj::READY_NOW;
        }
        int n = 0;
        if (::ioctl(m_fd, FIONREAD, &n) < 0) {
            c.getResults().setErrno(errno);
            return kj::READY_NOW;
        }
        c.getResults().setArg(kj::arrayPtr(reinterpret_cast<const kj::byte*>(&n), sizeof n));
        c.getResults().setResult(0);
        return kj::READY_NOW;
    }
    kj::Promise<void> chmod(ChmodContext c) override {
        if (::fchmod(m_fd, c.getParams().getMode()) < 0) c.getResults().setErrno(errno);
        return kj::READY_NOW;
    }
    kj::Promise<void> getdents(GetdentsContext c) override {
        std::vector<uint8_t> buf(c.getParams().getMaxBytes());
        const long n = syscall(SYS_getdents64, m_fd, buf.data(), buf.size());
        if (n < 0) c.getResults().setErrno(errno);
        else c.getResults().setData(kj::arrayPtr(buf.data(), size_t(n)));
        return kj::READY_NOW;
    }
    kj::Promise<void> openAt(OpenAtContext c) override {
        auto p = c.getParams();
        int root_fd = -1;
        auto [dir, path] = m_world.resolve(m_fd, p.getPath(), root_fd);
        FakeMode mode = path == "hang" ? FakeMode::Hang
                        : path == "liar" ? FakeMode::Liar
                                         : FakeMode::Normal;
        const int fd = ::openat(dir, path.c_str(), int(p.getFlags()) | O_CLOEXEC, p.getMode());
        const int err = errno;
        if (root_fd >= 0) close(root_fd);
        if (fd < 0) {
            c.getResults().setErrno(err);
            return kj::READY_NOW;
        }
        struct stat st;
        ::fstat(fd, &st);
        fill_proto_stat(c.getResults().initStat(), st);
        c.getResults().setHandle(m_world.handle(fd, mode));
        return kj::READY_NOW;
    }
    kj::Promise<void> statAt(StatAtContext c) override {
        auto p = c.getParams();
        int root_fd = -1;
        auto [dir, path] = m_world.resolve(m_fd, p.getPath(), root_fd);
        struct stat st;
        const int r = ::fstatat(dir, path.c_str(), &st, int(p.getFlags()));
        const int err = errno;
        if (root_fd >= 0) close(root_fd);
        if (r < 0) c.getResults().setErrno(err);
        else fill_proto_stat(c.getResults().initStat(), st);
        return kj::READY_NOW;
    }
    kj::Promise<void> readlinkAt(ReadlinkAtContext c) override {
        auto p = c.getParams();
        std::vector<char> buf(p.getMaxBytes());
        const ssize_t n = ::readlinkat(m_fd, p.getPath().cStr(), buf.data(), buf.size());
        if (n < 0) c.getResults().setErrno(errno);
        else
            c.getResults().setTarget(
                kj::arrayPtr(reinterpret_cast<kj::byte*>(buf.data()), size_t(n)));
        return kj::READY_NOW;
    }
    kj::Promise<void> accessAt(AccessAtContext c) override {
        auto p = c.getParams();
        if (::faccessat(m_fd, p.getPath().cStr(), int(p.getMode()), int(p.getFlags())) < 0)
            c.getResults().setErrno(errno);
        return kj::READY_NOW;
    }
    kj::Promise<void> mkdirAt(MkdirAtContext c) override {
        if (::mkdirat(m_fd, c.getParams().getPath().cStr(), c.getParams().getMode()) < 0)
            c.getResults().setErrno(errno);
        return kj::READY_NOW;
    }
    kj::Promise<void> unlinkAt(UnlinkAtContext c) override {
        if (::unlinkat(m_fd, c.getParams().getPath().cStr(), int(c.getParams().getFlags())) < 0)
            c.getResults().setErrno(errno);
        return kj::READY_NOW;
    }
    kj::Promise<void> renameAt(RenameAtContext c) override {
        auto dir = c.getParams().getNewDir();
        return m_world.handles.getLocalServer(dir).then(
            [this, c](kj::Maybe<proto::Handle::Server&> server) mutable {
                auto p = c.getParams();
                KJ_IF_MAYBE(s, server) {
                    const int to = static_cast<FakeHandle&>(*s).fd();
                    if (::renameat(m_fd, p.getOldPath().cStr(), to, p.getNewPath().cStr()) < 0)
                        c.getResults().setErrno(errno);
                } else {
                    c.getResults().setErrno(EXDEV);
                }
            });
    }
    kj::Promise<void> chmodAt(ChmodAtContext c) override {
        auto p = c.getParams();
        if (::fchmodat(m_fd, p.getPath().cStr(), p.getMode(), int(p.getFlags())) < 0)
            c.getResults().setErrno(errno);
        return kj::READY_NOW;
    }
    kj::Promise<void> interrupt(InterruptContext c) override {
        m_world.interrupts_seen++;
        KJ_IF_MAYBE(f, m_hung) {
            if (c.getParams().getToken() == m_hung_token) {
                (*f)->fulfill();
                m_hung = nullptr;
            }
        }
        return kj::READY_NOW;
    }

private:
    FakeWorld& m_world;
    int m_fd;
    FakeMode m_mode;
    uint64_t m_hung_token = 0;                             // the hanging read's token
    kj::Maybe<kj::Own<kj::PromiseFulfiller<void>>> m_hung; // ends it with EINTR
};

proto::Handle::Client FakeWorld::handle(int fd, FakeMode mode) {
    return handles.add(kj::heap<FakeHandle>(*this, fd, mode));
}

class FakeSession final : public proto::Session::Server {
public:
    FakeSession(FakeWorld& world, std::string cwd) : m_world(world), m_cwd(std::move(cwd)) {}

protected:
    kj::Promise<void> root(RootContext c) override {
        c.getResults().setDir(m_world.handle(open_root()));
        return kj::READY_NOW;
    }
    kj::Promise<void> cwd(CwdContext c) override {
        c.getResults().setDir(m_world.handle(open_root()));
        c.getResults().setPath(m_cwd);
        return kj::READY_NOW;
    }
    kj::Promise<void> stdio(StdioContext c) override {
        auto r = c.getResults();
        r.setStdin(m_world.handle(fcntl(m_world.stdio[0], F_DUPFD_CLOEXEC, 0)));
        r.setStdout(m_world.handle(fcntl(m_world.stdio[1], F_DUPFD_CLOEXEC, 0)));
        r.setStderr(m_world.handle(fcntl(m_world.stdio[2], F_DUPFD_CLOEXEC, 0)));
        return kj::READY_NOW;
    }
    kj::Promise<void> pipe(PipeContext c) override {
        int p[2];
        if (pipe2(p, O_CLOEXEC | int(c.getParams().getFlags())) < 0) {
            c.getResults().setErrno(errno);
            return kj::READY_NOW;
        }
        c.getResults().setReadEnd(m_world.handle(p[0]));
        c.getResults().setWriteEnd(m_world.handle(p[1]));
        return kj::READY_NOW;
    }

private:
    int open_root() { return open(m_world.root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); }
    FakeWorld& m_world;
    std::string m_cwd;
};

class FakeService final : public proto::ProxyService::Server {
public:
    explicit FakeService(FakeWorld& world) : m_world(world) {}

protected:
    kj::Promise<void> newSession(NewSessionContext c) override {
        auto config = c.getParams().getConfig();
        {
            std::lock_guard<std::mutex> lock(m_world.mutex);
            for (auto m : config.getMounts())
                m_world.mounts_seen.push_back(
                    {m.getHostPath(), m.getGuestPath(),
                     m.getReadOnly() ? MountAccess::ReadOnly : MountAccess::ReadWrite});
            m_world.cwd_seen = config.getCwd();
            m_world.inherited_seen = c.getParams().getStdio().isInherited();
        }
        if (m_world.refuse_errno) {
            c.getResults().setErrno(m_world.refuse_errno);
            return kj::READY_NOW;
        }
        c.getResults().setSession(kj::heap<FakeSession>(m_world, config.getCwd()));
        return kj::READY_NOW;
    }

private:
    FakeWorld& m_world;
};

// The fake proxy: its own thread and event loop, serving one connection.
class FakeProxy {
public:
    explicit FakeProxy(std::string root, int refuse_errno = 0) {
        m_world.root = std::move(root);
        m_world.refuse_errno = refuse_errno;
        for (int i = 0; i < 3; i++) {
            int p[2];
            EXPECT_EQ(pipe2(p, O_CLOEXEC), 0);
            // stdin: the fake reads p[0], the test writes p[1]; stdout/stderr the other way.
            m_world.stdio[i] = i == 0 ? p[0] : p[1];
            m_test_end[i] = i == 0 ? p[1] : p[0];
        }
        int sv[2];
        EXPECT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
        m_client_fd = sv[0];
        m_server_fd = sv[1];
        m_kill_fd = fcntl(sv[1], F_DUPFD_CLOEXEC, 0); // stays valid after the fake closes its fd
        std::promise<void> ready;
        auto started = ready.get_future();
        m_thread = std::thread([this, &ready] { serve(ready); });
        started.get();
    }
    ~FakeProxy() {
        kill();
        m_thread.join();
        close(m_kill_fd);
        if (m_client_fd >= 0) close(m_client_fd);
        for (int i = 0; i < 3; i++) {
            close(m_world.stdio[i]);
            close(m_test_end[i]);
        }
    }
    // The relay's end of the connection (it takes ownership).
    int take_client_fd() {
        const int fd = m_client_fd;
        m_client_fd = -1;
        return fd;
    }
    // The proxy dies: its end of the connection goes away at once.
    void kill() { shutdown(m_kill_fd, SHUT_RDWR); }
    int test_end(int stdio_fd) const { return m_test_end[stdio_fd]; }
    FakeWorld& world() { return m_world; }

private:
    void serve(std::promise<void>& ready) {
        kj::AsyncIoContext io = kj::setupAsyncIo();
        {
            auto stream = io.lowLevelProvider->wrapSocketFd(
                m_server_fd, kj::LowLevelAsyncIoProvider::TAKE_OWNERSHIP);
            // The serving side of a two-party connection; its bootstrap is the fake service.
            capnp::TwoPartyClient server(*stream, kj::heap<FakeService>(m_world),
                                         capnp::rpc::twoparty::Side::SERVER);
            ready.set_value();
            server.onDisconnect().wait(io.waitScope);
        }
        // Servers (and their fds) go away with the connection, on this thread.
    }

    FakeWorld m_world;
    int m_client_fd = -1;
    int m_server_fd = -1;
    int m_kill_fd = -1;
    int m_test_end[3] = {-1, -1, -1};
    std::thread m_thread;
};

// ---- The fake guest and the monitor's side ------------------------------------------------------

class RecordingEvents final : public RelayEvents {
public:
    void guest_fault(std::string report) override {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_faults.push_back(std::move(report));
    }
    void connection_lost() override { m_lost++; }
    void relay_failed(std::string what) override {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_failures.push_back(std::move(what));
    }
    std::vector<std::string> faults() {
        std::lock_guard<std::mutex> lock(m_mutex);
        return m_faults;
    }
    std::vector<std::string> failures() {
        std::lock_guard<std::mutex> lock(m_mutex);
        return m_failures;
    }
    int lost() const { return m_lost.load(); }

private:
    std::mutex m_mutex;
    std::vector<std::string> m_faults;
    std::vector<std::string> m_failures;
    std::atomic<int> m_lost{0};
};

constexpr uint64_t RING_GPA = 0x10000;
constexpr uint64_t DATA_GPA = 0x100000;
constexpr uint64_t RAM_SIZE =
    DATA_GPA + uint64_t(JVMOS_SHIP_SLOTS) * JVMOS_SHIP_SLOT_DATA + 0x10000;

class RelayTest : public ::testing::Test {
protected:
    RelayTest()
        : m_ram(RAM_SIZE), m_memory({{0, m_ram.size(), m_ram.data()}}),
          m_dir(fs::temp_directory_path() / ("jvmos_relay_test_" + std::to_string(getpid()) +
                                             "_" + std::to_string(s_counter++))) {
        fs::create_directories(m_dir);
        m_doorbell = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        m_irq = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        ring()->magic = JVMOS_SHIP_RING_MAGIC;
        ring()->slot_count = JVMOS_SHIP_SLOTS;
        for (uint32_t i = 0; i < JVMOS_SHIP_SLOTS; i++)
            ring()->slots[i].data_gpa = DATA_GPA + uint64_t(i) * JVMOS_SHIP_SLOT_DATA;
    }
    ~RelayTest() override {
        m_relay.reset();
        m_proxy.reset();
        close(m_doorbell);
        close(m_irq);
        fs::remove_all(m_dir);
    }

    // Starts the fake proxy and the relay (not yet set up).
    void start(StdioMode stdio = StdioMode::Inherited, int refuse_errno = 0) {
        m_proxy = std::make_unique<FakeProxy>(m_dir.string(), refuse_errno);
        RelayConfig config;
        config.proxy_socket = m_proxy->take_client_fd();
        config.stdio = stdio;
        config.session.mounts = {{m_dir.string(), "/", MountAccess::ReadOnly},
                                 {"/tmp", "/tmp", MountAccess::ReadWrite}};
        config.session.cwd = "/home/guest/dir";
        config.doorbell_fd = m_doorbell;
        config.irq_fd = m_irq;
        m_relay = std::make_unique<Relay>(m_memory, m_events, std::move(config));
    }
    void start_and_setup() {
        start();
        ASSERT_EQ(m_relay->setup(GuestPhysAddr{RING_GPA}), 0);
    }

    jvmos_ship_ring* ring() { return reinterpret_cast<jvmos_ship_ring*>(m_ram.data() + RING_GPA); }
    jvmos_ship_slot& slot(uint32_t i) { return ring()->slots[i]; }
    uint8_t* data(uint32_t i) {
        return m_ram.data() + DATA_GPA + uint64_t(i) * JVMOS_SHIP_SLOT_DATA;
    }

    // Fills slot `i` like the guest kernel does, without submitting it.
    void fill(uint32_t i, uint32_t op, uint32_t handle, std::initializer_list<uint64_t> args = {},
              const std::string& in = {}, uint32_t handle2 = 0, uint32_t path2_off = 0) {
        jvmos_ship_slot& s = slot(i);
        ASSERT_NE(s.state, uint32_t(JVMOS_SHIP_SUBMITTED));
        s.op = op;
        s.handle = handle;
        s.handle2 = handle2;
        std::memset(s.args, 0, sizeof s.args);
        size_t k = 0;
        for (uint64_t a : args) s.args[k++] = a;
        std::memcpy(data(i), in.data(), in.size());
        s.in_len = uint32_t(in.size());
        s.path2_off = path2_off;
        s.error = -1;
        s.out_len = ~0u;
        s.result = -12345;
        s.new_handle = s.new_handle2 = ~0u;
    }
    // Submits slot `i` (the doorbell unless the relay polls), as the guest kernel does.
    void publish(uint32_t i) {
        __atomic_store_n(&slot(i).state, uint32_t(JVMOS_SHIP_SUBMITTED), __ATOMIC_SEQ_CST);
        if (!__atomic_load_n(&ring()->relay_polling, __ATOMIC_SEQ_CST)) {
            const uint64_t one = 1;
            ASSERT_EQ(write(m_doorbell, &one, sizeof one), 8);
        }
    }
    void submit(uint32_t i, uint32_t op, uint32_t handle, std::initializer_list<uint64_t> args = {},
                const std::string& in = {}, uint32_t handle2 = 0, uint32_t path2_off = 0) {
        fill(i, op, handle, args, in, handle2, path2_off);
        publish(i);
    }
    // Waits for slot `i` to be DONE and frees it. Fails the test if it never completes.
    void finish(uint32_t i) {
        ASSERT_TRUE(eventually([&] {
            return __atomic_load_n(&slot(i).state, __ATOMIC_ACQUIRE) == JVMOS_SHIP_DONE;
        })) << "slot " << i << " never completed";
        slot(i).state = JVMOS_SHIP_FREE;
    }
    // One whole call in slot 0; returns the slot (results stay readable).
    jvmos_ship_slot& call(uint32_t op, uint32_t handle, std::initializer_list<uint64_t> args = {},
                          const std::string& in = {}, uint32_t handle2 = 0,
                          uint32_t path2_off = 0) {
        submit(0, op, handle, args, in, handle2, path2_off);
        finish(0);
        return slot(0);
    }
    std::string out(uint32_t i = 0) {
        return std::string(reinterpret_cast<char*>(data(i)), slot(i).out_len);
    }
    static std::string path(const std::string& p) { return p + std::string(1, '\0'); }
    // Opens `p` (relative to the root) and returns the new handle id.
    uint32_t open_at(const std::string& p, uint32_t flags, uint32_t mode = 0644) {
        jvmos_ship_slot& s =
            call(JVMOS_SHIP_OPENAT, JVMOS_SHIP_HANDLE_ROOT, {flags, mode}, path(p));
        EXPECT_EQ(s.error, 0) << p;
        EXPECT_GE(s.new_handle, uint32_t(JVMOS_SHIP_HANDLE_STDERR + 1));
        return s.new_handle;
    }
    // Expects the relay to report a guest-kernel fault mentioning `needle`.
    void expect_fault(const std::string& needle) {
        ASSERT_TRUE(eventually([&] { return !m_events.faults().empty(); }))
            << "no fault reported (expected one about '" << needle << "')";
        const std::string report = m_events.faults()[0];
        EXPECT_NE(report.find(needle), std::string::npos) << report;
        EXPECT_EQ(m_events.faults().size(), 1u);
    }
    std::string host(const std::string& rel) { return (m_dir / rel).string(); }

    static inline int s_counter = 0;
    std::vector<uint8_t> m_ram;
    GuestMemory m_memory;
    fs::path m_dir;
    int m_doorbell = -1;
    int m_irq = -1;
    RecordingEvents m_events;
    std::unique_ptr<FakeProxy> m_proxy;
    std::unique_ptr<Relay> m_relay;
};

// ---- Session and setup --------------------------------------------------------------------------

TEST_F(RelayTest, SessionCarriesTheMountTableCwdAndStdioSource) {
    start();
    std::lock_guard<std::mutex> lock(m_proxy->world().mutex);
    const std::vector<MountOption> expected = {{m_dir.string(), "/", MountAccess::ReadOnly},
                                               {"/tmp", "/tmp", MountAccess::ReadWrite}};
    EXPECT_EQ(m_proxy->world().mounts_seen, expected);
    EXPECT_EQ(m_proxy->world().cwd_seen, "/home/guest/dir");
    EXPECT_TRUE(m_proxy->world().inherited_seen);
    EXPECT_EQ(m_relay->session_cwd(), "/home/guest/dir");
}

TEST_F(RelayTest, RefusedSessionIsAStartErrorWithTheErrno) {
    try {
        start(StdioMode::Inherited, ENOENT);
        FAIL() << "the relay started although the proxy refused the session";
    } catch (const RelayStartError& e) {
        EXPECT_TRUE(e.refused());
        EXPECT_EQ(e.error(), ENOENT);
        EXPECT_NE(std::string(e.what()).find(std::strerror(ENOENT)), std::string::npos);
    }
}

TEST_F(RelayTest, ProxyThatHangsUpAtOnceIsAStartError) {
    int sv[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    close(sv[1]); // nobody answers
    RelayConfig config;
    config.proxy_socket = sv[0];
    config.session.mounts = {{"/", "/", MountAccess::ReadOnly}};
    config.session.cwd = "/";
    config.doorbell_fd = m_doorbell;
    config.irq_fd = m_irq;
    try {
        Relay relay(m_memory, m_events, std::move(config));
        FAIL() << "the relay started without a proxy";
    } catch (const RelayStartError& e) {
        EXPECT_FALSE(e.refused());
        EXPECT_NE(std::string(e.what()).find("connection closed"), std::string::npos)
            << e.what();
    }
    EXPECT_EQ(m_events.lost(), 0); // before the session: a start error, not a lost connection
}

TEST_F(RelayTest, SetupWritesTheCwdAndMakesHandlesOneToFive) {
    std::memset(ring()->cwd, 'x', sizeof ring()->cwd);
    start_and_setup();
    EXPECT_STREQ(ring()->cwd, "/home/guest/dir");

    struct stat root;
    ASSERT_EQ(stat(m_dir.c_str(), &root), 0);
    for (uint32_t h : {JVMOS_SHIP_HANDLE_ROOT, JVMOS_SHIP_HANDLE_CWD}) {
        jvmos_ship_slot& s = call(JVMOS_SHIP_STAT, h);
        ASSERT_EQ(s.error, 0);
        uint64_t ino;
        std::memcpy(&ino, data(0) + 8, 8);
        EXPECT_EQ(ino, root.st_ino) << "handle " << h;
    }
    // stdout and stderr reach the proxy's fds 1 and 2; stdin comes from its fd 0.
    for (uint32_t fd : {1u, 2u}) {
        const std::string text = "to fd " + std::to_string(fd);
        jvmos_ship_slot& s = call(JVMOS_SHIP_WRITE, JVMOS_SHIP_HANDLE_STDIN + fd, {}, text);
        EXPECT_EQ(s.error, 0);
        EXPECT_EQ(s.result, int64_t(text.size()));
        char buf[64] = {};
        ASSERT_EQ(read(m_proxy->test_end(int(fd)), buf, sizeof buf), ssize_t(text.size()));
        EXPECT_EQ(std::string(buf), text);
    }
    ASSERT_EQ(write(m_proxy->test_end(0), "typed", 5), 5);
    jvmos_ship_slot& s = call(JVMOS_SHIP_READ, JVMOS_SHIP_HANDLE_STDIN, {100});
    EXPECT_EQ(s.error, 0);
    EXPECT_EQ(out(), "typed");
    EXPECT_EQ(s.result, 5);
}

TEST_F(RelayTest, SecondSetupIsRefused) {
    start_and_setup();
    EXPECT_EQ(m_relay->setup(GuestPhysAddr{RING_GPA}), -EBUSY);
    EXPECT_TRUE(m_events.faults().empty());
}

struct BadRing {
    const char* name;
    uint64_t gpa;
    void (*spoil)(jvmos_ship_ring*);
    const char* report;
};

class RelaySetupTest : public RelayTest, public ::testing::WithParamInterface<BadRing> {};

TEST_P(RelaySetupTest, MalformedRingKillsTheGuest) {
    const BadRing& bad = GetParam();
    bad.spoil(ring());
    start();
    EXPECT_EQ(m_relay->setup(GuestPhysAddr{bad.gpa}), -EINVAL);
    expect_fault(bad.report);
}

INSTANTIATE_TEST_SUITE_P(
    Rings, RelaySetupTest,
    ::testing::Values(
        BadRing{"Misaligned", RING_GPA + 8, [](jvmos_ship_ring*) {}, "not page aligned"},
        BadRing{"OutsideRam", RAM_SIZE, [](jvmos_ship_ring*) {}, "not inside guest RAM"},
        BadRing{"BadMagic", RING_GPA, [](jvmos_ship_ring* r) { r->magic = 0x1234; },
                "magic 0x1234"},
        BadRing{"SlotCount", RING_GPA, [](jvmos_ship_ring* r) { r->slot_count = 7; },
                "slot_count 7"},
        BadRing{"DataOutsideRam", RING_GPA,
                [](jvmos_ship_ring* r) { r->slots[3].data_gpa = RAM_SIZE - 100; },
                "slot 3's data buffer"},
        BadRing{"DataOverflows", RING_GPA,
                [](jvmos_ship_ring* r) { r->slots[4].data_gpa = ~0ull - 10; },
                "not inside guest RAM"},
        BadRing{"DataOverlapsRing", RING_GPA,
                [](jvmos_ship_ring* r) { r->slots[5].data_gpa = RING_GPA - 0x1000; },
                "overlaps the ring"},
        BadRing{"DataBuffersOverlap", RING_GPA,
                [](jvmos_ship_ring* r) { r->slots[6].data_gpa = r->slots[7].data_gpa + 8; },
                "overlap"}),
    [](const ::testing::TestParamInfo<BadRing>& info) { return std::string(info.param.name); });

// ---- Ops and their result layouts ---------------------------------------------------------------

TEST_F(RelayTest, OpenAtAndStatWriteTheHostsStructStat) {
    { std::ofstream(host("file")) << "0123456789"; }
    // Distinct owner and group where we may set them, so that a swapped field shows.
    if (geteuid() == 0) {
        ASSERT_EQ(chown(host("file").c_str(), 1234, 5678), 0);
    }
    start_and_setup();
    const uint32_t h = open_at("file", O_RDONLY);
    EXPECT_EQ(slot(0).out_len, 144u);
    struct stat expected;
    ASSERT_EQ(stat(host("file").c_str(), &expected), 0);
    EXPECT_EQ(std::memcmp(data(0), &expected, sizeof expected), 0)
        << "openAt's struct stat differs from the host's";

    jvmos_ship_slot& s = call(JVMOS_SHIP_STAT, h);
    EXPECT_EQ(s.error, 0);
    EXPECT_EQ(s.out_len, 144u);
    EXPECT_EQ(std::memcmp(data(0), &expected, sizeof expected), 0)
        << "stat's struct stat differs from the host's";

    call(JVMOS_SHIP_STATAT, JVMOS_SHIP_HANDLE_ROOT, {0}, path("file"));
    EXPECT_EQ(s.error, 0);
    EXPECT_EQ(std::memcmp(data(0), &expected, sizeof expected), 0);

    // A failing call: errno is data, nothing else.
    call(JVMOS_SHIP_STATAT, JVMOS_SHIP_HANDLE_ROOT, {0}, path("missing"));
    EXPECT_EQ(s.error, ENOENT);
    EXPECT_EQ(s.out_len, 0u);
    call(JVMOS_SHIP_OPENAT, JVMOS_SHIP_HANDLE_ROOT, {O_RDONLY, 0}, path("missing"));
    EXPECT_EQ(s.error, ENOENT);
    EXPECT_EQ(s.new_handle, 0u);
}

TEST_F(RelayTest, StatfsWritesTheHostsStructStatfs) {
    start_and_setup();
    jvmos_ship_slot& s = call(JVMOS_SHIP_STATFS, JVMOS_SHIP_HANDLE_ROOT);
    ASSERT_EQ(s.error, 0);
    EXPECT_EQ(s.out_len, 120u);
    struct statfs expected;
    ASSERT_EQ(statfs(m_dir.c_str(), &expected), 0);
    struct statfs got;
    std::memcpy(&got, data(0), sizeof got);
    EXPECT_EQ(got.f_type, expected.f_type);
    EXPECT_EQ(got.f_bsize, expected.f_bsize);
    EXPECT_EQ(got.f_files, expected.f_files);
    EXPECT_EQ(got.f_namelen, expected.f_namelen);
    EXPECT_EQ(got.f_frsize, expected.f_frsize);
    EXPECT_EQ(got.f_flags, expected.f_flags);
    EXPECT_EQ(std::memcmp(&got.f_fsid, &expected.f_fsid, sizeof got.f_fsid), 0);
    EXPECT_EQ(got.f_blocks, expected.f_blocks);
}

TEST_F(RelayTest, ReadWriteSeekAndPositionalIo) {
    start_and_setup();
    const uint32_t h = open_at("rw", O_RDWR | O_CREAT, 0600);
    jvmos_ship_slot& s = call(JVMOS_SHIP_WRITE, h, {}, "hello world");
    EXPECT_EQ(s.error, 0);
    EXPECT_EQ(s.result, 11);
    call(JVMOS_SHIP_SEEK, h, {uint64_t(-5), SEEK_CUR});
    EXPECT_EQ(s.result, 6);
    call(JVMOS_SHIP_READ, h, {100});
    EXPECT_EQ(out(), "world");
    EXPECT_EQ(s.result, 5);
    call(JVMOS_SHIP_READ, h, {100});
    EXPECT_EQ(s.error, 0);
    EXPECT_EQ(s.out_len, 0u); // end of file
    call(JVMOS_SHIP_PWRITE, h, {0, 0}, "HELLO");
    EXPECT_EQ(s.result, 5);
    call(JVMOS_SHIP_PREAD, h, {7, 2});
    EXPECT_EQ(out(), "LLO wor");
    call(JVMOS_SHIP_READ, h, {3}); // the position did not move with pread/pwrite
    EXPECT_EQ(s.out_len, 0u);
    call(JVMOS_SHIP_SEEK, h, {0, 999});
    EXPECT_EQ(s.error, EINVAL);
    call(JVMOS_SHIP_TRUNCATE, h, {4});
    EXPECT_EQ(s.error, 0);
    EXPECT_EQ(fs::file_size(host("rw")), 4u);
    EXPECT_EQ(call(JVMOS_SHIP_SYNC, h, {1}).error, 0);
    EXPECT_EQ(call(JVMOS_SHIP_FLOCK, h, {LOCK_EX | LOCK_NB}).error, 0);
    call(JVMOS_SHIP_GETFL, h);
    EXPECT_EQ(s.result & O_ACCMODE, O_RDWR);
    EXPECT_EQ(call(JVMOS_SHIP_SETFL, h, {O_APPEND}).error, 0);
    EXPECT_TRUE(call(JVMOS_SHIP_GETFL, h).result & O_APPEND);
    EXPECT_EQ(call(JVMOS_SHIP_CHMOD, h, {0640}).error, 0);
    struct stat st;
    ASSERT_EQ(stat(host("rw").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0640u);
}

TEST_F(RelayTest, PathCalls) {
    start_and_setup();
    EXPECT_EQ(call(JVMOS_SHIP_MKDIRAT, JVMOS_SHIP_HANDLE_ROOT, {0755}, path("d")).error, 0);
    EXPECT_TRUE(fs::is_directory(host("d")));
    EXPECT_EQ(call(JVMOS_SHIP_MKDIRAT, JVMOS_SHIP_HANDLE_ROOT, {0755}, path("d")).error, EEXIST);
    { std::ofstream(host("a")) << "x"; }
    EXPECT_EQ(call(JVMOS_SHIP_ACCESSAT, JVMOS_SHIP_HANDLE_ROOT, {R_OK, 0}, path("a")).error, 0);
    EXPECT_EQ(call(JVMOS_SHIP_ACCESSAT, JVMOS_SHIP_HANDLE_ROOT, {R_OK, 0}, path("zz")).error,
              ENOENT);
    EXPECT_EQ(call(JVMOS_SHIP_CHMODAT, JVMOS_SHIP_HANDLE_ROOT, {0600, 0}, path("a")).error, 0);
    EXPECT_EQ(fs::status(host("a")).permissions() & fs::perms::all,
              fs::perms::owner_read | fs::perms::owner_write);

    // renameAt: the new directory is a second handle (handle2); paths back to back.
    const uint32_t d = open_at("d", O_RDONLY | O_DIRECTORY);
    const std::string both = path("a") + path("b");
    EXPECT_EQ(call(JVMOS_SHIP_RENAMEAT, JVMOS_SHIP_HANDLE_ROOT, {0}, both, d, 2).error, 0);
    EXPECT_TRUE(fs::exists(host("d/b")));
    EXPECT_FALSE(fs::exists(host("a")));

    fs::create_symlink("some/target", host("link"));
    jvmos_ship_slot& s = call(JVMOS_SHIP_READLINKAT, JVMOS_SHIP_HANDLE_ROOT, {100}, path("link"));
    EXPECT_EQ(s.error, 0);
    EXPECT_EQ(out(), "some/target");
    EXPECT_EQ(s.result, 11);

    EXPECT_EQ(call(JVMOS_SHIP_UNLINKAT, d, {0}, path("b")).error, 0);
    EXPECT_FALSE(fs::exists(host("d/b")));
    EXPECT_EQ(call(JVMOS_SHIP_UNLINKAT, JVMOS_SHIP_HANDLE_ROOT, {AT_REMOVEDIR}, path("d")).error,
              0);
    EXPECT_FALSE(fs::exists(host("d")));
}

TEST_F(RelayTest, GetdentsReturnsRawLinuxDirents) {
    { std::ofstream(host("one")); }
    { std::ofstream(host("two")); }
    start_and_setup();
    const uint32_t d = open_at(".", O_RDONLY | O_DIRECTORY);
    jvmos_ship_slot& s = call(JVMOS_SHIP_GETDENTS, d, {4096});
    ASSERT_EQ(s.error, 0);
    std::vector<std::string> names;
    for (uint32_t off = 0; off < s.out_len;) {
        uint16_t reclen;
        std::memcpy(&reclen, data(0) + off + 16, 2); // linux_dirent64: ino, off, reclen, type, name
        ASSERT_GE(reclen, 20);
        names.emplace_back(reinterpret_cast<char*>(data(0) + off + 19));
        off += reclen;
    }
    std::sort(names.begin(), names.end());
    EXPECT_EQ(names, (std::vector<std::string>{".", "..", "one", "two"}));
}

TEST_F(RelayTest, PipeGivesTwoNewHandles) {
    start_and_setup();
    jvmos_ship_slot& s = call(JVMOS_SHIP_PIPE, 0, {0});
    ASSERT_EQ(s.error, 0);
    const uint32_t r = s.new_handle, w = s.new_handle2;
    EXPECT_GT(r, uint32_t(JVMOS_SHIP_HANDLE_STDERR));
    EXPECT_GT(w, uint32_t(JVMOS_SHIP_HANDLE_STDERR));
    EXPECT_NE(r, w);
    EXPECT_EQ(call(JVMOS_SHIP_WRITE, w, {}, "through").result, 7);
    call(JVMOS_SHIP_IOCTL, r, {FIONREAD}, std::string(4, '\0'));
    EXPECT_EQ(s.error, 0);
    EXPECT_EQ(s.out_len, 4u);
    int pending;
    std::memcpy(&pending, data(0), 4);
    EXPECT_EQ(pending, 7);
    EXPECT_EQ(call(JVMOS_SHIP_IOCTL, r, {TCGETS}, std::string(36, '\0')).error, ENOTTY);
    call(JVMOS_SHIP_READ, r, {64});
    EXPECT_EQ(out(), "through");
}

TEST_F(RelayTest, ManyCallsInFlightAndTheCallCounter) {
    start_and_setup();
    const uint32_t h = open_at("many", O_RDWR | O_CREAT, 0600);
    const uint64_t before = ring()->calls;
    for (uint32_t i = 0; i < JVMOS_SHIP_SLOTS; i++)
        submit(i, JVMOS_SHIP_PWRITE, h, {0, i}, std::string(1, char('A' + i % 26)));
    for (uint32_t i = 0; i < JVMOS_SHIP_SLOTS; i++) {
        finish(i);
        EXPECT_EQ(slot(i).error, 0);
        EXPECT_EQ(slot(i).result, 1);
    }
    EXPECT_EQ(ring()->calls, before + JVMOS_SHIP_SLOTS);
    std::string expected;
    for (uint32_t i = 0; i < JVMOS_SHIP_SLOTS; i++) expected += char('A' + i % 26);
    std::ifstream in(host("many"));
    std::string got((std::istreambuf_iterator<char>(in)), {});
    EXPECT_EQ(got, expected);
}

TEST_F(RelayTest, InterruptOnlyWhenTheGuestWaits) {
    start_and_setup();
    uint64_t count;
    ring()->guest_waiting = 0;
    call(JVMOS_SHIP_GETFL, JVMOS_SHIP_HANDLE_ROOT);
    EXPECT_EQ(read(m_irq, &count, sizeof count), -1) << "interrupt raised for nobody";

    ring()->guest_waiting = 1;
    call(JVMOS_SHIP_GETFL, JVMOS_SHIP_HANDLE_ROOT);
    pollfd p{m_irq, POLLIN, 0};
    ASSERT_EQ(poll(&p, 1, int(std::chrono::milliseconds(PATIENCE).count())), 1)
        << "no completion interrupt for a waiting guest";
    ASSERT_EQ(read(m_irq, &count, sizeof count), 8);
    EXPECT_GE(count, 1u);
}

// A guest signal: the slot's bit in interrupt_slots makes the relay call Handle.interrupt with
// the waiting read's token; the read then completes through its slot (EINTR) and the bit is
// taken. A bit for a slot with no call in flight is dropped without a call.
TEST_F(RelayTest, InterruptSlotsEndsTheWaitingCallThroughItsToken) {
    { std::ofstream(host("hang")) << "x"; }
    start_and_setup();
    const uint32_t h = open_at("hang", O_RDONLY);
    __atomic_or_fetch(&ring()->interrupt_slots, 1u << 5, __ATOMIC_SEQ_CST); // slot 5: idle
    submit(0, JVMOS_SHIP_READ, h, {16});
    ASSERT_TRUE(eventually([&] {
        return __atomic_load_n(&slot(0).state, __ATOMIC_ACQUIRE) == JVMOS_SHIP_TAKEN;
    }));
    EXPECT_EQ(m_proxy->world().interrupts_seen.load(), 0) << "an idle slot's bit made a call";
    EXPECT_EQ(slot(0).state, uint32_t(JVMOS_SHIP_TAKEN)) << "the read did not wait";
    __atomic_or_fetch(&ring()->interrupt_slots, 1u, __ATOMIC_SEQ_CST);
    const uint64_t one = 1;
    ASSERT_EQ(write(m_doorbell, &one, sizeof one), 8);
    finish(0);
    EXPECT_EQ(slot(0).error, EINTR);
    EXPECT_EQ(m_proxy->world().interrupts_seen.load(), 1);
    EXPECT_EQ(__atomic_load_n(&ring()->interrupt_slots, __ATOMIC_SEQ_CST), 0u);
}

TEST_F(RelayTest, IdleRelayStopsPollingAndTheDoorbellWakesIt) {
    start_and_setup();
    call(JVMOS_SHIP_GETFL, JVMOS_SHIP_HANDLE_ROOT);
    ASSERT_TRUE(
        eventually([&] { return __atomic_load_n(&ring()->relay_polling, __ATOMIC_SEQ_CST) == 0; }));
    jvmos_ship_slot& s = call(JVMOS_SHIP_GETFL, JVMOS_SHIP_HANDLE_ROOT); // rings the doorbell
    EXPECT_EQ(s.error, 0);
}

TEST_F(RelayTest, ReleaseDropsTheHandle) {
    start_and_setup();
    const uint32_t h = open_at(".", O_RDONLY | O_DIRECTORY);
    EXPECT_EQ(call(JVMOS_SHIP_STAT, h).error, 0);
    EXPECT_EQ(call(JVMOS_SHIP_RELEASE, h).error, 0);
    submit(0, JVMOS_SHIP_STAT, h);
    expect_fault("handle " + std::to_string(h) + " is not open");
}

TEST_F(RelayTest, ProxyReplyWithMoreBytesThanAskedIsEio) {
    { std::ofstream(host("liar")) << "x"; }
    start_and_setup();
    const uint32_t h = open_at("liar", O_RDONLY);
    jvmos_ship_slot& s = call(JVMOS_SHIP_READ, h, {10});
    EXPECT_EQ(s.error, EIO);
    EXPECT_EQ(s.out_len, 0u);
    EXPECT_TRUE(m_events.faults().empty()); // the proxy's fault, not the guest's
}

// ---- Malformed slots: the guest kernel's bug ----------------------------------------------------

TEST_F(RelayTest, UnknownOpKillsTheGuest) {
    start_and_setup();
    submit(2, 99, JVMOS_SHIP_HANDLE_ROOT);
    expect_fault("ship slot 2: unknown op 99");
    // The relay stops serving the ring: the slot is not completed.
    EXPECT_NE(slot(2).state, uint32_t(JVMOS_SHIP_DONE));
}

TEST_F(RelayTest, UnknownHandleKillsTheGuest) {
    start_and_setup();
    submit(0, JVMOS_SHIP_STAT, 777);
    expect_fault("(stat): handle 777 is not open");
}

// A poll set: jvmos_ship_poll_entry records (handle, events, revents).
std::string poll_entries(std::initializer_list<uint32_t> handles) {
    std::string out;
    for (uint32_t h : handles) {
        jvmos_ship_poll_entry e{h, 1, 0};
        out.append(reinterpret_cast<const char*>(&e), sizeof e);
    }
    return out;
}

TEST_F(RelayTest, PollNamingAHandleThatIsNotOpenKillsTheGuest) {
    start_and_setup();
    submit(0, JVMOS_SHIP_POLL, 0, {0}, poll_entries({JVMOS_SHIP_HANDLE_STDIN, 555}));
    expect_fault("(poll): poll entry 1: handle 555 is not open");
}

TEST_F(RelayTest, PollWithoutWholeEntriesKillsTheGuest) {
    start_and_setup();
    submit(0, JVMOS_SHIP_POLL, 0, {0}, poll_entries({JVMOS_SHIP_HANDLE_STDIN}) + "xy");
    expect_fault("(poll): in_len 10 is not 1..32768 poll entries");
}

TEST_F(RelayTest, PollOfNothingKillsTheGuest) {
    start_and_setup();
    submit(0, JVMOS_SHIP_POLL, 0, {0});
    expect_fault("(poll): in_len 0 is not 1..32768 poll entries");
}

TEST_F(RelayTest, RenameWithUnknownSecondHandleKillsTheGuest) {
    start_and_setup();
    submit(0, JVMOS_SHIP_RENAMEAT, JVMOS_SHIP_HANDLE_ROOT, {0}, path("a") + path("b"), 999, 2);
    expect_fault("handle2 999 is not open");
}

TEST_F(RelayTest, InputLongerThanTheBufferKillsTheGuest) {
    start_and_setup();
    fill(0, JVMOS_SHIP_WRITE, JVMOS_SHIP_HANDLE_STDOUT);
    slot(0).in_len = JVMOS_SHIP_SLOT_DATA + 1;
    publish(0);
    expect_fault("in_len " + std::to_string(JVMOS_SHIP_SLOT_DATA + 1));
}

TEST_F(RelayTest, ReadCountBeyondTheBufferKillsTheGuest) {
    start_and_setup();
    submit(0, JVMOS_SHIP_READ, JVMOS_SHIP_HANDLE_STDIN, {JVMOS_SHIP_SLOT_DATA + 1ull});
    expect_fault("count " + std::to_string(JVMOS_SHIP_SLOT_DATA + 1));
}

TEST_F(RelayTest, UnterminatedPathKillsTheGuest) {
    start_and_setup();
    submit(0, JVMOS_SHIP_STATAT, JVMOS_SHIP_HANDLE_ROOT, {0}, "no-nul");
    expect_fault("not NUL-terminated");
}

TEST_F(RelayTest, OverlongPathKillsTheGuest) {
    start_and_setup();
    submit(0, JVMOS_SHIP_OPENAT, JVMOS_SHIP_HANDLE_ROOT, {0, 0}, path(std::string(5000, 'a')));
    expect_fault("longer than maxPath");
}

TEST_F(RelayTest, SecondPathOutsideTheInputKillsTheGuest) {
    start_and_setup();
    submit(0, JVMOS_SHIP_RENAMEAT, JVMOS_SHIP_HANDLE_ROOT, {0}, path("a"), JVMOS_SHIP_HANDLE_ROOT,
           50);
    expect_fault("path2_off 50");
}

TEST_F(RelayTest, PathOpWithoutInputKillsTheGuest) {
    start_and_setup();
    submit(0, JVMOS_SHIP_MKDIRAT, JVMOS_SHIP_HANDLE_ROOT, {0755});
    expect_fault("no input");
}

// ---- Connection loss ----------------------------------------------------------------------------

TEST_F(RelayTest, LostConnectionCompletesInFlightAndLaterCallsWithEio) {
    { std::ofstream(host("hang")) << "x"; }
    start_and_setup();
    const uint32_t h = open_at("hang", O_RDONLY);
    submit(5, JVMOS_SHIP_READ, h, {10}); // the fake never answers this one
    ASSERT_TRUE(eventually([&] { return slot(5).state == JVMOS_SHIP_TAKEN; }));
    m_proxy->kill();
    finish(5);
    EXPECT_EQ(slot(5).error, EIO);
    ASSERT_TRUE(eventually([&] { return m_events.lost() == 1; }));
    // Later calls, on any handle, fail the same way and never reach a proxy.
    EXPECT_EQ(call(JVMOS_SHIP_STAT, JVMOS_SHIP_HANDLE_ROOT).error, EIO);
    EXPECT_EQ(call(JVMOS_SHIP_PIPE, 0, {0}).error, EIO);
    EXPECT_EQ(call(JVMOS_SHIP_WRITE, JVMOS_SHIP_HANDLE_STDOUT, {}, "x").error, EIO);
    EXPECT_EQ(m_events.lost(), 1);
    EXPECT_TRUE(m_events.faults().empty());
    EXPECT_TRUE(m_events.failures().empty());
}

TEST_F(RelayTest, LostConnectionCompletesCallsOnTheMonitorsOwnStdio) {
    // With StdioSource.handles, stdin is served by the monitor itself: a read waiting on it must
    // still end when the proxy goes away. Our own fd 0 is swapped for a pipe nobody writes.
    int p[2];
    ASSERT_EQ(pipe2(p, O_CLOEXEC), 0);
    const int saved = dup(0);
    ASSERT_EQ(dup2(p[0], 0), 0);
    start(StdioMode::ServedByMonitor);
    ASSERT_EQ(m_relay->setup(GuestPhysAddr{RING_GPA}), 0);
    submit(3, JVMOS_SHIP_READ, JVMOS_SHIP_HANDLE_STDIN, {10});
    ASSERT_TRUE(eventually([&] { return slot(3).state == JVMOS_SHIP_TAKEN; }));
    m_proxy->kill();
    finish(3);
    EXPECT_EQ(slot(3).error, EIO);
    m_relay.reset(); // joins the stdin reader before fd 0 is restored
    dup2(saved, 0);
    close(saved);
    close(p[0]);
    close(p[1]);
}

// ---- StdioHandle: the monitor's own stdio as a Handle -------------------------------------------

class StdioHandleTest : public ::testing::Test {
protected:
    StdioHandleTest() : m_context(std::make_unique<kj::AsyncIoContext>(kj::setupAsyncIo())) {
        EXPECT_EQ(pipe2(m_pipe, O_CLOEXEC), 0);
    }
    ~StdioHandleTest() override {
        close(m_pipe[0]);
        close(m_pipe[1]);
    }
    // (Held by pointer: its destructor may throw, a fixture's may not.)
    std::unique_ptr<kj::AsyncIoContext> m_context;
    kj::AsyncIoContext& m_io = *m_context;
    int m_pipe[2];
};

TEST_F(StdioHandleTest, BlockingReadDoesNotStallTheEventLoop) {
    proto::Handle::Client in = kj::heap<StdioHandle>(m_pipe[0]);
    auto req = in.readRequest();
    req.setCount(100);
    auto pending = req.send();
    // While the read waits for bytes, other calls on the same loop complete.
    auto st = in.statRequest().send().wait(m_io.waitScope);
    EXPECT_EQ(st.getErrno(), 0);
    EXPECT_EQ(st.getStat().getMode() & S_IFMT, uint32_t(S_IFIFO));
    EXPECT_FALSE(pending.poll(m_io.waitScope)) << "read finished before anything was written";
    ASSERT_EQ(write(m_pipe[1], "abc", 3), 3);
    auto r = pending.wait(m_io.waitScope);
    EXPECT_EQ(r.getErrno(), 0);
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(r.getData().begin()), r.getData().size()),
              "abc");
}

TEST_F(StdioHandleTest, WriteStatAndWhatLinuxSaysForTheRest) {
    proto::Handle::Client out = kj::heap<StdioHandle>(m_pipe[1]);
    auto& ws = m_io.waitScope;
    auto w = out.writeRequest();
    w.setData(kj::StringPtr("xyz").asBytes());
    auto wr = w.send().wait(ws);
    EXPECT_EQ(wr.getErrno(), 0);
    EXPECT_EQ(wr.getWritten(), 3u);
    char buf[8] = {};
    ASSERT_EQ(read(m_pipe[0], buf, sizeof buf), 3);
    EXPECT_STREQ(buf, "xyz");

    auto fl = out.getStatusFlagsRequest().send().wait(ws);
    EXPECT_EQ(fl.getErrno(), 0);
    EXPECT_EQ(fl.getFlags() & O_ACCMODE, uint32_t(O_WRONLY));

    auto seek = out.seekRequest();
    seek.setOffset(0);
    EXPECT_EQ(seek.send().wait(ws).getErrno(), ESPIPE);
    auto pread = out.preadRequest();
    pread.setCount(1);
    EXPECT_EQ(pread.send().wait(ws).getErrno(), ESPIPE);
    auto tcgets = out.ioctlRequest();
    tcgets.setRequest(TCGETS);
    EXPECT_EQ(tcgets.send().wait(ws).getErrno(), ENOTTY); // a pipe is not a terminal
    auto other = out.ioctlRequest();
    other.setRequest(0x1234);
    EXPECT_EQ(other.send().wait(ws).getErrno(), ENOTTY);
    auto setfl = out.setStatusFlagsRequest();
    setfl.setFlags(O_NONBLOCK);
    EXPECT_EQ(setfl.send().wait(ws).getErrno(), EPERM);
    EXPECT_EQ(fcntl(m_pipe[1], F_GETFL) & O_NONBLOCK, 0);
    auto open = out.openAtRequest();
    open.setPath("x");
    EXPECT_EQ(open.send().wait(ws).getErrno(), ENOTDIR);
    EXPECT_EQ(out.getdentsRequest().send().wait(ws).getErrno(), ENOTDIR);
}

TEST_F(StdioHandleTest, FionreadReportsPendingBytes) {
    proto::Handle::Client in = kj::heap<StdioHandle>(m_pipe[0]);
    ASSERT_EQ(write(m_pipe[1], "12345", 5), 5);
    auto req = in.ioctlRequest();
    req.setRequest(FIONREAD);
    auto r = req.send().wait(m_io.waitScope);
    EXPECT_EQ(r.getErrno(), 0);
    ASSERT_EQ(r.getArg().size(), sizeof(int));
    int n;
    std::memcpy(&n, r.getArg().begin(), sizeof n);
    EXPECT_EQ(n, 5);
}

} // namespace
} // namespace jvmos::boot
