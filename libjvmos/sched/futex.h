// futex(2): waiting on and waking user addresses. Keys are user virtual addresses: the guest
// has one address space, so private and shared futexes of the program name the same word by
// the same address. TODO: key shared futexes by frame once MAP_SHARED aliases exist (memfd).
#pragma once

#include "base/result.h"
#include "base/types.h"

namespace jvmos::sched {

inline constexpr u32 FUTEX_BITSET_MATCH_ANY = 0xffffffff;

// Blocks while *uaddr == expected, until woken (0), `deadline_ns` passes (ETIMEDOUT;
// monotonic, 0 = none). EAGAIN if the word differs, EFAULT if unreadable, EINVAL if misaligned.
Result<u64> futex_wait(u64 uaddr, u32 expected, i64 deadline_ns, u32 bitset);
// Wakes up to `count` waiters on uaddr whose bitset intersects `bitset`; returns how many.
u64 futex_wake(u64 uaddr, u64 count, u32 bitset);
// Wakes up to `wake` waiters on uaddr and moves up to `requeue` more to uaddr2; returns the
// number woken (plus requeued, as Linux's CMP_REQUEUE does).
u64 futex_requeue(u64 uaddr, u64 wake, u64 requeue, u64 uaddr2);

} // namespace jvmos::sched
