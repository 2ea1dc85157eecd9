// proc/elf: ELF64 parsing and validation. Synthetic images built in memory (valid ones and one
// defect at a time), then real binaries from the host (/bin/true) and built at test time with
// musl-gcc, cross-checked against an independent reading through the host's <elf.h>.
#include "proc/elf.h"

#include <gtest/gtest.h>

#include <elf.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <unistd.h>
#include <vector>

// libc's <errno.h> (pulled in by gtest) defines ENOEXEC as a macro, which would turn
// Errno::ENOEXEC into Errno::8.
#undef ENOEXEC

using jvmos::Errno;
using jvmos::u16;
using jvmos::u32;
using jvmos::u64;
using jvmos::u8;
using jvmos::usize;
using namespace jvmos::proc;

namespace {

constexpr u64 PAGE = 4096;
constexpr const char* GLIBC_INTERP = "/lib64/ld-linux-x86-64.so.2";

// A mutable in-memory ELF file: header at 0, program headers at 64.
class TestElf {
public:
    TestElf(u16 type, u64 entry, usize file_size) : m_bytes(file_size, 0) {
        Elf64Ehdr eh{};
        memcpy(eh.e_ident, ELF_MAGIC, 4);
        eh.e_ident[ELF_EI_CLASS] = ELF_CLASS64;
        eh.e_ident[ELF_EI_DATA] = ELF_DATA2LSB;
        eh.e_ident[ELF_EI_VERSION] = 1;
        eh.e_type = type;
        eh.e_machine = ELF_EM_X86_64;
        eh.e_version = ELF_EV_CURRENT;
        eh.e_entry = entry;
        eh.e_phoff = sizeof(Elf64Ehdr);
        eh.e_ehsize = sizeof(Elf64Ehdr);
        eh.e_phentsize = sizeof(Elf64Phdr);
        set_header(eh);
    }

    Elf64Ehdr header() const {
        Elf64Ehdr eh;
        memcpy(&eh, m_bytes.data(), sizeof(eh));
        return eh;
    }
    void set_header(const Elf64Ehdr& eh) { memcpy(m_bytes.data(), &eh, sizeof(eh)); }

    // Appends a program header (the table grows at e_phoff; tests keep it clear of contents).
    void add(u32 type, u32 flags, u64 offset, u64 vaddr, u64 filesz, u64 memsz, u64 align) {
        Elf64Ehdr eh = header();
        Elf64Phdr ph{type, flags, offset, vaddr, vaddr, filesz, memsz, align};
        memcpy(m_bytes.data() + eh.e_phoff + eh.e_phnum * sizeof(Elf64Phdr), &ph, sizeof(ph));
        eh.e_phnum++;
        set_header(eh);
    }
    Elf64Phdr phdr(usize i) const {
        Elf64Phdr ph;
        memcpy(&ph, m_bytes.data() + header().e_phoff + i * sizeof(Elf64Phdr), sizeof(ph));
        return ph;
    }
    void set_phdr(usize i, const Elf64Phdr& ph) {
        memcpy(m_bytes.data() + header().e_phoff + i * sizeof(Elf64Phdr), &ph, sizeof(ph));
    }
    void write(u64 offset, const void* data, usize n) { memcpy(m_bytes.data() + offset, data, n); }

