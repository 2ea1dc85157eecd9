// The `jvmos` command line. Pure functions (no I/O besides PATH lookups), unit-tested.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace jvmos::boot {

enum class BackendChoice { Auto, Hardware, Paravirtual };
enum class Command { Run, Help, Version };

struct Options {
    Command command = Command::Run;
    uint64_t mem = 2ull << 30;
    uint32_t cpus = 1;
    bool strace = false;
    bool kernel_bench = false;
    BackendChoice backend = BackendChoice::Auto;
    std::string kernel_image;              // empty: libjvmos.elf next to the jvmos binary
    std::vector<std::string> program_argv; // PROGRAM [ARGS...]
};

// A command-line mistake: printed as one line, exit status 2.
struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Options end at the first argument that is not an option (or after "--"): everything from
// PROGRAM on belongs to the program, as with `env` or `nice`. Both "--mem 2G" and "--mem=2G".
Options parse_command_line(const std::vector<std::string>& args);

// "2G", "512M", "64m", "1GiB", "1073741824" -> bytes; nullopt if malformed or zero.
std::optional<uint64_t> parse_size(const std::string& text);

const char* usage_text();

// Finds PROGRAM like a shell: as given if it contains '/', else along `path` (PATH; an empty
// entry is the current directory). Returns the path or nullopt.
std::optional<std::string> find_program(const std::string& name, const char* path);

} // namespace jvmos::boot
