// The relay: the host half of the shipper. A thread of the monitor with its own kj event loop
// that holds the Cap'n Proto connection to linux-proxy (shipper/proto/jvmos.capnp) and serves the
// ship ring in guest memory (include/jvmos/abi/abi.h, "The ship ring"): it takes the slots guest
// threads submit, turns each into one asynchronous schema call (many in flight), and writes the
// results back into the slot and its data buffer in Linux's layouts.
//
// The relay knows nothing about KVM: the doorbell and the completion interrupt are two eventfds
// it is given (in the monitor, Vm::add_doorbell / Vm::add_msi_irqfd; in unit tests, plain
// eventfds), and what it needs from the rest of the monitor goes through RelayEvents.
//
// Waiting: after any activity (a slot taken or completed) the relay polls the ring and its event
// loop for SPIN (~100 us) with ring->relay_polling = 1, so that a busy guest needs no doorbell;
// then it clears relay_polling, re-scans, and blocks on the doorbell eventfd and the event loop.
//
// Trust: every slot is hostile input. A slot the guest kernel could not have written correctly
// (unknown op, handle id not in the table, lengths beyond the slot's buffer, a path that is not
// NUL-terminated within maxPath) is the guest kernel's bug: the relay stops serving the ring and
// reports it through RelayEvents::guest_fault (the monitor kills the guest). What the proxy
// sends back is checked too: a reply that breaks the schema's contract (more bytes than asked
// for, an errno out of range) completes the call with EIO.
//
// Connection loss: when the connection breaks, every call in flight and every later call
// completes with EIO, and RelayEvents::connection_lost is called once.
#pragma once

#include "cli.h"
#include "guest_memory.h"
#include "proxy_launch.h"

#include <kj/async.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <future>
#include <stdexcept>
#include <string>
#include <thread>

namespace jvmos::boot {

// What the relay reports to the rest of the monitor. Called on the relay thread; must not block.
class RelayEvents {
public:
    virtual ~RelayEvents() = default;
    // The guest kernel broke the ring protocol (`report` says how, in one line). The relay has
    // stopped serving the ring; the monitor kills the guest.
    virtual void guest_fault(std::string report) = 0;
    // The connection to linux-proxy broke after the session was created. Called at most once;
    // calls complete with EIO from now on.
    virtual void connection_lost() = 0;
    // The relay itself failed (our bug; `what` describes it). Shipped calls no longer complete.
    virtual void relay_failed(std::string what) = 0;
};

struct RelayConfig {
    int proxy_socket = -1; // a connected stream socket to linux-proxy; the relay owns it
    StdioMode stdio = StdioMode::Inherited;
    SessionPlan session;   // the mount table and starting directory for newSession
    int doorbell_fd = -1;  // non-blocking eventfd the guest's doorbell signals (borrowed)
    int irq_fd = -1;       // eventfd whose every write raises the completion interrupt (borrowed)
    std::chrono::microseconds spin{100}; // how long to poll the ring after activity
    std::chrono::seconds session_timeout{10}; // how long newSession may take
};

// Creating the session failed. `what()` is one line; `refused()` says whether the proxy
// answered with an errno (a bad mount or cwd) rather than failing to answer at all.
class RelayStartError : public std::runtime_error {
public:
    RelayStartError(const std::string& what, int error)
        : std::runtime_error(what), m_error(error) {}
    bool refused() const { return m_error != 0; }
    int error() const { return m_error; }

private:
    int m_error;
};

class Relay {
public:
    // Starts the relay thread, which connects over config.proxy_socket, creates the session
    // (newSession with config.session and the stdio source, then the session's root, cwd and
    // stdio handles) and waits for the guest's JVMOS_HOST_SHIP_SETUP. Returns once the session
    // exists; throws RelayStartError if it cannot be created (the proxy refused it, closed the
    // connection, or did not answer within config.session_timeout). `memory` and `events` must
    // outlive the Relay.
    Relay(GuestMemory& memory, RelayEvents& events, RelayConfig config);
    // Stops the thread and drops the connection (the proxy sees it close). No events after this
    // returns.
    ~Relay();
    Relay(const Relay&) = delete;
    Relay& operator=(const Relay&) = delete;

    // JVMOS_HOST_SHIP_SETUP, from any thread (a vCPU's): validates the ring at `ring` (page
    // aligned, inside guest RAM, magic, slot_count == JVMOS_SHIP_SLOTS, every slot's data buffer
    // inside guest RAM and overlapping neither the ring nor another buffer), writes ring->cwd,
    // makes handle ids 1..5 (root, cwd, stdin, stdout, stderr) valid and starts serving. Returns
    // 0, -EBUSY if a ring is already set up, or -EINVAL for a malformed ring (then guest_fault
    // has been reported too).
    int64_t setup(GuestPhysAddr ring);

    // The guest path of the session's starting directory (what setup() writes to ring->cwd).
    const std::string& session_cwd() const { return m_session_cwd; }

private:
    class Loop;
    void thread_main(RelayConfig config);

    GuestMemory& m_memory;
    RelayEvents& m_events;
    std::string m_session_cwd;
    std::promise<void> m_started; // set (or failed) by the thread once the session exists
    kj::Own<const kj::Executor> m_executor;
    Loop* m_loop = nullptr; // lives on the relay thread; used only through m_executor
    std::atomic<bool> m_stopping{false};
    std::thread m_thread;
};

} // namespace jvmos::boot
