// alarm(2) and setitimer(2)'s ITIMER_REAL: a per-process deadline that sends SIGALRM, with an
// optional interval. The scheduler's timer interrupt drives them (sched::set_kernel_deadline).
#pragma once

#include "base/types.h"

namespace jvmos::kernel {

struct Process;

// The process's real-time timer: the time left (0 if disarmed) and the interval.
struct RealTimer {
    i64 remaining_ns;
    i64 interval_ns;
};

// Arms (value_ns > 0) or disarms (0) the calling process's timer; returns the old setting.
RealTimer set_real_timer(i64 value_ns, i64 interval_ns);
RealTimer get_real_timer();
// A process went away: its timer goes with it.
void drop_real_timer(Process& p);
// Timer interrupt: sends SIGALRM for every timer that expired by `now_ns` (re-arming interval
// ones); returns the next deadline (0 = none).
i64 expire_itimers(i64 now_ns);

} // namespace jvmos::kernel