    std::vector<u8>& bytes() { return m_bytes; }
    jvmos::Result<ElfImage> parse() const { return parse_elf(m_bytes.data(), m_bytes.size()); }
    ElfCheck check() const { return check_elf_header(m_bytes.data(), m_bytes.size()); }

private:
    std::vector<u8> m_bytes;
};

// Phdr indices of the synthetic images below.
constexpr usize STATIC_TEXT = 1;
constexpr usize STATIC_DATA = 2;
constexpr usize STATIC_TLS = 4;

// Like a small static non-PIE program: R, RX, RW(+bss) loads, GNU_STACK, TLS; no PT_PHDR.
TestElf make_static_exec() {
    TestElf elf(ELF_ET_EXEC, 0x401020, 0x2800);
    elf.add(ELF_PT_LOAD, ELF_PF_R, 0, 0x400000, 0x1000, 0x1000, 0x1000);
    elf.add(ELF_PT_LOAD, ELF_PF_R | ELF_PF_X, 0x1000, 0x401000, 0x1000, 0x1000, 0x1000);
    elf.add(ELF_PT_LOAD, ELF_PF_R | ELF_PF_W, 0x2000, 0x402000, 0x800, 0x3000, 0x1000);
    elf.add(ELF_PT_GNU_STACK, ELF_PF_R | ELF_PF_W, 0, 0, 0, 0, 16);
    elf.add(ELF_PT_TLS, ELF_PF_R, 0x2100, 0x402100, 0x10, 0x48, 8);
    return elf;
}

// Like a PIE: PT_PHDR first, loads from vaddr 0, a data segment whose offset and vaddr differ
// by a page (as ld lays out RELRO).
TestElf make_pie(bool with_interp) {
    TestElf elf(ELF_ET_DYN, 0x1040, 0x3000);
    usize phnum = with_interp ? 6 : 5;
    elf.add(ELF_PT_PHDR, ELF_PF_R, 64, 64, phnum * 56, phnum * 56, 8);
    if (with_interp) {
        elf.add(ELF_PT_INTERP, ELF_PF_R, 0x300, 0x300, strlen(GLIBC_INTERP) + 1,
                strlen(GLIBC_INTERP) + 1, 1);
        elf.write(0x300, GLIBC_INTERP, strlen(GLIBC_INTERP) + 1);
    }
    elf.add(ELF_PT_LOAD, ELF_PF_R, 0, 0, 0x800, 0x800, 0x1000);
    elf.add(ELF_PT_LOAD, ELF_PF_R | ELF_PF_X, 0x1000, 0x1000, 0x1000, 0x1000, 0x1000);
    elf.add(ELF_PT_LOAD, ELF_PF_R | ELF_PF_W, 0x2d70, 0x3d70, 0x290, 0x608, 0x1000);
    elf.add(ELF_PT_GNU_STACK, ELF_PF_R | ELF_PF_W | ELF_PF_X, 0, 0, 0, 0, 16);
    return elf;
}

void expect_enoexec(const TestElf& elf, const char* what) {
    auto r = elf.parse();
    ASSERT_TRUE(r.is_error()) << what;
    EXPECT_EQ(Errno::ENOEXEC, r.error()) << what;
}

TEST(Elf, ValidStaticExecutable) {
    TestElf elf = make_static_exec();
    EXPECT_TRUE(elf.check().ok());
    auto r = elf.parse();
    ASSERT_TRUE(r.is_ok());
    const ElfImage& img = r.value();
    EXPECT_EQ(ElfType::Exec, img.type);
    EXPECT_EQ(0x401020u, img.entry);
    EXPECT_EQ(64u, img.phdr_offset);
    EXPECT_EQ(5u, img.phnum);
    EXPECT_EQ(56u, img.phentsize);
    ASSERT_EQ(3u, img.load_count);
    EXPECT_EQ(0x400000u, img.loads[0].vaddr);
    EXPECT_EQ(ELF_PROT_READ, img.loads[0].prot);
    EXPECT_EQ(0x401000u, img.loads[1].vaddr);
    EXPECT_EQ(0x1000u, img.loads[1].offset);
    EXPECT_EQ(ELF_PROT_READ | ELF_PROT_EXEC, img.loads[1].prot);
    EXPECT_EQ(0x402000u, img.loads[2].vaddr);
    EXPECT_EQ(0x2000u, img.loads[2].offset);
    EXPECT_EQ(0x800u, img.loads[2].filesz);
    EXPECT_EQ(0x3000u, img.loads[2].memsz);
    EXPECT_EQ(ELF_PROT_READ | ELF_PROT_WRITE, img.loads[2].prot);
    EXPECT_EQ(nullptr, img.interp);
    EXPECT_EQ(0u, img.interp_len);
    EXPECT_EQ(0x400000u, img.min_vaddr);
    EXPECT_EQ(0x405000u, img.max_vaddr);
    EXPECT_FALSE(img.stack_exec);
    // No PT_PHDR: the table at offset 64 lies in the first load, mapped at 0x400000.
    EXPECT_EQ(0x400040u, img.phdr_vaddr);
    ASSERT_TRUE(img.has_tls);
    EXPECT_EQ(0x402100u, img.tls.vaddr);
    EXPECT_EQ(0x10u, img.tls.filesz);
    EXPECT_EQ(0x48u, img.tls.memsz);
    EXPECT_EQ(8u, img.tls.align);
    EXPECT_EQ(PAGE, img.max_align);
    EXPECT_EQ(0u, choose_load_bias(img, 0x555555554000));
}

TEST(Elf, ValidPie) {
    TestElf elf = make_pie(false);
    auto r = elf.parse();
    ASSERT_TRUE(r.is_ok());
    const ElfImage& img = r.value();
    EXPECT_EQ(ElfType::Dyn, img.type);
    EXPECT_EQ(0x1040u, img.entry);
    ASSERT_EQ(3u, img.load_count);
    EXPECT_EQ(0x3d70u, img.loads[2].vaddr);
    EXPECT_EQ(0x2d70u, img.loads[2].offset);
    EXPECT_EQ(0u, img.min_vaddr);
    EXPECT_EQ(0x5000u, img.max_vaddr);
    EXPECT_EQ(64u, img.phdr_vaddr);
    EXPECT_EQ(nullptr, img.interp);
    EXPECT_TRUE(img.stack_exec);
    EXPECT_FALSE(img.has_tls);
    EXPECT_EQ(0x555555554000u, choose_load_bias(img, 0x555555554000));
}

TEST(Elf, ValidPieWithInterp) {
    TestElf elf = make_pie(true);
    auto r = elf.parse();
    ASSERT_TRUE(r.is_ok());
    const ElfImage& img = r.value();
    ASSERT_NE(nullptr, img.interp);
    EXPECT_STREQ(GLIBC_INTERP, img.interp);
    EXPECT_EQ(strlen(GLIBC_INTERP), img.interp_len);
    // The string points into the caller's data, not a copy.
    EXPECT_EQ(reinterpret_cast<const char*>(elf.bytes().data() + 0x300), img.interp);
}

TEST(Elf, PhdrVaddrIsZeroWhenNotMapped) {
    TestElf elf = make_static_exec();
    // Move the table past every load's file bytes (the loads cover [0, 0x2800) except the
    // tail of the data segment, so grow the file).
    elf.bytes().resize(0x3000 + 5 * 56);
    Elf64Ehdr eh = elf.header();
    memcpy(elf.bytes().data() + 0x3000, elf.bytes().data() + 64, 5 * 56);
    eh.e_phoff = 0x3000;
    elf.set_header(eh);
    auto r = elf.parse();
    ASSERT_TRUE(r.is_ok());
    EXPECT_EQ(0u, r.value().phdr_vaddr);
}

TEST(Elf, LoadBiasRespectsAlignmentAndMinVaddr) {
    TestElf elf = make_pie(false);
    auto r = elf.parse();
    ASSERT_TRUE(r.is_ok());
    ElfImage img = r.value();
    // An unaligned base is rounded up to a page.
    EXPECT_EQ(0x7f0000002000u, choose_load_bias(img, 0x7f0000001001));
    // 2 MiB segment alignment: the bias is a multiple of it.
    img.max_align = 2 * 1024 * 1024;
    EXPECT_EQ(0x7f0000200000u, choose_load_bias(img, 0x7f0000001000));
    // A PIE linked at 0x10000: its first page lands at the base.
    img.max_align = PAGE;
    img.min_vaddr = 0x10000;
    u64 bias = choose_load_bias(img, 0x555555554000);
    EXPECT_EQ(0x555555554000u, img.min_vaddr + bias);
    // Linked at 0x10000 with 2 MiB alignment: the bias stays a multiple of 2 MiB, so the image
    // starts at the first 2 MiB-congruent address at or above the base.
    img.max_align = 2 * 1024 * 1024;
    bias = choose_load_bias(img, 0x7f0000000000);
    EXPECT_EQ(0x7f0000000000u, bias);
    EXPECT_EQ(0x7f0000010000u, img.min_vaddr + bias);
    img.max_align = PAGE;
    // Linked above the base: the (wrapping) bias still puts min_vaddr at the base.
    img.min_vaddr = 0x600000000000;
    bias = choose_load_bias(img, 0x100000);
    EXPECT_EQ(0x100000u, img.min_vaddr + bias);
}

TEST(Elf, MaxAlignIsRecorded) {
    TestElf elf = make_pie(false);
    Elf64Phdr ph = elf.phdr(2);
    ph.p_align = 0x200000;
    elf.set_phdr(2, ph);
    auto r = elf.parse();
    ASSERT_TRUE(r.is_ok());
    EXPECT_EQ(0x200000u, r.value().max_align);
    EXPECT_EQ(0x200000u, choose_load_bias(r.value(), 0x1000));
}

TEST(Elf, SixteenLoadsAcceptedSeventeenRejected) {
    for (usize count : {usize{16}, usize{17}}) {
        TestElf elf(ELF_ET_EXEC, 0x400000, 0x2000);
        for (usize i = 0; i < count; ++i)
            elf.add(ELF_PT_LOAD, ELF_PF_R, 0x1000, 0x400000 + i * 0x10000 + 0x1000, 0x100, 0x100,
                    0x1000);
        auto r = elf.parse();
        if (count == 16) {
            ASSERT_TRUE(r.is_ok());
            EXPECT_EQ(16u, r.value().load_count);
        } else {
            ASSERT_TRUE(r.is_error());
            EXPECT_EQ(Errno::ENOEXEC, r.error());
        }
    }
}

// ---- Header defects, with the reason check_elf_header() reports.

TEST(ElfHeader, TruncatedHeader) {
    TestElf elf = make_static_exec();
    for (usize size : {usize{0}, usize{3}, usize{15}, usize{16}, usize{63}}) {
        EXPECT_EQ(ElfError::NotElf, check_elf_header(elf.bytes().data(), size).error) << size;
        auto r = parse_elf(elf.bytes().data(), size);
        ASSERT_TRUE(r.is_error());
        EXPECT_EQ(Errno::ENOEXEC, r.error());
    }
    EXPECT_EQ(ElfError::NotElf, check_elf_header(nullptr, 0).error);
}

TEST(ElfHeader, NotElf) {
    TestElf elf = make_static_exec();
    elf.bytes()[1] = 'X';
    EXPECT_EQ(ElfError::NotElf, elf.check().error);
    EXPECT_STREQ("not an ELF file", elf.check().message());
    expect_enoexec(elf, "bad magic");

    const char script[] = "#!/bin/sh\necho hello world, this is longer than 64 bytes......\n";
    EXPECT_EQ(ElfError::NotElf,
              check_elf_header(reinterpret_cast<const u8*>(script), sizeof(script)).error);
}

TEST(ElfHeader, ThirtyTwoBitClass) {
    // A 52-byte ELFCLASS32 header: "wrong class", not "not ELF".
    u8 elf32[52] = {0x7f, 'E', 'L', 'F', 1 /* ELFCLASS32 */, 1, 1};
    EXPECT_EQ(ElfError::WrongClass, check_elf_header(elf32, sizeof(elf32)).error);
    auto r = parse_elf(elf32, sizeof(elf32));
    ASSERT_TRUE(r.is_error());
    EXPECT_EQ(Errno::ENOEXEC, r.error());

    TestElf elf = make_static_exec();
    elf.bytes()[ELF_EI_CLASS] = 1;
    EXPECT_EQ(ElfError::WrongClass, elf.check().error);
    expect_enoexec(elf, "32-bit class");
}

TEST(ElfHeader, WrongMachine) {
    TestElf elf = make_static_exec();
    Elf64Ehdr eh = elf.header();
    eh.e_machine = 183; // EM_AARCH64
    elf.set_header(eh);
    EXPECT_EQ(ElfError::WrongArch, elf.check().error);
    EXPECT_STREQ("wrong architecture", elf.check().message());
    expect_enoexec(elf, "aarch64");
}

TEST(ElfHeader, BigEndian) {
    TestElf elf = make_static_exec();
    elf.bytes()[ELF_EI_DATA] = 2;
    EXPECT_EQ(ElfError::WrongArch, elf.check().error);
    expect_enoexec(elf, "big endian");
}

TEST(ElfHeader, WrongVersion) {
    TestElf elf = make_static_exec();
    Elf64Ehdr eh = elf.header();
    eh.e_version = 2;
    elf.set_header(eh);
    EXPECT_EQ(ElfError::NotElf, elf.check().error);
    expect_enoexec(elf, "e_version");
    TestElf elf2 = make_static_exec();
    elf2.bytes()[ELF_EI_VERSION] = 0;
    EXPECT_EQ(ElfError::NotElf, elf2.check().error);
}

TEST(ElfHeader, WrongType) {
    for (u16 type : {u16{0}, u16{1} /* ET_REL */, u16{4} /* ET_CORE */}) {
        TestElf elf = make_static_exec();
        Elf64Ehdr eh = elf.header();
        eh.e_type = type;
        elf.set_header(eh);
        EXPECT_EQ(ElfError::WrongType, elf.check().error) << type;
        expect_enoexec(elf, "type");
    }
}

// ---- Program header table defects.

TEST(ElfPhdrs, WrongEntrySize) {
    TestElf elf = make_static_exec();
    Elf64Ehdr eh = elf.header();
    eh.e_phentsize = 64;
    elf.set_header(eh);
    EXPECT_TRUE(elf.check().ok());
    expect_enoexec(elf, "phentsize");
}

TEST(ElfPhdrs, NoProgramHeaders) {
    TestElf elf = make_static_exec();
    Elf64Ehdr eh = elf.header();
    eh.e_phnum = 0;
    elf.set_header(eh);
    expect_enoexec(elf, "phnum 0");
    eh.e_phnum = 0xffff; // PN_XNUM
    elf.set_header(eh);
    expect_enoexec(elf, "PN_XNUM");
}

TEST(ElfPhdrs, TableLimitedTo64KiB) {
    // 1170 headers (65520 bytes) are accepted, 1171 (65576 bytes) are not, even though the file
    // holds them: like Linux, the table is bounded.
    for (usize count : {usize{1170}, usize{1171}}) {
        TestElf elf(ELF_ET_EXEC, 0x401000, 0x11000);
        elf.add(ELF_PT_LOAD, ELF_PF_R | ELF_PF_X, 0x10000, 0x410000, 0x1000, 0x1000, 0x1000);
        for (usize i = 1; i < count; ++i) elf.add(0 /* PT_NULL */, 0, 0, 0, 0, 0, 0);
        auto r = elf.parse();
        if (count == 1170) {
            ASSERT_TRUE(r.is_ok());
            EXPECT_EQ(1170u, r.value().phnum);
        } else {
            ASSERT_TRUE(r.is_error());
            EXPECT_EQ(Errno::ENOEXEC, r.error());
        }
    }
}

TEST(ElfPhdrs, TableOutOfBounds) {
    TestElf elf = make_static_exec();
    Elf64Ehdr eh = elf.header();
    const Elf64Ehdr good = eh;
    eh.e_phoff = elf.bytes().size() - 56 * 5 + 1; // last header sticks out by one byte
    elf.set_header(eh);
    expect_enoexec(elf, "table past EOF");
    eh.e_phoff = elf.bytes().size() + 8;
    elf.set_header(eh);
    expect_enoexec(elf, "table offset past EOF");
    eh.e_phoff = UINT64_MAX - 100; // offset + size overflows
    elf.set_header(eh);
    expect_enoexec(elf, "table offset overflow");
    eh = good;
    eh.e_phnum = 200; // 200 headers from offset 64 do not fit in 0x2800 bytes
    elf.set_header(eh);
    expect_enoexec(elf, "phnum past EOF");
    // Only the exact end is fine: truncating the file by one byte breaks the last header.
    TestElf exact(ELF_ET_EXEC, 0x400000, 64 + 56);
    exact.add(ELF_PT_LOAD, ELF_PF_R, 0, 0x400000, 64, 0x1000, 0x1000);
    EXPECT_TRUE(exact.parse().is_ok());
    auto r = parse_elf(exact.bytes().data(), exact.bytes().size() - 1);
    ASSERT_TRUE(r.is_error());
    EXPECT_EQ(Errno::ENOEXEC, r.error());
}

TEST(ElfPhdrs, NoLoadSegment) {
    TestElf elf = make_static_exec();
    for (usize i = 0; i < 3; ++i) {
        Elf64Phdr ph = elf.phdr(i);
        ph.p_type = 4; // PT_NOTE
        elf.set_phdr(i, ph);
    }
    expect_enoexec(elf, "no PT_LOAD");
}

// ---- PT_LOAD defects: each one is a single change to the valid static image.

template <typename F>
void expect_load_change_rejected(usize index, F change, const char* what) {
    TestElf elf = make_static_exec();
    ASSERT_TRUE(elf.parse().is_ok());
    Elf64Phdr ph = elf.phdr(index);
    change(ph);
    elf.set_phdr(index, ph);
    expect_enoexec(elf, what);
}

TEST(ElfLoads, FileSizeAboveMemSize) {
    expect_load_change_rejected(STATIC_DATA, [](Elf64Phdr& ph) { ph.p_filesz = ph.p_memsz + 1; },
                                "filesz > memsz");
}

TEST(ElfLoads, FileRangePastEof) {
    // Data segment: offset 0x2000, file is 0x2800 bytes.
    expect_load_change_rejected(STATIC_DATA, [](Elf64Phdr& ph) { ph.p_filesz = 0x801; },
                                "offset + filesz past EOF by one");
    expect_load_change_rejected(STATIC_DATA,
                                [](Elf64Phdr& ph) {
                                    ph.p_offset = 0x3000;
                                    ph.p_vaddr = 0x403000;
                                    ph.p_filesz = 0;
                                },
                                "offset past EOF");
    expect_load_change_rejected(STATIC_DATA,
                                [](Elf64Phdr& ph) {
                                    // Page-congruent with vaddr, so only the overflow is wrong.
                                    ph.p_offset = 0xfffffffffffff000;
                                    ph.p_filesz = 0x2000;
                                    ph.p_memsz = 0x3000;
                                },
                                "offset + filesz overflows");
    // Exactly at EOF is fine.
    TestElf elf = make_static_exec();
    Elf64Phdr ph = elf.phdr(STATIC_DATA);
    ph.p_filesz = 0x800;
    elf.set_phdr(STATIC_DATA, ph);
    EXPECT_TRUE(elf.parse().is_ok());
}

TEST(ElfLoads, AddressOverflowAndUserLimit) {
    expect_load_change_rejected(STATIC_DATA,
                                [](Elf64Phdr& ph) {
                                    ph.p_vaddr = 0xfffffffffffff000;
                                    ph.p_offset = 0x2000;
                                    ph.p_memsz = 0x2000;
                                },
                                "vaddr + memsz overflows");
    expect_load_change_rejected(STATIC_DATA,
                                [](Elf64Phdr& ph) { ph.p_memsz = (u64{1} << 47) - 0x402000 + 1; },
                                "ends above 2^47");
    expect_load_change_rejected(STATIC_DATA, [](Elf64Phdr& ph) { ph.p_memsz = UINT64_MAX; },
                                "huge memsz");
    // Ending exactly at 2^47 is allowed.
    TestElf elf = make_static_exec();
    Elf64Phdr ph = elf.phdr(STATIC_DATA);
    ph.p_memsz = (u64{1} << 47) - 0x402000;
    elf.set_phdr(STATIC_DATA, ph);
    auto r = elf.parse();
    ASSERT_TRUE(r.is_ok());
    EXPECT_EQ(u64{1} << 47, r.value().max_vaddr);
}

TEST(ElfLoads, OverlappingOrUnsorted) {
    // Text starts in the last page of the first load.
    expect_load_change_rejected(STATIC_TEXT,
                                [](Elf64Phdr& ph) {
                                    ph.p_vaddr = 0x400800;
                                    ph.p_offset = 0x800;
                                },
                                "overlap by address");
    // Text shares a page with the first load's end without overlapping bytes: still refused,
    // the page could not have two protections.
    {
        TestElf elf = make_static_exec();
        Elf64Phdr first = elf.phdr(0);
        first.p_filesz = first.p_memsz = 0x800;
        elf.set_phdr(0, first);
        ASSERT_TRUE(elf.parse().is_ok());
        Elf64Phdr text = elf.phdr(STATIC_TEXT);
        text.p_vaddr = 0x400c00;
        text.p_offset = 0xc00;
        elf.set_phdr(STATIC_TEXT, text);
        expect_enoexec(elf, "shared page");
    }
    // Data before text.
    expect_load_change_rejected(STATIC_DATA,
                                [](Elf64Phdr& ph) {
                                    ph.p_vaddr = 0x3f0000;
                                },
                                "unsorted");
    // The bss of the first load runs into the text.
    expect_load_change_rejected(0, [](Elf64Phdr& ph) { ph.p_memsz = 0x1001; }, "bss overlap");
}

TEST(ElfLoads, BadAlignment) {
    for (u64 align : {u64{2}, u64{3}, u64{0x800}, u64{0x1800}, u64{0x3000}}) {
        expect_load_change_rejected(STATIC_TEXT, [align](Elf64Phdr& ph) { ph.p_align = align; },
                                    "p_align");
    }
    // 0, 1 and large powers of two are fine.
    for (u64 align : {u64{0}, u64{1}, u64{0x1000}, u64{0x200000}}) {
        TestElf elf = make_static_exec();
        Elf64Phdr ph = elf.phdr(STATIC_TEXT);
        ph.p_align = align;
        elf.set_phdr(STATIC_TEXT, ph);
        EXPECT_TRUE(elf.parse().is_ok()) << align;
    }
}

TEST(ElfLoads, OffsetNotCongruentWithVaddr) {
    expect_load_change_rejected(STATIC_TEXT, [](Elf64Phdr& ph) { ph.p_vaddr += 0x10; },
                                "vaddr - offset not page aligned");
    expect_load_change_rejected(STATIC_DATA, [](Elf64Phdr& ph) { ph.p_offset = 0x1ff8; },
                                "offset moved");
}

// ---- PT_INTERP defects.

template <typename F>
void expect_interp_change_rejected(F change, const char* what) {
    TestElf elf = make_pie(true);
    ASSERT_TRUE(elf.parse().is_ok());
    change(elf);
    expect_enoexec(elf, what);
}

constexpr usize PIE_INTERP = 1;

TEST(ElfInterp, NotNulTerminated) {
    expect_interp_change_rejected(
        [](TestElf& elf) {
            Elf64Phdr ph = elf.phdr(PIE_INTERP);
            ph.p_filesz -= 1; // ends on the last character, not the NUL
            elf.set_phdr(PIE_INTERP, ph);
        },
        "interp without NUL");
}

TEST(ElfInterp, PastEndOfFile) {
    expect_interp_change_rejected(
        [](TestElf& elf) {
            Elf64Phdr ph = elf.phdr(PIE_INTERP);
            ph.p_offset = elf.bytes().size() - 4;
            elf.set_phdr(PIE_INTERP, ph);
        },
        "interp past EOF");
    expect_interp_change_rejected(
        [](TestElf& elf) {
            Elf64Phdr ph = elf.phdr(PIE_INTERP);
            ph.p_offset = UINT64_MAX - 2;
            elf.set_phdr(PIE_INTERP, ph);
        },
        "interp offset overflow");
}

TEST(ElfInterp, EmptyOrTooLong) {
    expect_interp_change_rejected(
        [](TestElf& elf) {
            Elf64Phdr ph = elf.phdr(PIE_INTERP);
            ph.p_filesz = 1; // room for the NUL alone
            elf.set_phdr(PIE_INTERP, ph);
        },
        "filesz 1");
    expect_interp_change_rejected(
        [](TestElf& elf) {
            u8 zero[4] = {};
            elf.write(0x300, zero, sizeof(zero)); // "\0\0\0\0..." with filesz 28
        },
        "empty string");
    // 4095 characters + NUL is the limit; 4096 + NUL is too long.
    for (usize len : {usize{4095}, usize{4096}}) {
        TestElf elf = make_pie(true);
        elf.bytes().resize(0x3000 + len + 1, 0);
        std::string path(len, 'a');
        path[0] = '/';
        elf.write(0x3000, path.c_str(), len + 1);
        Elf64Phdr ph = elf.phdr(PIE_INTERP);
        ph.p_offset = 0x3000;
        ph.p_filesz = len + 1;
        elf.set_phdr(PIE_INTERP, ph);
        auto r = elf.parse();
        if (len == 4095) {
            ASSERT_TRUE(r.is_ok());
            EXPECT_EQ(4095u, r.value().interp_len);
        } else {
            ASSERT_TRUE(r.is_error());
            EXPECT_EQ(Errno::ENOEXEC, r.error());
        }
    }
}

TEST(ElfInterp, Duplicate) {
    TestElf elf = make_pie(true);
    Elf64Phdr ph = elf.phdr(PIE_INTERP);
    elf.add(ph.p_type, ph.p_flags, ph.p_offset, ph.p_vaddr, ph.p_filesz, ph.p_memsz, ph.p_align);
    expect_enoexec(elf, "two PT_INTERP");
}

// ---- PT_TLS and PT_GNU_STACK.

TEST(ElfTls, Defects) {
    expect_load_change_rejected(STATIC_TLS, [](Elf64Phdr& ph) { ph.p_filesz = 0x49; },
                                "tls filesz > memsz");
    expect_load_change_rejected(STATIC_TLS, [](Elf64Phdr& ph) { ph.p_offset = 0x27f8; },
                                "tls past EOF");
    expect_load_change_rejected(STATIC_TLS, [](Elf64Phdr& ph) { ph.p_align = 24; },
                                "tls align");
    expect_load_change_rejected(STATIC_TLS, [](Elf64Phdr& ph) { ph.p_vaddr = UINT64_MAX - 8; },
                                "tls address overflow");
    TestElf elf = make_static_exec();
    Elf64Phdr ph = elf.phdr(STATIC_TLS);
    elf.add(ph.p_type, ph.p_flags, ph.p_offset, ph.p_vaddr, ph.p_filesz, ph.p_memsz, ph.p_align);
    expect_enoexec(elf, "two PT_TLS");
}

TEST(ElfStack, ExecutableFlag) {
    TestElf elf = make_static_exec();
    Elf64Phdr ph = elf.phdr(3);
    ASSERT_EQ(ELF_PT_GNU_STACK, ph.p_type);
    ph.p_flags |= ELF_PF_X;
    elf.set_phdr(3, ph);
    auto r = elf.parse();
    ASSERT_TRUE(r.is_ok());
    EXPECT_TRUE(r.value().stack_exec);
}

// ---- Robustness: random corruption of a valid image is either refused or, if accepted, still
// describes only ranges inside the file.

TEST(Elf, RandomCorruptionNeverEscapesTheFile) {
    std::mt19937_64 rng(12345);
    usize accepted = 0;
    for (int round = 0; round < 20000; ++round) {
        TestElf elf = round % 2 ? make_static_exec() : make_pie(true);
        std::vector<u8>& bytes = elf.bytes();
        int flips = 1 + static_cast<int>(rng() % 4);
        for (int k = 0; k < flips; ++k) {
            // Aim at the header and program headers, where the meaning is.
            usize pos = rng() % (64 + 6 * 56);
            bytes[pos] = static_cast<u8>(rng());
        }
        usize size = bytes.size() - (rng() % 3 == 0 ? rng() % bytes.size() : 0);
        auto r = parse_elf(bytes.data(), size);
        if (r.is_error()) {
            ASSERT_EQ(Errno::ENOEXEC, r.error());
            continue;
        }
        ++accepted;
        const ElfImage& img = r.value();
        ASSERT_GE(img.load_count, 1u);
        ASSERT_LE(img.load_count, JVMOS_ELF_MAX_LOADS);
        for (usize i = 0; i < img.load_count; ++i) {
            const ElfLoad& l = img.loads[i];
            ASSERT_LE(l.offset, size);
            ASSERT_LE(l.filesz, size - l.offset);
            ASSERT_LE(l.filesz, l.memsz);
            ASSERT_LE(l.vaddr + l.memsz, u64{1} << 47);
            if (i > 0) {
                ASSERT_GE(l.vaddr, img.loads[i - 1].vaddr + img.loads[i - 1].memsz);
            }
        }
        ASSERT_LE(img.phdr_offset + u64{img.phnum} * 56, size);
        if (img.interp != nullptr) {
            const u8* p = reinterpret_cast<const u8*>(img.interp);
            ASSERT_GE(p, bytes.data());
            ASSERT_LE(p + img.interp_len + 1, bytes.data() + size);
            ASSERT_EQ(img.interp_len, strlen(img.interp));
        }
    }
    // The corruption is mild enough that some images survive (else the loop proves little).
    EXPECT_GT(accepted, 100u);
}

// ---- Real binaries, cross-checked against the host's <elf.h>.

std::vector<u8> read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::vector<u8>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Compares the parsed image with an independent walk of the program headers.
void expect_matches_host_view(const std::vector<u8>& file, const ElfImage& img) {
    Elf64_Ehdr eh;
    ASSERT_GE(file.size(), sizeof(eh));
    memcpy(&eh, file.data(), sizeof(eh));
    EXPECT_EQ(eh.e_entry, img.entry);
    EXPECT_EQ(eh.e_phnum, img.phnum);
    EXPECT_EQ(eh.e_phoff, img.phdr_offset);
    EXPECT_EQ(eh.e_type == ET_EXEC ? ElfType::Exec : ElfType::Dyn, img.type);
    usize loads = 0;
    bool saw_phdr = false;
    for (usize i = 0; i < eh.e_phnum; ++i) {
        Elf64_Phdr ph;
        memcpy(&ph, file.data() + eh.e_phoff + i * sizeof(ph), sizeof(ph));
        if (ph.p_type == PT_PHDR) {
            saw_phdr = true;
            EXPECT_EQ(ph.p_vaddr, img.phdr_vaddr);
        }
        if (ph.p_type == PT_GNU_STACK) {
            EXPECT_EQ((ph.p_flags & PF_X) != 0, img.stack_exec);
        }
        if (ph.p_type != PT_LOAD) continue;
        ASSERT_LT(loads, img.load_count);
        const ElfLoad& l = img.loads[loads++];
        EXPECT_EQ(ph.p_vaddr, l.vaddr);
        EXPECT_EQ(ph.p_memsz, l.memsz);
        EXPECT_EQ(ph.p_offset, l.offset);
        EXPECT_EQ(ph.p_filesz, l.filesz);
        u32 prot = ((ph.p_flags & PF_R) ? 1 : 0) | ((ph.p_flags & PF_W) ? 2 : 0) |
                   ((ph.p_flags & PF_X) ? 4 : 0);
        EXPECT_EQ(prot, l.prot);
    }
    EXPECT_EQ(loads, img.load_count);
    if (!saw_phdr) {
        // The headers sit at file offset e_phoff inside the first load (offset 0).
        EXPECT_EQ(img.loads[0].vaddr + eh.e_phoff, img.phdr_vaddr);
    }
}

TEST(ElfReal, BinTrueIsPieWithGlibcInterp) {
    std::vector<u8> file = read_file("/bin/true");
    ASSERT_GT(file.size(), 1000u) << "cannot read /bin/true";
    EXPECT_TRUE(check_elf_header(file.data(), file.size()).ok());
    auto r = parse_elf(file.data(), file.size());
    ASSERT_TRUE(r.is_ok());
    const ElfImage& img = r.value();
    EXPECT_EQ(ElfType::Dyn, img.type);
    ASSERT_NE(nullptr, img.interp);
    EXPECT_STREQ(GLIBC_INTERP, img.interp);
    EXPECT_EQ(strlen(GLIBC_INTERP), img.interp_len);
    EXPECT_FALSE(img.stack_exec);
    expect_matches_host_view(file, img);
    EXPECT_EQ(0u, img.min_vaddr);
    u64 bias = choose_load_bias(img, 0x555555554000);
    EXPECT_EQ(0x555555554000u, bias);
}

// A scratch directory removed at the end of the test.
class TempDir {
public:
    TempDir() {
        const char* tmp = getenv("TMPDIR");
        std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/jvmos_elf_test.XXXXXX";
        std::vector<char> buf(pattern.begin(), pattern.end());
        buf.push_back('\0');
        if (mkdtemp(buf.data()) != nullptr) m_path = buf.data();
    }
    ~TempDir() {
        if (!m_path.empty()) (void)std::system(("rm -rf '" + m_path + "'").c_str());
    }
    const std::string& path() const { return m_path; }

private:
    std::string m_path;
};

bool have_musl_gcc() { return std::system("command -v musl-gcc >/dev/null 2>&1") == 0; }

// Compiles a small program with `musl-gcc <before> prog.c <after>` into dir/name; returns the
// file's bytes.
std::vector<u8> build_with_musl(const TempDir& dir, const std::string& name,
                                const std::string& before, const std::string& after = "") {
    std::string src = dir.path() + "/prog.c";
    {
        std::ofstream out(src);
        out << "#include <stdio.h>\n"
               "__thread int counter = 5;\n"
               "int main(int argc, char** argv) { printf(\"%d %s\\n\", counter + argc, argv[0]);"
               " return 0; }\n";
    }
    std::string exe = dir.path() + "/" + name;
    std::string cmd =
        "musl-gcc " + before + " '" + src + "' " + after + " -o '" + exe + "' 2>&1";
    EXPECT_EQ(0, std::system(cmd.c_str())) << cmd;
    return read_file(exe);
}

TEST(ElfReal, MuslStaticExecutable) {
    ASSERT_TRUE(have_musl_gcc()) << "musl-gcc is required for this test (apt install musl-tools)";
    TempDir dir;
    ASSERT_FALSE(dir.path().empty());
    std::vector<u8> file = build_with_musl(dir, "static", "-static -O1");
    ASSERT_GT(file.size(), 1000u);
    auto r = parse_elf(file.data(), file.size());
    ASSERT_TRUE(r.is_ok());
    const ElfImage& img = r.value();
    EXPECT_EQ(ElfType::Exec, img.type);
    EXPECT_EQ(nullptr, img.interp);
    EXPECT_TRUE(img.has_tls);
    EXPECT_EQ(4u, img.tls.memsz);
    EXPECT_EQ(4u, img.tls.filesz);
    EXPECT_GE(img.min_vaddr, 0x400000u); // a non-PIE link address
    EXPECT_EQ(0u, choose_load_bias(img, 0x555555554000));
    expect_matches_host_view(file, img);
}

TEST(ElfReal, MuslStaticPie) {
    ASSERT_TRUE(have_musl_gcc()) << "musl-gcc is required for this test (apt install musl-tools)";
    TempDir dir;
    ASSERT_FALSE(dir.path().empty());
    // Debian's musl-gcc specs turn a bare -static-pie into a dynamically linked PIE (with a musl
    // PT_INTERP); a real static PIE needs musl's self-relocating rcrt1.o and no interpreter.
    const std::string lib = "/usr/lib/x86_64-linux-musl";
    std::string flags = "-static-pie -O1 -nostartfiles -Wl,-static,--no-dynamic-linker " + lib +
                        "/rcrt1.o " + lib + "/crti.o $(gcc -print-file-name=crtbeginS.o)";
    std::string tail = " $(gcc -print-file-name=crtendS.o) " + lib + "/crtn.o";
    std::vector<u8> file = build_with_musl(dir, "static-pie", flags, tail);
    ASSERT_GT(file.size(), 1000u);
    auto r = parse_elf(file.data(), file.size());
    ASSERT_TRUE(r.is_ok());
    const ElfImage& img = r.value();
    EXPECT_EQ(ElfType::Dyn, img.type);
    EXPECT_EQ(nullptr, img.interp);
    EXPECT_TRUE(img.has_tls);
    EXPECT_EQ(0u, img.min_vaddr);
    expect_matches_host_view(file, img);
    EXPECT_EQ(0x7f0000000000u, choose_load_bias(img, 0x7f0000000000));
    // And the bare -static-pie variant: still parses, as a PIE asking for musl's loader.
    std::vector<u8> dyn = build_with_musl(dir, "pie", "-static-pie -O1");
    auto d = parse_elf(dyn.data(), dyn.size());
    ASSERT_TRUE(d.is_ok());
    EXPECT_EQ(ElfType::Dyn, d.value().type);
    expect_matches_host_view(dyn, d.value());
}

} // namespace
