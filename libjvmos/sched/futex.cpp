#include "sched/futex.h"

#include "kernel/process.h"
#include "mm/memory_object.h"
#include "sched/scheduler.h"

namespace jvmos::sched {
namespace {

constexpr usize BUCKETS = 256;
WaitQueue g_buckets[BUCKETS];

// The key of a futex word: a space (an AddressSpace*, a MemoryObject*, or FRAME_SPACE for a
// guest-physical address) and an offset in it.
struct Key {
    u64 space;
    u64 offset;
};
constexpr u64 FRAME_SPACE = 1;

WaitQueue& bucket(const Key& k) {
    return g_buckets[((k.offset >> 2) ^ (k.space >> 4)) * 0x9e3779b97f4a7c15ull >> 56];
}

bool waits_on(const Thread* t, const Key& k) {
    return t->wait_channel == reinterpret_cast<void*>(k.space) && t->futex_offset == k.offset;
}

Result<Key> key_of(u64 uaddr, FutexScope scope) {
    if (uaddr & 3) return Errno::EINVAL;
    mm::AddressSpace& as = kernel::current_address_space();
    const Key private_key{reinterpret_cast<u64>(&as), uaddr};
    if (scope == FutexScope::process_private) return private_key;
    const mm::Region* r = as.regions().find(uaddr);
    if (!r) return Errno::EFAULT;
    if (!(r->flags & mm::LINUX_MAP_SHARED)) return private_key;
    if (r->kind == mm::RegionKind::Shmem)
        return Key{r->file_id, r->file_offset + (uaddr - r->start)};
    // A shared file page: its frame, which fork shares (the word is read in first).
    u32 word;
    TRY(as.copy_from_user(&word, uaddr, sizeof word));
    const mm::Lookup l = as.page_table().lookup(uaddr);
    if (!l.pte) return private_key;
    return Key{FRAME_SPACE, l.gpa_of_va};
}

u64 wake_key(const Key& k, u64 count, u32 bitset) {
    WaitQueue& q = bucket(k);
    u64 woken = 0;
    Thread* prev = nullptr;
    for (Thread* t = q.head; t && woken < count;) {
        Thread* next = t->wait_next;
        if (waits_on(t, k) && (t->wait_bitset & bitset)) {
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

} // namespace

Result<u64> futex_wait(u64 uaddr, u32 expected, i64 deadline_ns, u32 bitset, FutexScope scope) {
    if (uaddr & 3) return Errno::EINVAL;
    if (bitset == 0) return Errno::EINVAL;
    u32 value;
    TRY(kernel::current_address_space().copy_from_user(&value, uaddr, sizeof value));
    if (value != expected) return Errno::EAGAIN;
    const Key k = TRY(key_of(uaddr, scope));
    Thread* t = current();
    t->wait_channel = reinterpret_cast<void*>(k.space);
    t->futex_offset = k.offset;
    t->wait_bitset = bitset;
    bucket(k).push(t);
    WakeReason why = block_interruptible(deadline_ns);
    // A timeout or a signal makes the thread runnable but leaves it queued until it runs. A
    // futex_wake in between dequeues it and counts it as woken, so, as on Linux, the wake wins:
    // the wait succeeds. Returning ETIMEDOUT/EINTR there would lose that wake-up (a mutex
    // released to a waiter that gives up, while the next waiter sleeps on). A requeue may have
    // moved it: its key is the one in its fields now.
    const Key now{reinterpret_cast<u64>(t->wait_channel), t->futex_offset};
    if (why != WakeReason::Woken && !bucket(now).remove(t)) why = WakeReason::Woken;
    t->wait_channel = nullptr;
    if (why == WakeReason::Woken) return 0;
    return why == WakeReason::TimedOut ? Errno::ETIMEDOUT : Errno::EINTR;
}

Result<u64> futex_wake(u64 uaddr, u64 count, u32 bitset, FutexScope scope) {
    const Key k = TRY(key_of(uaddr, scope));
    return wake_key(k, count, bitset);
}

Result<u64> futex_requeue(u64 uaddr, u64 wake_count, u64 requeue, u64 uaddr2, FutexScope scope) {
    const Key from_key = TRY(key_of(uaddr, scope));
    const Key to_key = TRY(key_of(uaddr2, scope));
    u64 done = wake_key(from_key, wake_count, FUTEX_BITSET_MATCH_ANY);
    if (!requeue) return done;
    WaitQueue& from = bucket(from_key);
    WaitQueue& to = bucket(to_key);
    u64 moved = 0;
    if (&from == &to) {
        // Same bucket: relabel in place.
        for (Thread* t = from.head; t && moved < requeue; t = t->wait_next) {
            if (!waits_on(t, from_key)) continue;
            t->wait_channel = reinterpret_cast<void*>(to_key.space);
            t->futex_offset = to_key.offset;
            moved++;
        }
        return done + moved;
    }
    Thread* prev = nullptr;
    for (Thread* t = from.head; t && moved < requeue;) {
        Thread* next = t->wait_next;
        if (waits_on(t, from_key)) {
            from.unlink(prev, t);
            t->wait_channel = reinterpret_cast<void*>(to_key.space);
            t->futex_offset = to_key.offset;
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
