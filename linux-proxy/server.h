// Serving the proxy over Cap'n Proto two-party connections.
#pragma once

#include "session.h"

#include <kj/async-io.h>

namespace jvmos::proxy {

// Serves one connection: its own ProxyService as the bootstrap capability. Resolves when the
// peer disconnects, after every session, Handle and blocking job of the connection is gone
// (their worker threads joined). A malformed message ends the connection, never the process.
// The process must ignore SIGPIPE (a write to a pipe whose reader left must be EPIPE).
kj::Promise<void> serve_connection(kj::Own<kj::AsyncIoStream> stream, const ProxyOptions& options);

// Accepts connections forever, serving each with serve_connection() concurrently. Resolves only
// if accepting fails.
kj::Promise<void> serve_listener(kj::ConnectionReceiver& listener, const ProxyOptions& options);

// A listen address of the command line: "unix:PATH" or "tcp:HOST:PORT".
struct ListenAddress {
    enum class Kind { UNIX, TCP };
    Kind kind;
    kj::String path; // UNIX
    kj::String host; // TCP ("[::1]" for IPv6, "*" for any)
    uint16_t port;   // TCP, 1..65535
    kj::String text; // as given, for messages
};

// Parses a listen address; null if malformed.
kj::Maybe<ListenAddress> parse_listen_address(kj::StringPtr text);

// Binds `address` (a stale socket file at a unix PATH is replaced). Throws a kj exception with
// the reason if it cannot.
kj::Promise<kj::Own<kj::ConnectionReceiver>> listen_at(kj::Network& network,
                                                        const ListenAddress& address);

} // namespace jvmos::proxy
