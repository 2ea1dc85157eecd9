// FrameAllocator over host memory that stands in for guest RAM (GPA g lives at base + g).
#include "mm/frame_allocator.h"

// Errno's enumerators share their names with <errno.h>'s macros, which gtest pulls in: name the
// ones the tests need before that.
namespace jvmos::mm::test_errno {
constexpr Errno NO_MEMORY = Errno::ENOMEM;
constexpr Errno INVALID = Errno::EINVAL;
} // namespace jvmos::mm::test_errno

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <set>
#include <thread>
#include <vector>

namespace jvmos::mm {
namespace {

// Two ranges with a hole between them; the second has unaligned edges (its whole pages are
// [0x602000, 0x902000)). reserved_end covers the first MiB.
constexpr MemRange RANGES[] = {{0x0, 4 * MiB}, {0x601800, 3 * MiB + 0x800}};
constexpr u64 RANGE1_FIRST = 0x602000;
constexpr u64 RANGE1_END = 0x902000;
constexpr u64 RESERVED_END = 1 * MiB;
constexpr usize TOTAL = 1024 + 768;
constexpr usize FREE = TOTAL - 256;

struct FrameAllocatorTest : ::testing::Test {
    void SetUp() override {
        ram = static_cast<u8*>(std::aligned_alloc(2 * MiB, RAM_BYTES));
        ASSERT_NE(ram, nullptr);
        std::memset(ram, 0, RAM_BYTES); // fresh guest RAM is zero
        bitmap.resize(FrameAllocator::bitmap_bytes_needed(RANGES, 2) / sizeof(u64));
        ASSERT_TRUE(
            frames.init(RANGES, 2, RESERVED_END, bitmap.data(), bitmap.size() * sizeof(u64), ram)
                .is_ok());
    }
    void TearDown() override { std::free(ram); }

    u8* at(u64 gpa) { return ram + gpa; }
    bool all_bytes(u64 gpa, u8 value, u64 bytes = PAGE_SIZE) {
        for (u64 i = 0; i < bytes; ++i)
            if (at(gpa)[i] != value) return false;
        return true;
    }
    static bool in_ram(u64 gpa) {
        return gpa < 4 * MiB || (gpa >= RANGE1_FIRST && gpa < RANGE1_END);
    }
    std::vector<u64> take_all() {
        std::vector<u64> got;
        for (;;) {
            auto r = frames.alloc_frame();
            if (r.is_error()) {
                EXPECT_EQ(r.error(), test_errno::NO_MEMORY);
                return got;
            }
            got.push_back(r.value());
        }
    }

