// Frames owned by more than one address space: the private pages that fork() leaves shared,
// copy-on-write, between parent and child, and the pages of MAP_SHARED file mappings that both
// keep. A count per 4 KiB frame of the *extra* owners: 0 (the common case, and every frame
// before the first fork) means one owner, who frees it; N means N + 1 owners, and an owner that
// lets go only decrements.
//
// Storage is set up at the first fork (one u32 per frame of guest RAM, 0.1% of it), so a
// program that never forks pays nothing.
//
// Locking: the counts are updated atomically, but deciding on a count (copy or reuse a page on
// a write fault) relies on the caller's lock (today the kernel lock: sched/smp.h).
#pragma once

#include "base/result.h"
#include "base/types.h"
#include "mm/phys.h"

namespace jvmos::mm {

class FrameRefs {
  public:
    constexpr FrameRefs() = default;
    FrameRefs(const FrameRefs&) = delete;
    FrameRefs& operator=(const FrameRefs&) = delete;

    // Allocates the counts for frames below `gpa_end` (once; later calls do nothing). ENOMEM.
    Result<void> init(PhysMem& phys, u64 gpa_end);

    // One more owner of the frame at `gpa`.
    void share(u64 gpa);
    // One owner lets go. True if others remain (the count dropped); false if the caller was the
    // only owner and must free the frame.
    bool drop(u64 gpa);
    // Whether another owner holds the frame.
    bool shared(u64 gpa) const;
    // Whether any of the `count` frames from `gpa` is shared.
    bool any_shared(u64 gpa, usize count) const;

  private:
    u32* m_counts = nullptr;
    u64 m_frames = 0;
};

// Frees a page of `size` whose frames may be shared: each frame still owned by another address
// space only loses this owner; the others go back to `phys`.
void release_shared_page(PhysMem& phys, FrameRefs* refs, u64 gpa, bool large);

} // namespace jvmos::mm
