// Process and system-information syscalls (local).
#include "arch/x86_64/arch.h"
#include "arch/x86_64/cpu.h"
#include "base/string.h"
#include "kernel/boot.h"
#include "kernel/memory.h"
#include "kernel/process.h"
#include "kernel/time.h"
#include "shim/syscall.h"
#include "shim/user_ptr.h"

namespace jvmos::shim {
namespace {

constexpr u64 ARCH_SET_GS = 0x1001;
constexpr u64 ARCH_SET_FS = 0x1002;
constexpr u64 ARCH_GET_FS = 0x1003;
constexpr u64 ARCH_GET_GS = 0x1004;
constexpr u64 GRND_NONBLOCK = 0x1;
constexpr u64 GRND_RANDOM = 0x2;
constexpr u64 GRND_INSECURE = 0x4;

struct LinuxUtsname {
    char sysname[65], nodename[65], release[65], version[65], machine[65], domainname[65];
};

struct LinuxSysinfo {
    i64 uptime;
    u64 loads[3];
    u64 totalram, freeram, sharedram, bufferram, totalswap, freeswap;
    u16 procs;
    u16 pad;
    u64 totalhigh, freehigh;
    u32 mem_unit;
    char reserved[4];
};
static_assert(sizeof(LinuxSysinfo) == 112);

} // namespace

Result<u64> sys_getcpu(SyscallArgs& args) {
    // The calling vCPU; one NUMA node.
    if (args.a[0]) TRY(UserPtr<u32>(args.a[0]).write(arch::cpu_index()));
    if (args.a[1]) TRY(UserPtr<u32>(args.a[1]).write(0));
    return 0;
}

Result<u64> sys_getpid(SyscallArgs&) { return u64(kernel::current_process().pid); }
Result<u64> sys_gettid(SyscallArgs&) { return u64(kernel::current_thread().tid); }
Result<u64> sys_getuid(SyscallArgs&) { return kernel::current_process().uid; }
Result<u64> sys_geteuid(SyscallArgs&) { return kernel::current_process().euid; }
Result<u64> sys_getgid(SyscallArgs&) { return kernel::current_process().gid; }
Result<u64> sys_getegid(SyscallArgs&) { return kernel::current_process().egid; }

Result<u64> sys_set_tid_address(SyscallArgs& args) {
    kernel::current_thread().clear_child_tid = args.a[0];
    return u64(kernel::current_thread().tid);
}

Result<u64> sys_arch_prctl(SyscallArgs& args) {
    kernel::Thread& t = kernel::current_thread();
    const u64 value = args.a[1];
    switch (args.a[0]) {
    case ARCH_SET_FS:
        if (value >= JVMOS_USER_TOP) return Errno::EPERM;
        t.fs_base = value;
        arch::set_user_fs_base(value);
        return 0;
    case ARCH_SET_GS:
        if (value >= JVMOS_USER_TOP) return Errno::EPERM;
        t.gs_base = value;
        arch::set_user_gs_base(value);
        return 0;
    case ARCH_GET_FS:
        TRY(UserPtr<u64>(value).write(t.fs_base));
        return 0;
    case ARCH_GET_GS:
        TRY(UserPtr<u64>(value).write(t.gs_base));
        return 0;
    default:
        return Errno::EINVAL;
    }
}

Result<u64> sys_uname(SyscallArgs& args) {
    const jvmos_boot_info& b = kernel::boot_info();
    LinuxUtsname u;
    memcpy(u.sysname, b.uts_sysname, 65);
    memcpy(u.nodename, b.uts_nodename, 65);
    memcpy(u.release, b.uts_release, 65);
    memcpy(u.version, b.uts_version, 65);
    memcpy(u.machine, b.uts_machine, 65);
    memcpy(u.domainname, b.uts_domainname, 65);
    TRY(UserPtr<LinuxUtsname>(args.a[0]).write(u));
    return 0;
}

Result<u64> sys_sysinfo(SyscallArgs& args) {
    const jvmos_boot_info& b = kernel::boot_info();
    LinuxSysinfo si{};
    const i64 up = kernel::monotonic_ns() - b.boot_monotonic_ns;
    si.uptime = (up > 0 ? up : 0) / 1000000000 + 1;
    u64 total = 0;
    for (u32 i = 0; i < b.mem_range_count && i < JVMOS_MAX_MEM_RANGES; i++)
        total += b.mem_ranges[i].size;
    si.totalram = total;
    si.freeram = u64(kernel::frames().free_frames()) * PAGE_SIZE;
    si.procs = u16(kernel::process_count());
    si.mem_unit = 1;
    TRY(UserPtr<LinuxSysinfo>(args.a[0]).write(si));
    return 0;
}

Result<u64> sys_prlimit64(SyscallArgs& args) {
    const u64 pid = args.a[0], resource = args.a[1];
    const u64 new_limit = args.a[2], old_limit = args.a[3];
    kernel::Process& p = kernel::current_process();
    if (pid != 0 && pid != u64(p.pid)) return Errno::ESRCH;
    if (resource >= u64(kernel::RLIMIT_COUNT)) return Errno::EINVAL;
    kernel::RLimit& rl = p.rlimits[resource];
    kernel::RLimit wanted{};
    if (new_limit) {
        wanted = TRY(UserPtr<kernel::RLimit>(new_limit).read());
        if (wanted.cur > wanted.max) return Errno::EINVAL;
        if (wanted.max > rl.max && p.euid != 0) return Errno::EPERM;
    }
    if (old_limit) TRY(UserPtr<kernel::RLimit>(old_limit).write(rl));
    if (new_limit) rl = wanted;
    return 0;
}

Result<u64> sys_getrandom(SyscallArgs& args) {
    const u64 buf = args.a[0], flags = args.a[2];
    u64 len = args.a[1];
    if (flags & ~(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE)) return Errno::EINVAL;
    if ((flags & GRND_INSECURE) && (flags & GRND_RANDOM)) return Errno::EINVAL;
    if (len > 0x1ffffff) len = 0x1ffffff; // Linux caps one call at 32 MiB - 1
    u64 done = 0;
    u8 chunk[256];
    while (done < len) {
        const usize n = len - done < sizeof chunk ? usize(len - done) : sizeof chunk;
        for (usize i = 0; i < n; i += 8) {
            u64 v = 0;
            bool ok = false;
            for (int tries = 0; tries < 32 && !ok; tries++) ok = arch::rdrand64(&v);
            for (int tries = 0; tries < 32 && !ok; tries++) ok = arch::rdseed64(&v);
            if (!ok) return done ? Result<u64>(done) : Result<u64>(Errno::EAGAIN);
            memcpy(chunk + i, &v, n - i < 8 ? n - i : 8);
        }
        Result<void> w = copy_to_user(buf + done, chunk, n);
        if (w.is_error()) return done ? Result<u64>(done) : Result<u64>(w.error());
        done += n;
    }
    return done;
}

} // namespace jvmos::shim
