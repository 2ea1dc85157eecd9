// jvmos-proxy: performs the POSIX calls of jvmos guests on Linux (see server.h, session.h).
// Wiring only: parse the command line, set up the event loop, serve.
#include "cli.h"
#include "server.h"

#include <kj/async-io.h>
#include <kj/debug.h>

#include <csignal>
#include <cstdio>
#include <fcntl.h>
#include <sys/stat.h>

namespace {

using jvmos::proxy::CommandLine;

int serve(const CommandLine& command, const jvmos::proxy::ProxyOptions& options) {
    auto io = kj::setupAsyncIo();
    if (command.mode == CommandLine::Mode::FD) {
        struct stat st;
        if (fstat(command.fd, &st) != 0 || !S_ISSOCK(st.st_mode)) {
            fprintf(stderr, "jvmos-proxy: --fd %d is not an open socket\n", command.fd);
            return 2;
        }
        fcntl(command.fd, F_SETFD, FD_CLOEXEC);
        auto stream = io.lowLevelProvider->wrapSocketFd(kj::AutoCloseFd(command.fd));
        jvmos::proxy::serve_connection(kj::mv(stream), options).wait(io.waitScope);
        return 0;
    }
    auto& address = KJ_ASSERT_NONNULL(command.listen);
    kj::Own<kj::ConnectionReceiver> listener;
    KJ_IF_MAYBE (exception, kj::runCatchingExceptions([&]() {
                     listener = jvmos::proxy::listen_at(io.provider->getNetwork(), address)
                                    .wait(io.waitScope);
                 })) {
        fprintf(stderr, "jvmos-proxy: cannot listen on %s: %s\n", address.text.cStr(),
                exception->getDescription().cStr());
        return 1;
    }
    jvmos::proxy::serve_listener(*listener, options).wait(io.waitScope);
    return 1; // accepting failed without an exception: should not happen
}

} // namespace

int main(int argc, char** argv) {
    // A guest writing to a pipe whose reader left gets EPIPE, as data; never kill the proxy.
    signal(SIGPIPE, SIG_IGN);

    kj::Vector<kj::StringPtr> args;
    for (int i = 1; i < argc; ++i) args.add(argv[i]);
    auto parsed = jvmos::proxy::parse_command_line(args);
    if (parsed.is<kj::String>()) {
        fprintf(stderr, "jvmos-proxy: %s\n", parsed.get<kj::String>().cStr());
        return 2;
    }
    auto& command = parsed.get<CommandLine>();
    if (command.mode == CommandLine::Mode::FD) {
        // Started by jvmos in the same foreground process group: Ctrl-C and Ctrl-\ are meant
        // for the program, which jvmos forwards them to; the proxy ends with its connection.
        signal(SIGINT, SIG_IGN);
        signal(SIGQUIT, SIG_IGN);
    }
    if (command.mode == CommandLine::Mode::HELP) {
        fputs(jvmos::proxy::usage_text().cStr(), stdout);
        return 0;
    }

    jvmos::proxy::ProxyOptions options; // stdio: our own fds 0, 1, 2
    int status = 1;
    KJ_IF_MAYBE (exception,
                 kj::runCatchingExceptions([&]() { status = serve(command, options); })) {
        fprintf(stderr, "jvmos-proxy: %s\n", exception->getDescription().cStr());
        return 1;
    }
    return status;
}
