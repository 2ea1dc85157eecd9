#include "mm/memory_object.h"

#include <new>

#include "base/assert.h"
#include "base/string.h"

namespace jvmos::mm {

Result<MemoryObject*> MemoryObject::create(PhysMem& phys, Allocator& heap) {
    void* p = heap.allocate(sizeof(MemoryObject), alignof(MemoryObject));
    if (!p) return Errno::ENOMEM;
    return new (p) MemoryObject(phys, heap);
}

void MemoryObject::retain() { m_refs++; }

void MemoryObject::release() {
    JVMOS_ASSERT(m_refs > 0);
    if (--m_refs == 0) destroy();
}

void MemoryObject::pages_mapped(u64 pages) { m_refs += pages; }

void MemoryObject::pages_unmapped(u64 pages) {
    if (m_refs < pages)
        assertion_failed("unmapped pages were mapped", __FILE__, __LINE__, m_refs, pages);
    m_refs -= pages;
    if (m_refs == 0) destroy();
}

void MemoryObject::destroy() {
    free_pages(0, m_chunk_capacity * PAGES_PER_CHUNK);
    if (m_chunks) m_heap.deallocate(m_chunks, m_chunk_capacity * sizeof(Chunk));
    Allocator& heap = m_heap;
    this->~MemoryObject();
    heap.deallocate(this, sizeof(MemoryObject));
}

bool MemoryObject::chunk_inside(u64 chunk) const {
    return (chunk + 1) * PAGES_PER_CHUNK <= m_size / PAGE_SIZE;
}

Result<void> MemoryObject::reserve_chunks(u64 count) {
    if (count <= m_chunk_capacity) return {};
    u64 cap = m_chunk_capacity ? m_chunk_capacity : 16;
    while (cap < count) cap *= 2;
    auto* fresh = static_cast<Chunk*>(m_heap.allocate(cap * sizeof(Chunk), alignof(Chunk)));
    if (!fresh) return Errno::ENOMEM;
    memset(fresh, 0, cap * sizeof(Chunk));
    if (m_chunks) {
        memcpy(fresh, m_chunks, m_chunk_capacity * sizeof(Chunk));
        m_heap.deallocate(m_chunks, m_chunk_capacity * sizeof(Chunk));
    }
    m_chunks = fresh;
    m_chunk_capacity = cap;
    return {};
}

u64 MemoryObject::frame(u64 index) const {
    const u64 chunk = index / PAGES_PER_CHUNK;
    if (chunk >= m_chunk_capacity) return 0;
    const Chunk& c = m_chunks[chunk];
    if (c.large) return c.large + (index % PAGES_PER_CHUNK) * PAGE_SIZE;
    if (c.table) return table_of(c)[index % PAGES_PER_CHUNK];
    return 0;
}

u64 MemoryObject::large_frame(u64 chunk) const {
    return chunk < m_chunk_capacity ? m_chunks[chunk].large : 0;
}

Result<u64> MemoryObject::frame_alloc(u64 index) {
    if (const u64 f = frame(index)) return f;
    const u64 chunk = index / PAGES_PER_CHUNK;
    TRY(reserve_chunks(chunk + 1));
    Chunk& c = m_chunks[chunk];
    if (!c.table && chunk_inside(chunk)) {
        // An empty chunk wholly inside the object: one 2 MiB run, so that mappings can use a
        // 2 MiB page for it (one fault, one TLB entry, instead of 512).
        Result<u64> run = m_phys.alloc_contiguous(PAGES_PER_CHUNK, PAGES_PER_CHUNK);
        if (run.is_ok()) {
            c.large = run.value();
            m_resident += PAGES_PER_CHUNK;
            return c.large + (index % PAGES_PER_CHUNK) * PAGE_SIZE;
        }
    }
    if (!c.table) c.table = TRY(m_phys.alloc_frame());
    const u64 f = TRY(m_phys.alloc_frame());
    table_of(c)[index % PAGES_PER_CHUNK] = f;
    m_resident++;
    return f;
}

Result<void> MemoryObject::commit(u64 first, u64 end) {
    for (u64 i = first; i < end; i++) {
        const u64 chunk = i / PAGES_PER_CHUNK;
        if (chunk < m_chunk_capacity && m_chunks[chunk].large) {
            i = (chunk + 1) * PAGES_PER_CHUNK - 1; // the whole chunk is there
            continue;
        }
        TRY(frame_alloc(i));
    }
    return {};
}

Result<void> MemoryObject::split_chunk(Chunk& c) {
    const u64 table = TRY(m_phys.alloc_frame_dirty());
    auto* t = static_cast<u64*>(m_phys.to_virt(table));
    for (u64 i = 0; i < PAGES_PER_CHUNK; i++) t[i] = c.large + i * PAGE_SIZE;
    c.large = 0;
    c.table = table;
    return {};
}

void MemoryObject::free_pages(u64 first, u64 end) {
    const u64 cap_pages = m_chunk_capacity * PAGES_PER_CHUNK;
    if (end > cap_pages) end = cap_pages;
    for (u64 i = first; i < end;) {
        const u64 chunk = i / PAGES_PER_CHUNK;
        const u64 chunk_first = chunk * PAGES_PER_CHUNK;
        const u64 chunk_end = chunk_first + PAGES_PER_CHUNK;
        const u64 lo = i, hi = end < chunk_end ? end : chunk_end;
        i = hi;
        Chunk& c = m_chunks[chunk];
        if (c.large) {
            if (lo == chunk_first && hi == chunk_first + PAGES_PER_CHUNK) {
                m_phys.free_contiguous(c.large, PAGES_PER_CHUNK);
                c.large = 0;
                m_resident -= PAGES_PER_CHUNK;
                continue;
            }
            if (split_chunk(c).is_error()) {
                // No frame for the table: keep the run and zero the pages instead; they read
                // as a hole would.
                memset(m_phys.to_virt(c.large + (lo - chunk_first) * PAGE_SIZE), 0,
                       (hi - lo) * PAGE_SIZE);
                continue;
            }
        }
        if (!c.table) continue;
        u64* t = table_of(c);
        for (u64 k = lo; k < hi; k++) {
            u64& slot = t[k - chunk_first];
            if (!slot) continue;
            m_phys.free_frame(slot);
            slot = 0;
            m_resident--;
        }
        bool empty = true;
        for (u64 k = 0; k < PAGES_PER_CHUNK && empty; k++) empty = t[k] == 0;
        if (empty) {
            m_phys.free_frame(c.table);
            c.table = 0;
        }
    }
}

void MemoryObject::zero_bytes(u64 offset, u64 len) {
    while (len) {
        const u64 in_page = offset % PAGE_SIZE;
        const u64 n = PAGE_SIZE - in_page < len ? PAGE_SIZE - in_page : len;
        if (const u64 f = frame(offset / PAGE_SIZE))
            memset(static_cast<u8*>(m_phys.to_virt(f)) + in_page, 0, n);
        offset += n;
        len -= n;
    }
}

usize MemoryObject::read(u64 offset, u8* dst, usize len) const {
    if (offset >= m_size) return 0;
    if (len > m_size - offset) len = usize(m_size - offset);
    usize done = 0;
    while (done < len) {
        const u64 at = offset + done;
        const u64 in_page = at % PAGE_SIZE;
        const usize n = PAGE_SIZE - in_page < len - done ? usize(PAGE_SIZE - in_page) : len - done;
        if (const u64 f = frame(at / PAGE_SIZE))
            memcpy(dst + done, static_cast<u8*>(m_phys.to_virt(f)) + in_page, n);
        else
            memset(dst + done, 0, n);
        done += n;
    }
    return len;
}

Result<usize> MemoryObject::write(u64 offset, const u8* src, usize len) {
    usize done = 0;
    while (done < len) {
        const u64 at = offset + done;
        const u64 in_page = at % PAGE_SIZE;
        const usize n = PAGE_SIZE - in_page < len - done ? usize(PAGE_SIZE - in_page) : len - done;
        Result<u64> f = frame_alloc(at / PAGE_SIZE);
        if (f.is_error()) return done ? Result<usize>(done) : Result<usize>(f.error());
        memcpy(static_cast<u8*>(m_phys.to_virt(f.value())) + in_page, src + done, n);
        done += n;
    }
    return done;
}

} // namespace jvmos::mm
