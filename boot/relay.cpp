#include "relay.h"

#include "jvmos/abi/abi.h"

#include <capnp/rpc-twoparty.h>
#include <kj/async-io.h>
#include <kj/async-unix.h>
#include <kj/debug.h>
#include <kj/vector.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <poll.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>
#include <unordered_map>
#include <vector>
#include <x86intrin.h>

namespace jvmos::boot {
namespace {

constexpr uint32_t SLOTS = JVMOS_SHIP_SLOTS;
constexpr uint32_t SLOT_DATA = JVMOS_SHIP_SLOT_DATA;
constexpr uint32_t FIRST_NEW_HANDLE = JVMOS_SHIP_HANDLE_STDERR + 1;
constexpr size_t LINUX_STAT_SIZE = 144;
constexpr size_t LINUX_STATFS_SIZE = 120;
constexpr size_t LINUX_FLOCK_SIZE = 32;
constexpr int32_t MAX_ERRNO = 4095; // Linux errnos are 1..4095

static_assert(SLOT_DATA >= proto::MAX_PATH + 1, "a path must fit a slot");
static_assert(SLOT_DATA >= LINUX_STAT_SIZE && SLOT_DATA >= LINUX_STATFS_SIZE);
// The layout put_linux_stat writes is the x86-64 one, which is also this host's.
static_assert(sizeof(struct stat) == LINUX_STAT_SIZE && offsetof(struct stat, st_mode) == 24 &&
              offsetof(struct stat, st_rdev) == 40 && offsetof(struct stat, st_atim) == 72);
static_assert(sizeof(struct statfs) == LINUX_STATFS_SIZE && offsetof(struct statfs, f_fsid) == 56);
// struct flock: l_type, l_whence, (pad), l_start, l_len, l_pid, (pad).
static_assert(sizeof(struct flock) == LINUX_FLOCK_SIZE && offsetof(struct flock, l_start) == 8 &&
              offsetof(struct flock, l_len) == 16 && offsetof(struct flock, l_pid) == 24);

std::string hex(uint64_t v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
    return buf;
}

const char* op_name(uint32_t op) {
    switch (op) {
    case JVMOS_SHIP_READ: return "read";
    case JVMOS_SHIP_WRITE: return "write";
    case JVMOS_SHIP_PREAD: return "pread";
    case JVMOS_SHIP_PWRITE: return "pwrite";
    case JVMOS_SHIP_SEEK: return "seek";
    case JVMOS_SHIP_STAT: return "stat";
    case JVMOS_SHIP_STATFS: return "statfs";
    case JVMOS_SHIP_TRUNCATE: return "truncate";
    case JVMOS_SHIP_SYNC: return "sync";
    case JVMOS_SHIP_FLOCK: return "flock";
    case JVMOS_SHIP_GETFL: return "getfl";
    case JVMOS_SHIP_SETFL: return "setfl";
    case JVMOS_SHIP_IOCTL: return "ioctl";
    case JVMOS_SHIP_CHMOD: return "chmod";
    case JVMOS_SHIP_GETDENTS: return "getdents";
    case JVMOS_SHIP_OPENAT: return "openat";
    case JVMOS_SHIP_STATAT: return "statat";
    case JVMOS_SHIP_READLINKAT: return "readlinkat";
    case JVMOS_SHIP_ACCESSAT: return "accessat";
    case JVMOS_SHIP_MKDIRAT: return "mkdirat";
    case JVMOS_SHIP_UNLINKAT: return "unlinkat";
    case JVMOS_SHIP_RENAMEAT: return "renameat";
    case JVMOS_SHIP_CHMODAT: return "chmodat";
    case JVMOS_SHIP_PIPE: return "pipe";
    case JVMOS_SHIP_SOCKETPAIR: return "socketpair";
    case JVMOS_SHIP_RELEASE: return "release";
    case JVMOS_SHIP_COPY_RANGE: return "copy_range";
    case JVMOS_SHIP_SYMLINKAT: return "symlinkat";
    case JVMOS_SHIP_LINKAT: return "linkat";
    case JVMOS_SHIP_CHOWNAT: return "chownat";
    case JVMOS_SHIP_UTIMENSAT: return "utimensat";
    case JVMOS_SHIP_LOCK: return "lock";
    case JVMOS_SHIP_POLL: return "poll";
    default: return nullptr;
    }
}

bool is_path_op(uint32_t op) {
    switch (op) {
    case JVMOS_SHIP_OPENAT:
    case JVMOS_SHIP_STATAT:
    case JVMOS_SHIP_READLINKAT:
    case JVMOS_SHIP_ACCESSAT:
    case JVMOS_SHIP_MKDIRAT:
    case JVMOS_SHIP_UNLINKAT:
    case JVMOS_SHIP_RENAMEAT:
    case JVMOS_SHIP_CHMODAT:
    case JVMOS_SHIP_SYMLINKAT:
    case JVMOS_SHIP_LINKAT:
    case JVMOS_SHIP_CHOWNAT:
    case JVMOS_SHIP_UTIMENSAT: return true;
    default: return false;
    }
}

// Ops with a second path at path2_off.
bool has_path2(uint32_t op) {
    return op == JVMOS_SHIP_RENAMEAT || op == JVMOS_SHIP_LINKAT || op == JVMOS_SHIP_SYMLINKAT;
}

// Ops that name a second Handle in handle2.
bool has_handle2(uint32_t op) {
    return op == JVMOS_SHIP_RENAMEAT || op == JVMOS_SHIP_LINKAT || op == JVMOS_SHIP_COPY_RANGE;
}

// args[0] of these ops is a byte count for an output in the slot's buffer.
bool has_output_count(uint32_t op) {
    return op == JVMOS_SHIP_READ || op == JVMOS_SHIP_PREAD || op == JVMOS_SHIP_GETDENTS ||
           op == JVMOS_SHIP_READLINKAT;
}

template <typename T> void put(uint8_t* out, size_t offset, T value) {
    std::memcpy(out + offset, &value, sizeof value);
}

// struct stat as Linux x86-64 lays it out (asm/stat.h), field by field.
void put_linux_stat(uint8_t* out, proto::Stat::Reader st) {
    std::memset(out, 0, LINUX_STAT_SIZE);
    put<uint64_t>(out, 0, st.getDev());
    put<uint64_t>(out, 8, st.getIno());
    put<uint64_t>(out, 16, st.getNlink());
    put<uint32_t>(out, 24, st.getMode());
    put<uint32_t>(out, 28, st.getUid());
    put<uint32_t>(out, 32, st.getGid());
    // 36: padding
    put<uint64_t>(out, 40, st.getRdev());
    put<int64_t>(out, 48, st.getSize());
    put<int64_t>(out, 56, st.getBlksize());
    put<int64_t>(out, 64, st.getBlocks());
    put<int64_t>(out, 72, st.getAtimeSec());
    put<int64_t>(out, 80, st.getAtimeNsec());
    put<int64_t>(out, 88, st.getMtimeSec());
    put<int64_t>(out, 96, st.getMtimeNsec());
    put<int64_t>(out, 104, st.getCtimeSec());
    put<int64_t>(out, 112, st.getCtimeNsec());
    // 120..143: reserved
}

// struct flock as Linux x86-64 lays it out (asm-generic/fcntl.h with 64-bit offsets).
void put_linux_flock(uint8_t* out, proto::FileLock::Reader fl) {
    std::memset(out, 0, LINUX_FLOCK_SIZE);
    put<int16_t>(out, 0, fl.getType());
    put<int16_t>(out, 2, fl.getWhence());
    put<int64_t>(out, 8, fl.getStart());
    put<int64_t>(out, 16, fl.getLen());
    put<int32_t>(out, 24, fl.getPid());
}

void get_linux_flock(const uint8_t* in, proto::FileLock::Builder fl) {
    int16_t type, whence;
    int64_t start, len;
    int32_t pid;
    std::memcpy(&type, in + 0, sizeof type);
    std::memcpy(&whence, in + 2, sizeof whence);
    std::memcpy(&start, in + 8, sizeof start);
    std::memcpy(&len, in + 16, sizeof len);
    std::memcpy(&pid, in + 24, sizeof pid);
    fl.setType(type);
    fl.setWhence(whence);
    fl.setStart(start);
    fl.setLen(len);
    fl.setPid(pid);
}

// struct statfs as Linux x86-64 lays it out (asm-generic/statfs.h with 64-bit words).
void put_linux_statfs(uint8_t* out, proto::StatFs::Reader sf) {
    std::memset(out, 0, LINUX_STATFS_SIZE);
    put<int64_t>(out, 0, sf.getType());
    put<int64_t>(out, 8, sf.getBsize());
    put<uint64_t>(out, 16, sf.getBlocks());
    put<uint64_t>(out, 24, sf.getBfree());
    put<uint64_t>(out, 32, sf.getBavail());
    put<uint64_t>(out, 40, sf.getFiles());
    put<uint64_t>(out, 48, sf.getFfree());
    put<uint64_t>(out, 56, sf.getFsid()); // val[0] in the low half, as the schema defines it
    put<int64_t>(out, 64, sf.getNamelen());
    put<int64_t>(out, 72, sf.getFrsize());
    put<int64_t>(out, 80, sf.getFlags());
    // 88..119: f_spare
}

// The guest-written part of a slot, read once (the guest may change the slot under us).
struct SlotRequest {
    uint32_t op;
    uint32_t handle;
    uint32_t handle2;
    uint64_t args[4];
    uint32_t in_len;
    uint32_t path2_off;
};

SlotRequest read_request(const jvmos_ship_slot& s) {
    SlotRequest r;
    r.op = __atomic_load_n(&s.op, __ATOMIC_RELAXED);
    r.handle = __atomic_load_n(&s.handle, __ATOMIC_RELAXED);
    r.handle2 = __atomic_load_n(&s.handle2, __ATOMIC_RELAXED);
    for (int i = 0; i < 4; i++) r.args[i] = __atomic_load_n(&s.args[i], __ATOMIC_RELAXED);
    r.in_len = __atomic_load_n(&s.in_len, __ATOMIC_RELAXED);
    r.path2_off = __atomic_load_n(&s.path2_off, __ATOMIC_RELAXED);
    return r;
}

// What a call puts back into its slot.
struct Completion {
    int32_t error = 0;
    int64_t result = 0;
    uint32_t out_len = 0;
    uint32_t new_handle = 0;
    uint32_t new_handle2 = 0;

