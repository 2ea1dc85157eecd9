// x86-64 4-level page tables over a PhysMem: map, look up, unmap and re-protect, with 2 MiB
// pages split on demand.
//
// Locking: a PageTable is protected by its caller (the address space's lock). PageTable never
// flushes the TLB: each edit records what must be invalidated in a TlbBatch and the caller
// performs the flush (invlpg or the paravirtual hypercall, and shootdowns to other vCPUs).
//
// Entry states. A leaf entry is "mapped" when it is non-zero: either present, or non-present
// with its frame address kept (protect_range() clearing PTE_PRESENT, e.g. for PROT_NONE), so the
// frame is still owned by the mapping and unmap_range() still releases it. An all-zero entry is
// empty. Intermediate entries are always present when non-zero. 1 GiB pages are never used.
#pragma once

#include "base/result.h"
#include "base/types.h"
#include "mm/phys.h"

namespace jvmos::mm {

inline constexpr u64 PTE_PRESENT = 1ull << 0;
inline constexpr u64 PTE_WRITE = 1ull << 1;
inline constexpr u64 PTE_USER = 1ull << 2;
inline constexpr u64 PTE_PWT = 1ull << 3;
inline constexpr u64 PTE_PCD = 1ull << 4;
inline constexpr u64 PTE_ACCESSED = 1ull << 5;
inline constexpr u64 PTE_DIRTY = 1ull << 6;
inline constexpr u64 PTE_HUGE = 1ull << 7; // PS in a PDE (2 MiB leaf); in a 4 KiB PTE it is PAT
inline constexpr u64 PTE_GLOBAL = 1ull << 8;
inline constexpr u64 PTE_SOFTWARE_MASK = 7ull << 9; // ignored by the MMU; PageTable keeps them
// Software bits (leaves only). BORROWED: the frame belongs to a memory object (a memfd), not to
// the mapping, so unmap_range() removes the leaf without handing the frame to its sink. COW: a
// read-only view of a memory object's frame in a private mapping; a write must copy the page
// first, so protect_range() never adds PTE_WRITE to it. COW leaves are also BORROWED.
inline constexpr u64 PTE_BORROWED = 1ull << 9;
inline constexpr u64 PTE_COW = 1ull << 10;
// FORK_COW: a private page whose frame fork() left shared between parent and child (counted in
// FrameRefs; the frame is owned, not borrowed). Read-only until the first write, which copies
// it, or, once no other owner is left, makes it writable in place. protect_range() never adds
// PTE_WRITE to it either.
inline constexpr u64 PTE_FORK_COW = 1ull << 11;
inline constexpr u64 PTE_PAT_LARGE = 1ull << 12;    // PAT in a 2 MiB leaf
inline constexpr u64 PTE_NX = 1ull << 63;
inline constexpr u64 PTE_ADDR_MASK = 0x000ffffffffff000ull;
inline constexpr u64 PTE_LARGE_ADDR_MASK = 0x000fffffffe00000ull; // frame of a 2 MiB leaf
// The bits protect_range() may set or clear.
inline constexpr u64 PTE_PROTECTION_MASK = PTE_PRESENT | PTE_WRITE | PTE_USER | PTE_NX;

enum class PageSize : u8 { Small4K, Large2M };

// Bytes in a page of that size.
constexpr u64 page_bytes(PageSize size) {
    return size == PageSize::Large2M ? LARGE_PAGE_SIZE : PAGE_SIZE;
}

// Whether leaf_slot() may allocate missing tables.
enum class Create : u8 { no, yes };

// What take_dirty() does to the dirty bits it reports.
enum class DirtyBits : u8 { keep, clear };

struct PageTableOptions {
    // The root is 8 KiB-aligned and root + 0x1000 is a second PML4 (the paravirtual backend's
    // user-mode root) that carries exactly the same user-half entries (slots 0..255) and
    // nothing else; PageTable keeps it in sync whenever a user-half PML4 entry changes.
    bool pv_user_root = false;
    // Set U on every intermediate entry, kernel half included (paravirtual hosts need U=1 at
    // every level); otherwise U is set only on user-half intermediates.
    bool user_bit_on_tables = false;
};

// What the caller must invalidate after a batch of edits, and the page-table frames it may free
// only after that invalidation.
class TlbBatch {
public:
    static constexpr usize MAX_PAGES = 32;

    TlbBatch() = default;
    TlbBatch(const TlbBatch&) = delete;
    TlbBatch& operator=(const TlbBatch&) = delete;
    // Asserts that release_tables() was called: a forgotten call would leak frames.
    ~TlbBatch();

