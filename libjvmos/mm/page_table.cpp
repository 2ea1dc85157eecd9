// x86-64 4-level paging: PML4 (level 4) -> PDPT (3) -> PD (2) -> PT (1).
#include "mm/page_table.h"

#include "base/assert.h"

namespace jvmos::mm {

namespace {

constexpr int LEVEL_PML4 = 4;
constexpr int LEVEL_PDPT = 3;
constexpr int LEVEL_PD = 2;
constexpr int LEVEL_PT = 1;
constexpr usize ENTRIES = 512;

constexpr usize index_of(u64 va, int level) {
    return (va >> (12 + 9 * (level - 1))) & 511;
}
// Bytes covered by one entry of a table at `level`.
constexpr u64 span_of(int level) {
    return 1ull << (12 + 9 * (level - 1));
}
// Sign-extends bit 47, turning "PML4 slot << 39" into the address the slot covers.
constexpr u64 canonical(u64 va) {
    return static_cast<u64>(static_cast<i64>(va << 16) >> 16);
}
constexpr bool is_canonical(u64 va) {
    return canonical(va) == va;
}
constexpr bool is_user_half(u64 va) {
    return (va >> 47) == 0;
}

// Entries are read and written with single 64-bit atomic accesses: the MMU (and, under SMP,
// other vCPUs' MMUs) walks the tables concurrently with our edits.
u64 load(const u64* entry) {
    return __atomic_load_n(entry, __ATOMIC_RELAXED);
}
void store(u64* entry, u64 value) {
    __atomic_store_n(entry, value, __ATOMIC_RELEASE);
}

bool table_is_empty(const u64* tbl) {
    for (usize i = 0; i < ENTRIES; ++i)
        if (load(&tbl[i]) != 0) return false;
    return true;
}

} // namespace

// ---- TlbBatch ----------------------------------------------------------------------------------

TlbBatch::~TlbBatch() {
    JVMOS_ASSERT_EQ(m_table_count, 0u);
}

void TlbBatch::add(u64 va, PageSize size) {
    if (m_full_flush) return;
    const u64 page = align_down(va, page_bytes(size));
    const u64 large = align_down(va, LARGE_PAGE_SIZE);
    for (usize i = 0; i < m_count; ++i) {
        if (m_pages[i].size == PageSize::Large2M && m_pages[i].va == large) return; // covered
        if (m_pages[i].size == size && m_pages[i].va == page) return;
    }
    if (size == PageSize::Large2M) {
        // 4 KiB pages inside the new 2 MiB range are now covered: give their slots back.
        usize kept = 0;
        for (usize i = 0; i < m_count; ++i)
            if (align_down(m_pages[i].va, LARGE_PAGE_SIZE) != page) m_pages[kept++] = m_pages[i];
        m_count = kept;
    }
    if (m_count == MAX_PAGES) {
        m_full_flush = true;
        return;
    }
    m_pages[m_count++] = {page, size};
}

void TlbBatch::defer_table_free(u64 table_gpa, PhysMem& phys) {
    // The table is all zero. Its entry 0 now links to the previously deferred table: a GPA is
    // 4 KiB-aligned, so a stale walk still sees a non-present entry there.
    auto* tbl = static_cast<u64*>(phys.to_virt(table_gpa));
    store(&tbl[0], m_table_head);
    m_table_head = table_gpa;
    ++m_table_count;
}

void TlbBatch::release_tables(PhysMem& phys) {
    u64 gpa = m_table_head;
    for (; m_table_count > 0; --m_table_count) {
        auto* tbl = static_cast<u64*>(phys.to_virt(gpa));
        u64 next = load(&tbl[0]);
        store(&tbl[0], 0);
        phys.free_frame(gpa);
        gpa = next;
    }
    m_table_head = 0;
}

void TlbBatch::reset() {
    JVMOS_ASSERT_EQ(m_table_count, 0u);
    m_count = 0;
    m_full_flush = false;
    m_had_new_mappings = false;
}

// ---- PageTable ---------------------------------------------------------------------------------

PageTable::PageTable(PhysMem& phys, u64 root_gpa, PageTableOptions options)
    : m_phys(phys), m_root(root_gpa), m_options(options) {
    JVMOS_ASSERT(is_aligned(root_gpa, options.pv_user_root ? 2 * PAGE_SIZE : PAGE_SIZE));
}

u64* PageTable::table(u64 gpa) const {
    return static_cast<u64*>(m_phys.to_virt(gpa));
}

// The value of a new intermediate entry pointing at `table_gpa` on the way to `va`.
u64 PageTable::table_entry(u64 table_gpa, u64 va) const {
    // Tables are writable and executable; the leaf decides. U must be set on every level above
    // a user page, and on every level at all for the paravirtual host.
    u64 value = table_gpa | PTE_PRESENT | PTE_WRITE;
    if (is_user_half(va) || m_options.user_bit_on_tables) value |= PTE_USER;
    return value;
}

void PageTable::set_entry(u64* entry, int level, u64 va, u64 value) {
    store(entry, value);
    if (level == LEVEL_PML4 && m_options.pv_user_root && is_user_half(va))
        store(&table(user_root_gpa())[index_of(va, LEVEL_PML4)], value);
}

Result<u64*> PageTable::child_table(u64* entry, int level, u64 va, Create create) {
    u64 v = load(entry);
    if (v != 0) {
        // 1 GiB pages are never created, and callers handle 2 MiB leaves before descending.
        if (!(v & PTE_PRESENT) || (v & PTE_HUGE))
            assertion_failed("intermediate entry is a table", __FILE__, __LINE__, v, va);
        return table(v & PTE_ADDR_MASK);
    }
    if (create == Create::no) return static_cast<u64*>(nullptr);
    u64 gpa = TRY(m_phys.alloc_frame());
    set_entry(entry, level, va, table_entry(gpa, va));
    return table(gpa);
}

u64* PageTable::find_pde(u64 va) const {
    u64 e = load(&table(m_root)[index_of(va, LEVEL_PML4)]);
    if (e == 0) return nullptr;
    e = load(&table(e & PTE_ADDR_MASK)[index_of(va, LEVEL_PDPT)]);
    if (e == 0) return nullptr;
    if (e & PTE_HUGE) assertion_failed("no 1 GiB pages", __FILE__, __LINE__, e, va);
    return &table(e & PTE_ADDR_MASK)[index_of(va, LEVEL_PD)];
}

Result<void> PageTable::map(u64 va, u64 gpa, PageSize size, u64 flags, TlbBatch& batch) {
    const u64 bytes = page_bytes(size);
    JVMOS_ASSERT(is_canonical(va));
    JVMOS_ASSERT(is_aligned(va, bytes) && is_aligned(gpa, bytes));
    JVMOS_ASSERT_EQ(flags & PTE_ADDR_MASK, 0u);
    JVMOS_ASSERT(size == PageSize::Large2M || !(flags & PTE_HUGE)); // that bit is PAT there

    u64* pml4 = table(m_root);
    u64* pdpt = TRY(child_table(&pml4[index_of(va, LEVEL_PML4)], LEVEL_PML4, va, Create::yes));
    u64* pd = TRY(child_table(&pdpt[index_of(va, LEVEL_PDPT)], LEVEL_PDPT, va, Create::yes));
    u64* pde = &pd[index_of(va, LEVEL_PD)];
    u64 old = load(pde);

    if (size == PageSize::Large2M) {
        if (old != 0) {
            if (old & PTE_HUGE) return Errno::EEXIST;
            u64 pt_gpa = old & PTE_ADDR_MASK;
            if (!table_is_empty(table(pt_gpa))) return Errno::EEXIST;
            // An empty table (left by unmap()) is replaced. The MMU may have cached the entry
            // that points to it, hence the invalidation and the deferred free.
            store(pde, gpa | flags | PTE_PRESENT | PTE_HUGE);
            batch.add(va, PageSize::Large2M);
            batch.defer_table_free(pt_gpa, m_phys);
        } else {
            store(pde, gpa | flags | PTE_PRESENT | PTE_HUGE);
        }
        batch.note_new_mapping();
        return {};
    }

    if (old & PTE_HUGE) return Errno::EEXIST;
    u64* pt = TRY(child_table(pde, LEVEL_PD, va, Create::yes));
    u64* pte = &pt[index_of(va, LEVEL_PT)];
    if (load(pte) != 0) return Errno::EEXIST;
    store(pte, gpa | flags | PTE_PRESENT);
    batch.note_new_mapping();
    return {};
}

// Whether a TLB (or a shadow-paging host) may hold a translation made from leaf `v`. The MMU
// sets the accessed bit before it caches a translation, and a shadow-paging host sets it in our
// entry when it shadows it, so a present leaf that was never accessed needs no invalidation: on
// kvm_pvm each invalidation is a trap to the hypervisor, and most pages that are unmapped or
// re-protected were never touched.
static bool was_cached(u64 v) { return (v & PTE_PRESENT) && (v & PTE_ACCESSED); }

Lookup PageTable::lookup(u64 va) const {
    Lookup result;
    if (!is_canonical(va)) return result;
    u64* pde = find_pde(va);
    if (pde == nullptr) return result;
    u64 v = load(pde);
    if (v == 0) return result;
    if (v & PTE_HUGE) {
        result.present = (v & PTE_PRESENT) != 0;
        result.pte = v;
        result.size = PageSize::Large2M;
        result.gpa_of_va = (v & PTE_LARGE_ADDR_MASK) + (va & (LARGE_PAGE_SIZE - 1));
        return result;
    }
    v = load(&table(v & PTE_ADDR_MASK)[index_of(va, LEVEL_PT)]);
    if (v == 0) return result;
    result.present = (v & PTE_PRESENT) != 0;
    result.pte = v;
    result.size = PageSize::Small4K;
    result.gpa_of_va = (v & PTE_ADDR_MASK) + (va & (PAGE_SIZE - 1));
    return result;
}

Result<void> PageTable::split_large(u64* pde, u64 va, TlbBatch& batch) {
    const u64 old = load(pde);
    // Every entry of the new table is written below, so its old contents do not matter.
    const u64 pt_gpa = TRY(m_phys.alloc_frame_dirty());
    u64* pt = table(pt_gpa);
    u64 flags = old & ~(PTE_ADDR_MASK | PTE_HUGE); // PTE_ADDR_MASK covers the large PAT bit
    if (old & PTE_PAT_LARGE) flags |= PTE_HUGE;    // PAT moves from bit 12 to bit 7
    const u64 frame = old & PTE_LARGE_ADDR_MASK;
    for (usize i = 0; i < ENTRIES; ++i) pt[i] = (frame + i * PAGE_SIZE) | flags;
    // Same frames and attributes, so a CPU mixing old and new translations until the flush
    // sees the same memory (the condition the SDM sets for changing a page's size in place).
    store(pde, table_entry(pt_gpa, va));
    if (old & PTE_PRESENT) batch.add(va, PageSize::Large2M);
    return {};
}

Result<void> PageTable::split_if_straddled(u64 addr, TlbBatch& batch) {
    if (is_aligned(addr, LARGE_PAGE_SIZE)) return {};
    u64* pde = find_pde(addr);
    if (pde == nullptr) return {};
    u64 v = load(pde);
    if (v == 0 || !(v & PTE_HUGE)) return {};
    return split_large(pde, align_down(addr, LARGE_PAGE_SIZE), batch);
}

Result<u64> PageTable::unmap(u64 va, TlbBatch& batch) {
    JVMOS_ASSERT(is_canonical(va) && is_aligned(va, PAGE_SIZE));
    u64* pde = find_pde(va);
    if (pde == nullptr) return u64{0};
    u64 v = load(pde);
    if (v == 0) return u64{0};
    if (v & PTE_HUGE) {
        TRY(split_large(pde, align_down(va, LARGE_PAGE_SIZE), batch));
        v = load(pde);
    }
    u64* pte = &table(v & PTE_ADDR_MASK)[index_of(va, LEVEL_PT)];
    u64 old = load(pte);
    if (old == 0) return u64{0};
    store(pte, 0);
    if (was_cached(old)) batch.add(va, PageSize::Small4K);
    return old;
}

// Removes the leaves of [start, last] (inclusive, so that the top of the address space needs no
// overflow care) under `tbl`, a table at `level` whose entry 0 covers `base`. Returns whether an
// invalidation covering part of this range was added to the batch.
bool PageTable::unmap_in(u64* tbl, int level, u64 base, u64 start, u64 last, TlbBatch& batch,
                         FrameSink& sink) {
    const u64 span = span_of(level);
    bool flushed = false;
    for (usize i = index_of(start, level); i <= index_of(last, level); ++i) {
        u64* entry = &tbl[i];
        const u64 v = load(entry);
        if (v == 0) continue;
        const u64 entry_va = canonical(base + i * span);
        const u64 entry_last = entry_va + span - 1;

        if (level == LEVEL_PT || (level == LEVEL_PD && (v & PTE_HUGE))) {
            const PageSize size = level == LEVEL_PT ? PageSize::Small4K : PageSize::Large2M;
            // Straddling 2 MiB pages were split by the caller.
            JVMOS_ASSERT(start <= entry_va && entry_last <= last);
            store(entry, 0);
            if (was_cached(v)) {
                batch.add(entry_va, size);
                flushed = true;
            }
            if (!(v & PTE_BORROWED))
                sink.release(v & (size == PageSize::Small4K ? PTE_ADDR_MASK : PTE_LARGE_ADDR_MASK),
                             size);
            continue;
        }

        const u64 child_gpa = v & PTE_ADDR_MASK;
        u64* child = table(child_gpa);
        bool child_flushed =
            unmap_in(child, level - 1, entry_va, start > entry_va ? start : entry_va,
                     last < entry_last ? last : entry_last, batch, sink);
        // A table is freed only when this unmap covers its whole span: unlinking it needs an
        // invalidation (a trap to the hypervisor on kvm_pvm), which a large unmap amortises but
        // a small one would pay on every mmap/munmap pair, re-creating the table each time.
        // TODO(mem): tables emptied piecemeal by small unmaps stay until a covering unmap.
        if (start <= entry_va && entry_last <= last && table_is_empty(child)) {
            set_entry(entry, level, entry_va, 0);
            // An invalidation of any address below the unlinked table drops the MMU's cached
            // pointers to it (paging-structure caches); add one if no leaf provided it.
            if (!child_flushed) batch.add(entry_va, PageSize::Small4K);
            batch.defer_table_free(child_gpa, m_phys);
            child_flushed = true;
        }
        flushed = flushed || child_flushed;
    }
    return flushed;
}

Result<void> PageTable::unmap_range(u64 start, u64 end, TlbBatch& batch, FrameSink& sink) {
    JVMOS_ASSERT(is_aligned(start, PAGE_SIZE) && is_aligned(end, PAGE_SIZE) && start <= end);
    if (start == end) return {};
    const u64 last = end - 1;
    JVMOS_ASSERT(is_canonical(start) && is_canonical(last));
    JVMOS_ASSERT_EQ(is_user_half(start), is_user_half(last));
    // Splitting first keeps the failure atomic: a split changes no translation.
    TRY(split_if_straddled(start, batch));
    TRY(split_if_straddled(end, batch));
    unmap_in(table(m_root), LEVEL_PML4, 0, start, last, batch, sink);
    return {};
}

template <typename Fn>
void PageTable::for_each_leaf(u64* tbl, int level, u64 base, u64 start, u64 last, Fn& fn) const {
    const u64 span = span_of(level);
    for (usize i = index_of(start, level); i <= index_of(last, level); ++i) {
        u64* entry = &tbl[i];
        const u64 v = load(entry);
        if (v == 0) continue;
        const u64 entry_va = canonical(base + i * span);
        const u64 entry_last = entry_va + span - 1;
        if (level == LEVEL_PT || (level == LEVEL_PD && (v & PTE_HUGE))) {
            fn(entry_va, entry, level);
            continue;
        }
        for_each_leaf(table(v & PTE_ADDR_MASK), level - 1, entry_va,
                      start > entry_va ? start : entry_va, last < entry_last ? last : entry_last,
                      fn);
    }
}

Result<void> PageTable::protect_range(u64 start, u64 end, u64 set_bits, u64 clear_bits,
                                      TlbBatch& batch) {
    JVMOS_ASSERT_EQ((set_bits | clear_bits) & ~PTE_PROTECTION_MASK, 0u);
    JVMOS_ASSERT_EQ(set_bits & clear_bits, 0u);
    JVMOS_ASSERT(is_aligned(start, PAGE_SIZE) && is_aligned(end, PAGE_SIZE) && start <= end);
    if (start == end) return {};
    const u64 last = end - 1;
    JVMOS_ASSERT(is_canonical(start) && is_canonical(last));
    JVMOS_ASSERT_EQ(is_user_half(start), is_user_half(last));
    TRY(split_if_straddled(start, batch));
    TRY(split_if_straddled(end, batch));
    auto protect = [&](u64 entry_va, u64* entry, int level) {
        JVMOS_ASSERT(start <= entry_va && entry_va + span_of(level) - 1 <= last);
        const u64 v = load(entry);
        u64 nv = (v & ~clear_bits) | set_bits;
        if (v & (PTE_COW | PTE_FORK_COW)) nv &= ~PTE_WRITE; // a write must copy the page first
        if (nv == v) return;
        // A zero entry would read as empty and lose the frame.
        if (nv == 0)
            assertion_failed("protected entry stays non-zero", __FILE__, __LINE__, v, entry_va);
        store(entry, nv);
        // Only a change that takes a permission away needs an invalidation. A stale entry that
        // allows less than the new one only causes a fault that resolves itself: on hardware
        // the access re-walks the table (or our handler finds the entry already allows it), on
        // a shadow-paging host the host's fault handler re-reads our entry. Every invalidation
        // is a trap to the hypervisor (~28 us on kvm_pvm here).
        const bool removes =
            ((v & ~nv) & (PTE_PRESENT | PTE_WRITE | PTE_USER)) || ((nv & ~v) & PTE_NX);
        if (was_cached(v) && removes)
            batch.add(entry_va, level == LEVEL_PT ? PageSize::Small4K : PageSize::Large2M);
        else if (nv & PTE_PRESENT)
            batch.note_new_mapping();
    };
    for_each_leaf(table(m_root), LEVEL_PML4, 0, start, last, protect);
    return {};
}

Result<u64*> PageTable::make_pde(u64 va) {
    u64* pml4 = table(m_root);
    u64* pdpt = TRY(child_table(&pml4[index_of(va, LEVEL_PML4)], LEVEL_PML4, va, Create::yes));
    u64* pd = TRY(child_table(&pdpt[index_of(va, LEVEL_PDPT)], LEVEL_PDPT, va, Create::yes));
    return &pd[index_of(va, LEVEL_PD)];
}

namespace {
// The sink of an unmap that can only find empty tables.
class NoLeaves final : public FrameSink {
public:
    void release(u64 gpa, PageSize) override {
        assertion_failed("no leaf left in a moved range", __FILE__, __LINE__, gpa, 0);
    }
};
} // namespace

Result<void> PageTable::move_range(u64 from, u64 to, u64 len, TlbBatch& batch) {
    JVMOS_ASSERT(is_aligned(from, PAGE_SIZE) && is_aligned(to, PAGE_SIZE) &&
                 is_aligned(len, PAGE_SIZE));
    if (len == 0) return {};
    const u64 last = from + len - 1;
    JVMOS_ASSERT(is_user_half(from) && is_user_half(last) && is_user_half(to) &&
                 is_user_half(to + len - 1));
    JVMOS_ASSERT(to + len <= from || last < to);
    u64* root = table(m_root);
    TRY(split_if_straddled(from, batch));
    TRY(split_if_straddled(from + len, batch));
    // A 2 MiB page can only move whole to a 2 MiB-aligned destination.
    const bool whole_large = ((from ^ to) & (LARGE_PAGE_SIZE - 1)) == 0;
    Errno failure = Errno::none;
    if (!whole_large) {
        auto split = [&](u64 va, u64* entry, int level) {
            if (level == LEVEL_PD && failure == Errno::none) {
                Result<void> r = split_large(entry, va, batch);
                if (r.is_error()) failure = r.error();
            }
        };
        for_each_leaf(root, LEVEL_PML4, 0, from, last, split);
        if (failure != Errno::none) return failure;
    }
    // Every destination table first, so that the move itself cannot fail halfway.
    auto prepare = [&](u64 va, u64*, int level) {
        if (failure != Errno::none) return;
        const u64 dst = to + (va - from);
        if (level == LEVEL_PD) {
            Result<u64*> pde = make_pde(dst);
            if (pde.is_error()) {
                failure = pde.error();
                return;
            }
            const u64 old = load(pde.value());
            if (old && ((old & PTE_HUGE) || !table_is_empty(table(old & PTE_ADDR_MASK))))
                assertion_failed("move destination is empty", __FILE__, __LINE__, old, dst);
        } else if (leaf_slot(dst, Create::yes) == nullptr) {
            failure = Errno::ENOMEM;
        }
    };
    for_each_leaf(root, LEVEL_PML4, 0, from, last, prepare);
    if (failure != Errno::none) return failure;
    auto move = [&](u64 va, u64* entry, int level) {
        const u64 v = load(entry);
        const u64 dst = to + (va - from);
        // No TLB has translated the new address through this entry yet: it arrives with its
        // accessed bit clear, so that moving or unmapping it again before any access needs no
        // invalidation (each is a trap to the hypervisor on kvm_pvm).
        const u64 moved = v & ~PTE_ACCESSED;
        store(entry, 0);
        if (level == LEVEL_PD) {
            if (was_cached(v)) batch.add(va, PageSize::Large2M);
            u64* pde = find_pde(dst);
            const u64 old = load(pde);
            store(pde, moved);
            if (old) {
                // An empty table left by an earlier unmap: the MMU may cache the link to it.
                batch.add(dst, PageSize::Large2M);
                batch.defer_table_free(old & PTE_ADDR_MASK, m_phys);
            }
        } else {
            if (was_cached(v)) batch.add(va, PageSize::Small4K);
            u64* slot = leaf_slot(dst, Create::no);
            JVMOS_ASSERT(slot != nullptr && load(slot) == 0);
            store(slot, moved);
        }
        if (v & PTE_PRESENT) batch.note_new_mapping();
    };
    for_each_leaf(root, LEVEL_PML4, 0, from, last, move);
    // The source's tables, now empty, go as an unmap of the range would free them.
    NoLeaves no_leaves;
    unmap_in(root, LEVEL_PML4, 0, from, last, batch, no_leaves);
    return {};
}

usize PageTable::take_dirty(u64 start, u64 end, u64* vas, usize max, DirtyBits mode,
                            TlbBatch& batch) {
    JVMOS_ASSERT(is_aligned(start, PAGE_SIZE) && is_aligned(end, PAGE_SIZE) && start <= end);
    if (start == end || max == 0) return 0;
    JVMOS_ASSERT(is_user_half(start) && is_user_half(end - 1));
    usize n = 0;
    auto find = [&](u64 va, u64* entry, int level) {
        if (n == max || level != LEVEL_PT) return;
        if (!(load(entry) & PTE_DIRTY)) return;
        if (mode == DirtyBits::clear) {
            // Atomically: another vCPU's MMU may be setting the accessed bit meanwhile.
            __atomic_fetch_and(entry, ~PTE_DIRTY, __ATOMIC_ACQ_REL);
            batch.add(va, PageSize::Small4K);
        }
        vas[n++] = va;
    };
    for_each_leaf(table(m_root), LEVEL_PML4, 0, start, end - 1, find);
    return n;
}

Result<void> PageTable::fork_range(PageTable& child, u64 start, u64 end, ForkPages mode,
                                   TlbBatch& batch, FrameSharer& sharer) {
    JVMOS_ASSERT(is_aligned(start, PAGE_SIZE) && is_aligned(end, PAGE_SIZE) && start <= end);
    if (start == end) return {};
    JVMOS_ASSERT(is_user_half(start) && is_user_half(end - 1));
    Errno failure = Errno::none;
    auto copy = [&](u64 va, u64* entry, int level) {
        if (failure != Errno::none) return;
        const PageSize size = level == LEVEL_PT ? PageSize::Small4K : PageSize::Large2M;
        u64 v = load(entry);
        const bool owned = !(v & PTE_BORROWED);
        if (owned && mode == ForkPages::copy_on_write) {
            const u64 nv = (v & ~PTE_WRITE) | PTE_FORK_COW;
            if (nv != v) {
                store(entry, nv);
                if (was_cached(v) && (v & PTE_WRITE)) batch.add(va, size);
            }
            v = nv;
        }
        u64* slot;
        if (size == PageSize::Large2M) {
            Result<u64*> pde = child.make_pde(va);
            slot = pde.is_ok() ? pde.value() : nullptr;
        } else {
            slot = child.leaf_slot(va, Create::yes);
        }
        if (!slot) {
            failure = Errno::ENOMEM;
            return;
        }
        JVMOS_ASSERT_EQ(load(slot), 0u);
        // Never cached through the child's table yet: no invalidation owed when it changes.
        store(slot, v & ~PTE_ACCESSED);
        if (owned) sharer.share(v & (size == PageSize::Small4K ? PTE_ADDR_MASK : PTE_LARGE_ADDR_MASK),
                                size);
    };
    for_each_leaf(table(m_root), LEVEL_PML4, 0, start, end - 1, copy);
    if (failure != Errno::none) return failure;
    return {};
}

u64* PageTable::leaf_entry(u64 va) {
    u64* pde = find_pde(va);
    if (pde == nullptr) return nullptr;
    const u64 v = load(pde);
    if (v == 0) return nullptr;
    if (v & PTE_HUGE) return pde;
    u64* pte = &table(v & PTE_ADDR_MASK)[index_of(va, LEVEL_PT)];
    return load(pte) ? pte : nullptr;
}

Result<void> PageTable::split_large_page(u64 va, TlbBatch& batch) {
    u64* pde = find_pde(va);
    if (pde == nullptr || !(load(pde) & PTE_HUGE)) return {};
    return split_large(pde, align_down(va, LARGE_PAGE_SIZE), batch);
}

void PageTable::free_tables_below(u64 table_gpa, int level) {
    u64* tbl = table(table_gpa);
    for (usize i = 0; i < ENTRIES; ++i) {
        const u64 v = load(&tbl[i]);
        if (v == 0) continue;
        if (level == LEVEL_PT || (v & PTE_HUGE))
            assertion_failed("no leaf left when the tables go", __FILE__, __LINE__, v, i);
        if (level > LEVEL_PD) free_tables_below(v & PTE_ADDR_MASK, level - 1);
        else if (!table_is_empty(table(v & PTE_ADDR_MASK)))
            assertion_failed("no leaf left when the tables go", __FILE__, __LINE__, v, i);
        store(&tbl[i], 0);
        m_phys.free_frame(v & PTE_ADDR_MASK);
    }
}

void PageTable::free_user_tables() {
    u64* root = table(m_root);
    for (usize i = 0; i < ENTRIES / 2; ++i) {
        const u64 v = load(&root[i]);
        if (v == 0) continue;
        free_tables_below(v & PTE_ADDR_MASK, LEVEL_PDPT);
        set_entry(&root[i], LEVEL_PML4, canonical(i * span_of(LEVEL_PML4)), 0);
        m_phys.free_frame(v & PTE_ADDR_MASK);
    }
}

u64* PageTable::leaf_slot(u64 va, Create create) {
    JVMOS_ASSERT(is_canonical(va));
    u64* pml4 = table(m_root);
    auto pdpt = child_table(&pml4[index_of(va, LEVEL_PML4)], LEVEL_PML4, va, create);
    if (pdpt.is_error() || pdpt.value() == nullptr) return nullptr;
    auto pd = child_table(&pdpt.value()[index_of(va, LEVEL_PDPT)], LEVEL_PDPT, va, create);
    if (pd.is_error() || pd.value() == nullptr) return nullptr;
    u64* pde = &pd.value()[index_of(va, LEVEL_PD)];
    if (load(pde) & PTE_HUGE) return nullptr;
    auto pt = child_table(pde, LEVEL_PD, va, create);
    if (pt.is_error() || pt.value() == nullptr) return nullptr;
    return &pt.value()[index_of(va, LEVEL_PT)];
}

} // namespace jvmos::mm
