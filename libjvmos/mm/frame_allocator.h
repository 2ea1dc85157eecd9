// The guest's physical frame allocator: two bitmaps over the RAM ranges the monitor gave us.
//
// Lock order: FrameAllocator's lock is a leaf; callers (KernelHeap, page-table code) may hold
// their own locks while calling in.
#pragma once

#include "base/result.h"
#include "base/spinlock.h"
#include "base/types.h"
#include "mm/phys.h"

namespace jvmos::mm {

class FrameAllocator final : public PhysMem {
public:
    static constexpr usize MAX_RANGES = 4;

    constexpr FrameAllocator() = default;
    FrameAllocator(const FrameAllocator&) = delete;
    FrameAllocator& operator=(const FrameAllocator&) = delete;

    // Bytes of bitmap storage init() needs for these ranges (both bitmaps, 8-byte words).
    static usize bitmap_bytes_needed(const MemRange* ranges, usize count);

    // Takes over RAM: `ranges` sorted and disjoint (at most MAX_RANGES; partial pages at their
    // edges are ignored), every frame below `reserved_end` is in use for good (kernel, boot
    // tables, and the bitmap storage itself, which the caller places there), and frames never
    // handed out before are known to be zero. `bitmap_storage` is 8-byte aligned and holds
    // `bitmap_bytes` >= bitmap_bytes_needed(); physmap_base + gpa is where `gpa` is mapped.
    // EINVAL if the ranges or the storage are unusable. Called once, before any other use.
    Result<void> init(const MemRange* ranges, usize count, u64 reserved_end, void* bitmap_storage,
                      usize bitmap_bytes, u8* physmap_base);

    // One zeroed frame. Frames that were never handed out are already zero and are not written.
    Result<u64> alloc_frame() override;
    // One frame with unspecified contents (not zeroed).
    Result<u64> alloc_frame_dirty() override;
    // `count` zeroed contiguous frames, the first a multiple of align_frames frames; never
    // across the hole between two ranges. First fit; ENOMEM if no run fits.
    Result<u64> alloc_contiguous(usize count, usize align_frames) override;

    // Frees one frame. Freeing a free, reserved or non-RAM frame is a kernel bug (asserts).
    void free_frame(u64 gpa) override;
    // Frees `count` frames from `gpa` (as alloc_contiguous() returned them), same checks.
    void free_contiguous(u64 gpa, usize count) override;

    void* to_virt(u64 gpa) override { return reinterpret_cast<void*>(m_physmap + gpa); }
    u64 to_phys(const void* virt) override { return reinterpret_cast<uptr>(virt) - m_physmap; }

    // Frames of RAM in the ranges (reserved ones included).
    usize total_frames() const { return m_total; }
    // Frames free right now (a snapshot under concurrency).
    usize free_frames() const { return __atomic_load_n(&m_free, __ATOMIC_RELAXED); }

private:
    // A range's frames occupy bits [first_bit, first_bit + frames) of both bitmaps. Each range
    // starts on a fresh 64-bit word; the padding bits after it are permanently "used", so the
    // single-frame search can scan all words without looking at range boundaries.
    struct Range {
        u64 gpa = 0;
        u64 frames = 0;
        usize first_bit = 0;
    };

    bool bit_of(u64 gpa, usize& bit) const;
    u64 gpa_of(usize bit) const;
    Result<usize> take_one();
    // Marks frames dirty (ever handed out); returns whether the frame already was.
    bool mark_dirty(usize bit);
    void zero_if_dirty(usize bit, u64 gpa);
    // Index of the highest used bit in [first, first + count), or -1 if all are free.
    i64 last_used_in(usize first, usize count) const;
    void set_used(usize first, usize count);
    void release(u64 gpa, usize count);

    Range m_ranges[MAX_RANGES] = {};
    usize m_range_count = 0;
    u64* m_used = nullptr;  // 1 = allocated, reserved or padding
    u64* m_dirty = nullptr; // 1 = handed out at least once (or reserved): may hold old data
    usize m_words = 0;
    uptr m_physmap = 0;
    u64 m_reserved_end = 0;
    usize m_total = 0;
    usize m_free = 0;
    usize m_cursor = 0; // word where the next-fit search resumes
    Spinlock m_lock;    // guards m_used, m_free and m_cursor; m_dirty is updated atomically
};

} // namespace jvmos::mm