    // Records that the translation of the page of `size` containing `va` may be cached and is
    // stale. A Large2M entry means every 4 KiB page of that 2 MiB range (CPUs may have cached a
    // 2 MiB page as 4 KiB pieces). Duplicates and pages inside a recorded 2 MiB range are
    // dropped; beyond MAX_PAGES distinct pages the batch becomes a full flush.
    void add(u64 va, PageSize size);
    // Records that a previously empty or non-present entry became present. x86 never caches
    // non-present entries, so this needs no invalidation on hardware; a shadow-paging host may
    // still have to hear about it.
    void note_new_mapping() { m_had_new_mappings = true; }

    // The caller must flush the whole (non-global) TLB instead of the listed pages.
    bool full_flush() const { return m_full_flush; }
    bool had_new_mappings() const { return m_had_new_mappings; }
    // No page to invalidate and no full flush (new mappings aside).
    bool empty() const { return m_count == 0 && !m_full_flush; }
    // The recorded pages (meaningless when full_flush()).
    usize page_count() const { return m_count; }
    u64 page_va(usize i) const { return m_pages[i].va; }
    PageSize page_size(usize i) const { return m_pages[i].size; }

    // Called by PageTable for a table frame it has unlinked. The MMU may still walk it through
    // its paging-structure caches until the flush, so the frame is kept, zeroed except for a
    // non-present link word, until release_tables().
    void defer_table_free(u64 table_gpa, PhysMem& phys);
    usize deferred_table_count() const { return m_table_count; }
    // Frees the deferred table frames. Call after the flush this batch describes.
    void release_tables(PhysMem& phys);

    // Forgets the pages and flags (after the flush), ready for reuse. Tables must be released.
    void reset();

private:
    struct Page {
        u64 va;
        PageSize size;
    };
    Page m_pages[MAX_PAGES] = {};
    usize m_count = 0;
    bool m_full_flush = false;
    bool m_had_new_mappings = false;
    u64 m_table_head = 0; // GPA of the last deferred table; entry 0 of each links to the next
    usize m_table_count = 0;
};

// Receives the frames of the leaves unmap_range() removes (except PTE_BORROWED ones). Free them
// (or drop a reference) only after the TLB flush: until then another vCPU may still write
// through a stale translation.
class FrameSink {
public:
    // `gpa` is the first byte of the removed page of `size`.
    virtual void release(u64 gpa, PageSize size) = 0;

protected:
    ~FrameSink() = default;
};

// How fork_range() gives the child the parent's pages.
enum class ForkPages : u8 {
    share,         // MAP_SHARED: the same entry in both tables, writable as it was
    copy_on_write, // MAP_PRIVATE: owned frames become read-only PTE_FORK_COW in both
};

// Told about every owned (not PTE_BORROWED) page fork_range() puts in the child's table: the
// frame has one more owner now.
class FrameSharer {
public:
    virtual void share(u64 gpa, PageSize size) = 0;

protected:
    ~FrameSharer() = default;
};

// Result of PageTable::lookup().
struct Lookup {
    bool present = false; // the leaf has PTE_PRESENT
    u64 pte = 0;          // the leaf entry, 0 if nothing is mapped
    PageSize size = PageSize::Small4K;
    u64 gpa_of_va = 0; // GPA that va translates to (valid when pte != 0)
};

class PageTable {
public:
    // Edits the tree rooted at `root_gpa` (an existing PML4, e.g. the boot tables).
    PageTable(PhysMem& phys, u64 root_gpa, PageTableOptions options);
    PageTable(const PageTable&) = delete;
    PageTable& operator=(const PageTable&) = delete;

    u64 root_gpa() const { return m_root; }
    // The paravirtual user-mode root (root + 0x1000); only meaningful with pv_user_root.
    u64 user_root_gpa() const { return m_root + PAGE_SIZE; }

    // Maps the page of `size` at `va` (aligned, canonical) to `gpa` (aligned) with
    // `flags | PTE_PRESENT` (PTE_HUGE added for Large2M; flags carry no address bits). Tables
    // are created as needed; a table left empty by an earlier unmap() where a 2 MiB page goes
    // is unlinked (and its range added to the batch). EEXIST if anything is mapped in the range,
    // ENOMEM if a table cannot be allocated (tables created on the way stay, empty).
    Result<void> map(u64 va, u64 gpa, PageSize size, u64 flags, TlbBatch& batch);

    // The leaf translating `va`, if any.
    Lookup lookup(u64 va) const;

    // Removes the 4 KiB translation of `va` and returns the old leaf PTE (0 if none was mapped;
    // for a piece of a 2 MiB page, the 4 KiB entry it was split into). A 2 MiB page containing
    // va is split first, so only va's 4 KiB goes. Tables are kept. ENOMEM if the split cannot
    // get a frame (nothing changed then).
    Result<u64> unmap(u64 va, TlbBatch& batch);

