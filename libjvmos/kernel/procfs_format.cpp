// Linux's layouts for the synthesized /proc and /sys files (see procfs_format.h). Every field
// order, width and separator here follows the Linux 6.x source of the file named in the
// comment above each function, so that parsers written against Linux (HotSpot's, glibc's,
// procps') read them unchanged.
#include "kernel/procfs_format.h"

#include "base/string.h"

namespace jvmos::procfs {
namespace {

using ull = unsigned long long;

// lib/vsprintf.c bitmap_string(): the first `set` of `nbits` bits are 1.
void append_bitmap(StringBuilder& out, u32 nbits, u32 set) {
    if (nbits == 0) return;
    u32 chunk_bits = nbits % 32 ? nbits % 32 : 32;
    bool first = true;
    for (i64 low = i64(align_up(nbits, 32)) - 32; low >= 0; low -= 32) {
        u64 value = 0;
        for (u32 b = 0; b < chunk_bits; b++)
            if (u64(low) + b < set) value |= 1ull << b;
        if (!first) out.append_char(',');
        out.appendf("%0*llx", int((chunk_bits + 3) / 4), ull(value));
        first = false;
        chunk_bits = 32;
    }
}

// The name in /proc/<pid>/status: newlines and backslashes escaped (proc_task_name(escape)).
void append_escaped_name(StringBuilder& out, const char* name) {
    for (const char* p = name; *p; p++) {
        if (*p == '\n')
            out.append("\\n");
        else if (*p == '\\')
            out.append("\\\\");
        else
            out.append_char(*p);
    }
}

// One "Label:   value kB" line of /proc/meminfo (show_val_kb: label padded to 16, value to 8).
void meminfo_line(StringBuilder& out, const char* label, u64 kb) {
    out.appendf("%-16s%8llu kB\n", label, ull(kb));
}

// One named CPUID feature bit (arch/x86/include/asm/cpufeatures.h). Bits Linux hides (its ""
// names) are not listed.
struct Flag {
    u8 bit;
    const char* name;
};

// Word 0: CPUID 1 EDX.
constexpr Flag WORD_1_EDX[] = {
    {0, "fpu"},      {1, "vme"},  {2, "de"},    {3, "pse"},  {4, "tsc"},    {5, "msr"},
    {6, "pae"},      {7, "mce"},  {8, "cx8"},   {9, "apic"}, {11, "sep"},   {12, "mtrr"},
    {13, "pge"},     {14, "mca"}, {15, "cmov"}, {16, "pat"}, {17, "pse36"}, {18, "pn"},
    {19, "clflush"}, {21, "dts"}, {22, "acpi"}, {23, "mmx"}, {24, "fxsr"},  {25, "sse"},
    {26, "sse2"},    {27, "ss"},  {28, "ht"},   {29, "tm"},  {30, "ia64"},  {31, "pbe"},
};
// Word 1: CPUID 0x80000001 EDX (the bits that repeat word 0 are not named).
constexpr Flag WORD_EXT1_EDX[] = {
    {11, "syscall"}, {19, "mp"},     {20, "nx"}, {22, "mmxext"},   {25, "fxsr_opt"},
    {26, "pdpe1gb"}, {27, "rdtscp"}, {29, "lm"}, {30, "3dnowext"}, {31, "3dnow"},
};
// Word 4: CPUID 1 ECX.
constexpr Flag WORD_1_ECX[] = {
    {0, "pni"},     {1, "pclmulqdq"},   {2, "dtes64"},  {3, "monitor"},
    {4, "ds_cpl"},  {5, "vmx"},         {6, "smx"},     {7, "est"},
    {8, "tm2"},     {9, "ssse3"},       {10, "cid"},    {11, "sdbg"},
    {12, "fma"},    {13, "cx16"},       {14, "xtpr"},   {15, "pdcm"},
    {17, "pcid"},   {18, "dca"},        {19, "sse4_1"}, {20, "sse4_2"},
    {21, "x2apic"}, {22, "movbe"},      {23, "popcnt"}, {24, "tsc_deadline_timer"},
    {25, "aes"},    {26, "xsave"},      {28, "avx"},    {29, "f16c"},
    {30, "rdrand"}, {31, "hypervisor"},
};
// Word 6: CPUID 0x80000001 ECX.
constexpr Flag WORD_EXT1_ECX[] = {
    {0, "lahf_lm"},       {1, "cmp_legacy"},  {2, "svm"},    {3, "extapic"},
    {4, "cr8_legacy"},    {5, "abm"},         {6, "sse4a"},  {7, "misalignsse"},
    {8, "3dnowprefetch"}, {9, "osvw"},        {10, "ibs"},   {11, "xop"},
    {12, "skinit"},       {13, "wdt"},        {15, "lwp"},   {16, "fma4"},
    {17, "tce"},          {19, "nodeid_msr"}, {21, "tbm"},   {22, "topoext"},
    {23, "perfctr_core"}, {24, "perfctr_nb"}, {26, "bpext"}, {27, "ptsc"},
    {28, "perfctr_llc"},  {29, "mwaitx"},
};
// Word 9: CPUID 7.0 EBX.
constexpr Flag WORD_7_EBX[] = {
    {0, "fsgsbase"},    {1, "tsc_adjust"}, {2, "sgx"},       {3, "bmi1"},      {4, "hle"},
    {5, "avx2"},        {7, "smep"},       {8, "bmi2"},      {9, "erms"},      {10, "invpcid"},
    {11, "rtm"},        {12, "cqm"},       {14, "mpx"},      {15, "rdt_a"},    {16, "avx512f"},
    {17, "avx512dq"},   {18, "rdseed"},    {19, "adx"},      {20, "smap"},     {21, "avx512ifma"},
    {23, "clflushopt"}, {24, "clwb"},      {25, "intel_pt"}, {26, "avx512pf"}, {27, "avx512er"},
    {28, "avx512cd"},   {29, "sha_ni"},    {30, "avx512bw"}, {31, "avx512vl"},
};
// Word 10: CPUID 0xd.1 EAX.
constexpr Flag WORD_D1_EAX[] = {
    {0, "xsaveopt"}, {1, "xsavec"}, {2, "xgetbv1"}, {3, "xsaves"}, {4, "xfd"},
};
// Word 12: CPUID 7.1 EAX.
constexpr Flag WORD_7_1_EAX[] = {
    {0, "sha512"},
    {1, "sm3"},
    {2, "sm4"},
    {4, "avx_vnni"},
    {5, "avx512_bf16"},
    {7, "cmpccxadd"},
    {8, "arch_perfmon_ext"},
    {10, "fzrm"},
    {11, "fsrs"},
    {12, "fsrc"},
    {17, "fred"},
    {18, "lkgs"},
    {19, "wrmsrns"},
    {21, "amx_fp16"},
    {23, "avx_ifma"},
    {26, "lam"},
};
// Word 14: CPUID 6 EAX.
constexpr Flag WORD_6_EAX[] = {
    {0, "dtherm"},   {1, "ida"},          {2, "arat"},       {4, "pln"},
    {6, "pts"},      {7, "hwp"},          {8, "hwp_notify"}, {9, "hwp_act_window"},
    {10, "hwp_epp"}, {11, "hwp_pkg_req"}, {19, "hfi"},
};
// Word 16: CPUID 7.0 ECX.
constexpr Flag WORD_7_ECX[] = {
    {1, "avx512vbmi"},
    {2, "umip"},
    {3, "pku"},
    {4, "ospke"},
    {5, "waitpkg"},
    {6, "avx512_vbmi2"},
    {8, "gfni"},
    {9, "vaes"},
    {10, "vpclmulqdq"},
    {11, "avx512_vnni"},
    {12, "avx512_bitalg"},
    {13, "tme"},
    {14, "avx512_vpopcntdq"},
    {16, "la57"},
    {22, "rdpid"},
    {24, "bus_lock_detect"},
    {25, "cldemote"},
    {27, "movdiri"},
    {28, "movdir64b"},
    {29, "enqcmd"},
    {30, "sgx_lc"},
};
// Word 18: CPUID 7.0 EDX.
constexpr Flag WORD_7_EDX[] = {
    {2, "avx512_4vnniw"},
    {3, "avx512_4fmaps"},
    {4, "fsrm"},
    {8, "avx512_vp2intersect"},
    {10, "md_clear"},
    {11, "rtm_always_abort"},
    {13, "tsx_force_abort"},
    {14, "serialize"},
    {15, "hybrid_cpu"},
    {16, "tsxldtrk"},
    {18, "pconfig"},
    {19, "arch_lbr"},
    {20, "ibt"},
    {22, "amx_bf16"},
    {23, "avx512_fp16"},
    {24, "amx_tile"},
    {25, "amx_int8"},
    {28, "flush_l1d"},
    {29, "arch_capabilities"},
};

template <usize N> void append_flags(StringBuilder& out, u32 word, const Flag (&flags)[N]) {
    for (const Flag& f : flags)
        if (word & (1u << f.bit)) {
            out.append_char(' ');
            out.append(f.name);
        }
}

u32 family_of(u32 signature) {
    u32 family = (signature >> 8) & 0xf;
    if (family == 0xf) family += (signature >> 20) & 0xff;
    return family;
}

u32 model_of(u32 signature) {
    u32 model = (signature >> 4) & 0xf;
    if (family_of(signature) >= 6) model += ((signature >> 16) & 0xf) << 4;
    return model;
}

} // namespace

void append_cpu_list(StringBuilder& out, u32 count) {
    if (count <= 1)
        out.append("0");
    else
        out.appendf("0-%u", count - 1);
}

void append_cpu_mask(StringBuilder& out, u32 count) {
    append_bitmap(out, count, count);
}

// fs/proc/task_mmu.c show_vma_header_prefix() and show_map_vma().
void append_maps_line(StringBuilder& out, const MapsLine& l) {
    const usize line_start = out.length();
    out.appendf("%08llx-%08llx %c%c%c%c %08llx %02x:%02x %llu ", ull(l.start), ull(l.end),
                l.prot & 1 ? 'r' : '-', l.prot & 2 ? 'w' : '-', l.prot & 4 ? 'x' : '-',
                l.shared ? 's' : 'p', ull(l.offset), l.dev_major, l.dev_minor, ull(l.inode));
    if (l.name) {
        // seq_setwidth(25 + sizeof(void*) * 6 - 1), then seq_pad(' ').
        constexpr usize PAD_UNTIL = 25 + 8 * 6 - 1;
        while (out.length() - line_start < PAD_UNTIL && !out.truncated()) out.append_char(' ');
        out.append_char(' ');
        out.append(l.name);
    }
    out.append_char('\n');
}

// fs/proc/array.c do_task_stat(). The four signal masks are Linux 2.0's: the low 31 bits.
void append_task_stat(StringBuilder& out, const TaskStat& s) {
    constexpr u64 OLD_MASK = 0x7fffffff;
    out.appendf("%d (%s) %c %d %d %d 0 -1 %llu 0 0 0 0 %llu %llu 0 0 %lld %lld %llu 0 %llu "
                "%llu %llu %llu %llu %llu %llu 0 0 %llu %llu %llu %llu %d 0 0 %d %u 0 0 0 0 0 "
                "%llu %llu %llu %llu %llu %llu %llu 0\n",
                s.pid, s.comm, s.state, s.ppid, s.pgrp, s.session, ull(s.flags), ull(s.utime),
                ull(s.stime), (long long)s.priority, (long long)s.nice, ull(s.num_threads),
                ull(s.start_time), ull(s.vsize), ull(s.rss), ull(s.rsslim), ull(s.start_code),
                ull(s.end_code), ull(s.start_stack), ull(s.signal & OLD_MASK),
                ull(s.blocked & OLD_MASK), ull(s.sigignore & OLD_MASK), ull(s.sigcatch & OLD_MASK),
                s.sleeping ? 1 : 0, s.exit_signal, s.processor, ull(s.start_data), ull(s.end_data),
                ull(s.start_brk), ull(s.arg_start), ull(s.arg_end), ull(s.env_start),
                ull(s.env_end));
}

// fs/proc/array.c get_task_state().
const char* state_name(char state) {
    switch (state) {
    case 'R':
        return "R (running)";
    case 'S':
        return "S (sleeping)";
    case 'D':
        return "D (disk sleep)";
    case 'T':
        return "T (stopped)";
    case 't':
        return "t (tracing stop)";
    case 'X':
        return "X (dead)";
    case 'Z':
        return "Z (zombie)";
    case 'P':
        return "P (parked)";
    case 'I':
        return "I (idle)";
    default:
        return "? (unknown)";
    }
}

// fs/proc/array.c proc_pid_status(): task_state, task_mem, task_sig, task_cap, task_seccomp,
// task_cpus_allowed, cpuset_task_status_allowed, task_context_switch_counts.
void append_task_status(StringBuilder& out, const TaskStatus& s) {
    out.append("Name:\t");
    append_escaped_name(out, s.name);
    out.appendf("\nUmask:\t0022\nState:\t%s\nTgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t%d\n"
                "TracerPid:\t0\nUid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\nFDSize:\t%u\n"
                "Groups:\t \nNStgid:\t%d\nNSpid:\t%d\nNSpgid:\t%d\nNSsid:\t%d\nKthread:\t0\n",
                state_name(s.state), s.tgid, s.pid, s.ppid, s.uid, s.euid, s.euid, s.euid, s.gid,
                s.egid, s.egid, s.egid, s.fd_size, s.tgid, s.pid, s.pgrp, s.session);
    out.appendf("VmPeak:\t%8llu kB\nVmSize:\t%8llu kB\nVmLck:\t%8llu kB\nVmPin:\t%8llu kB\n"
                "VmHWM:\t%8llu kB\nVmRSS:\t%8llu kB\nRssAnon:\t%8llu kB\nRssFile:\t%8llu kB\n"
                "RssShmem:\t%8llu kB\nVmData:\t%8llu kB\nVmStk:\t%8llu kB\nVmExe:\t%8llu kB\n"
                "VmLib:\t%8llu kB\nVmPTE:\t%8llu kB\nVmSwap:\t%8llu kB\n"
                "HugetlbPages:\t%8llu kB\n",
                ull(s.vm_peak), ull(s.vm_size), 0ull, 0ull, ull(s.vm_hwm), ull(s.vm_rss),
                ull(s.rss_anon), ull(s.rss_file), ull(s.rss_shmem), ull(s.vm_data), ull(s.vm_stk),
                ull(s.vm_exe), ull(s.vm_lib), ull(s.vm_pte), 0ull, 0ull);
    out.appendf("CoreDumping:\t0\nTHP_enabled:\t1\nuntag_mask:\t%#llx\nThreads:\t%u\n"
                "SigQ:\t%llu/%llu\nSigPnd:\t%016llx\nShdPnd:\t%016llx\nSigBlk:\t%016llx\n"
                "SigIgn:\t%016llx\nSigCgt:\t%016llx\n",
                ~0ull, s.threads, ull(s.sig_queued), ull(s.sig_limit), ull(s.sig_pending),
                ull(s.shared_pending), ull(s.sig_blocked), ull(s.sig_ignored), ull(s.sig_caught));
    out.appendf("CapInh:\t%016llx\nCapPrm:\t%016llx\nCapEff:\t%016llx\nCapBnd:\t%016llx\n"
                "CapAmb:\t%016llx\nNoNewPrivs:\t0\nSeccomp:\t0\nSeccomp_filters:\t0\n"
                "Speculation_Store_Bypass:\tunknown\nSpeculationIndirectBranch:\tunknown\n",
                0ull, ull(s.cap_effective), ull(s.cap_effective), ull(s.cap_bounding), 0ull);
    out.append("Cpus_allowed:\t");
    append_cpu_mask(out, s.cpus);
    out.append("\nCpus_allowed_list:\t");
    append_cpu_list(out, s.cpus);
    // One NUMA node; the mask spans MAX_NUMNODES (1024 in Debian's kernels) bits.
    out.append("\nMems_allowed:\t");
    append_bitmap(out, 1024, 1);
    out.append("\nMems_allowed_list:\t0\nvoluntary_ctxt_switches:\t0\n"
               "nonvoluntary_ctxt_switches:\t0\n");
}

// fs/proc/array.c proc_pid_statm().
void append_statm(StringBuilder& out, u64 size, u64 resident, u64 shared, u64 text, u64 data) {
    out.appendf("%llu %llu %llu %llu 0 %llu 0\n", ull(size), ull(resident), ull(shared), ull(text),
                ull(data));
}

// fs/proc/base.c proc_pid_limits().
void append_limits(StringBuilder& out, const Limit (&limits)[16]) {
    static constexpr const char* NAMES[16][2] = {
        {"Max cpu time", "seconds"},        {"Max file size", "bytes"},
        {"Max data size", "bytes"},         {"Max stack size", "bytes"},
        {"Max core file size", "bytes"},    {"Max resident set", "bytes"},
        {"Max processes", "processes"},     {"Max open files", "files"},
        {"Max locked memory", "bytes"},     {"Max address space", "bytes"},
        {"Max file locks", "locks"},        {"Max pending signals", "signals"},
        {"Max msgqueue size", "bytes"},     {"Max nice priority", nullptr},
        {"Max realtime priority", nullptr}, {"Max realtime timeout", "us"},
    };
    out.appendf("%-25s %-20s %-20s %-10s\n", "Limit", "Soft Limit", "Hard Limit", "Units");
    for (usize i = 0; i < 16; i++) {
        out.appendf("%-25s ", NAMES[i][0]);
        const u64 pair[2] = {limits[i].soft, limits[i].hard};
        for (u64 v : pair) {
            if (v == ~0ull)
                out.appendf("%-20s ", "unlimited");
            else
                out.appendf("%-20llu ", ull(v));
        }
        if (NAMES[i][1])
            out.appendf("%-10s\n", NAMES[i][1]);
        else
            out.append_char('\n');
    }
}

// fs/proc/meminfo.c meminfo_proc_show() and hugetlb_report_meminfo(), x86-64.
void append_meminfo(StringBuilder& out, const MemInfo& m) {
    meminfo_line(out, "MemTotal:", m.total);
    meminfo_line(out, "MemFree:", m.free);
    meminfo_line(out, "MemAvailable:", m.available);
    meminfo_line(out, "Buffers:", 0);
    meminfo_line(out, "Cached:", 0);
    meminfo_line(out, "SwapCached:", 0);
    meminfo_line(out, "Active:", m.anon_pages + m.mapped);
    meminfo_line(out, "Inactive:", 0);
    meminfo_line(out, "Active(anon):", m.anon_pages);
    meminfo_line(out, "Inactive(anon):", 0);
    meminfo_line(out, "Active(file):", m.mapped);
    meminfo_line(out, "Inactive(file):", 0);
    meminfo_line(out, "Unevictable:", 0);
    meminfo_line(out, "Mlocked:", 0);
    meminfo_line(out, "SwapTotal:", 0);
    meminfo_line(out, "SwapFree:", 0);
    meminfo_line(out, "Zswap:", 0);
    meminfo_line(out, "Zswapped:", 0);
    meminfo_line(out, "Dirty:", 0);
    meminfo_line(out, "Writeback:", 0);
    meminfo_line(out, "AnonPages:", m.anon_pages);
    meminfo_line(out, "Mapped:", m.mapped);
    meminfo_line(out, "Shmem:", m.shmem);
    meminfo_line(out, "KReclaimable:", 0);
    meminfo_line(out, "Slab:", m.slab_unreclaimable);
    meminfo_line(out, "SReclaimable:", 0);
    meminfo_line(out, "SUnreclaim:", m.slab_unreclaimable);
    meminfo_line(out, "KernelStack:", m.kernel_stack);
    meminfo_line(out, "PageTables:", m.page_tables);
    meminfo_line(out, "SecPageTables:", 0);
    meminfo_line(out, "NFS_Unstable:", 0);
    meminfo_line(out, "Bounce:", 0);
    meminfo_line(out, "WritebackTmp:", 0);
    meminfo_line(out, "CommitLimit:", m.commit_limit);
    meminfo_line(out, "Committed_AS:", m.committed);
    meminfo_line(out, "VmallocTotal:", 34359738367ull); // the 32 TiB vmalloc area, 4-level
    meminfo_line(out, "VmallocUsed:", 0);
    meminfo_line(out, "VmallocChunk:", 0);
    meminfo_line(out, "Percpu:", 0);
    meminfo_line(out, "AnonHugePages:", m.anon_huge_pages);
    meminfo_line(out, "ShmemHugePages:", 0);
    meminfo_line(out, "ShmemPmdMapped:", 0);
    meminfo_line(out, "FileHugePages:", 0);
    meminfo_line(out, "FilePmdMapped:", 0);
    out.append("HugePages_Total:       0\nHugePages_Free:        0\nHugePages_Rsvd:        0\n"
               "HugePages_Surp:        0\n");
    meminfo_line(out, "Hugepagesize:", 2048);
    meminfo_line(out, "Hugetlb:", 0);
    meminfo_line(out, "DirectMap4k:", m.direct_map_4k);
    meminfo_line(out, "DirectMap2M:", m.direct_map_2m);
}

u32 cache_size_kb(const CpuidLeaf* leaf4, usize count) {
    u64 by_level[4] = {}; // [1] = L1 data + instruction, [2] = L2, [3] = L3
    for (usize i = 0; i < count; i++) {
        const CpuidLeaf& c = leaf4[i];
        const u32 type = c.eax & 0x1f; // 0: no more caches, 1 data, 2 instruction, 3 unified
        if (type == 0) break;
        const u32 level = (c.eax >> 5) & 7;
        if (level == 0 || level > 3) continue;
        const u64 ways = ((c.ebx >> 22) & 0x3ff) + 1;
        const u64 partitions = ((c.ebx >> 12) & 0x3ff) + 1;
        const u64 line = (c.ebx & 0xfff) + 1;
        const u64 sets = u64(c.ecx) + 1;
        by_level[level] += ways * partitions * line * sets / 1024;
    }
    return u32(by_level[3] ? by_level[3] : by_level[2] ? by_level[2] : by_level[1]);
}

// arch/x86/kernel/cpu/proc.c show_cpuinfo().
void append_cpuinfo(StringBuilder& out, const CpuidSnapshot& c, u32 cpus, u64 tsc_khz) {
    char vendor[13];
    memcpy(vendor, &c.basic0.ebx, 4);
    memcpy(vendor + 4, &c.basic0.edx, 4);
    memcpy(vendor + 8, &c.basic0.ecx, 4);
    vendor[12] = 0;
    char brand[49] = {};
    for (usize i = 0; i < 3; i++) {
        memcpy(brand + 16 * i, &c.brand[i].eax, 4);
        memcpy(brand + 16 * i + 4, &c.brand[i].ebx, 4);
        memcpy(brand + 16 * i + 8, &c.brand[i].ecx, 4);
        memcpy(brand + 16 * i + 12, &c.brand[i].edx, 4);
    }
    // get_model_name(): leading and trailing blanks trimmed.
    const char* model_name = brand;
    while (*model_name == ' ') model_name++;
    for (usize n = strlen(brand); n > 0 && (brand[n - 1] == ' ' || brand[n - 1] == 0); n--)
        brand[n - 1] = 0;
    const u32 sig = c.basic1.eax;
    const bool intel = strcmp(vendor, "GenuineIntel") == 0;
    const bool invariant_tsc = c.ext7.edx & (1u << 8);
    const u32 clflush = ((c.basic1.ebx >> 8) & 0xff) * 8;
    for (u32 cpu = 0; cpu < cpus; cpu++) {
        out.appendf("processor\t: %u\nvendor_id\t: %s\ncpu family\t: %u\nmodel\t\t: %u\n"
                    "model name\t: %s\nstepping\t: %u\nmicrocode\t: %#x\n"
                    "cpu MHz\t\t: %llu.%03llu\ncache size\t: %u KB\nphysical id\t: 0\n"
                    "siblings\t: %u\ncore id\t\t: %u\ncpu cores\t: %u\napicid\t\t: %u\n"
                    "initial apicid\t: %u\nfpu\t\t: %s\nfpu_exception\t: %s\n"
                    "cpuid level\t: %u\nwp\t\t: yes\nflags\t\t:",
                    cpu, vendor, family_of(sig), model_of(sig),
                    model_name[0] ? model_name : "unknown", sig & 0xf, c.microcode,
                    ull(tsc_khz / 1000), ull(tsc_khz % 1000), c.cache_size_kb, cpus, cpu, cpus, cpu,
                    cpu, c.basic1.edx & 1 ? "yes" : "no", c.basic1.edx & 1 ? "yes" : "no",
                    c.basic0.eax);
        append_flags(out, c.basic1.edx, WORD_1_EDX);
        append_flags(out, c.ext1.edx, WORD_EXT1_EDX);
        // Word 3, the Linux-defined flags that hold for this vCPU.
        if (invariant_tsc || (intel && family_of(sig) == 6 && model_of(sig) >= 0xe))
            out.append(" constant_tsc");
        if (intel && family_of(sig) == 6) out.append(" rep_good");
        out.append(" nopl");
        if (c.basic0.eax >= 0xb) out.append(" xtopology");
        if (invariant_tsc) out.append(" nonstop_tsc");
        out.append(" cpuid");
        if (tsc_khz) out.append(" tsc_known_freq");
        append_flags(out, c.basic1.ecx, WORD_1_ECX);
        append_flags(out, c.ext1.ecx, WORD_EXT1_ECX);
        append_flags(out, c.ext7_0.ebx, WORD_7_EBX);
        append_flags(out, c.xsave_d1.eax, WORD_D1_EAX);
        append_flags(out, c.ext7_1.eax, WORD_7_1_EAX);
        append_flags(out, c.thermal6.eax, WORD_6_EAX);
        append_flags(out, c.ext7_0.ecx, WORD_7_ECX);
        append_flags(out, c.ext7_0.edx, WORD_7_EDX);
        // bogomips: loops_per_jiffy calibrated against the TSC, i.e. 2 * MHz.
        out.appendf("\nbugs\t\t:\nbogomips\t: %llu.%02llu\nclflush size\t: %u\n"
                    "cache_alignment\t: %u\naddress sizes\t: %u bits physical, %u bits virtual\n"
                    "power management:\n\n",
                    ull(tsc_khz / 500), ull(tsc_khz / 5 % 100), clflush, clflush, c.ext8.eax & 0xff,
                    (c.ext8.eax >> 8) & 0xff);
    }
}

// fs/proc/stat.c show_stat(). No per-interrupt counts are kept: "intr 0".
void append_proc_stat(StringBuilder& out, const SystemStat& s) {
    CpuTimes all{};
    for (u32 i = 0; i < s.cpus; i++) {
        all.user += s.per_cpu[i].user;
        all.system += s.per_cpu[i].system;
        all.idle += s.per_cpu[i].idle;
    }
    out.appendf("cpu  %llu 0 %llu %llu 0 0 0 0 0 0\n", ull(all.user), ull(all.system),
                ull(all.idle));
    for (u32 i = 0; i < s.cpus; i++)
        out.appendf("cpu%u %llu 0 %llu %llu 0 0 0 0 0 0\n", i, ull(s.per_cpu[i].user),
                    ull(s.per_cpu[i].system), ull(s.per_cpu[i].idle));
    out.appendf("intr 0\nctxt %llu\nbtime %llu\nprocesses %llu\nprocs_running %u\n"
                "procs_blocked %u\nsoftirq 0 0 0 0 0 0 0 0 0 0 0\n",
                ull(s.context_switches), ull(s.boot_time), ull(s.forks), s.running, s.blocked);
}

// fs/proc/uptime.c uptime_proc_show().
void append_uptime(StringBuilder& out, u64 uptime_ns, u64 idle_ns) {
    constexpr u64 NS = 1000000000, CENTI = NS / 100;
    out.appendf("%llu.%02llu %llu.%02llu\n", ull(uptime_ns / NS), ull(uptime_ns % NS / CENTI),
                ull(idle_ns / NS), ull(idle_ns % NS / CENTI));
}

// fs/proc/loadavg.c loadavg_proc_show().
void append_loadavg(StringBuilder& out, u32 running, u32 threads, i32 last_pid) {
    out.appendf("0.00 0.00 0.00 %u/%u %d\n", running, threads, last_pid);
}

usize append_dirent64(u8* buf, usize cap, usize at, u64 ino, u8 type, const char* name) {
    constexpr usize HEADER = 19; // d_ino, d_off, d_reclen, d_type
    const usize name_len = strlen(name);
    const usize reclen = align_up(HEADER + name_len + 1, 8);
    if (at > cap || cap - at < reclen) return 0;
    u8* rec = buf + at;
    memset(rec, 0, reclen);
    const i64 next = i64(at + reclen);
    const u16 len16 = u16(reclen);
    memcpy(rec, &ino, 8);
    memcpy(rec + 8, &next, 8);
    memcpy(rec + 16, &len16, 2);
    rec[18] = type;
    memcpy(rec + HEADER, name, name_len);
    return at + reclen;
}

} // namespace jvmos::procfs
