// Time from the TSC (invariant on every host we support) at the frequency the monitor reports;
// the monitor set the guest TSC to the host's and sampled the host clocks at that moment.
#pragma once

#include "base/types.h"
#include "jvmos/abi/abi.h"

namespace jvmos::kernel {

void time_init(const jvmos_boot_info& boot);
u64 tsc_to_ns(u64 tsc_delta);
u64 ns_to_tsc(u64 ns);
i64 realtime_ns();
i64 monotonic_ns();
u64 tsc_khz();
// Sleeps until the monotonic clock reaches `deadline_ns`: blocks (other threads run, an idle
// vCPU halts) and spins the last stretch. Returns false if a signal interrupted the sleep.
bool sleep_until_monotonic(i64 deadline_ns);
// CPU time the program has used: time since boot minus the time it slept.
i64 cpu_time_ns();

} // namespace jvmos::kernel
