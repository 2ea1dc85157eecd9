// RegionMap: VMA-list semantics (Linux's mmap/munmap/mprotect), checked directly and against a
// page-by-page reference model.
#include "mm/regions.h"

// Errno's enumerators share their names with <errno.h>'s macros, which gtest pulls in: name the
// ones the tests need before that.
namespace jvmos::mm::test_errno {
constexpr Errno NO_MEMORY = Errno::ENOMEM;
constexpr Errno EXISTS = Errno::EEXIST;
} // namespace jvmos::mm::test_errno

#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <random>
#include <vector>

namespace jvmos::mm {
namespace {

// malloc-backed, counts live bytes, can be told to fail.
class TestAllocator final : public Allocator {
public:
    void* allocate(usize size, usize align) override {
        if (fail) return nullptr;
        live += size;
        return std::aligned_alloc(align < 16 ? 16 : align, align_up(size, 16));
    }
    void deallocate(void* p, usize size) override {
        if (p == nullptr) return;
        live -= size;
        std::free(p);
    }
    bool fail = false;
    usize live = 0;
};

struct RecordingSink final : RemovedSink {
    void removed(const Region& piece) override { pieces.push_back(piece); }
    std::vector<Region> pieces;
};

constexpr u64 P = PAGE_SIZE;
constexpr u32 RW = LINUX_PROT_READ | LINUX_PROT_WRITE;
constexpr u32 RO = LINUX_PROT_READ;
constexpr u32 ANON = LINUX_MAP_PRIVATE | LINUX_MAP_ANONYMOUS;

Region anon(u64 start, u64 end, u32 prot = RW) {
    return {start, end, prot, ANON, RegionKind::Anonymous, 0, 0};
}
Region file(u64 start, u64 end, u64 offset, u64 id = 7, u32 prot = RO) {
    return {start, end, prot, LINUX_MAP_PRIVATE, RegionKind::File, offset, id};
}

bool same(const Region& a, const Region& b) {
    return a.start == b.start && a.end == b.end && a.prot == b.prot && a.flags == b.flags &&
           a.kind == b.kind && a.file_offset == b.file_offset && a.file_id == b.file_id;
}

#define EXPECT_REGION(actual, expected)                                                            \
    EXPECT_TRUE(same((actual), (expected)))                                                        \
        << std::hex << "got [" << (actual).start << ", " << (actual).end << ") prot "              \
        << (actual).prot << " off " << (actual).file_offset << "; want [" << (expected).start      \
        << ", " << (expected).end << ") prot " << (expected).prot << " off "                       \
        << (expected).file_offset

class RegionMapTest : public ::testing::Test {
protected:
    TestAllocator allocator;
    RegionMap map{allocator};
};

TEST_F(RegionMapTest, InsertFindAndOverlap) {
    ASSERT_TRUE(map.insert(anon(0x10000, 0x20000)).is_ok());
    ASSERT_TRUE(map.insert(anon(0x40000, 0x50000, RO)).is_ok());
    EXPECT_EQ(map.count(), 2u);
    ASSERT_NE(map.find(0x10000), nullptr);
    EXPECT_EQ(map.find(0x1ffff)->start, 0x10000u);
    EXPECT_EQ(map.find(0x20000), nullptr);
    EXPECT_EQ(map.find(0xffff), nullptr);
    EXPECT_EQ(map.find(0x40000)->prot, RO);

    EXPECT_EQ(map.insert(anon(0x1f000, 0x21000)).error(), test_errno::EXISTS);
    EXPECT_EQ(map.insert(anon(0x8000, 0x11000)).error(), test_errno::EXISTS);
    EXPECT_EQ(map.insert(anon(0x0, 0x100000)).error(), test_errno::EXISTS);
    EXPECT_EQ(map.insert(anon(0x41000, 0x42000)).error(), test_errno::EXISTS);
    EXPECT_EQ(map.count(), 2u);
    EXPECT_TRUE(map.is_free(0x20000, 0x40000));
    EXPECT_FALSE(map.is_free(0x20000, 0x40001));
}

TEST_F(RegionMapTest, InsertMergesCompatibleNeighbours) {
    ASSERT_TRUE(map.insert(anon(0x10000, 0x20000)).is_ok());
    ASSERT_TRUE(map.insert(anon(0x30000, 0x40000)).is_ok());
    ASSERT_TRUE(map.insert(anon(0x20000, 0x30000)).is_ok()); // fills the gap: one region
    ASSERT_EQ(map.count(), 1u);
    EXPECT_REGION(map.at(0), anon(0x10000, 0x40000));
    ASSERT_TRUE(map.insert(anon(0x40000, 0x50000, RO)).is_ok()); // different prot
    EXPECT_EQ(map.count(), 2u);

    // File regions merge only when the file offsets continue, and only within one file.
    ASSERT_TRUE(map.insert(file(0x100000, 0x102000, 0x5000)).is_ok());
    ASSERT_TRUE(map.insert(file(0x102000, 0x103000, 0x8000)).is_ok()); // 0x7000 would continue
    EXPECT_EQ(map.count(), 4u);
    ASSERT_TRUE(map.insert(file(0x0ff000, 0x100000, 0x4000)).is_ok()); // continues into 0x5000
    ASSERT_EQ(map.count(), 4u);
    EXPECT_REGION(map.at(2), file(0x0ff000, 0x102000, 0x4000));
    ASSERT_TRUE(map.insert(file(0x103000, 0x104000, 0x9000, 8)).is_ok()); // another file
    EXPECT_EQ(map.count(), 5u);
}

TEST_F(RegionMapTest, UnmapInTheMiddleSplitsInTwoWithFileOffsets) {
    ASSERT_TRUE(map.insert(file(0x100000, 0x110000, 0x4000)).is_ok());
    RecordingSink sink;
    ASSERT_TRUE(map.remove_range(0x104000, 0x106000, sink).is_ok());
    ASSERT_EQ(map.count(), 2u);
    EXPECT_REGION(map.at(0), file(0x100000, 0x104000, 0x4000));
    EXPECT_REGION(map.at(1), file(0x106000, 0x110000, 0xa000));
    ASSERT_EQ(sink.pieces.size(), 1u);
    EXPECT_REGION(sink.pieces[0], file(0x104000, 0x106000, 0x8000));
}

TEST_F(RegionMapTest, UnmapAtTheEdges) {
    ASSERT_TRUE(map.insert(file(0x100000, 0x110000, 0)).is_ok());
    RecordingSink sink;
    ASSERT_TRUE(map.remove_range(0x0f0000, 0x102000, sink).is_ok()); // front, from a gap
    ASSERT_TRUE(map.remove_range(0x10e000, 0x200000, sink).is_ok()); // back, into a gap
    ASSERT_EQ(map.count(), 1u);
    EXPECT_REGION(map.at(0), file(0x102000, 0x10e000, 0x2000));
    ASSERT_EQ(sink.pieces.size(), 2u);
    EXPECT_REGION(sink.pieces[0], file(0x100000, 0x102000, 0));
    EXPECT_REGION(sink.pieces[1], file(0x10e000, 0x110000, 0xe000));
    // Exactly the region: gone.
    ASSERT_TRUE(map.remove_range(0x102000, 0x10e000, sink).is_ok());
    EXPECT_EQ(map.count(), 0u);
    // Nothing mapped: not an error, nothing reported.
    ASSERT_TRUE(map.remove_range(0x0, 0x1000000, sink).is_ok());
    EXPECT_EQ(sink.pieces.size(), 3u);
}

TEST_F(RegionMapTest, UnmapSpanningSeveralRegionsAndGaps) {
    ASSERT_TRUE(map.insert(anon(0x10000, 0x20000)).is_ok());
    ASSERT_TRUE(map.insert(anon(0x30000, 0x40000, RO)).is_ok());
    ASSERT_TRUE(map.insert(anon(0x50000, 0x60000)).is_ok());
    ASSERT_TRUE(map.insert(anon(0x70000, 0x80000, RO)).is_ok());
    RecordingSink sink;
    ASSERT_TRUE(map.remove_range(0x18000, 0x74000, sink).is_ok());
    ASSERT_EQ(map.count(), 2u);
    EXPECT_REGION(map.at(0), anon(0x10000, 0x18000));
    EXPECT_REGION(map.at(1), anon(0x74000, 0x80000, RO));
    ASSERT_EQ(sink.pieces.size(), 4u);
    EXPECT_REGION(sink.pieces[0], anon(0x18000, 0x20000));
    EXPECT_REGION(sink.pieces[1], anon(0x30000, 0x40000, RO));
    EXPECT_REGION(sink.pieces[2], anon(0x50000, 0x60000));
    EXPECT_REGION(sink.pieces[3], anon(0x70000, 0x74000, RO));
}

TEST_F(RegionMapTest, MprotectMiddleMakesThreePiecesAndBackMakesOne) {
    ASSERT_TRUE(map.insert(file(0x100000, 0x110000, 0x1000, 7, RW)).is_ok());
    ASSERT_TRUE(map.protect_range(0x104000, 0x108000, RO).is_ok());
    ASSERT_EQ(map.count(), 3u);
    EXPECT_REGION(map.at(0), file(0x100000, 0x104000, 0x1000, 7, RW));
    EXPECT_REGION(map.at(1), file(0x104000, 0x108000, 0x5000, 7, RO));
    EXPECT_REGION(map.at(2), file(0x108000, 0x110000, 0x9000, 7, RW));
    ASSERT_TRUE(map.protect_range(0x104000, 0x108000, RW).is_ok());
    ASSERT_EQ(map.count(), 1u);
    EXPECT_REGION(map.at(0), file(0x100000, 0x110000, 0x1000, 7, RW));
}

TEST_F(RegionMapTest, MprotectAcrossRegionsMergesThem) {
    ASSERT_TRUE(map.insert(anon(0x10000, 0x20000, RW)).is_ok());
    ASSERT_TRUE(map.insert(anon(0x20000, 0x30000, RO)).is_ok());
    ASSERT_TRUE(map.insert(anon(0x30000, 0x40000, RW)).is_ok());
    ASSERT_EQ(map.count(), 3u);
    ASSERT_TRUE(map.protect_range(0x20000, 0x30000, RW).is_ok());
    ASSERT_EQ(map.count(), 1u);
    EXPECT_REGION(map.at(0), anon(0x10000, 0x40000));
    // Same prot over part of a region: no change, no split.
    ASSERT_TRUE(map.protect_range(0x18000, 0x1c000, RW).is_ok());
    EXPECT_EQ(map.count(), 1u);
}

TEST_F(RegionMapTest, MprotectOverAGapFailsAndChangesNothing) {
    ASSERT_TRUE(map.insert(anon(0x10000, 0x20000)).is_ok());
    ASSERT_TRUE(map.insert(anon(0x30000, 0x40000)).is_ok());
    EXPECT_EQ(map.protect_range(0x18000, 0x38000, RO).error(), test_errno::NO_MEMORY);
    EXPECT_EQ(map.protect_range(0x8000, 0x18000, RO).error(), test_errno::NO_MEMORY);
    EXPECT_EQ(map.protect_range(0x38000, 0x48000, RO).error(), test_errno::NO_MEMORY);
    ASSERT_EQ(map.count(), 2u);
    EXPECT_REGION(map.at(0), anon(0x10000, 0x20000));
    EXPECT_REGION(map.at(1), anon(0x30000, 0x40000));
}

TEST_F(RegionMapTest, AllocationFailureLeavesTheMapUnchanged) {
    ASSERT_TRUE(map.insert(anon(0x10000, 0x20000)).is_ok());
    // Fill the initial capacity with separate regions so that the next slot needs a new array.
    for (u64 i = 1; map.count() < 16; ++i)
        ASSERT_TRUE(map.insert(anon(0x10000 + i * 0x20000, 0x20000 + i * 0x20000)).is_ok());
    allocator.fail = true;
    RecordingSink sink;
    EXPECT_EQ(map.insert(anon(0x1000000, 0x1001000)).error(), test_errno::NO_MEMORY);
    EXPECT_EQ(map.remove_range(0x12000, 0x14000, sink).error(), test_errno::NO_MEMORY);
    EXPECT_EQ(map.protect_range(0x12000, 0x14000, RO).error(), test_errno::NO_MEMORY);
    EXPECT_TRUE(sink.pieces.empty());
    EXPECT_EQ(map.count(), 16u);
    EXPECT_REGION(map.at(0), anon(0x10000, 0x20000));
    // Operations that need no new slot still work.
    ASSERT_TRUE(map.protect_range(0x10000, 0x20000, RO).is_ok());
    ASSERT_TRUE(map.remove_range(0x10000, 0x12000, sink).is_ok());
    allocator.fail = false;
    ASSERT_TRUE(map.insert(anon(0x1000000, 0x1001000)).is_ok());
    EXPECT_EQ(map.count(), 17u);
}

TEST_F(RegionMapTest, FindFreeHonoursAFreeHint) {
    ASSERT_TRUE(map.insert(anon(0x7f0000000000, 0x7f0000010000)).is_ok());
    auto r = map.find_free(0x4000, 0x500000123, 0x10000, 0x7ffffffff000);
    ASSERT_TRUE(r.is_ok());
    EXPECT_EQ(r.value(), 0x500000000u); // rounded down to a page
}

TEST_F(RegionMapTest, FindFreeIgnoresAnOccupiedOrOutOfWindowHint) {
    const u64 high = 0x7f0000100000;
    ASSERT_TRUE(map.insert(anon(0x500000000, 0x500010000)).is_ok());
    auto r = map.find_free(0x4000, 0x50000c000, 0x10000, high);
    ASSERT_TRUE(r.is_ok());
    EXPECT_EQ(r.value(), high - 0x4000); // top-down instead
    // A hint whose range would cross `high`.
    auto crossing = map.find_free(0x4000, high - 0x2000, 0x10000, high);
    ASSERT_TRUE(crossing.is_ok());
    EXPECT_EQ(crossing.value(), high - 0x4000);
    auto below = map.find_free(0x4000, 0x8000, 0x10000, high); // below `low`
    ASSERT_TRUE(below.is_ok());
    EXPECT_EQ(below.value(), high - 0x4000);
}

TEST_F(RegionMapTest, FindFreeIsTopDown) {
    const u64 high = 0x100000000;
    ASSERT_TRUE(map.insert(anon(high - 0x10000, high + 0x10000)).is_ok()); // straddles high
    ASSERT_TRUE(map.insert(anon(high - 0x30000, high - 0x12000)).is_ok());
    // Gap [high - 0x12000, high - 0x10000) is 8 KiB: fits 8 KiB, not 16 KiB.
    EXPECT_EQ(map.find_free(0x2000, 0, 0x10000, high).value(), high - 0x12000);
    EXPECT_EQ(map.find_free(0x4000, 0, 0x10000, high).value(), high - 0x34000);
    ASSERT_TRUE(map.insert(anon(high - 0x34000, high - 0x30000)).is_ok());
    EXPECT_EQ(map.find_free(0x4000, 0, 0x10000, high).value(), high - 0x38000);
}

TEST_F(RegionMapTest, FindFreeFailsWhenNothingFits) {
    ASSERT_TRUE(map.insert(anon(0x10000, 0x20000)).is_ok());
    ASSERT_TRUE(map.insert(anon(0x24000, 0x40000)).is_ok());
    // Window [0x10000, 0x40000): only the 16 KiB gap is free.
    EXPECT_EQ(map.find_free(0x4000, 0, 0x10000, 0x40000).value(), 0x20000u);
    EXPECT_EQ(map.find_free(0x5000, 0, 0x10000, 0x40000).error(), test_errno::NO_MEMORY);
    EXPECT_EQ(map.find_free(0x5000, 0x20000, 0x10000, 0x40000).error(), test_errno::NO_MEMORY);
    EXPECT_EQ(map.find_free(0x100000, 0, 0x10000, 0x40000).error(), test_errno::NO_MEMORY);
    // A low bound above the gap.
    EXPECT_EQ(map.find_free(0x1000, 0, 0x30000, 0x40000).error(), test_errno::NO_MEMORY);
}

TEST_F(RegionMapTest, StorageIsReturnedToTheAllocator) {
    {
        RegionMap local(allocator);
        for (u64 i = 0; i < 100; ++i)
            ASSERT_TRUE(local.insert(anon(i * 0x2000, i * 0x2000 + 0x1000)).is_ok());
        EXPECT_GT(allocator.live, 100 * sizeof(Region) - 1);
    }
    EXPECT_EQ(allocator.live, 0u);
}

// ---- Reference model -------------------------------------------------------------------------

// Page number -> attributes of that page (file_offset is the page's own offset).
struct PageAttr {
    u32 prot;
    u32 flags;
    RegionKind kind;
    u64 file_offset;
    u64 file_id;
    bool operator==(const PageAttr&) const = default;
};
using Model = std::map<u64, PageAttr>;

// Anonymous memory (file_id 0) has no meaningful offset: the model does not track it.
PageAttr attr_at(const Region& r, u64 page) {
    u64 offset = r.file_id == 0 ? 0 : r.file_offset + (page * P - r.start);
    return {r.prot, r.flags, r.kind, offset, r.file_id};
}

// The map equals the model page for page, is sorted and disjoint, and no two neighbours could
// have been merged.
void check_against(const RegionMap& map, const Model& model) {
    usize pages = 0;
    for (usize i = 0; i < map.count(); ++i) {
        const Region& r = map.at(i);
        ASSERT_LT(r.start, r.end);
        ASSERT_TRUE(is_aligned(r.start, P) && is_aligned(r.end, P));
        if (i > 0) {
            const Region& prev = map.at(i - 1);
            ASSERT_LE(prev.end, r.start);
            bool mergeable = prev.end == r.start && prev.prot == r.prot && prev.flags == r.flags &&
                             prev.kind == r.kind && prev.file_id == r.file_id &&
                             (r.file_id == 0 || prev.file_offset + prev.size() == r.file_offset);
            ASSERT_FALSE(mergeable) << "unmerged neighbours at " << std::hex << r.start;
        }
        for (u64 page = r.start / P; page < r.end / P; ++page) {
            auto it = model.find(page);
            ASSERT_NE(it, model.end()) << "extra page " << std::hex << page * P;
            ASSERT_EQ(it->second, attr_at(r, page)) << "page " << std::hex << page * P;
            ++pages;
        }
    }
    ASSERT_EQ(pages, model.size());
}

TEST_F(RegionMapTest, TwentyThousandRegionsAgainstAReferenceModel) {
    std::mt19937_64 rng(12345);
    Model model;
    auto random_region = [&](u64 start_page, u64 pages) {
        static const u32 prots[] = {RO, RW, LINUX_PROT_READ | LINUX_PROT_EXEC};
        Region r = anon(start_page * P, (start_page + pages) * P, prots[rng() % 3]);
        if (rng() % 2) {
            r.kind = RegionKind::File;
            r.flags = LINUX_MAP_PRIVATE;
            r.file_id = 1 + rng() % 2;
            r.file_offset = (rng() % 4) * pages * P; // sometimes continues a neighbour
        }
        return r;
    };
    auto model_insert = [&](const Region& r) {
        for (u64 page = r.start / P; page < r.end / P; ++page) model[page] = attr_at(r, page);
    };

    // 20,000 separate regions (every other slot of 3 pages), in address order.
    constexpr u64 SLOTS = 40000;
    for (u64 i = 0; i < SLOTS; i += 2) {
        Region r = random_region(i * 3, 1 + rng() % 3);
        ASSERT_TRUE(map.insert(r).is_ok());
        model_insert(r);
    }
    ASSERT_EQ(map.count(), 20000u);
    check_against(map, model);

    // How often each outcome happened, to be sure the random walk covers them all.
    int inserted = 0, refused = 0, removed_some = 0, protected_ok = 0, protect_refused = 0;
    for (int op = 0; op < 20000; ++op) {
        const u64 start_page = rng() % (SLOTS * 3);
        const u64 pages = 1 + rng() % 12;
        const u64 start = start_page * P, end = (start_page + pages) * P;
        bool any = false, all = true;
        for (u64 page = start_page; page < start_page + pages; ++page) {
            bool mapped = model.count(page) != 0;
            any = any || mapped;
            all = all && mapped;
        }
        switch (rng() % 3) {
        case 0: {
            Region r = random_region(start_page, pages);
            auto result = map.insert(r);
            if (any) {
                ASSERT_EQ(result.error(), test_errno::EXISTS) << op;
                ++refused;
            } else {
                ASSERT_TRUE(result.is_ok()) << op;
                model_insert(r);
                ++inserted;
            }
            break;
        }
        case 1: {
            RecordingSink sink;
            ASSERT_TRUE(map.remove_range(start, end, sink).is_ok()) << op;
            usize reported = 0;
            u64 previous_end = 0;
            for (const Region& piece : sink.pieces) {
                ASSERT_GE(piece.start, start);
                ASSERT_LE(piece.end, end);
                ASSERT_GE(piece.start, previous_end); // in order, disjoint
                previous_end = piece.end;
                for (u64 page = piece.start / P; page < piece.end / P; ++page) {
                    ASSERT_EQ(model.at(page), attr_at(piece, page)) << op;
                    ++reported;
                }
            }
            usize removed = 0;
            for (u64 page = start_page; page < start_page + pages; ++page)
                removed += model.erase(page);
            ASSERT_EQ(reported, removed) << op;
            if (removed > 0) ++removed_some;
            break;
        }
        case 2: {
            static const u32 prots[] = {RO, RW, LINUX_PROT_READ | LINUX_PROT_EXEC};
            const u32 prot = prots[rng() % 3];
            auto result = map.protect_range(start, end, prot);
            if (!all) {
                ASSERT_EQ(result.error(), test_errno::NO_MEMORY) << op;
                ++protect_refused;
            } else {
                ASSERT_TRUE(result.is_ok()) << op;
                ++protected_ok;
                for (u64 page = start_page; page < start_page + pages; ++page)
                    model[page].prot = prot;
            }
            break;
        }
        }
        for (u64 probe = 0; probe < 4; ++probe) {
            u64 page = rng() % (SLOTS * 3);
            const Region* r = map.find(page * P + 123);
            ASSERT_EQ(r != nullptr, model.count(page) != 0) << op;
            if (r) {
                ASSERT_EQ(attr_at(*r, page), model.at(page)) << op;
            }
        }
        if (op % 2000 == 0) check_against(map, model);
        if (::testing::Test::HasFatalFailure()) return;
    }
    check_against(map, model);
    EXPECT_GT(map.count(), 10000u);
    EXPECT_GT(inserted, 200);
    EXPECT_GT(refused, 200);
    EXPECT_GT(removed_some, 200);
    EXPECT_GT(protected_ok, 200);
    EXPECT_GT(protect_refused, 200);
}

} // namespace
} // namespace jvmos::mm
