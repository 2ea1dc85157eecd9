#include "mm/address_space.h"

#include "arch/x86_64/arch.h"
#include "base/assert.h"
#include "base/string.h"
#include "sched/smp.h"

namespace jvmos::mm {
namespace {

// Linux mmap flags the address space interprets.
constexpr u32 MAP_FIXED = 0x10;
constexpr u32 MAP_32BIT = 0x40;
constexpr u32 MAP_FIXED_NOREPLACE = 0x100000;

// Demand faults are expensive on shadow-paging hosts (~8 us each on kvm_pvm), so a fault in
// anonymous memory maps the whole aligned 64 KiB window around it (the pages the region allows
// that are still empty), as Linux's fault-around does for file pages.
constexpr u64 FAULT_AROUND_BYTES = 64 * KiB;
// File pages come through a shipped read, whose round trip costs far more than the bytes it
// carries, so a file fault reads a larger window (one ship slot's data buffer at most).
constexpr u64 FILE_FAULT_BYTES = 256 * KiB;
static_assert(FILE_FAULT_BYTES <= JVMOS_SHIP_SLOT_DATA);

// Frames removed from the page table, freed once the TLB no longer holds them.
class DeferredFrees final : public FrameSink {
public:
    DeferredFrees(PhysMem& phys, TlbBatch& batch, AddressSpace& as, FrameRefs* refs)
        : m_phys(phys), m_batch(batch), m_as(as), m_refs(refs) {}
    void release(u64 gpa, PageSize size) override {
        if (m_count == CAPACITY) drain();
        m_frames[m_count++] = {gpa, size};
    }
    // Flushes the batch and frees every collected frame.
    void drain() {
        m_as.flush(m_batch);
        // A frame fork() left shared only loses this owner.
        for (usize i = 0; i < m_count; i++)
            release_shared_page(m_phys, m_refs, m_frames[i].gpa,
                                m_frames[i].size == PageSize::Large2M);
        m_count = 0;
    }

private:
    static constexpr usize CAPACITY = 256;
    struct Frame {
        u64 gpa;
        PageSize size;
    };
    PhysMem& m_phys;
    TlbBatch& m_batch;
    AddressSpace& m_as;
    FrameRefs* m_refs;
    Frame m_frames[CAPACITY];
    usize m_count = 0;
};

// The sink of a removal whose pages hold no reference (a region inserted a moment ago).
class NothingRemoved final : public RemovedSink {
public:
    void removed(const Region&) override {}
};

// mremap flags.
constexpr u32 MREMAP_MAYMOVE = 1;
constexpr u32 MREMAP_FIXED = 2;
constexpr u32 MREMAP_DONTUNMAP = 4;

// Dirty pages written back per shipped write (the ship slot's data buffer is 256 KiB).
constexpr usize WRITE_BACK_PAGES = 64;

u64 pages_in(u64 bytes) { return (bytes + PAGE_SIZE - 1) / PAGE_SIZE; }

} // namespace

// Tells the file layer and the memory objects how many pages of their mappings went away.
class AddressSpace::PagesRemoved final : public RemovedSink {
public:
    explicit PagesRemoved(AddressSpace& as) : m_as(as) {}
    void removed(const Region& piece) override {
        if (piece.kind == RegionKind::File)
            m_as.file_pages_removed(piece.file_id, piece.size() / PAGE_SIZE);
        if (piece.kind == RegionKind::Shmem) {
            auto* object = reinterpret_cast<MemoryObject*>(piece.file_id);
            object->pages_unmapped(piece.size() / PAGE_SIZE);
        }
    }

private:
    AddressSpace& m_as;
};

void MmLock::lock() {
    const u32 me = arch::cpu_index();
    if (m_owner == me) {
        m_depth++;
        return;
    }
    m_spin.lock();
    m_owner = me;
    m_depth = 1;
}

void MmLock::unlock() {
    if (--m_depth) return;
    m_owner = ~0u;
    m_spin.unlock();
}

u32 MmLock::release_all() {
    const u32 depth = m_depth;
    m_depth = 1;
    unlock();
    return depth;
}

void MmLock::reacquire(u32 depth) {
    lock();
    m_depth = depth;
}

void AddressSpace::unlock() {
    if (m_lock.depth() > 1 || m_removal_count == 0) {
        m_lock.unlock();
        return;
    }
    // The outermost release: the file layer learns what was unmapped, without the lock.
    Removal* list = m_removals;
    const usize count = m_removal_count, capacity = m_removal_capacity;
    m_removals = nullptr;
    m_removal_count = m_removal_capacity = 0;
    m_lock.unlock();
    for (usize i = 0; i < count; i++) m_files->pages_removed(list[i].file_id, list[i].pages);
    m_heap.deallocate(list, capacity * sizeof(Removal));
}

void AddressSpace::file_pages_removed(u64 file_id, u64 pages) {
    if (!m_files) return;
    for (usize i = 0; i < m_removal_count; i++) {
        if (m_removals[i].file_id != file_id) continue;
        m_removals[i].pages += pages;
        return;
    }
    if (m_removal_count == m_removal_capacity) {
        const usize capacity = m_removal_capacity ? m_removal_capacity * 2 : 8;
        auto* grown = static_cast<Removal*>(m_heap.allocate(capacity * sizeof(Removal),
                                                            alignof(Removal)));
        if (!grown) {
            // No memory to defer it: the reference stays (the file stays open until exit).
            return;
        }
        if (m_removal_count) memcpy(grown, m_removals, m_removal_count * sizeof(Removal));
        if (m_removals) m_heap.deallocate(m_removals, m_removal_capacity * sizeof(Removal));
        m_removals = grown;
        m_removal_capacity = capacity;
    }
    m_removals[m_removal_count++] = {file_id, pages};
}

namespace {

bool prot_allows(u32 prot, Access access) {
    switch (access) {
    case Access::Read: return prot & (LINUX_PROT_READ | LINUX_PROT_WRITE | LINUX_PROT_EXEC);
    case Access::Write: return prot & LINUX_PROT_WRITE;
    case Access::Execute: return prot & LINUX_PROT_EXEC;
    }
    return false;
}

bool pte_allows(u64 pte, Access access) {
    if (!(pte & PTE_PRESENT)) return false;
    if (access == Access::Write) return pte & PTE_WRITE;
    if (access == Access::Execute) return !(pte & PTE_NX);
    return true;
}

} // namespace

AddressSpace::AddressSpace(PhysMem& phys, Allocator& heap, u64 root_gpa, PageTableOptions options)
    : m_phys(phys), m_heap(heap), m_regions(heap), m_page_table(phys, root_gpa, options) {}

void AddressSpace::set_layout(u64 mmap_top, u64 brk_start) {
    Guard guard(*this);
    m_mmap_top = mmap_top;
    m_brk_start = m_brk = brk_start;
}

u64 AddressSpace::pte_flags(u32 prot) const {
    if (!(prot & (LINUX_PROT_READ | LINUX_PROT_WRITE | LINUX_PROT_EXEC))) return 0;
    u64 f = PTE_PRESENT | PTE_USER;
    if (prot & LINUX_PROT_WRITE) f |= PTE_WRITE;
    if (!(prot & LINUX_PROT_EXEC)) f |= PTE_NX;
    return f;
}

void AddressSpace::flush(TlbBatch& batch) {
    Guard guard(*this);
    // A full flush is costly on shadow-paging hosts (every later access refills its shadow
    // entry, ~4 us a page), so pages are invalidated one by one whenever the batch allows. One
    // invalidation of any address in a 2 MiB range drops every TLB entry of a 2 MiB page there
    // and, by the architecture, every paging-structure-cache entry: enough for split pages and
    // for page tables the batch defers freeing.
    const arch::BackendOps& b = arch::backend();
    if (m_unloaded) {
        // No vCPU has this table loaded, and each one that had it loaded another root since
        // (which drops its translations): nothing to invalidate (release_all()).
        batch.release_tables(m_phys);
        batch.reset();
        return;
    }
    if (batch.full_flush()) {
        b.flush_tlb_all();
    } else {
        for (usize i = 0; i < batch.page_count(); i++) b.flush_tlb_page(batch.page_va(i));
    }
    // The other vCPUs share this page table: they drop their copies before the pages and
    // tables go back to the allocator.
    if (batch.full_flush() || batch.page_count()) smp::shootdown();
    batch.release_tables(m_phys);
    batch.reset();
}

Result<u64> AddressSpace::map_file(u64 addr, u64 len, u32 prot, u32 flags, u64 file_id,
                                   u64 offset) {
    Guard guard(*this);
    const u64 start = TRY(map_region(addr, len, prot, flags, RegionKind::File, file_id, offset));
    if (m_files) m_files->pages_added(file_id, len / PAGE_SIZE);
    return start;
}

Result<u64> AddressSpace::map_object(u64 addr, u64 len, u32 prot, u32 flags,
                                     MemoryObject& object, u64 offset) {
    Guard guard(*this);
    const u64 start = TRY(map_region(addr, len, prot, flags, RegionKind::Shmem,
                                     reinterpret_cast<u64>(&object), offset));
    object.pages_mapped(len / PAGE_SIZE);
    return start;
}

void AddressSpace::add_backing_refs(const Region& r, u64 pages) {
    if (r.kind == RegionKind::File && m_files) m_files->pages_added(r.file_id, pages);
    if (r.kind == RegionKind::Shmem)
        reinterpret_cast<MemoryObject*>(r.file_id)->pages_mapped(pages);
}

void AddressSpace::unmap_object_pages(MemoryObject& object, u64 first, u64 end,
                                      PrivateCopies copies) {
    Guard guard(*this);
    TlbBatch batch;
    DeferredFrees frees(m_phys, batch, *this, m_refs);
    const u64 id = reinterpret_cast<u64>(&object);
    for (usize i = 0; i < m_regions.count(); i++) {
        const Region& r = m_regions.at(i);
        if (r.kind != RegionKind::Shmem || r.file_id != id) continue;
        // The region maps object pages [r_first, r_first + pages).
        const u64 r_first = r.file_offset / PAGE_SIZE;
        const u64 lo = first > r_first ? first : r_first;
        const u64 hi_obj = r_first + r.size() / PAGE_SIZE;
        const u64 hi = end < hi_obj ? end : hi_obj;
        if (lo >= hi) continue;
        const u64 va_lo = r.start + (lo - r_first) * PAGE_SIZE;
        const u64 va_hi = r.start + (hi - r_first) * PAGE_SIZE;
        if ((r.flags & LINUX_MAP_SHARED) || copies == PrivateCopies::drop) {
            // Borrowed frames are not released; private copies are.
            if (m_page_table.unmap_range(va_lo, va_hi, batch, frees).is_ok()) continue;
            // No frame to split a 2 MiB page: fall through to the page-by-page removal.
        }
        for (u64 va = va_lo; va < va_hi; va += PAGE_SIZE) {
            const Lookup l = m_page_table.lookup(va);
            if (!l.pte) continue;
            if (!(l.pte & PTE_BORROWED) && copies == PrivateCopies::keep) continue;
            Result<u64> old = m_page_table.unmap(va, batch);
            if (old.is_ok() && old.value() && !(old.value() & PTE_BORROWED))
                frees.release(old.value() & PTE_ADDR_MASK, PageSize::Small4K);
        }
    }
    frees.drain();
}

bool AddressSpace::object_mapped_writable(const MemoryObject& object) const {
    Guard guard(*this);
    const u64 id = reinterpret_cast<u64>(&object);
    for (usize i = 0; i < m_regions.count(); i++) {
        const Region& r = m_regions.at(i);
        if (r.kind == RegionKind::Shmem && r.file_id == id && (r.flags & LINUX_MAP_SHARED) &&
            (r.prot & LINUX_PROT_WRITE))
            return true;
    }
    return false;
}

Result<u64> AddressSpace::map_anonymous(u64 addr, u64 len, u32 prot, u32 flags, RegionKind kind) {
    Guard guard(*this);
    return map_region(addr, len, prot, flags, kind, 0, 0);
}

Result<u64> AddressSpace::map_region(u64 addr, u64 len, u32 prot, u32 flags, RegionKind kind,
                                     u64 file_id, u64 file_offset) {
    if (len > JVMOS_USER_TOP) return Errno::ENOMEM;
    u64 start;
    if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
        if (addr < MMAP_MIN_ADDR || addr > JVMOS_USER_TOP - len) return Errno::ENOMEM;
        start = addr;
        if (!m_regions.is_free(start, start + len)) {
            if (flags & MAP_FIXED_NOREPLACE) return Errno::EEXIST;
            TRY(unmap(start, len));
        }
    } else if (flags & MAP_32BIT) {
        start = TRY(m_regions.find_free(len, 0, 0x40000000, 0x80000000));
    } else {
        u64 hint = align_down(addr, PAGE_SIZE);
        if (hint < MMAP_MIN_ADDR || hint > JVMOS_USER_TOP - len) hint = 0;
        start = TRY(m_regions.find_free(len, hint, MMAP_MIN_ADDR, m_mmap_top));
    }
    Region r{};
    r.start = start;
    r.end = start + len;
    r.prot = prot & (LINUX_PROT_READ | LINUX_PROT_WRITE | LINUX_PROT_EXEC);
    r.flags = flags & (LINUX_MAP_SHARED | LINUX_MAP_PRIVATE | LINUX_MAP_ANONYMOUS |
                       LINUX_MAP_NORESERVE | LINUX_MAP_STACK | LINUX_MAP_GROWSDOWN |
                       REGION_NO_WRITE);
    r.kind = kind;
    r.file_id = file_id;
    r.file_offset = file_offset;
    TRY(m_regions.insert(r));
    return start;
}


