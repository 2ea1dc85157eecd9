// Time syscalls (local, from the TSC). The vDSO that serves the hot ones without a trap arrives
// with the dynamic-program work.
#include "kernel/itimer.h"
#include "kernel/process.h"
#include "sched/scheduler.h"
#include "kernel/time.h"
#include "shim/syscall.h"
#include "shim/user_ptr.h"

namespace jvmos::shim {
namespace {

enum : i64 {
    CLOCK_REALTIME = 0,
    CLOCK_MONOTONIC = 1,
    CLOCK_PROCESS_CPUTIME_ID = 2,
    CLOCK_THREAD_CPUTIME_ID = 3,
    CLOCK_MONOTONIC_RAW = 4,
    CLOCK_REALTIME_COARSE = 5,
    CLOCK_MONOTONIC_COARSE = 6,
    CLOCK_BOOTTIME = 7,
    CLOCK_REALTIME_ALARM = 8,
    CLOCK_BOOTTIME_ALARM = 9,
    CLOCK_TAI = 11,
};
constexpr u64 TIMER_ABSTIME = 1;
constexpr i64 COARSE_RESOLUTION_NS = 4000000; // one tick at Linux's usual HZ=250


Timespec to_timespec(i64 ns) { return {ns / NSEC_PER_SEC, ns % NSEC_PER_SEC}; }

// The clock's current value in ns, or EINVAL for an unknown clock id. CPU-time clocks: the
// fixed ids for the process and the calling thread, and Linux's negative encodings
// (~pid_or_tid << 3 | thread_bit << 2 | type) that pthread_getcpuclockid and
// clock_getcpuclockid produce (HotSpot reads other threads' CPU time through them).
Result<i64> clock_now(i64 id) {
    switch (id) {
    case CLOCK_REALTIME:
    case CLOCK_REALTIME_COARSE:
    case CLOCK_REALTIME_ALARM:
    case CLOCK_TAI:
        return kernel::realtime_ns();
    case CLOCK_MONOTONIC:
    case CLOCK_MONOTONIC_RAW:
    case CLOCK_MONOTONIC_COARSE:
    case CLOCK_BOOTTIME:
    case CLOCK_BOOTTIME_ALARM:
        return kernel::monotonic_ns();
    case CLOCK_PROCESS_CPUTIME_ID:
        return i64(kernel::process_cpu_ns(kernel::current_process()));
    case CLOCK_THREAD_CPUTIME_ID:
        return i64(sched::thread_cpu_ns(sched::current()));
    default: {
        if (id >= 0 || (id & 3) == 3) return Errno::EINVAL;
        const i32 who = i32(~(id >> 3));
        if (id & 4) { // a thread
            const sched::Thread* t = who == 0 ? sched::current() : sched::find_thread(who);
            if (!t) return Errno::EINVAL;
            return i64(sched::thread_cpu_ns(t));
        }
        if (who != 0 && who != kernel::current_process().pid) return Errno::EINVAL;
        return i64(kernel::process_cpu_ns(kernel::current_process()));
    }
    }
}

} // namespace

Result<i64> read_timespec_ns(u64 addr) {
    const Timespec ts = TRY(UserPtr<Timespec>(addr).read());
    if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= NSEC_PER_SEC) return Errno::EINVAL;
    constexpr i64 CAP = INT64_MAX / 2;
    if (ts.tv_sec > (CAP - ts.tv_nsec) / NSEC_PER_SEC) return CAP;
    return ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

Result<u64> sys_clock_gettime(SyscallArgs& args) {
    const i64 now = TRY(clock_now(i64(i32(args.a[0])) /* clockid_t is an int */));
    TRY(UserPtr<Timespec>(args.a[1]).write(to_timespec(now)));
    return 0;
}

Result<u64> sys_clock_getres(SyscallArgs& args) {
    const i64 id = i64(i32(args.a[0])) /* clockid_t is an int */;
    TRY(clock_now(id)); // validates the id
    const i64 res = (id == CLOCK_REALTIME_COARSE || id == CLOCK_MONOTONIC_COARSE)
                        ? COARSE_RESOLUTION_NS
                        : 1;
    if (args.a[1]) TRY(UserPtr<Timespec>(args.a[1]).write(to_timespec(res)));
    return 0;
}

Result<u64> sys_gettimeofday(SyscallArgs& args) {
    const i64 now = kernel::realtime_ns();
    if (args.a[0]) TRY(UserPtr<Timeval>(args.a[0]).write({now / NSEC_PER_SEC, now % NSEC_PER_SEC / 1000}));
    if (args.a[1]) TRY(UserPtr<u64>(args.a[1]).write(0)); // struct timezone: UTC, no DST
    return 0;
}

Result<u64> sys_time(SyscallArgs& args) {
    const i64 secs = kernel::realtime_ns() / NSEC_PER_SEC;
    if (args.a[0]) TRY(UserPtr<i64>(args.a[0]).write(secs));
    return u64(secs);
}

// An interrupted relative sleep: the time left goes to *rem (if given) and restart_syscall
// may resume it with the same deadline (Linux's ERESTART_RESTARTBLOCK: EINTR once a handler
// runs, whether or not it has SA_RESTART, as signal(7) says of the sleep calls).
static Result<u64> interrupted(u64 rem, i64 deadline_mono) {
    if (rem) {
        const i64 left = deadline_mono - kernel::monotonic_ns();
        TRY(UserPtr<Timespec>(rem).write(to_timespec(left > 0 ? left : 0)));
    }
    auto& restart = kernel::current_thread().restart;
    restart.kind = RESTART_NANOSLEEP;
    restart.deadline = deadline_mono;
    restart.addr = rem;
    return Errno::ERESTART_RESTARTBLOCK;
}

Result<u64> resume_nanosleep(sched::Thread& t) {
    const i64 deadline = t.restart.deadline;
    const u64 rem = t.restart.addr;
    if (!kernel::sleep_until_monotonic(deadline)) return interrupted(rem, deadline);
    return 0;
}

Result<u64> sys_nanosleep(SyscallArgs& args) {
    const i64 ns = TRY(read_timespec_ns(args.a[0]));
    const i64 deadline = kernel::monotonic_ns() + ns;
    if (!kernel::sleep_until_monotonic(deadline)) return interrupted(args.a[1], deadline);
    return 0;
}

Result<u64> sys_clock_nanosleep(SyscallArgs& args) {
    const i64 id = i64(i32(args.a[0])) /* clockid_t is an int */;
    const u64 flags = args.a[1];
    if (id != CLOCK_REALTIME && id != CLOCK_MONOTONIC && id != CLOCK_BOOTTIME && id != CLOCK_TAI)
        return id == CLOCK_THREAD_CPUTIME_ID ? Errno::EINVAL : Errno::EOPNOTSUPP;
    const i64 value = TRY(read_timespec_ns(args.a[2]));
    const bool realtime = id == CLOCK_REALTIME || id == CLOCK_TAI;
    i64 deadline_mono;
    if (flags & TIMER_ABSTIME) {
        const i64 now = realtime ? kernel::realtime_ns() : kernel::monotonic_ns();
        deadline_mono = kernel::monotonic_ns() + (value > now ? value - now : 0);
    } else {
        deadline_mono = kernel::monotonic_ns() + value;
    }
    if (!kernel::sleep_until_monotonic(deadline_mono)) {
        // An absolute sleep is simply made again (same arguments) if no handler ran.
        if (flags & TIMER_ABSTIME) return Errno::ERESTARTNOHAND;
        return interrupted(args.a[3], deadline_mono);
    }
    return 0;
}

} // namespace jvmos::shim

