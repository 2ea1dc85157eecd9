// futex(2): waiting on and waking user words. A word is named by a key, as on Linux: a private
// futex (FUTEX_PRIVATE_FLAG) by its address space and address, since two processes use the same
// address for different words; a shared one in MAP_SHARED memory by what backs it (the memory
// object and offset, or the frame of a shared file page), so that parent and child can wait
// and wake each other through shared memory at any address. A shared futex in private memory
// is keyed like a private one.
#pragma once

#include "base/result.h"
#include "base/types.h"

namespace jvmos::sched {

inline constexpr u32 FUTEX_BITSET_MATCH_ANY = 0xffffffff;

enum class FutexScope : u8 { process_private, shared };

// Blocks while *uaddr == expected, until woken (0), `deadline_ns` passes (ETIMEDOUT;
// monotonic, 0 = none). EAGAIN if the word differs, EFAULT if unreadable, EINVAL if misaligned.
Result<u64> futex_wait(u64 uaddr, u32 expected, i64 deadline_ns, u32 bitset, FutexScope scope);
// Wakes up to `count` waiters on uaddr whose bitset intersects `bitset`; returns how many.
// EFAULT if a shared futex's address is not mapped.
Result<u64> futex_wake(u64 uaddr, u64 count, u32 bitset, FutexScope scope);
// Wakes up to `wake` waiters on uaddr and moves up to `requeue` more to uaddr2; returns the
// number woken (plus requeued, as Linux's CMP_REQUEUE does).
Result<u64> futex_requeue(u64 uaddr, u64 wake, u64 requeue, u64 uaddr2, FutexScope scope);

} // namespace jvmos::sched
