// jvmos: runs a Linux x86-64 program on the libjvmos guest kernel in a new KVM virtual machine.
// Wiring only: parse the command line, start or reach linux-proxy, create the VM and the relay,
// load the kernel, run vCPU 0, and turn the outcome into this process's exit status.
#include "cli.h"
#include "guest_memory.h"
#include "layout.h"
#include "loader.h"
#include "proxy_launch.h"
#include "relay.h"
#include "stats_report.h"
#include "vm.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <climits>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <optional>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>
#include <x86intrin.h>

extern char** environ;

namespace jvmos::boot {
namespace {

constexpr int EXIT_USAGE = 2;
constexpr int EXIT_NOT_FOUND = 127;   // like a shell
constexpr int EXIT_CANNOT_EXEC = 126; // like a shell
constexpr int EXIT_SETUP = 1;

// What the monitor does for the guest's host requests: diagnostics to its stderr (or stdout
// for `--syscalls`), and connecting the ship ring to the relay.
class ProcessHost final : public HostServices {
public:
    explicit ProcessHost(int log_fd) : m_log_fd(log_fd) {}
    void log(std::string_view text) override {
        (void)!::write(m_log_fd, text.data(), text.size());
    }
    int64_t ship_setup(uint64_t ring_gpa) override {
        return m_relay ? m_relay->setup(GuestPhysAddr{ring_gpa}) : -ENOSYS;
    }
    void attach(Relay& relay) { m_relay = &relay; }

private:
    Relay* m_relay = nullptr;
    int m_log_fd;
};

// How the relay's reports reach vCPU 0 (and the user).
class MonitorEvents final : public RelayEvents {
public:
    explicit MonitorEvents(Vcpu& vcpu) : m_vcpu(vcpu) {}

    void guest_fault(std::string report) override {
        m_vcpu.request_stop({ExitAction::Kind::Panic, JVMOS_EXIT_PANIC,
                             "guest kernel bug in the ship ring: " + report});
    }
    void connection_lost() override {
        m_lost.store(true);
        m_vcpu.request_stop({ExitAction::Kind::Killed, EXIT_PROXY_LOST, LOST_MESSAGE});
        // Backstop in case vCPU 0 does not come back (stuck in a host call): the process ends
        // well within two seconds of the loss either way.
        std::thread([reported = m_reported] {
            std::this_thread::sleep_for(std::chrono::milliseconds(1500));
            if (!reported->exchange(true)) std::fprintf(stderr, "jvmos: %s\n", LOST_MESSAGE);
            std::fflush(stderr);
            _exit(EXIT_PROXY_LOST);
        }).detach();
    }
    void relay_failed(std::string what) override {
        m_vcpu.request_stop(
            {ExitAction::Kind::Panic, JVMOS_EXIT_PANIC, "the relay failed: " + what});
    }

    bool connection_lost_seen() const { return m_lost.load(); }
    // The one report of the loss: prints it unless the backstop already has, then ends the
    // process (the proxy is gone; there is nothing left to tear down politely).
    [[noreturn]] void exit_for_lost_connection() {
        if (!m_reported->exchange(true)) std::fprintf(stderr, "jvmos: %s\n", LOST_MESSAGE);
        std::fflush(stderr);
        _exit(EXIT_PROXY_LOST);
    }

