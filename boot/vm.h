// The KVM objects: Kvm wraps /dev/kvm, Vm one virtual machine, Vcpu one virtual CPU. Each class
// owns exactly one KVM file descriptor. Setup failures throw std::runtime_error with a message
// fit for the user ("jvmos: <message>").
#pragma once

#include "exit_handler.h"
#include "guest_memory.h"
#include "stats_report.h"

#include <linux/kvm.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <pthread.h>
#include <vector>

namespace jvmos::boot {

class Kvm {
public:
    Kvm(); // opens /dev/kvm; clear errors for missing device / no permission / wrong API
    ~Kvm();
    int fd() const { return m_fd; }
    int vcpu_mmap_size() const { return m_vcpu_mmap_size; }
    // KVM_GET_SUPPORTED_CPUID, all entries.
    std::vector<kvm_cpuid_entry2> supported_cpuid() const;

private:
    int m_fd = -1;
    int m_vcpu_mmap_size = 0;
};

class Vcpu;

class Vm {
public:
    Vm(Kvm& kvm, GuestMemory& memory); // creates the VM, in-kernel irqchip, memory slots
    ~Vm();
    int fd() const { return m_fd; }
    Kvm& kvm() { return m_kvm; }
    GuestMemory& memory() { return m_memory; }

    // An eventfd (non-blocking) that a 4-byte `out` of any value to `port` signals inside KVM
    // (KVM_IOEVENTFD, PIO, no datamatch): the vCPU continues without an exit to this process.
    // The Vm owns the fd. Register before the guest runs. Throws on failure.
    int add_doorbell(uint16_t port);
    // An eventfd (non-blocking) whose every write raises a fixed, edge-triggered MSI with
    // `vector` at the x2APIC `dest_apic_id` (< 256): installs the VM's GSI routing table with this
    // one MSI route (KVM_SET_GSI_ROUTING replaces the whole table; jvmos has no other routed
    // interrupts) and binds the eventfd to it (KVM_IRQFD). Call at most once; the Vm owns the fd.
    int add_msi_irqfd(uint32_t dest_apic_id, uint8_t vector);

private:
    Kvm& m_kvm;
    GuestMemory& m_memory;
    int m_fd = -1;
    std::vector<int> m_eventfds;
    bool m_gsi_routed = false;
};

// Everything the monitor sets on a vCPU before its first run.
struct VcpuBoot {
    uint64_t rip, rsp, rdi;
    uint64_t cr3;
    uint64_t gdt_base; // guest virtual (physmap) addresses
    uint16_t gdt_limit;
    uint64_t tss_base;
    uint64_t rsi = 0; // the vCPU's index (0 = the boot vCPU)
};

class Vcpu {
public:
    Vcpu(Vm& vm, uint32_t index);
    ~Vcpu();
    uint32_t index() const { return m_index; }

    // CPUID = KVM_GET_SUPPORTED_CPUID with this vCPU's APIC id; x2APIC enabled with the LAPIC
    // software-enabled (spurious vector 0xff).
    void configure_cpuid_and_apic(const std::vector<kvm_cpuid_entry2>& supported);
    // 64-bit long mode at the kernel entry (see abi.h, "Boot").
    void set_boot_state(const VcpuBoot& boot);
    // Hardware backend: CR4.OSXSAVE on and XCR0 = the x87/SSE/AVX/AVX-512 components CPUID
    // offers (the guest kernel does not execute xsetbv: kvm_pvm's emulator cannot).
    void enable_xsave(const std::vector<kvm_cpuid_entry2>& supported);
    // True if this host is a kvm_pvm host (its signature MSR reads back through KVM_GET_MSRS).
    bool host_is_pvm();
    void set_msr(uint32_t index, uint64_t value);
    void set_tsc(uint64_t value);
    // KVM_GET_TSC_KHZ: the guest's TSC frequency.
    uint64_t tsc_khz();

    // Runs until the guest program exits, the VM fails or request_stop() is called; returns the
    // action that ended it. Call from one thread only.
    ExitAction run(HostServices& host);
    // Makes run() return `action` promptly, from any thread (the relay kills the guest this
    // way): sets KVM's immediate_exit and interrupts KVM_RUN with a signal (SIGRTMIN, whose
    // handler does nothing). The first request wins; later ones are ignored.
    void request_stop(ExitAction action);
    // A register dump for panic reports.
    std::string describe_registers();
    // This vCPU's exits to the monitor so far (--stats). Read after run() returned.
    const ExitCounts& exit_counts() const { return m_exits; }

private:
    Vm& m_vm;
    uint32_t m_index;
    int m_fd = -1;
    ExitAction run_loop(HostServices& host);

    kvm_run* m_run = nullptr;
    int m_run_size = 0;
    ExitCounts m_exits; // only the thread in run() touches it while it runs

    std::mutex m_stop_mutex;
    std::optional<ExitAction> m_stop_action; // guarded by m_stop_mutex
    std::atomic<bool> m_stop_requested{false};
    std::atomic<bool> m_running{false};
    pthread_t m_thread{}; // the thread in run(), valid while m_running
};

} // namespace jvmos::boot
