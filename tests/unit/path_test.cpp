// Lexical guest-path normalisation (getcwd after chdir, directory paths of open handles).
#include "base/path.h"

#include <gtest/gtest.h>

#include <string>

namespace jvmos {
namespace {

std::string norm(const char* base, const char* path, usize cap = 4096) {
    char out[4096];
    Result<usize> r = normalize_path(base, path, out, cap);
    if (r.is_error()) return std::string("error ") + errno_name(r.error());
    EXPECT_EQ(r.value(), std::string(out).size());
    return out;
}

TEST(NormalizePath, AbsolutePathsIgnoreTheBase) {
    EXPECT_EQ(norm("/home/user", "/usr/lib"), "/usr/lib");
    EXPECT_EQ(norm("/home/user", "/"), "/");
    EXPECT_EQ(norm("/x", "//usr///lib//"), "/usr/lib");
}

TEST(NormalizePath, RelativePathsJoinTheBase) {
    EXPECT_EQ(norm("/home/user", "src"), "/home/user/src");
    EXPECT_EQ(norm("/", "tmp"), "/tmp");
    EXPECT_EQ(norm("/home/user", "."), "/home/user");
    EXPECT_EQ(norm("/home/user", ""), "/home/user");
}

TEST(NormalizePath, DotDotClimbsButNeverAboveTheRoot) {
    EXPECT_EQ(norm("/home/user", ".."), "/home");
    EXPECT_EQ(norm("/home/user", "../../.."), "/");
    EXPECT_EQ(norm("/", "../etc"), "/etc");
    EXPECT_EQ(norm("/a/b", "./c/../../d/./e/.."), "/a/d");
    EXPECT_EQ(norm("/a/b/", "../b2/"), "/a/b2");
}

TEST(NormalizePath, ComponentsThatOnlyLookLikeDots) {
    EXPECT_EQ(norm("/a", "..."), "/a/...");
    EXPECT_EQ(norm("/a", ".hidden/..x"), "/a/.hidden/..x");
}

TEST(NormalizePath, TooLongIsENAMETOOLONG) {
    EXPECT_EQ(norm("/", "abcdef", 4), "error ENAMETOOLONG");
    EXPECT_EQ(norm("/", "abc", 5), "/abc");
    EXPECT_EQ(norm("/", "abcd", 5), "error ENAMETOOLONG");
}

} // namespace
} // namespace jvmos