    static Completion failed(int32_t e) { return {e, 0, 0, 0, 0}; }
};

// The proxy's errno, unless it is out of range (a broken proxy): then EIO.
int32_t checked_errno(int32_t e) { return e >= 0 && e <= MAX_ERRNO ? e : EIO; }

} // namespace

// Everything that lives on the relay thread: the connection, the handle table and the ring.
class Relay::Loop {
public:
    Loop(Relay& owner, kj::AsyncIoContext& io, const RelayConfig& config, kj::AutoCloseFd socket)
        : m_owner(owner), m_io(io), m_config(config),
          m_stream(io.lowLevelProvider->wrapSocketFd(
              socket.release(), kj::LowLevelAsyncIoProvider::TAKE_OWNERSHIP)),
          m_client(kj::heap<capnp::TwoPartyClient>(*m_stream)) {
        const int flags = fcntl(config.doorbell_fd, F_GETFL);
        KJ_REQUIRE(flags >= 0 && (flags & O_NONBLOCK), "the doorbell eventfd must be non-blocking",
                   config.doorbell_fd);
        KJ_REQUIRE(fcntl(config.irq_fd, F_GETFL) >= 0, "bad completion eventfd", config.irq_fd);
    }

    // newSession and the session's handles; throws RelayStartError.
    std::string create_session();
    // Serves the ring until stop().
    void run();
    int64_t setup(GuestPhysAddr gpa);
    void stop() {
        m_stop = true;
        wake();
    }

private:
    bool serving() const { return m_ring && !m_faulted; }
    void wake() {
        KJ_IF_MAYBE(f, m_wake) {
            (*f)->fulfill();
            m_wake = nullptr;
        }
    }
    void spin();
    bool scan_ring();
    void fault(std::string report);
    void on_lost();
    void take_interrupts();
    uint64_t interruptible(uint32_t slot, proto::Handle::Client& h);
    std::string validate(uint32_t slot, const SlotRequest& r, std::string& path,
                         std::string& path2);
    std::string path_at(uint32_t slot, uint32_t offset, uint32_t in_len, std::string& out);
    kj::Promise<Completion> issue(uint32_t slot, const SlotRequest& r, std::string path,
                                  std::string path2);
    void complete(uint32_t slot, const Completion& c);
    uint32_t add_handle(proto::Handle::Client handle);
    Completion data_reply(uint32_t slot, int32_t error, capnp::Data::Reader data, uint64_t limit);
    Completion stat_reply(uint32_t slot, int32_t error, proto::Stat::Reader stat);
    // One JVMOS_SHIP_POLL call (see poll_step).
    struct PollJob {
        uint32_t slot = 0;
        std::vector<jvmos_ship_poll_entry> entries;
        std::vector<uint32_t> local;  // indices of the monitor's stdio entries
        std::vector<uint32_t> remote; // indices of the proxy's
        bool forever = false;
        std::chrono::steady_clock::time_point deadline;
    };
    bool monitor_stdio(uint32_t id) const {
        return m_config.stdio != StdioMode::Inherited && id >= JVMOS_SHIP_HANDLE_STDIN &&
               id <= JVMOS_SHIP_HANDLE_STDERR;
    }
    kj::Promise<Completion> poll_step(std::shared_ptr<PollJob> job);
    kj::Promise<int32_t> poll_remote(std::shared_ptr<PollJob> job, int64_t timeout_ns);
    Completion poll_done(const PollJob& job);

