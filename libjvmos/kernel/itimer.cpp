#include "kernel/itimer.h"

#include "kernel/process.h"
#include "kernel/time.h"
#include "sched/scheduler.h"
#include "signal/signal.h"

namespace jvmos::kernel {
namespace {

constexpr int SIGALRM = 14;

i64 earliest() {
    i64 next = 0;
    for (Process* p = all_processes(); p; p = p->all_next)
        if (p->alarm_deadline_ns && (!next || p->alarm_deadline_ns < next))
            next = p->alarm_deadline_ns;
    return next;
}

} // namespace

RealTimer get_real_timer() {
    const Process& p = current_process();
    if (!p.alarm_deadline_ns) return {0, p.alarm_interval_ns};
    const i64 left = p.alarm_deadline_ns - monotonic_ns();
    return {left > 0 ? left : 1, p.alarm_interval_ns};
}

RealTimer set_real_timer(i64 value_ns, i64 interval_ns) {
    const RealTimer old = get_real_timer();
    Process& p = current_process();
    p.alarm_deadline_ns = value_ns > 0 ? monotonic_ns() + value_ns : 0;
    p.alarm_interval_ns = value_ns > 0 ? interval_ns : 0;
    sched::set_kernel_deadline(earliest());
    return old;
}

void drop_real_timer(Process& p) {
    p.alarm_deadline_ns = 0;
    p.alarm_interval_ns = 0;
}

i64 expire_itimers(i64 now_ns) {
    for (Process* p = all_processes(); p; p = p->all_next) {
        if (!p->alarm_deadline_ns || p->alarm_deadline_ns > now_ns) continue;
        p->alarm_deadline_ns = p->alarm_interval_ns ? now_ns + p->alarm_interval_ns : 0;
        signal::SigInfo info{};
        info.signo = SIGALRM;
        info.code = signal::SI_KERNEL;
        (void)signal::send_to_process(*p, info);
    }
    return earliest();
}

} // namespace jvmos::kernel