Result<void> AddressSpace::unmap(u64 addr, u64 len) {
    Guard guard(*this);
    const u64 end = addr + len;
    // What the program wrote to shared file pages reaches the file before the pages go (an
    // error there cannot be reported by munmap, as on Linux).
    (void)write_back(addr, end, DirtyBits::keep);
    TlbBatch batch;
    DeferredFrees frees(m_phys, batch, *this, m_refs);
    Result<void> r = m_page_table.unmap_range(addr, end, batch, frees);
    frees.drain();
    if (r.is_error()) return r.error();
    PagesRemoved sink(*this);
    return m_regions.remove_range(addr, end, sink);
}

Result<void> AddressSpace::discard(u64 addr, u64 len) {
    Guard guard(*this);
    const u64 end = addr + len;
    // Every page of the range must belong to a region, as Linux requires (ENOMEM otherwise).
    for (u64 at = addr; at < end;) {
        const Region* r = m_regions.find(at);
        if (!r) return Errno::ENOMEM;
        at = r->end;
    }
    (void)write_back(addr, end, DirtyBits::keep);
    TlbBatch batch;
    DeferredFrees frees(m_phys, batch, *this, m_refs);
    Result<void> r = m_page_table.unmap_range(addr, end, batch, frees);
    frees.drain();
    return r;
}

