// MemoryObject (a memfd's pages) over a fake PhysMem whose frames live in host memory.
#include "mm/memory_object.h"

// Errno's enumerators share their names with <errno.h>'s macros, which gtest pulls in.
namespace jvmos::mm::test_errno {
constexpr Errno NO_MEMORY = Errno::ENOMEM;
} // namespace jvmos::mm::test_errno

#include <gtest/gtest.h>

#include "fake_phys.h"

#include <cstdlib>
#include <cstring>
#include <vector>

namespace jvmos::mm {
namespace {

// 16 MiB of frames from a 2 MiB-aligned base (tests/unit/fake_phys.h).
using FakePhys = test::FakePhys<0x400000, 4096>;

class HostHeap final : public Allocator {
public:
    void* allocate(usize size, usize align) override {
        ++m_live;
        return std::aligned_alloc(align < 16 ? 16 : align, (size + 15) & ~usize(15));
    }
    void deallocate(void* p, usize) override {
        if (!p) return;
        --m_live;
        std::free(p);
    }
    usize live() const { return m_live; }

private:
    usize m_live = 0;
};

class MemoryObjectTest : public ::testing::Test {
protected:
    void SetUp() override { object = MemoryObject::create(phys, heap).value(); }
    void TearDown() override {
        if (object) object->release();
        EXPECT_EQ(phys.live(), 0u); // every frame went back
        EXPECT_EQ(heap.live(), 0u);
    }
    u8* bytes(u64 index) { return static_cast<u8*>(phys.to_virt(object->frame(index))); }

