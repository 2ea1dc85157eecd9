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
enum class MountAccess { ReadOnly, ReadWrite };

// One entry of the guest's mount table: the host directory `host_path` appears at `guest_path`.
// Both are absolute and lexically normal ("/a/b", never "/a/b/" or "/a/./b"); "/" is the root.
struct MountOption {
    std::string host_path;
    std::string guest_path;
    MountAccess access = MountAccess::ReadWrite;
    friend bool operator==(const MountOption&, const MountOption&) = default;
};

// Where an already running linux-proxy listens (--proxy).
struct ProxyAddress {
    enum class Kind { Unix, Tcp };
    Kind kind = Kind::Unix;
    std::string path;   // Unix: the socket's path
    std::string host;   // Tcp: a host name or address (IPv6 in brackets: [::1])
    uint16_t port = 0;  // Tcp: 1..65535
    std::string text;   // as given on the command line, for messages
};

struct Options {
    Command command = Command::Run;
    uint64_t mem = 2ull << 30;
    uint32_t cpus = 0;          // --cpus N; 0: as many as the host has online (capped)
    bool strace = false;
    bool stats = false;         // --stats: print what the run cost to stderr at the end
    bool kernel_bench = false;
    bool list_syscalls = false; // --syscalls: print the kernel's compatibility table
    BackendChoice backend = BackendChoice::Auto;
    std::string kernel_image;              // empty: libjvmos.elf next to the jvmos binary
    std::vector<MountOption> mounts;       // --mount, in command-line order
    bool default_mounts = true;            // false with --no-default-mounts
    std::optional<std::string> cwd;        // --cwd: the guest's starting directory
    std::optional<ProxyAddress> proxy;     // --proxy: connect instead of starting jvmos-proxy
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

// "HOST[:GUEST][:ro|rw]" (the --mount syntax) -> a mount; GUEST defaults to HOST, access to rw.
// Throws UsageError for a relative path, an unknown access word or an empty field. Paths that
// contain ':' cannot be given.
MountOption parse_mount(const std::string& text);

// "unix:PATH" or "tcp:HOST:PORT" (the --proxy syntax). Throws UsageError.
ProxyAddress parse_proxy_address(const std::string& text);

// What the guest's session is made of: its mount table and its starting directory.
struct SessionPlan {
    std::vector<MountOption> mounts; // never empty; always has a mount at "/"
    std::string cwd;                 // absolute guest path
};

// Combines the options with the caller's working directory (absolute). Without
// --no-default-mounts the table starts with host "/" at "/" read-only, `caller_cwd` read-write
// at its own path (unless it is "/": the root stays read-only) and /tmp read-write; each --mount
// then replaces a mount at the same guest path or adds one. The guest starts in --cwd, else in
// `caller_cwd`. Throws UsageError if two --mount options name the same guest path or if no
// mount is at "/" (--no-default-mounts without --mount /...). Whether the host directories exist
// is checked when the session is created, not here.
SessionPlan plan_session(const Options& options, const std::string& caller_cwd);

// Finds PROGRAM like a shell: as given if it contains '/', else along `path` (PATH; an empty
// entry is the current directory). Returns the path or nullopt.
std::optional<std::string> find_program(const std::string& name, const char* path);

} // namespace jvmos::boot
