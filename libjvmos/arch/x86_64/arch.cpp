// Backend-independent x86-64 setup: per-CPU area, TSS stacks, IDT contents, XSAVE.
#include "arch/x86_64/arch.h"

#include "arch/x86_64/cpu.h"
#include "base/string.h"
#include "kernel/panic.h"

#include <stddef.h>

extern "C" char jvmos_trap_stubs_start[];
extern "C" [[noreturn]] void jvmos_enter_user(jvmos::arch::TrapFrame* frame);
// Exported to entry.S: nonzero on the paravirtual backend.
extern "C" {
jvmos::u8 jvmos_arch_is_pv;
}

namespace jvmos::arch {

static_assert(offsetof(PerCpu, self) == JVMOS_PERCPU_SELF);
static_assert(offsetof(PerCpu, kernel_stack_top) == JVMOS_PERCPU_KSTACK_TOP);
static_assert(offsetof(PerCpu, user_rsp) == JVMOS_PERCPU_USER_RSP);
static_assert(offsetof(PerCpu, iret_block) == JVMOS_PERCPU_IRET_BLOCK);
static_assert(offsetof(TrapFrame, rax) == JVMOS_FRAME_RAX);
static_assert(offsetof(TrapFrame, rip) == JVMOS_FRAME_RIP);
static_assert(offsetof(TrapFrame, ss) == JVMOS_FRAME_SS);
static_assert(offsetof(jvmos_boot_info, backend) == 8, "entry.S reads the backend at +8");

namespace {

struct IdtEntry {
    u16 offset_low;
    u16 selector;
    u8 ist;
    u8 type_attr;
    u16 offset_mid;
    u32 offset_high;
    u32 zero;
} __attribute__((packed));

constexpr usize IST_STACK_SIZE = 16 * KiB;
constexpr usize BOOT_KERNEL_STACK_SIZE = 64 * KiB;

alignas(4096) IdtEntry g_idt[256];
alignas(4096) u8 g_ist_stacks[3][IST_STACK_SIZE];
}
// Boot stacks of vCPUs 1..N-1 (entry.S: vCPU i starts at the top of slot i-1).
extern "C" {
alignas(4096) u8 jvmos_ap_stacks[JVMOS_MAX_CPUS - 1][16 * KiB];
}
namespace {
alignas(4096) u8 g_kernel_stack[BOOT_KERNEL_STACK_SIZE];
PerCpu g_cpus[JVMOS_MAX_CPUS];
bool g_wrfsbase; // PV backend on a CPU with FSGSBASE (CPUID.7.0:EBX[0])
const BackendOps* g_backend;

u64 g_xsave_mask;
bool g_use_fxsave;
usize g_xsave_size;

void set_gate(int vec, u64 handler, u8 ist, u8 dpl) {
    IdtEntry& e = g_idt[vec];
    e.offset_low = u16(handler);
    e.selector = JVMOS_SEL_KERNEL_CS;
    e.ist = ist;
    e.type_attr = u8(0x8e | (dpl << 5)); // present, 64-bit interrupt gate
    e.offset_mid = u16(handler >> 16);
    e.offset_high = u32(handler >> 32);
    e.zero = 0;
}

void init_xsave(BackendKind kind) {
    if (kind == BackendKind::Hardware) {
        // The monitor enabled CR4.OSXSAVE and set XCR0 (KVM_SET_XCRS) to the x87/SSE/AVX/
        // AVX-512 components CPUID offers, as Linux would; xgetbv/xsetbv are avoided here
        // because kvm_pvm's instruction emulator (which runs this backend there) cannot
        // emulate them. If the host refused OSXSAVE, user programs see no AVX (CPUID's
        // OSXSAVE bit follows CR4) and the legacy FXSAVE area is all there is to save.
        if (!(read_cr4() & (1u << 18))) {
            g_use_fxsave = true;
            g_xsave_mask = 0x3;
            g_xsave_size = 512;
            return;
        }
        const CpuidResult d = cpuid(0xd, 0);
        g_xsave_mask = ((u64(d.edx) << 32) | d.eax) & 0xe7;
    } else {
        // On the PV host XCR0 is the host's (0xe7) and fixed (shared/PVM.md 3).
        g_xsave_mask = xgetbv(0);
    }
    // The standard-format area's size for the components in the mask. CPUID.(0xd,0).EBX would
    // give it for the XCR0 that CPUID believes is set, which on kvm_pvm is not the hardware's
    // (it reported 576 bytes while XCR0 = 0xe7 needs ~2.7 KiB): compute it per component.
    usize size = 512 + 64; // legacy area + header
    for (u32 i = 2; i < 64; i++) {
        if (!(g_xsave_mask & (1ull << i))) continue;
        const CpuidResult c = cpuid(0xd, i);
        if (c.ebx + c.eax > size) size = c.ebx + c.eax;
    }
    g_xsave_size = size;
}

} // namespace

const BackendOps& backend() { return *g_backend; }
bool is_pv() { return jvmos_arch_is_pv != 0; }

namespace {

// The per-CPU part of init_boot_cpu/init_ap_cpu.
void init_cpu(const jvmos_boot_info& boot, u32 index, u8* ist_stacks, u64 kernel_stack_top) {
    PerCpu& cpu = g_cpus[index];
    cpu.self = &cpu;
    cpu.index = index;
    cpu.apic_id = index; // the monitor gives vCPU N APIC id N
    cpu.gdt = reinterpret_cast<u64*>(JVMOS_PHYSMAP_BASE + boot.gdt_gpa[index]);
    cpu.tss = reinterpret_cast<Tss*>(JVMOS_PHYSMAP_BASE + boot.tss_gpa[index]);
    // Kernel-mode GS convention on both backends: GS_BASE = per-CPU, KERNEL_GS_BASE = user GS.
    wrmsr(MSR_GS_BASE, reinterpret_cast<u64>(&cpu));
    wrmsr(MSR_KERNEL_GS_BASE, 0);
    // getcpu through rdtscp/rdpid reads TSC_AUX (where the vCPU has it: CPUID 0x80000001
    // EDX.RDTSCP).
    if (cpuid(0x80000001).edx & (1u << 27)) wrmsr(MSR_TSC_AUX, index);

    // Stacks: every one is a physmap (upper-half) address, as the PV host requires.
    Tss* tss = cpu.tss;
    if (ist_stacks) set_ist_stacks(ist_stacks);
    tss->iomap_base = sizeof(Tss);
    set_kernel_stack(kernel_stack_top);
    g_backend->init_cpu(cpu, reinterpret_cast<u64>(g_idt), sizeof(g_idt) - 1);
}

} // namespace

void init_boot_cpu(const jvmos_boot_info& boot) {
    const bool pv = boot.backend == JVMOS_BACKEND_PV;
    g_backend = pv ? &BACKEND_PV : &BACKEND_HW;
    jvmos_arch_is_pv = pv;

    const u64 stubs = reinterpret_cast<u64>(jvmos_trap_stubs_start);
    for (int v = 0; v < 256; v++) {
        u8 ist = v == 8 ? 1 : v == 2 ? 2 : v == 18 ? 3 : 0; // #DF, NMI, #MC on their own stacks
        u8 dpl = (v == 3 || v == 4) ? 3 : 0;                // int3 / into allowed from user
        set_gate(v, stubs + u64(v) * 16, ist, dpl);
    }
    static_assert(sizeof(g_ist_stacks) == IST_STACKS_SIZE);
    g_wrfsbase = pv && (cpuid(7, 0).ebx & 1u);
    init_cpu(boot, 0, &g_ist_stacks[0][0],
             reinterpret_cast<u64>(g_kernel_stack + BOOT_KERNEL_STACK_SIZE));
    init_xsave(g_backend->kind);
}

void init_ap_cpu(const jvmos_boot_info& boot, u32 index) {
    // Until the scheduler gives it a thread, the vCPU runs on its boot stack (entry.S).
    u64 rsp;
    asm volatile("mov %%rsp, %0" : "=r"(rsp));
    init_cpu(boot, index, nullptr, align_up(rsp, 16 * KiB));
}

void set_ist_stacks(void* stacks) {
    auto* base = static_cast<u8*>(stacks);
    for (int i = 0; i < 3; i++) this_cpu()->tss->ist[i] = reinterpret_cast<u64>(base + (i + 1) * IST_STACK_SIZE);
}

void set_kernel_stack(u64 top) {
    PerCpu* cpu = this_cpu();
    cpu->kernel_stack_top = top;
    cpu->tss->rsp[0] = top;
}

void send_ipi(u32 cpu, u8 vector) {
    // Fixed delivery, physical destination, edge, assert.
    wrmsr(MSR_X2APIC_ICR, (u64(g_cpus[cpu].apic_id) << 32) | (1u << 14) | vector);
}

void apic_eoi() { wrmsr(MSR_X2APIC_EOI, 0); }

void set_user_fs_base(u64 base) {
    // On kvm_pvm the kernel runs natively at hardware CPL3 under the host's CR4: where the host
    // enabled FSGSBASE, WRFSBASE sets the user's TLS base without the trap a WRMSR costs
    // (~28 us at every switch between threads). The kernel itself never uses FS.
    if (g_wrfsbase) {
        asm volatile("wrfsbase %0" : : "r"(base) : "memory");
        return;
    }
    wrmsr(MSR_FS_BASE, base);
}
void set_user_gs_base(u64 base) { wrmsr(MSR_KERNEL_GS_BASE, base); }

usize xsave_area_size() { return g_xsave_size; }
u64 xsave_mask() { return g_xsave_mask; }

void xsave(void* area) {
    if (g_use_fxsave) {
        asm volatile("fxsave64 (%0)" : : "r"(area) : "memory");
        return;
    }
    asm volatile("xsave64 (%0)" : : "r"(area), "a"(u32(g_xsave_mask)), "d"(u32(g_xsave_mask >> 32))
                 : "memory");
}

void xrstor(const void* area) {
    if (g_use_fxsave) {
        asm volatile("fxrstor64 (%0)" : : "r"(area) : "memory");
        return;
    }
    asm volatile("xrstor64 (%0)" : : "r"(area), "a"(u32(g_xsave_mask)),
                 "d"(u32(g_xsave_mask >> 32)) : "memory");
}

void xsave_init_area(void* area) {
    memset(area, 0, g_xsave_size);
    auto* b = static_cast<u8*>(area);
    const u16 fcw = 0x37f;
    const u32 mxcsr = 0x1f80;
    memcpy(b + 0, &fcw, 2);
    memcpy(b + 24, &mxcsr, 4);
    const u64 xstate_bv = 0x3; // x87 and SSE from this area; AVX and up in their init state
    memcpy(b + 512, &xstate_bv, 8);
}

void enter_user(TrapFrame* frame) { jvmos_enter_user(frame); }

} // namespace jvmos::arch