Result<void> AddressSpace::residency(u64 addr, u64 len, u8* out) {
    Guard guard(*this);
    const u64 end = addr + len;
    for (u64 at = addr; at < end; at += PAGE_SIZE) {
        if (!m_regions.find(at)) return Errno::ENOMEM;
        const Lookup l = m_page_table.lookup(at);
        out[(at - addr) / PAGE_SIZE] = (l.pte & PTE_PRESENT) ? 1 : 0;
    }
    return {};
}

Result<void> AddressSpace::protect(u64 addr, u64 len, u32 prot) {
    Guard guard(*this);
    prot &= LINUX_PROT_READ | LINUX_PROT_WRITE | LINUX_PROT_EXEC;
    if (prot & LINUX_PROT_WRITE) {
        // A shared mapping of a file not open for writing never becomes writable.
        for (usize i = m_regions.first_ending_after(addr);
             i < m_regions.count() && m_regions.at(i).start < addr + len; i++)
            if (m_regions.at(i).flags & REGION_NO_WRITE) return Errno::EACCES;
    }
    TRY(m_regions.protect_range(addr, addr + len, prot));
    const u64 flags = pte_flags(prot);
    TlbBatch batch;
    // PROT_NONE keeps the frames (non-present entries remember them) so that the contents
    // survive a later mprotect back to readable, as on Linux.
    const u64 set = flags ? flags : 0;
    const u64 clear = flags ? (PTE_PROTECTION_MASK & ~flags) : PTE_PRESENT;
    Result<void> r = m_page_table.protect_range(addr, addr + len, set & ~PTE_USER, clear, batch);
    flush(batch);
    return r;
}

u64 AddressSpace::brk(u64 new_brk) {
    Guard guard(*this);
    if (new_brk < m_brk_start) return m_brk;
    const u64 old_top = align_up(m_brk, PAGE_SIZE);
    const u64 new_top = align_up(new_brk, PAGE_SIZE);
    if (new_top > old_top) {
        if (new_top > m_mmap_top || !m_regions.is_free(old_top, new_top)) return m_brk;
        Region r{};
        r.start = old_top;
        r.end = new_top;
        r.prot = LINUX_PROT_READ | LINUX_PROT_WRITE;
        r.flags = LINUX_MAP_PRIVATE | LINUX_MAP_ANONYMOUS;
        r.kind = RegionKind::Brk;
        if (m_regions.insert(r).is_error()) return m_brk;
    } else if (new_top < old_top) {
        if (unmap(new_top, old_top - new_top).is_error()) return m_brk;
    }
    m_brk = new_brk;
    return m_brk;
}

Result<void> AddressSpace::populate(u64 start, u64 end) {
    Guard guard(*this);
    for (u64 va = align_down(start, PAGE_SIZE); va < end; va += PAGE_SIZE) {
        const Region* r = m_regions.find(va);
        if (!r || !prot_allows(r->prot, Access::Read)) continue;
        if (m_page_table.lookup(va).pte) continue;
        const FaultOutcome f = handle_fault(va, Access::Read);
        if (f == FaultOutcome::OutOfMemory) return Errno::ENOMEM;
    }
    return {};
}

