// The kernel's allocation interface. Containers and tables that need memory take an Allocator&
// explicitly (no global operator new in the kernel), so host tests can hand them any allocator.
#pragma once

#include "base/types.h"

namespace jvmos {

class Allocator {
public:
    // Returns `size` bytes aligned to `align`, or nullptr when memory is exhausted. `align` is a
    // power of two no larger than the power of two at or above `size` (always true for a C++
    // type, since alignof(T) <= sizeof(T)); for over-aligned storage round `size` up to the
    // alignment, so that deallocate() sees the same size. Contents are unspecified.
    virtual void* allocate(usize size, usize align) = 0;

    // Returns memory from allocate(); `size` is the size that was passed to allocate().
    // deallocate(nullptr, n) does nothing.
    virtual void deallocate(void* p, usize size) = 0;

protected:
    // Protected and non-virtual: allocators are never deleted through this interface, so the
    // freestanding kernel needs no operator delete.
    ~Allocator() = default;
};

} // namespace jvmos
