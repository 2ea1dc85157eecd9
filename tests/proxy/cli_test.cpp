// The jvmos-proxy command line (a pure function).
#include "cli.h"

#include <gtest/gtest.h>

#include <vector>

namespace jvmos::proxy {
namespace {

kj::OneOf<CommandLine, kj::String> parse(std::vector<const char*> args) {
    kj::Vector<kj::StringPtr> list;
    for (auto arg : args) list.add(arg);
    return parse_command_line(list);
}

TEST(ProxyCommandLine, Listen) {
    auto unix_socket = parse({"--listen", "unix:/run/p.sock"});
    ASSERT_TRUE(unix_socket.is<CommandLine>());
    auto& command = unix_socket.get<CommandLine>();
    EXPECT_EQ(command.mode, CommandLine::Mode::LISTEN);
    auto& address = KJ_ASSERT_NONNULL(command.listen);
    EXPECT_EQ(address.kind, ListenAddress::Kind::UNIX);
    EXPECT_EQ(address.path, "/run/p.sock");

    auto tcp = parse({"--listen=tcp:127.0.0.1:7000"});
    ASSERT_TRUE(tcp.is<CommandLine>());
    auto& tcp_address = KJ_ASSERT_NONNULL(tcp.get<CommandLine>().listen);
    EXPECT_EQ(tcp_address.kind, ListenAddress::Kind::TCP);
    EXPECT_EQ(tcp_address.host, "127.0.0.1");
    EXPECT_EQ(tcp_address.port, 7000);
    auto v6 = parse({"--listen", "tcp:[::1]:1"});
    ASSERT_TRUE(v6.is<CommandLine>());
    EXPECT_EQ(KJ_ASSERT_NONNULL(v6.get<CommandLine>().listen).host, "[::1]");
}

TEST(ProxyCommandLine, Fd) {
    auto fd = parse({"--fd", "3"});
    ASSERT_TRUE(fd.is<CommandLine>());
    EXPECT_EQ(fd.get<CommandLine>().mode, CommandLine::Mode::FD);
    EXPECT_EQ(fd.get<CommandLine>().fd, 3);
    EXPECT_EQ(parse({"--fd=12"}).get<CommandLine>().fd, 12);
}

TEST(ProxyCommandLine, Help) {
    auto help = parse({"--help"});
    ASSERT_TRUE(help.is<CommandLine>());
    EXPECT_EQ(help.get<CommandLine>().mode, CommandLine::Mode::HELP);
}

TEST(ProxyCommandLine, MisusesAreOneLineMessages) {
    std::vector<std::vector<const char*>> bad = {
        {},
        {"--fd"},
        {"--fd", "x"},
        {"--fd", "-1"},
        {"--listen", "unix:"},
        {"--listen", "tcp:host"},
        {"--listen", "tcp:host:0"},
        {"--listen", "tcp:host:65536"},
        {"--listen", "tcp::80"},
        {"--listen", "http://x"},
        {"--listen", "unix:/a", "--fd", "3"},
        {"--fd", "3", "--fd", "4"},
        {"--verbose"},
        {"extra"},
    };
    for (auto& args : bad) {
        auto result = parse(args);
        ASSERT_TRUE(result.is<kj::String>()) << (args.empty() ? "(none)" : args[0]);
        auto& message = result.get<kj::String>();
        EXPECT_GT(message.size(), 0u);
        EXPECT_EQ(message.findFirst('\n'), nullptr) << message.cStr();
    }
}

} // namespace
} // namespace jvmos::proxy