FaultOutcome AddressSpace::handle_fault(u64 addr, Access access) {
    Guard guard(*this);
    const Region* r = m_regions.find(addr);
    if (!r) return FaultOutcome::NoMapping;
    if (!prot_allows(r->prot, access)) return FaultOutcome::BadAccess;
    const u64 page = align_down(addr, PAGE_SIZE);
    Lookup l = m_page_table.lookup(page);
    if (l.pte) {
        // Mapped with the right permission: another path already resolved it, or the TLB
        // held a stale entry. Drop the stale translation and retry.
        if (pte_allows(l.pte, access)) {
            arch::backend().flush_tlb_page(page);
            return FaultOutcome::Resolved;
        }
        if (access == Access::Write && (l.pte & PTE_COW) && l.present)
            return break_cow(*r, page, l);
        if (access == Access::Write && (l.pte & PTE_FORK_COW) && l.present)
            return break_fork_cow(*r, page, l);
        return FaultOutcome::BadAccess;
    }
    const u64 flags = pte_flags(r->prot);
    if (r->kind == RegionKind::File) return fault_file(*r, page, flags);
    if (r->kind == RegionKind::Shmem) return fault_object(*r, page, access, flags);
    return fault_anonymous(*r, addr, page, flags);
}

bool AddressSpace::try_fault_fast(u64 addr, Access access, FastFault& out) {
    // Only the address-space lock, taken directly: its Guard's release may call into the
    // file layer, which needs the kernel lock (and nothing here unmaps files).
    m_lock.lock();
    bool done = false;
    const Region* r = m_regions.find(addr);
    if (r && prot_allows(r->prot, access)) {
        const u64 page = align_down(addr, PAGE_SIZE);
        const Lookup l = m_page_table.lookup(page);
        if (l.pte) {
            // A stale TLB entry (the page table allows it): drop it. Anything else (copy on
            // write, a narrower protection) is the kernel's.
            if (pte_allows(l.pte, access)) {
                arch::backend().flush_tlb_page(page);
                out.was_mapped = true;
                done = true;
            }
        } else if (r->kind != RegionKind::File && r->kind != RegionKind::Shmem) {
            done = fault_anonymous(*r, addr, page, pte_flags(r->prot)) == FaultOutcome::Resolved;
            out.large = done && m_page_table.lookup(page).size == PageSize::Large2M;
        }
    }
    m_lock.unlock();
    return done;
}

FaultOutcome AddressSpace::fault_anonymous(const Region& region, u64 addr, u64 page, u64 flags) {
    const Region* r = &region;
    // A fault in an anonymous region that covers the whole aligned 2 MiB block around it, with
    // nothing mapped there yet, gets a 2 MiB page: one fault (and, on a shadow-paging host with
    // huge host pages, one shadow fill) instead of 512, as Linux's transparent huge pages do.
    // Partial munmap/mprotect later split it.
    const u64 block = align_down(addr, LARGE_PAGE_SIZE);
    if (r->kind == RegionKind::Anonymous && block >= r->start && block + LARGE_PAGE_SIZE <= r->end &&
        m_page_table.leaf_slot(block, Create::no) == nullptr && !m_page_table.lookup(block).pte) {
        Result<u64> frames = m_phys.alloc_contiguous(LARGE_PAGE_SIZE / PAGE_SIZE,
                                                     LARGE_PAGE_SIZE / PAGE_SIZE);
        if (frames.is_ok()) {
            TlbBatch batch;
            if (m_page_table.map(block, frames.value(), PageSize::Large2M, flags, batch).is_ok()) {
                batch.release_tables(m_phys);
                return FaultOutcome::Resolved;
            }
            batch.release_tables(m_phys);
            m_phys.free_contiguous(frames.value(), LARGE_PAGE_SIZE / PAGE_SIZE);
        }
    }
    u64 lo = align_down(page, FAULT_AROUND_BYTES);
    u64 hi = lo + FAULT_AROUND_BYTES;
    if (lo < r->start) lo = r->start;
    if (hi > r->end) hi = r->end;
    TlbBatch batch;
    for (u64 va = lo; va < hi; va += PAGE_SIZE) {
        if (va != page && m_page_table.lookup(va).pte) continue;
        Result<u64> frame = m_phys.alloc_frame();
        if (frame.is_error()) {
            if (va == page) {
                batch.release_tables(m_phys);
                return FaultOutcome::OutOfMemory;
            }
            continue;
        }
        Result<void> mapped = m_page_table.map(va, frame.value(), PageSize::Small4K, flags, batch);
        if (mapped.is_error()) {
            m_phys.free_frame(frame.value());
            if (va == page) {
                batch.release_tables(m_phys);
                return FaultOutcome::OutOfMemory;
            }
        }
    }
    batch.release_tables(m_phys);
    return FaultOutcome::Resolved;
}

FaultOutcome AddressSpace::fault_file(const Region r, u64 page, u64 flags) {
    // The window: the run of pages not mapped yet around the faulting one, within its aligned
    // FILE_FAULT_BYTES block (clipped to the region); one shipped read fills it. Each read costs
    // a round trip to the proxy whatever its size, and programs walk mapped files backwards
    // and forwards (ld.so's relocations, HotSpot's CDS archive), so the window reaches both
    // ways.
    const u64 block = align_down(page, FILE_FAULT_BYTES);
    u64 lo = page;
    const u64 floor = block > r.start ? block : r.start;
    while (lo > floor && !m_page_table.lookup(lo - PAGE_SIZE).pte) lo -= PAGE_SIZE;
    u64 hi = block + FILE_FAULT_BYTES;
    if (hi > r.end) hi = r.end;
    for (u64 va = page + PAGE_SIZE; va < hi; va += PAGE_SIZE)
        if (m_page_table.lookup(va).pte) {
            hi = va;
            break;
        }
    const usize len = usize(hi - lo);
    auto* buf = static_cast<u8*>(m_heap.allocate(FILE_FAULT_BYTES, PAGE_SIZE));
    if (!buf || !m_files) {
        if (buf) m_heap.deallocate(buf, FILE_FAULT_BYTES);
        return FaultOutcome::OutOfMemory;
    }
    Result<usize> got = [&] {
        Unlocked unlocked(*this);
        return m_files->read(r.file_id, r.file_offset + (lo - r.start), buf, len);
    }();
    if (got.is_error()) {
        m_heap.deallocate(buf, FILE_FAULT_BYTES);
        return FaultOutcome::OutOfMemory; // an I/O error on a mapped file: SIGBUS, as Linux
    }
    if (got.value() < len) memset(buf + got.value(), 0, len - got.value()); // past end of file
    // The read may have blocked this thread: another thread may have faulted in (or the
    // program unmapped) some of these pages meanwhile. Re-check the region and each page.
    const Region* now = m_regions.find(page);
    if (!now || now->kind != RegionKind::File || now->file_id != r.file_id) {
        m_heap.deallocate(buf, FILE_FAULT_BYTES);
        return now ? FaultOutcome::Resolved : FaultOutcome::NoMapping; // the access retries
    }
    TlbBatch batch;
    FaultOutcome outcome = FaultOutcome::Resolved;
    for (u64 va = lo; va < hi; va += PAGE_SIZE) {
        if (m_page_table.lookup(va).pte) continue;
        Result<u64> frame = m_phys.alloc_frame_dirty();
        if (frame.is_error()) {
            if (va == page) outcome = FaultOutcome::OutOfMemory;
            break;
        }
        memcpy(m_phys.to_virt(frame.value()), buf + (va - lo), PAGE_SIZE);
        if (m_page_table.map(va, frame.value(), PageSize::Small4K, flags, batch).is_error()) {
            m_phys.free_frame(frame.value());
            if (va == page) outcome = FaultOutcome::OutOfMemory;
            break;
        }
    }
    batch.release_tables(m_phys);
    m_heap.deallocate(buf, FILE_FAULT_BYTES);
    return outcome;
}

