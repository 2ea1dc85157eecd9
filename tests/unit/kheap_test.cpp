// KernelHeap on a real FrameAllocator over host memory standing in for guest RAM.
#include "mm/frame_allocator.h"
#include "mm/kheap.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <random>
#include <thread>
#include <vector>

namespace jvmos::mm {
namespace {

class KernelHeapTest : public ::testing::Test {
protected:
    static constexpr u64 RAM_BYTES = 16 * MiB;
    static constexpr u64 RESERVED = 1 * MiB;

    void SetUp() override {
        ram = static_cast<u8*>(std::aligned_alloc(2 * MiB, RAM_BYTES));
        ASSERT_NE(ram, nullptr);
        std::memset(ram, 0, RAM_BYTES);
        MemRange range{0, RAM_BYTES};
        bitmap.resize(FrameAllocator::bitmap_bytes_needed(&range, 1) / sizeof(u64));
        ASSERT_TRUE(
            frames.init(&range, 1, RESERVED, bitmap.data(), bitmap.size() * 8, ram).is_ok());
    }
    void TearDown() override { std::free(ram); }

    bool in_ram(const void* p, usize size) {
        auto* b = static_cast<const u8*>(p);
        return b >= ram + RESERVED && b + size <= ram + RAM_BYTES;
    }

