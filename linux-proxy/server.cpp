#include "server.h"

#include <capnp/rpc-twoparty.h>
#include <kj/debug.h>

#include <cerrno>
#include <cstdlib>
#include <sys/stat.h>
#include <unistd.h>

namespace jvmos::proxy {

namespace {

// Everything of one connection; destroyed (RPC system first, then the stream) when the peer is
// gone, which drops every capability and cancels every call still running.
struct Connection {
    kj::Own<kj::AsyncIoStream> stream;
    capnp::TwoPartyVatNetwork network;
    capnp::RpcSystem<capnp::rpc::twoparty::VatId> rpc;

    Connection(kj::Own<kj::AsyncIoStream> stream_in, const ProxyOptions& options)
        : stream(kj::mv(stream_in)),
          network(*stream, capnp::rpc::twoparty::Side::SERVER),
          rpc(capnp::makeRpcServer(network, kj::heap<ProxyServiceImpl>(options))) {}
};

class ListenerErrors final : public kj::TaskSet::ErrorHandler {
public:
    void taskFailed(kj::Exception&& exception) override {
        // One connection failing is that connection's problem.
        KJ_LOG(WARNING, "connection ended with an error", exception);
    }
};

kj::Promise<void> accept_loop(kj::ConnectionReceiver& listener, const ProxyOptions& options,
                              kj::TaskSet& tasks) {
    return listener.accept().then(
        [&listener, &options, &tasks](kj::Own<kj::AsyncIoStream> stream) {
            tasks.add(serve_connection(kj::mv(stream), options));
            return accept_loop(listener, options, tasks);
        });
}

} // namespace

kj::Promise<void> serve_connection(kj::Own<kj::AsyncIoStream> stream, const ProxyOptions& options) {
    auto connection = kj::heap<Connection>(kj::mv(stream), options);
    auto disconnected = connection->network.onDisconnect();
    return disconnected.attach(kj::mv(connection));
}

kj::Promise<void> serve_listener(kj::ConnectionReceiver& listener, const ProxyOptions& options) {
    auto errors = kj::heap<ListenerErrors>();
    auto tasks = kj::heap<kj::TaskSet>(*errors);
    auto loop = accept_loop(listener, options, *tasks);
    return loop.attach(kj::mv(tasks), kj::mv(errors));
}

kj::Maybe<ListenAddress> parse_listen_address(kj::StringPtr text) {
    if (text.startsWith("unix:")) {
        kj::StringPtr path = text.slice(5);
        if (path.size() == 0) return nullptr;
        return ListenAddress{ListenAddress::Kind::UNIX, kj::heapString(path), nullptr, 0,
                             kj::heapString(text)};
    }
    if (text.startsWith("tcp:")) {
        kj::StringPtr rest = text.slice(4);
        KJ_IF_MAYBE (colon, rest.findLast(':')) {
            kj::StringPtr port_text = rest.slice(*colon + 1);
            if (*colon == 0 || port_text.size() == 0 || port_text.size() > 5) return nullptr;
            uint32_t port = 0;
            for (char c : port_text) {
                if (c < '0' || c > '9') return nullptr;
                port = port * 10 + uint32_t(c - '0');
            }
            if (port == 0 || port > 65535) return nullptr;
            return ListenAddress{ListenAddress::Kind::TCP, nullptr,
                                 kj::heapString(rest.begin(), *colon), uint16_t(port),
                                 kj::heapString(text)};
        }
    }
    return nullptr;
}

kj::Promise<kj::Own<kj::ConnectionReceiver>> listen_at(kj::Network& network,
                                                        const ListenAddress& address) {
    kj::String text;
    if (address.kind == ListenAddress::Kind::UNIX) {
        // A socket file left by a previous run would make bind fail: replace it (only a socket).
        struct stat st;
        if (lstat(address.path.cStr(), &st) == 0 && S_ISSOCK(st.st_mode)) {
            unlink(address.path.cStr());
        }
        text = kj::str("unix:", address.path);
    } else {
        text = kj::str(address.host, ":", address.port);
    }
    return network.parseAddress(text).then(
        [](kj::Own<kj::NetworkAddress> parsed) { return parsed->listen(); });
}

} // namespace jvmos::proxy
