// The text of the synthesized /proc and /sys files (kernel/procfs_format.h), checked against
// lines as Linux 6.x writes them (taken from a real /proc where the values allow).
#include "kernel/procfs_format.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

namespace jvmos::procfs {
namespace {

template <typename Fn> std::string text(Fn fn, usize cap = 1 << 16) {
    std::vector<char> buf(cap);
    StringBuilder out(buf.data(), buf.size());
    fn(out);
    EXPECT_FALSE(out.truncated());
    return std::string(out.c_str(), out.length());
}

TEST(ProcfsFormat, CpuListAndMask) {
    EXPECT_EQ(text([](StringBuilder& o) { append_cpu_list(o, 1); }), "0");
    EXPECT_EQ(text([](StringBuilder& o) { append_cpu_list(o, 2); }), "0-1");
    EXPECT_EQ(text([](StringBuilder& o) { append_cpu_list(o, 64); }), "0-63");
    // "%*pb" over nr_cpu_ids bits: the first group has only as many digits as its bits need.
    EXPECT_EQ(text([](StringBuilder& o) { append_cpu_mask(o, 1); }), "1");
    EXPECT_EQ(text([](StringBuilder& o) { append_cpu_mask(o, 2); }), "3");
    EXPECT_EQ(text([](StringBuilder& o) { append_cpu_mask(o, 8); }), "ff");
    EXPECT_EQ(text([](StringBuilder& o) { append_cpu_mask(o, 32); }), "ffffffff");
    EXPECT_EQ(text([](StringBuilder& o) { append_cpu_mask(o, 33); }), "1,ffffffff");
    EXPECT_EQ(text([](StringBuilder& o) { append_cpu_mask(o, 40); }), "ff,ffffffff");
    EXPECT_EQ(text([](StringBuilder& o) { append_cpu_mask(o, 64); }), "ffffffff,ffffffff");
}

TEST(ProcfsFormat, MapsLinesPadTheNameToColumn73) {
    MapsLine file{0x55de4424c000, 0x55de4424e000, 1, false, 0, 0xfe, 0, 247134, "/usr/bin/cat"};
    EXPECT_EQ(text([&](StringBuilder& o) { append_maps_line(o, file); }),
              "55de4424c000-55de4424e000 r--p 00000000 fe:00 247134                     "
              "/usr/bin/cat\n");
    MapsLine text_seg{0x55de4424e000, 0x55de44253000, 5, false, 0x2000, 0xfe, 0,
                      247134,         "/usr/bin/cat"};
    EXPECT_EQ(text([&](StringBuilder& o) { append_maps_line(o, text_seg); }),
              "55de4424e000-55de44253000 r-xp 00002000 fe:00 247134                     "
              "/usr/bin/cat\n");
    // Anonymous memory: no padding, the trailing space stays.
    MapsLine anon{0x7ffff7dd6000, 0x7ffff7dd9000, 3, false, 0, 0, 0, 0, nullptr};
    EXPECT_EQ(text([&](StringBuilder& o) { append_maps_line(o, anon); }),
              "7ffff7dd6000-7ffff7dd9000 rw-p 00000000 00:00 0 \n");
    MapsLine stack{0x7ffffffde000, 0x7ffffffff000, 3, false, 0, 0, 0, 0, "[stack]"};
    EXPECT_EQ(text([&](StringBuilder& o) { append_maps_line(o, stack); }),
              "7ffffffde000-7ffffffff000 rw-p 00000000 00:00 0                          "
              "[stack]\n");
    // Short addresses are padded to 8 digits; shared, no-access and large-offset forms.
    MapsLine low{0x400000, 0x401000, 0, true, 0x123456789, 0x103, 0x1ff, 7, "/x"};
    const std::string l = text([&](StringBuilder& o) { append_maps_line(o, low); });
    EXPECT_EQ(l.substr(0, 48), "00400000-00401000 ---s 123456789 103:1ff 7      ");
    EXPECT_EQ(l.find("/x"), 73u);
}

TEST(ProcfsFormat, TaskStatHas52FieldsInLinuxOrder) {
    TaskStat s{};
    s.pid = 1646;
    s.comm = "cat";
    s.state = 'R';
    s.ppid = 1640;
    s.pgrp = 1640;
    s.session = 32393;
    s.flags = 4194304;
    s.utime = 3;
    s.stime = 1;
    s.priority = 20;
    s.num_threads = 1;
    s.start_time = 1515147;
    s.vsize = 3133440;
    s.rss = 417;
    s.rsslim = ~0ull;
    s.start_code = 94850915983360;
    s.end_code = 94850916003241;
    s.start_stack = 140733203874208;
    s.signal = 1ull << 40 | 2; // only the low 31 bits are shown
    s.sigcatch = 1ull << 16;
    s.exit_signal = 17;
    s.processor = 1;
    s.start_data = 94850916019248;
    s.end_data = 94850916020864;
    s.start_brk = 94851285258240;
    s.arg_start = 140733203876489;
    s.arg_end = 140733203876509;
    s.env_start = 140733203876509;
    s.env_end = 140733203877867;
    EXPECT_EQ(text([&](StringBuilder& o) { append_task_stat(o, s); }),
              "1646 (cat) R 1640 1640 32393 0 -1 4194304 0 0 0 0 3 1 0 0 20 0 1 0 1515147 "
              "3133440 417 18446744073709551615 94850915983360 94850916003241 140733203874208 "
              "0 0 2 0 0 65536 0 0 0 17 1 0 0 0 0 0 94850916019248 94850916020864 "
              "94851285258240 140733203876489 140733203876509 140733203876509 140733203877867 "
              "0\n");
    s.exit_signal = -1;
    s.sleeping = true;
    const std::string t = text([&](StringBuilder& o) { append_task_stat(o, s); });
    EXPECT_NE(t.find(" 65536 1 0 0 -1 1 "), std::string::npos) << t;
}

TEST(ProcfsFormat, TaskStatusLinesAndWidths) {
    TaskStatus s{};
    s.name = "a\\b\nc";
    s.state = 'S';
    s.tgid = 10;
    s.pid = 11;
    s.ppid = 1;
    s.pgrp = 10;
    s.session = 9;
    s.uid = s.euid = 1000;
    s.gid = s.egid = 100;
    s.fd_size = 64;
    s.vm_peak = 3060;
    s.vm_size = 3060;
    s.vm_hwm = 1700;
    s.vm_rss = 1700;
    s.rss_anon = 116;
    s.rss_file = 1584;
    s.vm_stk = 132;
    s.vm_pte = 48;
    s.threads = 2;
    s.sig_limit = 96365;
    s.sig_blocked = 1ull << 9;
    s.sig_caught = 0x4000;
    s.cap_bounding = 0x1ffffffffff;
    s.cpus = 2;
    const std::string t = text([&](StringBuilder& o) { append_task_status(o, s); });
    EXPECT_EQ(t.rfind("Name:\ta\\\\b\\nc\nUmask:\t0022\nState:\tS (sleeping)\n", 0), 0u) << t;
    for (const char* line :
         {"\nTgid:\t10\nNgid:\t0\nPid:\t11\nPPid:\t1\nTracerPid:\t0\n",
          "\nUid:\t1000\t1000\t1000\t1000\nGid:\t100\t100\t100\t100\nFDSize:\t64\nGroups:\t \n",
          "\nNStgid:\t10\nNSpid:\t11\nNSpgid:\t10\nNSsid:\t9\nKthread:\t0\nVmPeak:\t    3060 kB\n",
          "\nVmHWM:\t    1700 kB\nVmRSS:\t    1700 kB\nRssAnon:\t     116 kB\nRssFile:\t    1584 "
          "kB\n",
          "\nVmStk:\t     132 kB\n", "\nVmPTE:\t      48 kB\nVmSwap:\t       0 kB\n",
          "\nThreads:\t2\nSigQ:\t0/96365\nSigPnd:\t0000000000000000\n",
          "\nSigBlk:\t0000000000000200\nSigIgn:\t0000000000000000\nSigCgt:\t0000000000004000\n",
          "\nCapBnd:\t000001ffffffffff\n", "\nCpus_allowed:\t3\nCpus_allowed_list:\t0-1\n",
          "00000000,00000001\nMems_allowed_list:\t0\n", "\nnonvoluntary_ctxt_switches:\t0\n"})
        EXPECT_NE(t.find(line), std::string::npos) << line;
    EXPECT_EQ(t.back(), '\n');
    EXPECT_EQ(std::string(state_name('R')), "R (running)");
    EXPECT_EQ(std::string(state_name('Z')), "Z (zombie)");
}

TEST(ProcfsFormat, Meminfo) {
    MemInfo m{};
    m.total = 24684084;
    m.free = 19761792;
    m.available = 20711688;
    m.direct_map_2m = 2068480;
    const std::string t = text([&](StringBuilder& o) { append_meminfo(o, m); });
    EXPECT_EQ(t.substr(0, 84), "MemTotal:       24684084 kB\nMemFree:        19761792 kB\n"
                               "MemAvailable:   20711688 kB\n");
    for (const char* line :
         {"\nSecPageTables:         0 kB\n", "\nVmallocTotal:   34359738367 kB\n",
          "\nHugePages_Total:       0\nHugePages_Free:        0\n",
          "\nHugepagesize:       2048 kB\nHugetlb:               0 kB\n",
          "\nDirectMap2M:     2068480 kB\n"})
        EXPECT_NE(t.find(line), std::string::npos) << line;
}

CpuidLeaf brand_leaf(const char* s16) {
    CpuidLeaf l;
    std::memcpy(&l, s16, 16);
    return l;
}

CpuidSnapshot xeon() {
    CpuidSnapshot c{};
    c.basic0 = {0x1c, 0x756e6547, 0x6c65746e, 0x49656e69}; // "GenuineIntel"
    c.basic1 = {0x000c06f2, 0x00020800, 0x1 | (1u << 9) | (1u << 31), 0x1 | (1u << 4) | (1u << 26)};
    // fpu tsc sse2; pni ssse3 hypervisor
    c.ext7_0 = {0, (1u << 5), 0, 0}; // avx2
    c.ext0 = {0x80000008, 0, 0, 0};
    c.ext1 = {0, 0, 1, (1u << 11) | (1u << 29)}; // lahf_lm; syscall, lm
    c.brand[0] = brand_leaf("Intel(R) Xeon(R)");
    c.brand[1] = brand_leaf(" Processor\0\0\0\0\0\0");
    c.brand[2] = brand_leaf("\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0");
    c.ext7 = {0, 0, 0, 1u << 8}; // invariant TSC
    c.ext8 = {0x3930, 0, 0, 0};  // 48 bits physical, 57 virtual
    c.cache_size_kb = 266240;
    c.microcode = 1;
    return c;
}

TEST(ProcfsFormat, CpuinfoBlocks) {
    const std::string t = text([](StringBuilder& o) { append_cpuinfo(o, xeon(), 2, 2300000); });
    EXPECT_EQ(t.substr(0, t.find("flags")),
              "processor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 207\n"
              "model name\t: Intel(R) Xeon(R) Processor\nstepping\t: 2\nmicrocode\t: 0x1\n"
              "cpu MHz\t\t: 2300.000\ncache size\t: 266240 KB\nphysical id\t: 0\nsiblings\t: 2\n"
              "core id\t\t: 0\ncpu cores\t: 2\napicid\t\t: 0\ninitial apicid\t: 0\n"
              "fpu\t\t: yes\nfpu_exception\t: yes\ncpuid level\t: 28\nwp\t\t: yes\n");
    // Linux's order: CPUID 1 EDX, 0x80000001 EDX, Linux-defined, 1 ECX, 0x80000001 ECX, 7 EBX.
    EXPECT_NE(
        t.find("flags\t\t: fpu tsc sse2 syscall lm constant_tsc rep_good nopl xtopology "
               "nonstop_tsc cpuid tsc_known_freq pni ssse3 hypervisor lahf_lm avx2\nbugs\t\t:\n"
               "bogomips\t: 4600.00\nclflush size\t: 64\ncache_alignment\t: 64\n"
               "address sizes\t: 48 bits physical, 57 bits virtual\npower management:\n\n"),
        std::string::npos)
        << t;
    EXPECT_NE(t.find("processor\t: 1\n"), std::string::npos);
    EXPECT_NE(t.find("apicid\t\t: 1\ninitial apicid\t: 1\n"), std::string::npos);
}

TEST(ProcfsFormat, CacheSizeIsTheLastLevel) {
    auto cache = [](u32 type, u32 level, u32 ways, u32 line, u32 sets) {
        return CpuidLeaf{type | level << 5, (ways - 1) << 22 | (line - 1), sets - 1, 0};
    };
    const CpuidLeaf leaves[] = {cache(1, 1, 12, 64, 64), cache(2, 1, 8, 64, 64),
                                cache(3, 2, 16, 64, 2048), cache(3, 3, 16, 64, 266240),
                                CpuidLeaf{0, 0, 0, 0}};
    EXPECT_EQ(cache_size_kb(leaves, 5), 266240u);
    EXPECT_EQ(cache_size_kb(leaves, 3), 2048u);
    EXPECT_EQ(cache_size_kb(leaves, 2), 48u + 32u);
    EXPECT_EQ(cache_size_kb(leaves, 0), 0u);
}

TEST(ProcfsFormat, ProcStatUptimeLoadavgLimits) {
    const CpuTimes cpus[2] = {{871032, 95522, 534408}, {907495, 70838, 524056}};
    SystemStat s{cpus, 2, 1795358884, 30239174, 273012, 11, 0};
    EXPECT_EQ(text([&](StringBuilder& o) { append_proc_stat(o, s); }),
              "cpu  1778527 0 166360 1058464 0 0 0 0 0 0\n"
              "cpu0 871032 0 95522 534408 0 0 0 0 0 0\n"
              "cpu1 907495 0 70838 524056 0 0 0 0 0 0\n"
              "intr 0\nctxt 30239174\nbtime 1795358884\nprocesses 273012\nprocs_running 11\n"
              "procs_blocked 0\nsoftirq 0 0 0 0 0 0 0 0 0 0 0\n");
    EXPECT_EQ(text([](StringBuilder& o) { append_uptime(o, 15467699999999, 10584680000000); }),
              "15467.69 10584.68\n");
    EXPECT_EQ(text([](StringBuilder& o) { append_loadavg(o, 10, 167, 13341); }),
              "0.00 0.00 0.00 10/167 13341\n");
    Limit limits[16];
    for (Limit& l : limits) l = {~0ull, ~0ull};
    limits[3] = {8388608, ~0ull};
    limits[7] = {1024, 524288};
    const std::string t = text([&](StringBuilder& o) { append_limits(o, limits); });
    EXPECT_EQ(t.substr(0, 158),
              "Limit                     Soft Limit           Hard Limit           Units     \n"
              "Max cpu time              unlimited            unlimited            seconds   \n");
    EXPECT_NE(
        t.find("Max stack size            8388608              unlimited            bytes     \n"),
        std::string::npos);
    EXPECT_NE(
        t.find("Max open files            1024                 524288               files     \n"),
        std::string::npos);
    EXPECT_NE(t.find("Max nice priority         unlimited            unlimited            \n"),
              std::string::npos);
}

TEST(ProcfsFormat, Dirent64Records) {
    u8 buf[64] = {};
    const usize a = append_dirent64(buf, sizeof buf, 0, 7, DT_DIR, ".");
    EXPECT_EQ(a, 24u); // 19 bytes of header + "." + NUL, rounded up to 8
    const usize b = append_dirent64(buf, sizeof buf, a, 1234, DT_LNK, "self");
    EXPECT_EQ(b, 48u);
    u64 ino;
    i64 off;
    u16 reclen;
    std::memcpy(&ino, buf + a, 8);
    std::memcpy(&off, buf + a + 8, 8);
    std::memcpy(&reclen, buf + a + 16, 2);
    EXPECT_EQ(ino, 1234u);
    EXPECT_EQ(off, 48);
    EXPECT_EQ(reclen, 24u);
    EXPECT_EQ(buf[a + 18], DT_LNK);
    EXPECT_STREQ(reinterpret_cast<const char*>(buf + a + 19), "self");
    EXPECT_EQ(append_dirent64(buf, sizeof buf, b, 1, DT_REG, "does-not-fit"), 0u);
}

} // namespace
} // namespace jvmos::procfs
