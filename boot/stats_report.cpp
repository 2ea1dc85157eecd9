#include "stats_report.h"

#include "jvmos/abi/abi.h"

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <linux/kvm.h>
#include <memory>

namespace jvmos::boot {

void ExitCounts::count(const ExitRecord& exit) {
    by_reason[exit.reason]++;
    if (exit.reason == KVM_EXIT_IO) io_by_port[exit.io.port]++;
}

void ExitCounts::add(const ExitCounts& other) {
    for (const auto& [reason, n] : other.by_reason) by_reason[reason] += n;
    for (const auto& [port, n] : other.io_by_port) io_by_port[port] += n;
}

uint64_t ExitCounts::total() const {
    uint64_t n = 0;
    for (const auto& [reason, count] : by_reason) n += count;
    return n;
}

namespace {

constexpr size_t TOP_SYSCALLS = 10;

const char* ship_op_name(uint32_t op) {
    switch (op) {
    case JVMOS_SHIP_READ:
        return "read";
    case JVMOS_SHIP_WRITE:
        return "write";
    case JVMOS_SHIP_PREAD:
        return "pread";
    case JVMOS_SHIP_PWRITE:
        return "pwrite";
    case JVMOS_SHIP_SEEK:
        return "seek";
    case JVMOS_SHIP_STAT:
        return "stat";
    case JVMOS_SHIP_STATFS:
        return "statfs";
    case JVMOS_SHIP_TRUNCATE:
        return "truncate";
    case JVMOS_SHIP_SYNC:
        return "sync";
    case JVMOS_SHIP_FLOCK:
        return "flock";
    case JVMOS_SHIP_GETFL:
        return "getfl";
    case JVMOS_SHIP_SETFL:
        return "setfl";
    case JVMOS_SHIP_IOCTL:
        return "ioctl";
    case JVMOS_SHIP_CHMOD:
        return "chmod";
    case JVMOS_SHIP_GETDENTS:
        return "getdents";
    case JVMOS_SHIP_OPENAT:
        return "openAt";
    case JVMOS_SHIP_STATAT:
        return "statAt";
    case JVMOS_SHIP_READLINKAT:
        return "readlinkAt";
    case JVMOS_SHIP_ACCESSAT:
        return "accessAt";
    case JVMOS_SHIP_MKDIRAT:
        return "mkdirAt";
    case JVMOS_SHIP_UNLINKAT:
        return "unlinkAt";
    case JVMOS_SHIP_RENAMEAT:
        return "renameAt";
    case JVMOS_SHIP_CHMODAT:
        return "chmodAt";
    case JVMOS_SHIP_PIPE:
        return "pipe";
    case JVMOS_SHIP_RELEASE:
        return "release";
    case JVMOS_SHIP_COPY_RANGE:
        return "copyRange";
    case JVMOS_SHIP_SOCKETPAIR:
        return "socketpair";
    case JVMOS_SHIP_POLL:
        return "poll";
    default:
        return nullptr;
    }
}

const char* const FAULT_NAMES[] = {
    "anonymous, 64K window", // JVMOS_STATS_FAULT_ANON
    "anonymous, 2M page",    // JVMOS_STATS_FAULT_HUGE
    "file (shipped read)",   // JVMOS_STATS_FAULT_FILE
    "already mapped",        // JVMOS_STATS_FAULT_STALE
    "signal (SEGV/BUS)",     // JVMOS_STATS_FAULT_SIGNAL
};

const char* const TRAP_NAMES[] = {
    "halt",                 // JVMOS_STATS_TRAP_HALT
    "timer deadline write", // JVMOS_STATS_TRAP_TIMER_WRITE
    "TLB flush, one page",  // JVMOS_STATS_TRAP_TLB_FLUSH_PAGE
    "TLB flush, all",       // JVMOS_STATS_TRAP_TLB_FLUSH_ALL
    "ship doorbell",        // JVMOS_STATS_TRAP_DOORBELL
    "interrupt window",     // JVMOS_STATS_TRAP_IRQ_WINDOW
};

// TSC ticks -> ns without overflow for any run length.
uint64_t ticks_to_ns(uint64_t ticks, uint64_t tsc_khz) {
    return uint64_t((unsigned __int128)ticks * 1'000'000 / tsc_khz);
}

// A guest-written name: at most JVMOS_STATS_NAME_LEN bytes, NUL-terminated by us, printable.
std::string guest_name(const char (&raw)[JVMOS_STATS_NAME_LEN]) {
    std::string name(raw, strnlen(raw, sizeof raw));
    for (char& c : name)
        if (c < 0x20 || c > 0x7e) c = '?';
    return name;
}

std::string printf_string(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
std::string printf_string(const char* fmt, ...) {
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    std::vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return buf;
}

// 1234567 -> "1,234,567".
std::string grouped(uint64_t v) {
    std::string digits = std::to_string(v);
    std::string out;
    for (size_t i = 0; i < digits.size(); i++) {
        if (i && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return out;
}

std::string ms(uint64_t ns) {
    return printf_string("%llu.%03llu", (unsigned long long)(ns / 1'000'000),
                         (unsigned long long)(ns / 1'000 % 1'000));
}

// Average in microseconds with one decimal ("-" for no events).
std::string avg_us(uint64_t ns, uint64_t count) {
    if (!count) return "-";
    const uint64_t tenths = ns / count / 100;
    return printf_string("%llu.%llu", (unsigned long long)(tenths / 10),
                         (unsigned long long)(tenths % 10));
}

// One table row: a name (indented for the entries under a total), then right-aligned columns.
std::string row(const std::string& name, const std::vector<std::string>& columns) {
    std::string line = printf_string("%-30s", name.c_str());
    for (const auto& c : columns) line += printf_string(" %12s", c.c_str());
    while (!line.empty() && line.back() == ' ') line.pop_back();
    return line + "\n";
}

uint64_t sum_count(const std::vector<CountedTime>& v) {
    uint64_t n = 0;
    for (const auto& e : v) n += e.count;
    return n;
}
uint64_t sum_ns(const std::vector<CountedTime>& v) {
    uint64_t n = 0;
    for (const auto& e : v) n += e.ns;
    return n;
}
uint64_t sum_cpu_ns(const std::vector<CountedTime>& v) {
    uint64_t n = 0;
    for (const auto& e : v) n += e.cpu_ns;
    return n;
}

// The `limit` entries of `v` with the most `key`, ties by name; a line for the rest.
template <typename Key>
std::string top_rows(std::vector<CountedTime> v, size_t limit, Key key,
                     std::vector<std::string> (*columns)(const CountedTime&)) {
    std::stable_sort(v.begin(), v.end(), [&](const CountedTime& a, const CountedTime& b) {
        return key(a) != key(b) ? key(a) > key(b) : a.name < b.name;
    });
    std::string out;
    for (size_t i = 0; i < v.size() && i < limit; i++) out += row("  " + v[i].name, columns(v[i]));
    if (v.size() > limit) {
        std::vector<CountedTime> rest(v.begin() + long(limit), v.end());
        CountedTime other{printf_string("  (%zu others)", rest.size()), sum_count(rest),
                          sum_ns(rest), sum_cpu_ns(rest)};
        out += row(other.name, columns(other));
    }
    return out;
}

std::vector<std::string> syscall_columns(const CountedTime& e) {
    return {grouped(e.count), ms(e.cpu_ns), ms(e.ns), avg_us(e.ns, e.count)};
}
std::vector<std::string> timed_columns(const CountedTime& e) {
    return {grouped(e.count), ms(e.ns), avg_us(e.ns, e.count)};
}

std::string exit_name(uint32_t reason) {
    switch (reason) {
    case KVM_EXIT_IO:
        return "port I/O";
    case KVM_EXIT_INTR:
        return "host signal (EINTR)";
    case KVM_EXIT_HLT:
        return "halt";
    case KVM_EXIT_MMIO:
        return "MMIO";
    case KVM_EXIT_SHUTDOWN:
        return "shutdown";
    case KVM_EXIT_FAIL_ENTRY:
        return "failed entry";
    case KVM_EXIT_INTERNAL_ERROR:
        return "internal error";
    default:
        return "exit reason " + std::to_string(reason);
    }
}

std::string port_name(uint16_t port) {
    switch (port) {
    case JVMOS_PORT_REQUEST:
        return "host request";
    case JVMOS_PORT_EXIT:
        return "program exit";
    case JVMOS_PORT_DOORBELL:
        return "ship doorbell";
    default:
        return printf_string("port %#x", port);
    }
}

std::string format_guest(const GuestStats& g) {
    std::string out;
    out += row("", {"calls", "CPU ms", "wall ms", "avg us"});
    CountedTime local{"local syscalls", sum_count(g.local_syscalls), sum_ns(g.local_syscalls),
                      sum_cpu_ns(g.local_syscalls)};
    out += row(local.name, syscall_columns(local));
    out += top_rows(
        g.local_syscalls, TOP_SYSCALLS, [](const CountedTime& e) { return e.cpu_ns; },
        syscall_columns);
    CountedTime shipped{"shipped syscalls", sum_count(g.shipped_syscalls),
                        sum_ns(g.shipped_syscalls), sum_cpu_ns(g.shipped_syscalls)};
    out += row(shipped.name, syscall_columns(shipped));
    out += top_rows(
        g.shipped_syscalls, TOP_SYSCALLS, [](const CountedTime& e) { return e.ns; },
        syscall_columns);

    out += row("", {"calls", "wall ms", "avg us"});
    out += row("shipped calls (ring)", {grouped(sum_count(g.ship_ops)), ms(sum_ns(g.ship_ops)),
                                        avg_us(sum_ns(g.ship_ops), sum_count(g.ship_ops))});
    out += top_rows(
        g.ship_ops, g.ship_ops.size(), [](const CountedTime& e) { return e.count; }, timed_columns);
    out += row("  (blocked past the spin)", {grouped(g.ship_blocked)});

    out += row("", {"count", "time ms", "avg us"});
    out += row("page faults", timed_columns({"", sum_count(g.faults), sum_ns(g.faults), 0}));
    for (const auto& f : g.faults) out += row("  " + f.name, timed_columns(f));
    out += row("interrupts", timed_columns({"", sum_count(g.interrupts), sum_ns(g.interrupts), 0}));
    for (const auto& i : g.interrupts) out += row("  " + i.name, timed_columns(i));
    out += row("traps to the hypervisor", {grouped(sum_count(g.traps))});
    for (const auto& t : g.traps) out += row("  " + t.name, {grouped(t.count)});
    return out;
}

} // namespace

std::optional<GuestStats> read_guest_stats(const GuestMemory& mem, GuestPhysAddr boot_info_gpa,
                                           uint32_t cpus, uint64_t tsc_khz) {
    const auto* boot = mem.object<jvmos_boot_info>(boot_info_gpa);
    if (!boot || tsc_khz == 0 || cpus == 0) return std::nullopt;
    // Read once: the fields are the guest's.
    const uint64_t gpa = boot->stats_gpa;
    const uint64_t size = boot->stats_size;
    const uint64_t expected = sizeof(jvmos_stats) + uint64_t(cpus) * sizeof(jvmos_stats_cpu);
    if (gpa == 0 || size != expected) return std::nullopt;
    const auto bytes = mem.span({gpa}, size);
    if (!bytes) return std::nullopt;
    // Private copies: the checks and the sums must see the same values.
    auto header_copy = std::make_unique<jvmos_stats>();
    std::memcpy(header_copy.get(), bytes->data(), sizeof(jvmos_stats));
    const jvmos_stats& header = *header_copy;
    if (header.magic != JVMOS_STATS_MAGIC || header.cpu_count != cpus) return std::nullopt;
    // Every field of jvmos_stats_cpu is a u64 counter: the vCPUs' blocks add up word by word
    // (wrap-around is the guest's problem).
    static_assert(sizeof(jvmos_stats_cpu) % sizeof(uint64_t) == 0);
    constexpr size_t WORDS = sizeof(jvmos_stats_cpu) / sizeof(uint64_t);
    std::vector<uint64_t> totals(WORDS);
    for (uint32_t c = 0; c < cpus; c++) {
        const uint8_t* block = bytes->data() + sizeof(jvmos_stats) + c * sizeof(jvmos_stats_cpu);
        for (size_t i = 0; i < WORDS; i++) {
            uint64_t word;
            std::memcpy(&word, block + i * sizeof word, sizeof word);
            totals[i] += word;
        }
    }
    auto sum_copy = std::make_unique<jvmos_stats_cpu>();
    std::memcpy(sum_copy.get(), totals.data(), sizeof(jvmos_stats_cpu));
    const jvmos_stats_cpu& sum = *sum_copy;
    auto ns = [&](uint64_t ticks) { return ticks_to_ns(ticks, tsc_khz); };

    GuestStats g;
    for (uint32_t nr = 0; nr < JVMOS_STATS_SYSCALLS; nr++) {
        if (!sum.syscall_count[nr]) continue;
        std::string name = guest_name(header.syscall_name[nr]);
        if (name.empty()) name = "syscall " + std::to_string(nr);
        CountedTime e{name, sum.syscall_count[nr], ns(sum.syscall_tsc[nr]),
                      ns(sum.syscall_cpu_tsc[nr])};
        if (header.syscall_kind[nr] == JVMOS_STATS_SYSCALL_SHIPPED)
            g.shipped_syscalls.push_back(e);
        else
            g.local_syscalls.push_back(e);
    }
    for (uint32_t op = 0; op < JVMOS_STATS_SHIP_OPS; op++) {
        if (!sum.ship_count[op]) continue;
        const char* name = ship_op_name(op);
        g.ship_ops.push_back({name ? name : "op " + std::to_string(op), sum.ship_count[op],
                              ns(sum.ship_tsc[op]), 0});
    }
    g.ship_blocked = sum.ship_blocked;
    for (size_t k = 0; k < std::size(FAULT_NAMES); k++)
        g.faults.push_back({FAULT_NAMES[k], sum.fault_count[k], ns(sum.fault_tsc[k]), 0});
    for (uint32_t v = 0; v < JVMOS_STATS_VECTORS; v++) {
        if (!sum.irq_count[v]) continue;
        std::string name = guest_name(header.vector_name[v]);
        g.interrupts.push_back(
            {printf_string("%s%svector %#x", name.c_str(), name.empty() ? "" : ", ", v),
             sum.irq_count[v], ns(sum.irq_tsc[v]), 0});
    }
    for (size_t t = 0; t < std::size(TRAP_NAMES); t++)
        g.traps.push_back({TRAP_NAMES[t], sum.trap_count[t], 0, 0});
    g.context_switches = sum.context_switches;
    g.idle_ns = ns(sum.idle_tsc);
    return g;
}

std::string format_stats_report(const RunStats& s) {
    std::string out = "jvmos --stats\n";
    const uint64_t capacity = s.wall_ns * std::max<uint32_t>(s.cpus, 1);
    if (s.guest) {
        const uint64_t idle = std::min(s.guest->idle_ns, capacity);
        out += printf_string("wall %s ms, %u vCPU%s: guest CPU (busy) %s ms, idle (halted) %s ms; "
                             "%s context switches\n",
                             ms(s.wall_ns).c_str(), s.cpus, s.cpus == 1 ? "" : "s",
                             ms(capacity - idle).c_str(), ms(idle).c_str(),
                             grouped(s.guest->context_switches).c_str());
        out += format_guest(*s.guest);
    } else {
        out += printf_string("wall %s ms, %u vCPU%s\n", ms(s.wall_ns).c_str(), s.cpus,
                             s.cpus == 1 ? "" : "s");
        out += "(the guest kernel published no counters)\n";
    }
    out += row("exits to the monitor", {grouped(s.exits.total())});
    for (const auto& [reason, n] : s.exits.by_reason) {
        if (reason != KVM_EXIT_IO) {
            out += row("  " + exit_name(reason), {grouped(n)});
            continue;
        }
        for (const auto& [port, m] : s.exits.io_by_port)
            out += row("  " + port_name(port), {grouped(m)});
    }
    return out;
}

} // namespace jvmos::boot
