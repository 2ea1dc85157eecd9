#include "cli.h"

namespace jvmos::proxy {

kj::StringPtr usage_text() {
    return "usage: jvmos-proxy --listen unix:PATH | --listen tcp:HOST:PORT | --fd N\n"
           "Performs POSIX calls on Linux for jvmos guests (Cap'n Proto RPC, see\n"
           "shipper/proto/jvmos.capnp), each session confined to the mounts it declares.\n"
           "  --listen unix:PATH      serve every connection to a unix socket at PATH\n"
           "  --listen tcp:HOST:PORT  serve every connection to a TCP port (no authentication:\n"
           "                          bind to a trusted network only)\n"
           "  --fd N                  serve the one connection on the connected stream socket\n"
           "                          fd N; exit 0 when it closes (how jvmos starts the proxy)\n"
           "  --help                  this text\n"
           "The guest's inherited stdio (StdioSource.inherited) is this process's fds 0, 1, 2.\n";
}

kj::OneOf<CommandLine, kj::String> parse_command_line(kj::ArrayPtr<const kj::StringPtr> args) {
    CommandLine out;
    bool have_listen = false, have_fd = false, help = false;
    for (size_t i = 0; i < args.size(); ++i) {
        kj::StringPtr arg = args[i];
        kj::String name, value;
        bool has_value = false;
        KJ_IF_MAYBE (eq, arg.findFirst('=')) {
            if (arg.startsWith("--")) {
                name = kj::heapString(arg.begin(), *eq);
                value = kj::heapString(arg.slice(*eq + 1));
                has_value = true;
            }
        }
        if (!has_value) name = kj::heapString(arg);

        if (name == "--help" || name == "-h") {
            if (has_value) return kj::str("--help takes no value");
            help = true;
            continue;
        }
        if (name != "--listen" && name != "--fd") {
            return kj::str("unknown argument '", arg, "' (try --help)");
        }
        if (!has_value) {
            if (i + 1 >= args.size()) return kj::str(name, " needs a value (try --help)");
            value = kj::heapString(args[++i]);
        }
        if (name == "--listen") {
            if (have_listen) return kj::str("--listen given twice");
            KJ_IF_MAYBE (address, parse_listen_address(value)) {
                out.listen = kj::mv(*address);
            } else {
                return kj::str("--listen: '", value,
                               "' is not unix:PATH or tcp:HOST:PORT (PORT 1-65535)");
            }
            have_listen = true;
        } else {
            if (have_fd) return kj::str("--fd given twice");
            int fd = 0;
            if (value.size() == 0 || value.size() > 9)
                return kj::str("--fd: '", value, "' is not an fd number");
            for (char c : value) {
                if (c < '0' || c > '9') return kj::str("--fd: '", value, "' is not an fd number");
                fd = fd * 10 + (c - '0');
            }
            out.fd = fd;
            have_fd = true;
        }
    }
    if (help) {
        out.mode = CommandLine::Mode::HELP;
        return kj::mv(out);
    }
    if (have_listen && have_fd) return kj::str("--listen and --fd exclude each other");
    if (!have_listen && !have_fd) return kj::str("needs --listen ADDRESS or --fd N (try --help)");
    out.mode = have_listen ? CommandLine::Mode::LISTEN : CommandLine::Mode::FD;
    return kj::mv(out);
}

} // namespace jvmos::proxy
