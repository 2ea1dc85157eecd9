#include "kernel/memory.h"

#include "kernel/panic.h"

#include <new>

namespace jvmos::kernel {
namespace {
alignas(mm::FrameAllocator) u8 g_frames_storage[sizeof(mm::FrameAllocator)];
alignas(mm::KernelHeap) u8 g_heap_storage[sizeof(mm::KernelHeap)];
mm::FrameAllocator* g_frames;
mm::KernelHeap* g_heap;
} // namespace

void memory_init(const jvmos_boot_info& boot) {
    mm::MemRange ranges[JVMOS_MAX_MEM_RANGES];
    const usize count = boot.mem_range_count < JVMOS_MAX_MEM_RANGES ? boot.mem_range_count
                                                                    : JVMOS_MAX_MEM_RANGES;
    for (usize i = 0; i < count; i++) ranges[i] = {boot.mem_ranges[i].gpa, boot.mem_ranges[i].size};
    // The allocator's bitmaps go right after everything the monitor placed.
    const usize bitmap_bytes = mm::FrameAllocator::bitmap_bytes_needed(ranges, count);
    const u64 bitmap_gpa = align_up(boot.reserved_end, PAGE_SIZE);
    const u64 reserved_end = align_up(bitmap_gpa + bitmap_bytes, PAGE_SIZE);
    auto* physmap = reinterpret_cast<u8*>(JVMOS_PHYSMAP_BASE);
    g_frames = new (g_frames_storage) mm::FrameAllocator();
    if (g_frames->init(ranges, count, reserved_end, physmap + bitmap_gpa, bitmap_bytes, physmap)
            .is_error())
        panic("cannot initialise the frame allocator (boot memory map invalid)");
    g_heap = new (g_heap_storage) mm::KernelHeap(*g_frames);
}

mm::FrameAllocator& frames() { return *g_frames; }
mm::KernelHeap& heap() { return *g_heap; }

} // namespace jvmos::kernel
