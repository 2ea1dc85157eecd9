#include "shipper/guest/ship.h"

#include "arch/x86_64/arch.h"
#include "arch/x86_64/cpu.h"
#include "base/assert.h"
#include "base/string.h"
#include "kernel/host.h"
#include "kernel/memory.h"
#include "kernel/panic.h"
#include "kernel/stats.h"
#include "kernel/time.h"
#include "sched/scheduler.h"
#include "sched/smp.h"

namespace jvmos::shipper {
namespace {

jvmos_ship_ring* g_ring;
u8* g_slot_data[JVMOS_SHIP_SLOTS];
u32 g_busy; // slots claimed by a Call (bit per slot)
sched::WaitQueue g_slot_waiters; // threads waiting for a free slot
u64 g_issued;                    // calls submitted
static_assert(JVMOS_SHIP_SLOTS <= 32);

// How long a waiting thread spins before it halts for the completion interrupt. A shipped call
// is a Cap'n Proto round trip (~50-80 us); halting and being woken costs several traps to the
// hypervisor (~28 us each on kvm_pvm here), so spinning through a typical call is cheaper.
// Spinning even while other threads are runnable measured faster (java -version with
// --cpus 1: 470-600 ms against 560-700 ms blocking at once): a blocked caller pays a context
// switch, the completion interrupt, and then waits behind the threads queued before it.
constexpr u64 SPIN_NS = 300'000;

inline void ring_doorbell() {
    stats::count_trap(JVMOS_STATS_TRAP_DOORBELL);
    asm volatile("outl %0, %1" : : "a"(0u), "Nd"(u16(JVMOS_PORT_DOORBELL)) : "memory");
}

inline u32 load_acquire(volatile u32* p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
inline void store_release(volatile u32* p, u32 v) { __atomic_store_n(p, v, __ATOMIC_RELEASE); }

// The thread waiting for each slot's completion (nullptr: none, or still spinning).
sched::Thread* g_waiter[JVMOS_SHIP_SLOTS];
u32 g_waiting_count;

// Calls that may wait without bound on the proxy (an empty pipe, a terminal, a full pipe, a
// held lock) and that a signal interrupts, as Linux's pipe_read/pipe_write/flock do.
bool interruptible_op(u32 op) {
    return op == JVMOS_SHIP_READ || op == JVMOS_SHIP_WRITE || op == JVMOS_SHIP_FLOCK ||
           op == JVMOS_SHIP_LOCK || op == JVMOS_SHIP_POLL;
}

// Waits for the slot's completion. For an interruptible call, a signal for the thread makes it
// ask the relay to interrupt the call (the ring's interrupt_slots) and wait on for the
// completion; returns true then.
bool wait_done(jvmos_ship_slot& s, bool interruptible) {
    if (load_acquire(&s.state) == JVMOS_SHIP_DONE) return false;
    const u64 spin_until = arch::rdtsc() + kernel::ns_to_tsc(SPIN_NS);
    // The kernel lock is not held while spinning: other vCPUs may enter the kernel meanwhile.
    smp::unlock();
    bool done = false;
    while (arch::rdtsc() < spin_until) {
        if (load_acquire(&s.state) == JVMOS_SHIP_DONE) {
            done = true;
            break;
        }
        arch::cpu_relax();
    }
    smp::lock();
    if (done) return false;
    // Slow path: ask the relay for the completion interrupt, re-check (it may have finished in
    // between), then block; other threads run meanwhile, and an idle vCPU halts. Interrupts
    // are off in the kernel, so the completion cannot be handled between the check and the
    // block.
    const u32 i = u32(&s - g_ring->slots);
    stats::count_ship_blocked();
    g_waiter[i] = sched::current();
    if (g_waiting_count++ == 0) __atomic_store_n(&g_ring->guest_waiting, 1u, __ATOMIC_SEQ_CST);
    bool asked = false;
    while (load_acquire(&s.state) != JVMOS_SHIP_DONE) {
        if (!interruptible || asked) {
            sched::block(0);
        } else if (sched::block_interruptible(0) == sched::WakeReason::Interrupted) {
            // The call still completes through the slot (nothing it transferred is lost).
            asked = true;
            __atomic_or_fetch(&g_ring->interrupt_slots, 1u << i, __ATOMIC_SEQ_CST);
            ring_doorbell();
        }
    }
    g_waiter[i] = nullptr;
    if (--g_waiting_count == 0) __atomic_store_n(&g_ring->guest_waiting, 0u, __ATOMIC_SEQ_CST);
    return asked;
}

} // namespace

void init() {
    static_assert(sizeof(jvmos_ship_ring) <= 4 * PAGE_SIZE);
    constexpr usize RING_PAGES = align_up(sizeof(jvmos_ship_ring), PAGE_SIZE) / PAGE_SIZE;
    mm::FrameAllocator& frames = kernel::frames();
    Result<u64> ring = frames.alloc_contiguous(RING_PAGES, 1);
    if (ring.is_error()) panic("out of memory for the ship ring");
    g_ring = static_cast<jvmos_ship_ring*>(frames.to_virt(ring.value()));
    g_ring->magic = JVMOS_SHIP_RING_MAGIC;
    g_ring->slot_count = JVMOS_SHIP_SLOTS;
    constexpr usize DATA_PAGES = JVMOS_SHIP_SLOT_DATA / PAGE_SIZE;
    for (u32 i = 0; i < JVMOS_SHIP_SLOTS; i++) {
        Result<u64> data = frames.alloc_contiguous(DATA_PAGES, 1);
        if (data.is_error()) panic("out of memory for the ship ring's buffers");
        g_ring->slots[i].data_gpa = data.value();
        g_ring->slots[i].state = JVMOS_SHIP_FREE;
        g_slot_data[i] = static_cast<u8*>(frames.to_virt(data.value()));
    }
    const i64 r = kernel::host_request(JVMOS_HOST_SHIP_SETUP, ring.value());
    if (r < 0)
        panic("the monitor could not connect the ship ring to linux-proxy (%s)",
              errno_name(Errno(-r)) ? errno_name(Errno(-r)) : "unknown error");
}

const char* initial_cwd() { return g_ring->cwd; }

Result<u32> Call::put_path(const char* path, usize len, u32 offset) {
    if (len > 4096 || offset + len + 1 > DATA_CAPACITY) return Errno::ENAMETOOLONG;
    memcpy(m_data + offset, path, len);
    m_data[offset + len] = 0;
    return u32(offset + len + 1);
}

Call begin(u32 op, u32 handle) {
    Call c;
    for (u32 i = 0; i < JVMOS_SHIP_SLOTS; i++) {
        if (g_busy & (1u << i)) continue;
        g_busy |= 1u << i;
        jvmos_ship_slot& s = g_ring->slots[i];
        JVMOS_ASSERT_EQ(s.state, u32(JVMOS_SHIP_FREE));
        s.op = op;
        s.handle = handle;
        s.handle2 = 0;
        for (auto& a : s.args) a = 0;
        s.in_len = 0;
        s.path2_off = 0;
        s.error = 0;
        s.out_len = 0;
        s.result = 0;
        s.new_handle = 0;
        s.new_handle2 = 0;
        c.m_slot = &s;
        c.m_data = g_slot_data[i];
        return c;
    }
    // More threads in shipped calls than slots: wait until a call frees one.
    g_slot_waiters.push(sched::current());
    sched::block(0);
    return begin(op, handle);
}

Result<i64> call(Call& c) {
    jvmos_ship_slot& s = *c.m_slot;
    // Sequentially consistent: the load of relay_polling must not pass the store (x86 lets a
    // load overtake an earlier store), or the guest could skip the doorbell just as the relay
    // stops polling, and both would wait forever.
    g_issued++;
    const u64 submitted = stats::timestamp();
    __atomic_store_n(&s.state, u32(JVMOS_SHIP_SUBMITTED), __ATOMIC_SEQ_CST);
    if (!__atomic_load_n(&g_ring->relay_polling, __ATOMIC_SEQ_CST)) ring_doorbell();
    const u32 index = u32(&s - g_ring->slots);
    const bool interrupted = wait_done(s, interruptible_op(s.op));
    stats::ship_end(s.op, submitted);
    // A request the relay has not taken must not reach the slot's next call.
    if (interrupted) __atomic_and_fetch(&g_ring->interrupt_slots, ~(1u << index), __ATOMIC_SEQ_CST);
    // The slot is ours again: results are stable. Free it for the next begin(); the caller
    // reads the results before starting another call.
    const i32 err = s.error;
    const i64 result = s.result;
    store_release(&s.state, JVMOS_SHIP_FREE);
    g_busy &= ~(1u << u32(&s - g_ring->slots));
    if (sched::Thread* t = g_slot_waiters.pop()) sched::wake(t);
    // Ended by our interrupt before it transferred anything: the signal decides between EINTR
    // and a restart (SA_RESTART), as for Linux's ERESTARTSYS.
    if (interrupted && err == i32(Errno::EINTR)) return Errno::ERESTARTSYS;
    if (err) return Errno(err);
    return result;
}

void release(u32 handle) {
    Call c = begin(JVMOS_SHIP_RELEASE, handle);
    (void)call(c);
}

u64 calls_completed() { return g_ring ? __atomic_load_n(&g_ring->calls, __ATOMIC_RELAXED) : 0; }

u64 calls_issued() { return g_issued; }

void on_completion_interrupt() {
    for (u32 i = 0; i < JVMOS_SHIP_SLOTS; i++)
        if (g_waiter[i] && load_acquire(&g_ring->slots[i].state) == JVMOS_SHIP_DONE)
            sched::wake_from_interrupt(g_waiter[i]);
}

} // namespace jvmos::shipper