    static constexpr int EXIT_PROXY_LOST = 1;
    static constexpr const char* LOST_MESSAGE = "linux-proxy connection lost";

private:
    Vcpu& m_vcpu;
    std::atomic<bool> m_lost{false};
    std::shared_ptr<std::atomic<bool>> m_reported = std::make_shared<std::atomic<bool>>(false);
};

std::string self_dir() {
    char buf[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0) return ".";
    std::string p(buf, size_t(n));
    return p.substr(0, p.rfind('/'));
}

[[noreturn]] void die(int status, const std::string& message) {
    std::fprintf(stderr, "jvmos: %s\n", message.c_str());
    std::exit(status);
}

// The guest kernel reads and validates the whole image through the shipper; these checks of
// its header only give the user a clear message for the common mistakes before a VM exists.
void check_program(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) die(EXIT_CANNOT_EXEC, path + ": " + std::strerror(errno));
    std::vector<uint8_t> bytes(20);
    in.read(reinterpret_cast<char*>(bytes.data()), std::streamsize(bytes.size()));
    if (in.gcount() < 20 || std::memcmp(bytes.data(), "\x7f" "ELF", 4) != 0)
        die(EXIT_CANNOT_EXEC, path + ": not an ELF executable");
    uint16_t machine;
    std::memcpy(&machine, bytes.data() + 18, 2);
    if (bytes[4] != 2 || bytes[5] != 1 || machine != 62)
        die(EXIT_CANNOT_EXEC, path + ": not an x86-64 program (wrong architecture)");
}

// A colocated proxy sees the same file system: name a missing mount directory precisely before
// the proxy can only answer ENOENT for the whole session.
void check_host_directories(const SessionPlan& session) {
    for (const auto& m : session.mounts) {
        struct stat st;
        if (stat(m.host_path.c_str(), &st) < 0)
            throw std::runtime_error("cannot mount " + m.host_path + ": " + std::strerror(errno));
        if (!S_ISDIR(st.st_mode))
            throw std::runtime_error("cannot mount " + m.host_path + ": " + std::strerror(ENOTDIR));
    }
}

// Host signals for the guest: the handler only ORs a bit into the boot info (which the guest
// reads) and raises the guest's ship interrupt — both async-signal-safe.
volatile uint64_t* g_host_signals;
int g_signal_irq_fd = -1;

extern "C" void forward_signal(int sig) {
    __atomic_fetch_or(g_host_signals, 1ull << (sig - 1), __ATOMIC_SEQ_CST);
    const uint64_t one = 1;
    (void)!::write(g_signal_irq_fd, &one, sizeof one);
}

void forward_host_signals(jvmos_boot_info* boot, int irq_fd) {
    g_host_signals = &boot->host_signals;
    g_signal_irq_fd = irq_fd;
    struct sigaction sa {};
    sa.sa_handler = forward_signal;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    // Always forwarded: whether the program ignores one is its disposition's business (the
    // caller's ignored signals start out ignored in the guest, and a program may change that).
    for (int sig : {SIGINT, SIGTERM, SIGQUIT, SIGHUP}) sigaction(sig, &sa, nullptr);
}

int run(const Options& opts, const SessionPlan& session) {
    BootPlan plan;
    std::string program_path;
    const bool no_program = opts.kernel_bench || opts.list_syscalls;
    if (!no_program) {
        auto found = find_program(opts.program_argv[0], std::getenv("PATH"));
        if (!found) die(EXIT_NOT_FOUND, opts.program_argv[0] + ": command not found");
        program_path = *found;
        if (access(program_path.c_str(), X_OK) != 0)
            die(EXIT_CANNOT_EXEC, program_path + ": Permission denied");
        check_program(program_path);
        plan.argv = opts.program_argv;
        plan.execfn = program_path;
    }
    for (char** e = environ; *e; e++) plan.envp.emplace_back(*e);
    plan.flags = (opts.strace ? JVMOS_BOOT_STRACE : 0) |
                 (opts.kernel_bench ? JVMOS_BOOT_KERNEL_BENCH : 0) |
                 (opts.list_syscalls ? JVMOS_BOOT_LIST_SYSCALLS : 0) |
                 (opts.stats ? JVMOS_BOOT_STATS : 0);
    if (no_program) {
        plan.cpus = 1; // the kernel benchmark and the table need no other vCPU
    } else if (opts.cpus) {
        plan.cpus = opts.cpus;
    } else {
        const long online = sysconf(_SC_NPROCESSORS_ONLN);
        plan.cpus = uint32_t(std::clamp<long>(online, 1, JVMOS_MAX_CPUS));
    }

    // linux-proxy first: started beside us (it inherits our stdio), or reached at --proxy.
    std::optional<ProxyLink> link;
    if (opts.proxy) {
        link.emplace(ProxyLink::connect(*opts.proxy));
    } else {
        check_host_directories(session);
        link.emplace(ProxyLink::start(self_dir() + "/jvmos-proxy"));
    }

    Kvm kvm;
    GuestMemory memory(opts.mem);
    Vm vm(kvm, memory);
    Vcpu vcpu0(vm, 0);
    // The ship ring's doorbell and completion interrupt, registered before the guest runs.
    const int doorbell_fd = vm.add_doorbell(JVMOS_PORT_DOORBELL);
    const int irq_fd = vm.add_msi_irqfd(/*dest_apic_id=*/0, JVMOS_SHIP_VECTOR);

    MonitorEvents events(vcpu0);
    std::optional<Relay> relay;
    {
        RelayConfig config;
        config.proxy_socket = link->take_socket();
        config.stdio = link->stdio_mode();
        config.session = session;
        config.doorbell_fd = doorbell_fd;
        config.irq_fd = irq_fd;
        // The relay polls the ring only when the host has cores to spare: the vCPU (which
        // spins while its call is short), the relay and the proxy each want one, and on a
        // 2-core host a polling relay starves the proxy (measured: fstat p50 440 us polling,
        // against ~50 us with the relay blocking on the doorbell).
        if (sysconf(_SC_NPROCESSORS_ONLN) < 4) config.spin = std::chrono::microseconds(0);
        try {
            relay.emplace(memory, events, std::move(config));
        } catch (const RelayStartError& e) {
            if (e.refused()) throw;
            if (opts.proxy)
                throw std::runtime_error("cannot connect to linux-proxy at " + opts.proxy->text +
                                         ": " + e.what());
            std::string why = e.what();
            // The usual reason: the child could not run (bad binary, crashed at startup).
            for (int i = 0; i < 100 && link->child_exit_status().empty(); i++) usleep(1000);
            if (const std::string status = link->child_exit_status(); !status.empty())
                why += " (" + status + ")";
            throw std::runtime_error("cannot start linux-proxy: " + why);
        }
    }

    const bool pvm = vcpu0.host_is_pvm();
    if (pvm) plan.flags |= JVMOS_BOOT_HOST_PVM;
    switch (opts.backend) {
    case BackendChoice::Auto: plan.backend = pvm ? JVMOS_BACKEND_PV : JVMOS_BACKEND_HW; break;
    case BackendChoice::Hardware: plan.backend = JVMOS_BACKEND_HW; break;
    case BackendChoice::Paravirtual:
        if (!pvm) die(EXIT_SETUP, "--backend pv needs a kvm_pvm host; this host is not one");
        plan.backend = JVMOS_BACKEND_PV;
        break;
    }

    const std::string kernel_path =
        opts.kernel_image.empty() ? self_dir() + "/libjvmos.elf" : opts.kernel_image;
    LoadedKernel kernel = load_kernel(memory, kernel_path);
    const uint64_t boot_info_gpa = write_boot_data(memory, kernel, plan);

    const auto cpuid = kvm.supported_cpuid();
    vcpu0.configure_cpuid_and_apic(cpuid);
    // Guest TSC = host TSC, so the boot clock samples convert guest TSC readings to host time.
    vcpu0.set_tsc(__rdtsc());
    stamp_boot_time(memory, boot_info_gpa, vcpu0.tsc_khz());
    const uint64_t bi_va = layout::physmap(boot_info_gpa);
    const jvmos_boot_info* bi = memory.object<jvmos_boot_info>({boot_info_gpa});
    vcpu0.set_boot_state({kernel.entry, bi->boot_stack_top, bi_va, bi->pml4_gpa,
                          layout::physmap(bi->gdt_gpa[0]), JVMOS_GDT_ENTRIES * 8 - 1,
                          layout::physmap(bi->tss_gpa[0])});
    if (plan.backend == JVMOS_BACKEND_HW) vcpu0.enable_xsave(cpuid);
    // The other vCPUs enter the kernel at the same entry with RSI = their index and pick their
    // own boot stack; they wait there until vCPU 0 has booted the kernel.
    std::vector<std::unique_ptr<Vcpu>> aps;
    for (uint32_t c = 1; c < plan.cpus; c++) {
        auto ap = std::make_unique<Vcpu>(vm, c);
        ap->configure_cpuid_and_apic(cpuid);
        ap->set_tsc(__rdtsc());
        ap->set_boot_state({kernel.entry, 0, bi_va, bi->pml4_gpa, layout::physmap(bi->gdt_gpa[c]),
                            JVMOS_GDT_ENTRIES * 8 - 1, layout::physmap(bi->tss_gpa[c]), c});
        if (plan.backend == JVMOS_BACKEND_HW) ap->enable_xsave(cpuid);
        aps.push_back(std::move(ap));
    }

    // Signals sent to jvmos (Ctrl-C, kill) go to the program, as if sent to it on Linux.
    forward_host_signals(memory.object<jvmos_boot_info>({boot_info_gpa}), irq_fd);

    // The kernel's text goes to stderr, except the table `--syscalls` asked for.
    ProcessHost host(opts.list_syscalls ? STDOUT_FILENO : STDERR_FILENO);
    host.attach(*relay);
    // Whichever vCPU ends the program (exit, death by signal, panic) stops all the others.
    std::vector<std::thread> ap_threads;
    for (auto& ap : aps)
        ap_threads.emplace_back([&vcpu0, &host, ap = ap.get()] {
            ExitAction a = ap->run(host);
            vcpu0.request_stop(a);
        });
    const auto started = std::chrono::steady_clock::now();
    ExitAction action = vcpu0.run(host);
    for (auto& ap : aps) ap->request_stop({ExitAction::Kind::Exit, action.status, {}});
    for (auto& t : ap_threads) t.join();
    const auto finished = std::chrono::steady_clock::now();
    // --stats: what the run cost, on stderr after anything the program's end printed.
    const auto report_stats = [&] {
        if (!opts.stats) return;
        RunStats stats;
        stats.wall_ns = uint64_t(
            std::chrono::duration_cast<std::chrono::nanoseconds>(finished - started).count());
        stats.cpus = plan.cpus;
        stats.guest = read_guest_stats(memory, {boot_info_gpa}, plan.cpus, vcpu0.tsc_khz());
        stats.exits = vcpu0.exit_counts();
        for (const auto& ap : aps) stats.exits.add(ap->exit_counts());
        std::fputs(format_stats_report(stats).c_str(), stderr);
        std::fflush(stderr);
    };
    if (events.connection_lost_seen()) {
        report_stats();
        events.exit_for_lost_connection();
    }
    switch (action.kind) {
    case ExitAction::Kind::Exit: report_stats(); return action.status;
    case ExitAction::Kind::Killed:
        if (!action.message.empty()) std::fprintf(stderr, "jvmos: %s\n", action.message.c_str());
        report_stats();
        return action.status;
    case ExitAction::Kind::Panic:
    case ExitAction::Kind::Resume:
        break;
    }
    std::fprintf(stderr, "jvmos: %s\n%s\n", action.message.c_str(),
                 vcpu0.describe_registers().c_str());
    report_stats();
    return JVMOS_EXIT_PANIC;
}

} // namespace
} // namespace jvmos::boot

int main(int argc, char** argv) {
    using namespace jvmos::boot;
    Options opts;
    try {
        opts = parse_command_line(std::vector<std::string>(argv + 1, argv + argc));
    } catch (const UsageError& e) {
        die(EXIT_USAGE, e.what());
    }
    if (opts.command == Command::Help) {
        std::fputs(usage_text(), stdout);
        return 0;
    }
    if (opts.command == Command::Version) {
        std::printf("jvmos %s (guest ABI %u)\n", JVMOS_VERSION, JVMOS_ABI_VERSION);
        return 0;
    }
    SessionPlan session;
    try {
        char cwd[PATH_MAX];
        if (!getcwd(cwd, sizeof cwd))
            die(EXIT_SETUP, std::string("cannot determine the current directory: ") +
                                std::strerror(errno));
        session = plan_session(opts, cwd);
    } catch (const UsageError& e) {
        die(EXIT_USAGE, e.what());
    }
    // A closed stdout must surface as EPIPE to the guest, not kill the monitor (nor the proxy,
    // which inherits this disposition).
    std::signal(SIGPIPE, SIG_IGN);
    try {
        return run(opts, session);
    } catch (const std::exception& e) {
        die(EXIT_SETUP, e.what());
    }
}
