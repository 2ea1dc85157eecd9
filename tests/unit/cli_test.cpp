// The jvmos command line.
#include "cli.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace jvmos::boot {
namespace {

Options parse(std::vector<std::string> args) { return parse_command_line(args); }

TEST(CliTest, OptionsStopAtTheProgram) {
    Options o = parse({"--mem", "512M", "ls", "-l", "--mem", "x"});
    EXPECT_EQ(o.mem, 512ull << 20);
    EXPECT_EQ(o.program_argv, (std::vector<std::string>{"ls", "-l", "--mem", "x"}));
}

TEST(CliTest, DoubleDashEndsOptions) {
    Options o = parse({"--strace", "--", "--weird-name", "a"});
    EXPECT_TRUE(o.strace);
    EXPECT_EQ(o.program_argv, (std::vector<std::string>{"--weird-name", "a"}));
}

TEST(CliTest, EqualsFormAndDefaults) {
    Options o = parse({"--mem=4G", "--cpus=2", "--backend=hw", "prog"});
    EXPECT_EQ(o.mem, 4ull << 30);
    EXPECT_EQ(o.cpus, 2u);
    EXPECT_EQ(o.backend, BackendChoice::Hardware);
    Options d = parse({"prog"});
    EXPECT_EQ(d.mem, 2ull << 30);
    EXPECT_EQ(d.cpus, 0u); // the host's online CPUs, resolved when the VM is built
    EXPECT_EQ(d.backend, BackendChoice::Auto);
    EXPECT_FALSE(d.strace);
}

TEST(CliTest, StatsIsOffUnlessAsked) {
    EXPECT_FALSE(parse({"prog"}).stats);
    Options o = parse({"--stats", "prog", "--stats"});
    EXPECT_TRUE(o.stats);
    EXPECT_EQ(o.program_argv, (std::vector<std::string>{"prog", "--stats"}));
    EXPECT_NE(std::string(usage_text()).find("--stats"), std::string::npos);
}

TEST(CliTest, HelpAndVersion) {
    EXPECT_EQ(parse({"--help"}).command, Command::Help);
    EXPECT_EQ(parse({"--version"}).command, Command::Version);
}

TEST(CliTest, MistakesAreUsageErrors) {
    EXPECT_THROW(parse({}), UsageError);
    EXPECT_THROW(parse({"--mem"}), UsageError);
    EXPECT_THROW(parse({"--mem", "1x", "p"}), UsageError);
    EXPECT_THROW(parse({"--mem", "1M", "p"}), UsageError);      // too small
    EXPECT_THROW(parse({"--mem", "100000G", "p"}), UsageError); // too large
    EXPECT_THROW(parse({"--cpus", "0", "p"}), UsageError);
    EXPECT_THROW(parse({"--cpus", "abc", "p"}), UsageError);
    EXPECT_THROW(parse({"--backend", "qemu", "p"}), UsageError);
    EXPECT_THROW(parse({"--bogus", "p"}), UsageError);
}

TEST(CliTest, UsageErrorNamesTheProblem) {
    try {
        parse({"--mem", "12q", "p"});
        FAIL();
    } catch (const UsageError& e) {
        EXPECT_NE(std::string(e.what()).find("12q"), std::string::npos);
    }
}

TEST(CliTest, ParseSize) {
    EXPECT_EQ(parse_size("1073741824"), 1ull << 30);
    EXPECT_EQ(parse_size("2G"), 2ull << 30);
    EXPECT_EQ(parse_size("64m"), 64ull << 20);
    EXPECT_EQ(parse_size("1GiB"), 1ull << 30);
    EXPECT_EQ(parse_size("3K"), 3072u);
    EXPECT_FALSE(parse_size(""));
    EXPECT_FALSE(parse_size("G"));
    EXPECT_FALSE(parse_size("0"));
    EXPECT_FALSE(parse_size("-1G"));
    EXPECT_FALSE(parse_size("1.5G"));
    EXPECT_FALSE(parse_size("99999999999999999999"));
    EXPECT_FALSE(parse_size("17179869184T")); // overflows 64 bits
}

TEST(CliTest, MountSyntax) {
    using A = MountAccess;
    EXPECT_EQ(parse_mount("/data"), (MountOption{"/data", "/data", A::ReadWrite}));
    EXPECT_EQ(parse_mount("/data:ro"), (MountOption{"/data", "/data", A::ReadOnly}));
    EXPECT_EQ(parse_mount("/data:rw"), (MountOption{"/data", "/data", A::ReadWrite}));
    EXPECT_EQ(parse_mount("/data:/srv"), (MountOption{"/data", "/srv", A::ReadWrite}));
    EXPECT_EQ(parse_mount("/data:/srv:ro"), (MountOption{"/data", "/srv", A::ReadOnly}));
    // Paths are made lexically normal.
    EXPECT_EQ(parse_mount("/a//b/:/c/./d/"), (MountOption{"/a/b", "/c/d", A::ReadWrite}));
    EXPECT_EQ(parse_mount("/:ro"), (MountOption{"/", "/", A::ReadOnly}));
}

TEST(CliTest, MountMistakesAreUsageErrors) {
    for (const char* bad : {"", "data", "/data:srv", "/data:/srv:rx", "/data:/srv:ro:x",
                            "/data::ro", ":/srv", "/data:RO", "/data:/srv:/x"})
        EXPECT_THROW(parse_mount(bad), UsageError) << bad;
    try {
        parse_mount("/data:/srv:rx");
        FAIL();
    } catch (const UsageError& e) {
        EXPECT_NE(std::string(e.what()).find("ro or rw"), std::string::npos) << e.what();
    }
    try {
        parse_mount("rel/dir");
        FAIL();
    } catch (const UsageError& e) {
        EXPECT_NE(std::string(e.what()).find("not absolute"), std::string::npos) << e.what();
    }
}

TEST(CliTest, ProxyAddressSyntax) {
    ProxyAddress u = parse_proxy_address("unix:/run/p.sock");
    EXPECT_EQ(u.kind, ProxyAddress::Kind::Unix);
    EXPECT_EQ(u.path, "/run/p.sock");
    EXPECT_EQ(u.text, "unix:/run/p.sock");
    ProxyAddress t = parse_proxy_address("tcp:node7:4000");
    EXPECT_EQ(t.kind, ProxyAddress::Kind::Tcp);
    EXPECT_EQ(t.host, "node7");
    EXPECT_EQ(t.port, 4000);
    ProxyAddress v6 = parse_proxy_address("tcp:[::1]:65535");
    EXPECT_EQ(v6.host, "::1");
    EXPECT_EQ(v6.port, 65535);
    for (const char* bad : {"", "node7:4000", "unix:", "tcp:", "tcp:node7", "tcp::4000",
                            "tcp:node7:", "tcp:node7:0", "tcp:node7:65536", "tcp:node7:4x",
                            "tcp:node7:-1", "http://x"})
        EXPECT_THROW(parse_proxy_address(bad), UsageError) << bad;
    EXPECT_THROW(parse_proxy_address("unix:/" + std::string(200, 'x')), UsageError);
}

TEST(CliTest, ShippingOptions) {
    Options o = parse({"--mount", "/a:ro", "--mount=/b:/c", "--no-default-mounts", "--cwd",
                       "/c/./d/", "--proxy", "tcp:h:1", "prog"});
    ASSERT_EQ(o.mounts.size(), 2u);
    EXPECT_EQ(o.mounts[0], (MountOption{"/a", "/a", MountAccess::ReadOnly}));
    EXPECT_EQ(o.mounts[1], (MountOption{"/b", "/c", MountAccess::ReadWrite}));
    EXPECT_FALSE(o.default_mounts);
    EXPECT_EQ(o.cwd, "/c/d");
    ASSERT_TRUE(o.proxy);
    EXPECT_EQ(o.proxy->port, 1);
    Options d = parse({"prog"});
    EXPECT_TRUE(d.mounts.empty());
    EXPECT_TRUE(d.default_mounts);
    EXPECT_FALSE(d.cwd);
    EXPECT_FALSE(d.proxy);
    EXPECT_THROW(parse({"--cwd", "rel", "prog"}), UsageError);
    EXPECT_THROW(parse({"--mount", "x", "prog"}), UsageError);
    EXPECT_THROW(parse({"--proxy", "x", "prog"}), UsageError);
    EXPECT_THROW(parse({"--mount"}), UsageError);
}

TEST(CliTest, DefaultSessionIsRootReadOnlyCwdAndTmpReadWrite) {
    using A = MountAccess;
    SessionPlan p = plan_session(parse({"prog"}), "/home/u/work");
    EXPECT_EQ(p.mounts, (std::vector<MountOption>{{"/", "/", A::ReadOnly},
                                                  {"/home/u/work", "/home/u/work", A::ReadWrite},
                                                  {"/tmp", "/tmp", A::ReadWrite}}));
    EXPECT_EQ(p.cwd, "/home/u/work");
    // Started in / the root stays read-only; started in /tmp there is one /tmp mount.
    EXPECT_EQ(plan_session(parse({"prog"}), "/").mounts,
              (std::vector<MountOption>{{"/", "/", A::ReadOnly}, {"/tmp", "/tmp", A::ReadWrite}}));
    EXPECT_EQ(plan_session(parse({"prog"}), "/tmp").mounts,
              (std::vector<MountOption>{{"/", "/", A::ReadOnly}, {"/tmp", "/tmp", A::ReadWrite}}));
}

TEST(CliTest, MountsReplaceDefaultsAtTheSameGuestPathAndAddTheRest) {
    using A = MountAccess;
    SessionPlan p = plan_session(
        parse({"--mount", "/srv/root:/:ro", "--mount", "/tmp:ro", "--mount", "/data:/d", "--cwd",
               "/d", "prog"}),
        "/w");
    EXPECT_EQ(p.mounts, (std::vector<MountOption>{{"/srv/root", "/", A::ReadOnly},
                                                  {"/w", "/w", A::ReadWrite},
                                                  {"/tmp", "/tmp", A::ReadOnly},
                                                  {"/data", "/d", A::ReadWrite}}));
    EXPECT_EQ(p.cwd, "/d");
    EXPECT_THROW(plan_session(parse({"--mount", "/a:/x", "--mount", "/b:/x", "prog"}), "/w"),
                 UsageError);
    EXPECT_THROW(plan_session(parse({"--mount", "/a:/", "--mount", "/b:/", "prog"}), "/w"),
                 UsageError);
}

TEST(CliTest, NoDefaultMountsNeedsARootMount) {
    using A = MountAccess;
    EXPECT_THROW(plan_session(parse({"--no-default-mounts", "prog"}), "/w"), UsageError);
    EXPECT_THROW(plan_session(parse({"--no-default-mounts", "--mount", "/w", "prog"}), "/w"),
                 UsageError);
    SessionPlan p = plan_session(parse({"--no-default-mounts", "--mount", "/:ro", "prog"}), "/w");
    EXPECT_EQ(p.mounts, (std::vector<MountOption>{{"/", "/", A::ReadOnly}}));
    EXPECT_EQ(p.cwd, "/w");
}

TEST(CliTest, FindProgramSearchesPathLikeAShell) {
    namespace fs = std::filesystem;
    fs::path dir = fs::temp_directory_path() / ("jvmos_cli_test_" + std::to_string(getpid()));
    fs::create_directories(dir / "a");
    fs::create_directories(dir / "b");
    std::ofstream(dir / "b" / "tool") << "#!/bin/sh\n";
    fs::permissions(dir / "b" / "tool", fs::perms::owner_all);
    std::ofstream(dir / "a" / "tool") << "not executable\n"; // skipped: no x bit
    fs::permissions(dir / "a" / "tool", fs::perms::owner_read);
    const std::string path = (dir / "a").string() + ":" + (dir / "b").string();
    EXPECT_EQ(find_program("tool", path.c_str()), (dir / "b" / "tool").string());
    EXPECT_FALSE(find_program("missing", path.c_str()));
    // With a slash: taken as given, no PATH search.
    EXPECT_EQ(find_program((dir / "a" / "tool").string(), ""), (dir / "a" / "tool").string());
    EXPECT_FALSE(find_program((dir / "nope").string(), path.c_str()));
    EXPECT_FALSE(find_program("", path.c_str()));
    fs::remove_all(dir);
}

} // namespace
} // namespace jvmos::boot
