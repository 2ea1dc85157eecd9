// The address space's list of mappings (Linux's VMAs): what each range of user addresses is,
// independent of whether its pages are present in the page table.
//
// Locking: a RegionMap is protected by its caller (the address space's lock).
#pragma once

#include "base/allocator.h"
#include "base/result.h"
#include "base/types.h"

namespace jvmos::mm {

// mmap's prot and flags bits, with Linux's values. Prefixed so that host code that also
// includes <sys/mman.h> does not collide with its macros.
inline constexpr u32 LINUX_PROT_READ = 0x1;
inline constexpr u32 LINUX_PROT_WRITE = 0x2;
inline constexpr u32 LINUX_PROT_EXEC = 0x4;
inline constexpr u32 LINUX_MAP_SHARED = 0x01;
inline constexpr u32 LINUX_MAP_PRIVATE = 0x02;
inline constexpr u32 LINUX_MAP_ANONYMOUS = 0x20;
inline constexpr u32 LINUX_MAP_GROWSDOWN = 0x100;
inline constexpr u32 LINUX_MAP_NORESERVE = 0x4000;
inline constexpr u32 LINUX_MAP_STACK = 0x20000;
// Not a Linux flag: a MAP_SHARED file mapping whose file is not open for writing, to which
// mprotect may not add PROT_WRITE (Linux's missing VM_MAYWRITE). Bit 31 is unused by mmap.
inline constexpr u32 REGION_NO_WRITE = 0x80000000;

// Shmem: the pages of a MemoryObject (a memfd); file_id is the MemoryObject*.
enum class RegionKind : u8 { Anonymous, File, Brk, Stack, Image, Shmem };

// One mapping: [start, end), page-aligned, start < end.
struct Region {
    u64 start;
    u64 end;
    u32 prot;  // LINUX_PROT_* bits
    u32 flags; // LINUX_MAP_* bits
    RegionKind kind;
    u64 file_offset; // offset in the file of `start`; carried but not interpreted if file_id == 0
    u64 file_id;     // opaque backing-object id, 0 for private anonymous memory

    u64 size() const { return end - start; }
};

// Receives the pieces remove_range() takes out (file_offset adjusted to each piece's start).
// It must not call back into the RegionMap.
class RemovedSink {
public:
    virtual void removed(const Region& piece) = 0;

protected:
    ~RemovedSink() = default;
};

// Sorted, non-overlapping regions in a growable array (binary search by address). Adjacent
// regions with the same prot, flags, kind and file_id (and, when file_id != 0, contiguous file
// offsets) are always merged into one, as Linux merges VMAs. Give each shared anonymous mapping
// a file_id of its own backing object, or it may merge with its neighbour.
class RegionMap {
public:
    explicit RegionMap(Allocator& allocator) : m_allocator(allocator) {}
    ~RegionMap();
    RegionMap(const RegionMap&) = delete;
    RegionMap& operator=(const RegionMap&) = delete;

    // Adds `region` (page-aligned, non-empty), merging it with compatible neighbours. EEXIST if
    // it overlaps a region, ENOMEM if the array cannot grow; the map is unchanged on error.
    Result<void> insert(const Region& region);

    // munmap: removes [start, end) (page-aligned), splitting regions it partly covers and
    // reporting each removed piece to `sink` in address order. Gaps are not an error. ENOMEM
    // only when a region must be split in two and the array cannot grow (nothing changed then).
    Result<void> remove_range(u64 start, u64 end, RemovedSink& sink);

    // mprotect: sets prot on [start, end) (page-aligned), splitting regions at the ends and
    // merging neighbours that became equal. ENOMEM, with nothing changed, if any byte of the
    // range is unmapped or the array cannot grow.
    Result<void> protect_range(u64 start, u64 end, u32 prot);

    // The region containing `addr`, or nullptr. Valid until the next change.
    const Region* find(u64 addr) const;

    // An address for a non-MAP_FIXED mmap of `length` bytes (page-aligned, > 0) inside
    // [low, high): `hint` (rounded down to a page) if it is non-zero and [hint, hint + length)
    // is free and inside the window, otherwise the top of the highest free gap below `high`
    // that fits (top-down, like Linux's mmap_base layout). ENOMEM if no gap fits.
    // TODO(perf): linear in the number of regions above the result; an augmented tree keeping
    // the largest gap per subtree would make it logarithmic.
    Result<u64> find_free(u64 length, u64 hint, u64 low, u64 high) const;

    // Whether no region intersects [start, end).
    bool is_free(u64 start, u64 end) const;

    // Sorted iteration: regions at(0) .. at(count() - 1), by address.
    usize count() const { return m_count; }
    const Region& at(usize i) const { return m_regions[i]; }
    // Index of the first region that ends above `addr` (count() if none): where iteration over
    // the regions intersecting a range starts.
    usize first_ending_after(u64 addr) const;

private:
    Result<void> reserve(usize capacity);
    void insert_at(usize index, const Region& region);
    void erase(usize first, usize end_index);
    // Splits region `index` at `addr` (strictly inside it) into two; capacity must be reserved.
    void split(usize index, u64 addr);
    // Merges compatible neighbours among regions [first, last].
    void merge_run(usize first, usize last);

    Allocator& m_allocator;
    Region* m_regions = nullptr;
    usize m_count = 0;
    usize m_capacity = 0;
};

} // namespace jvmos::mm
