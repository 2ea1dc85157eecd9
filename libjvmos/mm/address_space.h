// The program's address space: its regions (RegionMap), the page table every thread shares
// (PageTable), demand faults, and the only way the kernel touches user memory (copy_from_user /
// copy_to_user walk the page table and reach the bytes through the physmap, so a bad user
// pointer is EFAULT and never a kernel fault). Kernel-only (uses arch/ for TLB flushes).
//
// Locking: every public method takes the address-space lock (MmLock), which guards the regions
// and the page table. The page-fault fast path (try_fault_fast) takes only that lock, not the
// kernel lock, so threads faulting in anonymous memory (a collector's heap) on several vCPUs
// never wait for the kernel lock, and wait for each other only for the few microseconds of a
// page-table update. Calls that block (a file's bytes read or written through FileBacking) run
// with the lock released; mappings removed meanwhile are re-checked afterwards.
#pragma once

#include "base/allocator.h"
#include "base/spinlock.h"
#include "jvmos/abi/abi.h"
#include "base/result.h"
#include "mm/frame_refs.h"
#include "mm/memory_object.h"
#include "mm/page_table.h"
#include "mm/phys.h"
#include "mm/regions.h"

namespace jvmos::mm {

enum class Access : u8 { Read, Write, Execute };

enum class FaultOutcome : u8 {
    Resolved,    // the page is mapped now
    NoMapping,   // no region: SIGSEGV with SEGV_MAPERR
    BadAccess,   // the region forbids this access: SIGSEGV with SEGV_ACCERR
    OutOfMemory, // no frame: SIGBUS, as Linux does for a failed anonymous fault
};

// Lowest address a program may map (Linux's default vm.mmap_min_addr).
inline constexpr u64 MMAP_MIN_ADDR = 0x10000;
// Where a static-PIE program is placed (Linux's ELF_ET_DYN_BASE without randomisation).
inline constexpr u64 PIE_BASE = 0x555555554000;

// Where file-backed regions get their bytes, and where shared writable ones write them back
// (implemented by the kernel's file layer, which ships the calls). `file_id` is what map_file()
// was given.
class FileBacking {
public:
    // Reads up to `len` bytes at `offset` into `dst`; returns the count (short at end of file).
    virtual Result<usize> read(u64 file_id, u64 offset, u8* dst, usize len) = 0;
    // Writes `len` bytes from `src` at `offset` (write-back of dirty shared pages).
    virtual Result<void> write(u64 file_id, u64 offset, const u8* src, usize len) = 0;
    // The file's size now (write-back stops at the end of the file, as Linux's does).
    virtual Result<u64> size(u64 file_id) = 0;
    // `pages` pages of mappings now read from the file (each holds a reference to it).
    virtual void pages_added(u64 file_id, u64 pages) = 0;
    // `pages` pages of the file's mappings were unmapped (for reference counting).
    virtual void pages_removed(u64 file_id, u64 pages) = 0;

protected:
    ~FileBacking() = default;
};

// A spinlock that the vCPU holding it may take again (public methods call each other:
// copy_from_user faults pages in). Taken with interrupts off, as all kernel code runs.
class MmLock {
public:
    void lock();
    void unlock();
    // Releases it whatever the depth, for a call that may block; returns the depth to give
    // back to reacquire().
    u32 release_all();
    void reacquire(u32 depth);
    // How many times the holder took it (only meaningful to the holder).
    u32 depth() const { return m_depth; }

private:
    Spinlock m_spin;
    volatile u32 m_owner = ~0u; // vCPU index of the holder
    u32 m_depth = 0;
};

// What the fast path resolved (for --stats).
struct FastFault {
    bool was_mapped; // a stale TLB entry: the page table already allowed the access
    bool large;      // a 2 MiB page was mapped
};

class AddressSpace {
public:
    AddressSpace(PhysMem& phys, Allocator& heap, u64 root_gpa, PageTableOptions options);
    AddressSpace(const AddressSpace&) = delete;
    AddressSpace& operator=(const AddressSpace&) = delete;

    // Sets the top of the mmap area (below the stack) and the initial program break.
    void set_layout(u64 mmap_top, u64 brk_start);
    u64 mmap_top() const { return m_mmap_top; }

