// FrameRefs: extra owners per frame, and release_shared_page freeing only unshared frames.
#include "mm/frame_refs.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <set>

namespace jvmos::mm {
namespace {

// Frames by GPA over host memory; records what is freed.
class CountingPhys final : public PhysMem {
  public:
    static constexpr usize FRAMES = 2048;
    CountingPhys() { m_mem = static_cast<u8*>(std::calloc(FRAMES, PAGE_SIZE)); }
    ~CountingPhys() { std::free(m_mem); }
    Result<u64> alloc_frame() override { return u64{0}; }
    void free_frame(u64 gpa) override { freed.insert(gpa); }
    Result<u64> alloc_contiguous(usize, usize) override { return u64{(FRAMES - 8) * PAGE_SIZE}; }
    void free_contiguous(u64 gpa, usize count) override {
        runs++;
        for (usize k = 0; k < count; k++) freed.insert(gpa + k * PAGE_SIZE);
    }
    void* to_virt(u64 gpa) override { return m_mem + gpa; }
    u64 to_phys(const void* v) override { return u64(static_cast<const u8*>(v) - m_mem); }

    std::set<u64> freed;
    int runs = 0;

  private:
    u8* m_mem;
};

TEST(FrameRefs, CountsExtraOwners) {
    CountingPhys phys;
    FrameRefs refs;
    ASSERT_TRUE(refs.init(phys, 1024 * PAGE_SIZE).is_ok());
    EXPECT_FALSE(refs.shared(0x5000));
    refs.share(0x5000);
    refs.share(0x5000);
    EXPECT_TRUE(refs.shared(0x5000));
    EXPECT_TRUE(refs.drop(0x5000)); // two owners remain
    EXPECT_TRUE(refs.drop(0x5000)); // one remains: it frees
    EXPECT_FALSE(refs.shared(0x5000));
    EXPECT_FALSE(refs.drop(0x5000));
}

TEST(FrameRefs, ReleaseFreesOnlyWhatNoOtherOwnerHolds) {
    CountingPhys phys;
    FrameRefs refs;
    ASSERT_TRUE(refs.init(phys, 1024 * PAGE_SIZE).is_ok());
    // A 2 MiB run with one frame still shared: the others are freed one by one.
    const u64 run = 0x200000;
    refs.share(run + 7 * PAGE_SIZE);
    release_shared_page(phys, &refs, run, true);
    EXPECT_EQ(phys.runs, 0);
    EXPECT_EQ(phys.freed.size(), 511u);
    EXPECT_EQ(phys.freed.count(run + 7 * PAGE_SIZE), 0u);
    EXPECT_FALSE(refs.shared(run + 7 * PAGE_SIZE)); // its last owner now
    // Unshared: the run goes back whole.
    phys.freed.clear();
    release_shared_page(phys, &refs, 0x400000, true);
    EXPECT_EQ(phys.runs, 1);
    EXPECT_EQ(phys.freed.size(), 512u);
    // Before any fork (no counts): a plain free.
    phys.freed.clear();
    release_shared_page(phys, nullptr, 0x9000, false);
    EXPECT_EQ(phys.freed.count(0x9000), 1u);
}

} // namespace
} // namespace jvmos::mm
