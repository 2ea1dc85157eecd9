// The monitor's exit handling, driven with synthetic exit records (no KVM needed).
#include "exit_handler.h"

#include "jvmos/abi/abi.h"

#include <gtest/gtest.h>
#include <linux/kvm.h>

#include <cstring>
#include <string>
#include <vector>

namespace jvmos::boot {
namespace {

class FakeHost final : public HostServices {
public:
    void log(std::string_view text) override { logged += text; }
    int64_t ship_setup(uint64_t ring_gpa) override {
        setup_gpas.push_back(ring_gpa);
        return setup_result;
    }

    std::string logged;
    std::vector<uint64_t> setup_gpas;
    int64_t setup_result = 0;
};

class ExitHandlerTest : public ::testing::Test {
protected:
    ExitHandlerTest() : ram(1 << 20), mem({{0, ram.size(), ram.data()}}) {}

    ExitRecord out(uint16_t port, uint32_t value) {
        ExitRecord r;
        r.reason = KVM_EXIT_IO;
        r.io.direction = KVM_EXIT_IO_OUT;
        r.io.size = 4;
        r.io.port = port;
        r.io.count = 1;
        std::memcpy(r.io.data, &value, 4);
        return r;
    }
    jvmos_host_request* request_at(uint64_t gpa, uint32_t op, uint64_t a0, uint64_t a1, uint64_t a2) {
        auto* req = reinterpret_cast<jvmos_host_request*>(ram.data() + gpa);
        std::memset(req, 0, sizeof *req);
        req->op = op;
        req->args[0] = a0;
        req->args[1] = a1;
        req->args[2] = a2;
        req->result = 12345;
        return req;
    }

