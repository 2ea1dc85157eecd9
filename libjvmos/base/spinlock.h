// A test-and-test-and-set spinlock for short critical sections shared between vCPUs.
// It does not disable interrupts: a lock that an interrupt handler also takes must be taken with
// interrupts disabled by its caller.
#pragma once

#include "base/types.h"

namespace jvmos {

class Spinlock {
public:
    constexpr Spinlock() = default;
    Spinlock(const Spinlock&) = delete;
    Spinlock& operator=(const Spinlock&) = delete;

    // Spins until the lock is ours. Not recursive: taking it twice on one CPU deadlocks.
    void lock() {
        for (;;) {
            if (!__atomic_exchange_n(&m_locked, true, __ATOMIC_ACQUIRE)) return;
            // Spin on a plain load so that waiters share the cache line instead of bouncing it
            // with atomic writes; `pause` yields the core's resources to the sibling thread.
            while (__atomic_load_n(&m_locked, __ATOMIC_RELAXED)) __builtin_ia32_pause();
        }
    }

    // Takes the lock if it is free; returns whether it did. Never spins.
    bool try_lock() {
        if (__atomic_load_n(&m_locked, __ATOMIC_RELAXED)) return false;
        return !__atomic_exchange_n(&m_locked, true, __ATOMIC_ACQUIRE);
    }

    // Releases a lock held by the caller.
    void unlock() { __atomic_store_n(&m_locked, false, __ATOMIC_RELEASE); }

    // Whether someone holds the lock right now (for assertions only: it may change at once).
    bool is_locked() const { return __atomic_load_n(&m_locked, __ATOMIC_RELAXED); }

private:
    bool m_locked = false;
};

// Holds a Spinlock for the lifetime of the guard.
class SpinlockGuard {
public:
    explicit SpinlockGuard(Spinlock& lock) : m_lock(lock) { m_lock.lock(); }
    ~SpinlockGuard() { m_lock.unlock(); }
    SpinlockGuard(const SpinlockGuard&) = delete;
    SpinlockGuard& operator=(const SpinlockGuard&) = delete;

private:
    Spinlock& m_lock;
};

} // namespace jvmos
