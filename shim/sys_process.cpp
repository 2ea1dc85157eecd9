// Processes (local): wait4, waitid, process groups and sessions, getppid. fork itself is clone's
// (sys_thread.cpp); creating, ending and waiting for processes is kernel/fork.cpp's.
#include "kernel/fork.h"
#include "kernel/process.h"
#include "shim/syscall.h"
#include "shim/user_ptr.h"
#include "signal/signal.h"

namespace jvmos::shim {
namespace {

constexpr u64 WNOHANG = 1, WUNTRACED = 2, WEXITED = 4, WCONTINUED = 8;
constexpr u64 WNOWAIT = 0x01000000, WNOTHREAD = 0x20000000, WALL = 0x40000000;
constexpr u64 WCLONE = 0x80000000;
constexpr u64 P_ALL = 0, P_PID = 1, P_PGID = 2;
constexpr i32 CLD_EXITED = 1, CLD_KILLED = 2;
constexpr i64 CLOCK_TICK_NS = 10'000'000; // USER_HZ = 100

struct Timeval {
    i64 sec;
    i64 usec;
};

// struct rusage: the two times, then 14 counters we leave zero.
struct Rusage {
    Timeval utime;
    Timeval stime;
    i64 counters[14];
};
static_assert(sizeof(Rusage) == 144);

// siginfo_t as waitid fills it for SIGCHLD.
struct ChildSiginfo {
    i32 signo;
    i32 errno_;
    i32 code;
    i32 pad;
    i32 pid;
    u32 uid;
    i32 status;
    i32 pad2;
    i64 utime; // clock ticks
    i64 stime;
};
static_assert(sizeof(ChildSiginfo) == 48);

// The child's CPU time: jvmos does not tell user from system time, so it is all user time.
Rusage rusage_of(const kernel::WaitResult& r) {
    Rusage u{};
    u.utime = {i64(r.cpu_ns / 1'000'000'000), i64(r.cpu_ns % 1'000'000'000 / 1000)};
    return u;
}

Result<void> write_rusage(u64 addr, const kernel::WaitResult& r) {
    if (!addr) return {};
    return UserPtr<Rusage>(addr).write(rusage_of(r));
}

// Process groups and sessions: those of jvmos for the first process, inherited by fork.
kernel::Process* process_or_self(i32 pid) {
    return pid == 0 ? &kernel::current_process() : kernel::find_process(pid);
}

} // namespace

Result<u64> sys_wait4(SyscallArgs& args) {
    const i32 pid = i32(args.a[0]);
    const u64 status_addr = args.a[1], options = args.a[2], rusage_addr = args.a[3];
    if (options & ~(WNOHANG | WUNTRACED | WCONTINUED | WNOTHREAD | WALL | WCLONE))
        return Errno::EINVAL;
    if (pid == i32(0x80000000)) return Errno::ESRCH;
    kernel::WaitSelector selector{kernel::WaitSelector::Kind::any, 0};
    if (pid > 0)
        selector = {kernel::WaitSelector::Kind::pid, pid};
    else if (pid == 0)
        selector = {kernel::WaitSelector::Kind::group, kernel::current_process().pgid};
    else if (pid < -1)
        selector = {kernel::WaitSelector::Kind::group, -pid};
    kernel::WaitResult r{};
    const kernel::WaitFlags flags =
        (options & WNOHANG) ? kernel::WaitFlags::no_hang : kernel::WaitFlags::none;
    const i32 got = TRY(kernel::wait_child(selector, flags, r));
    if (got == 0) return 0;
    // The child is gone already: a bad pointer still fails the call, as on Linux.
    if (status_addr) TRY(UserPtr<i32>(status_addr).write(r.status));
    TRY(write_rusage(rusage_addr, r));
    return u64(got);
}

Result<u64> sys_waitid(SyscallArgs& args) {
    const u64 idtype = args.a[0], info_addr = args.a[2], options = args.a[3];
    const i32 id = i32(args.a[1]);
    const u64 rusage_addr = args.a[4];
    if (options &
        ~(WNOHANG | WUNTRACED | WEXITED | WCONTINUED | WNOWAIT | WNOTHREAD | WALL | WCLONE))
        return Errno::EINVAL;
    if (!(options & (WEXITED | WUNTRACED | WCONTINUED))) return Errno::EINVAL;
    kernel::WaitSelector selector{kernel::WaitSelector::Kind::any, 0};
    switch (idtype) {
    case P_ALL:
        break;
    case P_PID:
        if (id <= 0) return Errno::EINVAL;
        selector = {kernel::WaitSelector::Kind::pid, id};
        break;
    case P_PGID:
        if (id < 0) return Errno::EINVAL;
        selector = {kernel::WaitSelector::Kind::group, id ? id : kernel::current_process().pgid};
        break;
    default:
        return Errno::EINVAL; // P_PIDFD: no pidfds
    }
    kernel::WaitFlags flags = kernel::WaitFlags::none;
    if (options & WNOHANG) flags = flags | kernel::WaitFlags::no_hang;
    if (options & WNOWAIT) flags = flags | kernel::WaitFlags::no_reap;
    // Stopped and continued children are never reported: jvmos does not stop processes.
    kernel::WaitResult r{};
    const i32 got = TRY(kernel::wait_child(selector, flags, r));
    ChildSiginfo si{};
    if (got != 0) {
        const bool exited = (r.status & 0x7f) == 0;
        si.signo = signal::SIGCHLD;
        si.code = exited ? CLD_EXITED : CLD_KILLED;
        si.pid = r.pid;
        si.uid = r.uid;
        si.status = exited ? (r.status >> 8) & 0xff : r.status & 0x7f;
        si.utime = i64(r.cpu_ns) / CLOCK_TICK_NS;
    }
    if (info_addr) TRY(UserPtr<ChildSiginfo>(info_addr).write(si));
    if (got != 0) TRY(write_rusage(rusage_addr, r));
    return 0;
}

Result<u64> sys_getppid(SyscallArgs&) {
    return u64(kernel::current_process().ppid);
}
Result<u64> sys_getpgrp(SyscallArgs&) {
    return u64(kernel::current_process().pgid);
}

Result<u64> sys_getpgid(SyscallArgs& args) {
    const kernel::Process* p = process_or_self(i32(args.a[0]));
    if (!p) return Errno::ESRCH;
    return u64(p->pgid);
}

Result<u64> sys_getsid(SyscallArgs& args) {
    const kernel::Process* p = process_or_self(i32(args.a[0]));
    if (!p) return Errno::ESRCH;
    return u64(p->sid);
}

Result<u64> sys_setpgid(SyscallArgs& args) {
    kernel::Process& self = kernel::current_process();
    const i32 pid = i32(args.a[0]), pgid = i32(args.a[1]);
    if (pgid < 0) return Errno::EINVAL;
    kernel::Process* target = process_or_self(pid);
    // Only the caller itself or one of its children.
    if (!target || (target != &self && target->parent != &self)) return Errno::ESRCH;
    if (target->state == kernel::ProcessState::Zombie) return Errno::ESRCH;
    if (target->sid != self.sid || target->sid == target->pid) return Errno::EPERM;
    const i32 group = pgid ? pgid : target->pid;
    if (group != target->pid) {
        // Joining a group needs one in the caller's session.
        bool exists = false;
        for (kernel::Process* p = kernel::all_processes(); p && !exists; p = p->all_next)
            exists = p->pgid == group && p->sid == self.sid;
        if (!exists) return Errno::EPERM;
    }
    target->pgid = group;
    return 0;
}

Result<u64> sys_setsid(SyscallArgs&) {
    kernel::Process& self = kernel::current_process();
    // A process group leader cannot leave its group's session.
    for (kernel::Process* p = kernel::all_processes(); p; p = p->all_next)
        if (p->pgid == self.pid) return Errno::EPERM;
    self.sid = self.pid;
    self.pgid = self.pid;
    return u64(self.sid);
}

// The file mode creation mask: kept per process and inherited by fork, as on Linux.
// TODO: pass it with shipped creations (the proxy applies its own umask today).
Result<u64> sys_umask(SyscallArgs& args) {
    kernel::Process& p = kernel::current_process();
    const u32 old = p.umask;
    p.umask = u32(args.a[0]) & 0777;
    return old;
}

} // namespace jvmos::shim
