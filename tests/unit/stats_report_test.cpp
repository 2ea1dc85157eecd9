// `jvmos --stats`: reading the guest's counters (hostile input) and formatting the report.
#include "stats_report.h"

#include "jvmos/abi/abi.h"

#include <gtest/gtest.h>
#include <linux/kvm.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace jvmos::boot {
namespace {

// The report's line that starts with `prefix` (after trimming nothing), or "" if none.
std::string line_starting(const std::string& report, const std::string& prefix) {
    size_t pos = 0;
    while (pos < report.size()) {
        const size_t end = report.find('\n', pos);
        const std::string line = report.substr(pos, end - pos);
        if (line.rfind(prefix, 0) == 0) return line;
        if (end == std::string::npos) break;
        pos = end + 1;
    }
    return "";
}

// The columns of a report line after its name column.
std::vector<std::string> columns(const std::string& line) {
    std::vector<std::string> out;
    size_t pos = 30; // the name column's width
    while (pos < line.size()) {
        while (pos < line.size() && line[pos] == ' ') pos++;
        const size_t end = line.find(' ', pos);
        if (pos < line.size()) out.push_back(line.substr(pos, end - pos));
        pos = end == std::string::npos ? line.size() : end;
    }
    return out;
}

GuestStats empty_guest() {
    GuestStats g;
    for (const char* kind : {"anonymous, 64K window", "anonymous, 2M page", "file (shipped read)",
                             "already mapped", "signal (SEGV/BUS)"})
        g.faults.push_back({kind, 0, 0, 0});
    for (const char* trap : {"halt", "timer deadline write"}) g.traps.push_back({trap, 0, 0, 0});
    return g;
}

TEST(StatsReport, TopTenLocalSyscallsByCpuTimeThenTheRest) {
    RunStats s;
    s.wall_ns = 2'000'000'000;
    GuestStats g = empty_guest();
    // sc0 .. sc11: sc11 has the most CPU time; wall time runs the other way.
    for (int i = 0; i < 12; i++)
        g.local_syscalls.push_back({"sc" + std::to_string(i), uint64_t(100 + i),
                                    uint64_t(1'000'000 * (20 - i)), uint64_t(1'000'000 * (i + 1))});
    s.guest = g;
    const std::string report = format_stats_report(s);

    std::vector<std::string> names;
    size_t pos = report.find("local syscalls");
    ASSERT_NE(pos, std::string::npos) << report;
    for (int i = 0; i < 10; i++) {
        pos = report.find("\n  ", pos);
        ASSERT_NE(pos, std::string::npos);
        pos += 3;
        names.push_back(report.substr(pos, report.find(' ', pos) - pos));
    }
    EXPECT_EQ(names, (std::vector<std::string>{"sc11", "sc10", "sc9", "sc8", "sc7", "sc6", "sc5",
                                               "sc4", "sc3", "sc2"}));
    EXPECT_EQ(line_starting(report, "  sc1 "), "");
    EXPECT_EQ(line_starting(report, "  sc0 "), "");
    // The two left out are summed on one line: 100 + 101 calls, 2 ms + 1 ms of CPU.
    EXPECT_EQ(columns(line_starting(report, "  (2 others)")),
              (std::vector<std::string>{"201", "3.000", "39.000", "194.0"}));
    // The total covers all twelve: 1,266 calls, 78 ms of CPU, 174 ms of wall time.
    EXPECT_EQ(columns(line_starting(report, "local syscalls")),
              (std::vector<std::string>{"1,266", "78.000", "174.000", "137.4"}));
    EXPECT_EQ(columns(line_starting(report, "  sc11 ")),
              (std::vector<std::string>{"111", "12.000", "9.000", "81.0"}));
}

TEST(StatsReport, ShippedCallsFaultsInterruptsAndTraps) {
    RunStats s;
    s.wall_ns = 1'500'000'000;
    s.cpus = 1;
    GuestStats g = empty_guest();
    g.shipped_syscalls = {{"read", 10, 5'000'000, 100'000}, {"openat", 20, 9'000'000, 200'000}};
    g.ship_ops = {{"pread", 5, 1'000'000, 0}, {"openAt", 25, 2'500'000, 0}};
    g.ship_blocked = 3;
    g.faults[0] = {"anonymous, 64K window", 1000, 8'000'000, 0};
    g.faults[2] = {"file (shipped read)", 10, 1'000'000, 0};
    g.interrupts = {{"timer, vector 0x30", 7, 70'000, 0}};
    g.traps[0] = {"halt", 12, 0, 0};
    g.traps[1] = {"timer deadline write", 30, 0, 0};
    g.context_switches = 42;
    g.idle_ns = 500'000'000;
    s.guest = g;
    const std::string report = format_stats_report(s);

    EXPECT_EQ(line_starting(report, "wall "),
              "wall 1500.000 ms, 1 vCPU: guest CPU (busy) 1000.000 ms, idle (halted) 500.000 ms; "
              "42 context switches");
    // Shipped syscalls by wall time: openat first.
    EXPECT_LT(report.find("  openat "), report.find("  read "));
    EXPECT_EQ(columns(line_starting(report, "shipped syscalls")),
              (std::vector<std::string>{"30", "0.300", "14.000", "466.6"}));
    EXPECT_EQ(columns(line_starting(report, "shipped calls (ring)")),
              (std::vector<std::string>{"30", "3.500", "116.6"}));
    // Ops by count: openAt (25) before pread (5).
    EXPECT_LT(report.find("  openAt "), report.find("  pread "));
    EXPECT_EQ(columns(line_starting(report, "  (blocked past the spin)")),
              (std::vector<std::string>{"3"}));
    EXPECT_EQ(columns(line_starting(report, "page faults")),
              (std::vector<std::string>{"1,010", "9.000", "8.9"}));
    EXPECT_EQ(columns(line_starting(report, "  anonymous, 2M page")),
              (std::vector<std::string>{"0", "0.000", "-"}));
    EXPECT_EQ(columns(line_starting(report, "  timer, vector 0x30")),
              (std::vector<std::string>{"7", "0.070", "10.0"}));
    EXPECT_EQ(columns(line_starting(report, "traps to the hypervisor")),
              (std::vector<std::string>{"42"}));
    EXPECT_EQ(columns(line_starting(report, "  timer deadline write")),
              (std::vector<std::string>{"30"}));
}

TEST(StatsReport, ExitsToTheMonitorByReasonAndPort) {
    ExitCounts a, b;
    ExitRecord io;
    io.reason = KVM_EXIT_IO;
    io.io.port = JVMOS_PORT_REQUEST;
    for (int i = 0; i < 3; i++) a.count(io);
    io.io.port = JVMOS_PORT_EXIT;
    b.count(io);
    ExitRecord intr;
    intr.reason = KVM_EXIT_INTR;
    b.count(intr);
    a.add(b);
    EXPECT_EQ(a.total(), 5u);

    RunStats s;
    s.wall_ns = 1'000'000;
    s.exits = a;
    const std::string report = format_stats_report(s);
    // Without guest counters the report says so and still has the monitor's side.
    EXPECT_NE(report.find("(the guest kernel published no counters)\n"), std::string::npos);
    EXPECT_EQ(line_starting(report, "local syscalls"), "");
    EXPECT_EQ(columns(line_starting(report, "exits to the monitor")),
              (std::vector<std::string>{"5"}));
    EXPECT_EQ(columns(line_starting(report, "  host request")), (std::vector<std::string>{"3"}));
    EXPECT_EQ(columns(line_starting(report, "  program exit")), (std::vector<std::string>{"1"}));
    EXPECT_EQ(columns(line_starting(report, "  host signal (EINTR)")),
              (std::vector<std::string>{"1"}));
}

// Guest RAM with a boot info at 0 and a stats block for `cpus` vCPUs at STATS_GPA.
class ReadGuestStatsTest : public ::testing::Test {
  protected:
    static constexpr uint64_t STATS_GPA = 0x10000;
    static constexpr uint32_t CPUS = 2;
    static constexpr uint64_t TSC_KHZ = 2'000'000; // 2 GHz: 2 ticks per ns

    ReadGuestStatsTest() : ram(1 << 20), mem({{0, ram.size(), ram.data()}}) {
        boot()->stats_gpa = STATS_GPA;
        boot()->stats_size = sizeof(jvmos_stats) + CPUS * sizeof(jvmos_stats_cpu);
        header()->magic = JVMOS_STATS_MAGIC;
        header()->cpu_count = CPUS;
        header()->syscall_kind[0] = JVMOS_STATS_SYSCALL_SHIPPED;
        std::strcpy(header()->syscall_name[0], "read");
        header()->syscall_kind[9] = JVMOS_STATS_SYSCALL_LOCAL;
        std::strcpy(header()->syscall_name[9], "mmap");
        std::strcpy(header()->vector_name[0x30], "timer");
    }
    jvmos_boot_info* boot() { return reinterpret_cast<jvmos_boot_info*>(ram.data()); }
    jvmos_stats* header() { return reinterpret_cast<jvmos_stats*>(ram.data() + STATS_GPA); }
    jvmos_stats_cpu* cpu(uint32_t c) {
        return reinterpret_cast<jvmos_stats_cpu*>(ram.data() + STATS_GPA + sizeof(jvmos_stats) +
                                                  c * sizeof(jvmos_stats_cpu));
    }
    std::optional<GuestStats> read() { return read_guest_stats(mem, {0}, CPUS, TSC_KHZ); }

    std::vector<uint8_t> ram;
    GuestMemory mem;
};

TEST_F(ReadGuestStatsTest, SumsTheVcpusAndConvertsTicks) {
    cpu(0)->syscall_count[9] = 3;
    cpu(0)->syscall_tsc[9] = 6000;
    cpu(1)->syscall_count[9] = 1;
    cpu(1)->syscall_cpu_tsc[9] = 2000;
    cpu(1)->syscall_count[0] = 5;
    cpu(0)->ship_count[JVMOS_SHIP_OPENAT] = 4;
    cpu(0)->ship_tsc[JVMOS_SHIP_OPENAT] = 400'000;
    cpu(1)->ship_count[60] = 1; // an op the monitor has no name for
    cpu(1)->ship_blocked = 2;
    cpu(0)->fault_count[JVMOS_STATS_FAULT_HUGE] = 6;
    cpu(1)->fault_tsc[JVMOS_STATS_FAULT_HUGE] = 20;
    cpu(0)->irq_count[0x30] = 2;
    cpu(1)->irq_count[0x41] = 1;
    cpu(0)->trap_count[JVMOS_STATS_TRAP_DOORBELL] = 8;
    cpu(1)->trap_count[JVMOS_STATS_TRAP_DOORBELL] = 1;
    cpu(0)->context_switches = 4;
    cpu(1)->context_switches = 5;
    cpu(1)->idle_tsc = 2'000'000'000;

    const auto g = read();
    ASSERT_TRUE(g);
    ASSERT_EQ(g->local_syscalls.size(), 1u);
    EXPECT_EQ(g->local_syscalls[0].name, "mmap");
    EXPECT_EQ(g->local_syscalls[0].count, 4u);
    EXPECT_EQ(g->local_syscalls[0].ns, 3000u);
    EXPECT_EQ(g->local_syscalls[0].cpu_ns, 1000u);
    ASSERT_EQ(g->shipped_syscalls.size(), 1u);
    EXPECT_EQ(g->shipped_syscalls[0].name, "read");
    EXPECT_EQ(g->shipped_syscalls[0].count, 5u);
    ASSERT_EQ(g->ship_ops.size(), 2u);
    EXPECT_EQ(g->ship_ops[0].name, "openAt");
    EXPECT_EQ(g->ship_ops[0].ns, 200'000u);
    EXPECT_EQ(g->ship_ops[1].name, "op 60");
    EXPECT_EQ(g->ship_blocked, 2u);
    ASSERT_EQ(g->faults.size(), 5u);
    EXPECT_EQ(g->faults[JVMOS_STATS_FAULT_HUGE].count, 6u);
    EXPECT_EQ(g->faults[JVMOS_STATS_FAULT_HUGE].ns, 10u);
    ASSERT_EQ(g->interrupts.size(), 2u);
    EXPECT_EQ(g->interrupts[0].name, "timer, vector 0x30");
    EXPECT_EQ(g->interrupts[1].name, "vector 0x41");
    EXPECT_EQ(g->traps[JVMOS_STATS_TRAP_DOORBELL].count, 9u);
    EXPECT_EQ(g->context_switches, 9u);
    EXPECT_EQ(g->idle_ns, 1'000'000'000u);
}

TEST_F(ReadGuestStatsTest, GuestNamesAreBoundedAndPrintable) {
    std::memset(header()->syscall_name[9], 'x', JVMOS_STATS_NAME_LEN); // no NUL
    header()->syscall_name[9][2] = '\n';
    cpu(0)->syscall_count[9] = 1;
    cpu(0)->syscall_count[400] = 1; // no name at all
    const auto g = read();
    ASSERT_TRUE(g);
    ASSERT_EQ(g->local_syscalls.size(), 2u);
    EXPECT_EQ(g->local_syscalls[0].name, "xx?" + std::string(JVMOS_STATS_NAME_LEN - 3, 'x'));
    EXPECT_EQ(g->local_syscalls[1].name, "syscall 400");
}

TEST_F(ReadGuestStatsTest, RejectsWhatTheGuestGotWrong) {
    ASSERT_TRUE(read());
    boot()->stats_gpa = 0; // never published
    EXPECT_FALSE(read());
    boot()->stats_gpa = ram.size() - 4096; // runs past the end of RAM
    EXPECT_FALSE(read());
    boot()->stats_gpa = STATS_GPA;
    boot()->stats_size -= 8;
    EXPECT_FALSE(read());
    boot()->stats_size += 8;
    header()->magic = 0;
    EXPECT_FALSE(read());
    header()->magic = JVMOS_STATS_MAGIC;
    header()->cpu_count = CPUS + 1;
    EXPECT_FALSE(read());
    header()->cpu_count = CPUS;
    EXPECT_TRUE(read());
    EXPECT_FALSE(read_guest_stats(mem, {0}, CPUS + 1, TSC_KHZ));      // not the vCPUs it ran
    EXPECT_FALSE(read_guest_stats(mem, {ram.size()}, CPUS, TSC_KHZ)); // boot info not in RAM
}

} // namespace
} // namespace jvmos::boot
