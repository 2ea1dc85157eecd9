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
    EXPECT_EQ(d.backend, BackendChoice::Auto);
    EXPECT_FALSE(d.strace);
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
