#include "cli.h"

#include "layout.h"

#include <cstdlib>
#include <sys/stat.h>
#include <unistd.h>

namespace jvmos::boot {

const char* usage_text() {
    return "usage: jvmos [OPTIONS] PROGRAM [ARGS...]\n"
           "Runs PROGRAM (a Linux x86-64 executable, found like a shell finds it) in a new\n"
           "KVM virtual machine on the jvmos library OS.\n"
           "\n"
           "options:\n"
           "  --mem SIZE        guest memory, e.g. 512M, 4G (default 2G)\n"
           "  --cpus N          virtual CPUs (accepted; this version runs programs on one)\n"
           "  --strace          print every guest syscall to stderr in strace's format\n"
           "  --backend KIND    auto (default), hw (hardware virtualisation) or pv (kvm_pvm)\n"
           "  --kernel-bench    run the in-kernel benchmarks instead of a program\n"
           "  --kernel PATH     guest kernel image (default: libjvmos.elf next to jvmos)\n"
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
        } else if (name == "--kernel-bench") {
            o.kernel_bench = true;
        } else if (name == "--kernel") {
            o.kernel_image = value();
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
    if (o.program_argv.empty() && !o.kernel_bench)
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
