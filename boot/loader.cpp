#include "loader.h"

#include "layout.h"

#include <elf.h>

#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <csignal>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <x86intrin.h>

namespace jvmos::boot {
namespace {

uint8_t* at(const GuestMemory& mem, uint64_t gpa, uint64_t len) {
    auto s = mem.span({gpa}, len);
    if (!s) throw std::runtime_error("guest memory too small for the boot layout");
    return s->data();
}

int64_t clock_ns(clockid_t id) {
    timespec ts{};
    clock_gettime(id, &ts);
    return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

void copy_uts(char (&dst)[JVMOS_UTS_LEN], const char* src) {
    std::snprintf(dst, JVMOS_UTS_LEN, "%s", src);
}

} // namespace

LoadedKernel load_kernel(const GuestMemory& mem, const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read the guest kernel image " + path);
    std::vector<uint8_t> img((std::istreambuf_iterator<char>(in)), {});
    if (img.size() < sizeof(Elf64_Ehdr) || std::memcmp(img.data(), ELFMAG, SELFMAG) != 0)
        throw std::runtime_error("guest kernel image " + path + " is not an ELF file");
    Elf64_Ehdr eh;
    std::memcpy(&eh, img.data(), sizeof eh);
    if (eh.e_phoff > img.size() || eh.e_phnum * sizeof(Elf64_Phdr) > img.size() - eh.e_phoff)
        throw std::runtime_error("guest kernel image " + path + " is truncated");
    LoadedKernel k{eh.e_entry, 0};
    for (int i = 0; i < eh.e_phnum; i++) {
        Elf64_Phdr ph;
        std::memcpy(&ph, img.data() + eh.e_phoff + i * sizeof ph, sizeof ph);
        if (ph.p_type != PT_LOAD) continue;
        if (ph.p_offset > img.size() || ph.p_filesz > img.size() - ph.p_offset ||
            ph.p_filesz > ph.p_memsz || ph.p_paddr < JVMOS_KERNEL_LOAD_GPA)
            throw std::runtime_error("guest kernel image " + path + " has a bad segment");
        uint8_t* dst = at(mem, ph.p_paddr, ph.p_memsz);
        std::memcpy(dst, img.data() + ph.p_offset, ph.p_filesz);
        std::memset(dst + ph.p_filesz, 0, ph.p_memsz - ph.p_filesz);
        k.phys_end = std::max<uint64_t>(k.phys_end, ph.p_paddr + ph.p_memsz);
    }
    if (k.phys_end == 0) throw std::runtime_error("guest kernel image has no loadable segment");
    return k;
}

uint64_t write_boot_data(const GuestMemory& mem, const LoadedKernel& kernel, const BootPlan& plan) {
    using namespace layout;
    // Page tables: physmap of [0, max_gpa) with 2 MiB pages. U=1 at every level on PVM hosts
    // (their shadow MMU livelocks on U=0, whichever backend runs); supervisor-only on hardware
    // virtualisation.
    const uint64_t U = (plan.flags & JVMOS_BOOT_HOST_PVM) ? 0x4 : 0;
    const uint64_t TABLE = 0x3 | U;             // present | writable
    const uint64_t LEAF = 0x3 | U | 0x80 | 0x100; // + PS | global (kernel data: NX left clear)
    const uint64_t max_gpa = mem.max_gpa();
    const uint64_t gib = (max_gpa + (1ull << 30) - 1) >> 30;
    if (PD_GPA + gib * PAGE > PD_LIMIT_GPA) throw std::runtime_error("guest memory too large");
    auto* pml4 = reinterpret_cast<uint64_t*>(at(mem, PML4_GPA, 2 * PAGE));
    auto* pdpt = reinterpret_cast<uint64_t*>(at(mem, PDPT_GPA, PAGE));
    std::memset(pml4, 0, 2 * PAGE); // kernel root and the (empty) user-half root
    std::memset(pdpt, 0, PAGE);
    pml4[JVMOS_PHYSMAP_PML4_SLOT] = PDPT_GPA | TABLE;
    for (uint64_t g = 0; g < gib; g++) {
        auto* pd = reinterpret_cast<uint64_t*>(at(mem, PD_GPA + g * PAGE, PAGE));
        pdpt[g] = (PD_GPA + g * PAGE) | TABLE;
        for (uint64_t i = 0; i < 512; i++) {
            uint64_t gpa = (g << 30) + (i << 21);
            // Only RAM is mapped: the 32-bit hole stays unmapped so a stray access faults.
            pd[i] = mem.span({gpa}, 1u << 21) ? (gpa | LEAF) : 0;
        }
    }

    // Per-vCPU GDT (Linux-compatible selectors) and TSS.
    for (uint32_t c = 0; c < plan.cpus; c++) {
        auto* gdt = reinterpret_cast<uint64_t*>(at(mem, GDT_GPA + c * GDT_STRIDE, GDT_STRIDE));
        std::memset(gdt, 0, GDT_STRIDE);
        gdt[JVMOS_SEL_KERNEL_CS / 8] = 0x00af9b000000ffffull; // 64-bit code, DPL 0
        gdt[JVMOS_SEL_KERNEL_DS / 8] = 0x00cf93000000ffffull; // data, DPL 0
        gdt[JVMOS_SEL_USER32_CS / 8] = 0x00cffb000000ffffull; // 32-bit code, DPL 3
        gdt[JVMOS_SEL_USER_DS / 8] = 0x00cff3000000ffffull;   // data, DPL 3
        gdt[JVMOS_SEL_USER_CS / 8] = 0x00affb000000ffffull;   // 64-bit code, DPL 3
        const uint64_t tss = physmap(TSS_GPA + c * TSS_STRIDE);
        std::memset(at(mem, TSS_GPA + c * TSS_STRIDE, TSS_STRIDE), 0, TSS_STRIDE);
        // 16-byte TSS descriptor: limit 103, type 0xb (busy: it is loaded via KVM_SET_SREGS).
        gdt[JVMOS_SEL_TSS / 8] = 103 | ((tss & 0xffffff) << 16) | (0x8bull << 40) |
                                 (((tss >> 24) & 0xff) << 56);
        gdt[JVMOS_SEL_TSS / 8 + 1] = tss >> 32;
    }

    // Strings (argv, envp, execfn) after the kernel.
    uint64_t cursor = (kernel.phys_end + PAGE - 1) & ~(PAGE - 1);
    std::vector<uint8_t> strings;
    auto add = [&](const std::string& s) { strings.insert(strings.end(), s.begin(), s.end()); strings.push_back(0); };
    for (auto& a : plan.argv) add(a);
    for (auto& e : plan.envp) add(e);
    add(plan.execfn);
    const uint64_t strings_gpa = cursor;
    std::memcpy(at(mem, strings_gpa, strings.size()), strings.data(), strings.size());
    cursor = (cursor + strings.size() + PAGE - 1) & ~(PAGE - 1);
    if (cursor + (16u << 20) > mem.size())
        throw std::runtime_error("--mem is too small for this program");

    auto* bi = reinterpret_cast<jvmos_boot_info*>(at(mem, BOOT_INFO_GPA, sizeof(jvmos_boot_info)));
    std::memset(bi, 0, sizeof *bi);
    bi->magic = JVMOS_BOOT_MAGIC;
    bi->abi_version = JVMOS_ABI_VERSION;
    bi->backend = plan.backend;
    bi->flags = plan.flags;
    bi->cpus = plan.cpus;
    bi->mem_range_count = uint32_t(mem.ranges().size());
    for (size_t i = 0; i < mem.ranges().size() && i < JVMOS_MAX_MEM_RANGES; i++)
        bi->mem_ranges[i] = {mem.ranges()[i].gpa, mem.ranges()[i].size};
    bi->pml4_gpa = PML4_GPA;
    bi->reserved_end = cursor;
    bi->boot_stack_top = physmap(BOOT_STACK_TOP_GPA);
    for (uint32_t c = 0; c < plan.cpus; c++) {
        bi->gdt_gpa[c] = GDT_GPA + c * GDT_STRIDE;
        bi->tss_gpa[c] = TSS_GPA + c * TSS_STRIDE;
    }
    bi->strings_gpa = strings_gpa;
    bi->strings_size = strings.size();
    bi->argc = uint32_t(plan.argv.size());
    bi->envc = uint32_t(plan.envp.size());
    bi->pid = getpid();
    bi->ppid = getppid();
    bi->pgid = getpgrp();
    bi->sid = getsid(0);
    bi->uid = getuid();
    bi->euid = geteuid();
    bi->gid = getgid();
    bi->egid = getegid();
    rlimit rl{};
    getrlimit(RLIMIT_STACK, &rl);
    bi->rlimit_stack = {rl.rlim_cur, rl.rlim_max};
    getrlimit(RLIMIT_NOFILE, &rl);
    bi->rlimit_nofile = {rl.rlim_cur, rl.rlim_max};
    // Dispositions that survive execve: ignored signals stay ignored in the program.
    for (int sig = 1; sig < 32; sig++) {
        struct sigaction old {};
        if (sigaction(sig, nullptr, &old) == 0 && old.sa_handler == SIG_IGN &&
            sig != SIGPIPE) // jvmos itself ignores SIGPIPE; the caller's choice is unknown
            bi->ignored_signals |= 1ull << (sig - 1);
    }
    utsname u{};
    uname(&u);
    copy_uts(bi->uts_sysname, u.sysname);
    copy_uts(bi->uts_nodename, u.nodename);
    copy_uts(bi->uts_release, u.release);
    copy_uts(bi->uts_version, u.version);
    copy_uts(bi->uts_machine, u.machine);
    copy_uts(bi->uts_domainname, u.domainname);
    return BOOT_INFO_GPA;
}

} // namespace jvmos::boot

namespace jvmos::boot {
void stamp_boot_time(const GuestMemory& mem, uint64_t boot_info_gpa, uint64_t tsc_khz) {
    auto* bi = mem.object<jvmos_boot_info>({boot_info_gpa});
    if (!bi) throw std::runtime_error("boot info outside guest memory");
    bi->tsc_khz = tsc_khz;
    bi->boot_realtime_ns = clock_ns(CLOCK_REALTIME);
    bi->boot_monotonic_ns = clock_ns(CLOCK_MONOTONIC);
    bi->boot_tsc = __rdtsc();
}
} // namespace jvmos::boot
