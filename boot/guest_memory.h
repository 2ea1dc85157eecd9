// Guest RAM as the monitor sees it. Guest-physical addresses are a distinct type that cannot be
// dereferenced; the only way to reach guest bytes is span(), which bounds-checks against the RAM
// ranges (the 32-bit hole included) and fails for anything else. Everything the guest hands us
// goes through it: vCPUs are hostile from their first instruction.
#pragma once

#include "jvmos/abi/abi.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace jvmos::boot {

struct GuestPhysAddr {
    uint64_t value;
    friend constexpr bool operator==(GuestPhysAddr, GuestPhysAddr) = default;
};

struct RamRange {
    uint64_t gpa;
    uint64_t size;
    uint8_t* host; // where it is mapped in this process
};

class GuestMemory {
public:
    // Maps `mem_size` bytes of anonymous memory and splits it around the 32-bit MMIO hole.
    // Throws std::runtime_error (with errno text) if the host cannot provide it.
    explicit GuestMemory(uint64_t mem_size);
    // For tests: wrap caller-owned buffers as RAM ranges (not unmapped on destruction).
    explicit GuestMemory(std::vector<RamRange> ranges);
    ~GuestMemory();
    GuestMemory(const GuestMemory&) = delete;
    GuestMemory& operator=(const GuestMemory&) = delete;

    // [gpa, gpa + len) if it lies entirely inside one RAM range; nullopt otherwise (including
    // overflow). len == 0 is valid for any address inside RAM.
    std::optional<std::span<uint8_t>> span(GuestPhysAddr gpa, uint64_t len) const;
    // Typed access to a whole struct at gpa (nullptr if out of range or misaligned for T).
    template <typename T> T* object(GuestPhysAddr gpa) const {
        if (gpa.value % alignof(T) != 0) return nullptr;
        auto s = span(gpa, sizeof(T));
        return s ? reinterpret_cast<T*>(s->data()) : nullptr;
    }

    const std::vector<RamRange>& ranges() const { return m_ranges; }
    uint64_t size() const { return m_size; }
    uint64_t max_gpa() const; // end of the highest range

private:
    std::vector<RamRange> m_ranges;
    uint8_t* m_mapping = nullptr;
    uint64_t m_size = 0;
};

} // namespace jvmos::boot