    // mmap of anonymous memory with Linux semantics for addr/len/prot/flags (already validated
    // by the syscall layer: len page-aligned and non-zero, addr page-aligned if MAP_FIXED).
    // Returns the address. EEXIST for MAP_FIXED_NOREPLACE on an occupied range, ENOMEM if no
    // space. `kind` distinguishes the program image and stack from plain mmap.
    Result<u64> map_anonymous(u64 addr, u64 len, u32 prot, u32 flags,
                              RegionKind kind = RegionKind::Anonymous);
    // mmap of a file: like map_anonymous, but pages are read from `file_id` at `offset` when
    // first touched (fault-around window at a time), and the mapping holds page references on
    // the file (FileBacking::pages_added). MAP_PRIVATE: writes stay in memory. MAP_SHARED:
    // pages written by the program are written back to the file by sync(), unmap() and
    // sync_all(); a page keeps what the file held when it was first touched.
    Result<u64> map_file(u64 addr, u64 len, u32 prot, u32 flags, u64 file_id, u64 offset);
    void set_file_backing(FileBacking* backing) { m_files = backing; }
    // mmap of a memory object (a memfd) at byte `offset` (page-aligned). MAP_SHARED maps its
    // frames, so every shared mapping of a page sees the same bytes; MAP_PRIVATE maps them
    // read-only until the program writes a page, which then gets its own copy. Takes the
    // mapping's page references on the object. Access beyond the object's size is SIGBUS.
    Result<u64> map_object(u64 addr, u64 len, u32 prot, u32 flags, MemoryObject& object,
                           u64 offset);
    // Removes every mapping of the object's pages [first, end) from the page table (the TLB
    // is flushed on return), so that they can be freed or are read anew. Pages that a private
    // mapping copied on write go too with PrivateCopies::drop (truncate), stay with ::keep
    // (punching a hole), as on Linux.
    enum class PrivateCopies : u8 { keep, drop };
    void unmap_object_pages(MemoryObject& object, u64 first, u64 end, PrivateCopies copies);
    // Whether a MAP_SHARED mapping of the object allows writing (F_SEAL_WRITE's EBUSY check).
    bool object_mapped_writable(const MemoryObject& object) const;

    // munmap of [addr, addr + len): shared file pages written back, pages freed, TLB flushed.
    Result<void> unmap(u64 addr, u64 len);
    // mremap with Linux semantics (the syscall layer validated flags, alignment and lengths:
    // old_addr page-aligned, lengths page-aligned, new_len non-zero, new_addr page-aligned and
    // in range with MREMAP_FIXED). Pages move as page-table entries, never as copies. Returns
    // the new address: EFAULT if [old_addr, old_addr + old_len) is not inside one mapping,
    // ENOMEM if it cannot grow in place without MREMAP_MAYMOVE or no space is free, EINVAL if
    // the ranges overlap with MREMAP_FIXED.
    Result<u64> remap(u64 old_addr, u64 old_len, u64 new_len, u32 flags, u64 new_addr);
    // madvise(MADV_DONTNEED): drops the pages of [addr, addr + len) so that the next access
    // sees zeros (anonymous memory) or the file or memory object again (shared file pages are
    // written back first); the regions stay.
    Result<void> discard(u64 addr, u64 len);
    // msync: writes the dirty pages of the MAP_SHARED file mappings in [addr, addr + len) back
    // to their files. ENOMEM if part of the range is unmapped (the rest is written anyway);
    // the first write-back error otherwise (EIO...).
    Result<void> sync(u64 addr, u64 len);
    // Writes back every MAP_SHARED file mapping's dirty pages (process exit).
    void sync_all();
    // mincore: one byte per page, 1 if the page is mapped in. ENOMEM if part is unmapped.
    Result<void> residency(u64 addr, u64 len, u8* out);

    // mprotect; ENOMEM if part of the range is unmapped.
    Result<void> protect(u64 addr, u64 len, u32 prot);
    // brk(2): returns the new break, or the old one if `new_brk` cannot be honoured.
    u64 brk(u64 new_brk);
    u64 brk_start() const { return m_brk_start; }
    // Maps every page of [start, end) that its region allows (MAP_POPULATE, the stack).
    Result<void> populate(u64 start, u64 end);

    // A user access at `addr` missed the page table or lacked permission.
    FaultOutcome handle_fault(u64 addr, Access access);
    // The same, without the kernel lock: resolves faults in anonymous memory (zero-filled
    // pages, 2 MiB pages) and stale TLB entries. False when the fault needs the kernel (file
    // or memory-object pages, copy on write, no memory, or a signal): the caller then takes
    // the kernel lock and calls handle_fault().
    bool try_fault_fast(u64 addr, Access access, FastFault& out);

    // User memory, faulting pages in as the program's own access would. EFAULT on any byte
    // the program could not access that way.
    Result<void> copy_from_user(void* dst, u64 src, usize len);
    Result<void> copy_to_user(u64 dst, const void* src, usize len);
    // Checks (faulting pages in as the program's access would) that every byte of
    // [addr, addr + len) allows `access`: EFAULT otherwise.
    Result<void> check_user(u64 addr, usize len, Access access);
    // Writes into the program's pages regardless of their protection (loading file contents
    // into a new private mapping); EFAULT if a page has no region.
    Result<void> fill_user(u64 dst, const void* src, usize len);
    // Copies a NUL-terminated string of at most `max` bytes including the NUL; returns its
    // length. ENAMETOOLONG if no NUL within `max`.
    Result<usize> copy_string_from_user(char* dst, u64 src, usize max);

    // Reads user memory without faulting anything in (for diagnostics such as --strace): false
    // if any byte is not mapped readable right now.
    bool peek(u64 addr, void* dst, usize len) const;