    FakePhys phys;
    HostHeap heap;
    MemoryObject* object = nullptr;
};

TEST_F(MemoryObjectTest, ChunksInsideTheSizeAre2MRuns) {
    object->set_size(4 * MiB + 100);
    ASSERT_TRUE(object->frame_alloc(5).is_ok());
    const u64 run = object->large_frame(0);
    ASSERT_NE(run, 0u);
    EXPECT_TRUE(is_aligned(run, LARGE_PAGE_SIZE));
    EXPECT_EQ(object->frame(5), run + 5 * PAGE_SIZE);
    EXPECT_EQ(object->frame(511), run + 511 * PAGE_SIZE);
    EXPECT_EQ(object->resident_pages(), PAGES_PER_CHUNK);
    // The chunk that reaches past the size gets single frames.
    ASSERT_TRUE(object->frame_alloc(2 * PAGES_PER_CHUNK).is_ok());
    EXPECT_EQ(object->large_frame(2), 0u);
    EXPECT_NE(object->frame(2 * PAGES_PER_CHUNK), 0u);
    EXPECT_EQ(object->frame(2 * PAGES_PER_CHUNK + 1), 0u);
    EXPECT_EQ(object->resident_pages(), PAGES_PER_CHUNK + 1);
}

TEST_F(MemoryObjectTest, NoFreeRunFallsBackTo4KFrames) {
    object->set_size(2 * MiB);
    phys.fail_contiguous(true);
    ASSERT_TRUE(object->frame_alloc(3).is_ok());
    EXPECT_EQ(object->large_frame(0), 0u);
    EXPECT_NE(object->frame(3), 0u);
    EXPECT_EQ(object->frame(4), 0u);
    EXPECT_EQ(object->resident_pages(), 1u);
}

TEST_F(MemoryObjectTest, HolesReadAsZerosAndWritesAllocate) {
    object->set_size(3 * PAGE_SIZE);
    const char text[] = "across a page boundary";
    ASSERT_EQ(object->write(PAGE_SIZE - 6, reinterpret_cast<const u8*>(text), sizeof text).value(),
              sizeof text);
    EXPECT_EQ(object->resident_pages(), 2u);
    std::vector<u8> out(3 * PAGE_SIZE + 50, 0xff);
    // Reads stop at the size; the untouched third page is a hole.
    EXPECT_EQ(object->read(0, out.data(), out.size()), 3 * PAGE_SIZE);
    EXPECT_EQ(std::memcmp(out.data() + PAGE_SIZE - 6, text, sizeof text), 0);
    EXPECT_EQ(out[0], 0);
    EXPECT_EQ(out[3 * PAGE_SIZE - 1], 0);
    EXPECT_EQ(object->read(3 * PAGE_SIZE, out.data(), 10), 0u);
}

TEST_F(MemoryObjectTest, FreeingPartOfA2MRunSplitsIt) {
    object->set_size(2 * MiB);
    ASSERT_TRUE(object->commit(0, PAGES_PER_CHUNK).is_ok());
    ASSERT_NE(object->large_frame(0), 0u);
    bytes(9)[0] = 9;
    bytes(20)[100] = 20;
    object->free_pages(10, 20);
    EXPECT_EQ(object->large_frame(0), 0u);
    EXPECT_EQ(object->frame(10), 0u);
    EXPECT_EQ(object->frame(19), 0u);
    EXPECT_EQ(object->resident_pages(), PAGES_PER_CHUNK - 10);
    // The rest keeps its frames and bytes.
    EXPECT_EQ(bytes(9)[0], 9);
    EXPECT_EQ(bytes(20)[100], 20);
    // The hole is allocated afresh, zeroed.
    ASSERT_TRUE(object->frame_alloc(15).is_ok());
    EXPECT_EQ(bytes(15)[0], 0);
    EXPECT_EQ(bytes(15)[PAGE_SIZE - 1], 0);
}

TEST_F(MemoryObjectTest, FreeingAWholeRunReturnsIt) {
    object->set_size(4 * MiB);
    ASSERT_TRUE(object->commit(0, 2 * PAGES_PER_CHUNK).is_ok());
    EXPECT_EQ(phys.live(), 2 * PAGES_PER_CHUNK);
    object->free_pages(0, PAGES_PER_CHUNK);
    EXPECT_EQ(object->large_frame(0), 0u);
    EXPECT_NE(object->large_frame(1), 0u);
    EXPECT_EQ(phys.live(), PAGES_PER_CHUNK);
    EXPECT_EQ(object->resident_pages(), PAGES_PER_CHUNK);
}

TEST_F(MemoryObjectTest, A4KChunkTableGoesWithItsLastPage) {
    object->set_size(10 * PAGE_SIZE);
    ASSERT_TRUE(object->commit(2, 5).is_ok());
    EXPECT_EQ(phys.live(), 3u + 1u); // three pages and the chunk's table
    object->free_pages(0, 10);
    EXPECT_EQ(phys.live(), 0u);
    EXPECT_EQ(object->resident_pages(), 0u);
}

TEST_F(MemoryObjectTest, FailedCommitKeepsWhatItGot) {
    object->set_size(10 * PAGE_SIZE);
    ASSERT_TRUE(object->commit(0, 2).is_ok());
    phys.fail(true);
    EXPECT_EQ(object->commit(0, 10).error(), test_errno::NO_MEMORY);
    phys.fail(false);
    EXPECT_EQ(object->resident_pages(), 2u);
}

TEST_F(MemoryObjectTest, ZeroBytesTouchesOnlyTheRange) {
    object->set_size(2 * PAGE_SIZE);
    std::vector<u8> ones(2 * PAGE_SIZE, 1);
    ASSERT_TRUE(object->write(0, ones.data(), ones.size()).is_ok());
    object->zero_bytes(PAGE_SIZE - 10, 20);
    EXPECT_EQ(bytes(0)[PAGE_SIZE - 11], 1);
    EXPECT_EQ(bytes(0)[PAGE_SIZE - 10], 0);
    EXPECT_EQ(bytes(1)[9], 0);
    EXPECT_EQ(bytes(1)[10], 1);
}

TEST_F(MemoryObjectTest, TheLastReferenceFreesEverything) {
    object->set_size(4 * MiB);
    ASSERT_TRUE(object->commit(0, PAGES_PER_CHUNK + 3).is_ok());
    object->pages_mapped(7); // a mapping of 7 pages
    object->release();       // the holder goes: the mapping keeps it
    EXPECT_EQ(object->references(), 7u);
    EXPECT_GT(phys.live(), 0u);
    object->pages_unmapped(3);
    EXPECT_GT(phys.live(), 0u);
    object->pages_unmapped(4); // the last page: all frames go
    EXPECT_EQ(phys.live(), 0u);
    object = nullptr;
}

} // namespace
} // namespace jvmos::mm
