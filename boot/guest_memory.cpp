#include "guest_memory.h"

#include "layout.h"

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>
#include <sys/mman.h>

namespace jvmos::boot {

GuestMemory::GuestMemory(uint64_t mem_size) : m_size(mem_size) {
    void* p = mmap(nullptr, mem_size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        throw std::runtime_error("cannot allocate " + std::to_string(mem_size >> 20) +
                                 " MiB of guest memory: " + std::strerror(errno));
    m_mapping = static_cast<uint8_t*>(p);
    // Transparent huge pages on the host halve the cost of the shadow/EPT fills that every
    // first touch of a guest page pays. Only advice: ignore failure.
    madvise(p, mem_size, MADV_HUGEPAGE);
    uint64_t low = mem_size < layout::LOW_RAM_LIMIT ? mem_size : layout::LOW_RAM_LIMIT;
    m_ranges.push_back({0, low, m_mapping});
    if (mem_size > low)
        m_ranges.push_back({layout::HIGH_RAM_BASE, mem_size - low, m_mapping + low});
}

GuestMemory::GuestMemory(std::vector<RamRange> ranges) : m_ranges(std::move(ranges)) {
    for (auto& r : m_ranges) m_size += r.size;
}

GuestMemory::~GuestMemory() {
    if (m_mapping) munmap(m_mapping, m_size);
}

std::optional<std::span<uint8_t>> GuestMemory::span(GuestPhysAddr gpa, uint64_t len) const {
    for (const auto& r : m_ranges) {
        if (gpa.value < r.gpa || gpa.value - r.gpa > r.size) continue;
        uint64_t off = gpa.value - r.gpa;
        if (len > r.size - off) return std::nullopt;
        if (off == r.size && len == 0) return std::nullopt; // one past the end is not RAM
        return std::span<uint8_t>(r.host + off, len);
    }
    return std::nullopt;
}

uint64_t GuestMemory::max_gpa() const {
    uint64_t m = 0;
    for (const auto& r : m_ranges) m = std::max(m, r.gpa + r.size);
    return m;
}

} // namespace jvmos::boot
