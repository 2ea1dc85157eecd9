#include "sched/smp.h"

#include "arch/x86_64/arch.h"
#include "arch/x86_64/cpu.h"

namespace jvmos::smp {
namespace {

struct CpuState {
    volatile u32 in_user;  // running user code (set under the lock, cleared on entry)
    volatile u64 tlb_seen; // the shootdown generation this vCPU's TLB is clean for
    char pad[48];          // one cache line each
};

u32 g_cpus = 1;
volatile u32 g_lock;      // 0 free, 1 held
volatile i32 g_owner = -1;
volatile u64 g_tlb_gen;
volatile u32 g_released;
CpuState g_state[JVMOS_MAX_CPUS];

void flush_if_stale(CpuState& s) {
    const u64 gen = __atomic_load_n(&g_tlb_gen, __ATOMIC_ACQUIRE);
    if (s.tlb_seen == gen) return;
    arch::backend().flush_tlb_all();
    __atomic_store_n(&s.tlb_seen, gen, __ATOMIC_RELEASE);
}

} // namespace

u32 cpu_count() { return g_cpus; }
void init(u32 cpus) {
    g_cpus = cpus ? cpus : 1;
    // vCPU 0 boots holding the lock; it lets go when it first enters user mode.
    g_lock = 1;
    g_owner = 0;
}

void lock() {
    const u32 me = arch::cpu_index();
    while (__atomic_exchange_n(&g_lock, 1u, __ATOMIC_ACQUIRE)) {
        while (__atomic_load_n(&g_lock, __ATOMIC_RELAXED)) arch::cpu_relax();
    }
    g_owner = i32(me);
    if (g_cpus > 1) flush_if_stale(g_state[me]);
}

void unlock() {
    g_owner = -1;
    __atomic_store_n(&g_lock, 0u, __ATOMIC_RELEASE);
}

bool locked_here() { return g_owner == i32(arch::cpu_index()); }

void enter_from_user() {
    __atomic_store_n(&g_state[arch::cpu_index()].in_user, 0u, __ATOMIC_SEQ_CST);
    lock();
}

void enter_from_user_unlocked() {
    CpuState& s = g_state[arch::cpu_index()];
    __atomic_store_n(&s.in_user, 0u, __ATOMIC_SEQ_CST);
    if (g_cpus > 1) flush_if_stale(s);
}

void exit_to_user_unlocked() {
    CpuState& s = g_state[arch::cpu_index()];
    // "In user mode" first, then the generation: a shootdown that bumps the generation either
    // is seen here (and flushed now) or sees this vCPU in user mode (and sends the IPI). The
    // page-fault fast path shoots down without the kernel lock, so the lock cannot order them.
    __atomic_store_n(&s.in_user, 1u, __ATOMIC_SEQ_CST);
    if (g_cpus > 1) flush_if_stale(s);
}

void exit_to_user() {
    exit_to_user_unlocked();
    unlock();
}

void shootdown() {
    if (g_cpus == 1) return;
    const u32 me = arch::cpu_index();
    const u64 gen = __atomic_add_fetch(&g_tlb_gen, 1, __ATOMIC_SEQ_CST);
    // The caller flushed what it changed, so a full flush is not owed for this generation,
    // but only if no other vCPU's shootdown came in between (its changes are not flushed).
    u64 expected = gen - 1;
    __atomic_compare_exchange_n(&g_state[me].tlb_seen, &expected, gen, false, __ATOMIC_ACQ_REL,
                                __ATOMIC_RELAXED);
    for (u32 c = 0; c < g_cpus; c++)
        if (c != me && __atomic_load_n(&g_state[c].in_user, __ATOMIC_SEQ_CST))
            arch::send_ipi(c, TLB_VECTOR);
    // Those in user mode flush in the IPI handler; the others (spinning for the lock, idle,
    // entering the kernel) flush before they touch user memory again.
    for (u32 c = 0; c < g_cpus; c++) {
        if (c == me) continue;
        while (__atomic_load_n(&g_state[c].in_user, __ATOMIC_SEQ_CST) &&
               __atomic_load_n(&g_state[c].tlb_seen, __ATOMIC_ACQUIRE) < gen)
            arch::cpu_relax();
    }
}

void on_tlb_ipi() { flush_if_stale(g_state[arch::cpu_index()]); }

void release_secondary_cpus() { __atomic_store_n(&g_released, 1u, __ATOMIC_RELEASE); }

void wait_for_release() {
    while (!__atomic_load_n(&g_released, __ATOMIC_ACQUIRE)) arch::cpu_relax();
}

} // namespace jvmos::smp
