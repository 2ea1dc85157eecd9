// The kernel's physical memory and heap, set up once at boot from the boot info.
#pragma once

#include "jvmos/abi/abi.h"
#include "mm/frame_allocator.h"
#include "mm/kheap.h"

namespace jvmos::kernel {

void memory_init(const jvmos_boot_info& boot);
mm::FrameAllocator& frames();
mm::KernelHeap& heap();

} // namespace jvmos::kernel
