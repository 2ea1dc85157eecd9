#include "mm/frame_refs.h"

#include "base/assert.h"

namespace jvmos::mm {

Result<void> FrameRefs::init(PhysMem& phys, u64 gpa_end) {
    if (m_counts) return {};
    const u64 frames = gpa_end / PAGE_SIZE;
    const u64 pages = align_up(frames * sizeof(u32), PAGE_SIZE) / PAGE_SIZE;
    const u64 gpa = TRY(phys.alloc_contiguous(usize(pages), 1)); // zeroed: nothing shared
    m_counts = static_cast<u32*>(phys.to_virt(gpa));
    m_frames = frames;
    return {};
}

void FrameRefs::share(u64 gpa) {
    const u64 i = gpa / PAGE_SIZE;
    JVMOS_ASSERT(m_counts && i < m_frames);
    __atomic_add_fetch(&m_counts[i], 1, __ATOMIC_RELAXED);
}

bool FrameRefs::drop(u64 gpa) {
    const u64 i = gpa / PAGE_SIZE;
    if (!m_counts || i >= m_frames) return false;
    u32 c = __atomic_load_n(&m_counts[i], __ATOMIC_RELAXED);
    while (c != 0) {
        if (__atomic_compare_exchange_n(&m_counts[i], &c, c - 1, false, __ATOMIC_ACQ_REL,
                                        __ATOMIC_RELAXED))
            return true;
    }
    return false;
}

bool FrameRefs::shared(u64 gpa) const {
    const u64 i = gpa / PAGE_SIZE;
    return m_counts && i < m_frames && __atomic_load_n(&m_counts[i], __ATOMIC_RELAXED) != 0;
}

bool FrameRefs::any_shared(u64 gpa, usize count) const {
    for (usize k = 0; k < count; k++)
        if (shared(gpa + k * PAGE_SIZE)) return true;
    return false;
}

void release_shared_page(PhysMem& phys, FrameRefs* refs, u64 gpa, bool large) {
    const usize count = large ? LARGE_PAGE_SIZE / PAGE_SIZE : 1;
    if (!refs || !refs->any_shared(gpa, count)) {
        if (large)
            phys.free_contiguous(gpa, count);
        else
            phys.free_frame(gpa);
        return;
    }
    // Some frames of a 2 MiB run are still another process's: the rest go one by one.
    for (usize k = 0; k < count; k++)
        if (!refs->drop(gpa + k * PAGE_SIZE)) phys.free_frame(gpa + k * PAGE_SIZE);
}

} // namespace jvmos::mm
