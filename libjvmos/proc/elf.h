// ELF64 (x86-64) executables: the on-disk structures, and parsing plus validation of an image
// held in memory. The image is untrusted input (it comes from the user's file system through the
// shipper), so every offset and size is checked, without overflow, before the loader uses it.
#pragma once

#include "base/result.h"
#include "base/types.h"

namespace jvmos::proc {

// ---- On-disk format (System V gABI, x86-64 psABI). Names keep the standard field names; the
// constants carry an ELF_ prefix so that they cannot collide with <elf.h> macros in host builds.

inline constexpr usize ELF_EI_NIDENT = 16;
inline constexpr usize ELF_EI_CLASS = 4;   // index of the class byte in e_ident
inline constexpr usize ELF_EI_DATA = 5;    // index of the byte-order byte
inline constexpr usize ELF_EI_VERSION = 6; // index of the ident version byte
inline constexpr u8 ELF_MAGIC[4] = {0x7f, 'E', 'L', 'F'};
inline constexpr u8 ELF_CLASS64 = 2;
inline constexpr u8 ELF_DATA2LSB = 1;
inline constexpr u32 ELF_EV_CURRENT = 1;
inline constexpr u16 ELF_ET_EXEC = 2;
inline constexpr u16 ELF_ET_DYN = 3;
inline constexpr u16 ELF_EM_X86_64 = 62;

inline constexpr u32 ELF_PT_LOAD = 1;
inline constexpr u32 ELF_PT_INTERP = 3;
inline constexpr u32 ELF_PT_PHDR = 6;
inline constexpr u32 ELF_PT_TLS = 7;
inline constexpr u32 ELF_PT_GNU_STACK = 0x6474e551;

inline constexpr u32 ELF_PF_X = 1;
inline constexpr u32 ELF_PF_W = 2;
inline constexpr u32 ELF_PF_R = 4;

// The file header, at offset 0.
struct Elf64Ehdr {
    u8 e_ident[ELF_EI_NIDENT];
    u16 e_type;
    u16 e_machine;
    u32 e_version;
    u64 e_entry;
    u64 e_phoff;
    u64 e_shoff;
    u32 e_flags;
    u16 e_ehsize;
    u16 e_phentsize;
    u16 e_phnum;
    u16 e_shentsize;
    u16 e_shnum;
    u16 e_shstrndx;
};
static_assert(sizeof(Elf64Ehdr) == 64);

// One program header (segment descriptor); e_phnum of them at e_phoff.
struct Elf64Phdr {
    u32 p_type;
    u32 p_flags;
    u64 p_offset;
    u64 p_vaddr;
    u64 p_paddr;
    u64 p_filesz;
    u64 p_memsz;
    u64 p_align;
};
static_assert(sizeof(Elf64Phdr) == 56);

// ---- Parsed image.

// At most this many PT_LOAD segments (real executables have 2 to 5); more is ENOEXEC.
inline constexpr usize JVMOS_ELF_MAX_LOADS = 16;
// Longest PT_INTERP path accepted (PATH_MAX - 1).
inline constexpr usize JVMOS_ELF_MAX_INTERP_LEN = 4095;
// Every segment must end at or below this user address (x86-64 4-level paging, lower half).
inline constexpr u64 JVMOS_ELF_USER_LIMIT = u64{1} << 47;

// Segment protections, in Linux's PROT_* encoding (what mmap/mprotect take).
inline constexpr u32 ELF_PROT_READ = 1;
inline constexpr u32 ELF_PROT_WRITE = 2;
inline constexpr u32 ELF_PROT_EXEC = 4;

enum class ElfType { Exec, Dyn };

// One PT_LOAD: file bytes [offset, offset + filesz) appear at [vaddr, vaddr + filesz), the rest
// up to memsz is zero (bss). Addresses are link-time; add the load bias for ET_DYN.
struct ElfLoad {
    u64 vaddr;
    u64 memsz;
    u64 offset;
    u64 filesz;
    u32 prot; // ELF_PROT_* bits
};

// PT_TLS: the initial TLS image (filesz bytes at vaddr, zero-filled to memsz).
struct ElfTls {
    u64 vaddr;
    u64 memsz;
    u64 filesz;
    u64 align;
};

// A validated executable. Pointers point into the data given to parse_elf(), which must outlive
// the ElfImage.
struct ElfImage {
    ElfType type;
    u64 entry;       // link-time entry point
    u64 phdr_offset; // e_phoff
    u16 phnum;
    u16 phentsize;
    // Link-time address of the program headers in memory (for AT_PHDR): PT_PHDR's p_vaddr, else
    // derived from the PT_LOAD whose file range contains them, else 0.
    u64 phdr_vaddr;
    ElfLoad loads[JVMOS_ELF_MAX_LOADS]; // sorted by vaddr, pages disjoint
    usize load_count;                   // >= 1
    const char* interp;                 // PT_INTERP path (NUL-terminated), or nullptr
    usize interp_len;                   // strlen(interp), 0 when none
    u64 min_vaddr;                      // first load's vaddr rounded down to a page
    u64 max_vaddr;                      // end of the last load rounded up to a page
    // PT_GNU_STACK asks for an executable stack. Without PT_GNU_STACK, x86-64 Linux gives a
    // non-executable stack, and so do we.
    bool stack_exec;
    bool has_tls;
    ElfTls tls; // valid when has_tls
    u64 max_align; // largest PT_LOAD p_align, at least PAGE_SIZE
};

// Why a header is not acceptable, so that exec can say "wrong architecture" rather than only
// ENOEXEC.
enum class ElfError {
    Ok,
    NotElf,     // bad magic, truncated header, unknown version
    WrongClass, // not ELFCLASS64 (e.g. a 32-bit binary)
    WrongArch,  // not x86-64, or not little-endian
    WrongType,  // neither ET_EXEC nor ET_DYN (relocatable objects, core files)
};

struct ElfCheck {
    ElfError error;

    bool ok() const { return error == ElfError::Ok; }
    // A short human-readable reason ("not an ELF file", "wrong architecture", ...).
    const char* message() const;
};

// Checks only the file header (e_ident, e_type, e_machine, e_version); it reads at most the
// first 64 bytes and never past `size`.
ElfCheck check_elf_header(const u8* data, usize size);

// Parses and validates a whole executable image of `size` bytes. On success every load, the
// interpreter string and the program header table are known to lie inside [data, data + size)
// and all address arithmetic is known not to overflow. Any defect is Errno::ENOEXEC (use
// check_elf_header() for the reason when the header itself is at fault).
Result<ElfImage> parse_elf(const u8* data, usize size);

// The amount to add to the image's link-time addresses: 0 for ET_EXEC; for ET_DYN, the bias
// that places min_vaddr at base_for_pie rounded up to a multiple of max(PAGE_SIZE, max_align), so
// that every segment keeps its alignment. The caller checks that the biased range
// [min_vaddr + bias, max_vaddr + bias) fits where it wants it.
u64 choose_load_bias(const ElfImage& image, u64 base_for_pie);

} // namespace jvmos::proc
