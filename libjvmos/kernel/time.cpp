#include "kernel/time.h"

#include "arch/x86_64/cpu.h"
#include "sched/scheduler.h"
#include "sched/smp.h"

namespace jvmos::kernel {
namespace {

u64 g_boot_tsc;
i64 g_boot_realtime;
i64 g_boot_monotonic;
u64 g_tsc_khz;
u64 g_ns_mult; // ns = (tsc * g_ns_mult) >> 32
i64 g_slept_ns;

} // namespace

void time_init(const jvmos_boot_info& boot) {
    g_boot_tsc = boot.boot_tsc;
    g_boot_realtime = boot.boot_realtime_ns;
    g_boot_monotonic = boot.boot_monotonic_ns;
    g_tsc_khz = boot.tsc_khz ? boot.tsc_khz : 1000000;
    g_ns_mult = (u64(1000000) << 32) / g_tsc_khz;
}

u64 tsc_to_ns(u64 tsc_delta) {
    return u64((unsigned __int128)tsc_delta * g_ns_mult >> 32);
}

u64 ns_to_tsc(u64 ns) { return (ns / 1000000) * g_tsc_khz + (ns % 1000000) * g_tsc_khz / 1000000; }

static i64 since_boot_ns() {
    const u64 now = arch::rdtsc();
    return now > g_boot_tsc ? i64(tsc_to_ns(now - g_boot_tsc)) : 0;
}

i64 realtime_ns() { return g_boot_realtime + since_boot_ns(); }
i64 monotonic_ns() { return g_boot_monotonic + since_boot_ns(); }
u64 tsc_khz() { return g_tsc_khz; }

bool sleep_until_monotonic(i64 deadline_ns) {
    const i64 start = monotonic_ns();
    i64 now = start;
    // Long sleeps block (other threads run; an idle vCPU halts until the LAPIC timer); the
    // last stretch, and short sleeps, spin, because a halt and its wake-up interrupt cost
    // several traps to the hypervisor.
    // But never spin while another thread could run: a short sleep is often a thread waiting
    // for another one (HotSpot's safepoint back-off sleeps 10 us while the threads it waits
    // for need the CPU), so then it blocks until the deadline.
    constexpr i64 SPIN_NS = 200'000;
    const bool others = sched::others_runnable();
    if (deadline_ns - now > SPIN_NS || others) {
        const i64 wake_at = others ? deadline_ns : deadline_ns - SPIN_NS / 2;
        if (sched::block_interruptible(wake_at) == sched::WakeReason::Interrupted) {
            g_slept_ns += monotonic_ns() - start;
            return false;
        }
        now = monotonic_ns();
    }
    smp::unlock(); // other vCPUs may enter the kernel while this one spins
    while (now < deadline_ns) {
        arch::cpu_relax();
        now = monotonic_ns();
    }
    smp::lock();
    g_slept_ns += now - start;
    return true;
}

i64 cpu_time_ns() { return since_boot_ns() - g_slept_ns; }

} // namespace jvmos::kernel
