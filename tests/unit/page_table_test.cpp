// PageTable over a fake PhysMem: page-table frames live in host memory; leaf GPAs are just
// numbers, never dereferenced.
#include "mm/page_table.h"

// Errno's enumerators share their names with <errno.h>'s macros, which gtest pulls in: name the
// ones the tests need before that.
namespace jvmos::mm::test_errno {
constexpr Errno NO_MEMORY = Errno::ENOMEM;
constexpr Errno EXISTS = Errno::EEXIST;
} // namespace jvmos::mm::test_errno

#include <gtest/gtest.h>

#include "fake_phys.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <utility>
#include <vector>

namespace jvmos::mm {
namespace {

// 4 MiB of frames (tests/unit/fake_phys.h).
using FakePhys = test::FakePhys<0x100000, 1024>;

struct RecordingSink final : FrameSink {
    void release(u64 gpa, PageSize size) override { released.emplace_back(gpa, size); }
    std::vector<std::pair<u64, PageSize>> released;
};

// A typical user data page that the program has touched (the MMU set the accessed bit, so a
// TLB may hold it and removing or restricting it needs an invalidation).
constexpr u64 USER = PTE_USER | PTE_WRITE | PTE_NX | PTE_ACCESSED;
// The same page before any access: no TLB can hold it.
constexpr u64 USER_UNTOUCHED = PTE_USER | PTE_WRITE | PTE_NX;
constexpr u64 KERNEL_VA = 0xffffc00040000000ull;    // in the physmap slot (384)

usize slot(u64 va, int level) {
    return (va >> (12 + 9 * (level - 1))) & 511;
}

class PageTableTest : public ::testing::Test {
protected:
    void make(PageTableOptions options) {
        root = phys.alloc_contiguous(2, 2).value(); // 8 KiB-aligned, as the monitor provides
        pt = std::make_unique<PageTable>(phys, root, options);
    }
    void SetUp() override { make({}); }
    // Completes a batch the way the kernel will: (flush), then free deferred tables.
    void finish(TlbBatch& batch) { batch.release_tables(phys); }
    void map_ok(u64 va, u64 gpa, PageSize size, u64 flags) {
        TlbBatch batch;
        ASSERT_TRUE(pt->map(va, gpa, size, flags, batch).is_ok()) << std::hex << va;
        finish(batch);
    }
    // The tables on the way to va: {PDPT, PD, PT} GPAs, 0 where missing.
    std::vector<u64> path(u64 va, u64 pml4) {
        std::vector<u64> tables;
        u64 t = pml4;
        for (int level = 4; level >= 2; --level) {
            u64 e = t ? phys.entry(t, slot(va, level)) : 0;
            t = (e & PTE_PRESENT) && !(e & PTE_HUGE) ? (e & PTE_ADDR_MASK) : 0;
            tables.push_back(t);
        }
        return tables;
    }

