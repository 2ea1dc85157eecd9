// The synthesized /proc and /sys (see procfs.h): the tree as a table of entries, path lookup,
// and the generators that turn the guest's state into Linux's text (procfs_format.h).
#include "kernel/procfs.h"

#include "arch/x86_64/cpu.h"
#include "base/assert.h"
#include "base/format.h"
#include "base/path.h"
#include "base/string.h"
#include "kernel/boot.h"
#include "kernel/files.h"
#include "kernel/memfd.h"
#include "kernel/memory.h"
#include "kernel/process.h"
#include "kernel/procfs_format.h"
#include "kernel/time.h"
#include "mm/address_space.h"
#include "proc/elf.h"
#include "sched/scheduler.h"
#include "shipper/guest/ship.h"
#include "signal/signal.h"

namespace jvmos::procfs {

struct ProcFile {
    Node node;
    u32 flags;      // open(2) flags
    char* data;     // the generated text (files) or linux_dirent64 records (directories)
    usize size;     // bytes of data in use
    usize capacity; // bytes allocated
    u64 position;
    bool was_read; // a read from offset 0 after this regenerates the content
};

namespace {

using kernel::OpenFile;
using ull = unsigned long long;

constexpr usize PATH_MAX = 4096;
constexpr u32 O_ACCMODE = 03, O_WRONLY = 01, O_RDWR = 02;
constexpr u32 O_DIRECTORY = 0200000, O_PATH = 010000000;
constexpr u32 S_IFDIR = 0040000, S_IFREG = 0100000, S_IFLNK = 0120000;
constexpr u32 S_IFIFO = 0010000, S_IFSOCK = 0140000, S_IFCHR = 0020000;
constexpr u64 PROC_SUPER_MAGIC = 0x9fa0, SYSFS_MAGIC = 0x62656572, CGROUP2_MAGIC = 0x63677270;
// The anonymous devices of the three file systems (major 0), as mountinfo shows them.
constexpr u32 PROC_DEV = 21, SYSFS_DEV = 22, CGROUP2_DEV = 23, ROOT_DEV = 20;
constexpr u64 NS_PER_TICK = 10000000; // USER_HZ = 100
constexpr usize MAX_CONTENT = 64 * MiB;

// ---- The tree ------------------------------------------------------------------------------

enum class Type : u8 { dir, file, link };

// How an entry's content (file), target (link) or dynamic children (directory) come about.
enum class Gen : u8 {
    none,
    text,
    // Directories with entries beyond their static children.
    proc_root,
    pid_dir,
    task_dir,
    fd_dir,
    sys_cpu,
    // Links.
    self,
    thread_self,
    mounts,
    exe,
    cwd,
    root,
    fd,
    // Generated files.
    cpuinfo,
    meminfo,
    stat,
    uptime,
    loadavg,
    version,
    cmdline,
    environ,
    comm,
    pid_stat,
    statm,
    status,
    maps,
    mountinfo,
    pid_mounts,
    cgroup,
    limits,
    coredump_filter,
    cpu_list,
    osrelease,
    ostype,
    hostname,
    threads_max,
    cg_procs,
    cg_threads,
    cg_cpu_stat,
    cg_memory_current,
    cg_pids_current,
};

struct Entry {
    const char* name;
    u16 parent; // index of the directory entry; NONE for the two roots
    Type type;
    Gen gen;
    u16 mode;         // permission bits
    const char* text; // Gen::text's content
};

constexpr u16 NONE = 0xffff;

// Entries that code refers to by index come first, in this order.
enum Index : u16 {
    PROC,
    SYS,
    PID,
    TASK,
    FD,
    FD_LINK,
    SYS_CPU,
    SYS_CPU_N,
    PROC_SYS,
    PROC_SYS_KERNEL,
    PROC_SYS_VM,
    SYS_DEVICES,
    SYS_SYSTEM,
    SYS_KERNEL,
    SYS_MM,
    SYS_THP,
    SYS_HUGEPAGES,
    SYS_HUGEPAGES_2M,
    SYS_FS,
    SYS_CGROUP,
    FIRST_PLAIN
};

constexpr const char* PROC_CGROUPS =
    "#subsys_name\thierarchy\tnum_cgroups\tenabled\n"
    "cpuset\t0\t1\t1\ncpu\t0\t1\t1\ncpuacct\t0\t1\t1\nblkio\t0\t1\t1\nmemory\t0\t1\t1\n"
    "devices\t0\t1\t1\nfreezer\t0\t1\t1\nnet_cls\t0\t1\t1\nperf_event\t0\t1\t1\n"
    "net_prio\t0\t1\t1\nhugetlb\t0\t1\t1\npids\t0\t1\t1\nrdma\t0\t1\t1\nmisc\t0\t1\t1\n";

constexpr Entry ENTRIES[] = {
    // Indexed entries (enum Index).
    {"proc", NONE, Type::dir, Gen::proc_root, 0555, nullptr},
    {"sys", NONE, Type::dir, Gen::none, 0555, nullptr},
    {"<pid>", PROC, Type::dir, Gen::pid_dir, 0555, nullptr},
    {"task", PID, Type::dir, Gen::task_dir, 0555, nullptr},
    {"fd", PID, Type::dir, Gen::fd_dir, 0500, nullptr},
    {"<fd>", FD, Type::link, Gen::fd, 0700, nullptr},
    {"cpu", SYS_SYSTEM, Type::dir, Gen::sys_cpu, 0755, nullptr},
    {"<cpu>", SYS_CPU, Type::dir, Gen::none, 0755, nullptr},
    {"sys", PROC, Type::dir, Gen::none, 0555, nullptr},
    {"kernel", PROC_SYS, Type::dir, Gen::none, 0555, nullptr},
    {"vm", PROC_SYS, Type::dir, Gen::none, 0555, nullptr},
    {"devices", SYS, Type::dir, Gen::none, 0755, nullptr},
    {"system", SYS_DEVICES, Type::dir, Gen::none, 0755, nullptr},
    {"kernel", SYS, Type::dir, Gen::none, 0755, nullptr},
    {"mm", SYS_KERNEL, Type::dir, Gen::none, 0755, nullptr},
    {"transparent_hugepage", SYS_MM, Type::dir, Gen::none, 0755, nullptr},
    {"hugepages", SYS_MM, Type::dir, Gen::none, 0755, nullptr},
    {"hugepages-2048kB", SYS_HUGEPAGES, Type::dir, Gen::none, 0755, nullptr},
    {"fs", SYS, Type::dir, Gen::none, 0755, nullptr},
    {"cgroup", SYS_FS, Type::dir, Gen::none, 0755, nullptr},
    // /proc
    {"self", PROC, Type::link, Gen::self, 0777, nullptr},
    {"thread-self", PROC, Type::link, Gen::thread_self, 0777, nullptr},
    {"mounts", PROC, Type::link, Gen::mounts, 0777, nullptr},
    {"cpuinfo", PROC, Type::file, Gen::cpuinfo, 0444, nullptr},
    {"meminfo", PROC, Type::file, Gen::meminfo, 0444, nullptr},
    {"stat", PROC, Type::file, Gen::stat, 0444, nullptr},
    {"uptime", PROC, Type::file, Gen::uptime, 0444, nullptr},
    {"loadavg", PROC, Type::file, Gen::loadavg, 0444, nullptr},
    {"version", PROC, Type::file, Gen::version, 0444, nullptr},
    {"cgroups", PROC, Type::file, Gen::text, 0444, PROC_CGROUPS},
    {"pid_max", PROC_SYS_KERNEL, Type::file, Gen::text, 0644, "4194304\n"},
    {"threads-max", PROC_SYS_KERNEL, Type::file, Gen::threads_max, 0644, nullptr},
    {"osrelease", PROC_SYS_KERNEL, Type::file, Gen::osrelease, 0444, nullptr},
    {"ostype", PROC_SYS_KERNEL, Type::file, Gen::ostype, 0444, nullptr},
    {"hostname", PROC_SYS_KERNEL, Type::file, Gen::hostname, 0644, nullptr},
    {"max_map_count", PROC_SYS_VM, Type::file, Gen::text, 0644, "65530\n"},
    {"overcommit_memory", PROC_SYS_VM, Type::file, Gen::text, 0644, "0\n"},
    // /proc/<pid> and /proc/<pid>/task/<tid>
    {"cgroup", PID, Type::file, Gen::cgroup, 0444, nullptr},
    {"cmdline", PID, Type::file, Gen::cmdline, 0444, nullptr},
    {"comm", PID, Type::file, Gen::comm, 0644, nullptr},
    {"coredump_filter", PID, Type::file, Gen::coredump_filter, 0644, nullptr},
    {"cwd", PID, Type::link, Gen::cwd, 0777, nullptr},
    {"environ", PID, Type::file, Gen::environ, 0400, nullptr},
    {"exe", PID, Type::link, Gen::exe, 0777, nullptr},
    {"limits", PID, Type::file, Gen::limits, 0444, nullptr},
    {"maps", PID, Type::file, Gen::maps, 0444, nullptr},
    {"mountinfo", PID, Type::file, Gen::mountinfo, 0444, nullptr},
    {"mounts", PID, Type::file, Gen::pid_mounts, 0444, nullptr},
    {"root", PID, Type::link, Gen::root, 0777, nullptr},
    {"stat", PID, Type::file, Gen::pid_stat, 0444, nullptr},
    {"statm", PID, Type::file, Gen::statm, 0444, nullptr},
    {"status", PID, Type::file, Gen::status, 0444, nullptr},
    // /sys/devices/system/cpu
    {"kernel_max", SYS_CPU, Type::file, Gen::text, 0444, "8191\n"},
    {"online", SYS_CPU, Type::file, Gen::cpu_list, 0444, nullptr},
    {"possible", SYS_CPU, Type::file, Gen::cpu_list, 0444, nullptr},
    {"present", SYS_CPU, Type::file, Gen::cpu_list, 0444, nullptr},
    // /sys/kernel/mm: anonymous memory gets 2 MiB pages wherever the region allows, as with
    // THP "always"; no hugetlbfs pool.
    {"enabled", SYS_THP, Type::file, Gen::text, 0644, "[always] madvise never\n"},
    {"defrag", SYS_THP, Type::file, Gen::text, 0644,
     "always defer defer+madvise [madvise] never\n"},
    {"hpage_pmd_size", SYS_THP, Type::file, Gen::text, 0444, "2097152\n"},
    {"shmem_enabled", SYS_THP, Type::file, Gen::text, 0644,
     "always within_size advise [never] deny force\n"},
    {"use_zero_page", SYS_THP, Type::file, Gen::text, 0644, "1\n"},
    {"free_hugepages", SYS_HUGEPAGES_2M, Type::file, Gen::text, 0444, "0\n"},
    {"nr_hugepages", SYS_HUGEPAGES_2M, Type::file, Gen::text, 0644, "0\n"},
    {"nr_overcommit_hugepages", SYS_HUGEPAGES_2M, Type::file, Gen::text, 0644, "0\n"},
    {"resv_hugepages", SYS_HUGEPAGES_2M, Type::file, Gen::text, 0444, "0\n"},
    {"surplus_hugepages", SYS_HUGEPAGES_2M, Type::file, Gen::text, 0444, "0\n"},
    // /sys/fs/cgroup: the process's cgroup v2 (its /proc/<pid>/cgroup says "0::/"), no limits.
    {"cgroup.controllers", SYS_CGROUP, Type::file, Gen::text, 0444,
     "cpuset cpu io memory hugetlb pids rdma misc\n"},
    {"cgroup.procs", SYS_CGROUP, Type::file, Gen::cg_procs, 0644, nullptr},
    {"cgroup.subtree_control", SYS_CGROUP, Type::file, Gen::text, 0644, "\n"},
    {"cgroup.threads", SYS_CGROUP, Type::file, Gen::cg_threads, 0644, nullptr},
    {"cgroup.type", SYS_CGROUP, Type::file, Gen::text, 0644, "domain\n"},
    {"cpu.max", SYS_CGROUP, Type::file, Gen::text, 0644, "max 100000\n"},
    {"cpu.stat", SYS_CGROUP, Type::file, Gen::cg_cpu_stat, 0444, nullptr},
    {"cpu.weight", SYS_CGROUP, Type::file, Gen::text, 0644, "100\n"},
    {"cpuset.cpus", SYS_CGROUP, Type::file, Gen::text, 0644, "\n"},
    {"cpuset.cpus.effective", SYS_CGROUP, Type::file, Gen::cpu_list, 0444, nullptr},
    {"cpuset.mems", SYS_CGROUP, Type::file, Gen::text, 0644, "\n"},
    {"cpuset.mems.effective", SYS_CGROUP, Type::file, Gen::text, 0444, "0\n"},
    {"memory.current", SYS_CGROUP, Type::file, Gen::cg_memory_current, 0444, nullptr},
    {"memory.high", SYS_CGROUP, Type::file, Gen::text, 0644, "max\n"},
    {"memory.low", SYS_CGROUP, Type::file, Gen::text, 0644, "0\n"},
    {"memory.max", SYS_CGROUP, Type::file, Gen::text, 0644, "max\n"},
    {"memory.min", SYS_CGROUP, Type::file, Gen::text, 0644, "0\n"},
    {"memory.swap.current", SYS_CGROUP, Type::file, Gen::text, 0444, "0\n"},
    {"memory.swap.max", SYS_CGROUP, Type::file, Gen::text, 0644, "max\n"},
    {"pids.current", SYS_CGROUP, Type::file, Gen::cg_pids_current, 0444, nullptr},
    {"pids.max", SYS_CGROUP, Type::file, Gen::text, 0644, "max\n"},
};
constexpr usize ENTRY_COUNT = sizeof ENTRIES / sizeof ENTRIES[0];
static_assert(ENTRIES[SYS_CGROUP].parent == SYS_FS && ENTRIES[FD_LINK].parent == FD &&
              ENTRIES[SYS_CPU_N].parent == SYS_CPU && ENTRIES[FIRST_PLAIN].parent == PROC);

const Entry& entry_of(const Node& n) {
    return ENTRIES[n.kind];
}
bool is_dir(const Node& n) {
    return entry_of(n).type == Type::dir;
}

// Whether entry `i` lies below `ancestor`.
bool below(u16 i, u16 ancestor) {
    for (; i != NONE; i = ENTRIES[i].parent)
        if (i == ancestor) return true;
    return false;
}

bool in_sysfs(const Node& n) {
    return below(n.kind, SYS);
}
bool in_cgroupfs(const Node& n) {
    return below(n.kind, SYS_CGROUP);
}
bool in_pid_dir(const Node& n) {
    return below(n.kind, PID);
}
bool writable(const Node& n) {
    return entry_of(n).gen == Gen::comm || entry_of(n).gen == Gen::coredump_filter;
}

// ---- The process's state as procfs sees it ---------------------------------------------------

// What process.cpp noted at start (maps names, stat's layout fields).
struct NamedRange {
    u64 start, end; // pages that map file bytes
    u64 offset;     // file offset of `start`
    u64 dev, ino;
    const char* path;
};
constexpr usize MAX_NAMED = 2 * proc::JVMOS_ELF_MAX_LOADS;
NamedRange g_named[MAX_NAMED];
usize g_named_count;
char g_interp_path[PATH_MAX];
u64 g_vdso_start, g_vdso_end;
struct Layout {
    u64 start_code, end_code, start_data, end_data;
    u64 start_stack, arg_start, arg_end, env_start, env_end;
} g_layout;

// The program's text in whole pages (Linux's VmExe and statm's text).
u64 text_bytes() {
    if (!g_layout.end_code) return 0;
    return align_up(g_layout.end_code, PAGE_SIZE) - align_down(g_layout.start_code, PAGE_SIZE);
}

u32 g_coredump_filter = 0x33; // Linux's default
// VmPeak and VmHWM: the address space keeps no high-water marks, so these are the highest values
// any read of the memory figures has seen.
u64 g_vm_peak_pages, g_rss_peak_pages;

kernel::Process& process() {
    return kernel::current_process();
}
i32 pid() {
    return process().pid;
}
u32 cpu_count() {
    return kernel::boot_info().cpus ? kernel::boot_info().cpus : 1;
}

// A thread of the calling process (nullptr for another process's: /proc speaks for the
// caller only; another guest process's /proc/<pid> is not there).
sched::Thread* own_thread(i32 tid) {
    sched::Thread* t = sched::find_thread(tid);
    return t && t->process == &process() ? t : nullptr;
}

// The thread a node speaks for: its own, or the process's main thread (nullptr once it exited).
sched::Thread* thread_of(const Node& n) {
    return own_thread(n.tid ? n.tid : pid());
}

i64 boot_time_sec() {
    return kernel::boot_info().boot_realtime_ns / 1000000000;
}
u64 uptime_ns() {
    const i64 up = kernel::monotonic_ns() - kernel::boot_info().boot_monotonic_ns;
    return up > 0 ? u64(up) : 0;
}
u64 total_ram() {
    const jvmos_boot_info& b = kernel::boot_info();
    u64 total = 0;
    for (u32 i = 0; i < b.mem_range_count && i < JVMOS_MAX_MEM_RANGES; i++)
        total += b.mem_ranges[i].size;
    return total;
}
u64 free_ram() {
    return u64(kernel::frames().free_frames()) * PAGE_SIZE;
}

char state_of(const sched::Thread* t) {
    if (!t) return 'Z';
    if (t == sched::current()) return 'R';
    switch (t->state) {
    case sched::ThreadState::Running:
    case sched::ThreadState::Runnable:
        return 'R';
    case sched::ThreadState::Blocked:
        return 'S';
    case sched::ThreadState::Dead:
        return 'Z';
    }
    return 'R';
}

// A thread's comm: its name, or (never named) the program file's base name, as execve sets it.
void comm_of(const sched::Thread* t, char (&out)[16]) {
    memset(out, 0, sizeof out);
    if (t && t->name[0]) {
        memcpy(out, t->name, 15);
        return;
    }
    const char* exe = process().exe_path;
    const char* base = exe;
    for (const char* p = exe; *p; p++)
        if (*p == '/') base = p + 1;
    memcpy(out, base, strnlen(base, 15));
}

u64 signals_with(u64 handler_test(u64)) {
    u64 mask = 0;
    for (int sig = 1; sig <= kernel::NSIG; sig++)
        if (handler_test(process().actions[sig].handler)) mask |= 1ull << (sig - 1);
    return mask;
}
u64 ignored_signals() {
    return signals_with([](u64 h) { return u64(h == 1); });
}
u64 caught_signals() {
    return signals_with([](u64 h) { return u64(h > 1); });
}

// Memory of the address space, in pages.
struct MemoryUsage {
    u64 size, rss_anon, rss_file, rss_shmem, anon_huge, data, stack, exec, page_tables;
    u64 rss() const { return rss_anon + rss_file + rss_shmem; }
};

// Counts the pages of [start, end) that hold a frame (present, or kept by PROT_NONE) and, of
// those, the ones inside 2 MiB leaves. A 2 MiB block without a page table costs one lookup.
void count_resident(mm::PageTable& pt, u64 start, u64 end, u64& pages, u64& huge, u64& tables) {
    for (u64 va = start; va < end;) {
        const u64 block_end = align_down(va, LARGE_PAGE_SIZE) + LARGE_PAGE_SIZE < end
                                  ? align_down(va, LARGE_PAGE_SIZE) + LARGE_PAGE_SIZE
                                  : end;
        const mm::Lookup l = pt.lookup(va);
        if (l.pte && l.size == mm::PageSize::Large2M) {
            pages += (block_end - va) / PAGE_SIZE;
            huge += (block_end - va) / PAGE_SIZE;
            va = block_end;
            continue;
        }
        const u64* slot = pt.leaf_slot(va, mm::Create::no);
        if (!slot) {
            va = block_end;
            continue;
        }
        tables++;
        for (; va < block_end; va += PAGE_SIZE, slot++)
            if (__atomic_load_n(slot, __ATOMIC_RELAXED) & mm::PTE_ADDR_MASK) pages++;
    }
}

MemoryUsage memory_usage() {
    mm::AddressSpace& as = kernel::current_address_space();
    const mm::RegionMap& regions = as.regions();
    MemoryUsage u{};
    u64 last_table_block = ~0ull;
    for (usize i = 0; i < regions.count(); i++) {
        const mm::Region& r = regions.at(i);
        const u64 pages = r.size() / PAGE_SIZE;
        u.size += pages;
        const bool shared = r.flags & mm::LINUX_MAP_SHARED;
        if ((r.prot & mm::LINUX_PROT_WRITE) && !shared && r.kind != mm::RegionKind::Stack)
            u.data += pages;
        if (r.kind == mm::RegionKind::Stack) u.stack += pages;
        if ((r.prot & mm::LINUX_PROT_EXEC) && !(r.prot & mm::LINUX_PROT_WRITE)) u.exec += pages;
        u64 resident = 0, huge = 0, tables = 0;
        count_resident(as.page_table(), r.start, r.end, resident, huge, tables);
        // A page table shared by two neighbouring regions counts once.
        if (tables && align_down(r.start, LARGE_PAGE_SIZE) == last_table_block) tables--;
        u.page_tables += tables;
        last_table_block = align_down(r.end - 1, LARGE_PAGE_SIZE);
        switch (r.kind) {
        case mm::RegionKind::File:
            u.rss_file += resident;
            break;
        case mm::RegionKind::Shmem:
            u.rss_shmem += resident;
            break;
        case mm::RegionKind::Image:
            // Loaded segments: the read-only ones stay as the file had them.
            if (r.prot & mm::LINUX_PROT_WRITE)
                u.rss_anon += resident;
            else
                u.rss_file += resident;
            break;
        default:
            u.rss_anon += resident;
            u.anon_huge += huge;
            break;
        }
    }
    if (u.size > g_vm_peak_pages) g_vm_peak_pages = u.size;
    if (u.rss() > g_rss_peak_pages) g_rss_peak_pages = u.rss();
    return u;
}

u32 dev_major(u64 dev) {
    return u32(((dev >> 8) & 0xfff) | ((dev >> 32) & ~0xfffull));
}
u32 dev_minor(u64 dev) {
    return u32((dev & 0xff) | ((dev >> 12) & ~0xffull));
}

// Writes the target of the fd link for `f` (the path it was opened with, or Linux's name for a
// file without one). A shipped file without a path costs one shipped stat.
Result<usize> fd_target(OpenFile* f, char* buf, usize cap) {
    StringBuilder out(buf, cap);
    if (f->path) {
        out.append(f->path);
    } else if (f->memfd) {
        out.appendf("/%s (deleted)", f->memfd->name);
    } else {
        kernel::retain(f); // the call blocks: another thread may close the fd meanwhile
        shipper::Call c = shipper::begin(JVMOS_SHIP_STAT, f->handle);
        Result<i64> r = shipper::call(c);
        struct {
            u64 dev, ino, nlink;
            u32 mode, uid, gid, pad;
            u64 rdev;
        } st{};
        const bool ok = r.is_ok() && c.slot().out_len >= sizeof st;
        if (ok) memcpy(&st, c.data(), sizeof st);
        kernel::put(f);
        if (!ok) return r.is_error() ? r.error() : Errno::EIO;
        const u32 type = st.mode & kernel::LINUX_S_IFMT;
        const u32 major = dev_major(st.rdev), minor = dev_minor(st.rdev);
        if (type == S_IFIFO)
            out.appendf("pipe:[%llu]", ull(st.ino));
        else if (type == S_IFSOCK)
            out.appendf("socket:[%llu]", ull(st.ino));
        else if (type == S_IFCHR && major == 1 && minor == 3)
            out.append("/dev/null");
        else if (type == S_IFCHR && major == 1 && minor == 5)
            out.append("/dev/zero");
        else if (type == S_IFCHR && major == 1 && minor == 9)
            out.append("/dev/urandom");
        else if (type == S_IFCHR && major == 5 && minor == 0)
            out.append("/dev/tty");
        else if (type == S_IFCHR && major == 136)
            out.appendf("/dev/pts/%u", minor);
        else if (type == S_IFCHR && major == 4)
            out.appendf("/dev/tty%u", minor);
        else
            // The monitor's own stdio redirected to a file: its host path is not known here.
            out.appendf("anon_inode:[jvmos-host-file-%llu]", ull(st.ino));
    }
    if (out.truncated()) return cap; // readlink truncates silently
    return out.length();
}

// ---- Generators ----------------------------------------------------------------------------

// cmdline and environ: the strings as they are in the program's memory now (Linux reads them
// from there too, so a program that rewrites its argv shows the new text).
void append_user_range(StringBuilder& out, u64 start, u64 end) {
    u8 chunk[256];
    for (u64 at = start; at < end;) {
        const usize n = end - at < sizeof chunk ? usize(end - at) : sizeof chunk;
        if (kernel::current_address_space().copy_from_user(chunk, at, n).is_error()) return;
        out.append(reinterpret_cast<const char*>(chunk), n);
        at += n;
    }
}

const CpuidSnapshot& cpuid_snapshot() {
    // CPUID traps to the hypervisor on kvm_pvm hosts: read the leaves once.
    static CpuidSnapshot s;
    static bool ready;
    if (ready) return s;
    auto leaf = [](u32 l, u32 sub = 0) {
        const arch::CpuidResult r = arch::cpuid(l, sub);
        return CpuidLeaf{r.eax, r.ebx, r.ecx, r.edx};
    };
    s.basic0 = leaf(0);
    const u32 max = s.basic0.eax;
    if (max >= 1) s.basic1 = leaf(1);
    if (max >= 6) s.thermal6 = leaf(6);
    if (max >= 7) {
        s.ext7_0 = leaf(7, 0);
        if (s.ext7_0.eax >= 1) s.ext7_1 = leaf(7, 1);
    }
    if (max >= 0xd) s.xsave_d1 = leaf(0xd, 1);
    CpuidLeaf caches[8] = {};
    usize ncaches = 0;
    if (max >= 4)
        for (; ncaches < 8; ncaches++) {
            caches[ncaches] = leaf(4, u32(ncaches));
            if ((caches[ncaches].eax & 0x1f) == 0) break;
        }
    s.cache_size_kb = cache_size_kb(caches, ncaches);
    s.ext0 = leaf(0x80000000);
    const u32 ext_max = s.ext0.eax;
    if (ext_max >= 0x80000001) s.ext1 = leaf(0x80000001);
    if (ext_max >= 0x80000004)
        for (u32 i = 0; i < 3; i++) s.brand[i] = leaf(0x80000002 + i);
    if (ext_max >= 0x80000007) s.ext7 = leaf(0x80000007);
    if (ext_max >= 0x80000008) s.ext8 = leaf(0x80000008);
    // MSR_IA32_UCODE_REV as KVM resets it (userspace did not set it): what a Linux guest shows.
    s.microcode = 1;
    ready = true;
    return s;
}

void gen_maps(StringBuilder& out) {
    const mm::RegionMap& regions = kernel::current_address_space().regions();
    const u64 brk_start = kernel::current_address_space().brk_start();
    for (usize i = 0; i < regions.count() && !out.truncated(); i++) {
        const mm::Region& r = regions.at(i);
        MapsLine line{r.start, r.end, r.prot & 7, (r.flags & mm::LINUX_MAP_SHARED) != 0, 0, 0,
                      0,       0,     nullptr};
        char name[300]; // "/memfd:" + a name of at most 249 bytes + " (deleted)"
        if (r.kind == mm::RegionKind::File && r.file_id) {
            auto* f = reinterpret_cast<OpenFile*>(r.file_id);
            line.offset = r.file_offset;
            line.dev_major = dev_major(f->dev);
            line.dev_minor = dev_minor(f->dev);
            line.inode = f->ino;
            line.name = f->path;
        } else if (r.kind == mm::RegionKind::Shmem) {
            // A memfd's pages show its name; shared anonymous memory is Linux's "/dev/zero".
            line.offset = r.file_offset;
            line.name = "/dev/zero (deleted)";
            for (usize fd = 0; fd < kernel::fd_table_size(); fd++) {
                Result<OpenFile*> f = kernel::file_of(i64(fd));
                if (f.is_error() || !f.value()->memfd ||
                    reinterpret_cast<u64>(f.value()->memfd->object) != r.file_id)
                    continue;
                format(name, sizeof name, "/%s (deleted)", f.value()->memfd->name);
                line.name = name;
                line.inode = f.value()->memfd->inode;
                break;
            }
        } else if (r.kind == mm::RegionKind::Image) {
            if (r.start >= g_vdso_start && r.start < g_vdso_end) line.name = "[vdso]";
            for (usize n = 0; n < g_named_count; n++) {
                const NamedRange& nr = g_named[n];
                if (r.start < nr.start || r.start >= nr.end) continue;
                line.name = nr.path;
                line.offset = nr.offset + (r.start - nr.start);
                line.dev_major = dev_major(nr.dev);
                line.dev_minor = dev_minor(nr.dev);
                line.inode = nr.ino;
                break;
            }
        } else if (r.kind == mm::RegionKind::Brk) {
            line.name = "[heap]";
        } else if (r.kind == mm::RegionKind::Stack) {
            line.name = "[stack]";
        }
        // The break area: Linux names the brk region [heap] even before it grows.
        if (r.kind == mm::RegionKind::Anonymous && brk_start && r.start == brk_start)
            line.name = "[heap]";
        append_maps_line(out, line);
    }
}

void gen_pid_stat(const Node& n, StringBuilder& out) {
    kernel::Process& p = process();
    const sched::Thread* t = thread_of(n);
    const MemoryUsage u = memory_usage();
    char comm[16];
    comm_of(t, comm);
    TaskStat s{};
    s.pid = n.tid ? n.tid : p.pid;
    s.comm = comm;
    s.state = state_of(t);
    s.ppid = p.ppid;
    s.pgrp = p.pgid;
    s.session = p.sid;
    s.flags = n.tid && n.tid != p.pid ? 0x40 /* PF_FORKNOEXEC */ : 0;
    const u64 cpu_ns = n.tid ? (t ? sched::thread_cpu_ns(t) : 0) : kernel::process_cpu_ns(process());
    // jvmos does not split user from kernel time: all of it is user time.
    s.utime = cpu_ns / NS_PER_TICK;
    s.priority = 20;
    s.num_threads = kernel::live_threads();
    s.vsize = u.size * PAGE_SIZE;
    s.rss = u.rss();
    s.rsslim = p.rlimits[5].cur;
    s.start_code = g_layout.start_code;
    s.end_code = g_layout.end_code;
    s.start_stack = g_layout.start_stack;
    s.signal = t ? t->pending_signals : 0;
    s.blocked = t ? t->signal_mask : 0;
    s.sigignore = ignored_signals();
    s.sigcatch = caught_signals();
    s.sleeping = t && t->state == sched::ThreadState::Blocked;
    s.exit_signal = n.tid && n.tid != p.pid ? -1 : 17;
    s.processor = t ? t->cpu : 0;
    s.start_data = g_layout.start_data;
    s.end_data = g_layout.end_data;
    s.start_brk = kernel::current_address_space().brk_start();
    s.arg_start = g_layout.arg_start;
    s.arg_end = g_layout.arg_end;
    s.env_start = g_layout.env_start;
    s.env_end = g_layout.env_end;
    append_task_stat(out, s);
}

void gen_status(const Node& n, StringBuilder& out) {
    kernel::Process& p = process();
    const sched::Thread* t = thread_of(n);
    const MemoryUsage u = memory_usage();
    char comm[16];
    comm_of(t, comm);
    constexpr u64 ALL_CAPS = (1ull << 41) - 1; // CAP_LAST_CAP = 40
    const u64 kb = PAGE_SIZE / 1024;
    TaskStatus s{};
    s.name = comm;
    s.state = state_of(t);
    s.tgid = p.pid;
    s.pid = n.tid ? n.tid : p.pid;
    s.ppid = p.ppid;
    s.pgrp = p.pgid;
    s.session = p.sid;
    s.uid = p.uid;
    s.euid = p.euid;
    s.gid = p.gid;
    s.egid = p.egid;
    s.fd_size = u32(kernel::fd_table_size() < 64 ? 64 : kernel::fd_table_size());
    s.vm_peak = g_vm_peak_pages * kb;
    s.vm_size = u.size * kb;
    s.vm_hwm = g_rss_peak_pages * kb;
    s.vm_rss = u.rss() * kb;
    s.rss_anon = u.rss_anon * kb;
    s.rss_file = u.rss_file * kb;
    s.rss_shmem = u.rss_shmem * kb;
    s.vm_data = u.data * kb;
    s.vm_stk = u.stack * kb;
    const u64 text = text_bytes() / 1024;
    s.vm_exe = text;
    s.vm_lib = u.exec * kb > text ? u.exec * kb - text : 0;
    s.vm_pte = u.page_tables * kb;
    s.threads = u32(kernel::live_threads());
    s.sig_queued = t ? signal::queued_count(*t) : 0;
    s.sig_limit = p.rlimits[11].cur;
    s.sig_pending = t ? t->pending_signals : 0;
    s.sig_blocked = t ? t->signal_mask : 0;
    s.sig_ignored = ignored_signals();
    s.sig_caught = caught_signals();
    s.cap_effective = p.euid == 0 ? ALL_CAPS : 0;
    s.cap_bounding = ALL_CAPS;
    s.cpus = cpu_count();
    append_task_status(out, s);
}

void gen_meminfo(StringBuilder& out) {
    const MemoryUsage u = memory_usage();
    const u64 kb = PAGE_SIZE / 1024;
    const u64 total = total_ram() / 1024, free = free_ram() / 1024;
    MemInfo m{};
    m.total = total;
    m.free = free;
    m.available = free; // no page cache to reclaim
    m.anon_pages = u.rss_anon * kb;
    m.mapped = u.rss_file * kb;
    m.shmem = u.rss_shmem * kb;
    m.slab_unreclaimable = kernel::heap().bytes_in_use() / 1024;
    m.page_tables = u.page_tables * kb;
    m.commit_limit = total / 2; // no swap, vm.overcommit_ratio 50
    m.committed = total - free;
    m.anon_huge_pages = u.anon_huge * kb;
    m.direct_map_2m = total; // the physmap uses 2 MiB pages
    append_meminfo(out, m);
}

void gen_proc_stat(StringBuilder& out) {
    const u32 cpus = cpu_count();
    CpuTimes times[JVMOS_MAX_CPUS] = {};
    const u64 up = uptime_ns() / NS_PER_TICK;
    // Per-vCPU busy time is not kept: live threads count on the vCPU they last ran on, and the
    // time of threads that have exited on vCPU 0.
    u64 live_ns = 0;
    u32 running = 0;
    for (sched::Thread* t = sched::first_thread(); t; t = sched::next_thread(t)) {
        const u64 ns = sched::thread_cpu_ns(t);
        live_ns += ns;
        times[t->cpu < cpus ? t->cpu : 0].user += ns;
        if (state_of(t) == 'R') running++;
    }
    const u64 all_ns = kernel::process_cpu_ns(process());
    times[0].user += all_ns > live_ns ? all_ns - live_ns : 0;
    for (u32 c = 0; c < cpus; c++) {
        times[c].user /= NS_PER_TICK;
        times[c].idle = up > times[c].user ? up - times[c].user : 0;
    }
    SystemStat s{};
    s.per_cpu = times;
    s.cpus = cpus;
    s.boot_time = u64(boot_time_sec());
    s.forks = kernel::live_threads();
    s.running = running;
    append_proc_stat(out, s);
}

void gen_mountinfo(StringBuilder& out) {
    out.appendf("1 0 0:%u / / rw,relatime - jvmos jvmos-proxy rw\n"
                "2 1 0:%u / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw\n"
                "3 1 0:%u / /sys rw,nosuid,nodev,noexec,relatime - sysfs sysfs rw\n"
                "4 3 0:%u / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime - cgroup2 cgroup2 "
                "rw,nsdelegate\n",
                ROOT_DEV, PROC_DEV, SYSFS_DEV, CGROUP2_DEV);
}

void gen_mounts(StringBuilder& out) {
    out.append("jvmos-proxy / jvmos rw,relatime 0 0\n"
               "proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0\n"
               "sysfs /sys sysfs rw,nosuid,nodev,noexec,relatime 0 0\n"
               "cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid,nodev,noexec,relatime,nsdelegate 0 0\n");
}

void gen_limits(StringBuilder& out) {
    Limit limits[16];
    for (usize i = 0; i < 16; i++) {
        const kernel::RLimit& rl = process().rlimits[i];
        limits[i] = {rl.cur, rl.max};
    }
    append_limits(out, limits);
}

// The file's text into `out`.
Result<void> generate_text(const Node& n, StringBuilder& out) {
    const jvmos_boot_info& b = kernel::boot_info();
    const Entry& e = entry_of(n);
    switch (e.gen) {
    case Gen::text:
        out.append(e.text);
        break;
    case Gen::cpuinfo:
        append_cpuinfo(out, cpuid_snapshot(), cpu_count(), kernel::tsc_khz());
        break;
    case Gen::meminfo:
        gen_meminfo(out);
        break;
    case Gen::stat:
        gen_proc_stat(out);
        break;
    case Gen::uptime: {
        const u64 up = uptime_ns(), busy = kernel::process_cpu_ns(process());
        append_uptime(out, up, up * cpu_count() > busy ? up * cpu_count() - busy : 0);
        break;
    }
    case Gen::loadavg: {
        u32 running = 0;
        i32 last = pid();
        for (sched::Thread* t = sched::first_thread(); t; t = sched::next_thread(t)) {
            if (state_of(t) == 'R') running++;
            if (t->tid > last) last = t->tid;
        }
        append_loadavg(out, running, u32(kernel::live_threads()), last);
        break;
    }
    case Gen::version:
        out.appendf("%s version %s %s\n", b.uts_sysname, b.uts_release, b.uts_version);
        break;
    case Gen::osrelease:
        out.appendf("%s\n", b.uts_release);
        break;
    case Gen::ostype:
        out.appendf("%s\n", b.uts_sysname);
        break;
    case Gen::hostname:
        out.appendf("%s\n", b.uts_nodename);
        break;
    case Gen::threads_max: {
        // Linux's default: a thread per 8 kernel stacks' worth (16 KiB each) of RAM.
        const u64 max = total_ram() / (8 * 16 * KiB);
        out.appendf("%llu\n", ull(max < 20 ? 20 : max > 0x3fffffff ? 0x3fffffff : max));
        break;
    }
    case Gen::cmdline:
        append_user_range(out, g_layout.arg_start, g_layout.arg_end);
        break;
    case Gen::environ:
        append_user_range(out, g_layout.env_start, g_layout.env_end);
        break;
    case Gen::comm: {
        char comm[16];
        comm_of(thread_of(n), comm);
        out.appendf("%s\n", comm);
        break;
    }
    case Gen::coredump_filter:
        out.appendf("%08x\n", g_coredump_filter);
        break;
    case Gen::pid_stat:
        gen_pid_stat(n, out);
        break;
    case Gen::statm: {
        const MemoryUsage u = memory_usage();
        const u64 text = text_bytes() / PAGE_SIZE;
        append_statm(out, u.size, u.rss(), u.rss_file + u.rss_shmem, text, u.data + u.stack);
        break;
    }
    case Gen::status:
        gen_status(n, out);
        break;
    case Gen::maps:
        gen_maps(out);
        break;
    case Gen::mountinfo:
        gen_mountinfo(out);
        break;
    case Gen::pid_mounts:
        gen_mounts(out);
        break;
    case Gen::cgroup:
        out.append("0::/\n");
        break;
    case Gen::limits:
        gen_limits(out);
        break;
    case Gen::cpu_list:
        append_cpu_list(out, cpu_count());
        out.append_char('\n');
        break;
    case Gen::cg_procs:
        out.appendf("%d\n", pid());
        break;
    case Gen::cg_threads:
        for (sched::Thread* t = sched::first_thread(); t; t = sched::next_thread(t))
            if (t->process == &process()) out.appendf("%d\n", t->tid);
        break;
    case Gen::cg_cpu_stat: {
        const u64 usec = kernel::process_cpu_ns(process()) / 1000;
        out.appendf("usage_usec %llu\nuser_usec %llu\nsystem_usec 0\nnr_periods 0\n"
                    "nr_throttled 0\nthrottled_usec 0\nnr_bursts 0\nburst_usec 0\n",
                    ull(usec), ull(usec));
        break;
    }
    case Gen::cg_memory_current:
        out.appendf("%llu\n", ull(total_ram() - free_ram()));
        break;
    case Gen::cg_pids_current:
        out.appendf("%llu\n", ull(kernel::live_threads()));
        break;
    default:
        return Errno::EINVAL; // not a file
    }
    return {};
}

// ---- Directories ---------------------------------------------------------------------------

u64 inode_of(const Node& n) {
    if (n.kind == PROC || n.kind == SYS) return 1;
    u64 h = 0xcbf29ce484222325ull;
    const u64 parts[3] = {u64(n.kind), u64(u32(n.tid)), u64(u32(n.index))};
    for (u64 v : parts) {
        h ^= v;
        h *= 0x100000001b3ull;
    }
    return 0x1000 + (h & 0xfffffff);
}

u8 dirent_type(const Node& n) {
    switch (entry_of(n).type) {
    case Type::dir:
        return DT_DIR;
    case Type::link:
        return DT_LNK;
    case Type::file:
        return DT_REG;
    }
    return DT_REG;
}

bool shows_entry(const Node& dir, u16 i) {
    // Thread views (task/<tid>) have no task/ of their own.
    return !(i == TASK && dir.tid != 0);
}

// Calls fn(name, child) for every entry of directory `dir`, static ones first.
template <typename Fn> void for_each_child(const Node& dir, Fn fn) {
    char name[24];
    for (u16 i = 0; i < ENTRY_COUNT; i++) {
        if (ENTRIES[i].parent != dir.kind || ENTRIES[i].name[0] == '<') continue;
        if (!shows_entry(dir, i)) continue;
        fn(ENTRIES[i].name, Node{i, dir.tid, 0});
    }
    switch (entry_of(dir).gen) {
    case Gen::proc_root:
        format(name, sizeof name, "%d", pid());
        fn(name, Node{PID, 0, 0});
        break;
    case Gen::task_dir: {
        // Ascending tids, as Linux lists them.
        i32 last = 0;
        for (;;) {
            i32 next = 0;
            for (sched::Thread* t = sched::first_thread(); t; t = sched::next_thread(t))
                if (t->process == &process() && t->tid > last && (next == 0 || t->tid < next))
                    next = t->tid;
            if (next == 0) break;
            format(name, sizeof name, "%d", next);
            fn(name, Node{PID, next, 0});
            last = next;
        }
        break;
    }
    case Gen::fd_dir:
        for (usize fd = 0; fd < kernel::fd_table_size(); fd++) {
            if (kernel::file_of(i64(fd)).is_error()) continue;
            format(name, sizeof name, "%zu", fd);
            fn(name, Node{FD_LINK, dir.tid, i32(fd)});
        }
        break;
    case Gen::sys_cpu:
        for (u32 c = 0; c < cpu_count(); c++) {
            format(name, sizeof name, "cpu%u", c);
            fn(name, Node{SYS_CPU_N, 0, i32(c)});
        }
        break;
    default:
        break;
    }
}

// A decimal number without sign or leading zeros, or -1.
i64 parse_number(const char* s, usize n) {
    if (n == 0 || n > 9 || (s[0] == '0' && n > 1)) return -1;
    i64 v = 0;
    for (usize i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

Result<Node> find_child(const Node& dir, const char* name, usize len) {
    switch (entry_of(dir).gen) {
    case Gen::proc_root: {
        // /proc/<pid>, and (unlisted, as on Linux) /proc/<tid> for any thread.
        const i64 id = parse_number(name, len);
        if (id == pid()) return Node{PID, 0, 0};
        if (id > 0 && own_thread(i32(id))) return Node{PID, i32(id), 0};
        break;
    }
    case Gen::task_dir: {
        const i64 id = parse_number(name, len);
        if (id > 0 && own_thread(i32(id))) return Node{PID, i32(id), 0};
        return Errno::ENOENT;
    }
    case Gen::fd_dir: {
        const i64 fd = parse_number(name, len);
        if (fd >= 0 && kernel::file_of(fd).is_ok()) return Node{FD_LINK, dir.tid, i32(fd)};
        return Errno::ENOENT;
    }
    case Gen::sys_cpu:
        if (len > 3 && memcmp(name, "cpu", 3) == 0) {
            const i64 c = parse_number(name + 3, len - 3);
            if (c >= 0 && c < i64(cpu_count())) return Node{SYS_CPU_N, 0, i32(c)};
        }
        break;
    default:
        break;
    }
    for (u16 i = 0; i < ENTRY_COUNT; i++) {
        if (ENTRIES[i].parent != dir.kind || ENTRIES[i].name[0] == '<') continue;
        if (strlen(ENTRIES[i].name) != len || memcmp(ENTRIES[i].name, name, len) != 0) continue;
        if (!shows_entry(dir, i)) break;
        return Node{i, dir.tid, 0};
    }
    return Errno::ENOENT;
}

// The target of link `n` into `out`: relative to the link's directory or absolute. For an fd
// without a path nothing is written and `*no_path` is set.
Result<usize> link_target(const Node& n, char* out, usize cap, bool* no_path) {
    StringBuilder sb(out, cap);
    *no_path = false;
    switch (entry_of(n).gen) {
    case Gen::self:
        sb.appendf("%d", pid());
        break;
    case Gen::thread_self:
        sb.appendf("%d/task/%d", pid(), kernel::current_thread().tid);
        break;
    case Gen::mounts:
        sb.append("self/mounts");
        break;
    case Gen::exe:
        sb.append(process().exe_path);
        break;
    case Gen::cwd:
        sb.append(kernel::cwd()->path);
        break;
    case Gen::root:
        sb.append("/");
        break;
    case Gen::fd: {
        OpenFile* f = TRY(kernel::file_of(n.index));
        if (!f->path) {
            *no_path = true;
            return usize(0);
        }
        sb.append(f->path);
        break;
    }
    default:
        return Errno::EINVAL;
    }
    if (sb.truncated()) return Errno::ENAMETOOLONG;
    return sb.length();
}

// ---- Content buffers -------------------------------------------------------------------------

usize estimate(const Node& n) {
    switch (entry_of(n).gen) {
    case Gen::maps:
        return kernel::current_address_space().regions().count() * 192 + 512;
    case Gen::cpuinfo:
        return cpu_count() * 2048 + 512;
    case Gen::task_dir:
        return kernel::live_threads() * 32 + 256;
    case Gen::fd_dir:
        return kernel::fd_table_size() * 32 + 256;
    case Gen::cmdline:
        return usize(g_layout.arg_end - g_layout.arg_start) + 16;
    case Gen::environ:
        return usize(g_layout.env_end - g_layout.env_start) + 16;
    default:
        return 2048;
    }
}

// Content buffers that closed files left, for the next open: a program that reads a /proc
// file over and over (open, read, close) then never allocates a page-sized block, which costs a
// search for contiguous frames.
struct SpareBuffer {
    char* data;
    usize capacity;
};
constexpr usize SPARE_COUNT = 4;
constexpr usize SPARE_MAX = 256 * KiB;
SpareBuffer g_spare[SPARE_COUNT];

char* take_buffer(usize want, usize& capacity) {
    for (SpareBuffer& s : g_spare) {
        if (!s.data || s.capacity < want) continue;
        char* data = s.data;
        capacity = s.capacity;
        s = {};
        return data;
    }
    capacity = want;
    return static_cast<char*>(kernel::heap().allocate(want, 16));
}

void give_buffer(char* data, usize capacity) {
    if (!data) return;
    if (capacity > SPARE_MAX) {
        kernel::heap().deallocate(data, capacity);
        return;
    }
    // Keep the larger buffers: replace the smallest spare if this one is bigger.
    SpareBuffer* smallest = &g_spare[0];
    for (SpareBuffer& s : g_spare) {
        if (!s.data) {
            smallest = &s;
            break;
        }
        if (s.capacity < smallest->capacity) smallest = &s;
    }
    if (smallest->data && smallest->capacity >= capacity) {
        kernel::heap().deallocate(data, capacity);
        return;
    }
    if (smallest->data) kernel::heap().deallocate(smallest->data, smallest->capacity);
    *smallest = {data, capacity};
}

// Fills the file's buffer: its text, or its directory entries.
Result<void> generate(ProcFile& f) {
    for (usize cap = estimate(f.node);; cap *= 2) {
        if (cap > MAX_CONTENT) return Errno::ENOMEM;
        if (cap > f.capacity) {
            usize capacity;
            char* fresh = take_buffer(cap, capacity);
            if (!fresh) return Errno::ENOMEM;
            give_buffer(f.data, f.capacity);
            f.data = fresh;
            f.capacity = capacity;
        }
        if (is_dir(f.node)) {
            auto* buf = reinterpret_cast<u8*>(f.data);
            usize at = append_dirent64(buf, f.capacity, 0, inode_of(f.node), DT_DIR, ".");
            const Entry& e = entry_of(f.node);
            const Node parent{e.parent == NONE ? f.node.kind : e.parent, f.node.tid, 0};
            if (at) at = append_dirent64(buf, f.capacity, at, inode_of(parent), DT_DIR, "..");
            for_each_child(f.node, [&](const char* name, const Node& child) {
                if (at)
                    at = append_dirent64(buf, f.capacity, at, inode_of(child), dirent_type(child),
                                         name);
            });
            if (!at) continue;
            f.size = at;
            return {};
        }
        StringBuilder out(f.data, f.capacity);
        TRY(generate_text(f.node, out));
        if (out.truncated()) continue;
        f.size = out.length();
        return {};
    }
}

// kstrtouint(s, 0): decimal, 0x-hex or 0-octal, an optional trailing newline.
Result<u64> parse_uint(const char* s, usize n) {
    if (n && s[n - 1] == '\n') n--;
    if (n == 0) return Errno::EINVAL;
    u32 base = 10;
    usize i = 0;
    if (n > 1 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        i = 2;
    } else if (s[0] == '0') {
        base = 8;
    }
    if (i == n) return Errno::EINVAL;
    u64 v = 0;
    for (; i < n; i++) {
        u32 d;
        if (s[i] >= '0' && s[i] <= '9')
            d = u32(s[i] - '0');
        else if (s[i] >= 'a' && s[i] <= 'f')
            d = u32(s[i] - 'a' + 10);
        else if (s[i] >= 'A' && s[i] <= 'F')
            d = u32(s[i] - 'A' + 10);
        else
            return Errno::EINVAL;
        if (d >= base) return Errno::EINVAL;
        v = v * base + d;
        if (v > 0xffffffffull) return Errno::ERANGE;
    }
    return v;
}

// Continues a lookup at link `link` (in directory `dir`) followed by `rest` ("" or "/..."):
// the target, relative to `dir` unless absolute, then the rest relative to it, into `out`.
// `target` and `joined` are PATH_MAX scratch buffers.
Result<Lookup> follow_link(const Node& link, const char* dir, const char* rest, char* target,
                           char* joined, char* out, usize cap) {
    bool no_path = false;
    const usize n = TRY(link_target(link, target, PATH_MAX, &no_path));
    if (no_path) {
        if (*rest) return Errno::ENOTDIR;
        return Lookup{Lookup::Kind::open_file, link};
    }
    target[n] = 0;
    TRY(normalize_path(dir, target, joined, PATH_MAX));
    TRY(normalize_path(joined, *rest ? rest + 1 : "", out, cap));
    return Lookup{Lookup::Kind::redirect, link};
}

} // namespace

// ---- Interface -----------------------------------------------------------------------------

bool owns(const char* path) {
    static constexpr const char* ROOTS[] = {"/proc", "/sys"};
    for (const char* root : ROOTS) {
        const usize n = strlen(root);
        if (strncmp(path, root, n) == 0 && (path[n] == 0 || path[n] == '/')) return true;
    }
    return false;
}

Result<Lookup> lookup(const char* path, Follow follow, char* out, usize cap) {
    JVMOS_ASSERT(owns(path));
    StringBuilder canon(out, cap);
    const char* p = path + 1;
    Node node{path[1] == 'p' ? u16(PROC) : u16(SYS), 0, 0};
    canon.append(path[1] == 'p' ? "/proc" : "/sys");
    p += node.kind == PROC ? 4 : 3;
    while (*p == '/') {
        const char* name = p + 1;
        usize len = 0;
        while (name[len] && name[len] != '/') len++;
        p = name + len; // the rest: "" or "/..."
        if (!is_dir(node)) return Errno::ENOTDIR;
        const Node child = TRY(find_child(node, name, len));
        if (entry_of(child).type == Type::link && (*p || follow == Follow::yes)) {
            // Scratch space outside the kernel stack: nothing on this path blocks, and the
            // kernel lock keeps other vCPUs out (page-sized heap blocks cost a frame search).
            static char target[PATH_MAX], joined[PATH_MAX];
            return follow_link(child, canon.c_str(), p, target, joined, out, cap);
        }
        canon.append_char('/');
        canon.append(name, len);
        node = child;
    }
    if (canon.truncated()) return Errno::ENAMETOOLONG;
    return Lookup{Lookup::Kind::node, node};
}

Attr attributes(const Node& n) {
    const Entry& e = entry_of(n);
    Attr a{};
    a.dev = in_cgroupfs(n) ? CGROUP2_DEV : in_sysfs(n) ? SYSFS_DEV : PROC_DEV;
    a.ino = inode_of(n);
    switch (e.type) {
    case Type::dir:
        a.mode = S_IFDIR | e.mode;
        a.nlink = 2;
        break;
    case Type::link:
        a.mode = S_IFLNK | e.mode;
        a.nlink = 1;
        break;
    case Type::file:
        a.mode = S_IFREG | e.mode;
        a.nlink = 1;
        // sysfs attributes claim a page; procfs and cgroupfs files have no size.
        a.size = in_sysfs(n) && !in_cgroupfs(n) ? i64(PAGE_SIZE) : 0;
        break;
    }
    if (in_pid_dir(n)) {
        a.uid = process().euid;
        a.gid = process().egid;
    }
    a.blksize = in_sysfs(n) ? i64(PAGE_SIZE) : 1024;
    a.time_sec = boot_time_sec();
    return a;
}

Result<usize> read_link(const Node& node, char* buf, usize cap) {
    if (entry_of(node).type != Type::link) return Errno::EINVAL;
    if (entry_of(node).gen == Gen::fd) return fd_target(TRY(kernel::file_of(node.index)), buf, cap);
    char target[PATH_MAX];
    bool no_path;
    const usize n = TRY(link_target(node, target, sizeof target, &no_path));
    const usize copied = n < cap ? n : cap;
    memcpy(buf, target, copied);
    return copied;
}

Result<void> check_access(const Node& node, u32 mode) {
    if ((mode & 2) && (!writable(node) || is_dir(node))) return Errno::EACCES;
    if ((mode & 1) && !is_dir(node)) return Errno::EACCES;
    return {};
}

Result<OpenFile*> open(const Node& node, u32 flags, const char* path) {
    const Entry& e = entry_of(node);
    const u32 access = flags & O_ACCMODE;
    const bool opath = flags & O_PATH;
    if (e.type == Type::link && !opath) return Errno::ELOOP; // O_NOFOLLOW on a link
    if ((flags & O_DIRECTORY) && e.type != Type::dir) return Errno::ENOTDIR;
    if (!opath && (access == O_WRONLY || access == O_RDWR)) {
        if (e.type == Type::dir) return Errno::EISDIR;
        if (!writable(node)) return Errno::EACCES;
    }
    if (node.tid && !own_thread(node.tid)) return Errno::ENOENT;
    auto* pf = static_cast<ProcFile*>(kernel::heap().allocate(sizeof(ProcFile), alignof(ProcFile)));
    if (!pf) return Errno::ENOMEM;
    *pf = ProcFile{node, flags, nullptr, 0, 0, 0, false};
    if (!opath) {
        Result<void> g = generate(*pf);
        if (g.is_error()) {
            release(pf);
            return g.error();
        }
    }
    const u32 mode = attributes(node).mode;
    Result<OpenFile*> f = kernel::make_open_file(0, mode, flags, path);
    if (f.is_error()) {
        release(pf);
        return f.error();
    }
    f.value()->procfs = pf;
    return f.value();
}

void release(ProcFile* file) {
    give_buffer(file->data, file->capacity);
    kernel::heap().deallocate(file, sizeof(ProcFile));
}

Result<u64> read(ProcFile& f, u64 user_buf, u64 count, i64 offset) {
    if (f.flags & O_PATH) return Errno::EBADF;
    if ((f.flags & O_ACCMODE) == O_WRONLY) return Errno::EBADF;
    if (is_dir(f.node)) return Errno::EISDIR;
    const u64 at = offset < 0 ? f.position : u64(offset);
    if (at == 0 && f.was_read) TRY(generate(f));
    f.was_read = true;
    if (at >= f.size) return 0;
    const u64 n = count < f.size - at ? count : f.size - at;
    TRY(kernel::current_address_space().copy_to_user(user_buf, f.data + at, usize(n)));
    if (offset < 0) f.position = at + n;
    return n;
}

Result<u64> write(ProcFile& f, u64 user_buf, u64 count) {
    const u32 access = f.flags & O_ACCMODE;
    if ((f.flags & O_PATH) || (access != O_WRONLY && access != O_RDWR)) return Errno::EBADF;
    char text[32] = {};
    const usize n = count < sizeof text - 1 ? usize(count) : sizeof text - 1;
    TRY(kernel::current_address_space().copy_from_user(text, user_buf, n));
    switch (entry_of(f.node).gen) {
    case Gen::coredump_filter: {
        // Linux's proc_coredump_filter_write: the bits of MMF_DUMP_FILTER (0..8) are kept.
        const u64 v = TRY(parse_uint(text, n));
        g_coredump_filter = u32(v & 0x1ff);
        break;
    }
    case Gen::comm: {
        // comm_write: up to TASK_COMM_LEN - 1 bytes, taken as they are.
        sched::Thread* t = thread_of(f.node);
        if (!t) return Errno::ESRCH;
        memset(t->name, 0, sizeof t->name);
        memcpy(t->name, text, n < sizeof t->name - 1 ? n : sizeof t->name - 1);
        break;
    }
    default:
        return Errno::EINVAL;
    }
    return count;
}

Result<u64> seek(ProcFile& f, i64 offset, u32 whence) {
    constexpr u32 SEEK_SET = 0, SEEK_CUR = 1;
    i64 target;
    if (whence == SEEK_SET)
        target = offset;
    else if (whence == SEEK_CUR)
        target = i64(f.position) + offset;
    else
        return Errno::EINVAL;
    if (target < 0) return Errno::EINVAL;
    if (is_dir(f.node)) {
        if (target == 0) TRY(generate(f)); // rewinddir sees the current entries
        // getdents64 starts at a record: the one at or after the offset (telldir's are exact).
        usize at = 0;
        while (at < f.size && at < u64(target)) {
            u16 reclen;
            memcpy(&reclen, f.data + at + 16, sizeof reclen);
            at += reclen;
        }
        f.position = at;
        return at;
    }
    f.position = u64(target);
    return u64(target);
}

Result<u64> getdents64(ProcFile& f, u64 user_buf, u64 count) {
    if (!is_dir(f.node)) return Errno::ENOTDIR;
    if (f.flags & O_PATH) return Errno::EBADF;
    JVMOS_ASSERT(f.position >= f.size || f.position % 8 == 0); // seek() keeps it on a record
    // Whole records from the position (a record's d_off is where the next starts).
    usize end = usize(f.position);
    while (end < f.size) {
        u16 reclen;
        memcpy(&reclen, f.data + end + 16, sizeof reclen);
        if (end + reclen - f.position > count) break;
        end += reclen;
    }
    if (end == f.position && end < f.size) return Errno::EINVAL;
    const u64 n = end > f.position ? end - f.position : 0;
    if (n) TRY(kernel::current_address_space().copy_to_user(user_buf, f.data + f.position, n));
    f.position = end > f.position ? end : f.position;
    return n;
}

Attr attributes(const ProcFile& f) {
    return attributes(f.node);
}

u64 fs_magic(const ProcFile& f) {
    return in_cgroupfs(f.node) ? CGROUP2_MAGIC : in_sysfs(f.node) ? SYSFS_MAGIC : PROC_SUPER_MAGIC;
}

const Node& node_of(const ProcFile& f) {
    return f.node;
}

void note_elf(const proc::ElfImage& image, u64 bias, const char* path, u64 dev, u64 ino,
              ImageRole role) {
    const char* name = path;
    if (role == ImageRole::interpreter) {
        const usize n = strnlen(path, PATH_MAX - 1);
        memcpy(g_interp_path, path, n);
        g_interp_path[n] = 0;
        name = g_interp_path;
    }
    for (usize i = 0; i < image.load_count && g_named_count < MAX_NAMED; i++) {
        const proc::ElfLoad& l = image.loads[i];
        if (l.filesz) {
            // The pages that hold file bytes; the bss beyond them is anonymous memory.
            g_named[g_named_count++] = {align_down(l.vaddr + bias, PAGE_SIZE),
                                        align_up(l.vaddr + bias + l.filesz, PAGE_SIZE),
                                        align_down(l.offset, PAGE_SIZE),
                                        dev,
                                        ino,
                                        name};
        }
        if (role != ImageRole::program) continue;
        if (l.prot & proc::ELF_PROT_EXEC) {
            if (!g_layout.start_code) g_layout.start_code = l.vaddr + bias;
            g_layout.end_code = l.vaddr + bias + l.filesz;
        } else if ((l.prot & proc::ELF_PROT_WRITE) && !g_layout.start_data) {
            g_layout.start_data = l.vaddr + bias;
            g_layout.end_data = l.vaddr + bias + l.filesz;
        }
    }
}

void note_vdso(u64 start, u64 end) {
    g_vdso_start = start;
    g_vdso_end = end;
}

void note_stack(u64 start_stack, u64 arg_start, u64 arg_end, u64 env_start, u64 env_end) {
    g_layout.start_stack = start_stack;
    g_layout.arg_start = arg_start;
    g_layout.arg_end = arg_end;
    g_layout.env_start = env_start;
    g_layout.env_end = env_end;
}

} // namespace jvmos::procfs