    u8* ram = nullptr;
    std::vector<u64> bitmap;
    FrameAllocator frames;
    KernelHeap heap{frames};
};

struct Block {
    u8* p;
    usize size;
    u8 pattern;
};

void fill(const Block& b) {
    std::memset(b.p, b.pattern, b.size);
}
bool intact(const Block& b) {
    return std::all_of(b.p, b.p + b.size, [&](u8 v) { return v == b.pattern; });
}

TEST_F(KernelHeapTest, SmallObjectsAreAlignedToTheirClassAndCounted) {
    const usize sizes[] = {1, 16, 17, 24, 33, 64, 100, 128, 200, 513, 1000, 2048};
    const usize classes[] = {16, 16, 32, 32, 64, 64, 128, 128, 256, 1024, 1024, 2048};
    usize expected = 0;
    std::vector<Block> blocks;
    for (usize i = 0; i < std::size(sizes); ++i) {
        void* p = heap.allocate(sizes[i], 1);
        ASSERT_NE(p, nullptr);
        EXPECT_TRUE(is_aligned(reinterpret_cast<uptr>(p), classes[i])) << sizes[i];
        EXPECT_TRUE(in_ram(p, sizes[i]));
        expected += classes[i];
        EXPECT_EQ(heap.bytes_in_use(), expected);
        blocks.push_back({static_cast<u8*>(p), sizes[i], 0});
    }
    for (const Block& b : blocks) heap.deallocate(b.p, b.size);
    EXPECT_EQ(heap.bytes_in_use(), 0u);
}

TEST_F(KernelHeapTest, AlignmentUpToTheSizeClassIsHonoured) {
    void* a = heap.allocate(64, 64);
    void* b = heap.allocate(24, 32);
    void* c = heap.allocate(4096, 4096);
    void* d = heap.allocate(3 * PAGE_SIZE, 2 * MiB); // 2 MiB-aligned large allocation
    ASSERT_TRUE(a && b && c && d);
    EXPECT_TRUE(is_aligned(reinterpret_cast<uptr>(a), 64));
    EXPECT_TRUE(is_aligned(reinterpret_cast<uptr>(b), 32));
    EXPECT_TRUE(is_aligned(reinterpret_cast<uptr>(c), 4096));
    EXPECT_TRUE(is_aligned(reinterpret_cast<uptr>(d) - reinterpret_cast<uptr>(ram), 2 * MiB));
    heap.deallocate(a, 64);
    heap.deallocate(b, 24);
    heap.deallocate(c, 4096);
    heap.deallocate(d, 3 * PAGE_SIZE);
    EXPECT_EQ(heap.bytes_in_use(), 0u);
}

TEST_F(KernelHeapTest, OverAlignedSmallRequestIsABug) {
    EXPECT_DEATH((void)heap.allocate(16, 64), "Allocator contract");
}

TEST_F(KernelHeapTest, MixedSizesNeverOverlap) {
    std::mt19937 rng(7);
    std::vector<Block> live;
    for (int round = 0; round < 20000; ++round) {
        if (live.size() < 500 && rng() % 3 != 0) {
            usize size = rng() % 8 == 0 ? 1 + rng() % 20000 : 1 + rng() % 2048;
            auto* p = static_cast<u8*>(heap.allocate(size, 1));
            ASSERT_NE(p, nullptr) << size;
            ASSERT_TRUE(in_ram(p, size));
            Block b{p, size, static_cast<u8>(rng())};
            fill(b);
            live.push_back(b);
        } else if (!live.empty()) {
            usize i = rng() % live.size();
            ASSERT_TRUE(intact(live[i])) << "block of " << live[i].size << " overwritten";
            heap.deallocate(live[i].p, live[i].size);
            live[i] = live.back();
            live.pop_back();
        }
    }
    for (const Block& b : live) {
        ASSERT_TRUE(intact(b));
        heap.deallocate(b.p, b.size);
    }
    EXPECT_EQ(heap.bytes_in_use(), 0u);
}

TEST_F(KernelHeapTest, FreedObjectsAreReusedWithoutNewFrames) {
    std::vector<void*> objects;
    for (int i = 0; i < 1000; ++i) objects.push_back(heap.allocate(48, 16));
    const usize free_after_first = frames.free_frames();
    for (void* p : objects) heap.deallocate(p, 48);
    std::vector<void*> again;
    for (int i = 0; i < 1000; ++i) again.push_back(heap.allocate(40, 8)); // same class (64)
    EXPECT_EQ(frames.free_frames(), free_after_first);
    std::sort(objects.begin(), objects.end());
    std::sort(again.begin(), again.end());
    EXPECT_EQ(objects, again);
    for (void* p : again) heap.deallocate(p, 40);
}

TEST_F(KernelHeapTest, LargeAllocationsTakeAndReturnFrames) {
    const usize before = frames.free_frames();
    void* p = heap.allocate(100 * KiB + 1, 8);
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(frames.free_frames(), before - 26);
    EXPECT_EQ(heap.bytes_in_use(), 26 * PAGE_SIZE);
    std::memset(p, 0x77, 100 * KiB + 1);
    heap.deallocate(p, 100 * KiB + 1);
    EXPECT_EQ(frames.free_frames(), before);
    EXPECT_EQ(heap.bytes_in_use(), 0u);
}

TEST_F(KernelHeapTest, ExhaustionReturnsNull) {
    EXPECT_EQ(heap.allocate(RAM_BYTES, 8), nullptr);
    std::vector<void*> objects;
    for (;;) {
        void* p = heap.allocate(2048, 8);
        if (p == nullptr) break;
        objects.push_back(p);
    }
    EXPECT_EQ(frames.free_frames(), 0u);
    EXPECT_EQ(objects.size(), 2 * (RAM_BYTES - RESERVED) / PAGE_SIZE);
    EXPECT_EQ(heap.allocate(16, 8), nullptr);
    EXPECT_EQ(heap.allocate(3 * PAGE_SIZE, 8), nullptr);
    for (void* p : objects) heap.deallocate(p, 2048);
    EXPECT_EQ(heap.bytes_in_use(), 0u);
    // Freed objects serve their class again without frames.
    void* p = heap.allocate(2000, 8);
    EXPECT_NE(p, nullptr);
    heap.deallocate(p, 2000);
}

TEST_F(KernelHeapTest, ConcurrentUsersKeepTheirObjects) {
    auto worker = [&](u8 tag) {
        std::mt19937 rng(tag);
        std::vector<Block> live;
        for (int round = 0; round < 20000; ++round) {
            if (live.size() < 200 && rng() % 2) {
                usize size = 1 + rng() % 1024;
                auto* p = static_cast<u8*>(heap.allocate(size, 1));
                if (p == nullptr) continue;
                Block b{p, size, tag};
                fill(b);
                live.push_back(b);
            } else if (!live.empty()) {
                if (!intact(live.back())) ADD_FAILURE() << "object overwritten";
                heap.deallocate(live.back().p, live.back().size);
                live.pop_back();
            }
        }
        for (const Block& b : live) heap.deallocate(b.p, b.size);
    };
    std::thread a(worker, 0x11), b(worker, 0x22);
    a.join();
    b.join();
    EXPECT_EQ(heap.bytes_in_use(), 0u);
}

} // namespace
} // namespace jvmos::mm