    FakePhys phys;
    u64 root = 0;
    std::unique_ptr<PageTable> pt;
};

TEST_F(PageTableTest, Maps4KPagesWithTheirFlags) {
    TlbBatch batch;
    ASSERT_TRUE(pt->map(0x400000, 0x12345000, PageSize::Small4K, USER, batch).is_ok());
    // A new mapping needs no invalidation, but shadow-paging hosts want to know.
    EXPECT_TRUE(batch.empty());
    EXPECT_TRUE(batch.had_new_mappings());

    Lookup l = pt->lookup(0x400abc);
    EXPECT_TRUE(l.present);
    EXPECT_EQ(l.size, PageSize::Small4K);
    EXPECT_EQ(l.pte, 0x12345000 | USER | PTE_PRESENT);
    EXPECT_EQ(l.gpa_of_va, 0x12345abcu);
    EXPECT_FALSE(pt->lookup(0x401000).present);
    EXPECT_EQ(pt->lookup(0x3ff000).pte, 0u);
    finish(batch);
}

TEST_F(PageTableTest, Maps2MPages) {
    map_ok(0x40000000, 0x80000000, PageSize::Large2M, PTE_USER);
    Lookup l = pt->lookup(0x40123456);
    EXPECT_TRUE(l.present);
    EXPECT_EQ(l.size, PageSize::Large2M);
    EXPECT_EQ(l.pte, 0x80000000 | PTE_USER | PTE_PRESENT | PTE_HUGE);
    EXPECT_EQ(l.gpa_of_va, 0x80123456u);
    EXPECT_FALSE(pt->lookup(0x40200000).present);
    // A 2 MiB page needs no PT: root + PDPT + PD.
    EXPECT_EQ(phys.live(), 2u + 2u);
}

TEST_F(PageTableTest, MapRefusesOccupiedRanges) {
    map_ok(0x400000, 0x1000000, PageSize::Small4K, USER);
    map_ok(0x40000000, 0x80000000, PageSize::Large2M, USER);
    TlbBatch batch;
    EXPECT_EQ(pt->map(0x400000, 0x2000000, PageSize::Small4K, USER, batch).error(),
              test_errno::EXISTS);
    EXPECT_EQ(pt->map(0x40100000, 0x2000000, PageSize::Small4K, USER, batch).error(),
              test_errno::EXISTS);
    EXPECT_EQ(pt->map(0x400000, 0x2000000, PageSize::Large2M, USER, batch).error(),
              test_errno::EXISTS);
    EXPECT_EQ(pt->map(0x40000000, 0x2000000, PageSize::Large2M, USER, batch).error(),
              test_errno::EXISTS);
    EXPECT_EQ(pt->lookup(0x400000).pte & PTE_ADDR_MASK, 0x1000000u);
    EXPECT_EQ(pt->lookup(0x40000000).pte & PTE_LARGE_ADDR_MASK, 0x80000000u);
    finish(batch);
}

TEST_F(PageTableTest, UserBitOnIntermediatesFollowsTheOptions) {
    map_ok(0x400000, 0x1000000, PageSize::Small4K, USER);
    map_ok(KERNEL_VA, 0x2000000, PageSize::Small4K, PTE_WRITE);
    auto user_path = path(0x400000, root);
    EXPECT_TRUE(phys.entry(root, slot(0x400000, 4)) & PTE_USER);
    EXPECT_TRUE(phys.entry(user_path[0], slot(0x400000, 3)) & PTE_USER);
    EXPECT_TRUE(phys.entry(user_path[1], slot(0x400000, 2)) & PTE_USER);
    auto kernel_path = path(KERNEL_VA, root);
    EXPECT_FALSE(phys.entry(root, slot(KERNEL_VA, 4)) & PTE_USER);
    EXPECT_FALSE(phys.entry(kernel_path[0], slot(KERNEL_VA, 3)) & PTE_USER);
    EXPECT_FALSE(phys.entry(kernel_path[1], slot(KERNEL_VA, 2)) & PTE_USER);
    EXPECT_FALSE(pt->lookup(KERNEL_VA).pte & PTE_USER);

    FakePhys other_phys;
    u64 other_root = other_phys.alloc_contiguous(2, 2).value();
    PageTable pv(other_phys, other_root, {.pv_user_root = true, .user_bit_on_tables = true});
    TlbBatch batch;
    ASSERT_TRUE(pv.map(KERNEL_VA, 0x2000000, PageSize::Small4K, PTE_WRITE, batch).is_ok());
    u64 e4 = other_phys.entry(other_root, slot(KERNEL_VA, 4));
    u64 e3 = other_phys.entry(e4 & PTE_ADDR_MASK, slot(KERNEL_VA, 3));
    u64 e2 = other_phys.entry(e3 & PTE_ADDR_MASK, slot(KERNEL_VA, 2));
    EXPECT_TRUE(e4 & e3 & e2 & PTE_USER);
    batch.release_tables(other_phys);
}

TEST_F(PageTableTest, NeverAccessedPagesNeedNoInvalidation) {
    map_ok(0x400000, 0x1000000, PageSize::Small4K, USER_UNTOUCHED);
    map_ok(0x401000, 0x1001000, PageSize::Small4K, USER_UNTOUCHED);
    map_ok(0x402000, 0x1002000, PageSize::Small4K, USER);
    TlbBatch batch;
    // Taking write away from an untouched page and unmapping one record nothing...
    ASSERT_TRUE(pt->protect_range(0x400000, 0x401000, 0, PTE_WRITE, batch).is_ok());
    EXPECT_EQ(pt->unmap(0x401000, batch).value(), 0x1001000 | USER_UNTOUCHED | PTE_PRESENT);
    EXPECT_TRUE(batch.empty());
    EXPECT_FALSE(pt->lookup(0x400000).pte & PTE_WRITE);
    // ...while the accessed one does.
    EXPECT_TRUE(pt->unmap(0x402000, batch).is_ok());
    ASSERT_EQ(batch.page_count(), 1u);
    EXPECT_EQ(batch.page_va(0), 0x402000u);
    batch.release_tables(phys);
}

TEST_F(PageTableTest, AddingPermissionsNeedsNoInvalidation) {
    map_ok(0x400000, 0x1000000, PageSize::Small4K, PTE_USER | PTE_NX | PTE_ACCESSED);
    TlbBatch batch;
    ASSERT_TRUE(pt->protect_range(0x400000, 0x401000, PTE_WRITE, PTE_NX, batch).is_ok());
    EXPECT_TRUE(batch.empty());
    EXPECT_TRUE(pt->lookup(0x400000).pte & PTE_WRITE);
    ASSERT_TRUE(pt->protect_range(0x400000, 0x401000, 0, PTE_WRITE, batch).is_ok());
    EXPECT_EQ(batch.page_count(), 1u);
    batch.release_tables(phys);
}

TEST_F(PageTableTest, UnmapReturnsTheOldEntryAndRecordsTheFlush) {
    map_ok(0x400000, 0x1000000, PageSize::Small4K, USER);
    TlbBatch batch;
    auto old = pt->unmap(0x400000, batch);
    ASSERT_TRUE(old.is_ok());
    EXPECT_EQ(old.value(), 0x1000000 | USER | PTE_PRESENT);
    EXPECT_FALSE(pt->lookup(0x400000).present);
    ASSERT_EQ(batch.page_count(), 1u);
    EXPECT_EQ(batch.page_va(0), 0x400000u);
    EXPECT_EQ(batch.page_size(0), PageSize::Small4K);
    EXPECT_EQ(pt->unmap(0x400000, batch).value(), 0u);
    EXPECT_EQ(pt->unmap(0x7000000000, batch).value(), 0u); // no tables at all
    EXPECT_EQ(batch.page_count(), 1u);
    finish(batch);
}

TEST_F(PageTableTest, UnmapInsideA2MPageSplitsIt) {
    const u64 va = 0x40000000, gpa = 0x80000000;
    map_ok(va, gpa, PageSize::Large2M, USER);
    TlbBatch batch;
    auto old = pt->unmap(va + 5 * PAGE_SIZE, batch);
    ASSERT_TRUE(old.is_ok());
    EXPECT_EQ(old.value(), (gpa + 5 * PAGE_SIZE) | USER | PTE_PRESENT); // no PS: a 4 KiB PTE
    // The old 2 MiB translation is what must be invalidated.
    ASSERT_EQ(batch.page_count(), 1u);
    EXPECT_EQ(batch.page_va(0), va);
    EXPECT_EQ(batch.page_size(0), PageSize::Large2M);
    for (u64 i = 0; i < 512; ++i) {
        Lookup l = pt->lookup(va + i * PAGE_SIZE);
        if (i == 5) {
            EXPECT_EQ(l.pte, 0u);
            continue;
        }
        ASSERT_TRUE(l.present) << i;
        ASSERT_EQ(l.size, PageSize::Small4K);
        ASSERT_EQ(l.pte, (gpa + i * PAGE_SIZE) | USER | PTE_PRESENT) << i;
    }
    finish(batch);
}

TEST_F(PageTableTest, UnmapRangeReportsExactlyTheRemovedLeaves) {
    // 4 KiB pages across a PT boundary and a PD boundary, a 2 MiB page, and a non-present
    // (protected-away) page that still owns its frame.
    const u64 pd_edge = 0x40000000; // 1 GiB: a new PD starts here
    std::vector<std::pair<u64, PageSize>> expected;
    for (u64 i = 0; i < 4; ++i) {
        map_ok(pd_edge - 2 * PAGE_SIZE + i * PAGE_SIZE, 0x1000000 + i * PAGE_SIZE,
               PageSize::Small4K, USER);
        expected.emplace_back(0x1000000 + i * PAGE_SIZE, PageSize::Small4K);
    }
    map_ok(pd_edge + 2 * MiB, 0x80000000, PageSize::Large2M, USER);
    expected.emplace_back(0x80000000, PageSize::Large2M);
    map_ok(pd_edge + 4 * MiB, 0x3000000, PageSize::Small4K, USER);
    expected.emplace_back(0x3000000, PageSize::Small4K);
    {
        TlbBatch batch;
        ASSERT_TRUE(pt->protect_range(pd_edge + 4 * MiB, pd_edge + 4 * MiB + PAGE_SIZE, 0,
                                      PTE_PRESENT, batch)
                        .is_ok());
        finish(batch);
    }
    // Outside the range: must survive.
    map_ok(pd_edge - 3 * PAGE_SIZE, 0x5000000, PageSize::Small4K, USER);
    map_ok(pd_edge + 6 * MiB, 0x6000000, PageSize::Small4K, USER);

    TlbBatch batch;
    RecordingSink sink;
    ASSERT_TRUE(pt->unmap_range(pd_edge - 2 * PAGE_SIZE, pd_edge + 6 * MiB, batch, sink).is_ok());
    EXPECT_EQ(sink.released, expected);
    for (u64 va = pd_edge - 2 * PAGE_SIZE; va < pd_edge + 6 * MiB; va += PAGE_SIZE)
        ASSERT_EQ(pt->lookup(va).pte, 0u) << std::hex << va;
    EXPECT_TRUE(pt->lookup(pd_edge - 3 * PAGE_SIZE).present);
    EXPECT_TRUE(pt->lookup(pd_edge + 6 * MiB).present);
    // Flushes: the 4 present 4 KiB pages and the 2 MiB page. The non-present page needs none,
    // but its PT became empty and was unlinked: one address below it drops the MMU's cached
    // pointer to that table.
    EXPECT_FALSE(batch.full_flush());
    std::vector<std::pair<u64, PageSize>> flushed;
    for (usize i = 0; i < batch.page_count(); ++i)
        flushed.emplace_back(batch.page_va(i), batch.page_size(i));
    std::vector<std::pair<u64, PageSize>> want = {{pd_edge - 2 * PAGE_SIZE, PageSize::Small4K},
                                                  {pd_edge - PAGE_SIZE, PageSize::Small4K},
                                                  {pd_edge, PageSize::Small4K},
                                                  {pd_edge + PAGE_SIZE, PageSize::Small4K},
                                                  {pd_edge + 2 * MiB, PageSize::Large2M},
                                                  {pd_edge + 4 * MiB, PageSize::Small4K}};
    EXPECT_EQ(flushed, want);
    finish(batch);
}

TEST_F(PageTableTest, UnmapRangeSplits2MPagesAtBothEdges) {
    // Two adjacent 2 MiB pages; the range cuts into both.
    const u64 va = 0x40000000, gpa = 0x80000000;
    map_ok(va, gpa, PageSize::Large2M, USER);
    map_ok(va + 2 * MiB, gpa + 2 * MiB, PageSize::Large2M, USER);
    const u64 start = va + 2 * MiB - 3 * PAGE_SIZE, end = va + 2 * MiB + 5 * PAGE_SIZE;
    TlbBatch batch;
    RecordingSink sink;
    ASSERT_TRUE(pt->unmap_range(start, end, batch, sink).is_ok());
    ASSERT_EQ(sink.released.size(), 8u);
    for (u64 i = 0; i < 8; ++i) {
        EXPECT_EQ(sink.released[i].first, gpa + 2 * MiB - 3 * PAGE_SIZE + i * PAGE_SIZE);
        EXPECT_EQ(sink.released[i].second, PageSize::Small4K);
    }
    for (u64 v = va; v < va + 4 * MiB; v += PAGE_SIZE) {
        Lookup l = pt->lookup(v);
        if (v >= start && v < end) {
            ASSERT_EQ(l.pte, 0u);
        } else {
            ASSERT_TRUE(l.present) << std::hex << v;
            ASSERT_EQ(l.size, PageSize::Small4K);
            ASSERT_EQ(l.gpa_of_va, gpa + (v - va));
            ASSERT_EQ(l.pte & ~PTE_ADDR_MASK, USER | PTE_PRESENT);
        }
    }
    // Both old 2 MiB translations are invalidated (they cover the removed 4 KiB pages).
    ASSERT_EQ(batch.page_count(), 2u);
    EXPECT_EQ(batch.page_va(0), va);
    EXPECT_EQ(batch.page_va(1), va + 2 * MiB);
    finish(batch);
}

TEST_F(PageTableTest, UnmapRangeFreesTablesThatBecomeEmpty) {
    const usize before = phys.live();                         // the two root pages
    map_ok(0x400000, 0x1000000, PageSize::Small4K, USER);     // PDPT, PD, PT
    map_ok(0x600000, 0x1001000, PageSize::Small4K, USER);     // another PT
    map_ok(0x8000000000, 0x1002000, PageSize::Small4K, USER); // PML4 slot 1: PDPT, PD, PT
    EXPECT_EQ(phys.live(), before + 7);

    TlbBatch batch;
    RecordingSink sink;
    // A small unmap that empties a table keeps it (freeing would cost an invalidation).
    ASSERT_TRUE(pt->unmap_range(0x400000, 0x401000, batch, sink).is_ok());
    EXPECT_EQ(batch.deferred_table_count(), 0u);
    finish(batch);
    EXPECT_EQ(phys.live(), before + 7);
    batch.reset();
    // An unmap covering the whole 2 MiB span of the first PT frees it; the second PT stays.
    ASSERT_TRUE(pt->unmap_range(0x400000, 0x600000, batch, sink).is_ok());
    EXPECT_EQ(batch.deferred_table_count(), 1u);
    EXPECT_EQ(phys.live(), before + 7); // still there until the flush is done
    finish(batch);
    EXPECT_EQ(phys.live(), before + 6);
    EXPECT_TRUE(pt->lookup(0x600000).present);

    TlbBatch batch2;
    ASSERT_TRUE(pt->unmap_range(0, 0x10000000000, batch2, sink).is_ok());
    EXPECT_EQ(batch2.deferred_table_count(), 6u);
    finish(batch2);
    EXPECT_EQ(phys.live(), before);
    EXPECT_EQ(phys.entry(root, 0), 0u);
    EXPECT_EQ(phys.entry(root, 1), 0u);
    EXPECT_EQ(sink.released.size(), 3u);
}

TEST_F(PageTableTest, EmptyTablesLeftByUnmapAreFreedAndFlushed) {
    // unmap() keeps tables; a later unmap_range covering the (now leafless) tables frees them, and
    // adds an invalidation so that the MMU forgets its cached pointer to the table.
    map_ok(0x400000, 0x1000000, PageSize::Small4K, USER);
    TlbBatch batch;
    ASSERT_TRUE(pt->unmap(0x400000, batch).is_ok());
    finish(batch);
    batch.reset();
    RecordingSink sink;
    ASSERT_TRUE(pt->unmap_range(0, 0x8000000000, batch, sink).is_ok());
    EXPECT_TRUE(sink.released.empty());
    EXPECT_EQ(batch.deferred_table_count(), 3u);
    EXPECT_FALSE(batch.empty());
    finish(batch);
    EXPECT_EQ(phys.live(), 2u);
}

TEST_F(PageTableTest, Map2MReplacesAnEmptyTable) {
    map_ok(0x400000, 0x1000000, PageSize::Small4K, USER);
    {
        TlbBatch batch;
        ASSERT_TRUE(pt->unmap(0x400000, batch).is_ok());
        finish(batch);
    }
    TlbBatch batch;
    ASSERT_TRUE(pt->map(0x400000, 0x80000000, PageSize::Large2M, USER, batch).is_ok());
    EXPECT_EQ(batch.deferred_table_count(), 1u);
    ASSERT_EQ(batch.page_count(), 1u);
    EXPECT_EQ(batch.page_size(0), PageSize::Large2M);
    finish(batch);
    EXPECT_EQ(pt->lookup(0x400000).size, PageSize::Large2M);
    EXPECT_EQ(phys.live(), 2u + 2u);
}

TEST_F(PageTableTest, ProtectRangeSplits2MPagesAndLeavesHolesAlone) {
    const u64 va = 0x40000000, gpa = 0x80000000;
    map_ok(va, gpa, PageSize::Large2M, PTE_USER | PTE_WRITE | PTE_ACCESSED);
    map_ok(va + 4 * MiB, gpa + 4 * MiB, PageSize::Small4K, PTE_USER | PTE_WRITE | PTE_ACCESSED);
    TlbBatch batch;
    // Read-only for pages 10..19 of the 2 MiB page, and everything up to va + 4 MiB + 4 KiB
    // beyond it only touches the one 4 KiB page (the rest is empty).
    ASSERT_TRUE(
        pt->protect_range(va + 10 * PAGE_SIZE, va + 20 * PAGE_SIZE, PTE_NX, PTE_WRITE, batch)
            .is_ok());
    ASSERT_TRUE(
        pt->protect_range(va + 2 * MiB, va + 4 * MiB + PAGE_SIZE, 0, PTE_WRITE, batch).is_ok());
    for (u64 i = 0; i < 512; ++i) {
        Lookup l = pt->lookup(va + i * PAGE_SIZE);
        ASSERT_EQ(l.size, PageSize::Small4K);
        ASSERT_EQ(l.gpa_of_va, gpa + i * PAGE_SIZE);
        u64 want = (i >= 10 && i < 20) ? (PTE_USER | PTE_NX) : (PTE_USER | PTE_WRITE);
        ASSERT_EQ(l.pte & ~PTE_ADDR_MASK, want | PTE_PRESENT | PTE_ACCESSED) << i;
    }
    for (u64 v = va + 2 * MiB; v < va + 4 * MiB; v += PAGE_SIZE)
        ASSERT_EQ(pt->lookup(v).pte, 0u) << std::hex << v;
    EXPECT_EQ(pt->lookup(va + 4 * MiB).pte & ~PTE_ADDR_MASK, PTE_USER | PTE_PRESENT | PTE_ACCESSED);
    // The split 2 MiB page (covering the ten changed pages) and the 4 KiB page.
    ASSERT_EQ(batch.page_count(), 2u);
    EXPECT_EQ(batch.page_va(0), va);
    EXPECT_EQ(batch.page_size(0), PageSize::Large2M);
    EXPECT_EQ(batch.page_va(1), va + 4 * MiB);
    finish(batch);
}

TEST_F(PageTableTest, ProtectRangeChanges2MPagesWholeWhenFullyCovered) {
    const u64 va = 0x40000000;
    map_ok(va, 0x80000000, PageSize::Large2M, PTE_USER | PTE_WRITE);
    TlbBatch batch;
    ASSERT_TRUE(pt->protect_range(va, va + 2 * MiB, 0, PTE_WRITE, batch).is_ok());
    Lookup l = pt->lookup(va);
    EXPECT_EQ(l.size, PageSize::Large2M);
    EXPECT_EQ(l.pte, 0x80000000 | PTE_USER | PTE_PRESENT | PTE_HUGE);
    EXPECT_EQ(phys.live(), 4u); // no PT was needed
    finish(batch);
}

TEST_F(PageTableTest, ClearingAndRestoringPresentKeepsTheFrame) {
    map_ok(0x400000, 0x1000000, PageSize::Small4K, USER);
    TlbBatch batch;
    ASSERT_TRUE(pt->protect_range(0x400000, 0x401000, 0, PTE_PRESENT, batch).is_ok());
    EXPECT_EQ(batch.page_count(), 1u);
    Lookup l = pt->lookup(0x400000);
    EXPECT_FALSE(l.present);
    EXPECT_EQ(l.pte, 0x1000000 | USER);
    EXPECT_EQ(l.gpa_of_va, 0x1000000u);
    batch.reset();
    ASSERT_TRUE(pt->protect_range(0x400000, 0x401000, PTE_PRESENT, 0, batch).is_ok());
    EXPECT_TRUE(batch.empty()); // non-present before: nothing cached
    EXPECT_TRUE(batch.had_new_mappings());
    EXPECT_EQ(pt->lookup(0x400000).pte, 0x1000000 | USER | PTE_PRESENT);
    finish(batch);
}

TEST_F(PageTableTest, PvUserRootMirrorsUserHalfOnly) {
    make({.pv_user_root = true, .user_bit_on_tables = true});
    const u64 user_root = pt->user_root_gpa();
    EXPECT_EQ(user_root, root + PAGE_SIZE);
    map_ok(0x400000, 0x1000000, PageSize::Small4K, USER);
    map_ok(0x7f0000000000, 0x1001000, PageSize::Small4K, USER); // slot 254
    map_ok(KERNEL_VA, 0x2000000, PageSize::Small4K, PTE_WRITE);
    for (usize i = 0; i < 512; ++i) {
        if (i < 256)
            ASSERT_EQ(phys.entry(user_root, i), phys.entry(root, i)) << i;
        else
            ASSERT_EQ(phys.entry(user_root, i), 0u) << i;
    }
    EXPECT_NE(phys.entry(user_root, 0), 0u);
    EXPECT_NE(phys.entry(user_root, 254), 0u);
    EXPECT_NE(phys.entry(root, slot(KERNEL_VA, 4)), 0u);

    TlbBatch batch;
    RecordingSink sink;
    ASSERT_TRUE(pt->unmap_range(0, 0x8000000000, batch, sink).is_ok());
    finish(batch);
    EXPECT_EQ(phys.entry(root, 0), 0u);
    EXPECT_EQ(phys.entry(user_root, 0), 0u);
    EXPECT_EQ(phys.entry(user_root, 254), phys.entry(root, 254));
}

TEST_F(PageTableTest, LeafSlotCreatesTablesOnlyWhenAsked) {
    EXPECT_EQ(pt->leaf_slot(0x400000, Create::no), nullptr);
    EXPECT_EQ(phys.live(), 2u);
    u64* slot_ptr = pt->leaf_slot(0x400000, Create::yes);
    ASSERT_NE(slot_ptr, nullptr);
    EXPECT_EQ(phys.live(), 5u);
    *slot_ptr = 0x1000000 | USER | PTE_PRESENT;
    EXPECT_EQ(pt->lookup(0x400000).gpa_of_va, 0x1000000u);
    EXPECT_EQ(pt->leaf_slot(0x400000, Create::no), slot_ptr);
    map_ok(0x40000000, 0x80000000, PageSize::Large2M, USER);
    EXPECT_EQ(pt->leaf_slot(0x40001000, Create::yes), nullptr);
}

TEST_F(PageTableTest, AllocationFailureLeavesMappingsIntact) {
    map_ok(0x40000000, 0x80000000, PageSize::Large2M, USER);
    phys.fail_frames(true);
    TlbBatch batch;
    EXPECT_EQ(pt->map(0x8000000000, 0x1000000, PageSize::Small4K, USER, batch).error(),
              test_errno::NO_MEMORY);
    EXPECT_EQ(pt->unmap(0x40001000, batch).error(), test_errno::NO_MEMORY);
    RecordingSink sink;
    EXPECT_EQ(pt->unmap_range(0x40001000, 0x40002000, batch, sink).error(), test_errno::NO_MEMORY);
    EXPECT_EQ(pt->protect_range(0x40001000, 0x40002000, 0, PTE_WRITE, batch).error(),
              test_errno::NO_MEMORY);
    EXPECT_TRUE(sink.released.empty());
    Lookup l = pt->lookup(0x40001000);
    EXPECT_EQ(l.size, PageSize::Large2M);
    EXPECT_EQ(l.pte, 0x80000000 | USER | PTE_PRESENT | PTE_HUGE);
    EXPECT_TRUE(batch.empty());
    phys.fail_frames(false);
    finish(batch);
}

TEST(TlbBatchTest, DeduplicatesAndOverflowsToFullFlush) {
    TlbBatch batch;
    batch.add(0x400123, PageSize::Small4K);
    batch.add(0x400000, PageSize::Small4K);
    EXPECT_EQ(batch.page_count(), 1u);
    EXPECT_EQ(batch.page_va(0), 0x400000u);
    // A 2 MiB entry absorbs the 4 KiB pages inside it, and covers later ones.
    batch.add(0x401000, PageSize::Large2M);
    EXPECT_EQ(batch.page_count(), 1u);
    EXPECT_EQ(batch.page_va(0), 0x400000u);
    EXPECT_EQ(batch.page_size(0), PageSize::Large2M);
    batch.add(0x5ff000, PageSize::Small4K);
    EXPECT_EQ(batch.page_count(), 1u);

    for (u64 i = 1; i < TlbBatch::MAX_PAGES; ++i)
        batch.add(0x10000000 + i * PAGE_SIZE, PageSize::Small4K);
    EXPECT_EQ(batch.page_count(), TlbBatch::MAX_PAGES);
    EXPECT_FALSE(batch.full_flush());
    batch.add(0x10000000 + PAGE_SIZE, PageSize::Small4K); // a duplicate does not overflow
    EXPECT_FALSE(batch.full_flush());
    batch.add(0x20000000, PageSize::Small4K);
    EXPECT_TRUE(batch.full_flush());
    EXPECT_FALSE(batch.empty());
    batch.reset();
    EXPECT_TRUE(batch.empty());
    EXPECT_FALSE(batch.full_flush());
}

TEST_F(PageTableTest, ManyUnmapsOverflowTheBatch) {
    for (u64 i = 0; i < 33; ++i)
        map_ok(0x400000 + i * PAGE_SIZE, 0x1000000, PageSize::Small4K, USER);
    TlbBatch batch;
    for (u64 i = 0; i < 32; ++i) ASSERT_NE(pt->unmap(0x400000 + i * PAGE_SIZE, batch).value(), 0u);
    EXPECT_FALSE(batch.full_flush());
    ASSERT_NE(pt->unmap(0x400000 + 32 * PAGE_SIZE, batch).value(), 0u);
    EXPECT_TRUE(batch.full_flush());
    finish(batch);
}

TEST_F(PageTableTest, ForgettingToReleaseDeferredTablesIsABug) {
    map_ok(0x400000, 0x1000000, PageSize::Small4K, USER);
    EXPECT_DEATH(
        {
            TlbBatch batch;
            RecordingSink sink;
            (void)pt->unmap_range(0x400000, 0x600000, batch, sink);
        },
        "m_table_count");
}

// ---- mremap's move, memory-object leaves, dirty bits ----------------------------------------

TEST_F(PageTableTest, MoveRangeMovesLeavesUnchangedAndFreesTheSourceTables) {
    const usize before = phys.live();
    map_ok(0x400000, 0x1000000, PageSize::Small4K, USER);
    map_ok(0x401000, 0x1001000, PageSize::Small4K, USER_UNTOUCHED);
    map_ok(0x5ff000, 0x1002000, PageSize::Small4K, USER | PTE_BORROWED);
    TlbBatch batch;
    ASSERT_TRUE(pt->move_range(0x400000, 0x7000000, 2 * MiB, batch).is_ok());
    EXPECT_EQ(pt->lookup(0x400000).pte, 0u);
    EXPECT_EQ(pt->lookup(0x5ff000).pte, 0u);
    // The entries arrive unchanged, except that no TLB has used them at the new address yet.
    EXPECT_EQ(pt->lookup(0x7000000).pte, 0x1000000 | USER_UNTOUCHED | PTE_PRESENT);
    EXPECT_EQ(pt->lookup(0x7001000).pte, 0x1001000 | USER_UNTOUCHED | PTE_PRESENT);
    EXPECT_EQ(pt->lookup(0x71ff000).pte, 0x1002000 | USER_UNTOUCHED | PTE_BORROWED | PTE_PRESENT);
    // Only the accessed pages' old translations need invalidating (the emptied PT's unlink
    // is covered by one of them).
    std::vector<u64> flushed;
    for (usize i = 0; i < batch.page_count(); ++i) flushed.push_back(batch.page_va(i));
    EXPECT_EQ(flushed, (std::vector<u64>{0x400000, 0x5ff000}));
    finish(batch);
    // The source PT went; the destination has one. PD and PDPT are shared.
    EXPECT_EQ(path(0x400000, root)[2], 0u);
    EXPECT_EQ(phys.live(), before + 3u);
}

TEST_F(PageTableTest, MoveRangeMoves2MPagesWholeWhenTheyLineUp) {
    map_ok(0x40000000, 0x80000000, PageSize::Large2M, USER);
    map_ok(0x40200000, 0x1000000, PageSize::Small4K, USER); // crosses into the next PT
    TlbBatch batch;
    ASSERT_TRUE(pt->move_range(0x40000000, 0x80000000, 2 * MiB + PAGE_SIZE, batch).is_ok());
    finish(batch);
    const Lookup l = pt->lookup(0x80012345);
    EXPECT_EQ(l.size, PageSize::Large2M);
    EXPECT_EQ(l.gpa_of_va, 0x80012345u);
    EXPECT_EQ(pt->lookup(0x80200000).pte & PTE_ADDR_MASK, 0x1000000u);
    EXPECT_EQ(pt->lookup(0x40000000).pte, 0u);
    EXPECT_EQ(pt->lookup(0x40200000).pte, 0u);
}

TEST_F(PageTableTest, MoveRangeSplits2MPagesThatCannotLineUp) {
    map_ok(0x40000000, 0x80000000, PageSize::Large2M, USER);
    TlbBatch batch;
    ASSERT_TRUE(pt->move_range(0x40000000, 0x90001000, 2 * MiB, batch).is_ok());
    finish(batch);
    for (u64 off = 0; off < 2 * MiB; off += 64 * PAGE_SIZE) {
        const Lookup l = pt->lookup(0x90001000 + off);
        ASSERT_EQ(l.size, PageSize::Small4K);
        ASSERT_EQ(l.gpa_of_va, 0x80000000 + off) << std::hex << off;
    }
    EXPECT_EQ(pt->lookup(0x40000000).pte, 0u);
}

TEST_F(PageTableTest, MoveRangeFailsBeforeMovingAnything) {
    map_ok(0x400000, 0x1000000, PageSize::Small4K, USER);
    phys.fail_frames(true);
    TlbBatch batch;
    // The destination needs new tables (another PDPT slot): none can be had.
    EXPECT_EQ(pt->move_range(0x400000, 0x8000000000, PAGE_SIZE, batch).error(),
              test_errno::NO_MEMORY);
    phys.fail_frames(false);
    finish(batch);
    EXPECT_EQ(pt->lookup(0x400000).pte & PTE_ADDR_MASK, 0x1000000u);
}

TEST_F(PageTableTest, UnmapRangeKeepsBorrowedFramesFromTheSink) {
    map_ok(0x400000, 0x1000000, PageSize::Small4K, USER);
    map_ok(0x401000, 0x2000000, PageSize::Small4K, USER | PTE_BORROWED);
    map_ok(0x40000000, 0x80000000, PageSize::Large2M, USER | PTE_BORROWED);
    TlbBatch batch;
    RecordingSink sink;
    ASSERT_TRUE(pt->unmap_range(0x400000, 0x40200000, batch, sink).is_ok());
    finish(batch);
    EXPECT_EQ(sink.released,
              (std::vector<std::pair<u64, PageSize>>{{0x1000000, PageSize::Small4K}}));
    EXPECT_EQ(pt->lookup(0x401000).pte, 0u);
    EXPECT_EQ(pt->lookup(0x40000000).pte, 0u);
}

TEST_F(PageTableTest, ProtectRangeNeverMakesCopyOnWritePagesWritable) {
    map_ok(0x400000, 0x1000000, PageSize::Small4K, PTE_USER | PTE_BORROWED | PTE_COW);
    map_ok(0x401000, 0x2000000, PageSize::Small4K, PTE_USER);
    TlbBatch batch;
    ASSERT_TRUE(pt->protect_range(0x400000, 0x402000, PTE_WRITE, 0, batch).is_ok());
    finish(batch);
    EXPECT_FALSE(pt->lookup(0x400000).pte & PTE_WRITE);
    EXPECT_TRUE(pt->lookup(0x400000).pte & PTE_COW);
    EXPECT_TRUE(pt->lookup(0x401000).pte & PTE_WRITE);
}

TEST_F(PageTableTest, TakeDirtyFindsWrittenPagesAndClearsThemOnRequest) {
    for (u64 i = 0; i < 5; ++i)
        map_ok(0x400000 + i * PAGE_SIZE, 0x1000000 + i * PAGE_SIZE, PageSize::Small4K,
               USER | (i % 2 == 0 ? PTE_DIRTY : 0));
    u64 vas[8];
    TlbBatch batch;
    // keep: reported, untouched, nothing to invalidate.
    ASSERT_EQ(pt->take_dirty(0x400000, 0x405000, vas, 8, DirtyBits::keep, batch), 3u);
    EXPECT_EQ(vas[2], 0x404000u);
    EXPECT_TRUE(batch.empty());
    // clear, at most two at a time.
    ASSERT_EQ(pt->take_dirty(0x400000, 0x405000, vas, 2, DirtyBits::clear, batch), 2u);
    EXPECT_EQ(vas[0], 0x400000u);
    EXPECT_EQ(vas[1], 0x402000u);
    EXPECT_EQ(batch.page_count(), 2u);
    EXPECT_FALSE(pt->lookup(0x400000).pte & PTE_DIRTY);
    EXPECT_TRUE(pt->lookup(0x404000).pte & PTE_DIRTY);
    ASSERT_EQ(pt->take_dirty(0x400000, 0x405000, vas, 8, DirtyBits::clear, batch), 1u);
    EXPECT_EQ(vas[0], 0x404000u);
    EXPECT_EQ(pt->take_dirty(0x400000, 0x405000, vas, 8, DirtyBits::clear, batch), 0u);
    finish(batch);
}

} // namespace
} // namespace jvmos::mm