    std::vector<uint8_t> ram;
    GuestMemory mem;
    FakeHost host;
};

TEST_F(ExitHandlerTest, ExitPortGivesTheStatus) {
    ExitAction a = handle_exit(out(JVMOS_PORT_EXIT, 42), mem, host);
    EXPECT_EQ(a.kind, ExitAction::Kind::Exit);
    EXPECT_EQ(a.status, 42);
}

TEST_F(ExitHandlerTest, ExitStatusAbove255IsAGuestBug) {
    EXPECT_EQ(handle_exit(out(JVMOS_PORT_EXIT, 256), mem, host).kind, ExitAction::Kind::Panic);
}

TEST_F(ExitHandlerTest, BufferOutsideGuestMemoryKillsTheGuestNotTheMonitor) {
    request_at(0x1000, JVMOS_HOST_LOG, 0, ram.size() - 2, 5);
    ExitAction a = handle_exit(out(JVMOS_PORT_REQUEST, 0x1000), mem, host);
    EXPECT_EQ(a.kind, ExitAction::Kind::Panic);
    EXPECT_NE(a.message.find("malformed"), std::string::npos);
    EXPECT_TRUE(host.logged.empty());
}

TEST_F(ExitHandlerTest, WrappingBufferAddressIsRejected) {
    request_at(0x1000, JVMOS_HOST_LOG, 0, ~0ull - 0x10, 0x100);
    EXPECT_EQ(handle_exit(out(JVMOS_PORT_REQUEST, 0x1000), mem, host).kind,
              ExitAction::Kind::Panic);
    EXPECT_TRUE(host.logged.empty());
}

TEST_F(ExitHandlerTest, RemovedTemporaryStdioOpsAreRejected) {
    // Ops 1 and 2 were the temporary stdio path before the shipper: a guest that still uses
    // them is not ours.
    for (uint32_t op : {1u, 2u}) {
        request_at(0x1000, op, 1, 0x2000, 5);
        EXPECT_EQ(handle_exit(out(JVMOS_PORT_REQUEST, 0x1000), mem, host).kind,
                  ExitAction::Kind::Panic);
    }
}

TEST_F(ExitHandlerTest, RequestBlockOutsideRamOrMisalignedPanics) {
    EXPECT_EQ(handle_exit(out(JVMOS_PORT_REQUEST, 0x200000), mem, host).kind,
              ExitAction::Kind::Panic);
    EXPECT_EQ(handle_exit(out(JVMOS_PORT_REQUEST, 0x1003), mem, host).kind,
              ExitAction::Kind::Panic);
}

TEST_F(ExitHandlerTest, ShipSetupPassesTheRingAddressAndReturnsTheResult) {
    auto* req = request_at(0x1000, JVMOS_HOST_SHIP_SETUP, 0x40000, 0, 0);
    EXPECT_EQ(handle_exit(out(JVMOS_PORT_REQUEST, 0x1000), mem, host).kind,
              ExitAction::Kind::Resume);
    ASSERT_EQ(host.setup_gpas.size(), 1u);
    EXPECT_EQ(host.setup_gpas[0], 0x40000u);
    EXPECT_EQ(req->result, 0);

    host.setup_result = -22; // EINVAL from the relay reaches the guest as -errno
    req = request_at(0x1000, JVMOS_HOST_SHIP_SETUP, 0x1234, 0, 0);
    EXPECT_EQ(handle_exit(out(JVMOS_PORT_REQUEST, 0x1000), mem, host).kind,
              ExitAction::Kind::Resume);
    ASSERT_EQ(host.setup_gpas.size(), 2u);
    EXPECT_EQ(host.setup_gpas[1], 0x1234u);
    EXPECT_EQ(req->result, -22);
}

TEST_F(ExitHandlerTest, UnknownOpPanics) {
    request_at(0x1000, 999, 0, 0, 0);
    ExitAction a = handle_exit(out(JVMOS_PORT_REQUEST, 0x1000), mem, host);
    EXPECT_EQ(a.kind, ExitAction::Kind::Panic);
    EXPECT_NE(a.message.find("999"), std::string::npos);
}

TEST_F(ExitHandlerTest, LogReachesHostStderr) {
    std::memcpy(ram.data() + 0x2000, "line\n", 5);
    request_at(0x1000, JVMOS_HOST_LOG, 0, 0x2000, 5);
    EXPECT_EQ(handle_exit(out(JVMOS_PORT_REQUEST, 0x1000), mem, host).kind,
              ExitAction::Kind::Resume);
    EXPECT_EQ(host.logged, "line\n");
}

TEST_F(ExitHandlerTest, PanicCarriesTheGuestReport) {
    const char* text = "guest kernel panic: #PF in the kernel";
    std::memcpy(ram.data() + 0x2000, text, std::strlen(text));
    request_at(0x1000, JVMOS_HOST_PANIC, 0, 0x2000, std::strlen(text));
    ExitAction a = handle_exit(out(JVMOS_PORT_REQUEST, 0x1000), mem, host);
    EXPECT_EQ(a.kind, ExitAction::Kind::Panic);
    EXPECT_EQ(a.message, text);
    EXPECT_EQ(a.status, JVMOS_EXIT_PANIC);
}

TEST_F(ExitHandlerTest, KilledBySignalIs128PlusN) {
    std::memcpy(ram.data() + 0x2000, "segv", 4);
    request_at(0x1000, JVMOS_HOST_KILLED, 11, 0x2000, 4);
    ExitAction a = handle_exit(out(JVMOS_PORT_REQUEST, 0x1000), mem, host);
    EXPECT_EQ(a.kind, ExitAction::Kind::Killed);
    EXPECT_EQ(a.status, 139);
    EXPECT_EQ(a.message, "segv");
}

TEST_F(ExitHandlerTest, KilledWithImpossibleSignalPanics) {
    request_at(0x1000, JVMOS_HOST_KILLED, 0, 0x2000, 0);
    EXPECT_EQ(handle_exit(out(JVMOS_PORT_REQUEST, 0x1000), mem, host).kind,
              ExitAction::Kind::Panic);
    request_at(0x1000, JVMOS_HOST_KILLED, 65, 0x2000, 0);
    EXPECT_EQ(handle_exit(out(JVMOS_PORT_REQUEST, 0x1000), mem, host).kind,
              ExitAction::Kind::Panic);
}

TEST_F(ExitHandlerTest, UnexpectedPortAndDirectionPanic) {
    EXPECT_EQ(handle_exit(out(0x3f8, 1), mem, host).kind, ExitAction::Kind::Panic);
    ExitRecord in = out(JVMOS_PORT_EXIT, 0);
    in.io.direction = KVM_EXIT_IO_IN;
    EXPECT_EQ(handle_exit(in, mem, host).kind, ExitAction::Kind::Panic);
    ExitRecord byte = out(JVMOS_PORT_EXIT, 0);
    byte.io.size = 1;
    EXPECT_EQ(handle_exit(byte, mem, host).kind, ExitAction::Kind::Panic);
}

TEST_F(ExitHandlerTest, VmFailuresPanicWithAReason) {
    ExitRecord r;
    r.reason = KVM_EXIT_SHUTDOWN;
    ExitAction a = handle_exit(r, mem, host);
    EXPECT_EQ(a.kind, ExitAction::Kind::Panic);
    EXPECT_NE(a.message.find("triple fault"), std::string::npos);
    r.reason = KVM_EXIT_INTERNAL_ERROR;
    r.internal_suberror = 1;
    EXPECT_NE(handle_exit(r, mem, host).message.find("emulate"), std::string::npos);
    r.reason = KVM_EXIT_MMIO;
    r.mmio.phys_addr = 0xfec00000;
    EXPECT_NE(handle_exit(r, mem, host).message.find("0xfec00000"), std::string::npos);
    r.reason = KVM_EXIT_FAIL_ENTRY;
    EXPECT_EQ(handle_exit(r, mem, host).kind, ExitAction::Kind::Panic);
}

TEST_F(ExitHandlerTest, InterruptedRunResumes) {
    ExitRecord r;
    r.reason = KVM_EXIT_INTR;
    EXPECT_EQ(handle_exit(r, mem, host).kind, ExitAction::Kind::Resume);
}

TEST(GuestMemoryTest, SpanChecksBoundsAcrossTheHole) {
    std::vector<uint8_t> low(4096), high(4096);
    GuestMemory mem({{0, low.size(), low.data()}, {1ull << 32, high.size(), high.data()}});
    EXPECT_TRUE(mem.span({0}, 4096).has_value());
    EXPECT_FALSE(mem.span({1}, 4096).has_value());
    EXPECT_FALSE(mem.span({4096}, 1).has_value());
    EXPECT_FALSE(mem.span({4096}, 0).has_value());
    EXPECT_FALSE(mem.span({0x80000000}, 1).has_value()); // the hole
    auto s = mem.span({(1ull << 32) + 10}, 20);
    ASSERT_TRUE(s.has_value());
    EXPECT_EQ(s->data(), high.data() + 10);
    EXPECT_FALSE(mem.span({~0ull - 4}, 16).has_value()); // wraps
    EXPECT_EQ(mem.max_gpa(), (1ull << 32) + 4096);
}

} // namespace
} // namespace jvmos::boot
