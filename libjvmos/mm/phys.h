// Guest-physical memory as the rest of mm sees it: frames by guest-physical address (GPA), and
// the kernel virtual address through which a GPA is reached (the physmap in the guest, host
// memory in unit tests).
#pragma once

#include "base/result.h"
#include "base/types.h"

namespace jvmos::mm {

// One range of guest RAM: [gpa, gpa + size).
struct MemRange {
    u64 gpa;
    u64 size;
};

// Source of 4 KiB frames. Implemented by FrameAllocator in the kernel and by fakes in tests.
// Implementations may be called concurrently from several vCPUs.
class PhysMem {
public:
    // One zeroed 4 KiB frame; its GPA. ENOMEM when none is free.
    virtual Result<u64> alloc_frame() = 0;

    // One 4 KiB frame whose contents are unspecified, for callers that overwrite all of it
    // (it saves the zeroing). ENOMEM when none is free.
    virtual Result<u64> alloc_frame_dirty() { return alloc_frame(); }

    // Returns a frame from alloc_frame()/alloc_frame_dirty().
    virtual void free_frame(u64 gpa) = 0;

    // `count` zeroed, physically contiguous frames whose first GPA is a multiple of
    // align_frames * 4 KiB (align_frames is a power of two; 512 gives a 2 MiB page). ENOMEM when
    // no such run is free.
    virtual Result<u64> alloc_contiguous(usize count, usize align_frames) = 0;

    // Returns a run from alloc_contiguous(); `count` as passed to it.
    virtual void free_contiguous(u64 gpa, usize count) = 0;

    // Kernel virtual address of `gpa` (valid for all RAM).
    virtual void* to_virt(u64 gpa) = 0;

    // Inverse of to_virt(): the GPA behind a kernel virtual address of RAM.
    virtual u64 to_phys(const void* virt) = 0;

protected:
    ~PhysMem() = default;
};

} // namespace jvmos::mm