    static constexpr u64 RAM_BYTES = 10 * MiB;
    u8* ram = nullptr;
    std::vector<u64> bitmap;
    FrameAllocator frames;
};

TEST(FrameAllocatorSizing, BitmapBytesCoverBothBitmapsPerRange) {
    // 1024 frames = 16 words, 768 frames = 12 words, times two bitmaps.
    EXPECT_EQ(FrameAllocator::bitmap_bytes_needed(RANGES, 2), 2u * (16 + 12) * 8);
    // A range ending mid-word still takes a whole word.
    MemRange odd[] = {{0x100000, 65 * PAGE_SIZE}};
    EXPECT_EQ(FrameAllocator::bitmap_bytes_needed(odd, 1), 2u * 2 * 8);
}

TEST(FrameAllocatorSizing, InitRejectsUnusableInput) {
    alignas(8) static u64 storage[64];
    u8* physmap = nullptr;
    FrameAllocator a;
    MemRange unsorted[] = {{0x800000, MiB}, {0x0, MiB}};
    EXPECT_EQ(a.init(unsorted, 2, 0, storage, sizeof(storage), physmap).error(),
              test_errno::INVALID);
    MemRange overlapping[] = {{0x0, 2 * MiB}, {MiB, MiB}};
    EXPECT_EQ(a.init(overlapping, 2, 0, storage, sizeof(storage), physmap).error(),
              test_errno::INVALID);
    MemRange five[] = {{0, MiB}, {2 * MiB, MiB}, {4 * MiB, MiB}, {6 * MiB, MiB}, {8 * MiB, MiB}};
    EXPECT_EQ(a.init(five, 5, 0, storage, sizeof(storage), physmap).error(), test_errno::INVALID);
    MemRange big[] = {{0, 64 * MiB}}; // needs 2 * 256 words
    EXPECT_EQ(a.init(big, 1, 0, storage, sizeof(storage), physmap).error(), test_errno::INVALID);
    MemRange small[] = {{0, MiB}};
    EXPECT_EQ(a.init(small, 1, 0, reinterpret_cast<u8*>(storage) + 4, 64, physmap).error(),
              test_errno::INVALID);
    EXPECT_TRUE(a.init(small, 1, 0, storage, sizeof(storage), physmap).is_ok());
    EXPECT_EQ(a.total_frames(), 256u);
    EXPECT_EQ(a.free_frames(), 256u);
}

TEST_F(FrameAllocatorTest, CountsExcludeReservedFramesAndHoles) {
    EXPECT_EQ(frames.total_frames(), TOTAL);
    EXPECT_EQ(frames.free_frames(), FREE);
}

TEST_F(FrameAllocatorTest, HandsOutEveryFreeFrameExactlyOnce) {
    std::vector<u64> got = take_all();
    ASSERT_EQ(got.size(), FREE);
    EXPECT_EQ(frames.free_frames(), 0u);
    std::set<u64> unique(got.begin(), got.end());
    EXPECT_EQ(unique.size(), got.size());
    for (u64 gpa : got) {
        EXPECT_TRUE(is_aligned(gpa, PAGE_SIZE)) << std::hex << gpa;
        EXPECT_TRUE(in_ram(gpa)) << std::hex << gpa;
        EXPECT_GE(gpa, RESERVED_END) << std::hex << gpa;
    }
    for (u64 gpa : got) frames.free_frame(gpa);
    EXPECT_EQ(frames.free_frames(), FREE);
    EXPECT_EQ(take_all().size(), FREE);
}

TEST_F(FrameAllocatorTest, FreedFrameIsFoundAgainAfterWrapAround) {
    std::vector<u64> got = take_all();
    u64 middle = got[got.size() / 2];
    frames.free_frame(middle);
    auto again = frames.alloc_frame();
    ASSERT_TRUE(again.is_ok());
    EXPECT_EQ(again.value(), middle);
    EXPECT_EQ(frames.alloc_frame().error(), test_errno::NO_MEMORY);
}

TEST_F(FrameAllocatorTest, ReusedFramesAreZeroedNeverUsedOnesAreNotTouched) {
    // Break the "never-used frames are zero" promise on purpose: if the allocator zeroed
    // never-used frames, the marks would disappear.
    for (u64 gpa = RESERVED_END; gpa < 4 * MiB; gpa += PAGE_SIZE) at(gpa)[100] = 0x5a;
    for (u64 gpa = RANGE1_FIRST; gpa < RANGE1_END; gpa += PAGE_SIZE) at(gpa)[100] = 0x5a;
    std::vector<u64> got = take_all();
    ASSERT_EQ(got.size(), FREE);
    for (u64 gpa : got) ASSERT_EQ(at(gpa)[100], 0x5a) << std::hex << gpa;

    for (u64 gpa : got) std::memset(at(gpa), 0xab, PAGE_SIZE);
    for (u64 gpa : got) frames.free_frame(gpa);
    std::vector<u64> again = take_all();
    ASSERT_EQ(again.size(), FREE);
    for (u64 gpa : again) ASSERT_TRUE(all_bytes(gpa, 0)) << std::hex << gpa;
}

TEST_F(FrameAllocatorTest, DirtyAllocationKeepsOldContents) {
    std::vector<u64> got = take_all();
    for (u64 gpa : got) std::memset(at(gpa), 0xcd, PAGE_SIZE);
    for (u64 gpa : got) frames.free_frame(gpa);
    for (usize i = 0; i < FREE; ++i) {
        auto r = frames.alloc_frame_dirty();
        ASSERT_TRUE(r.is_ok());
        ASSERT_TRUE(all_bytes(r.value(), 0xcd)) << std::hex << r.value();
    }
    EXPECT_EQ(frames.alloc_frame_dirty().error(), test_errno::NO_MEMORY);
}

TEST_F(FrameAllocatorTest, ContiguousRunIsAlignedZeroedAndFreedAgain) {
    // Dirty the frames around 2 MiB first, so that the run has to be zeroed.
    std::vector<u64> scratch;
    for (int i = 0; i < 400; ++i) scratch.push_back(frames.alloc_frame().value());
    for (u64 gpa : scratch) std::memset(at(gpa), 0xee, PAGE_SIZE);
    for (u64 gpa : scratch) frames.free_frame(gpa);

    auto run = frames.alloc_contiguous(512, 512);
    ASSERT_TRUE(run.is_ok());
    // [2 MiB, 4 MiB) is the only free 2 MiB-aligned run: [0, 2 MiB) is partly reserved and the
    // second range holds no aligned 2 MiB.
    EXPECT_EQ(run.value(), 2 * MiB);
    EXPECT_TRUE(all_bytes(run.value(), 0, 2 * MiB));
    EXPECT_EQ(frames.free_frames(), FREE - 512);
    EXPECT_EQ(frames.alloc_contiguous(512, 512).error(), test_errno::NO_MEMORY);

    frames.free_contiguous(run.value(), 512);
    EXPECT_EQ(frames.free_frames(), FREE);
    EXPECT_EQ(frames.alloc_contiguous(512, 512).value(), 2 * MiB);
}

TEST_F(FrameAllocatorTest, ContiguousRunNeverSpansTheHole) {
    // 768 free frames in each range: 769 fits in neither although 1536 are free.
    EXPECT_EQ(frames.alloc_contiguous(769, 1).error(), test_errno::NO_MEMORY);
    auto first = frames.alloc_contiguous(768, 1);
    ASSERT_TRUE(first.is_ok());
    EXPECT_EQ(first.value(), RESERVED_END);
    auto second = frames.alloc_contiguous(768, 1);
    ASSERT_TRUE(second.is_ok());
    EXPECT_EQ(second.value(), RANGE1_FIRST);
    EXPECT_EQ(frames.free_frames(), 0u);
}

TEST_F(FrameAllocatorTest, ContiguousSearchSkipsAUsedFrame) {
    // Only the frame at 3 MiB stays in use: no aligned 2 MiB run is left, 1 MiB-aligned runs
    // fit below it, and an unaligned run starts right after it.
    std::vector<u64> all = take_all();
    for (u64 gpa : all)
        if (gpa != 3 * MiB) frames.free_frame(gpa);
    ASSERT_EQ(frames.free_frames(), FREE - 1);
    EXPECT_EQ(frames.alloc_contiguous(512, 512).error(), test_errno::NO_MEMORY);
    auto run = frames.alloc_contiguous(256, 256); // 1 MiB aligned
    ASSERT_TRUE(run.is_ok());
    EXPECT_EQ(run.value(), RESERVED_END);
    auto run2 = frames.alloc_contiguous(256, 256);
    ASSERT_TRUE(run2.is_ok());
    EXPECT_EQ(run2.value(), 2 * MiB);
    auto run3 = frames.alloc_contiguous(200, 1);
    ASSERT_TRUE(run3.is_ok());
    EXPECT_EQ(run3.value(), 3 * MiB + PAGE_SIZE);
}

TEST_F(FrameAllocatorTest, DoubleFreeIsABug) {
    u64 gpa = frames.alloc_frame().value();
    frames.free_frame(gpa);
    EXPECT_DEATH(frames.free_frame(gpa), "double free");
}

TEST_F(FrameAllocatorTest, FreeingReservedOrNonRamFramesIsABug) {
    EXPECT_DEATH(frames.free_frame(0x80000), "not reserved");
    EXPECT_DEATH(frames.free_frame(5 * MiB), "is RAM");
}

TEST_F(FrameAllocatorTest, ConcurrentCallersNeverShareAFrame) {
    std::vector<std::atomic<int>> owner(RAM_BYTES / PAGE_SIZE);
    std::atomic<int> conflicts{0};
    auto worker = [&](int id) {
        std::vector<u64> mine;
        for (int round = 0; round < 20000; ++round) {
            if (mine.size() < 200 && (round % 3 != 2)) {
                auto r = frames.alloc_frame();
                if (r.is_error()) continue;
                if (owner[r.value() / PAGE_SIZE].exchange(id) != 0) ++conflicts;
                mine.push_back(r.value());
            } else if (!mine.empty()) {
                u64 gpa = mine.back();
                mine.pop_back();
                owner[gpa / PAGE_SIZE].store(0);
                frames.free_frame(gpa);
            }
        }
        for (u64 gpa : mine) {
            owner[gpa / PAGE_SIZE].store(0);
            frames.free_frame(gpa);
        }
    };
    std::thread a(worker, 1), b(worker, 2);
    a.join();
    b.join();
    EXPECT_EQ(conflicts.load(), 0);
    EXPECT_EQ(frames.free_frames(), FREE);
}

} // namespace
} // namespace jvmos::mm
