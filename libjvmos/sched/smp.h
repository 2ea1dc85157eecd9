// Several vCPUs in one kernel: the kernel lock, TLB shootdown and the vCPUs' states.
//
// The kernel is entered on every vCPU (syscalls, faults, interrupts) and serialised by one
// kernel lock, taken on entry from user mode and released on the way back; user code, where
// Java spends its time, runs on all vCPUs at once. The lock is held across a context switch
// (the next thread releases it when it returns to user mode) and released by a vCPU that
// idles. Page faults in anonymous memory never take it: they take only the address space's
// own lock (mm/address_space.h), so a collector's threads fault in parallel.
//
// TLB shootdown: a change that removes or narrows a translation (AddressSpace::flush) bumps a
// global generation; vCPUs running user code get an IPI and flush before they go on, and every
// vCPU compares generations when it takes the lock or returns to user mode, so a vCPU that was
// in the kernel or idle flushes before it touches user memory again.
#pragma once

#include "base/types.h"

namespace jvmos::smp {

// Interrupt vectors of the IPIs.
inline constexpr u8 TLB_VECTOR = 0x41;     // flush this vCPU's TLB (no lock taken)
inline constexpr u8 RESCHED_VECTOR = 0x42; // a thread became runnable / a signal is pending

// The number of vCPUs the kernel runs on (the boot info's count).
u32 cpu_count();
// Records the vCPU count (boot, vCPU 0, before the others start).
void init(u32 cpus);

// Takes / releases the kernel lock. lock() also flushes this vCPU's TLB if a shootdown
// happened since it last did.
void lock();
void unlock();
// Whether this vCPU holds the kernel lock.
bool locked_here();

// Entry from user mode (before anything else) and the last step before returning to it.
void enter_from_user();
void exit_to_user();
// The same for the page-fault fast path, which runs without the kernel lock.
void enter_from_user_unlocked();
void exit_to_user_unlocked();

// After page-table changes the caller flushed locally: make every other vCPU drop stale
// translations before it uses them (waits for those running user code). Holds the address
// space's lock (and usually the kernel lock); shootdowns on several vCPUs may overlap.
void shootdown();
// The TLB IPI's handler (any context, no lock).
void on_tlb_ipi();

// Lets the other vCPUs start (vCPU 0, once the kernel is ready), and the wait they do first.
void release_secondary_cpus();
void wait_for_release();

} // namespace jvmos::smp
