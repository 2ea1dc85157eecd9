// The jvmos-proxy command line. A pure function, unit-tested.
#pragma once

#include "server.h"

#include <kj/one-of.h>
#include <kj/string.h>

namespace jvmos::proxy {

struct CommandLine {
    enum class Mode { LISTEN, FD, HELP };
    Mode mode = Mode::HELP;
    kj::Maybe<ListenAddress> listen; // LISTEN
    int fd = -1;                     // FD: an already connected stream socket
};

// Parses the arguments after the program name:
//   --listen unix:PATH | --listen tcp:HOST:PORT   serve any number of connections, until killed
//   --fd N                                        serve the one connection on fd N, exit after
//   --help
// "--opt=value" is accepted too. Exactly one of --listen and --fd (or --help). Returns the
// command line, or a one-line message for a misuse (the caller prints it and exits 2).
kj::OneOf<CommandLine, kj::String> parse_command_line(kj::ArrayPtr<const kj::StringPtr> args);

// The --help text.
kj::StringPtr usage_text();

} // namespace jvmos::proxy
