#include "kernel/process.h"

#include "arch/x86_64/arch.h"
#include "arch/x86_64/cpu.h"
#include "base/format.h"
#include "base/path.h"
#include "vdso/vdso_data.h"
#include "vdso_offsets.h"
#include "base/string.h"
#include "kernel/boot.h"
#include "kernel/files.h"
#include "kernel/fork.h"
#include "shipper/guest/ship.h"
#include "signal/signal.h"
#include "kernel/host.h"
#include "kernel/memory.h"
#include "kernel/panic.h"
#include "kernel/procfs.h"
#include "kernel/stats.h"
#include "proc/elf.h"
#include "proc/initial_stack.h"
#include "proc/loader.h"
#include "sched/smp.h"

#include <new>

extern "C" char __kernel_start[], __kernel_end[]; // kernel.ld
extern "C" const jvmos::u8 jvmos_vdso_image[], jvmos_vdso_image_end[]; // vdso_blob.S

namespace jvmos::kernel {
namespace {

constexpr u64 STACK_TOP = JVMOS_USER_TOP;          // like Linux without randomisation
constexpr u64 MAX_STACK_RESERVATION = 64 * MiB;    // cap for an unlimited RLIMIT_STACK
constexpr u64 MMAP_GAP_MIN = 128 * MiB;            // Linux's minimum gap below the stack
constexpr u64 RLIM_INFINITY = ~u64(0);

// Static storage for the singletons (no global constructors in the kernel).
alignas(Process) u8 g_process_storage[sizeof(Process)];
alignas(mm::AddressSpace) u8 g_as_storage[sizeof(mm::AddressSpace)];
Process* g_process;

const char* signal_description(int sig) {
    switch (sig) {
    case 4: return "SIGILL (Illegal instruction)";
    case 5: return "SIGTRAP (Trace/breakpoint trap)";
    case 6: return "SIGABRT (Aborted)";
    case 7: return "SIGBUS (Bus error)";
    case 8: return "SIGFPE (Floating point exception)";
    case 11: return "SIGSEGV (Segmentation fault)";
    default: return "a signal";
    }
}

struct LinuxSignal {
    int signal;
    bool has_address;
};

// The signal Linux sends for a CPU exception in user mode.
LinuxSignal signal_for_vector(u64 vector) {
    switch (vector) {
    case 0: return {8, false};   // #DE -> SIGFPE (FPE_INTDIV)
    case 1: case 3: return {5, false}; // #DB, #BP -> SIGTRAP
    case 4: case 5: return {11, false}; // #OF, #BR -> SIGSEGV
    case 6: return {4, false};   // #UD -> SIGILL
    case 7: case 16: case 19: return {8, false}; // x87/SIMD -> SIGFPE
    case 13: return {11, false}; // #GP -> SIGSEGV
    case 12: return {7, false};  // #SS -> SIGBUS
    case 17: return {7, true};   // #AC -> SIGBUS
    case 14: return {11, true};  // #PF
    default: return {11, false};
    }
}

u64 read_random_u64() {
    u64 v;
    for (int i = 0; i < 32; i++)
        if (arch::rdrand64(&v)) return v;
    // No entropy instruction answered: fall back to the TSC (weak, but never zero).
    return arch::rdtsc() * 0x9e3779b97f4a7c15ull;
}

[[noreturn]] void fail_to_start(const char* what, Errno e) {
    char line[256];
    usize n = format(line, sizeof line, "jvmos: %s: %s\n", what, errno_message(e));
    host_log(line, n);
    host_exit(e == Errno::ENOEXEC ? 126 : 127);
}

struct ProgramImage {
    u8* bytes;
    usize size;
    u64 dev, ino; // the file's st_dev and st_ino (/proc/<pid>/maps)
};

// Resolves every symbolic link in the absolute guest path `path` (in place, like realpath(3)),
// through the shipper: /proc/self/exe names the real file (the JDK's launcher finds its
// installation from it, and /usr/bin/java is a chain of links).
void resolve_symlinks(char* path, usize cap) {
    char target[4096];
    for (int links = 0; links < 40;) {
        bool changed = false;
        // Try each prefix "/a", "/a/b", ... for a link.
        for (usize end = 1; path[end - 1] && !changed; end++) {
            if (path[end] != '/' && path[end] != 0) continue;
            const char saved = path[end];
            path[end] = 0;
            shipper::Call c = shipper::begin(JVMOS_SHIP_READLINKAT, root_handle());
            Result<u32> len = c.put_path(path, end);
            path[end] = saved;
            if (len.is_error()) return;
            c.slot().in_len = len.value();
            c.slot().args[0] = sizeof target - 1;
            if (shipper::call(c).is_error()) continue; // EINVAL: not a link
            const usize n = c.slot().out_len < sizeof target - 1 ? c.slot().out_len : sizeof target - 1;
            memcpy(target, c.data(), n);
            target[n] = 0;
            // Replace the prefix by the link target (relative to the link's directory).
            char rest[4096];
            usize rest_len = strlen(path + end);
            if (rest_len >= sizeof rest) return;
            memcpy(rest, path + end, rest_len + 1);
            char dir[4096];
            usize d = end;
            while (d > 0 && path[d - 1] != '/') d--;
            memcpy(dir, path, d);
            dir[d ? d : 1] = 0;
            if (d == 0) dir[0] = '/';
            char joined[4096];
            if (normalize_path(dir, target, joined, sizeof joined).is_error()) return;
            const usize jl = strlen(joined);
            if (jl + rest_len + 1 > cap) return;
            memcpy(path, joined, jl);
            memcpy(path + jl, rest, rest_len + 1);
            changed = true;
            links++;
        }
        if (!changed) return;
    }
}

// Maps the vDSO (clock_gettime & co. without a trap) at the top of the mmap area and fills its
// data with the boot clock samples. Returns its address for AT_SYSINFO_EHDR, 0 if it could
// not be mapped (glibc then makes the syscalls).
u64 map_vdso(mm::AddressSpace& as) {
    const usize size = usize(jvmos_vdso_image_end - jvmos_vdso_image);
    const u64 len = align_up(size > JVMOS_VDSO_DATA_OFFSET + sizeof(jvmos_vdso_data)
                                 ? size
                                 : JVMOS_VDSO_DATA_OFFSET + sizeof(jvmos_vdso_data),
                             PAGE_SIZE);
    constexpr u32 PRIVATE_ANON = 0x02 | 0x20;
    Result<u64> base = as.map_anonymous(0, len, mm::LINUX_PROT_READ | mm::LINUX_PROT_EXEC,
                                        PRIVATE_ANON, mm::RegionKind::Image);
    if (base.is_error()) return 0;
    jvmos_vdso_data data{};
    const jvmos_boot_info& b = boot_info();
    data.magic = JVMOS_VDSO_MAGIC;
    data.boot_tsc = b.boot_tsc;
    data.boot_realtime_ns = b.boot_realtime_ns;
    data.boot_monotonic_ns = b.boot_monotonic_ns;
    data.ns_mult = (u64(1000000) << 32) / (b.tsc_khz ? b.tsc_khz : 1000000);
    data.ready = 1;
    if (as.fill_user(base.value(), jvmos_vdso_image, size).is_error() ||
        as.fill_user(base.value() + JVMOS_VDSO_DATA_OFFSET, &data, sizeof data).is_error()) {
        (void)as.unmap(base.value(), len);
        return 0;
    }
    return base.value();
}

// The path given to "execve" (AT_EXECFN): the last string of the boot info's block.
const char* exec_path(const jvmos_boot_info& boot) {
    const char* s = gpa_to_kernel_va<const char>(boot.strings_gpa);
    for (u32 i = 0; i < boot.argc + boot.envc; i++) s += strlen(s) + 1;
    return s;
}

// Reads a whole file (the program, its interpreter) into kernel memory through the shipper;
// relative paths are relative to the working directory.
Result<ProgramImage> read_file(const char* path) {
    shipper::Call open = shipper::begin(JVMOS_SHIP_OPENAT, cwd()->handle);
    open.slot().in_len = TRY(open.put_path(path, strlen(path)));
    open.slot().args[0] = 0; // O_RDONLY
    TRY(shipper::call(open));
    const u32 handle = open.slot().new_handle;
    i64 size = 0;
    memcpy(&size, open.data() + 48, sizeof size); // struct stat's st_size
    u64 dev, ino;
    memcpy(&dev, open.data(), sizeof dev); // st_dev
    memcpy(&ino, open.data() + 8, sizeof ino); // st_ino
    if (size <= 0 || u64(size) > 1 * GiB) {
        shipper::release(handle);
        return Errno::ENOEXEC;
    }
    auto* bytes = static_cast<u8*>(heap().allocate(usize(size), 16));
    if (!bytes) {
        shipper::release(handle);
        return Errno::ENOMEM;
    }
    usize done = 0;
    while (done < usize(size)) {
        const usize n = usize(size) - done < shipper::Call::DATA_CAPACITY ? usize(size) - done
                                                                         : shipper::Call::DATA_CAPACITY;
        shipper::Call c = shipper::begin(JVMOS_SHIP_PREAD, handle);
        c.slot().args[0] = n;
        c.slot().args[1] = done;
        Result<i64> r = shipper::call(c);
        if (r.is_error() || c.slot().out_len == 0) {
            shipper::release(handle);
            heap().deallocate(bytes, usize(size));
            return r.is_error() ? r.error() : Errno::EIO;
        }
        memcpy(bytes + done, c.data(), c.slot().out_len);
        done += c.slot().out_len;
    }
    shipper::release(handle);
    return ProgramImage{bytes, usize(size), dev, ino};
}

} // namespace

Process& current_process() {
    // Idle threads (interrupts on an idle vCPU) act for the first process.
    const Thread* t = sched::current();
    return (t && t->process) ? *t->process : *g_process;
}
Process& first_process() { return *g_process; }

namespace {
mm::Access fault_access(u64 error) {
    return (error & 0x10) ? mm::Access::Execute
           : (error & 0x2) ? mm::Access::Write
                           : mm::Access::Read;
}
} // namespace

bool try_fast_fault(const arch::TrapFrame& frame, u64 fault_address) {
    const u64 start = stats::timestamp();
    mm::FastFault how{};
    if (!current_address_space().try_fault_fast(fault_address, fault_access(frame.error), how))
        return false;
    stats::fast_fault_end(start, how.was_mapped, how.large);
    return true;
}

void handle_user_exception(arch::TrapFrame& frame, u64 fault_address) {
    // A "user-mode" exception at a kernel address is not the program's: kvm_pvm hosts without
    // the paravirtual native mode run the kernel's syscall entry at user privilege, so the
    // hardware backend's first privileged instruction there faults.
    if (frame.rip >= reinterpret_cast<u64>(__kernel_start) &&
        frame.rip < reinterpret_cast<u64>(__kernel_end))
        panic_with_frame(frame, fault_address,
                         "kernel code ran at user privilege (CPU exception %llu); on a kvm_pvm "
                         "host the hardware-virtualisation backend cannot take syscalls: use "
                         "--backend pv", (unsigned long long)frame.vector);
    if (frame.vector == 14) {
        const mm::Access access = fault_access(frame.error);
        mm::AddressSpace& as = current_address_space();
        const stats::FaultProbe probe = stats::fault_begin(as, fault_address);
        const mm::FaultOutcome outcome = as.handle_fault(fault_address, access);
        stats::fault_end(probe, as, fault_address, outcome);
        if (outcome == mm::FaultOutcome::Resolved) return;
        signal::SigInfo info{};
        info.addr = fault_address;
        if (outcome == mm::FaultOutcome::OutOfMemory) {
            info.signo = signal::SIGBUS;
            info.code = signal::BUS_ADRERR;
        } else {
            info.signo = signal::SIGSEGV;
            info.code = outcome == mm::FaultOutcome::BadAccess ? signal::SEGV_ACCERR
                                                               : signal::SEGV_MAPERR;
        }
        signal::force_fault_signal(frame, info);
        return;
    }
    // Linux's codes: #DE is FPE_INTDIV at the instruction, #UD ILL_ILLOPN, #BP a kernel-sent
    // SIGTRAP, #GP a SIGSEGV with no address.
    const LinuxSignal s = signal_for_vector(frame.vector);
    signal::SigInfo info{};
    info.signo = s.signal;
    switch (frame.vector) {
    case 0: info.code = signal::FPE_INTDIV; info.addr = frame.rip; break;
    case 6: info.code = signal::ILL_ILLOPN; info.addr = frame.rip; break;
    case 3: info.code = signal::SI_KERNEL; break;
    default: info.code = signal::SI_KERNEL; info.addr = s.has_address ? fault_address : 0; break;
    }
    signal::force_fault_signal(frame, info);
}

// --strace's summary: shipped calls are a metric we drive down (caching read-only mounts,
// zero-copy mappings), so every traced run reports its count.
static void trace_summary() {
    if (g_process && g_process->strace)
        log("jvmos: %llu shipped calls\n", (unsigned long long)shipper::calls_completed());
}

// What the program wrote to MAP_SHARED file mappings reaches the files, as Linux's page cache
// writes it back whatever way the process ends. Once: a second thread ending the process
// while the first one's write-back blocks must not start another.
static bool g_ending;
bool jvmos_ending() { return g_ending; }

static void write_back_shared_mappings() {
    static bool started;
    if (started || !g_process) return;
    started = true;
    g_ending = true; // from now on no address space is freed (a write-back may be inside it)
    // Every process's: the others end with jvmos (as if killed), and Linux writes theirs back.
    // The address spaces are listed first: the write-backs block, and processes may come and
    // go meanwhile (their address spaces stay: jvmos_ending()).
    const usize n = process_count();
    auto* spaces = static_cast<mm::AddressSpace**>(heap().allocate(n * sizeof(void*), 8));
    if (!spaces) {
        current_address_space().sync_all();
        return;
    }
    usize count = 0;
    for (Process* p = all_processes(); p && count < n; p = p->all_next)
        if (p->address_space) spaces[count++] = p->address_space;
    for (usize i = 0; i < count; i++) spaces[i]->sync_all();
}

void exit_process(int status) {
    if (&current_process() != g_process) end_child_process((status & 0xff) << 8);
    write_back_shared_mappings();
    sched::account_halted_cpus();
    trace_summary();
    host_exit(status);
}

void kill_process(int signal, const arch::TrapFrame* frame, u64 fault_address) {
    // jvmos writes no core file, and Linux sets the status's core flag (0x80) only when it
    // wrote one: a child's status is the bare signal number.
    if (&current_process() != g_process) end_child_process(signal & 0x7f);
    write_back_shared_mappings();
    sched::account_halted_cpus();
    trace_summary();
    static char report[256];
    usize n;
    // Like a shell, only the signals whose default action dumps core get a report line; a
    // program ended by SIGPIPE (a closed pipe) or SIGTERM ends quietly.
    const bool core = signal == 3 || signal == 4 || signal == 5 || signal == 6 || signal == 7 ||
                      signal == 8 || signal == 11 || signal == 24 || signal == 25 || signal == 31;
    if (!core)
        n = 0;
    else if (frame)
        n = format(report, sizeof report,
                   "program killed by %s (CPU exception %llu, error %#llx) at rip %#llx, address %#llx",
                   signal_description(signal), (unsigned long long)frame->vector,
                   (unsigned long long)frame->error, (unsigned long long)frame->rip,
                   (unsigned long long)fault_address);
    else
        n = format(report, sizeof report, "program killed by signal %d", signal);
    host_killed(signal, report, n < sizeof report ? n : sizeof report - 1);
}

void start_first_process(const jvmos_boot_info& boot) {
    memory_init(boot);
    // The stats block's address goes into the boot info's OUT fields (guest RAM, writable).
    stats::init(const_cast<jvmos_boot_info&>(boot));
    const bool pv = arch::is_pv();

    // The process and its address space, in the boot page table (the kernel half is the
    // physmap the monitor built; the PV backend adds the user-half-only root beside it).
    mm::PageTableOptions pt{};
    pt.pv_user_root = pv;
    pt.user_bit_on_tables = boot.flags & JVMOS_BOOT_HOST_PVM;
    auto* as = new (g_as_storage) mm::AddressSpace(frames(), heap(), boot.pml4_gpa, pt);
    as->set_file_backing(&file_backing());
    auto* p = new (g_process_storage) Process{};
    g_process = p;
    p->address_space = as;
    p->pid = boot.pid;
    p->ppid = boot.ppid;
    p->uid = boot.uid;
    p->euid = boot.euid;
    p->gid = boot.gid;
    p->egid = boot.egid;
    p->strace = boot.flags & JVMOS_BOOT_STRACE;
    p->pgid = boot.pgid;
    p->sid = boot.sid;
    p->state = ProcessState::Running;
    p->threads = 1;
    p->umask = 022;
    register_first_process(p);
    for (auto& rl : p->rlimits) rl = {RLIM_INFINITY, RLIM_INFINITY};
    p->rlimits[3] = {boot.rlimit_stack.cur, boot.rlimit_stack.max};   // RLIMIT_STACK
    p->rlimits[7] = {boot.rlimit_nofile.cur, boot.rlimit_nofile.max}; // RLIMIT_NOFILE
    p->rlimits[4] = {0, RLIM_INFINITY};                               // RLIMIT_CORE
    for (int sig = 1; sig <= NSIG; sig++)
        if (boot.ignored_signals & (1ull << (sig - 1))) p->actions[sig].handler = 1; // SIG_IGN
    // The main thread (its tid is the pid), with its kernel stack and extended-state area.
    Result<Thread*> main_thread = sched::init(boot.pid);
    if (main_thread.is_error()) panic("out of memory creating the first thread");
    Thread* t = main_thread.value();
    t->process = p;
    p->main_thread = t;

    // Shipping (files, pipes, the terminal), the standard fds and the working directory.
    shipper::init();
    files_init();

    // The program, read through the shipper like any file (relative to the working directory).
    Result<ProgramImage> program = read_file(exec_path(boot));
    if (normalize_path(cwd()->path, exec_path(boot), p->exe_path, sizeof p->exe_path).is_error())
        p->exe_path[0] = 0;
    else
        resolve_symlinks(p->exe_path, sizeof p->exe_path);
    if (program.is_error()) fail_to_start("cannot read the program", program.error());
    const u8* image = program.value().bytes;
    Result<proc::ElfImage> parsed = proc::parse_elf(image, program.value().size);
    if (parsed.is_error()) fail_to_start("the program is not a valid executable", parsed.error());
    const proc::ElfImage& elf = parsed.value();
    // Layout like Linux without randomisation: stack at the top, mmap area below a gap.
    u64 stack_size = boot.rlimit_stack.cur;
    if (stack_size == RLIM_INFINITY || stack_size > MAX_STACK_RESERVATION)
        stack_size = MAX_STACK_RESERVATION;
    stack_size = align_up(stack_size < 128 * KiB ? 128 * KiB : stack_size, PAGE_SIZE);
    const u64 gap = stack_size < MMAP_GAP_MIN ? MMAP_GAP_MIN : stack_size;
    as->set_layout(STACK_TOP - gap, 0);
    Result<proc::LoadedImage> loaded = proc::load_elf(*as, elf, image, mm::PIE_BASE);
    if (loaded.is_error()) fail_to_start("cannot load the program", loaded.error());
    as->set_layout(STACK_TOP - gap, loaded.value().end);
    procfs::note_elf(elf, loaded.value().bias, p->exe_path, program.value().dev,
                     program.value().ino, procfs::ImageRole::program);
    // The main thread's name, as execve sets it: the program file's name (15 characters).
    const char* base_name = exec_path(boot);
    for (const char* c = base_name; *c; c++)
        if (*c == '/') base_name = c + 1;
    memcpy(t->name, base_name, strnlen(base_name, sizeof t->name - 1));

    // A dynamic program: its interpreter (ld-linux) is read through the shipper like the
    // program and placed at the top of the mmap area, as Linux does; it starts first.
    u64 entry = loaded.value().entry;
    u64 interp_base = 0;
    if (elf.interp) {
        Result<ProgramImage> interp = read_file(elf.interp);
        if (interp.is_error()) fail_to_start(elf.interp, interp.error());
        Result<proc::ElfImage> iparsed = proc::parse_elf(interp.value().bytes, interp.value().size);
        if (iparsed.is_error() || iparsed.value().type != proc::ElfType::Dyn || iparsed.value().interp)
            fail_to_start(elf.interp, Errno::ELIBBAD);
        const proc::ElfImage& ielf = iparsed.value();
        Result<u64> base = as->regions().find_free(ielf.max_vaddr - ielf.min_vaddr, 0,
                                                   mm::MMAP_MIN_ADDR, as->mmap_top());
        if (base.is_error()) fail_to_start(elf.interp, Errno::ENOMEM);
        Result<proc::LoadedImage> iloaded = proc::load_elf(*as, ielf, interp.value().bytes, base.value());
        if (iloaded.is_error()) fail_to_start(elf.interp, iloaded.error());
        entry = iloaded.value().entry;
        interp_base = iloaded.value().bias;
        // /proc/<pid>/maps names the interpreter by its real path, as Linux does.
        static char interp_path[4096];
        if (normalize_path("/", elf.interp, interp_path, sizeof interp_path).is_ok())
            resolve_symlinks(interp_path, sizeof interp_path);
        procfs::note_elf(ielf, interp_base, interp_path, interp.value().dev, interp.value().ino,
                         procfs::ImageRole::interpreter);
        heap().deallocate(interp.value().bytes, interp.value().size);
    }

    const u64 vdso_base = map_vdso(*as);
    if (vdso_base) procfs::note_vdso(vdso_base, vdso_base + PAGE_SIZE);

    constexpr u32 STACK_FLAGS = 0x02 | 0x20 | 0x100 | 0x100000; // PRIVATE|ANON|GROWSDOWN|NOREPLACE
    if (as->map_anonymous(STACK_TOP - stack_size, stack_size,
                          mm::LINUX_PROT_READ | mm::LINUX_PROT_WRITE, STACK_FLAGS,
                          mm::RegionKind::Stack).is_error())
        fail_to_start("cannot map the stack", Errno::ENOMEM);

    // argv, envp, auxv.
    const char* strings = gpa_to_kernel_va<const char>(boot.strings_gpa);
    const usize nstr = boot.argc + boot.envc;
    auto** ptrs = static_cast<const char**>(heap().allocate((nstr + 1) * sizeof(char*), 8));
    if (!ptrs) panic("out of memory for the program's arguments");
    const char* s = strings;
    for (usize i = 0; i < nstr; i++) {
        ptrs[i] = s;
        s += strlen(s) + 1;
    }
    const char* execfn = s;
    u8 random16[16];
    const u64 r0 = read_random_u64(), r1 = read_random_u64();
    memcpy(random16, &r0, 8);
    memcpy(random16 + 8, &r1, 8);
    const proc::LoadedImage& li = loaded.value();
    const u64 hwcap = arch::cpuid(1).edx;
    const u64 minsigstksz = align_up(arch::xsave_area_size() + 936, 16); // Linux's sigframe size
    const proc::AuxEntry aux[] = {
        {proc::AT_MINSIGSTKSZ, minsigstksz},
        {proc::AT_HWCAP, hwcap},
        {proc::AT_PAGESZ, PAGE_SIZE},
        {proc::AT_CLKTCK, 100},
        {proc::AT_PHDR, li.phdr},
        {proc::AT_PHENT, li.phent},
        {proc::AT_PHNUM, li.phnum},
        {proc::AT_BASE, interp_base},
        {proc::AT_FLAGS, 0},
        {proc::AT_ENTRY, li.entry},
        {proc::AT_UID, boot.uid},
        {proc::AT_EUID, boot.euid},
        {proc::AT_GID, boot.gid},
        {proc::AT_EGID, boot.egid},
        {proc::AT_SECURE, 0},
        {proc::AT_HWCAP2, 0},
        {proc::AT_SYSINFO_EHDR, vdso_base},
    };
    proc::InitialStackSpec spec{};
    spec.argv = ptrs;
    spec.argc = boot.argc;
    spec.envp = ptrs + boot.argc;
    spec.envc = boot.envc;
    spec.aux = aux;
    spec.aux_count = sizeof aux / sizeof aux[0];
    spec.random16 = random16;
    spec.execfn = execfn;
    spec.platform = "x86_64";
    const usize need = align_up(proc::initial_stack_size(spec), 16);
    if (need > stack_size / 2) fail_to_start("cannot start the program", Errno::E2BIG);
    auto* buf = static_cast<u8*>(heap().allocate(need, 16));
    if (!buf) panic("out of memory for the initial stack");
    Result<u64> sp = proc::build_initial_stack(spec, buf, need, STACK_TOP);
    if (sp.is_error()) fail_to_start("cannot start the program", sp.error());
    {
        // Where the argument and environment strings landed: argv[0]'s pointer (just above
        // argc), then the strings back to back (proc/initial_stack.h).
        u64 arg_start = 0, arg_bytes = 0, env_bytes = 0;
        memcpy(&arg_start, buf + (sp.value() + 8 - (STACK_TOP - need)), sizeof arg_start);
        for (usize i = 0; i < nstr; i++)
            (i < boot.argc ? arg_bytes : env_bytes) += strlen(ptrs[i]) + 1;
        if (boot.argc == 0) arg_start = 0;
        procfs::note_stack(sp.value(), arg_start, arg_start + arg_bytes, arg_start + arg_bytes,
                           arg_start + arg_bytes + env_bytes);
    }
    if (as->copy_to_user(STACK_TOP - need, buf, need).is_error())
        fail_to_start("cannot start the program", Errno::EFAULT);
    heap().deallocate(buf, need);
    heap().deallocate(ptrs, (nstr + 1) * sizeof(char*));

    // First entry to user mode: registers zero as on Linux, fresh FPU/SSE/AVX state.
    arch::xsave_init_area(t->xsave_area);
    arch::xrstor(t->xsave_area);
    arch::set_user_fs_base(0);
    auto* frame = reinterpret_cast<arch::TrapFrame*>(t->kernel_stack_top - sizeof(arch::TrapFrame));
    memset(frame, 0, sizeof *frame);
    frame->rip = entry;
    frame->rsp = sp.value();
    frame->rflags = 0x202;
    frame->cs = JVMOS_SEL_USER_CS;
    frame->ss = JVMOS_SEL_USER_DS;
    // The kernel is ready: the other vCPUs may start scheduling (they wait for the lock that
    // this vCPU gives up on its way to user mode).
    smp::release_secondary_cpus();
    smp::exit_to_user();
    arch::enter_user(frame);
}

} // namespace jvmos::kernel
