// A fake PhysMem for the mm unit tests: frames at GPAs [Base, Base + Frames * 4 KiB) backed by
// host memory (2 MiB-aligned, so that 2 MiB runs are), with a count of live frames and switches
// that make allocations fail. Memory never handed out and "dirty" frames read as 0xa5, freed
// ones as 0xdd, so that a missing zeroing or a use after free shows.
//
// Include after <gtest/gtest.h> and after defining jvmos::mm::test_errno::NO_MEMORY (Errno's
// enumerators share their names with <errno.h>'s macros, which gtest pulls in).
#pragma once

#include "mm/phys.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace jvmos::mm::test {

template <u64 Base, usize Frames>
class FakePhys final : public PhysMem {
public:
    static constexpr u64 BASE = Base;
    static constexpr usize FRAMES = Frames;

    FakePhys() : m_used(FRAMES, false) {
        m_mem = static_cast<u8*>(std::aligned_alloc(2 * MiB, FRAMES * PAGE_SIZE));
        std::memset(m_mem, 0xa5, FRAMES * PAGE_SIZE);
    }
    ~FakePhys() { std::free(m_mem); }
    FakePhys(const FakePhys&) = delete;
    FakePhys& operator=(const FakePhys&) = delete;

    Result<u64> alloc_frame() override {
        auto r = alloc_frame_dirty();
        if (r.is_ok()) std::memset(to_virt(r.value()), 0, PAGE_SIZE);
        return r;
    }
    Result<u64> alloc_frame_dirty() override {
        if (m_fail_frames) return test_errno::NO_MEMORY;
        for (usize i = 0; i < FRAMES; ++i) {
            if (m_used[i]) continue;
            m_used[i] = true;
            ++m_live;
            const u64 gpa = BASE + i * PAGE_SIZE;
            std::memset(to_virt(gpa), 0xa5, PAGE_SIZE); // "dirty": old contents
            return gpa;
        }
        return test_errno::NO_MEMORY;
    }
    void free_frame(u64 gpa) override {
        const usize i = (gpa - BASE) / PAGE_SIZE;
        EXPECT_TRUE(gpa >= BASE && i < FRAMES && m_used[i]) << std::hex << gpa;
        m_used[i] = false;
        --m_live;
        std::memset(to_virt(gpa), 0xdd, PAGE_SIZE); // a use after free shows as garbage
    }
    Result<u64> alloc_contiguous(usize count, usize align_frames) override {
        if (m_fail_contiguous) return test_errno::NO_MEMORY;
        for (usize i = 0; i + count <= FRAMES; i += align_frames) {
            if (std::any_of(m_used.begin() + i, m_used.begin() + i + count,
                            [](bool b) { return b; }))
                continue;
            for (usize k = 0; k < count; ++k) m_used[i + k] = true;
            m_live += count;
            std::memset(m_mem + i * PAGE_SIZE, 0, count * PAGE_SIZE);
            return BASE + i * PAGE_SIZE;
        }
        return test_errno::NO_MEMORY;
    }
    void free_contiguous(u64 gpa, usize count) override {
        for (usize k = 0; k < count; ++k) free_frame(gpa + k * PAGE_SIZE);
    }
    void* to_virt(u64 gpa) override {
        EXPECT_TRUE(gpa >= BASE && gpa < BASE + FRAMES * PAGE_SIZE) << std::hex << gpa;
        return m_mem + (gpa - BASE);
    }
    u64 to_phys(const void* virt) override {
        return BASE + static_cast<u64>(static_cast<const u8*>(virt) - m_mem);
    }

    usize live() const { return m_live; }
    // Single frames (alloc_frame, alloc_frame_dirty) / contiguous runs fail with ENOMEM.
    void fail_frames(bool f) { m_fail_frames = f; }
    void fail_contiguous(bool f) { m_fail_contiguous = f; }
    // Both.
    void fail(bool f) { m_fail_frames = m_fail_contiguous = f; }
    // Entry `index` of the page table in the frame at `table_gpa`.
    u64 entry(u64 table_gpa, usize index) { return static_cast<u64*>(to_virt(table_gpa))[index]; }

private:
    u8* m_mem;
    std::vector<bool> m_used;
    usize m_live = 0;
    bool m_fail_frames = false;
    bool m_fail_contiguous = false;
};

} // namespace jvmos::mm::test
