// Run-time counters for `jvmos --stats` (abi.h, "Run-time counters"): what the program's run
// cost, counted where it happens with TSC reads into the calling vCPU's own jvmos_stats_cpu, and
// read by the monitor when the program has ended.
//
// Cost: without --stats every hook is one load of a global flag and a predictable branch (the
// inline wrappers below); with it, a TSC read or two and a few adds to per-vCPU memory. The
// hooks run in the kernel with interrupts off, so a vCPU's counters need no atomics.
#pragma once

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "base/types.h"
#include "jvmos/abi/abi.h"

namespace jvmos::mm {
class AddressSpace;
enum class FaultOutcome : u8;
} // namespace jvmos::mm

namespace jvmos::stats {

// Set once by init() with --stats, before any counted event; read by every hook.
extern bool g_enabled;
extern jvmos_stats_cpu* g_cpus;

// With JVMOS_BOOT_STATS: allocates the stats block for boot.cpus vCPUs, fills in the syscall and
// vector names, and publishes it in the boot info's OUT fields. Call once on vCPU 0, after
// memory_init() and before the program runs. Without the flag it does nothing and every hook
// stays a no-op. Out of memory for the block is not fatal: --stats then reports nothing.
void init(jvmos_boot_info& boot);

// Names interrupt `vector` in the report (vectors the stats module does not know itself).
void name_vector(u32 vector, const char* name);

inline bool enabled() {
    return __builtin_expect(g_enabled, false);
}
// The calling vCPU's counters. Only valid when enabled().
inline jvmos_stats_cpu& here() {
    return g_cpus[arch::this_cpu()->index];
}
// A TSC timestamp when counting, 0 otherwise: `end` hooks take it and do nothing for 0.
inline u64 timestamp() {
    return enabled() ? arch::rdtsc() : 0;
}

inline void count_trap(jvmos_stats_trap trap) {
    if (enabled()) here().trap_count[trap]++;
}
inline void count_context_switch() {
    if (enabled()) here().context_switches++;
}
inline void count_ship_blocked() {
    if (enabled()) here().ship_blocked++;
}
// The vCPU halted from `start` (a timestamp()) until now: one halt and its idle time.
inline void idle_end(u64 start) {
    if (!start) return;
    jvmos_stats_cpu& c = here();
    c.trap_count[JVMOS_STATS_TRAP_HALT]++;
    c.idle_tsc += arch::rdtsc() - start;
}
// vCPU `cpu` (not the caller) has been halted for `tsc` ticks and is still: its idle time so far.
inline void idle_add(u32 cpu, u64 tsc) {
    if (enabled()) g_cpus[cpu].idle_tsc += tsc;
}
// An interrupt with `vector` was handled from `start` (a timestamp()) until now.
inline void interrupt_end(u64 vector, u64 start) {
    if (!start) return;
    jvmos_stats_cpu& c = here();
    c.irq_count[vector & (JVMOS_STATS_VECTORS - 1)]++;
    c.irq_tsc[vector & (JVMOS_STATS_VECTORS - 1)] += arch::rdtsc() - start;
}
// A shipped call of `op`, submitted at `start` (a timestamp()), has completed.
inline void ship_end(u32 op, u64 start) {
    if (!start) return;
    jvmos_stats_cpu& c = here();
    c.ship_count[op % JVMOS_STATS_SHIP_OPS]++;
    c.ship_tsc[op % JVMOS_STATS_SHIP_OPS] += arch::rdtsc() - start;
}

// A syscall in progress: when it started, and the caller's CPU time then. All zero when not
// counting.
struct SyscallProbe {
    u64 start_tsc;
    u64 start_cpu_tsc;
};
SyscallProbe syscall_begin_counted(u64 nr);
void syscall_end_counted(const SyscallProbe& probe, u64 nr);
// Around a syscall's handler (exit and exit_group never reach the end: they count as entered).
inline SyscallProbe syscall_begin(u64 nr) {
    if (!enabled()) return {};
    return syscall_begin_counted(nr);
}
inline void syscall_end(const SyscallProbe& probe, u64 nr) {
    if (probe.start_tsc) syscall_end_counted(probe, nr);
}

// A page fault the program took at `addr`, probed before it is handled (whether the page was
// already mapped) so that its end can say how it was resolved.
struct FaultProbe {
    u64 start_tsc; // 0 when not counting
    bool was_mapped;
};
FaultProbe fault_begin_counted(mm::AddressSpace& as, u64 addr);
void fault_end_counted(const FaultProbe& probe, mm::AddressSpace& as, u64 addr,
                       mm::FaultOutcome outcome);
inline FaultProbe fault_begin(mm::AddressSpace& as, u64 addr) {
    if (!enabled()) return {};
    return fault_begin_counted(as, addr);
}
inline void fault_end(const FaultProbe& probe, mm::AddressSpace& as, u64 addr,
                      mm::FaultOutcome outcome) {
    if (probe.start_tsc) fault_end_counted(probe, as, addr, outcome);
}
// A fault the fast path resolved (without the kernel lock), which started at `start_tsc`
// (timestamp()): a stale TLB entry, or an anonymous page of 4 KiB or 2 MiB.
void fast_fault_end_counted(u64 start_tsc, bool was_mapped, bool large);
inline void fast_fault_end(u64 start_tsc, bool was_mapped, bool large) {
    if (start_tsc) fast_fault_end_counted(start_tsc, was_mapped, large);
}

} // namespace jvmos::stats