    Relay& m_owner;
    kj::AsyncIoContext& m_io;
    const RelayConfig& m_config;
    kj::Own<kj::AsyncIoStream> m_stream;
    kj::Own<capnp::TwoPartyClient> m_client;
    proto::Session::Client m_session = nullptr;
    // Handles 1..5 (root, cwd, stdin, stdout, stderr) until setup puts them in the table.
    kj::Vector<proto::Handle::Client> m_initial;
    std::unordered_map<uint32_t, proto::Handle::Client> m_handles;
    uint32_t m_next_handle = FIRST_NEW_HANDLE;
    kj::Promise<void> m_disconnect_watch = nullptr;

    jvmos_ship_ring* m_ring = nullptr;
    std::array<std::span<uint8_t>, SLOTS> m_data;
    std::array<bool, SLOTS> m_busy{};
    std::array<kj::Maybe<kj::Promise<void>>, SLOTS> m_inflight;
    // The interruptible call (read, write, flock) in flight in a slot: its Handle and token.
    std::array<kj::Maybe<proto::Handle::Client>, SLOTS> m_interruptible;
    std::array<uint64_t, SLOTS> m_token{};
    // The slot's call is an interruptible Session call (poll): Session.interrupt ends it.
    std::array<bool, SLOTS> m_session_call{};
    // A signal interrupted the slot's poll (ends a poll of the monitor's own stdio too).
    std::array<bool, SLOTS> m_poll_interrupted{};
    uint64_t m_next_token = 1;
    uint64_t m_calls = 0;

