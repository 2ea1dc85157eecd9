// ELF64 parsing and validation (see elf.h). The input is untrusted: every read goes through
// memcpy from a range already checked against `size` (the image need not be aligned), and every
// sum is checked before it is formed.
#include "proc/elf.h"

#include "base/string.h"

namespace jvmos::proc {

namespace {

// Linux refuses program header tables larger than 64 KiB; so do we (it also bounds the loop).
constexpr u64 MAX_PHDR_TABLE_BYTES = 64 * KiB;

// True when [offset, offset + length) lies inside a file of `size` bytes (no overflow).
bool in_file(u64 offset, u64 length, usize size) {
    return offset <= size && length <= size - offset;
}

bool is_power_of_two(u64 v) { return v != 0 && (v & (v - 1)) == 0; }

u32 prot_from_flags(u32 p_flags) {
    u32 prot = 0;
    if (p_flags & ELF_PF_R) prot |= ELF_PROT_READ;
    if (p_flags & ELF_PF_W) prot |= ELF_PROT_WRITE;
    if (p_flags & ELF_PF_X) prot |= ELF_PROT_EXEC;
    return prot;
}

Result<void> add_load(ElfImage& image, const Elf64Phdr& ph, usize size) {
    if (image.load_count == JVMOS_ELF_MAX_LOADS) return Errno::ENOEXEC;
    if (ph.p_filesz > ph.p_memsz) return Errno::ENOEXEC;
    if (!in_file(ph.p_offset, ph.p_filesz, size)) return Errno::ENOEXEC;
    if (ph.p_align > 1 && (!is_power_of_two(ph.p_align) || ph.p_align < PAGE_SIZE))
        return Errno::ENOEXEC;
    // mmap needs file offset and address congruent modulo the page size (modular arithmetic
    // makes the subtraction safe).
    if (!is_aligned(ph.p_vaddr - ph.p_offset, PAGE_SIZE)) return Errno::ENOEXEC;
    // Ends at or below the user limit; also rules out vaddr + memsz overflowing.
    if (ph.p_vaddr >= JVMOS_ELF_USER_LIMIT || ph.p_memsz > JVMOS_ELF_USER_LIMIT - ph.p_vaddr)
        return Errno::ENOEXEC;

    // Each page belongs to one segment, so that each gets its own protection: a segment must
    // start on a page after the last page of the previous one (which also enforces ascending
    // order, as the gABI requires).
    if (image.load_count > 0) {
        const ElfLoad& prev = image.loads[image.load_count - 1];
        if (align_down(ph.p_vaddr, PAGE_SIZE) < align_up(prev.vaddr + prev.memsz, PAGE_SIZE))
            return Errno::ENOEXEC;
    }

    ElfLoad& load = image.loads[image.load_count++];
    load.vaddr = ph.p_vaddr;
    load.memsz = ph.p_memsz;
    load.offset = ph.p_offset;
    load.filesz = ph.p_filesz;
    load.prot = prot_from_flags(ph.p_flags);
    if (ph.p_align > image.max_align) image.max_align = ph.p_align;
    return {};
}

Result<void> set_interp(ElfImage& image, const Elf64Phdr& ph, const u8* data, usize size) {
    if (image.interp != nullptr) return Errno::ENOEXEC;
    if (!in_file(ph.p_offset, ph.p_filesz, size)) return Errno::ENOEXEC;
    // At least one character plus the NUL; at most PATH_MAX including the NUL.
    if (ph.p_filesz < 2 || ph.p_filesz > JVMOS_ELF_MAX_INTERP_LEN + 1) return Errno::ENOEXEC;
    const char* s = reinterpret_cast<const char*>(data + ph.p_offset);
    if (s[ph.p_filesz - 1] != '\0') return Errno::ENOEXEC;
    usize len = strnlen(s, ph.p_filesz);
    if (len == 0) return Errno::ENOEXEC;
    image.interp = s;
    image.interp_len = len;
    return {};
}

Result<void> set_tls(ElfImage& image, const Elf64Phdr& ph, usize size) {
    if (image.has_tls) return Errno::ENOEXEC;
    if (ph.p_filesz > ph.p_memsz) return Errno::ENOEXEC;
    if (!in_file(ph.p_offset, ph.p_filesz, size)) return Errno::ENOEXEC;
    if (ph.p_align > 1 && !is_power_of_two(ph.p_align)) return Errno::ENOEXEC;
    if (ph.p_vaddr >= JVMOS_ELF_USER_LIMIT || ph.p_memsz > JVMOS_ELF_USER_LIMIT - ph.p_vaddr)
        return Errno::ENOEXEC;
    image.has_tls = true;
    image.tls.vaddr = ph.p_vaddr;
    image.tls.memsz = ph.p_memsz;
    image.tls.filesz = ph.p_filesz;
    image.tls.align = ph.p_align;
    return {};
}

} // namespace

const char* ElfCheck::message() const {
    switch (error) {
    case ElfError::Ok: return "ok";
    case ElfError::NotElf: return "not an ELF file";
    case ElfError::WrongClass: return "not a 64-bit ELF file";
    case ElfError::WrongArch: return "wrong architecture";
    case ElfError::WrongType: return "not an executable or shared object";
    }
    return "unknown ELF error";
}

ElfCheck check_elf_header(const u8* data, usize size) {
    if (data == nullptr || size < ELF_EI_NIDENT) return {ElfError::NotElf};
    if (memcmp(data, ELF_MAGIC, sizeof(ELF_MAGIC)) != 0) return {ElfError::NotElf};
    // The class is decided before the length check: a 32-bit header is only 52 bytes long and
    // deserves "wrong class", not "not ELF".
    if (data[ELF_EI_CLASS] != ELF_CLASS64) return {ElfError::WrongClass};
    if (size < sizeof(Elf64Ehdr)) return {ElfError::NotElf};
    Elf64Ehdr eh;
    memcpy(&eh, data, sizeof(eh));
    // A big-endian x86-64 binary does not exist: byte order is part of the architecture.
    if (eh.e_ident[ELF_EI_DATA] != ELF_DATA2LSB) return {ElfError::WrongArch};
    if (eh.e_ident[ELF_EI_VERSION] != ELF_EV_CURRENT || eh.e_version != ELF_EV_CURRENT)
        return {ElfError::NotElf};
    if (eh.e_machine != ELF_EM_X86_64) return {ElfError::WrongArch};
    if (eh.e_type != ELF_ET_EXEC && eh.e_type != ELF_ET_DYN) return {ElfError::WrongType};
    return {ElfError::Ok};
}

Result<ElfImage> parse_elf(const u8* data, usize size) {
    if (!check_elf_header(data, size).ok()) return Errno::ENOEXEC;
    Elf64Ehdr eh;
    memcpy(&eh, data, sizeof(eh));

    if (eh.e_phentsize != sizeof(Elf64Phdr)) return Errno::ENOEXEC;
    // e_phnum == 0 has no PT_LOAD; PN_XNUM (0xffff, count kept in a section header) is far past
    // the table-size limit, so extended numbering is refused here too.
    u64 table_bytes = u64{eh.e_phnum} * sizeof(Elf64Phdr);
    if (eh.e_phnum == 0 || table_bytes > MAX_PHDR_TABLE_BYTES) return Errno::ENOEXEC;
    if (!in_file(eh.e_phoff, table_bytes, size)) return Errno::ENOEXEC;

    ElfImage image{};
    image.type = eh.e_type == ELF_ET_EXEC ? ElfType::Exec : ElfType::Dyn;
    image.entry = eh.e_entry;
    image.phdr_offset = eh.e_phoff;
    image.phnum = eh.e_phnum;
    image.phentsize = eh.e_phentsize;
    image.max_align = PAGE_SIZE;
    bool have_pt_phdr = false;

    for (u16 i = 0; i < eh.e_phnum; ++i) {
        Elf64Phdr ph;
        memcpy(&ph, data + eh.e_phoff + u64{i} * sizeof(Elf64Phdr), sizeof(ph));
        switch (ph.p_type) {
        case ELF_PT_LOAD: TRY(add_load(image, ph, size)); break;
        case ELF_PT_INTERP: TRY(set_interp(image, ph, data, size)); break;
        case ELF_PT_TLS: TRY(set_tls(image, ph, size)); break;
        case ELF_PT_PHDR:
            have_pt_phdr = true;
            image.phdr_vaddr = ph.p_vaddr;
            break;
        case ELF_PT_GNU_STACK: image.stack_exec = (ph.p_flags & ELF_PF_X) != 0; break;
        default: break; // PT_DYNAMIC, PT_NOTE, PT_GNU_RELRO, ...: the loader does not need them
        }
    }
    if (image.load_count == 0) return Errno::ENOEXEC;

    const ElfLoad& first = image.loads[0];
    const ElfLoad& last = image.loads[image.load_count - 1];
    image.min_vaddr = align_down(first.vaddr, PAGE_SIZE);
    image.max_vaddr = align_up(last.vaddr + last.memsz, PAGE_SIZE);

    if (!have_pt_phdr) {
        // Static binaries often lack PT_PHDR; the headers are then usually mapped as part of
        // the first segment.
        for (usize i = 0; i < image.load_count; ++i) {
            const ElfLoad& load = image.loads[i];
            if (load.offset <= eh.e_phoff && eh.e_phoff - load.offset <= load.filesz &&
                table_bytes <= load.filesz - (eh.e_phoff - load.offset)) {
                image.phdr_vaddr = load.vaddr + (eh.e_phoff - load.offset);
                break;
            }
        }
    }
    return image;
}

u64 choose_load_bias(const ElfImage& image, u64 base_for_pie) {
    if (image.type == ElfType::Exec) return 0;
    u64 alignment = image.max_align > PAGE_SIZE ? image.max_align : PAGE_SIZE;
    // Wrapping arithmetic is intended: a PIE linked above base_for_pie gets a "negative" bias.
    return align_up(base_for_pie - image.min_vaddr, alignment);
}

} // namespace jvmos::proc