    // fork(): gives `child` (a new, empty address space with its own root) a copy of every
    // region and page. MAP_SHARED pages (memory objects, shared file pages) are the same frames
    // in both; private pages become copy-on-write in both (PTE_FORK_COW, counted in `refs`,
    // which the child uses from now on too). ENOMEM (the child then holds part of the pages:
    // release_all() it).
    Result<void> fork_into(AddressSpace& child, FrameRefs& refs);
    // The process is going away: shared file pages written back, every mapping removed and
    // every page and table freed except the root. The page table must not be loaded on any vCPU
    // (and every vCPU that had it loaded must have loaded another root since): nothing is
    // invalidated. Only destruction may follow.
    void release_all();
    void set_frame_refs(FrameRefs* refs) { m_refs = refs; }

    // Performs the invalidations `batch` describes, frees its deferred tables, resets it.
    void flush(TlbBatch& batch);

    // For readers that hold the kernel lock (/proc, --stats): only kernel-lock holders change
    // the regions; the fault fast path only adds page-table entries, which a reader sees
    // whole or not at all.
    const RegionMap& regions() const { return m_regions; }
    PageTable& page_table() { return m_page_table; }

private:
    // Holds the address-space lock for a scope. The outermost guard, on release, also tells
    // the file layer about file pages unmapped meanwhile (that can block, so not under it).
    class Guard {
    public:
        explicit Guard(const AddressSpace& as) : m_as(const_cast<AddressSpace&>(as)) {
            m_as.m_lock.lock();
        }
        ~Guard() { m_as.unlock(); }
        Guard(const Guard&) = delete;
        Guard& operator=(const Guard&) = delete;

    private:
        AddressSpace& m_as;
    };
    // Releases the lock for a call that may block, and takes it back.
    class Unlocked {
    public:
        explicit Unlocked(AddressSpace& as) : m_as(as), m_depth(as.m_lock.release_all()) {}
        ~Unlocked() { m_as.m_lock.reacquire(m_depth); }
        Unlocked(const Unlocked&) = delete;
        Unlocked& operator=(const Unlocked&) = delete;

    private:
        AddressSpace& m_as;
        u32 m_depth;
    };
    class PagesRemoved; // the RemovedSink of region removals (address_space.cpp)
    void unlock();
    // FileBacking::pages_removed may block (the last reference closes the file): recorded
    // under the lock, told once it is released.
    void file_pages_removed(u64 file_id, u64 pages);
    FaultOutcome fault_anonymous(const Region& r, u64 addr, u64 page, u64 flags);

    // Physmap pointer to the byte at user address `addr` if the page is mapped with the
    // permission `access` needs (faulting it in if the program could); nullptr otherwise.
    u8* user_byte(u64 addr, Access access);
    template <typename Fn> Result<void> for_user_range(u64 addr, usize len, Access access, Fn fn);
    u64 pte_flags(u32 prot) const;

    Result<u64> map_region(u64 addr, u64 len, u32 prot, u32 flags, RegionKind kind, u64 file_id,
                           u64 file_offset);
    // A copy of the region: the read blocks, and the region array may change meanwhile.
    FaultOutcome fault_file(const Region r, u64 page, u64 flags);
    FaultOutcome fault_object(const Region& r, u64 page, Access access, u64 flags);
    // A write to a copy-on-write page of a private memory-object mapping: the page gets its
    // own frame.
    FaultOutcome break_cow(const Region& r, u64 page, const Lookup& l);
    // A write to a PTE_FORK_COW page: copied, or made writable if no other owner is left.
    FaultOutcome break_fork_cow(const Region& r, u64 page, const Lookup& l);
    FaultOutcome break_fork_cow_large(const Region& r, u64 page, const Lookup& l);
    // A mapping of [start, start + pages * 4 KiB) with the same backing now exists or went away:
    // counts its page references on the file or memory object behind it.
    void add_backing_refs(const Region& r, u64 pages);
    // remap(): moves the pages of [old_addr, old_addr + old_len) to new_addr and gives the new
    // mapping new_len bytes; the old range is unmapped, or kept empty (MREMAP_DONTUNMAP).
    enum class OldRange : u8 { unmap, keep };
    Result<u64> move_mapping(u64 old_addr, u64 old_len, u64 new_len, u64 new_addr, OldRange old);
    // Writes back the dirty pages of MAP_SHARED file mappings in [start, end). With
    // DirtyBits::clear the pages stay mapped and are clean afterwards; ::keep is for pages about
    // to be unmapped. ENOMEM if some page of the range has no region.
    Result<void> write_back(u64 start, u64 end, DirtyBits mode);
    Result<void> write_back_region(const Region& r, u64 start, u64 end, DirtyBits mode);

    mutable MmLock m_lock;
    struct Removal {
        u64 file_id;
        u64 pages;
    };
    Removal* m_removals = nullptr; // told when the lock is released (heap array)
    usize m_removal_count = 0;
    usize m_removal_capacity = 0;
    PhysMem& m_phys;
    Allocator& m_heap;
    FileBacking* m_files = nullptr;
    FrameRefs* m_refs = nullptr; // set once the program forked: frames may have other owners
    bool m_unloaded = false;     // release_all(): no TLB can hold a translation made through it
    RegionMap m_regions;
    PageTable m_page_table;
    u64 m_mmap_top = 0;
    u64 m_brk_start = 0;
    u64 m_brk = 0;
};

} // namespace jvmos::mm