    bool m_stop = false;
    bool m_faulted = false;
    bool m_lost = false;
    bool m_activity = false; // a call completed since the spin loop last looked
    kj::Maybe<kj::Own<kj::PromiseFulfiller<void>>> m_wake;
};

std::string Relay::Loop::create_session() {
    auto& ws = m_io.waitScope;
    kj::Timer& timer = m_io.provider->getTimer();
    const kj::TimePoint deadline =
        timer.now() + m_config.session_timeout.count() * kj::SECONDS;

    auto service = m_client->bootstrap().castAs<proto::ProxyService>();
    auto request = service.newSessionRequest();
    auto config = request.initConfig();
    const auto& plan = m_config.session;
    auto mounts = config.initMounts(uint32_t(plan.mounts.size()));
    for (uint32_t i = 0; i < plan.mounts.size(); i++) {
        mounts[i].setHostPath(plan.mounts[i].host_path);
        mounts[i].setGuestPath(plan.mounts[i].guest_path);
        mounts[i].setReadOnly(plan.mounts[i].access == MountAccess::ReadOnly);
    }
    config.setCwd(plan.cwd);
    kj::Vector<proto::Handle::Client> local_stdio;
    if (m_config.stdio == StdioMode::Inherited) {
        request.initStdio().setInherited();
    } else {
        auto list = request.initStdio().initHandles(3);
        for (int fd = 0; fd < 3; fd++) {
            local_stdio.add(kj::heap<StdioHandle>(fd));
            list.set(uint32_t(fd), local_stdio.back());
        }
    }

    std::string cwd;
    try {
        // The session's handles are asked for in the same round trip (pipelined).
        auto pending = request.send();
        m_session = pending.getSession();
        auto root = m_session.rootRequest().send();
        auto cwd_reply = m_session.cwdRequest().send();
        kj::Maybe<kj::Promise<capnp::Response<proto::Session::StdioResults>>> stdio;
        if (m_config.stdio == StdioMode::Inherited) stdio = m_session.stdioRequest().send();

        auto session = timer.timeoutAt(deadline, kj::mv(pending)).wait(ws);
        if (const int32_t err = session.getErrno())
            throw RelayStartError("linux-proxy refused the session: " +
                                      std::string(std::strerror(checked_errno(err))) +
                                      " (check the --mount host directories and --cwd)",
                                  checked_errno(err));
        auto r = timer.timeoutAt(deadline, kj::mv(root)).wait(ws);
        auto c = timer.timeoutAt(deadline, kj::mv(cwd_reply)).wait(ws);
        cwd = std::string(c.getPath().cStr(), c.getPath().size());
        if (cwd.empty() || cwd[0] != '/' || cwd.size() >= sizeof(jvmos_ship_ring::cwd) ||
            cwd.find('\0') != std::string::npos)
            throw RelayStartError("linux-proxy answered with an invalid cwd", 0);
        m_initial.add(r.getDir());
        m_initial.add(c.getDir());
        KJ_IF_MAYBE(s, stdio) {
            auto io = timer.timeoutAt(deadline, kj::mv(*s)).wait(ws);
            m_initial.add(io.getStdin());
            m_initial.add(io.getStdout());
            m_initial.add(io.getStderr());
        } else {
            // The proxy would hand back the same capabilities; calling them here saves a hop.
            for (auto& h : local_stdio) m_initial.add(h);
        }
    } catch (const kj::Exception& e) {
        // timeoutAt fails with OVERLOADED; anything else is the connection or the protocol.
        if (e.getType() == kj::Exception::Type::OVERLOADED)
            throw RelayStartError("linux-proxy did not answer within " +
                                      std::to_string(m_config.session_timeout.count()) + " s",
                                  0);
        if (e.getType() == kj::Exception::Type::DISCONNECTED)
            throw RelayStartError("the connection closed before the session was created", 0);
        throw RelayStartError(std::string("creating the session failed: ") +
                                  e.getDescription().cStr(),
                              0);
    }
    m_disconnect_watch =
        m_client->onDisconnect().then([this] { on_lost(); }).eagerlyEvaluate(nullptr);
    return cwd;
}

int64_t Relay::Loop::setup(GuestPhysAddr gpa) {
    if (m_ring || m_faulted) return -EBUSY;
    auto bad = [&](const std::string& why) -> int64_t {
        fault("malformed ship ring at " + hex(gpa.value) + ": " + why);
        return -EINVAL;
    };
    if (gpa.value % 4096) return bad("not page aligned");
    auto* ring = m_owner.m_memory.object<jvmos_ship_ring>(gpa);
    if (!ring) return bad("not inside guest RAM");
    const uint32_t magic = __atomic_load_n(&ring->magic, __ATOMIC_RELAXED);
    const uint32_t slot_count = __atomic_load_n(&ring->slot_count, __ATOMIC_RELAXED);
    if (magic != JVMOS_SHIP_RING_MAGIC) return bad("magic " + hex(magic));
    if (slot_count != SLOTS)
        return bad("slot_count " + std::to_string(slot_count) + ", expected " +
                   std::to_string(SLOTS));
    const uint64_t ring_end = gpa.value + sizeof(jvmos_ship_ring);
    std::array<std::span<uint8_t>, SLOTS> data;
    std::array<std::pair<uint64_t, uint32_t>, SLOTS> order;
    for (uint32_t i = 0; i < SLOTS; i++) {
        const uint64_t d = __atomic_load_n(&ring->slots[i].data_gpa, __ATOMIC_RELAXED);
        auto span = m_owner.m_memory.span({d}, SLOT_DATA);
        const std::string which = "slot " + std::to_string(i) + "'s data buffer " + hex(d);
        if (!span) return bad(which + " is not inside guest RAM");
        if (d < ring_end && gpa.value < d + SLOT_DATA) return bad(which + " overlaps the ring");
        data[i] = *span;
        order[i] = {d, i};
    }
    std::sort(order.begin(), order.end());
    for (uint32_t i = 1; i < SLOTS; i++)
        if (order[i - 1].first + SLOT_DATA > order[i].first)
            return bad("the data buffers of slots " + std::to_string(order[i - 1].second) +
                       " and " + std::to_string(order[i].second) + " overlap");

    std::memset(ring->cwd, 0, sizeof ring->cwd);
    std::memcpy(ring->cwd, m_owner.m_session_cwd.data(), m_owner.m_session_cwd.size());
    __atomic_store_n(&ring->calls, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&ring->relay_polling, 0, __ATOMIC_SEQ_CST);
    m_data = data;
    for (uint32_t id = JVMOS_SHIP_HANDLE_ROOT; id <= JVMOS_SHIP_HANDLE_STDERR; id++)
        m_handles.emplace(id, m_initial[id - JVMOS_SHIP_HANDLE_ROOT]);
    m_initial.clear();
    m_ring = ring;
    wake();
    return 0;
}

void Relay::Loop::run() {
    kj::UnixEventPort::FdObserver doorbell(m_io.unixEventPort, m_config.doorbell_fd,
                                           kj::UnixEventPort::FdObserver::OBSERVE_READ);
    while (!m_stop) {
        if (serving()) spin();
        if (m_stop) break;
        // Edge-triggered: empty the eventfd, then look at the ring once more, then wait. A
        // doorbell rung after the read makes a new edge that the wait below sees.
        uint64_t count;
        while (::read(m_config.doorbell_fd, &count, sizeof count) > 0) {
        }
        if (scan_ring()) continue;
        m_activity = false;
        auto paf = kj::newPromiseAndFulfiller<void>();
        m_wake = kj::mv(paf.fulfiller);
        doorbell.whenBecomesReadable().exclusiveJoin(kj::mv(paf.promise)).wait(m_io.waitScope);
        m_wake = nullptr;
    }
}

void Relay::Loop::spin() {
    using Clock = std::chrono::steady_clock;
    __atomic_store_n(&m_ring->relay_polling, 1, __ATOMIC_SEQ_CST);
    auto deadline = Clock::now() + m_config.spin;
    for (;;) {
        const bool took = scan_ring();
        m_io.waitScope.poll(); // RPC replies, setup/stop requests
        const auto now = Clock::now();
        if (took || m_activity) {
            m_activity = false;
            deadline = now + m_config.spin;
        }
        if (m_stop || !serving() || now >= deadline) break;
        _mm_pause();
    }
    // Dekker with the guest: it stores SUBMITTED then reads relay_polling; we store 0 here (a
    // full barrier) and scan again before blocking, so one of us sees the other.
    if (m_ring) __atomic_store_n(&m_ring->relay_polling, 0, __ATOMIC_SEQ_CST);
}

bool Relay::Loop::scan_ring() {
    if (!serving()) return false;
    bool took = false;
    for (uint32_t i = 0; i < SLOTS && serving(); i++) {
        jvmos_ship_slot& s = m_ring->slots[i];
        if (__atomic_load_n(&s.state, __ATOMIC_ACQUIRE) != JVMOS_SHIP_SUBMITTED) continue;
        if (m_busy[i]) {
            fault("ship slot " + std::to_string(i) +
                  " was submitted again while its call is in flight");
            break;
        }
        __atomic_store_n(&s.state, uint32_t(JVMOS_SHIP_TAKEN), __ATOMIC_RELAXED);
        took = true;
        const SlotRequest r = read_request(s);
        std::string path, path2;
        std::string report = validate(i, r, path, path2);
        if (!report.empty()) {
            const char* name = op_name(r.op);
            fault("ship slot " + std::to_string(i) + (name ? std::string(" (") + name + ")" : "") +
                  ": " + report);
            break;
        }
        m_busy[i] = true;
        m_inflight[i] = issue(i, r, kj::mv(path), kj::mv(path2))
                            .then([this, i](Completion c) { complete(i, c); },
                                  [this, i](kj::Exception&&) {
                                      // A broken connection, or a reply we could not read.
                                      complete(i, Completion::failed(EIO));
                                  })
                            .eagerlyEvaluate(nullptr);
    }
    take_interrupts();
    return took;
}

// Right after a pass over the slots, with no slot taken in between: a bit set for a slot whose
// call is in flight is for that call (the guest clears its bit before it frees the slot).
void Relay::Loop::take_interrupts() {
    // A plain load first: this runs on every pass of the polling loop, an exchange is rare.
    if (!serving() || !__atomic_load_n(&m_ring->interrupt_slots, __ATOMIC_ACQUIRE)) return;
    uint32_t bits = __atomic_exchange_n(&m_ring->interrupt_slots, 0u, __ATOMIC_SEQ_CST);
    while (bits) {
        const uint32_t i = uint32_t(__builtin_ctz(bits));
        bits &= bits - 1;
        if (!m_busy[i]) {
            // Submitted after the pass looked at it: the next pass takes the call, and the bit.
            if (__atomic_load_n(&m_ring->slots[i].state, __ATOMIC_ACQUIRE) == JVMOS_SHIP_SUBMITTED)
                __atomic_or_fetch(&m_ring->interrupt_slots, 1u << i, __ATOMIC_SEQ_CST);
            continue;
        }
        KJ_IF_MAYBE(h, m_interruptible[i]) {
            auto req = h->interruptRequest();
            req.setToken(m_token[i]);
            // A server without interrupt (the monitor's own stdio) answers with an exception:
            // the call then simply runs to its end.
            req.send().ignoreResult().detach([](kj::Exception&&) {});
        } else if (m_session_call[i]) {
            m_poll_interrupted[i] = true;
            auto req = m_session.interruptRequest();
            req.setToken(m_token[i]);
            req.send().ignoreResult().detach([](kj::Exception&&) {});
        }
    }
}

uint64_t Relay::Loop::interruptible(uint32_t slot, proto::Handle::Client& h) {
    m_interruptible[slot] = h;
    m_token[slot] = m_next_token++;
    return m_token[slot];
}

std::string Relay::Loop::path_at(uint32_t slot, uint32_t offset, uint32_t in_len,
                                 std::string& out) {
    // Copy first, then look: the guest may rewrite its buffer while we read it.
    const uint32_t avail = in_len - offset;
    const uint32_t take = std::min<uint32_t>(avail, proto::MAX_PATH + 1);
    out.assign(reinterpret_cast<const char*>(m_data[slot].data() + offset), take);
    const size_t nul = out.find('\0');
    if (nul == std::string::npos)
        return take > proto::MAX_PATH ? "path longer than maxPath (" +
                                            std::to_string(proto::MAX_PATH) + " bytes)"
                                      : "path not NUL-terminated within in_len (" +
                                            std::to_string(in_len) + ")";
    out.resize(nul);
    return {};
}

std::string Relay::Loop::validate(uint32_t slot, const SlotRequest& r, std::string& path,
                                  std::string& path2) {
    if (!op_name(r.op)) return "unknown op " + std::to_string(r.op);
    if (r.in_len > SLOT_DATA)
        return "in_len " + std::to_string(r.in_len) + " exceeds the slot's buffer (" +
               std::to_string(SLOT_DATA) + ")";
    // pipe, socketpair and poll are Session calls: their `handle` is not used.
    if (r.op != JVMOS_SHIP_PIPE && r.op != JVMOS_SHIP_SOCKETPAIR && r.op != JVMOS_SHIP_POLL &&
        !m_handles.count(r.handle))
        return "handle " + std::to_string(r.handle) + " is not open";
    if (has_output_count(r.op) && r.args[0] > SLOT_DATA)
        return "count " + std::to_string(r.args[0]) + " exceeds the slot's buffer (" +
               std::to_string(SLOT_DATA) + ")";
    if (is_path_op(r.op)) {
        if (r.in_len == 0) return "path call with no input";
        std::string e = path_at(slot, 0, r.in_len, path);
        if (!e.empty()) return e;
    }
    if (has_handle2(r.op) && !m_handles.count(r.handle2))
        return "handle2 " + std::to_string(r.handle2) + " is not open";
    if (r.op == JVMOS_SHIP_LOCK && r.in_len != LINUX_FLOCK_SIZE)
        return "in_len " + std::to_string(r.in_len) + " is not a struct flock (" +
               std::to_string(LINUX_FLOCK_SIZE) + " bytes)";
    if (r.op == JVMOS_SHIP_POLL) {
        constexpr uint32_t ENTRY = sizeof(jvmos_ship_poll_entry);
        if (r.in_len == 0 || r.in_len % ENTRY || r.in_len / ENTRY > proto::MAX_POLL_ENTRIES)
            return "in_len " + std::to_string(r.in_len) + " is not 1.." +
                   std::to_string(proto::MAX_POLL_ENTRIES) + " poll entries";
        for (uint32_t off = 0; off < r.in_len; off += ENTRY) {
            uint32_t id;
            std::memcpy(&id, m_data[slot].data() + off, sizeof id);
            if (!m_handles.count(id))
                return "poll entry " + std::to_string(off / ENTRY) + ": handle " +
                       std::to_string(id) + " is not open";
        }
    }
    if (has_path2(r.op)) {
        if (r.path2_off >= r.in_len)
            return "path2_off " + std::to_string(r.path2_off) + " is not inside in_len (" +
                   std::to_string(r.in_len) + ")";
        std::string e = path_at(slot, r.path2_off, r.in_len, path2);
        if (!e.empty()) return "second " + e;
    }
    return {};
}

uint32_t Relay::Loop::add_handle(proto::Handle::Client handle) {
    while (m_next_handle < FIRST_NEW_HANDLE || m_handles.count(m_next_handle)) {
        if (m_next_handle < FIRST_NEW_HANDLE) m_next_handle = FIRST_NEW_HANDLE;
        else m_next_handle++;
    }
    const uint32_t id = m_next_handle++;
    m_handles.emplace(id, kj::mv(handle));
    return id;
}

Completion Relay::Loop::data_reply(uint32_t slot, int32_t error, capnp::Data::Reader data,
                                   uint64_t limit) {
    if ((error = checked_errno(error))) return Completion::failed(error);
    if (data.size() > limit || data.size() > SLOT_DATA) return Completion::failed(EIO);
    std::memcpy(m_data[slot].data(), data.begin(), data.size());
    Completion c;
    c.out_len = uint32_t(data.size());
    c.result = int64_t(data.size());
    return c;
}

Completion Relay::Loop::stat_reply(uint32_t slot, int32_t error, proto::Stat::Reader stat) {
    if ((error = checked_errno(error))) return Completion::failed(error);
    put_linux_stat(m_data[slot].data(), stat);
    Completion c;
    c.out_len = LINUX_STAT_SIZE;
    return c;
}

kj::Promise<Completion> Relay::Loop::issue(uint32_t slot, const SlotRequest& r, std::string path,
                                           std::string path2) {
    if (r.op == JVMOS_SHIP_RELEASE) {
        m_handles.erase(r.handle); // calls in flight on it keep their own reference
        return Completion{};
    }
    if (m_lost) return Completion::failed(EIO);

    using namespace proto;
    auto simple = [](int32_t error) { return Completion::failed(checked_errno(error)); };
    const uint64_t a0 = r.args[0], a1 = r.args[1];
    auto bytes_in = [&] { return capnp::Data::Reader(m_data[slot].data(), r.in_len); };

    if (r.op == JVMOS_SHIP_PIPE) {
        auto req = m_session.pipeRequest();
        req.setFlags(uint32_t(a0));
        return req.send().then([this](capnp::Response<Session::PipeResults>&& resp) {
            if (const int32_t e = checked_errno(resp.getErrno())) return Completion::failed(e);
            Completion c;
            c.new_handle = add_handle(resp.getReadEnd());
            c.new_handle2 = add_handle(resp.getWriteEnd());
            return c;
        });
    }

    if (r.op == JVMOS_SHIP_SOCKETPAIR) {
        auto req = m_session.socketpairRequest();
        req.setType(uint32_t(a0));
        return req.send().then([this](capnp::Response<Session::SocketpairResults>&& resp) {
            if (const int32_t e = checked_errno(resp.getErrno())) return Completion::failed(e);
            Completion c;
            c.new_handle = add_handle(resp.getFirst());
            c.new_handle2 = add_handle(resp.getSecond());
            return c;
        });
    }

    if (r.op == JVMOS_SHIP_POLL) {
        // Copied once (the guest may rewrite its buffer meanwhile); validate() saw every id,
        // but a later rewrite may name one that is not open: that entry is refused with EBADF.
        auto job = std::make_shared<PollJob>();
        job->slot = slot;
        job->entries.resize(r.in_len / sizeof(jvmos_ship_poll_entry));
        std::memcpy(job->entries.data(), m_data[slot].data(), r.in_len);
        for (uint32_t i = 0; i < job->entries.size(); i++) {
            const uint32_t id = job->entries[i].handle;
            if (!m_handles.count(id)) return Completion::failed(EBADF);
            job->entries[i].revents = 0;
            if (monitor_stdio(id)) job->local.push_back(i);
            else job->remote.push_back(i);
        }
        const int64_t timeout_ns = int64_t(a0);
        job->forever = timeout_ns < 0;
        if (!job->forever)
            job->deadline = std::chrono::steady_clock::now() + std::chrono::nanoseconds(timeout_ns);
        m_session_call[slot] = true;
        m_poll_interrupted[slot] = false;
        m_token[slot] = m_next_token++;
        return poll_step(kj::mv(job));
    }

    Handle::Client h = m_handles.at(r.handle);
    switch (r.op) {
    case JVMOS_SHIP_READ: {
        auto req = h.readRequest();
        req.setCount(uint32_t(a0));
        req.setToken(interruptible(slot, h));
        return req.send().then([this, slot, a0](capnp::Response<Handle::ReadResults>&& resp) {
            return data_reply(slot, resp.getErrno(), resp.getData(), a0);
        });
    }
    case JVMOS_SHIP_PREAD: {
        auto req = h.preadRequest();
        req.setCount(uint32_t(a0));
        req.setOffset(int64_t(a1));
        return req.send().then([this, slot, a0](capnp::Response<Handle::PreadResults>&& resp) {
            return data_reply(slot, resp.getErrno(), resp.getData(), a0);
        });
    }
    case JVMOS_SHIP_WRITE:
    case JVMOS_SHIP_PWRITE: {
        const uint32_t len = r.in_len;
        auto written = [len](int32_t error, uint32_t n) {
            if ((error = checked_errno(error))) return Completion::failed(error);
            if (n > len) return Completion::failed(EIO);
            Completion c;
            c.result = n;
            return c;
        };
        if (r.op == JVMOS_SHIP_WRITE) {
            auto req = h.writeRequest();
            req.setData(bytes_in());
            req.setToken(interruptible(slot, h));
            return req.send().then([written](capnp::Response<Handle::WriteResults>&& resp) {
                return written(resp.getErrno(), resp.getWritten());
            });
        }
        auto req = h.pwriteRequest();
        req.setData(bytes_in());
        req.setOffset(int64_t(a1));
        return req.send().then([written](capnp::Response<Handle::PwriteResults>&& resp) {
            return written(resp.getErrno(), resp.getWritten());
        });
    }
    case JVMOS_SHIP_SEEK: {
        if (a1 > 255) return Completion::failed(EINVAL); // no such whence
        auto req = h.seekRequest();
        req.setOffset(int64_t(a0));
        req.setWhence(uint8_t(a1));
        return req.send().then([](capnp::Response<Handle::SeekResults>&& resp) {
            Completion c = Completion::failed(checked_errno(resp.getErrno()));
            if (!c.error) c.result = resp.getPosition();
            return c;
        });
    }
    case JVMOS_SHIP_STAT:
        return h.statRequest().send().then(
            [this, slot](capnp::Response<Handle::StatResults>&& resp) {
                return stat_reply(slot, resp.getErrno(), resp.getStat());
            });
    case JVMOS_SHIP_STATFS:
        return h.statfsRequest().send().then(
            [this, slot](capnp::Response<Handle::StatfsResults>&& resp) {
                const int32_t e = checked_errno(resp.getErrno());
                if (e) return Completion::failed(e);
                put_linux_statfs(m_data[slot].data(), resp.getStatfs());
                Completion c;
                c.out_len = LINUX_STATFS_SIZE;
                return c;
            });
    case JVMOS_SHIP_TRUNCATE: {
        auto req = h.truncateRequest();
        req.setLength(int64_t(a0));
        return req.send().then([simple](auto&& resp) { return simple(resp.getErrno()); });
    }
    case JVMOS_SHIP_SYNC: {
        auto req = h.syncRequest();
        req.setDataOnly(a0 != 0);
        return req.send().then([simple](auto&& resp) { return simple(resp.getErrno()); });
    }
    case JVMOS_SHIP_FLOCK: {
        auto req = h.flockRequest();
        req.setOperation(uint32_t(a0));
        req.setToken(interruptible(slot, h));
        return req.send().then([simple](auto&& resp) { return simple(resp.getErrno()); });
    }
    case JVMOS_SHIP_GETFL:
        return h.getStatusFlagsRequest().send().then(
            [](capnp::Response<Handle::GetStatusFlagsResults>&& resp) {
                Completion c = Completion::failed(checked_errno(resp.getErrno()));
                if (!c.error) c.result = resp.getFlags();
                return c;
            });
    case JVMOS_SHIP_SETFL: {
        auto req = h.setStatusFlagsRequest();
        req.setFlags(uint32_t(a0));
        return req.send().then([simple](auto&& resp) { return simple(resp.getErrno()); });
    }
    case JVMOS_SHIP_IOCTL: {
        auto req = h.ioctlRequest();
        req.setRequest(uint32_t(a0));
        req.setArg(bytes_in());
        return req.send().then([this, slot](capnp::Response<Handle::IoctlResults>&& resp) {
            Completion c = data_reply(slot, resp.getErrno(), resp.getArg(), SLOT_DATA);
            if (!c.error) c.result = resp.getResult();
            return c;
        });
    }
    case JVMOS_SHIP_CHMOD: {
        auto req = h.chmodRequest();
        req.setMode(uint32_t(a0));
        return req.send().then([simple](auto&& resp) { return simple(resp.getErrno()); });
    }
    case JVMOS_SHIP_GETDENTS: {
        auto req = h.getdentsRequest();
        req.setMaxBytes(uint32_t(a0));
        return req.send().then([this, slot, a0](capnp::Response<Handle::GetdentsResults>&& resp) {
            return data_reply(slot, resp.getErrno(), resp.getData(), a0);
        });
    }
    case JVMOS_SHIP_OPENAT: {
        auto req = h.openAtRequest();
        req.setPath(path);
        req.setFlags(uint32_t(a0));
        req.setMode(uint32_t(a1));
        return req.send().then([this, slot](capnp::Response<Handle::OpenAtResults>&& resp) {
            Completion c = stat_reply(slot, resp.getErrno(), resp.getStat());
            if (!c.error) c.new_handle = add_handle(resp.getHandle());
            return c;
        });
    }
    case JVMOS_SHIP_STATAT: {
        auto req = h.statAtRequest();
        req.setPath(path);
        req.setFlags(uint32_t(a0));
        return req.send().then([this, slot](capnp::Response<Handle::StatAtResults>&& resp) {
            return stat_reply(slot, resp.getErrno(), resp.getStat());
        });
    }
    case JVMOS_SHIP_READLINKAT: {
        auto req = h.readlinkAtRequest();
        req.setPath(path);
        req.setMaxBytes(uint32_t(a0));
        return req.send().then(
            [this, slot, a0](capnp::Response<Handle::ReadlinkAtResults>&& resp) {
                return data_reply(slot, resp.getErrno(), resp.getTarget(), a0);
            });
    }
    case JVMOS_SHIP_ACCESSAT: {
        auto req = h.accessAtRequest();
        req.setPath(path);
        req.setMode(uint32_t(a0));
        req.setFlags(uint32_t(a1));
        return req.send().then([simple](auto&& resp) { return simple(resp.getErrno()); });
    }
    case JVMOS_SHIP_MKDIRAT: {
        auto req = h.mkdirAtRequest();
        req.setPath(path);
        req.setMode(uint32_t(a0));
        return req.send().then([simple](auto&& resp) { return simple(resp.getErrno()); });
    }
    case JVMOS_SHIP_UNLINKAT: {
        auto req = h.unlinkAtRequest();
        req.setPath(path);
        req.setFlags(uint32_t(a0));
        return req.send().then([simple](auto&& resp) { return simple(resp.getErrno()); });
    }
    case JVMOS_SHIP_RENAMEAT: {
        auto req = h.renameAtRequest();
        req.setOldPath(path);
        req.setNewDir(m_handles.at(r.handle2));
        req.setNewPath(path2);
        req.setFlags(uint32_t(a0));
        return req.send().then([simple](auto&& resp) { return simple(resp.getErrno()); });
    }
    case JVMOS_SHIP_COPY_RANGE: {
        auto req = h.copyRangeRequest();
        req.setTarget(m_handles.at(r.handle2));
        req.setInOffset(int64_t(a0));
        req.setOutOffset(int64_t(a1));
        req.setLength(r.args[2]);
        return req.send().then([](auto&& resp) {
            Completion c;
            c.error = checked_errno(resp.getErrno());
            if (!c.error) c.result = int64_t(resp.getCopied());
            return c;
        });
    }
    case JVMOS_SHIP_CHMODAT: {
        auto req = h.chmodAtRequest();
        req.setPath(path);
        req.setMode(uint32_t(a0));
        req.setFlags(uint32_t(a1));
        return req.send().then([simple](auto&& resp) { return simple(resp.getErrno()); });
    }
    case JVMOS_SHIP_SYMLINKAT: {
        auto req = h.symlinkAtRequest();
        req.setPath(path);
        req.setTarget(path2);
        return req.send().then([simple](auto&& resp) { return simple(resp.getErrno()); });
    }
    case JVMOS_SHIP_LINKAT: {
        auto req = h.linkAtRequest();
        req.setOldPath(path);
        req.setNewDir(m_handles.at(r.handle2));
        req.setNewPath(path2);
        req.setFlags(uint32_t(a0));
        return req.send().then([simple](auto&& resp) { return simple(resp.getErrno()); });
    }
    case JVMOS_SHIP_CHOWNAT: {
        auto req = h.chownAtRequest();
        req.setPath(path);
        req.setUid(uint32_t(a0));
        req.setGid(uint32_t(a1));
        req.setFlags(uint32_t(r.args[2]));
        return req.send().then([simple](auto&& resp) { return simple(resp.getErrno()); });
    }
    case JVMOS_SHIP_UTIMENSAT: {
        auto req = h.setTimesAtRequest();
        req.setPath(path);
        const uint64_t nsecs = r.args[2];
        auto atime = req.initAtime();
        atime.setSec(int64_t(a0));
        atime.setNsec(int64_t(uint32_t(nsecs)));
        auto mtime = req.initMtime();
        mtime.setSec(int64_t(a1));
        mtime.setNsec(int64_t(uint32_t(nsecs >> 32)));
        req.setFlags(uint32_t(r.args[3]));
        return req.send().then([simple](auto&& resp) { return simple(resp.getErrno()); });
    }
    case JVMOS_SHIP_LOCK: {
        auto req = h.lockRequest();
        req.setCommand(uint32_t(a0));
        get_linux_flock(m_data[slot].data(), req.initLock());
        const bool query = a0 == F_GETLK || a0 == F_OFD_GETLK;
        if (a0 == F_SETLKW || a0 == F_OFD_SETLKW) req.setToken(interruptible(slot, h));
        return req.send().then([this, slot, query](capnp::Response<Handle::LockResults>&& resp) {
            Completion c = Completion::failed(checked_errno(resp.getErrno()));
            if (c.error || !query) return c;
            put_linux_flock(m_data[slot].data(), resp.getLock());
            c.out_len = LINUX_FLOCK_SIZE;
            return c;
        });
    }
    default:
        KJ_FAIL_ASSERT("op passed validation but has no translation", r.op);
    }
}

// ---- poll ---------------------------------------------------------------------------------------

// One JVMOS_SHIP_POLL call. Normally every entry is a proxy Handle and the call is one
// Session.poll. With a standalone proxy (--proxy) the standard handles are the monitor's own
// fds 0-2, which the proxy cannot poll: the relay polls those itself, and while nothing is
// ready it asks the proxy for the rest in slices of POLL_SLICE, looking at its own fds between
// slices (a wait on stdin there is woken within a slice, not at once).

namespace {
constexpr std::chrono::milliseconds POLL_SLICE{20};
} // namespace

kj::Promise<int32_t> Relay::Loop::poll_remote(std::shared_ptr<PollJob> job, int64_t timeout_ns) {
    using namespace proto;
    auto req = m_session.pollRequest();
    auto list = req.initEntries(uint32_t(job->remote.size()));
    for (uint32_t k = 0; k < job->remote.size(); k++) {
        const jvmos_ship_poll_entry& e = job->entries[job->remote[k]];
        auto it = m_handles.find(e.handle);
        if (it == m_handles.end()) return int32_t(EBADF); // released meanwhile (by a rewrite)
        list[k].setHandle(it->second);
        list[k].setEvents(e.events);
    }
    req.setTimeoutNs(timeout_ns);
    req.setToken(m_token[job->slot]);
    return req.send().then([job](capnp::Response<Session::PollResults>&& resp) -> int32_t {
        if (const int32_t e = checked_errno(resp.getErrno())) return e;
        auto revents = resp.getRevents();
        if (revents.size() != job->remote.size() || resp.getReady() > revents.size()) return EIO;
        for (uint32_t k = 0; k < job->remote.size(); k++)
            job->entries[job->remote[k]].revents = revents[k];
        return 0;
    });
}

Completion Relay::Loop::poll_done(const PollJob& job) {
    const uint32_t count = uint32_t(job.entries.size());
    std::memcpy(m_data[job.slot].data(), job.entries.data(),
                count * sizeof(jvmos_ship_poll_entry));
    Completion c;
    c.out_len = uint32_t(count * sizeof(jvmos_ship_poll_entry));
    for (const auto& e : job.entries) c.result += e.revents != 0;
    return c;
}

kj::Promise<Completion> Relay::Loop::poll_step(std::shared_ptr<PollJob> job) {
    using Clock = std::chrono::steady_clock;
    // The monitor's own fds: a look, never a wait.
    bool local_ready = false;
    if (!job->local.empty()) {
        std::vector<pollfd> fds;
        for (uint32_t i : job->local) {
            const jvmos_ship_poll_entry& e = job->entries[i];
            fds.push_back({int(e.handle - JVMOS_SHIP_HANDLE_STDIN), short(e.events), 0});
        }
        if (::poll(fds.data(), fds.size(), 0) < 0) return Completion::failed(errno);
        for (size_t k = 0; k < fds.size(); k++) {
            job->entries[job->local[k]].revents = uint16_t(fds[k].revents);
            local_ready |= fds[k].revents != 0;
        }
    }
    int64_t left_ns = -1;
    if (!job->forever) {
        left_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(job->deadline - Clock::now())
                      .count();
        if (left_ns < 0) left_ns = 0;
    }
    const bool last = job->local.empty() || local_ready || left_ns == 0;
    if (!last && m_poll_interrupted[job->slot]) return Completion::failed(EINTR);
    // Only the proxy's fds: one call with the whole timeout. Else a slice at a time.
    int64_t ask_ns = left_ns;
    if (local_ready) ask_ns = 0;
    else if (!last) {
        const int64_t slice = std::chrono::nanoseconds(POLL_SLICE).count();
        ask_ns = left_ns < 0 || left_ns > slice ? slice : left_ns;
    }
    kj::Promise<int32_t> remote = job->remote.empty()
                                      ? (last ? kj::Promise<int32_t>(int32_t(0))
                                              : m_io.provider->getTimer()
                                                    .afterDelay(ask_ns * kj::NANOSECONDS)
                                                    .then([] { return int32_t(0); }))
                                      : poll_remote(job, ask_ns);
    return remote.then([this, job, last](int32_t error) -> kj::Promise<Completion> {
        if (error) return Completion::failed(error);
        bool any = false;
        for (uint32_t i : job->remote) any |= job->entries[i].revents != 0;
        if (last || any) {
            if (any && !job->local.empty()) {
                // The proxy's news first; the monitor's fds are looked at once more.
                std::vector<pollfd> fds;
                for (uint32_t i : job->local) {
                    const jvmos_ship_poll_entry& e = job->entries[i];
                    fds.push_back({int(e.handle - JVMOS_SHIP_HANDLE_STDIN), short(e.events), 0});
                }
                if (::poll(fds.data(), fds.size(), 0) >= 0)
                    for (size_t k = 0; k < fds.size(); k++)
                        job->entries[job->local[k]].revents = uint16_t(fds[k].revents);
            }
            return poll_done(*job);
        }
        return poll_step(job);
    });
}

void Relay::Loop::complete(uint32_t slot, const Completion& c) {
    KJ_ASSERT(m_busy[slot], slot);
    m_busy[slot] = false;
    m_interruptible[slot] = nullptr;
    m_session_call[slot] = false;
    m_token[slot] = 0;
    jvmos_ship_slot& s = m_ring->slots[slot];
    __atomic_store_n(&s.error, c.error, __ATOMIC_RELAXED);
    __atomic_store_n(&s.result, c.result, __ATOMIC_RELAXED);
    __atomic_store_n(&s.out_len, c.out_len, __ATOMIC_RELAXED);
    __atomic_store_n(&s.new_handle, c.new_handle, __ATOMIC_RELAXED);
    __atomic_store_n(&s.new_handle2, c.new_handle2, __ATOMIC_RELAXED);
    // Publishes the fields above and the output bytes in the data buffer.
    __atomic_store_n(&s.state, uint32_t(JVMOS_SHIP_DONE), __ATOMIC_RELEASE);
    __atomic_store_n(&m_ring->calls, ++m_calls, __ATOMIC_RELAXED);
    // Dekker with a guest that sets guest_waiting and then re-checks its slot before halting.
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (__atomic_load_n(&m_ring->guest_waiting, __ATOMIC_RELAXED)) {
        const uint64_t one = 1;
        (void)!::write(m_config.irq_fd, &one, sizeof one);
    }
    m_activity = true;
    wake();
}

void Relay::Loop::fault(std::string report) {
    if (m_faulted) return;
    m_faulted = true;
    if (!m_owner.m_stopping.load()) m_owner.m_events.guest_fault(kj::mv(report));
}

void Relay::Loop::on_lost() {
    if (m_lost) return;
    m_lost = true;
    // Every call still in flight completes now, including calls on handles that never crossed
    // the connection (the monitor's own stdio): nothing may wait on a connection that is gone.
    for (uint32_t i = 0; i < SLOTS; i++) {
        if (!m_busy[i]) continue;
        m_inflight[i] = nullptr; // cancels it
        complete(i, Completion::failed(EIO));
    }
    if (!m_owner.m_stopping.load()) m_owner.m_events.connection_lost();
}

// ---- Relay -------------------------------------------------------------------------------------

Relay::Relay(GuestMemory& memory, RelayEvents& events, RelayConfig config)
    : m_memory(memory), m_events(events) {
    KJ_REQUIRE(config.proxy_socket >= 0 && config.doorbell_fd >= 0 && config.irq_fd >= 0);
    auto started = m_started.get_future();
    m_thread = std::thread([this, config = std::move(config)]() mutable {
        thread_main(std::move(config));
    });
    try {
        started.get();
    } catch (...) {
        m_thread.join();
        throw;
    }
}

Relay::~Relay() {
    m_stopping.store(true);
    if (m_executor) {
        KJ_IF_MAYBE(e, kj::runCatchingExceptions([&] {
            m_executor->executeSync([this] { m_loop->stop(); });
        })) {
            // The relay thread has already ended (it failed): nothing to stop.
            (void)e;
        }
    }
    m_thread.join();
}

int64_t Relay::setup(GuestPhysAddr ring) {
    int64_t result = -EIO;
    KJ_IF_MAYBE(e, kj::runCatchingExceptions([&] {
        result = m_executor->executeSync([&] { return m_loop->setup(ring); });
    })) {
        (void)e; // the relay thread has failed (relay_failed was reported)
    }
    return result;
}

void Relay::thread_main(RelayConfig config) {
    kj::AutoCloseFd socket(config.proxy_socket);
    bool started = false;
    std::string failure;
    try {
        kj::AsyncIoContext io = kj::setupAsyncIo();
        Loop loop(*this, io, config, kj::mv(socket));
        m_session_cwd = loop.create_session();
        m_executor = kj::getCurrentThreadExecutor().addRef();
        m_loop = &loop;
        started = true;
        m_started.set_value();
        loop.run();
        return;
    } catch (const RelayStartError&) {
        KJ_ASSERT(!started);
        m_started.set_exception(std::current_exception());
        return;
    } catch (const kj::Exception& e) {
        failure = e.getDescription().cStr();
    } catch (const std::exception& e) {
        failure = e.what();
    }
    if (!started)
        m_started.set_exception(
            std::make_exception_ptr(RelayStartError("relay failed: " + failure, 0)));
    else if (!m_stopping.load())
        m_events.relay_failed(failure);
}

} // namespace jvmos::boot
