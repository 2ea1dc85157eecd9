#include "exit_handler.h"

#include "jvmos/abi/abi.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <linux/kvm.h>

namespace jvmos::boot {
namespace {

ExitAction panic(std::string message) {
    return {ExitAction::Kind::Panic, JVMOS_EXIT_PANIC, std::move(message)};
}

std::string hex(uint64_t v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
    return buf;
}

// Bytes of guest text the guest asked us to print; bounds-checked, capped so that a hostile
// length cannot make us allocate gigabytes.
std::string guest_text(const GuestMemory& mem, uint64_t gpa, uint64_t len, bool* ok) {
    constexpr uint64_t MAX_TEXT = 64 * 1024;
    auto s = mem.span({gpa}, len > MAX_TEXT ? MAX_TEXT : len);
    *ok = s.has_value();
    return s ? std::string(reinterpret_cast<const char*>(s->data()), s->size()) : std::string();
}

ExitAction handle_request(uint32_t request_gpa, const GuestMemory& mem, HostServices& host) {
    auto* req = mem.object<jvmos_host_request>({request_gpa});
    if (!req) return panic("malformed host request: GPA " + hex(request_gpa) + " is not RAM");
    // Copy what we read once: the guest may change the block under us (another vCPU).
    const uint32_t op = req->op;
    uint64_t args[6];
    std::memcpy(args, req->args, sizeof args);

    switch (op) {
    case JVMOS_HOST_LOG: {
        bool ok;
        std::string text = guest_text(mem, args[1], args[2], &ok);
        if (!ok) return panic("malformed log request: buffer " + hex(args[1]));
        host.log(text);
        req->result = 0;
        return {};
    }
    case JVMOS_HOST_PANIC: {
        bool ok;
        std::string text = guest_text(mem, args[1], args[2], &ok);
        return panic(ok ? text : "guest kernel panic (report unreadable)");
    }
    case JVMOS_HOST_KILLED: {
        bool ok;
        std::string text = guest_text(mem, args[1], args[2], &ok);
        const uint64_t sig = args[0];
        if (sig == 0 || sig > 64) return panic("malformed kill report: signal " + hex(sig));
        return {ExitAction::Kind::Killed, 128 + int(sig), ok ? text : std::string()};
    }
    case JVMOS_HOST_SHIP_SETUP:
        req->result = host.ship_setup(args[0]);
        return {};
    default:
        return panic("unknown host request op " + std::to_string(op));
    }
}

} // namespace

ExitAction handle_exit(const ExitRecord& exit, const GuestMemory& mem, HostServices& host) {
    switch (exit.reason) {
    case KVM_EXIT_IO: {
        if (exit.io.direction != KVM_EXIT_IO_OUT || exit.io.size != 4 || exit.io.count != 1)
            return panic("unexpected port I/O: port " + hex(exit.io.port) + ", size " +
                         std::to_string(exit.io.size) +
                         (exit.io.direction == KVM_EXIT_IO_OUT ? ", out" : ", in"));
        uint32_t value;
        std::memcpy(&value, exit.io.data, 4);
        if (exit.io.port == JVMOS_PORT_EXIT) {
            if (value > 255) return panic("exit status out of range: " + std::to_string(value));
            return {ExitAction::Kind::Exit, int(value), {}};
        }
        if (exit.io.port == JVMOS_PORT_REQUEST) return handle_request(value, mem, host);
        return panic("unexpected port I/O to port " + hex(exit.io.port));
    }
    case KVM_EXIT_MMIO:
        return panic(std::string("guest accessed unbacked physical address ") +
                     hex(exit.mmio.phys_addr) + (exit.mmio.is_write ? " (write)" : " (read)"));
    case KVM_EXIT_SHUTDOWN:
        return panic("guest kernel panic: triple fault (the VM shut down)");
    case KVM_EXIT_HLT:
        return panic("guest halted with no way to wake up");
    case KVM_EXIT_FAIL_ENTRY:
        return panic("KVM could not enter the guest (hardware entry failure reason " +
                     hex(exit.fail_entry_reason) + ")");
    case KVM_EXIT_INTERNAL_ERROR:
        return panic("KVM internal error (suberror " + std::to_string(exit.internal_suberror) +
                     "): the hypervisor could not emulate a guest instruction");
    case KVM_EXIT_INTR:
        return {}; // a host signal interrupted KVM_RUN; the run loop looks at why
    default:
        return panic("unexpected KVM exit reason " + std::to_string(exit.reason));
    }
}

} // namespace jvmos::boot
