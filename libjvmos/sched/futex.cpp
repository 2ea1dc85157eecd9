#include "sched/futex.h"

#include "kernel/process.h"
#include "sched/scheduler.h"

namespace jvmos::sched {
namespace {

constexpr usize BUCKETS = 256;
WaitQueue g_buckets[BUCKETS];

WaitQueue& bucket(u64 key) { return g_buckets[(key >> 2) * 0x9e3779b97f4a7c15ull >> 56]; }

} // namespace

Result<u64> futex_wait(u64 uaddr, u32 expected, i64 deadline_ns, u32 bitset) {
    if (uaddr & 3) return Errno::EINVAL;
    if (bitset == 0) return Errno::EINVAL;
    u32 value;
    TRY(kernel::current_address_space().copy_from_user(&value, uaddr, sizeof value));
    if (value != expected) return Errno::EAGAIN;
    Thread* t = current();
    t->wait_channel = reinterpret_cast<void*>(uaddr);
    t->wait_bitset = bitset;
    bucket(uaddr).push(t);
    WakeReason why = block_interruptible(deadline_ns);
    // A timeout or a signal makes the thread runnable but leaves it queued until it runs. A
    // futex_wake in between dequeues it and counts it as woken, so, as on Linux, the wake wins:
    // the wait succeeds. Returning ETIMEDOUT/EINTR there would lose that wake-up (a mutex
    // released to a waiter that gives up, while the next waiter sleeps on).
    if (why != WakeReason::Woken && !bucket(reinterpret_cast<u64>(t->wait_channel)).remove(t))
        why = WakeReason::Woken;
    t->wait_channel = nullptr;
    if (why == WakeReason::Woken) return 0;
    return why == WakeReason::TimedOut ? Errno::ETIMEDOUT : Errno::EINTR;
}

u64 futex_wake(u64 uaddr, u64 count, u32 bitset) {
    WaitQueue& q = bucket(uaddr);
    u64 woken = 0;
    Thread* prev = nullptr;
    for (Thread* t = q.head; t && woken < count;) {
        Thread* next = t->wait_next;
        if (t->wait_channel == reinterpret_cast<void*>(uaddr) && (t->wait_bitset & bitset)) {
            q.unlink(prev, t); // (q.remove would rescan from the head)
            wake(t);
            woken++;
        } else {
            prev = t;
        }
        t = next;
    }
    return woken;
}

u64 futex_requeue(u64 uaddr, u64 wake_count, u64 requeue, u64 uaddr2) {
    u64 done = futex_wake(uaddr, wake_count, FUTEX_BITSET_MATCH_ANY);
    if (!requeue) return done;
    WaitQueue& from = bucket(uaddr);
    WaitQueue& to = bucket(uaddr2);
    u64 moved = 0;
    if (&from == &to) {
        // Same bucket: relabel in place.
        for (Thread* t = from.head; t && moved < requeue; t = t->wait_next) {
            if (t->wait_channel != reinterpret_cast<void*>(uaddr)) continue;
            t->wait_channel = reinterpret_cast<void*>(uaddr2);
            moved++;
        }
        return done + moved;
    }
    Thread* prev = nullptr;
    for (Thread* t = from.head; t && moved < requeue;) {
        Thread* next = t->wait_next;
        if (t->wait_channel == reinterpret_cast<void*>(uaddr)) {
            from.unlink(prev, t);
            t->wait_channel = reinterpret_cast<void*>(uaddr2);
            to.push(t);
            moved++;
        } else {
            prev = t;
        }
        t = next;
    }
    return done + moved;
}

} // namespace jvmos::sched