namespace jvmos::mm {
namespace {

struct RecordingSharer final : FrameSharer {
    void share(u64 gpa, PageSize size) override { shared.emplace_back(gpa, size); }
    std::vector<std::pair<u64, PageSize>> shared;
};

// fork(): private pages become read-only PTE_FORK_COW in both tables (the parent's touched
// writable page needs an invalidation), shared ones stay as they were, borrowed frames are not
// counted, and the child's entries start never-accessed.
TEST_F(PageTableTest, ForkRangeCopiesLeavesCopyOnWriteOrShared) {
    map_ok(0x400000, 0x12345000, PageSize::Small4K, USER);
    map_ok(0x401000, 0x12346000, PageSize::Small4K, USER_UNTOUCHED | PTE_BORROWED);
    map_ok(0x40000000, 0x80000000, PageSize::Large2M, USER);
    map_ok(0x600000, 0x22222000, PageSize::Small4K, USER);
    const u64 child_root = phys.alloc_contiguous(2, 2).value();
    PageTable child(phys, child_root, {});
    RecordingSharer sharer;
    TlbBatch batch;
    ASSERT_TRUE(pt->fork_range(child, 0x400000, 0x402000, ForkPages::copy_on_write, batch, sharer)
                    .is_ok());
    ASSERT_TRUE(pt->fork_range(child, 0x40000000, 0x40200000, ForkPages::copy_on_write, batch,
                               sharer)
                    .is_ok());
    ASSERT_TRUE(pt->fork_range(child, 0x600000, 0x601000, ForkPages::share, batch, sharer).is_ok());

    const u64 cow = (USER & ~PTE_WRITE) | PTE_FORK_COW | PTE_PRESENT;
    EXPECT_EQ(pt->lookup(0x400000).pte, 0x12345000 | cow);
    EXPECT_EQ(child.lookup(0x400000).pte, 0x12345000 | (cow & ~PTE_ACCESSED));
    // Borrowed (a memory object's frame): copied as it is, not counted.
    EXPECT_EQ(child.lookup(0x401000).pte, pt->lookup(0x401000).pte);
    EXPECT_TRUE(child.lookup(0x401000).pte & PTE_WRITE);
    EXPECT_EQ(child.lookup(0x40000000).size, PageSize::Large2M);
    EXPECT_TRUE(child.lookup(0x40000000).pte & PTE_FORK_COW);
    EXPECT_FALSE(pt->lookup(0x40000000).pte & PTE_WRITE);
    // Shared: writable in both.
    EXPECT_TRUE(pt->lookup(0x600000).pte & PTE_WRITE);
    EXPECT_EQ(child.lookup(0x600000).pte, pt->lookup(0x600000).pte & ~PTE_ACCESSED);
    ASSERT_EQ(sharer.shared.size(), 3u);
    EXPECT_EQ(sharer.shared[0], std::make_pair(u64{0x12345000}, PageSize::Small4K));
    EXPECT_EQ(sharer.shared[1], std::make_pair(u64{0x80000000}, PageSize::Large2M));
    EXPECT_EQ(sharer.shared[2], std::make_pair(u64{0x22222000}, PageSize::Small4K));
    // The parent's two touched pages lost PTE_WRITE: their translations must go.
    EXPECT_EQ(batch.page_count(), 2u);
    finish(batch);

    // mprotect never makes a fork-shared page writable: the write must copy it first.
    TlbBatch p;
    ASSERT_TRUE(pt->protect_range(0x400000, 0x401000, PTE_WRITE, 0, p).is_ok());
    EXPECT_FALSE(pt->lookup(0x400000).pte & PTE_WRITE);
    finish(p);

    // The child's leaves go range by range (small unmaps keep their tables), then its tables.
    RecordingSink sink;
    TlbBatch b;
    ASSERT_TRUE(child.unmap_range(0x400000, 0x402000, b, sink).is_ok());
    ASSERT_TRUE(child.unmap_range(0x40000000, 0x40200000, b, sink).is_ok());
    ASSERT_TRUE(child.unmap_range(0x600000, 0x601000, b, sink).is_ok());
    finish(b);
    EXPECT_EQ(sink.released.size(), 3u); // the borrowed one is not the child's to release
    const usize before = phys.live();
    child.free_user_tables();
    EXPECT_LT(phys.live(), before);
    for (usize i = 0; i < 256; ++i) EXPECT_EQ(phys.entry(child_root, i), 0u);
}

} // namespace
} // namespace jvmos::mm
