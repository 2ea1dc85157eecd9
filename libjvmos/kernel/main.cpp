// The guest kernel's boot sequence: validate the boot info, set up the CPU, memory and time,
// load the program and drop to user mode.
#include "arch/x86_64/arch.h"
#include "arch/x86_64/cpu.h"
#include "base/format.h"
#include "base/string.h"
#include "kernel/boot.h"
#include "kernel/host.h"
#include "kernel/panic.h"
#include "kernel/memory.h"
#include "kernel/time.h"
#include "sched/scheduler.h"
#include "sched/smp.h"
#include "shim/table.h"

namespace jvmos::kernel {
void set_boot_info(const jvmos_boot_info* b);
namespace {
const jvmos_boot_info* g_boot;
} // namespace

void set_boot_info(const jvmos_boot_info* b) { g_boot = b; }

const jvmos_boot_info& boot_info() { return *g_boot; }

void log(const char* fmt, ...) {
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    usize n = vformat(buf, sizeof buf, fmt, ap);
    va_end(ap);
    host_log(buf, n < sizeof buf ? n : sizeof buf - 1);
}

// In-kernel benchmarks (jvmos --kernel-bench): a tight loop shows whether kernel code runs
// natively (< 1 ns per iteration) or under the hypervisor's instruction emulator (~1,300 ns).
static void time_op(const char* name, void (*op)(u64), u64 iterations) {
    const u64 t0 = arch::rdtsc();
    for (u64 i = 0; i < iterations; i++) op(i);
    const u64 ns = tsc_to_ns(arch::rdtsc() - t0);
    log("kernel-bench: %s: %llu ns per operation\n", name,
        (unsigned long long)(ns / iterations));
}

static void run_kernel_bench() {
    constexpr u64 ITERATIONS = 10'000'000;
    const u64 t0 = arch::rdtsc();
    u64 n = ITERATIONS;
    asm volatile("1: dec %0; jnz 1b" : "+r"(n));
    const u64 ns = tsc_to_ns(arch::rdtsc() - t0);
    const u64 ps_per_iter = ns * 1000 / ITERATIONS;
    log("kernel-bench: backend %s: %llu iterations in %llu us: %llu.%03llu ns per iteration\n",
        arch::backend().name, (unsigned long long)ITERATIONS, (unsigned long long)(ns / 1000),
        (unsigned long long)(ps_per_iter / 1000), (unsigned long long)(ps_per_iter % 1000));
    // The platform floor of anything that leaves the guest kernel: one trap to the hypervisor
    // (on kvm_pvm a hypercall; on hardware virtualisation a VM exit through CPUID).
    if (arch::is_pv())
        time_op("hypercall round trip", [](u64) {
            u64 r;
            asm volatile("int $0x1b" : "=a"(r) : "a"(0x1fffull) : "memory");
        }, 1000);
    time_op("TLB invalidation of one page", [](u64 i) {
        arch::backend().flush_tlb_page(0x400000 + (i & 7) * PAGE_SIZE);
    }, 1000);
    time_op("full TLB flush", [](u64) { arch::backend().flush_tlb_all(); }, 1000);
}

} // namespace jvmos::kernel

extern "C" void jvmos_kernel_main(jvmos_boot_info* boot) {
    using namespace jvmos;
    using namespace jvmos::kernel;
    if (boot->magic != JVMOS_BOOT_MAGIC || boot->abi_version != JVMOS_ABI_VERSION)
        panic("boot info has ABI version %u, this kernel speaks %u: rebuild jvmos",
              boot->abi_version, JVMOS_ABI_VERSION);
    set_boot_info(boot);
    time_init(*boot);
    arch::init_boot_cpu(*boot);
    smp::init(boot->cpus);

    if (boot->flags & JVMOS_BOOT_LIST_SYSCALLS) {
        shim::print_syscall_table();
        host_exit(0);
    }
    if (boot->flags & JVMOS_BOOT_KERNEL_BENCH) {
        run_kernel_bench();
        host_exit(0);
    }
    start_first_process(*boot);
}

extern "C" void jvmos_ap_main(jvmos_boot_info* boot, jvmos::u64 index) {
    using namespace jvmos;
    // vCPU 0 boots the kernel (memory, heap, the program) first.
    smp::wait_for_release();
    arch::init_ap_cpu(*boot, u32(index));
    smp::lock();
    void* ist = kernel::heap().allocate(arch::IST_STACKS_SIZE, PAGE_SIZE);
    if (!ist) panic("out of memory for vCPU %llu's exception stacks", (unsigned long long)index);
    arch::set_ist_stacks(ist);
    sched::run_secondary_cpu();
}
