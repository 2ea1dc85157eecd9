// The program's address space: its regions (RegionMap), the page table every thread shares
// (PageTable), demand faults, and the only way the kernel touches user memory (copy_from_user /
// copy_to_user walk the page table and reach the bytes through the physmap, so a bad user
// pointer is EFAULT and never a kernel fault). Kernel-only (uses arch/ for TLB flushes).
//
// Locking: single vCPU for now; the SMP scheduler adds the address-space lock here.
#pragma once

#include "base/allocator.h"
#include "jvmos/abi/abi.h"
#include "base/result.h"
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

// Where file-backed regions get their bytes (implemented by the kernel's file layer, which ships
// the reads). `file_id` is what map_file() was given.
class FileBacking {
public:
    // Reads up to `len` bytes at `offset` into `dst`; returns the count (short at end of file).
    virtual Result<usize> read(u64 file_id, u64 offset, u8* dst, usize len) = 0;
    // `pages` pages of the file's mappings were unmapped (for reference counting).
    virtual void pages_removed(u64 file_id, u64 pages) = 0;

protected:
    ~FileBacking() = default;
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
    // first touched (fault-around window at a time). Private semantics: writes stay in memory.
    Result<u64> map_file(u64 addr, u64 len, u32 prot, u32 flags, u64 file_id, u64 offset);
    void set_file_backing(FileBacking* backing) { m_files = backing; }

    // munmap of [addr, addr + len): pages freed, TLB flushed.
    Result<void> unmap(u64 addr, u64 len);
    // madvise(MADV_DONTNEED): drops the pages of [addr, addr + len) so that the next access
    // sees zeros (anonymous memory) or the file again; the regions stay.
    Result<void> discard(u64 addr, u64 len);
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

    // Performs the invalidations `batch` describes, frees its deferred tables, resets it.
    void flush(TlbBatch& batch);

    const RegionMap& regions() const { return m_regions; }
    PageTable& page_table() { return m_page_table; }

private:
    // Physmap pointer to the byte at user address `addr` if the page is mapped with the
    // permission `access` needs (faulting it in if the program could); nullptr otherwise.
    u8* user_byte(u64 addr, Access access);
    template <typename Fn> Result<void> for_user_range(u64 addr, usize len, Access access, Fn fn);
    u64 pte_flags(u32 prot) const;

    Result<u64> map_region(u64 addr, u64 len, u32 prot, u32 flags, RegionKind kind, u64 file_id,
                           u64 file_offset);
    // A copy of the region: the read blocks, and the region array may change meanwhile.
    FaultOutcome fault_file(const Region r, u64 page, u64 flags);

    PhysMem& m_phys;
    Allocator& m_heap;
    FileBacking* m_files = nullptr;
    RegionMap m_regions;
    PageTable m_page_table;
    u64 m_mmap_top = 0;
    u64 m_brk_start = 0;
    u64 m_brk = 0;
};

} // namespace jvmos::mm
