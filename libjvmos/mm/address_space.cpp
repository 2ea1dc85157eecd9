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

// Frames removed from the page table, freed once the TLB no longer holds them.
class DeferredFrees final : public FrameSink {
public:
    DeferredFrees(PhysMem& phys, TlbBatch& batch, AddressSpace& as)
        : m_phys(phys), m_batch(batch), m_as(as) {}
    void release(u64 gpa, PageSize size) override {
        if (m_count == CAPACITY) drain();
        m_frames[m_count++] = {gpa, size};
    }
    // Flushes the batch and frees every collected frame.
    void drain() {
        m_as.flush(m_batch);
        for (usize i = 0; i < m_count; i++) {
            if (m_frames[i].size == PageSize::Large2M)
                m_phys.free_contiguous(m_frames[i].gpa, LARGE_PAGE_SIZE / PAGE_SIZE);
            else
                m_phys.free_frame(m_frames[i].gpa);
        }
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
    Frame m_frames[CAPACITY];
    usize m_count = 0;
};

// Tells the file layer how many pages of each file's mappings went away.
class FilePagesRemoved final : public RemovedSink {
public:
    explicit FilePagesRemoved(FileBacking* files) : m_files(files) {}
    void removed(const Region& piece) override {
        if (piece.kind == RegionKind::File && m_files)
            m_files->pages_removed(piece.file_id, piece.size() / PAGE_SIZE);
    }

private:
    FileBacking* m_files;
};

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
    // A full flush is costly on shadow-paging hosts (every later access refills its shadow
    // entry, ~4 us a page), so pages are invalidated one by one whenever the batch allows. One
    // invalidation of any address in a 2 MiB range drops every TLB entry of a 2 MiB page there
    // and, by the architecture, every paging-structure-cache entry: enough for split pages and
    // for page tables the batch defers freeing.
    const arch::BackendOps& b = arch::backend();
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
    return map_region(addr, len, prot, flags, RegionKind::File, file_id, offset);
}

Result<u64> AddressSpace::map_anonymous(u64 addr, u64 len, u32 prot, u32 flags, RegionKind kind) {
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
                       LINUX_MAP_NORESERVE | LINUX_MAP_STACK | LINUX_MAP_GROWSDOWN);
    r.kind = kind;
    r.file_id = file_id;
    r.file_offset = file_offset;
    TRY(m_regions.insert(r));
    return start;
}


Result<void> AddressSpace::unmap(u64 addr, u64 len) {
    const u64 end = addr + len;
    TlbBatch batch;
    DeferredFrees frees(m_phys, batch, *this);
    Result<void> r = m_page_table.unmap_range(addr, end, batch, frees);
    frees.drain();
    if (r.is_error()) return r.error();
    FilePagesRemoved sink(m_files);
    return m_regions.remove_range(addr, end, sink);
}

Result<void> AddressSpace::discard(u64 addr, u64 len) {
    const u64 end = addr + len;
    // Every page of the range must belong to a region, as Linux requires (ENOMEM otherwise).
    for (u64 at = addr; at < end;) {
        const Region* r = m_regions.find(at);
        if (!r) return Errno::ENOMEM;
        at = r->end;
    }
    TlbBatch batch;
    DeferredFrees frees(m_phys, batch, *this);
    Result<void> r = m_page_table.unmap_range(addr, end, batch, frees);
    frees.drain();
    return r;
}

Result<void> AddressSpace::residency(u64 addr, u64 len, u8* out) {
    const u64 end = addr + len;
    for (u64 at = addr; at < end; at += PAGE_SIZE) {
        if (!m_regions.find(at)) return Errno::ENOMEM;
        const Lookup l = m_page_table.lookup(at);
        out[(at - addr) / PAGE_SIZE] = (l.pte & PTE_PRESENT) ? 1 : 0;
    }
    return {};
}

Result<void> AddressSpace::protect(u64 addr, u64 len, u32 prot) {
    prot &= LINUX_PROT_READ | LINUX_PROT_WRITE | LINUX_PROT_EXEC;
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
        return FaultOutcome::BadAccess;
    }
    const u64 flags = pte_flags(r->prot);
    if (r->kind == RegionKind::File) return fault_file(*r, page, flags);
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
    // The window: from the faulting page up to the end of its aligned 64 KiB block (clipped to
    // the region), stopping at the first page already mapped; one shipped read fills it.
    const u64 lo = page;
    u64 hi = align_down(page, FAULT_AROUND_BYTES) + FAULT_AROUND_BYTES;
    if (hi > r.end) hi = r.end;
    for (u64 va = page + PAGE_SIZE; va < hi; va += PAGE_SIZE)
        if (m_page_table.lookup(va).pte) {
            hi = va;
            break;
        }
    const usize len = usize(hi - lo);
    auto* buf = static_cast<u8*>(m_heap.allocate(FAULT_AROUND_BYTES, PAGE_SIZE));
    if (!buf || !m_files) {
        if (buf) m_heap.deallocate(buf, FAULT_AROUND_BYTES);
        return FaultOutcome::OutOfMemory;
    }
    Result<usize> got = m_files->read(r.file_id, r.file_offset + (lo - r.start), buf, len);
    if (got.is_error()) {
        m_heap.deallocate(buf, FAULT_AROUND_BYTES);
        return FaultOutcome::OutOfMemory; // an I/O error on a mapped file: SIGBUS, as Linux
    }
    if (got.value() < len) memset(buf + got.value(), 0, len - got.value()); // past end of file
    // The read may have blocked this thread: another thread may have faulted in (or the
    // program unmapped) some of these pages meanwhile. Re-check the region and each page.
    const Region* now = m_regions.find(page);
    if (!now || now->kind != RegionKind::File || now->file_id != r.file_id) {
        m_heap.deallocate(buf, FAULT_AROUND_BYTES);
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
    m_heap.deallocate(buf, FAULT_AROUND_BYTES);
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
    auto* out = static_cast<u8*>(dst);
    return for_user_range(src, len, Access::Read,
                          [&](u8* p, usize at, usize n) { memcpy(out + at, p, n); });
}

Result<void> AddressSpace::copy_to_user(u64 dst, const void* src, usize len) {
    auto* in = static_cast<const u8*>(src);
    return for_user_range(dst, len, Access::Write,
                          [&](u8* p, usize at, usize n) { memcpy(p, in + at, n); });
}

Result<void> AddressSpace::check_user(u64 addr, usize len, Access access) {
    if (addr + len < addr) return Errno::EFAULT;
    for (u64 page = align_down(addr, PAGE_SIZE); page < addr + len; page += PAGE_SIZE)
        if (!user_byte(page < addr ? addr : page, access)) return Errno::EFAULT;
    return {};
}

Result<void> AddressSpace::fill_user(u64 dst, const void* src, usize len) {
    // Mapped as a read would map the pages, then written through the physmap: the pages' own
    // protection does not apply to the kernel filling them.
    auto* in = static_cast<const u8*>(src);
    return for_user_range(dst, len, Access::Read,
                          [&](u8* p, usize at, usize n) { memcpy(p, in + at, n); });
}

bool AddressSpace::peek(u64 addr, void* dst, usize len) const {
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

} // namespace jvmos::mm
