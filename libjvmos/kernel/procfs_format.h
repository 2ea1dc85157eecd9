// The text of the synthesized /proc and /sys files (kernel/procfs.h) as pure functions of plain
// values, in Linux's exact layouts (fs/proc/array.c, task_mmu.c, meminfo.c, stat.c,
// arch/x86/kernel/cpu/proc.c, lib/vsprintf.c's bitmaps). Kept apart from the kernel state that
// feeds them so that host unit tests check them byte for byte; no kernel globals here.
#pragma once

#include "base/format.h"
#include "base/types.h"

namespace jvmos::procfs {

// ---- CPU sets ------------------------------------------------------------------------------

// CPUs 0..count-1 as a list ("%*pbl"): "0" or "0-N". No newline.
void append_cpu_list(StringBuilder& out, u32 count);
// CPUs 0..count-1 as a hex mask over `count` bits ("%*pb"): 32-bit groups, most significant
// first, separated by commas, the first group without leading zeros. No newline.
void append_cpu_mask(StringBuilder& out, u32 count);

// ---- /proc/<pid>/maps ----------------------------------------------------------------------

struct MapsLine {
    u64 start, end;
    u32 prot;    // PROT_READ/WRITE/EXEC bits (1, 2, 4)
    bool shared; // 's' instead of 'p'
    u64 offset;  // bytes into the file (0 for anonymous memory)
    u32 dev_major, dev_minor;
    u64 inode;
    const char* name; // path or "[heap]", "[stack]", "[vdso]"; nullptr for none
};
// One line, the name starting at column 73 as Linux pads it (a lone trailing space without one).
void append_maps_line(StringBuilder& out, const MapsLine& line);

// ---- /proc/<pid>/stat, /proc/<pid>/task/<tid>/stat --------------------------------------------

struct TaskStat {
    i32 pid; // the tid for a thread's view
    const char* comm;
    char state; // 'R', 'S', ...
    i32 ppid, pgrp, session;
    u64 flags;
    u64 utime, stime; // clock ticks (USER_HZ = 100)
    i64 priority, nice;
    u64 num_threads;
    u64 start_time; // ticks after boot
    u64 vsize;      // bytes
    u64 rss;        // pages
    u64 rsslim;     // bytes (RLIMIT_RSS)
    u64 start_code, end_code, start_stack;
    u64 signal, blocked, sigignore, sigcatch; // bit N-1 = signal N
    bool sleeping;                            // the wchan field: 1 while blocked
    i32 exit_signal;                          // 17 (SIGCHLD) for the process, -1 for other threads
    u32 processor;
    u64 start_data, end_data, start_brk, arg_start, arg_end, env_start, env_end;
};
// The 52 space-separated fields and a newline.
void append_task_stat(StringBuilder& out, const TaskStat& s);

// ---- /proc/<pid>/status ----------------------------------------------------------------------

struct TaskStatus {
    const char* name;
    char state;
    i32 tgid, pid, ppid, pgrp, session;
    u32 uid, euid, gid, egid;
    u32 fd_size;
    // Memory in kB.
    u64 vm_peak, vm_size, vm_hwm, vm_rss, rss_anon, rss_file, rss_shmem;
    u64 vm_data, vm_stk, vm_exe, vm_lib, vm_pte;
    u32 threads;
    u64 sig_queued, sig_limit;
    u64 sig_pending, shared_pending, sig_blocked, sig_ignored, sig_caught;
    u64 cap_effective, cap_bounding;
    u32 cpus;
};
void append_task_status(StringBuilder& out, const TaskStatus& s);

// "R (running)" and friends; "? (unknown)" for a letter Linux does not use.
const char* state_name(char state);

// ---- /proc/<pid>/statm, limits ---------------------------------------------------------------

// size resident shared text lib data dt, in pages.
void append_statm(StringBuilder& out, u64 size, u64 resident, u64 shared, u64 text, u64 data);

struct Limit {
    u64 soft, hard; // ~0 = unlimited
};
// The 16 rows of /proc/<pid>/limits from RLIMIT_CPU (0) to RLIMIT_RTTIME (15).
void append_limits(StringBuilder& out, const Limit (&limits)[16]);

// ---- /proc/meminfo -----------------------------------------------------------------------------

// Everything in kB; lines Linux has that jvmos does not keep print 0.
struct MemInfo {
    u64 total, free, available;
    u64 anon_pages, mapped, shmem;
    u64 slab_unreclaimable, kernel_stack, page_tables;
    u64 commit_limit, committed;
    u64 anon_huge_pages;
    u64 direct_map_4k, direct_map_2m;
};
void append_meminfo(StringBuilder& out, const MemInfo& m);

// ---- /proc/cpuinfo -----------------------------------------------------------------------------

struct CpuidLeaf {
    u32 eax, ebx, ecx, edx;
};

// The CPUID leaves /proc/cpuinfo is made of, as the vCPU sees them (zero where the maximum leaf
// is lower).
struct CpuidSnapshot {
    CpuidLeaf basic0;   // 0: max leaf, vendor
    CpuidLeaf basic1;   // 1: signature, features
    CpuidLeaf thermal6; // 6: arat & co.
    CpuidLeaf ext7_0;   // 7.0
    CpuidLeaf ext7_1;   // 7.1
    CpuidLeaf xsave_d1; // 0xd.1
    CpuidLeaf ext0;     // 0x80000000
    CpuidLeaf ext1;     // 0x80000001
    CpuidLeaf brand[3]; // 0x80000002..4
    CpuidLeaf ext7;     // 0x80000007: invariant TSC
    CpuidLeaf ext8;     // 0x80000008: address sizes
    u32 cache_size_kb;  // the last-level cache (see cache_size_kb())
    u32 microcode;
};

// The size in KB Linux shows as "cache size" (its x86_cache_size: L3, else L2, else L1i + L1d)
// from the CPUID leaf 4 subleaves `leaf4[0..count)` (Intel's deterministic cache parameters).
u32 cache_size_kb(const CpuidLeaf* leaf4, usize count);

// One "processor" block per vCPU (APIC ids 0..cpus-1, one socket, a core each).
void append_cpuinfo(StringBuilder& out, const CpuidSnapshot& cpu, u32 cpus, u64 tsc_khz);

// ---- /proc/stat, uptime, loadavg -----------------------------------------------------------

struct CpuTimes {
    u64 user, system, idle; // ticks
};
struct SystemStat {
    const CpuTimes* per_cpu; // `cpus` entries
    u32 cpus;
    u64 boot_time; // seconds since the epoch
    u64 context_switches;
    u64 forks;
    u32 running, blocked;
};
void append_proc_stat(StringBuilder& out, const SystemStat& s);
// "uptime idle" in seconds with two decimals.
void append_uptime(StringBuilder& out, u64 uptime_ns, u64 idle_ns);
// "0.00 0.00 0.00 running/threads last_pid" (jvmos keeps no load average).
void append_loadavg(StringBuilder& out, u32 running, u32 threads, i32 last_pid);

// ---- getdents64 ----------------------------------------------------------------------------

inline constexpr u8 DT_DIR = 4;
inline constexpr u8 DT_REG = 8;
inline constexpr u8 DT_LNK = 10;

// Appends one struct linux_dirent64 (8-byte aligned record) at buf[at..): d_off is the offset
// of the record after it. Returns the new end, or 0 if it does not fit in `cap`.
usize append_dirent64(u8* buf, usize cap, usize at, u64 ino, u8 type, const char* name);

} // namespace jvmos::procfs