u8* AddressSpace::user_byte(u64 addr, Access access) {
    if (addr >= JVMOS_USER_TOP) return nullptr;
    Lookup l = m_page_table.lookup(addr);
    if (!pte_allows(l.pte, access)) {
        if (handle_fault(addr, access) != FaultOutcome::Resolved) return nullptr;
        l = m_page_table.lookup(addr);
        if (!pte_allows(l.pte, access)) return nullptr;
    }
    if (access == Access::Write && !(l.pte & PTE_DIRTY) && l.size == PageSize::Small4K) {
        // The kernel writes through the physmap, which leaves the page's dirty bit alone: set
        // it as the program's own store would, so that a shared file page gets written back.
        if (u64* slot = m_page_table.leaf_slot(align_down(addr, PAGE_SIZE), Create::no))
            __atomic_fetch_or(slot, PTE_DIRTY, __ATOMIC_RELAXED);
    }
    return static_cast<u8*>(m_phys.to_virt(l.gpa_of_va));
}

// Walks [addr, addr + len) page by page, giving `fn` the physmap pointer of each piece the
// program could access that way (faulting pages in as it would); EFAULT on the first that it
// could not.
template <typename Fn>
Result<void> AddressSpace::for_user_range(u64 addr, usize len, Access access, Fn fn) {
    if (addr + len < addr) return Errno::EFAULT;
    usize done = 0;
    while (done < len) {
        u8* p = user_byte(addr + done, access);
        if (!p) return Errno::EFAULT;
        usize chunk = PAGE_SIZE - ((addr + done) & (PAGE_SIZE - 1));
        if (chunk > len - done) chunk = len - done;
        fn(p, done, chunk);
        done += chunk;
    }
    return {};
}

Result<void> AddressSpace::copy_from_user(void* dst, u64 src, usize len) {
    Guard guard(*this);
    auto* out = static_cast<u8*>(dst);
    return for_user_range(src, len, Access::Read,
                          [&](u8* p, usize at, usize n) { memcpy(out + at, p, n); });
}

Result<void> AddressSpace::copy_to_user(u64 dst, const void* src, usize len) {
    Guard guard(*this);
    auto* in = static_cast<const u8*>(src);
    return for_user_range(dst, len, Access::Write,
                          [&](u8* p, usize at, usize n) { memcpy(p, in + at, n); });
}

Result<void> AddressSpace::check_user(u64 addr, usize len, Access access) {
    Guard guard(*this);
    if (addr + len < addr) return Errno::EFAULT;
    for (u64 page = align_down(addr, PAGE_SIZE); page < addr + len; page += PAGE_SIZE)
        if (!user_byte(page < addr ? addr : page, access)) return Errno::EFAULT;
    return {};
}

Result<void> AddressSpace::fill_user(u64 dst, const void* src, usize len) {
    Guard guard(*this);
    // Mapped as a read would map the pages, then written through the physmap: the pages' own
    // protection does not apply to the kernel filling them.
    auto* in = static_cast<const u8*>(src);
    return for_user_range(dst, len, Access::Read,
                          [&](u8* p, usize at, usize n) { memcpy(p, in + at, n); });
}

bool AddressSpace::peek(u64 addr, void* dst, usize len) const {
    Guard guard(*this);
    auto* out = static_cast<u8*>(dst);
    if (addr + len < addr || addr + len > JVMOS_USER_TOP) return false;
    while (len) {
        const Lookup l = m_page_table.lookup(addr);
        if (!pte_allows(l.pte, Access::Read)) return false;
        usize chunk = PAGE_SIZE - (addr & (PAGE_SIZE - 1));
        if (chunk > len) chunk = len;
        memcpy(out, m_phys.to_virt(l.gpa_of_va), chunk);
        out += chunk;
        addr += chunk;
        len -= chunk;
    }
    return true;
}

Result<usize> AddressSpace::copy_string_from_user(char* dst, u64 src, usize max) {
    Guard guard(*this);
    usize n = 0;
    while (n < max) {
        u8* p = user_byte(src + n, Access::Read);
        if (!p) return Errno::EFAULT;
        usize chunk = PAGE_SIZE - ((src + n) & (PAGE_SIZE - 1));
        if (chunk > max - n) chunk = max - n;
        for (usize i = 0; i < chunk; i++) {
            dst[n] = char(p[i]);
            if (!p[i]) return n;
            n++;
        }
    }
    return Errno::ENAMETOOLONG;
}

