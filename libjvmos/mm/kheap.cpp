// Kernel heap: per-class free lists threaded through the free objects themselves.
#include "mm/kheap.h"

#include "base/assert.h"

namespace jvmos::mm {

namespace {

// Requests beyond this many bytes cannot be real (and would overflow the frame arithmetic).
constexpr usize MAX_REQUEST = usize{1} << 46;

// Index of the size class serving `size` bytes (size <= MAX_CLASS): 0 for 16 bytes, 7 for 2048.
usize class_index(usize size) {
    if (size <= KernelHeap::MIN_CLASS) return 0;
    const usize bits = 64 - static_cast<usize>(__builtin_clzll(size - 1)); // ceil(log2(size))
    return bits - 4;
}

} // namespace

void* KernelHeap::allocate(usize size, usize align) {
    if (align == 0) align = 1;
    JVMOS_ASSERT_EQ(align & (align - 1), 0u);

    if (size <= MAX_CLASS) {
        const usize index = class_index(size);
        const usize class_size = MIN_CLASS << index;
        // deallocate() only sees the size, so the class must follow from it alone.
        if (align > class_size)
            assertion_failed("align <= size's power of two (Allocator contract)", __FILE__,
                             __LINE__, size, align);
        SpinlockGuard guard(m_lock);
        if (m_free[index] == nullptr) {
            // Contents do not matter: carving overwrites the links, callers get raw memory.
            auto frame = m_phys.alloc_frame_dirty();
            if (frame.is_error()) return nullptr;
            auto* base = static_cast<u8*>(m_phys.to_virt(frame.value()));
            // Pushed from the top so that the frame is handed out in address order.
            for (usize offset = PAGE_SIZE; offset > 0;) {
                offset -= class_size;
                auto* object = reinterpret_cast<FreeObject*>(base + offset);
                object->next = m_free[index];
                m_free[index] = object;
            }
        }
        FreeObject* object = m_free[index];
        m_free[index] = object->next;
        __atomic_fetch_add(&m_in_use, class_size, __ATOMIC_RELAXED);
        return object;
    }

    if (size > MAX_REQUEST) return nullptr;
    const usize frames = align_up(size, PAGE_SIZE) / PAGE_SIZE;
    const usize align_frames = align > PAGE_SIZE ? align / PAGE_SIZE : 1;
    // TODO(perf): alloc_contiguous() zeroes the frames, which the heap does not promise.
    auto gpa = m_phys.alloc_contiguous(frames, align_frames);
    if (gpa.is_error()) return nullptr;
    __atomic_fetch_add(&m_in_use, frames * PAGE_SIZE, __ATOMIC_RELAXED);
    return m_phys.to_virt(gpa.value());
}

void KernelHeap::deallocate(void* p, usize size) {
    if (p == nullptr) return;
    const uptr address = reinterpret_cast<uptr>(p);

    if (size <= MAX_CLASS) {
        const usize index = class_index(size);
        const usize class_size = MIN_CLASS << index;
        // A misaligned pointer means a wrong size or a pointer we never handed out.
        if (!is_aligned(address, class_size))
            assertion_failed("freed object aligned to its class", __FILE__, __LINE__, address,
                             size);
        auto* object = static_cast<FreeObject*>(p);
        SpinlockGuard guard(m_lock);
        object->next = m_free[index];
        m_free[index] = object;
        __atomic_fetch_sub(&m_in_use, class_size, __ATOMIC_RELAXED);
        return;
    }

    if (!is_aligned(address, PAGE_SIZE))
        assertion_failed("freed large allocation page-aligned", __FILE__, __LINE__, address, size);
    const usize frames = align_up(size, PAGE_SIZE) / PAGE_SIZE;
    m_phys.free_contiguous(m_phys.to_phys(p), frames);
    __atomic_fetch_sub(&m_in_use, frames * PAGE_SIZE, __ATOMIC_RELAXED);
}

} // namespace jvmos::mm
