// `jvmos --stats`: what a run cost, as a compact table on stderr once the program has ended.
// Its sources are the guest kernel's counters (abi.h, "Run-time counters"), which the monitor
// reads from guest memory as hostile input, and the monitor's own count of the vCPUs' exits to
// it. Reading and formatting are pure functions of their inputs, unit-tested
// (tests/unit/stats_report_test.cpp).
#pragma once

#include "exit_handler.h"
#include "guest_memory.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace jvmos::boot {

// The exits of a vCPU to this process (KVM_RUN returning), counted by the run loop. Exits are
// rare (each costs ~30 us on kvm_pvm), so a map per exit is cheap enough.
struct ExitCounts {
    std::map<uint32_t, uint64_t> by_reason;  // KVM_EXIT_* -> count
    std::map<uint16_t, uint64_t> io_by_port; // KVM_EXIT_IO exits, by port
    // Counts one exit.
    void count(const ExitRecord& exit);
    // Adds another vCPU's counts.
    void add(const ExitCounts& other);
    uint64_t total() const;
};

// One line of the report: events of one kind and the time they took, in ns.
struct CountedTime {
    std::string name;
    uint64_t count = 0;
    uint64_t ns = 0;     // wall time (for syscalls: entry to return, time blocked included)
    uint64_t cpu_ns = 0; // syscalls only: the calling thread's CPU time in the call
};

// The guest kernel's counters, summed over its vCPUs, times in ns. Lists hold only the entries
// that occurred, except `faults` and `traps`, which hold every kind in the ABI's order.
struct GuestStats {
    std::vector<CountedTime> local_syscalls;   // by number, every disposition but shipped
    std::vector<CountedTime> shipped_syscalls; // by number, disposition shipped
    std::vector<CountedTime> ship_ops;         // by jvmos_ship_op
    uint64_t ship_blocked = 0;                 // shipped calls whose thread blocked
    std::vector<CountedTime> faults;           // by jvmos_stats_fault
    std::vector<CountedTime> interrupts;       // by vector
    std::vector<CountedTime> traps;            // by jvmos_stats_trap (count only)
    uint64_t context_switches = 0;
    uint64_t idle_ns = 0; // vCPUs halted, summed
};

// Everything the report shows.
struct RunStats {
    uint64_t wall_ns = 0;            // from the first KVM_RUN to the end of the program
    uint32_t cpus = 1;               // vCPUs the VM ran
    std::optional<GuestStats> guest; // nullopt: the guest published no (valid) counters
    ExitCounts exits;                // all vCPUs
};

// Reads the counters the guest published in the boot info at `boot_info_gpa` (stats_gpa,
// stats_size) and sums them over its vCPUs, converting TSC ticks with `tsc_khz`. `cpus` is the
// number of vCPUs the monitor created: the guest's block must have exactly that many. Returns
// nullopt if the guest published nothing, or anything malformed (wrong magic or count, a size or
// address outside guest RAM): the guest is hostile, its counters are only data.
std::optional<GuestStats> read_guest_stats(const GuestMemory& mem, GuestPhysAddr boot_info_gpa,
                                           uint32_t cpus, uint64_t tsc_khz);

// The report: a header line with wall time, vCPU busy and idle time, then one block per area
// (local syscalls with the top 10 by CPU time, shipped syscalls with the top 10 by wall time,
// shipped calls by op, page faults by kind, interrupts by vector, traps to the hypervisor,
// exits to the monitor). Every line ends with '\n'.
std::string format_stats_report(const RunStats& stats);

} // namespace jvmos::boot