FaultOutcome AddressSpace::fault_object(const Region& r, u64 page, Access access, u64 flags) {
    auto& object = *reinterpret_cast<MemoryObject*>(r.file_id);
    const u64 object_pages = pages_in(object.size());
    const u64 index = (page - r.start + r.file_offset) / PAGE_SIZE;
    // Beyond the end of the object: SIGBUS, as Linux gives for a page past the end of a file.
    if (index >= object_pages) return FaultOutcome::OutOfMemory;
    const bool shared = r.flags & LINUX_MAP_SHARED;
    TlbBatch batch;
    if (!shared && access == Access::Write) {
        // A private mapping's first write to a page: the page gets its own frame at once.
        Result<u64> frame = m_phys.alloc_frame_dirty();
        if (frame.is_error()) return FaultOutcome::OutOfMemory;
        const u64 source = object.frame(index);
        if (source)
            memcpy(m_phys.to_virt(frame.value()), m_phys.to_virt(source), PAGE_SIZE);
        else
            memset(m_phys.to_virt(frame.value()), 0, PAGE_SIZE);
        if (m_page_table.map(page, frame.value(), PageSize::Small4K, flags, batch).is_error()) {
            batch.release_tables(m_phys);
            m_phys.free_frame(frame.value());
            return FaultOutcome::OutOfMemory;
        }
        batch.release_tables(m_phys);
        return FaultOutcome::Resolved;
    }
    // A shared mapping whose 2 MiB block lines up with a 2 MiB chunk of the object maps the
    // chunk with one 2 MiB page (ZGC's heap views: one fault per 2 MiB per view).
    const u64 block = align_down(page, LARGE_PAGE_SIZE);
    const u64 block_offset = block - r.start + r.file_offset;
    if (shared && block >= r.start && block + LARGE_PAGE_SIZE <= r.end &&
        is_aligned(block_offset, LARGE_PAGE_SIZE) &&
        block_offset / PAGE_SIZE + PAGES_PER_CHUNK <= object_pages &&
        m_page_table.leaf_slot(block, Create::no) == nullptr && !m_page_table.lookup(block).pte) {
        if (object.frame_alloc(index).is_ok()) {
            const u64 run = object.large_frame(block_offset / LARGE_PAGE_SIZE);
            if (run && m_page_table.map(block, run, PageSize::Large2M, flags | PTE_BORROWED, batch)
                           .is_ok()) {
                batch.release_tables(m_phys);
                return FaultOutcome::Resolved;
            }
        }
    }
    // Otherwise the 64 KiB window around the fault, as for anonymous memory. A private
    // mapping sees the object's frames read-only until it writes (copy on write).
    const u64 leaf_flags = shared ? flags | PTE_BORROWED
                                  : (flags & ~PTE_WRITE) | PTE_BORROWED | PTE_COW;
    u64 lo = align_down(page, FAULT_AROUND_BYTES);
    u64 hi = lo + FAULT_AROUND_BYTES;
    if (lo < r.start) lo = r.start;
    if (hi > r.end) hi = r.end;
    const u64 object_end_va = r.start + (object_pages * PAGE_SIZE - r.file_offset);
    if (hi > object_end_va) hi = object_end_va;
    FaultOutcome outcome = FaultOutcome::Resolved;
    for (u64 va = lo; va < hi; va += PAGE_SIZE) {
        if (m_page_table.lookup(va).pte) continue;
        Result<u64> frame = object.frame_alloc((va - r.start + r.file_offset) / PAGE_SIZE);
        if (frame.is_error() ||
            m_page_table.map(va, frame.value(), PageSize::Small4K, leaf_flags, batch).is_error()) {
            if (va == page) outcome = FaultOutcome::OutOfMemory;
            if (va >= page) break;
        }
    }
    batch.release_tables(m_phys);
    return outcome;
}

FaultOutcome AddressSpace::break_cow(const Region& r, u64 page, const Lookup& l) {
    if (!prot_allows(r.prot, Access::Write)) return FaultOutcome::BadAccess;
    Result<u64> frame = m_phys.alloc_frame_dirty();
    if (frame.is_error()) return FaultOutcome::OutOfMemory;
    memcpy(m_phys.to_virt(frame.value()), m_phys.to_virt(align_down(l.gpa_of_va, PAGE_SIZE)),
           PAGE_SIZE);
    TlbBatch batch;
    // The read-only translation may be cached: it goes before the private one comes. The old
    // frame belongs to the object (borrowed), so nothing is freed.
    if (m_page_table.unmap(page, batch).is_error()) {
        m_phys.free_frame(frame.value());
        flush(batch);
        return FaultOutcome::OutOfMemory;
    }
    flush(batch);
    if (m_page_table.map(page, frame.value(), PageSize::Small4K, pte_flags(r.prot), batch)
            .is_error()) {
        m_phys.free_frame(frame.value());
        batch.release_tables(m_phys);
        return FaultOutcome::OutOfMemory;
    }
    batch.release_tables(m_phys);
    return FaultOutcome::Resolved;
}

namespace {
// Counts the child's new owners of the parent's frames.
class ForkSharer final : public FrameSharer {
public:
    explicit ForkSharer(FrameRefs& refs) : m_refs(refs) {}
    void share(u64 gpa, PageSize size) override {
        const u64 n = page_bytes(size) / PAGE_SIZE;
        for (u64 k = 0; k < n; k++) m_refs.share(gpa + k * PAGE_SIZE);
    }

private:
    FrameRefs& m_refs;
};
} // namespace

Result<void> AddressSpace::fork_into(AddressSpace& child, FrameRefs& refs) {
    // The parent's other threads may fault on the fast path meanwhile: hold its lock (and the
    // child's, which nothing else can reach yet) while the pages become copy-on-write.
    Guard guard(*this);
    Guard child_guard(child);
    m_refs = &refs;
    child.m_refs = &refs;
    child.m_files = m_files;
    child.m_mmap_top = m_mmap_top;
    child.m_brk_start = m_brk_start;
    child.m_brk = m_brk;
    ForkSharer sharer(refs);
    TlbBatch batch;
    Errno failure = Errno::none;
    for (usize i = 0; i < m_regions.count() && failure == Errno::none; i++) {
        const Region r = m_regions.at(i);
        Result<void> in = child.m_regions.insert(r);
        if (in.is_error()) {
            failure = in.error();
            break;
        }
        child.add_backing_refs(r, r.size() / PAGE_SIZE);
        const ForkPages mode =
            (r.flags & LINUX_MAP_SHARED) ? ForkPages::share : ForkPages::copy_on_write;
        Result<void> pages =
            m_page_table.fork_range(child.m_page_table, r.start, r.end, mode, batch, sharer);
        if (pages.is_error()) failure = pages.error();
    }
    // The parent's writable translations of now-shared pages must go before it runs on.
    flush(batch);
    if (failure != Errno::none) return failure;
    return {};
}

