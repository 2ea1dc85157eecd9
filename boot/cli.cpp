#include "cli.h"

#include "layout.h"

#include <cstdlib>
#include <filesystem>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

namespace jvmos::boot {

const char* usage_text() {
    return "usage: jvmos [OPTIONS] PROGRAM [ARGS...]\n"
           "Runs PROGRAM (a Linux x86-64 executable, found like a shell finds it) in a new\n"
           "KVM virtual machine on the jvmos library OS.\n"
           "\n"
           "options:\n"
           "  --mem SIZE        guest memory, e.g. 512M, 4G (default 2G)\n"
           "  --cpus N          virtual CPUs (default: the host's online CPUs)\n"
           "  --strace          print every guest syscall to stderr in strace's format\n"
           "  --stats           when the program ends, print to stderr what the run cost:\n"
           "                    syscalls, shipped calls, page faults, interrupts, traps and\n"
           "                    exits, idle and busy time\n"
           "  --backend KIND    auto (default), hw (hardware virtualisation) or pv (kvm_pvm)\n"
           "  --kernel-bench    run the in-kernel benchmarks instead of a program\n"
           "  --syscalls        print every Linux syscall with its disposition (local,\n"
           "                    shipped, partial + note, unsupported) from the kernel's table\n"
           "  --kernel PATH     guest kernel image (default: libjvmos.elf next to jvmos)\n"
           "  --mount HOST[:GUEST][:ro|rw]\n"
           "                    show host directory HOST at GUEST (default: the same path),\n"
           "                    read-write unless :ro; repeatable\n"
           "  --no-default-mounts\n"
           "                    start from an empty mount table (then a --mount at / is needed);\n"
           "                    the defaults are / read-only, the current directory and /tmp\n"
           "                    read-write\n"
           "  --cwd PATH        the program's starting directory (default: the current one)\n"
           "  --proxy ADDRESS   use a running jvmos-proxy at unix:PATH or tcp:HOST:PORT instead\n"
           "                    of starting one\n"
           "  --help            print this help\n"
           "  --version         print the version\n"
           "\n"
           "The exit status is the program's; death by signal N gives 128+N.\n";
}

std::optional<uint64_t> parse_size(const std::string& text) {
    if (text.empty() || text[0] < '0' || text[0] > '9') return std::nullopt;
    size_t pos = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') pos++;
    if (pos > 19) return std::nullopt;
    unsigned long long v = std::strtoull(text.substr(0, pos).c_str(), nullptr, 10);
    const std::string suffix = text.substr(pos);
    uint64_t mult;
    if (suffix.empty() || suffix == "B") mult = 1;
    else if (suffix == "K" || suffix == "k" || suffix == "KiB") mult = 1ull << 10;
    else if (suffix == "M" || suffix == "m" || suffix == "MiB") mult = 1ull << 20;
    else if (suffix == "G" || suffix == "g" || suffix == "GiB") mult = 1ull << 30;
    else if (suffix == "T" || suffix == "t" || suffix == "TiB") mult = 1ull << 40;
    else return std::nullopt;
    if (v == 0 || v > UINT64_MAX / mult) return std::nullopt;
    return v * mult;
}

namespace {

bool absolute(const std::string& p) { return !p.empty() && p[0] == '/'; }

// "/a//b/./c/" -> "/a/b/c"; "/" stays "/".
std::string normal_path(const std::string& p) {
    std::string n = std::filesystem::path(p).lexically_normal().string();
    while (n.size() > 1 && n.back() == '/') n.pop_back();
    return n;
}

std::optional<MountAccess> access_word(const std::string& w) {
    if (w == "ro") return MountAccess::ReadOnly;
    if (w == "rw") return MountAccess::ReadWrite;
    return std::nullopt;
}

} // namespace

MountOption parse_mount(const std::string& text) {
    const std::string what = "invalid --mount '" + text + "': ";
    std::vector<std::string> parts;
    for (size_t start = 0;;) {
        const size_t colon = text.find(':', start);
        parts.push_back(text.substr(start, colon == std::string::npos ? colon : colon - start));
        if (colon == std::string::npos) break;
        start = colon + 1;
    }
    if (parts.size() > 3)
        throw UsageError(what + "expected HOST[:GUEST][:ro|rw] (paths cannot contain ':')");
    for (const auto& part : parts)
        if (part.empty()) throw UsageError(what + "empty field (expected HOST[:GUEST][:ro|rw])");
    if (!absolute(parts[0]))
        throw UsageError(what + "host path '" + parts[0] + "' is not absolute");
    MountOption m;
    m.host_path = normal_path(parts[0]);
    m.guest_path = m.host_path;
    if (parts.size() == 2) {
        if (auto a = access_word(parts[1])) m.access = *a;
        else if (absolute(parts[1])) m.guest_path = normal_path(parts[1]);
        else
            throw UsageError(what + "'" + parts[1] +
                             "' is neither an absolute guest path nor ro/rw");
    } else if (parts.size() == 3) {
        if (!absolute(parts[1]))
            throw UsageError(what + "guest path '" + parts[1] + "' is not absolute");
        m.guest_path = normal_path(parts[1]);
        auto a = access_word(parts[2]);
        if (!a) throw UsageError(what + "access must be ro or rw, not '" + parts[2] + "'");
        m.access = *a;
    }
    return m;
}

ProxyAddress parse_proxy_address(const std::string& text) {
    const std::string expected =
        "invalid --proxy '" + text + "' (expected unix:PATH or tcp:HOST:PORT)";
    ProxyAddress a;
    a.text = text;
    if (text.rfind("unix:", 0) == 0) {
        a.kind = ProxyAddress::Kind::Unix;
        a.path = text.substr(5);
        if (a.path.empty()) throw UsageError(expected);
        if (a.path.size() >= sizeof(sockaddr_un::sun_path))
            throw UsageError("invalid --proxy '" + text + "': the socket path is longer than " +
                             std::to_string(sizeof(sockaddr_un::sun_path) - 1) + " bytes");
        return a;
    }
    if (text.rfind("tcp:", 0) != 0) throw UsageError(expected);
    a.kind = ProxyAddress::Kind::Tcp;
    const std::string rest = text.substr(4);
    const size_t colon = rest.rfind(':');
    if (colon == std::string::npos || colon == 0) throw UsageError(expected);
    a.host = rest.substr(0, colon);
    if (a.host.size() >= 2 && a.host.front() == '[' && a.host.back() == ']')
        a.host = a.host.substr(1, a.host.size() - 2);
    const std::string port = rest.substr(colon + 1);
    char* end = nullptr;
    const unsigned long n = std::strtoul(port.c_str(), &end, 10);
    if (a.host.empty() || port.empty() || port[0] < '0' || port[0] > '9' || *end || n < 1 ||
        n > 65535)
        throw UsageError("invalid --proxy '" + text + "': expected tcp:HOST:PORT with a port " +
                         "from 1 to 65535");
    a.port = uint16_t(n);
    return a;
}

SessionPlan plan_session(const Options& options, const std::string& caller_cwd) {
    SessionPlan plan;
    const std::string here = normal_path(caller_cwd);
    auto add_default = [&](const std::string& path, MountAccess access) {
        for (const auto& m : plan.mounts)
            if (m.guest_path == path) return;
        plan.mounts.push_back({path, path, access});
    };
    if (options.default_mounts) {
        add_default("/", MountAccess::ReadOnly);
        add_default(here, MountAccess::ReadWrite); // no-op for "/": the root stays read-only
        add_default("/tmp", MountAccess::ReadWrite);
    }
    std::vector<bool> from_option(plan.mounts.size(), false);
    for (const auto& m : options.mounts) {
        bool replaced = false;
        for (size_t i = 0; i < plan.mounts.size(); i++) {
            if (plan.mounts[i].guest_path != m.guest_path) continue;
            if (from_option[i])
                throw UsageError("two --mount options for guest path " + m.guest_path);
            plan.mounts[i] = m;
            from_option[i] = true;
            replaced = true;
        }
        if (!replaced) {
            plan.mounts.push_back(m);
            from_option.push_back(true);
        }
    }
    bool has_root = false;
    for (const auto& m : plan.mounts) has_root |= m.guest_path == "/";
    if (!has_root)
        throw UsageError("no mount at / (with --no-default-mounts, add e.g. --mount /:ro)");
    plan.cwd = options.cwd ? *options.cwd : here;
    return plan;
}

Options parse_command_line(const std::vector<std::string>& args) {
    Options o;
    size_t i = 0;
    for (; i < args.size(); i++) {
        const std::string& arg = args[i];
        if (arg == "--") {
            i++;
            break;
        }
        if (arg.size() < 2 || arg[0] != '-') break; // PROGRAM
        // "--opt=value" or "--opt value".
        std::string name = arg;
        std::optional<std::string> inline_value;
        if (auto eq = arg.find('='); arg.rfind("--", 0) == 0 && eq != std::string::npos) {
            name = arg.substr(0, eq);
            inline_value = arg.substr(eq + 1);
        }
        auto value = [&]() -> std::string {
            if (inline_value) return *inline_value;
            if (i + 1 >= args.size()) throw UsageError("option " + name + " needs a value");
            return args[++i];
        };
        if (name == "--help" || name == "-h") {
            o.command = Command::Help;
            return o;
        } else if (name == "--version") {
            o.command = Command::Version;
            return o;
        } else if (name == "--mem") {
            const std::string s = value();
            auto size = parse_size(s);
            if (!size)
                throw UsageError("invalid --mem value '" + s + "' (expected e.g. 512M or 2G)");
            if (*size < layout::MIN_MEM)
                throw UsageError("--mem " + s + " is too small: jvmos needs at least " +
                                 std::to_string(layout::MIN_MEM >> 20) + "M");
            if (*size > layout::MAX_MEM)
                throw UsageError("--mem " + s + " is too large: at most " +
                                 std::to_string(layout::MAX_MEM >> 30) + "G");
            o.mem = *size;
        } else if (name == "--cpus") {
            const std::string s = value();
            char* end = nullptr;
            unsigned long n = std::strtoul(s.c_str(), &end, 10);
            if (s.empty() || *end || n < 1 || n > JVMOS_MAX_CPUS)
                throw UsageError("invalid --cpus value '" + s + "' (expected 1 to " +
                                 std::to_string(JVMOS_MAX_CPUS) + ")");
            o.cpus = uint32_t(n);
        } else if (name == "--strace") {
            o.strace = true;
        } else if (name == "--stats") {
            o.stats = true;
        } else if (name == "--kernel-bench") {
            o.kernel_bench = true;
        } else if (name == "--syscalls") {
            o.list_syscalls = true;
        } else if (name == "--kernel") {
            o.kernel_image = value();
        } else if (name == "--mount") {
            o.mounts.push_back(parse_mount(value()));
        } else if (name == "--no-default-mounts") {
            o.default_mounts = false;
        } else if (name == "--cwd") {
            const std::string s = value();
            if (!absolute(s))
                throw UsageError("invalid --cwd '" + s + "': the guest path must be absolute");
            o.cwd = normal_path(s);
        } else if (name == "--proxy") {
            o.proxy = parse_proxy_address(value());
        } else if (name == "--backend") {
            const std::string s = value();
            if (s == "auto") o.backend = BackendChoice::Auto;
            else if (s == "hw") o.backend = BackendChoice::Hardware;
            else if (s == "pv") o.backend = BackendChoice::Paravirtual;
            else throw UsageError("invalid --backend value '" + s + "' (expected auto, hw or pv)");
        } else {
            throw UsageError("unknown option '" + arg + "' (see jvmos --help)");
        }
    }
    o.program_argv.assign(args.begin() + long(i), args.end());
    if (o.program_argv.empty() && !o.kernel_bench && !o.list_syscalls)
        throw UsageError("no program given (usage: jvmos [OPTIONS] PROGRAM [ARGS...])");
    return o;
}

std::optional<std::string> find_program(const std::string& name, const char* path) {
    auto regular = [](const std::string& p) {
        struct stat st;
        return stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
    };
    if (name.empty()) return std::nullopt;
    if (name.find('/') != std::string::npos)
        return regular(name) ? std::optional(name) : std::nullopt;
    const std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
    size_t start = 0;
    for (;;) {
        const size_t end = dirs.find(':', start);
        std::string dir = dirs.substr(start, end == std::string::npos ? end : end - start);
        if (dir.empty()) dir = ".";
        const std::string candidate = dir + "/" + name;
        if (regular(candidate) && access(candidate.c_str(), X_OK) == 0) return candidate;
        if (end == std::string::npos) break;
        start = end + 1;
    }
    return std::nullopt;
}

} // namespace jvmos::boot
