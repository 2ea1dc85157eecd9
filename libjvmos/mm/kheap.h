// The kernel heap: power-of-two size classes carved from 4 KiB frames, whole frames beyond.
//
// Lock order: KernelHeap's lock, then the PhysMem's (frames are taken while holding ours).
#pragma once

#include "base/allocator.h"
#include "base/spinlock.h"
#include "base/types.h"
#include "mm/phys.h"

namespace jvmos::mm {

class KernelHeap final : public Allocator {
public:
    static constexpr usize MIN_CLASS = 16;
    static constexpr usize MAX_CLASS = 2048;

    explicit constexpr KernelHeap(PhysMem& phys) : m_phys(phys) {}
    KernelHeap(const KernelHeap&) = delete;
    KernelHeap& operator=(const KernelHeap&) = delete;

    // Sizes up to MAX_CLASS come from the size class of the power of two at or above them
    // (objects of class c are c-aligned); larger ones take contiguous frames, aligned to
    // max(align, 4 KiB). nullptr when frames run out. `align` follows the Allocator contract
    // (asserted). allocate(0, ...) returns a distinct MIN_CLASS object.
    void* allocate(usize size, usize align) override;

    // Small objects go back to their class's free list (frames are kept for reuse); large ones
    // go back to the PhysMem.
    void deallocate(void* p, usize size) override;

    // Bytes handed out and not yet returned, counting each object at its class size and each
    // large allocation in whole frames.
    usize bytes_in_use() const { return __atomic_load_n(&m_in_use, __ATOMIC_RELAXED); }

private:
    static constexpr usize CLASS_COUNT = 8; // 16, 32, ..., 2048

    struct FreeObject {
        FreeObject* next;
    };

    PhysMem& m_phys;
    FreeObject* m_free[CLASS_COUNT] = {};
    usize m_in_use = 0;
    Spinlock m_lock; // guards m_free and m_in_use
};

} // namespace jvmos::mm