void AddressSpace::release_all() {
    Guard guard(*this);
    m_unloaded = true;
    if (m_regions.count() > 0) {
        const u64 start = m_regions.at(0).start;
        const u64 end = m_regions.at(m_regions.count() - 1).end;
        (void)unmap(start, end - start);
    }
    m_page_table.free_user_tables();
}

FaultOutcome AddressSpace::break_fork_cow(const Region& r, u64 page, const Lookup& l) {
    if (!prot_allows(r.prot, Access::Write)) return FaultOutcome::BadAccess;
    if (l.size == PageSize::Large2M) return break_fork_cow_large(r, page, l);
    u64* slot = m_page_table.leaf_entry(page);
    if (!slot) return FaultOutcome::Resolved; // gone meanwhile: the access retries
    const u64 old = l.pte & PTE_ADDR_MASK;
    const u64 keep = l.pte & ~(PTE_ADDR_MASK | PTE_FORK_COW);
    if (!m_refs || !m_refs->shared(old)) {
        // The other owners let go: the page is this process's alone. Adding a permission needs
        // no invalidation.
        __atomic_store_n(slot, keep | old | PTE_WRITE, __ATOMIC_RELEASE);
        return FaultOutcome::Resolved;
    }
    Result<u64> frame = m_phys.alloc_frame_dirty();
    if (frame.is_error()) return FaultOutcome::OutOfMemory;
    memcpy(m_phys.to_virt(frame.value()), m_phys.to_virt(old), PAGE_SIZE);
    __atomic_store_n(slot, (keep & ~(PTE_ACCESSED | PTE_DIRTY)) | frame.value() | PTE_WRITE,
                     __ATOMIC_RELEASE);
    // The read-only translation of the old frame goes from every TLB before the other owner
    // may make that frame writable.
    TlbBatch batch;
    batch.add(page, PageSize::Small4K);
    flush(batch);
    if (!m_refs->drop(old)) m_phys.free_frame(old);
    return FaultOutcome::Resolved;
}

FaultOutcome AddressSpace::break_fork_cow_large(const Region& r, u64 page, const Lookup& l) {
    const u64 block = align_down(page, LARGE_PAGE_SIZE);
    u64* pde = m_page_table.leaf_entry(block);
    if (!pde) return FaultOutcome::Resolved;
    const u64 old = l.pte & PTE_LARGE_ADDR_MASK;
    const u64 keep = l.pte & ~(PTE_LARGE_ADDR_MASK | PTE_FORK_COW);
    if (!m_refs || !m_refs->any_shared(old, PAGES_PER_CHUNK)) {
        __atomic_store_n(pde, keep | old | PTE_WRITE, __ATOMIC_RELEASE);
        return FaultOutcome::Resolved;
    }
    TlbBatch batch;
    Result<u64> run = m_phys.alloc_contiguous(PAGES_PER_CHUNK, PAGES_PER_CHUNK);
    if (run.is_error()) {
        // No free 2 MiB run: the page becomes 512 small ones and only this one is copied.
        Result<void> split = m_page_table.split_large_page(block, batch);
        flush(batch);
        if (split.is_error()) return FaultOutcome::OutOfMemory;
        const Lookup small = m_page_table.lookup(page);
        return break_fork_cow(r, page, small);
    }
    (void)r;
    memcpy(m_phys.to_virt(run.value()), m_phys.to_virt(old), LARGE_PAGE_SIZE);
    __atomic_store_n(pde, (keep & ~(PTE_ACCESSED | PTE_DIRTY)) | run.value() | PTE_WRITE,
                     __ATOMIC_RELEASE);
    batch.add(block, PageSize::Large2M);
    flush(batch);
    release_shared_page(m_phys, m_refs, old, true);
    return FaultOutcome::Resolved;
}

Result<u64> AddressSpace::remap(u64 old_addr, u64 old_len, u64 new_len, u32 flags, u64 new_addr) {
    Guard guard(*this);
    if (flags & (MREMAP_FIXED | MREMAP_DONTUNMAP)) {
        // Linux's order: the overlap check, the destination unmapped, the old tail unmapped,
        // and only then the old range checked.
        if (old_addr + old_len > new_addr && new_addr + new_len > old_addr) return Errno::EINVAL;
        if (flags & MREMAP_FIXED) TRY(unmap(new_addr, new_len));
        if (old_len > new_len) {
            TRY(unmap(old_addr + new_len, old_len - new_len));
            old_len = new_len;
        }
    } else if (old_len >= new_len) {
        // Shrinking (or not changing) in place never moves, and needs no mapping at all.
        if (old_len > new_len) TRY(unmap(old_addr + new_len, old_len - new_len));
        return old_addr;
    }
    const Region* r = m_regions.find(old_addr);
    if (!r) return Errno::EFAULT;
    // A zero old_len duplicates a shared mapping (the same pages at a second address); a
    // private one cannot be duplicated.
    if (old_len == 0 && !(r->flags & LINUX_MAP_SHARED)) return Errno::EINVAL;
    if (old_addr + old_len > r->end) return Errno::EFAULT;
    if (!(flags & (MREMAP_FIXED | MREMAP_DONTUNMAP))) {
        // Growing: in place if the mapping ends there and the space after it is free.
        const u64 old_end = old_addr + old_len, new_end = old_addr + new_len;
        if (old_end == r->end && new_end <= m_mmap_top && new_end > old_end &&
            m_regions.is_free(old_end, new_end)) {
            Region grown = *r;
            grown.file_offset = r->file_offset + (old_end - r->start);
            grown.start = old_end;
            grown.end = new_end;
            TRY(m_regions.insert(grown));
            add_backing_refs(grown, (new_end - old_end) / PAGE_SIZE);
            return old_addr;
        }
        if (!(flags & MREMAP_MAYMOVE)) return Errno::ENOMEM;
    }
    if (!(flags & MREMAP_FIXED)) {
        // With MREMAP_DONTUNMAP new_addr is a hint, as mmap's address is.
        u64 hint = (flags & MREMAP_DONTUNMAP) ? new_addr : 0;
        if (hint < MMAP_MIN_ADDR || hint > JVMOS_USER_TOP - new_len) hint = 0;
        new_addr = TRY(m_regions.find_free(new_len, hint, MMAP_MIN_ADDR, m_mmap_top));
    }
    return move_mapping(old_addr, old_len, new_len, new_addr,
                        (flags & MREMAP_DONTUNMAP) ? OldRange::keep : OldRange::unmap);
}