namespace jvmos::shim {
namespace {

// Linux's USER_HZ: the unit of times(2).
constexpr i64 CLOCK_TICK_NS = NSEC_PER_SEC / 100;

struct Rusage {
    Timeval utime;
    Timeval stime;
    i64 rest[14]; // maxrss ... nivcsw
};
static_assert(sizeof(Rusage) == 144);

Timeval to_timeval(i64 ns) { return {ns / NSEC_PER_SEC, ns % NSEC_PER_SEC / 1000}; }

} // namespace

// The kernel does not split CPU time into user and system time: all of it is user time.
Result<u64> sys_getrusage(SyscallArgs& args) {
    constexpr i64 RUSAGE_SELF = 0, RUSAGE_CHILDREN = -1, RUSAGE_THREAD = 1;
    const i64 who = i64(i32(args.a[0]));
    Rusage r{};
    const kernel::Process& p = kernel::current_process();
    if (who == RUSAGE_SELF) r.utime = to_timeval(i64(kernel::process_cpu_ns(p)));
    else if (who == RUSAGE_THREAD) r.utime = to_timeval(i64(sched::thread_cpu_ns(sched::current())));
    else if (who == RUSAGE_CHILDREN) r.utime = to_timeval(i64(p.children_ns)); // reaped ones
    else return Errno::EINVAL;
    TRY(UserPtr<Rusage>(args.a[1]).write(r));
    return 0;
}

Result<u64> sys_times(SyscallArgs& args) {
    struct Tms {
        i64 utime, stime, cutime, cstime;
    };
    const kernel::Process& p = kernel::current_process();
    if (args.a[0])
        TRY(UserPtr<Tms>(args.a[0]).write(
            {i64(kernel::process_cpu_ns(p)) / CLOCK_TICK_NS, 0, i64(p.children_ns) / CLOCK_TICK_NS, 0}));
    return u64(kernel::monotonic_ns() / CLOCK_TICK_NS);
}

} // namespace jvmos::shim

