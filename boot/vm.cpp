#include "vm.h"

#include "kvm_abi.h"
#include "layout.h"

#include <cerrno>
#include <csignal>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <string>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

namespace jvmos::boot {
namespace {

[[noreturn]] void fail(const std::string& what) {
    throw std::runtime_error(what + ": " + std::strerror(errno));
}

// PVM (shared/PVM.md): signature MSR and its expected value.
constexpr uint32_t MSR_PVM_SIGNATURE = 0x4b564d11;
constexpr uint64_t PVM_SIGNATURE = 0x4d5650;
constexpr uint32_t MSR_IA32_APICBASE = 0x1b;
constexpr uint32_t MSR_IA32_TSC = 0x10;

// struct kvm_msrs ends in a flexible array; this is its one-entry form.
struct OneMsr {
    struct {
        uint32_t nmsrs = 0;
        uint32_t pad = 0;
    } hdr;
    kvm_msr_entry entry{};
};

// The signal request_stop() sends to the vCPU thread. Its handler does nothing: the point is that
// KVM_RUN (or a blocking host call) returns EINTR.
int stop_signal() { return SIGRTMIN; }

void install_stop_handler() {
    static std::once_flag once;
    std::call_once(once, [] {
        struct sigaction sa{};
        sa.sa_handler = [](int) {};
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = 0; // no SA_RESTART: interrupted calls return EINTR
        if (sigaction(stop_signal(), &sa, nullptr) < 0) fail("sigaction");
    });
}

int new_eventfd() {
    int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (fd < 0) fail("eventfd");
    return fd;
}

} // namespace

Kvm::Kvm() {
    m_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (m_fd < 0) {
        if (errno == ENOENT)
            throw std::runtime_error("/dev/kvm does not exist: this machine does not offer KVM");
        if (errno == EACCES || errno == EPERM)
            throw std::runtime_error("no permission to open /dev/kvm (add yourself to the "
                                     "'kvm' group or run as root)");
        fail("cannot open /dev/kvm");
    }
    int version = ioctl(m_fd, KVM_GET_API_VERSION, 0);
    if (version != KVM_API_VERSION)
        throw std::runtime_error("/dev/kvm speaks KVM API version " + std::to_string(version) +
                                 ", jvmos needs " + std::to_string(KVM_API_VERSION));
    m_vcpu_mmap_size = ioctl(m_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (m_vcpu_mmap_size <= 0) fail("KVM_GET_VCPU_MMAP_SIZE");
}

Kvm::~Kvm() {
    if (m_fd >= 0) close(m_fd);
}

std::vector<kvm_cpuid_entry2> Kvm::supported_cpuid() const {
    for (uint32_t n = 128; n <= 4096; n *= 2) {
        std::vector<uint8_t> buf(sizeof(kvm_cpuid2) + n * sizeof(kvm_cpuid_entry2));
        auto* c = reinterpret_cast<kvm_cpuid2*>(buf.data());
        c->nent = n;
        if (ioctl(m_fd, kvm_abi::GET_SUPPORTED_CPUID, c) == 0)
            return std::vector<kvm_cpuid_entry2>(c->entries, c->entries + c->nent);
        if (errno != E2BIG) fail("KVM_GET_SUPPORTED_CPUID");
    }
    throw std::runtime_error("KVM_GET_SUPPORTED_CPUID: too many entries");
}

Vm::Vm(Kvm& kvm, GuestMemory& memory) : m_kvm(kvm), m_memory(memory) {
    m_fd = ioctl(kvm.fd(), KVM_CREATE_VM, 0);
    if (m_fd < 0) fail("KVM_CREATE_VM");
    // Intel VMX wants these inside the 32-bit hole; other hosts ignore or reject them.
    (void)ioctl(m_fd, KVM_SET_IDENTITY_MAP_ADDR, &(const uint64_t&)layout::VMX_IDENTITY_MAP_GPA);
    (void)ioctl(m_fd, KVM_SET_TSS_ADDR, layout::VMX_TSS_GPA);
    // The in-kernel LAPIC must exist before any vCPU (shared/PVM.md 1.1).
    if (ioctl(m_fd, KVM_CREATE_IRQCHIP, 0) < 0) fail("KVM_CREATE_IRQCHIP");
    uint32_t slot = 0;
    for (const auto& r : memory.ranges()) {
        kvm_userspace_memory_region region{};
        region.slot = slot++;
        region.guest_phys_addr = r.gpa;
        region.memory_size = r.size;
        region.userspace_addr = reinterpret_cast<uint64_t>(r.host);
        if (ioctl(m_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
            fail("KVM_SET_USER_MEMORY_REGION");
    }
}

Vm::~Vm() {
    if (m_fd >= 0) close(m_fd);
    for (int fd : m_eventfds) close(fd);
}

int Vm::add_doorbell(uint16_t port) {
    const int fd = new_eventfd();
    m_eventfds.push_back(fd);
    kvm_ioeventfd io{};
    io.addr = port;
    io.len = 4;
    io.fd = fd;
    io.flags = KVM_IOEVENTFD_FLAG_PIO;
    if (ioctl(m_fd, KVM_IOEVENTFD, &io) < 0) fail("KVM_IOEVENTFD (the ship ring's doorbell)");
    return fd;
}

int Vm::add_msi_irqfd(uint32_t dest_apic_id, uint8_t vector) {
    if (m_gsi_routed || dest_apic_id > 255)
        throw std::runtime_error("add_msi_irqfd: called twice or APIC id out of range");
    // The one routed interrupt. GSI numbers are the VM's own names for routes; 24 is past the
    // in-kernel IOAPIC's pins so that it could never be confused with one.
    constexpr uint32_t GSI = 24;
    struct {
        uint32_t nr = 1;
        uint32_t flags = 0;
        kvm_irq_routing_entry entries[1] = {};
    } routing;
    static_assert(offsetof(decltype(routing), entries) == 8);
    routing.entries[0].gsi = GSI;
    routing.entries[0].type = KVM_IRQ_ROUTING_MSI;
    // Fixed delivery, physical destination, edge: data is just the vector.
    routing.entries[0].u.msi.address_lo = 0xfee00000u | (dest_apic_id << 12);
    routing.entries[0].u.msi.address_hi = 0;
    routing.entries[0].u.msi.data = vector;
    if (ioctl(m_fd, kvm_abi::SET_GSI_ROUTING, &routing) < 0)
        fail("KVM_SET_GSI_ROUTING (the ship ring's completion interrupt)");
    m_gsi_routed = true;
    const int fd = new_eventfd();
    m_eventfds.push_back(fd);
    kvm_irqfd irqfd{};
    irqfd.fd = uint32_t(fd);
    irqfd.gsi = GSI;
    if (ioctl(m_fd, KVM_IRQFD, &irqfd) < 0)
        fail("KVM_IRQFD (the ship ring's completion interrupt)");
    return fd;
}

Vcpu::Vcpu(Vm& vm, uint32_t index) : m_vm(vm), m_index(index) {
    m_fd = ioctl(vm.fd(), KVM_CREATE_VCPU, index);
    if (m_fd < 0) fail("KVM_CREATE_VCPU");
    m_run_size = vm.kvm().vcpu_mmap_size();
    void* p = mmap(nullptr, m_run_size, PROT_READ | PROT_WRITE, MAP_SHARED, m_fd, 0);
    if (p == MAP_FAILED) fail("mmap of the vCPU run area");
    m_run = static_cast<kvm_run*>(p);
    install_stop_handler();
}

Vcpu::~Vcpu() {
    if (m_run) munmap(m_run, m_run_size);
    if (m_fd >= 0) close(m_fd);
}

void Vcpu::configure_cpuid_and_apic(const std::vector<kvm_cpuid_entry2>& supported) {
    std::vector<uint8_t> buf(sizeof(kvm_cpuid2) + supported.size() * sizeof(kvm_cpuid_entry2));
    auto* c = reinterpret_cast<kvm_cpuid2*>(buf.data());
    c->nent = uint32_t(supported.size());
    for (size_t i = 0; i < supported.size(); i++) {
        kvm_cpuid_entry2 e = supported[i];
        if (e.function == 1) { // initial APIC id in EBX[31:24]
            e.ebx = (e.ebx & 0x00ffffff) | (m_index << 24);
        }
        if (e.function == 0xb || e.function == 0x1f) e.edx = m_index; // x2APIC id
        c->entries[i] = e;
    }
    if (ioctl(m_fd, kvm_abi::SET_CPUID2, c) < 0) fail("KVM_SET_CPUID2");

    // x2APIC on (so the guest never needs the MMIO page), BSP flag on vCPU 0.
    uint64_t apic_base = 0xfee00000ull | (1u << 11) | (1u << 10) | (m_index == 0 ? 1u << 8 : 0);
    set_msr(MSR_IA32_APICBASE, apic_base);
    kvm_lapic_state lapic{};
    if (ioctl(m_fd, KVM_GET_LAPIC, &lapic) < 0) fail("KVM_GET_LAPIC");
    uint32_t svr = 0x1ff; // APIC software enable | spurious vector 0xff
    std::memcpy(&lapic.regs[0xf0], &svr, 4);
    if (ioctl(m_fd, KVM_SET_LAPIC, &lapic) < 0) fail("KVM_SET_LAPIC");
}

void Vcpu::set_msr(uint32_t index, uint64_t value) {
    OneMsr msrs;
    msrs.hdr.nmsrs = 1;
    msrs.entry.index = index;
    msrs.entry.data = value;
    if (ioctl(m_fd, kvm_abi::SET_MSRS, &msrs) != 1) {
        char what[64];
        std::snprintf(what, sizeof what, "KVM_SET_MSRS(0x%x)", index);
        fail(what);
    }
}

void Vcpu::set_tsc(uint64_t value) { set_msr(MSR_IA32_TSC, value); }

uint64_t Vcpu::tsc_khz() {
    int khz = ioctl(m_fd, KVM_GET_TSC_KHZ, 0);
    if (khz <= 0) fail("KVM_GET_TSC_KHZ");
    return uint64_t(khz);
}

bool Vcpu::host_is_pvm() {
    OneMsr msrs;
    msrs.hdr.nmsrs = 1;
    msrs.entry.index = MSR_PVM_SIGNATURE;
    return ioctl(m_fd, kvm_abi::GET_MSRS, &msrs) == 1 && msrs.entry.data == PVM_SIGNATURE;
}

void Vcpu::set_boot_state(const VcpuBoot& boot) {
    kvm_sregs s{};
    if (ioctl(m_fd, KVM_GET_SREGS, &s) < 0) fail("KVM_GET_SREGS");
    kvm_segment code{};
    code.base = 0;
    code.limit = 0xffffffff;
    code.selector = JVMOS_SEL_KERNEL_CS;
    code.type = 0xb; // execute/read, accessed
    code.present = 1;
    code.dpl = 0;
    code.s = 1;
    code.l = 1;
    code.g = 1;
    kvm_segment data = code;
    data.selector = JVMOS_SEL_KERNEL_DS;
    data.type = 0x3; // read/write, accessed
    data.l = 0;
    data.db = 1;
    s.cs = code;
    s.ds = s.es = s.ss = data;
    s.fs = s.gs = data;
    s.fs.selector = s.gs.selector = 0;
    kvm_segment tr{};
    tr.base = boot.tss_base;
    tr.limit = 103;
    tr.selector = JVMOS_SEL_TSS;
    tr.type = 11; // 64-bit TSS, busy
    tr.present = 1;
    s.tr = tr;
    s.ldt = {};
    s.ldt.unusable = 1;
    s.gdt.base = boot.gdt_base;
    s.gdt.limit = boot.gdt_limit;
    s.idt.base = 0;
    s.idt.limit = 0;
    s.cr0 = 0x80050033;             // PG | AM | WP | NE | ET | MP | PE
    s.cr4 = 0x6a0;                  // PAE | PGE | OSFXSR | OSXMMEXCPT (PVM rejects PCIDE)
    s.efer = 0xd01;                 // SCE | LME | LMA | NXE
    s.cr3 = boot.cr3;
    if (ioctl(m_fd, KVM_SET_SREGS, &s) < 0) fail("KVM_SET_SREGS");

    kvm_regs r{};
    r.rip = boot.rip;
    r.rsp = boot.rsp;
    r.rdi = boot.rdi;
    r.rsi = boot.rsi;
    // With the in-kernel LAPIC, a vCPU other than the BSP waits for INIT/SIPI; jvmos starts
    // every vCPU directly in long mode instead.
    if (m_index != 0) {
        kvm_mp_state mp{};
        mp.mp_state = KVM_MP_STATE_RUNNABLE;
        if (ioctl(m_fd, KVM_SET_MP_STATE, &mp) < 0) fail("KVM_SET_MP_STATE");
    }
    r.rflags = 0x2;
    if (ioctl(m_fd, KVM_SET_REGS, &r) < 0) fail("KVM_SET_REGS");
}

void Vcpu::enable_xsave(const std::vector<kvm_cpuid_entry2>& supported) {
    uint64_t xcr0 = 0;
    for (const auto& e : supported)
        if (e.function == 0xd && e.index == 0) xcr0 = (uint64_t(e.edx) << 32) | e.eax;
    xcr0 &= 0xe7; // x87 SSE AVX opmask ZMM_Hi256 Hi16_ZMM
    if (!(xcr0 & 1)) return;
    kvm_sregs s{};
    if (ioctl(m_fd, KVM_GET_SREGS, &s) < 0) fail("KVM_GET_SREGS");
    s.cr4 |= 1u << 18; // OSXSAVE
    if (ioctl(m_fd, KVM_SET_SREGS, &s) < 0) fail("KVM_SET_SREGS (CR4.OSXSAVE)");
    kvm_xcrs xcrs{};
    xcrs.nr_xcrs = 1;
    xcrs.xcrs[0].xcr = 0;
    xcrs.xcrs[0].value = xcr0;
    if (ioctl(m_fd, KVM_SET_XCRS, &xcrs) < 0) fail("KVM_SET_XCRS");
}

void Vcpu::request_stop(ExitAction action) {
    std::lock_guard<std::mutex> lock(m_stop_mutex);
    if (m_stop_action) return;
    m_stop_action = std::move(action);
    m_stop_requested.store(true);
    // Either run() sees the flag before its next KVM_RUN, or KVM sees immediate_exit, or the
    // signal interrupts a KVM_RUN (or host call) already in progress.
    __atomic_store_n(&m_run->immediate_exit, 1, __ATOMIC_SEQ_CST);
    if (m_running.load()) pthread_kill(m_thread, stop_signal());
}

ExitAction Vcpu::run(HostServices& host) {
    {
        std::lock_guard<std::mutex> lock(m_stop_mutex);
        m_thread = pthread_self();
        m_running.store(true);
    }
    ExitAction action = run_loop(host);
    std::lock_guard<std::mutex> lock(m_stop_mutex);
    m_running.store(false);
    if (m_stop_action) return *m_stop_action; // a stop request outranks what the guest did last
    return action;
}

ExitAction Vcpu::run_loop(HostServices& host) {
    for (;;) {
        if (m_stop_requested.load()) return {};
        if (ioctl(m_fd, KVM_RUN, 0) < 0) {
            if (errno == EINTR || errno == EAGAIN) {
                ExitRecord interrupted; // a host signal ended KVM_RUN
                interrupted.reason = KVM_EXIT_INTR;
                m_exits.count(interrupted);
                continue;
            }
            fail("KVM_RUN");
        }
        ExitRecord rec;
        rec.reason = m_run->exit_reason;
        switch (m_run->exit_reason) {
        case KVM_EXIT_IO: {
            rec.io.direction = m_run->io.direction;
            rec.io.size = m_run->io.size;
            rec.io.port = m_run->io.port;
            rec.io.count = m_run->io.count;
            if (m_run->io.size <= sizeof rec.io.data && m_run->io.data_offset + 8 <= uint64_t(m_run_size))
                std::memcpy(rec.io.data, reinterpret_cast<uint8_t*>(m_run) + m_run->io.data_offset,
                            m_run->io.size);
            break;
        }
        case KVM_EXIT_MMIO:
            rec.mmio.phys_addr = m_run->mmio.phys_addr;
            rec.mmio.len = m_run->mmio.len;
            rec.mmio.is_write = m_run->mmio.is_write;
            break;
        case KVM_EXIT_INTERNAL_ERROR:
            rec.internal_suberror = m_run->internal.suberror;
            break;
        case KVM_EXIT_FAIL_ENTRY:
            rec.fail_entry_reason = m_run->fail_entry.hardware_entry_failure_reason;
            break;
        default:
            break;
        }
        m_exits.count(rec);
        ExitAction action = handle_exit(rec, m_vm.memory(), host);
        if (action.kind != ExitAction::Kind::Resume) return action;
    }
}

std::string Vcpu::describe_registers() {
    kvm_regs r{};
    kvm_sregs s{};
    if (ioctl(m_fd, KVM_GET_REGS, &r) < 0 || ioctl(m_fd, KVM_GET_SREGS, &s) < 0)
        return "(registers unavailable)";
    char buf[1024];
    std::snprintf(buf, sizeof buf,
                  "vCPU %u: rip=%016llx rsp=%016llx rflags=%08llx cs=%04x\n"
                  "  rax=%016llx rbx=%016llx rcx=%016llx rdx=%016llx\n"
                  "  rsi=%016llx rdi=%016llx rbp=%016llx r8 =%016llx\n"
                  "  cr0=%016llx cr2=%016llx cr3=%016llx cr4=%016llx efer=%llx",
                  m_index, (unsigned long long)r.rip, (unsigned long long)r.rsp,
                  (unsigned long long)r.rflags, s.cs.selector, (unsigned long long)r.rax,
                  (unsigned long long)r.rbx, (unsigned long long)r.rcx, (unsigned long long)r.rdx,
                  (unsigned long long)r.rsi, (unsigned long long)r.rdi, (unsigned long long)r.rbp,
                  (unsigned long long)r.r8, (unsigned long long)s.cr0, (unsigned long long)s.cr2,
                  (unsigned long long)s.cr3, (unsigned long long)s.cr4,
                  (unsigned long long)s.efer);
    return buf;
}

} // namespace jvmos::boot
