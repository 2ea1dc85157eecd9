#include "kernel/stats.h"

#include "base/string.h"
#include "kernel/memory.h"
#include "mm/address_space.h"
#include "sched/scheduler.h"
#include "sched/smp.h"
#include "shim/table.h"

namespace jvmos::stats {

bool g_enabled;
jvmos_stats_cpu* g_cpus;

namespace {

jvmos_stats* g_block;

void put_name(char (&dst)[JVMOS_STATS_NAME_LEN], const char* name) {
    const usize n = strnlen(name, JVMOS_STATS_NAME_LEN - 1);
    memcpy(dst, name, n);
    dst[n] = 0;
}

u8 syscall_kind(shim::Disposition d) {
    switch (d) {
    case shim::Disposition::Local:
        return JVMOS_STATS_SYSCALL_LOCAL;
    case shim::Disposition::Shipped:
        return JVMOS_STATS_SYSCALL_SHIPPED;
    case shim::Disposition::Partial:
        return JVMOS_STATS_SYSCALL_PARTIAL;
    case shim::Disposition::Unsupported:
        return JVMOS_STATS_SYSCALL_UNSUPPORTED;
    case shim::Disposition::Unknown:
        break;
    }
    return JVMOS_STATS_SYSCALL_UNKNOWN;
}

// The calling thread's CPU time so far, in TSC ticks, at `now` (it is running).
u64 thread_cpu_tsc(u64 now) {
    const sched::Thread* t = sched::current();
    return t->cpu_tsc + (t->run_start_tsc ? now - t->run_start_tsc : 0);
}

} // namespace

void init(jvmos_boot_info& boot) {
    if (!(boot.flags & JVMOS_BOOT_STATS)) return;
    const u32 cpus = boot.cpus ? boot.cpus : 1;
    const usize size = sizeof(jvmos_stats) + usize(cpus) * sizeof(jvmos_stats_cpu);
    const usize pages = align_up(size, PAGE_SIZE) / PAGE_SIZE;
    Result<u64> gpa = kernel::frames().alloc_contiguous(pages, 1);
    if (gpa.is_error()) return;
    auto* block = static_cast<u8*>(kernel::frames().to_virt(gpa.value()));
    memset(block, 0, pages * PAGE_SIZE);
    g_block = reinterpret_cast<jvmos_stats*>(block);
    g_block->magic = JVMOS_STATS_MAGIC;
    g_block->cpu_count = cpus;
    g_block->start_tsc = arch::rdtsc();
    for (u64 nr = 0; nr < JVMOS_STATS_SYSCALLS; nr++) {
        const shim::SyscallInfo& info = shim::syscall_info(nr);
        g_block->syscall_kind[nr] = syscall_kind(info.disposition);
        if (info.name) put_name(g_block->syscall_name[nr], info.name);
    }
    name_vector(sched::TIMER_VECTOR, "timer");
    name_vector(JVMOS_SHIP_VECTOR, "ship completion");
    name_vector(smp::TLB_VECTOR, "TLB shootdown IPI");
    name_vector(smp::RESCHED_VECTOR, "reschedule IPI");
    name_vector(0xff, "spurious");
    g_cpus = reinterpret_cast<jvmos_stats_cpu*>(block + sizeof(jvmos_stats));
    boot.stats_gpa = gpa.value();
    boot.stats_size = size;
    g_enabled = true;
}

void name_vector(u32 vector, const char* name) {
    if (g_block && vector < JVMOS_STATS_VECTORS) put_name(g_block->vector_name[vector], name);
}

SyscallProbe syscall_begin_counted(u64 nr) {
    here().syscall_count[nr % JVMOS_STATS_SYSCALLS]++;
    const u64 now = arch::rdtsc();
    return {now, thread_cpu_tsc(now)};
}

void syscall_end_counted(const SyscallProbe& probe, u64 nr) {
    const u64 now = arch::rdtsc();
    jvmos_stats_cpu& c = here();
    c.syscall_tsc[nr % JVMOS_STATS_SYSCALLS] += now - probe.start_tsc;
    c.syscall_cpu_tsc[nr % JVMOS_STATS_SYSCALLS] += thread_cpu_tsc(now) - probe.start_cpu_tsc;
}

FaultProbe fault_begin_counted(mm::AddressSpace& as, u64 addr) {
    const u64 now = arch::rdtsc();
    return {now, as.page_table().lookup(align_down(addr, PAGE_SIZE)).pte != 0};
}

void fault_end_counted(const FaultProbe& probe, mm::AddressSpace& as, u64 addr,
                       mm::FaultOutcome outcome) {
    const u64 now = arch::rdtsc();
    // The same decisions as AddressSpace::handle_fault, read back from what it left behind.
    jvmos_stats_fault kind;
    if (outcome != mm::FaultOutcome::Resolved) {
        kind = JVMOS_STATS_FAULT_SIGNAL;
    } else if (probe.was_mapped) {
        kind = JVMOS_STATS_FAULT_STALE;
    } else {
        const mm::Region* r = as.regions().find(addr);
        if (r && r->kind == mm::RegionKind::File)
            kind = JVMOS_STATS_FAULT_FILE;
        else if (as.page_table().lookup(align_down(addr, PAGE_SIZE)).size == mm::PageSize::Large2M)
            kind = JVMOS_STATS_FAULT_HUGE;
        else
            kind = JVMOS_STATS_FAULT_ANON;
    }
    jvmos_stats_cpu& c = here();
    c.fault_count[kind]++;
    c.fault_tsc[kind] += now - probe.start_tsc;
}

void fast_fault_end_counted(u64 start_tsc, bool was_mapped, bool large) {
    const jvmos_stats_fault kind = was_mapped ? JVMOS_STATS_FAULT_STALE
                                   : large    ? JVMOS_STATS_FAULT_HUGE
                                              : JVMOS_STATS_FAULT_ANON;
    jvmos_stats_cpu& c = here();
    c.fault_count[kind]++;
    c.fault_tsc[kind] += arch::rdtsc() - start_tsc;
}

} // namespace jvmos::stats