Result<u64> AddressSpace::move_mapping(u64 old_addr, u64 old_len, u64 new_len, u64 new_addr,
                                       OldRange old) {
    const Region* r = m_regions.find(old_addr);
    JVMOS_ASSERT(r != nullptr);
    Region moved = *r;
    moved.file_offset = r->file_offset + (old_addr - r->start);
    moved.start = new_addr;
    moved.end = new_addr + new_len;
    TRY(m_regions.insert(moved));
    TlbBatch batch;
    Result<void> m = m_page_table.move_range(old_addr, new_addr, old_len, batch);
    flush(batch);
    if (m.is_error()) {
        NothingRemoved nothing;
        (void)m_regions.remove_range(moved.start, moved.end, nothing);
        return m.error();
    }
    add_backing_refs(moved, new_len / PAGE_SIZE);
    if (old == OldRange::unmap) {
        PagesRemoved sink(*this);
        // The pages are gone already; an array that cannot grow for a split leaves the old
        // range mapped but empty (it reads as new memory), which is all that can go wrong.
        (void)m_regions.remove_range(old_addr, old_addr + old_len, sink);
    }
    return new_addr;
}

Result<void> AddressSpace::sync(u64 addr, u64 len) {
    Guard guard(*this);
    return write_back(addr, addr + len, DirtyBits::clear);
}

void AddressSpace::sync_all() {
    Guard guard(*this);
    (void)write_back(0, JVMOS_USER_TOP, DirtyBits::keep);
}

Result<void> AddressSpace::write_back(u64 start, u64 end, DirtyBits mode) {
    Errno first_error = Errno::none;
    u64 at = start;
    while (at < end) {
        // Looked up afresh each time: a write-back blocks on the shipper, and other threads
        // may change the regions meanwhile.
        const usize i = m_regions.first_ending_after(at);
        if (i == m_regions.count() || m_regions.at(i).start >= end) {
            if (mode == DirtyBits::clear && first_error == Errno::none)
                first_error = Errno::ENOMEM; // msync: the tail of the range is unmapped
            break;
        }
        const Region r = m_regions.at(i);
        if (r.start > at && mode == DirtyBits::clear && first_error == Errno::none)
            first_error = Errno::ENOMEM; // a hole before this region
        const u64 lo = r.start > at ? r.start : at;
        const u64 hi = r.end < end ? r.end : end;
        if (r.kind == RegionKind::File && (r.flags & LINUX_MAP_SHARED)) {
            Result<void> w = write_back_region(r, lo, hi, mode);
            if (w.is_error() && first_error == Errno::none) first_error = w.error();
        }
        at = hi;
    }
    if (first_error != Errno::none) return first_error;
    return {};
}

Result<void> AddressSpace::write_back_region(const Region& r, u64 start, u64 end,
                                             DirtyBits mode) {
    if (!m_files) return {};
    u64 vas[WRITE_BACK_PAGES];
    TlbBatch batch;
    usize n = m_page_table.take_dirty(start, end, vas, WRITE_BACK_PAGES, mode, batch);
    flush(batch);
    if (n == 0) return {};
    // The file stays alive while this thread blocks even if another unmaps the region.
    m_files->pages_added(r.file_id, 1);
    // Whether `va` still maps the same file page as when the write-back started: a shipped
    // write blocks, and other threads may unmap or replace the mapping meanwhile.
    auto same_mapping = [&](u64 va) {
        const Region* now = m_regions.find(va);
        return now && now->kind == RegionKind::File && now->file_id == r.file_id &&
               (now->flags & LINUX_MAP_SHARED) &&
               now->file_offset + (va - now->start) == r.file_offset + (va - r.start);
    };
    auto* buf = static_cast<u8*>(m_heap.allocate(WRITE_BACK_PAGES * PAGE_SIZE, PAGE_SIZE));
    Result<u64> size = [&]() -> Result<u64> {
        if (!buf) return Errno::ENOMEM;
        Unlocked unlocked(*this);
        return m_files->size(r.file_id);
    }();
    Errno error = size.is_error() ? size.error() : Errno::none;
    while (n > 0 && error == Errno::none) {
        // Runs of consecutive dirty pages, one shipped write each, clipped at the end of the
        // file (the part of the last page beyond it is not written, as on Linux).
        for (usize i = 0; i < n && error == Errno::none;) {
            usize run = 1;
            while (i + run < n && vas[i + run] == vas[i] + run * PAGE_SIZE) run++;
            const u64 offset = r.file_offset + (vas[i] - r.start);
            usize len = 0;
            for (usize k = 0; k < run; k++) {
                const Lookup l = m_page_table.lookup(vas[i + k]);
                if (!l.pte || !same_mapping(vas[i + k])) break; // unmapped meanwhile
                memcpy(buf + k * PAGE_SIZE, m_phys.to_virt(l.gpa_of_va), PAGE_SIZE);
                len += PAGE_SIZE;
            }
            if (offset < size.value() && len > 0) {
                if (len > size.value() - offset) len = usize(size.value() - offset);
                Unlocked unlocked(*this);
                Result<void> w = m_files->write(r.file_id, offset, buf, len);
                if (w.is_error()) error = w.error();
            }
            i += run;
        }
        if (n < WRITE_BACK_PAGES) break;
        const u64 next = vas[n - 1] + PAGE_SIZE;
        if (next >= end || !same_mapping(next)) break;
        n = m_page_table.take_dirty(next, end, vas, WRITE_BACK_PAGES, mode, batch);
        flush(batch);
    }
    if (buf) m_heap.deallocate(buf, WRITE_BACK_PAGES * PAGE_SIZE);
    file_pages_removed(r.file_id, 1);
    if (error != Errno::none) return error;
    return {};
}

} // namespace jvmos::mm
