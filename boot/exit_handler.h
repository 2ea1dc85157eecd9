// Interpreting a vCPU exit, kept apart from the KVM_RUN loop (vcpu.cpp) so that it is a pure
// function of an exit record, guest memory and the host services it may use: unit tests feed it
// synthetic records (tests/unit/exit_handler_test.cpp).
#pragma once

#include "guest_memory.h"

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace jvmos::boot {

// The parts of struct kvm_run the handler needs, copied out by the run loop.
struct ExitRecord {
    uint32_t reason = 0; // KVM_EXIT_*
    struct {
        uint8_t direction = 0; // KVM_EXIT_IO_IN / KVM_EXIT_IO_OUT
        uint8_t size = 0;      // 1, 2 or 4 bytes
        uint16_t port = 0;
        uint32_t count = 0;
        uint8_t data[8] = {}; // the first access's bytes (OUT), or where IN data goes
    } io;
    struct {
        uint64_t phys_addr = 0;
        uint32_t len = 0;
        uint8_t is_write = 0;
    } mmio;
    uint32_t internal_suberror = 0;
    uint64_t fail_entry_reason = 0;
};

// What the monitor does on the host for the guest. Implemented by the real process (main.cpp)
// and by fakes in tests.
class HostServices {
public:
    virtual ~HostServices() = default;
    // Diagnostic text for the monitor's stderr (already newline-terminated by the guest).
    virtual void log(std::string_view text) = 0;
    // JVMOS_HOST_SHIP_SETUP: connect the ship ring at `ring_gpa` (guest-provided, unchecked) to
    // the relay. Returns 0 or -errno for the guest. A malformed ring is the guest kernel's bug:
    // the implementation also stops the vCPU with a report (Vcpu::request_stop).
    virtual int64_t ship_setup(uint64_t ring_gpa) = 0;
};

struct ExitAction {
    enum class Kind {
        Resume,  // run the vCPU again
        Exit,    // the program exited normally: status
        Killed,  // the program died of a signal: status = 128 + N, message = report
        Panic,   // the guest kernel (or the VM) failed: message; registers worth printing
    };
    Kind kind = Kind::Resume;
    int status = 0;
    std::string message;
};

ExitAction handle_exit(const ExitRecord& exit, const GuestMemory& mem, HostServices& host);

} // namespace jvmos::boot