namespace jvmos::shim {
namespace {
constexpr i64 ITIMER_REAL = 0;

struct Itimerval {
    Timeval interval;
    Timeval value;
};

Result<i64> timeval_ns(const Timeval& tv) {
    if (tv.tv_sec < 0 || tv.tv_usec < 0 || tv.tv_usec >= 1'000'000) return Errno::EINVAL;
    constexpr i64 MAX_SEC = 100LL * 365 * 24 * 3600;
    const i64 sec = tv.tv_sec < MAX_SEC ? tv.tv_sec : MAX_SEC;
    return sec * NSEC_PER_SEC + tv.tv_usec * 1000;
}

Itimerval to_itimerval(const kernel::RealTimer& t) {
    // A timer about to fire reads as at least 1 us, as on Linux.
    Timeval value = to_timeval(t.remaining_ns);
    if (t.remaining_ns > 0 && value.tv_sec == 0 && value.tv_usec == 0) value.tv_usec = 1;
    return {to_timeval(t.interval_ns), value};
}
} // namespace

Result<u64> sys_alarm(SyscallArgs& args) {
    const u32 seconds = u32(args.a[0]);
    const kernel::RealTimer old = kernel::set_real_timer(i64(seconds) * NSEC_PER_SEC, 0);
    // The seconds left, rounded to the nearest, and at least 1 if the old alarm was pending.
    i64 left = (old.remaining_ns + NSEC_PER_SEC / 2) / NSEC_PER_SEC;
    if (old.remaining_ns > 0 && left == 0) left = 1;
    return u64(left);
}

// Only ITIMER_REAL: the virtual and profiling timers count CPU time, which jvmos does not
// split into user and system time.
Result<u64> sys_setitimer(SyscallArgs& args) {
    if (i64(args.a[0]) != ITIMER_REAL) return Errno::EINVAL;
    Itimerval wanted{};
    if (args.a[1]) wanted = TRY(UserPtr<Itimerval>(args.a[1]).read());
    const i64 value = TRY(timeval_ns(wanted.value));
    const i64 interval = TRY(timeval_ns(wanted.interval));
    const kernel::RealTimer old = kernel::set_real_timer(value, interval);
    if (args.a[2]) TRY(UserPtr<Itimerval>(args.a[2]).write(to_itimerval(old)));
    return 0;
}

Result<u64> sys_getitimer(SyscallArgs& args) {
    if (i64(args.a[0]) != ITIMER_REAL) return Errno::EINVAL;
    TRY(UserPtr<Itimerval>(args.a[1]).write(to_itimerval(kernel::get_real_timer())));
    return 0;
}

} // namespace jvmos::shim