    // Removes every leaf in [start, end) (page-aligned, canonical, one half of the address
    // space), reporting each to `sink` with its frame and size. 2 MiB pages that straddle an end
    // are split first; tables (not the PML4s) that become empty are unlinked and deferred in the
    // batch. ENOMEM only if such a split cannot get a frame, before anything is removed.
    Result<void> unmap_range(u64 start, u64 end, TlbBatch& batch, FrameSink& sink);

    // For every mapped leaf in [start, end): entry = (entry & ~clear_bits) | set_bits, where both
    // masks are within PTE_PROTECTION_MASK and disjoint (PTE_COW leaves never gain PTE_WRITE).
    // Empty entries stay empty. 2 MiB pages that straddle an end are split first (ENOMEM if that
    // fails, before any change).
    Result<void> protect_range(u64 start, u64 end, u64 set_bits, u64 clear_bits, TlbBatch& batch);

    // mremap's page move: every leaf of [from, from + len) moves to the same offset in
    // [to, to + len), unchanged but for its accessed bit, which it loses (page-aligned, user
    // half, disjoint; nothing may be mapped in the destination). 2 MiB pages move whole when
    // from and to agree modulo 2 MiB and the page lies inside the range, and are split
    // otherwise. Tables the source no longer needs are freed as unmap_range() frees them.
    // ENOMEM if a split or a destination table cannot get a frame; nothing has moved then
    // (splits and empty tables may remain, which change no translation).
    Result<void> move_range(u64 from, u64 to, u64 len, TlbBatch& batch);

    // Finds the first `max` 4 KiB leaves of [start, end) (page-aligned, user half) that have
    // PTE_DIRTY, storing their addresses in `vas` in address order; returns how many. With
    // DirtyBits::clear the bit is cleared and the invalidations go to the batch: flush it before
    // reading the pages, so that a later write sets the bit again. 2 MiB leaves are skipped.
    usize take_dirty(u64 start, u64 end, u64* vas, usize max, DirtyBits mode, TlbBatch& batch);

    // fork(): copies every leaf of [start, end) (page-aligned, user half) into `child` (a
    // table with nothing mapped there) at the same address, as `mode` says, reporting owned
    // frames to `sharer`. Parent entries that lose PTE_WRITE are added to the batch. ENOMEM if
    // a child table cannot be allocated (the leaves copied so far stay, and stay counted).
    Result<void> fork_range(PageTable& child, u64 start, u64 end, ForkPages mode, TlbBatch& batch,
                            FrameSharer& sharer);
    // The leaf entry (4 KiB PTE or 2 MiB PDE) that maps `va`, nullptr if none.
    u64* leaf_entry(u64 va);
    // Splits the 2 MiB page containing `va` into 4 KiB pages (nothing if there is none). ENOMEM.
    Result<void> split_large_page(u64 va, TlbBatch& batch);
    // Frees every user-half table (the address space is going away: no leaf may be left), and
    // clears the root's user half.
    void free_user_tables();
    PageTableOptions options() const { return m_options; }

    // The 4 KiB-level PTE for `va`, creating missing tables if create == Create::yes. nullptr if
    // a table is missing (Create::no), cannot be allocated, or va lies in a 2 MiB page. Writing
    // through it is the caller's business, TLB batch included.
    u64* leaf_slot(u64 va, Create create);

private:
    u64* table(u64 gpa) const;
    u64 table_entry(u64 table_gpa, u64 va) const;
    void set_entry(u64* entry, int level, u64 va, u64 value);
    Result<u64*> child_table(u64* entry, int level, u64 va, Create create);
    // The PD entry covering va, or nullptr if the tables above it are missing.
    u64* find_pde(u64 va) const;
    Result<void> split_large(u64* pde, u64 va, TlbBatch& batch);
    Result<void> split_if_straddled(u64 addr, TlbBatch& batch);
    bool unmap_in(u64* tbl, int level, u64 base, u64 start, u64 last, TlbBatch& batch,
                  FrameSink& sink);
    // Calls fn(va, entry, level) for every non-zero leaf of [start, last] under `tbl`.
    template <typename Fn> void for_each_leaf(u64* tbl, int level, u64 base, u64 start, u64 last,
                                              Fn& fn) const;
    void free_tables_below(u64 table_gpa, int level);
    // The PD entry covering `va`, creating the PDPT and PD on the way. ENOMEM.
    Result<u64*> make_pde(u64 va);

    PhysMem& m_phys;
    u64 m_root;
    PageTableOptions m_options;
};

} // namespace jvmos::mm
