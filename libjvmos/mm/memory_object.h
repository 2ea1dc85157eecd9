// A memory object: pages of guest frames addressed by page index and shared by every mapping of
// it — the contents of a memfd (kernel/memfd.h). Mappings alias its frames (ZGC maps its heap
// at three addresses), so a store through one view is seen through all of them.
//
// Pages are allocated when first written, faulted in or committed (fallocate). A 2 MiB-aligned
// run of the object that lies wholly below its size gets one 2 MiB run of contiguous frames (a
// "large chunk"), so that a mapping whose address and offset agree modulo 2 MiB maps it with one
// 2 MiB page; elsewhere, and when no 2 MiB run is free, pages are single 4 KiB frames.
//
// Lifetime: references are counted. Each holder (a memfd's open file) holds one, and each page
// of a mapping holds one (the address space reports mapped and unmapped pages, as it does for
// shipped files); the last reference frees every frame and the object.
//
// Locking: a MemoryObject is protected by its caller (the address-space lock; the memfd calls
// run under it too). Frames leave the object only through free_pages(), after the caller has
// removed every mapping of them and flushed the TLB.
#pragma once

#include "base/allocator.h"
#include "base/result.h"
#include "base/types.h"
#include "mm/phys.h"

namespace jvmos::mm {

// Pages of one 2 MiB chunk of an object (and of a 2 MiB page).
inline constexpr u64 PAGES_PER_CHUNK = LARGE_PAGE_SIZE / PAGE_SIZE;

class MemoryObject {
public:
    // A new, empty object (size 0) with one reference (the creator's). ENOMEM.
    static Result<MemoryObject*> create(PhysMem& phys, Allocator& heap);
    MemoryObject(const MemoryObject&) = delete;
    MemoryObject& operator=(const MemoryObject&) = delete;

    // Holder references.
    void retain();
    // Drops one reference; the last frees the frames and the object (do not touch it after).
    void release();
    // `pages` pages of mappings now name the object (each counts as a reference).
    void pages_mapped(u64 pages);
    // `pages` pages of mappings went away (dropping their references; may free the object).
    void pages_unmapped(u64 pages);
    u64 references() const { return m_refs; }

    // Bytes, as ftruncate or a write set them.
    u64 size() const { return m_size; }
    // Records a new size. Shrinking: the caller first removes the mappings of the pages beyond
    // it and frees them (free_pages), and zeroes the tail of the last partial page (zero_bytes).
    void set_size(u64 bytes) { m_size = bytes; }
    // Pages holding frames (st_blocks).
    u64 resident_pages() const { return m_resident; }

    // The frame of page `index`, 0 for a hole.
    u64 frame(u64 index) const;
    // The frame of page `index`, allocating a zeroed one for a hole. ENOMEM when no frame is
    // free. The page should lie below size() (a write that grows the object allocates first).
    Result<u64> frame_alloc(u64 index);
    // The first GPA of chunk `chunk` (pages [chunk * 512, chunk * 512 + 512)) if it is one
    // 2 MiB-aligned run of frames, else 0.
    u64 large_frame(u64 chunk) const;

    // Allocates a frame for every hole in pages [first, end) (fallocate mode 0). ENOMEM when
    // frames run out; the pages allocated until then stay (they read as zeros, as before).
    Result<void> commit(u64 first, u64 end);
    // Frees the frames of pages [first, end): they read as holes (zeros) afterwards. A large
    // chunk partly freed is split into 4 KiB frames; if that needs a frame that is not there,
    // the pages are zeroed instead of freed.
    void free_pages(u64 first, u64 end);
    // Zeroes bytes [offset, offset + len) of the object where frames hold them.
    void zero_bytes(u64 offset, u64 len);

    // Copies between the object's bytes at `offset` and kernel memory. read() gives zeros for
    // holes and stops at size(); write() allocates frames (it does not grow the size: the
    // caller does, first). Both return the byte count.
    usize read(u64 offset, u8* dst, usize len) const;
    Result<usize> write(u64 offset, const u8* src, usize len);

private:
    MemoryObject(PhysMem& phys, Allocator& heap) : m_phys(phys), m_heap(heap) {}
    ~MemoryObject() = default;

    // One 2 MiB chunk: either a large run (`large` != 0) or a table frame of 512 page GPAs
    // (`table` != 0; 0 entries are holes), or nothing yet.
    struct Chunk {
        u64 large;
        u64 table;
    };

    u64* table_of(const Chunk& c) const { return static_cast<u64*>(m_phys.to_virt(c.table)); }
    // Makes chunks [0, count) addressable. ENOMEM.
    Result<void> reserve_chunks(u64 count);
    // Whether chunk `chunk` lies wholly below size().
    bool chunk_inside(u64 chunk) const;
    // Turns a large chunk into a table of its 512 frames. ENOMEM.
    Result<void> split_chunk(Chunk& c);
    void destroy();

    PhysMem& m_phys;
    Allocator& m_heap;
    Chunk* m_chunks = nullptr;
    u64 m_chunk_capacity = 0;
    u64 m_size = 0;
    u64 m_resident = 0;
    u64 m_refs = 1;
};

} // namespace jvmos::mm
