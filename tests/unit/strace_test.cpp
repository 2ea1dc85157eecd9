// Tests for shim/strace: every expected line below was printed by /usr/bin/strace 6.1 (`strace
// -f -s 32`) for the same call on Linux x86-64, with addresses adapted to the fake memory and the
// column-40 padding removed.
#include "shim/strace.h"
#include "shim/syscall_list.h"

#include <gtest/gtest.h>
#include <sys/syscall.h>

#include <array>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace jvmos::shim {
namespace {

// User memory made of byte regions at fake addresses; a read must lie inside one region.
class FakeMemory final : public UserMemory {
  public:
    bool read(u64 addr, void* out, usize len) const override {
        for (const auto& [base, bytes] : m_regions) {
            if (addr < base || addr - base > bytes.size() || len > bytes.size() - (addr - base))
                continue;
            if (len > 0) std::memcpy(out, bytes.data() + (addr - base), len);
            return true;
        }
        return false;
    }

    u64 map(u64 addr, const void* data, usize len) {
        const u8* p = static_cast<const u8*>(data);
        m_regions[addr] = std::vector<u8>(p, p + len);
        return addr;
    }
    u64 map_bytes(u64 addr, const std::string& bytes) {
        return map(addr, bytes.data(), bytes.size());
    }
    // The string and its terminating NUL.
    u64 map_string(u64 addr, const std::string& s) { return map(addr, s.c_str(), s.size() + 1); }
    template <typename T> u64 map_value(u64 addr, const T& value) {
        return map(addr, &value, sizeof(value));
    }

  private:
    std::map<u64, std::vector<u8>> m_regions;
};

constexpr u64 A = 0x10000; // first fake address
constexpr u64 B = 0x20000;
constexpr u64 C = 0x30000;
constexpr u64 UNMAPPED = 0x7ffd0a76ca90;

// The line for a call that returned, without its final newline (checked here).
std::string trace(u64 nr, std::array<u64, 6> args, i64 result, const FakeMemory& mem) {
    char buf[16384];
    usize n = format_syscall(buf, sizeof(buf), nr, args.data(), result, mem);
    EXPECT_EQ(n, std::strlen(buf));
    EXPECT_TRUE(n > 0 && buf[n - 1] == '\n') << buf;
    return std::string(buf, n > 0 ? n - 1 : 0);
}

std::string trace(u64 nr, std::array<u64, 6> args, i64 result) {
    FakeMemory none;
    return trace(nr, args, result, none);
}

std::string trace_noreturn(u64 nr, std::array<u64, 6> args, const FakeMemory& mem) {
    char buf[4096];
    usize n = format_syscall_noreturn(buf, sizeof(buf), nr, args.data(), mem);
    EXPECT_EQ(n, std::strlen(buf));
    EXPECT_TRUE(n > 0 && buf[n - 1] == '\n') << buf;
    return std::string(buf, n > 0 ? n - 1 : 0);
}

u64 neg(i64 v) {
    return static_cast<u64>(v);
}

constexpr i64 ERR_ENOENT = -2;
constexpr i64 ERR_EBADF = -9;
constexpr i64 ERR_EAGAIN = -11;
constexpr i64 ERR_EFAULT = -14;
constexpr i64 ERR_EINVAL = -22;
constexpr i64 ERR_ENOTTY = -25;
constexpr i64 ERR_ENOSYS = -38;
constexpr i64 ERR_ETIMEDOUT = -110;

// ---------------------------------------------------------------------------------------------
// Syscall names

TEST(SyscallName, MatchesHostConstantsForASample) {
    const std::pair<long, const char*> sample[] = {
        {__NR_read, "read"},
        {__NR_write, "write"},
        {__NR_open, "open"},
        {__NR_close, "close"},
        {__NR_fstat, "fstat"},
        {__NR_mmap, "mmap"},
        {__NR_brk, "brk"},
        {__NR_rt_sigaction, "rt_sigaction"},
        {__NR_ioctl, "ioctl"},
        {__NR_writev, "writev"},
        {__NR_sched_yield, "sched_yield"},
        {__NR_mremap, "mremap"},
        {__NR_dup2, "dup2"},
        {__NR_getpid, "getpid"},
        {__NR_clone, "clone"},
        {__NR_execve, "execve"},
        {__NR_exit, "exit"},
        {__NR_wait4, "wait4"},
        {__NR_uname, "uname"},
        {__NR_fcntl, "fcntl"},
        {__NR_getcwd, "getcwd"},
        {__NR_arch_prctl, "arch_prctl"},
        {__NR_gettid, "gettid"},
        {__NR_futex, "futex"},
        {__NR_getdents64, "getdents64"},
        {__NR_clock_gettime, "clock_gettime"},
        {__NR_exit_group, "exit_group"},
        {__NR_openat, "openat"},
        {__NR_prlimit64, "prlimit64"},
        {__NR_rseq, "rseq"},
        {__NR_clone3, "clone3"},
        {__NR_faccessat2, "faccessat2"},
    };
    for (const auto& [nr, name] : sample) {
        const char* got = syscall_name(static_cast<u64>(nr));
        ASSERT_NE(got, nullptr) << nr;
        EXPECT_STREQ(got, name) << nr;
    }
}

// Every __NR_ constant of the host's UAPI header has our name, and our list has nothing else.
TEST(SyscallName, MatchesTheWholeHostHeader) {
    std::ifstream header("/usr/include/x86_64-linux-gnu/asm/unistd_64.h");
    if (!header) GTEST_SKIP() << "no x86-64 UAPI header on this host";
    std::map<u64, std::string> host;
    std::string line;
    while (std::getline(header, line)) {
        std::istringstream words(line);
        std::string define, macro;
        u64 nr;
        if (words >> define >> macro >> nr && define == "#define" && macro.rfind("__NR_", 0) == 0)
            host[nr] = macro.substr(5);
    }
    ASSERT_GT(host.size(), 300u);
    for (const auto& [nr, name] : host) {
        const char* got = syscall_name(nr);
        ASSERT_NE(got, nullptr) << name;
        EXPECT_EQ(std::string(got), name);
    }
    usize ours = 0;
#define JVMOS_COUNT(nr, name)                                                                      \
    ++ours;                                                                                        \
    EXPECT_EQ(host.count(nr), 1u) << #name;
    JVMOS_LINUX_SYSCALLS(JVMOS_COUNT)
#undef JVMOS_COUNT
    EXPECT_EQ(ours, host.size());
}

TEST(SyscallName, ListIsWellFormed) {
    std::set<u64> numbers;
    std::set<std::string> names;
#define JVMOS_CHECK(nr, name)                                                                      \
    EXPECT_LT(u64{nr}, JVMOS_SYSCALL_COUNT_MAX);                                                   \
    EXPECT_TRUE(numbers.insert(nr).second) << nr;                                                  \
    EXPECT_TRUE(names.insert(#name).second) << #name;
    JVMOS_LINUX_SYSCALLS(JVMOS_CHECK)
#undef JVMOS_CHECK
    EXPECT_EQ(numbers.size(), 362u);
}

TEST(SyscallName, UnknownNumbersHaveNoName) {
    EXPECT_EQ(syscall_name(335), nullptr); // the gap between rseq and pidfd_send_signal
    EXPECT_EQ(syscall_name(423), nullptr);
    EXPECT_EQ(syscall_name(451), nullptr);
    EXPECT_EQ(syscall_name(JVMOS_SYSCALL_COUNT_MAX), nullptr);
    EXPECT_EQ(syscall_name(~u64{0}), nullptr);
    EXPECT_STREQ(syscall_name(450), "set_mempolicy_home_node");
}

// ---------------------------------------------------------------------------------------------
// Output buffer handling

TEST(StraceOutput, LineEndsInNewlineAndIsNulTerminated) {
    FakeMemory mem;
    mem.map_bytes(A, "hello\n");
    char buf[64];
    std::memset(buf, 'x', sizeof(buf));
    u64 args[6] = {1, A, 6, 0, 0, 0};
    usize n = format_syscall(buf, sizeof(buf), SYS_write, args, 6, mem);
    EXPECT_STREQ(buf, "write(1, \"hello\\n\", 6) = 6\n");
    EXPECT_EQ(n, std::strlen(buf));
}

TEST(StraceOutput, TruncatesLikeSnprintf) {
    FakeMemory mem;
    mem.map_bytes(A, "hello\n");
    u64 args[6] = {1, A, 6, 0, 0, 0};
    const std::string full = "write(1, \"hello\\n\", 6) = 6\n";

    char small[10];
    std::memset(small, 'x', sizeof(small));
    EXPECT_EQ(format_syscall(small, sizeof(small), SYS_write, args, 6, mem), full.size());
    EXPECT_EQ(std::string(small), full.substr(0, 9));

    char exact[64];
    EXPECT_EQ(format_syscall(exact, full.size(), SYS_write, args, 6, mem), full.size());
    EXPECT_EQ(std::string(exact), full.substr(0, full.size() - 1));

    char untouched = 'x';
    EXPECT_EQ(format_syscall(&untouched, 0, SYS_write, args, 6, mem), full.size());
    EXPECT_EQ(untouched, 'x');

    char one = 'x';
    EXPECT_EQ(format_syscall(&one, 1, SYS_write, args, 6, mem), full.size());
    EXPECT_EQ(one, '\0');
}

// A path longer than the output buffer must not overrun it.
TEST(StraceOutput, LongPathIntoSmallBuffer) {
    FakeMemory mem;
    std::string path(3000, 'p');
    mem.map_string(A, path);
    char buf[100];
    buf[99] = 'z';
    u64 args[6] = {A, 0, 0, 0, 0, 0};
    usize n = format_syscall(buf, 99, SYS_open, args, 3, mem);
    EXPECT_EQ(n, std::string("open(\"\", O_RDONLY) = 3\n").size() + path.size());
    EXPECT_EQ(std::strlen(buf), 98u);
    EXPECT_EQ(buf[99], 'z');
}

// ---------------------------------------------------------------------------------------------
// Results

TEST(StraceResult, Errors) {
    FakeMemory mem;
    mem.map_string(A, "/nope");
    EXPECT_EQ(trace(SYS_openat, {neg(-100), A, 0, 0, 0, 0}, ERR_ENOENT, mem),
              "openat(AT_FDCWD, \"/nope\", O_RDONLY) = -1 ENOENT (No such file or directory)");
    EXPECT_EQ(trace(SYS_close, {999, 0, 0, 0, 0, 0}, ERR_EBADF),
              "close(999) = -1 EBADF (Bad file descriptor)");
    EXPECT_EQ(trace(SYS_close, {3, 0, 0, 0, 0, 0}, -4095),
              "close(3) = -1 ERRNO_4095 (Unknown error 4095)");
    // Just outside the error range: an ordinary (if odd) value.
    EXPECT_EQ(trace(SYS_close, {3, 0, 0, 0, 0, 0}, -4096), "close(3) = -4096");
}

TEST(StraceResult, KernelRestartCodes) {
    FakeMemory mem;
    mem.map_value(A, std::array<i64, 2>{5, 0});
    mem.map_value(B, std::array<i64, 2>{4, 8045});
    EXPECT_EQ(trace(SYS_nanosleep, {A, B, 0, 0, 0, 0}, -516, mem),
              "nanosleep({tv_sec=5, tv_nsec=0}, {tv_sec=4, tv_nsec=8045}) = ? "
              "ERESTART_RESTARTBLOCK (Interrupted by signal)");
    EXPECT_EQ(trace(SYS_read, {0, A, 10, 0, 0, 0}, -512, mem),
              "read(0, 0x10000, 10) = ? ERESTARTSYS (To be restarted if SA_RESTART is set)");
}

TEST(StraceResult, AddressesInHex) {
    EXPECT_EQ(trace(SYS_brk, {0, 0, 0, 0, 0, 0}, 0x55d0d6478000), "brk(NULL) = 0x55d0d6478000");
    EXPECT_EQ(trace(SYS_brk, {0x1000, 0, 0, 0, 0, 0}, 0x55d73f316000),
              "brk(0x1000) = 0x55d73f316000");
    EXPECT_EQ(trace(SYS_mremap, {0x1000, 4096, 8192, 0, 0, 0}, ERR_EFAULT),
              "mremap(0x1000, 4096, 8192, 0) = -1 EFAULT (Bad address)");
}

TEST(StraceResult, NoReturn) {
    FakeMemory mem;
    EXPECT_EQ(trace_noreturn(SYS_exit_group, {0, 0, 0, 0, 0, 0}, mem), "exit_group(0) = ?");
    EXPECT_EQ(trace_noreturn(SYS_exit, {0x100000005, 0, 0, 0, 0, 0}, mem), "exit(5) = ?");
    // Output buffers are not filled in for a call that never returned.
    mem.map_bytes(A, "data");
    EXPECT_EQ(trace_noreturn(SYS_read, {0, A, 4, 0, 0, 0}, mem), "read(0, 0x10000, 4) = ?");
}

// ---------------------------------------------------------------------------------------------
// Strings

TEST(StraceStrings, EscapesEveryByteLikeStrace) {
    FakeMemory mem;
    std::string all(256, '\0');
    for (int i = 0; i < 256; ++i) all[i] = static_cast<char>(i);
    mem.map_bytes(A, all);
    const char* expected[8] = {
        R"("\0\1\2\3\4\5\6\7\10\t\n\v\f\r\16\17\20\21\22\23\24\25\26\27\30\31\32\33\34\35\36\37")",
        R"(" !\"#$%&'()*+,-./0123456789:;<=>?")",
        R"("@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_")",
        R"("`abcdefghijklmnopqrstuvwxyz{|}~\177")",
        R"("\200\201\202\203\204\205\206\207\210\211\212\213\214\215\216\217\220\221\222\223\224\225\226\227\230\231\232\233\234\235\236\237")",
        R"("\240\241\242\243\244\245\246\247\250\251\252\253\254\255\256\257\260\261\262\263\264\265\266\267\270\271\272\273\274\275\276\277")",
        R"("\300\301\302\303\304\305\306\307\310\311\312\313\314\315\316\317\320\321\322\323\324\325\326\327\330\331\332\333\334\335\336\337")",
        R"("\340\341\342\343\344\345\346\347\350\351\352\353\354\355\356\357\360\361\362\363\364\365\366\367\370\371\372\373\374\375\376\377")",
    };
    for (u64 i = 0; i < 8; ++i)
        EXPECT_EQ(trace(SYS_write, {1, A + 32 * i, 32, 0, 0, 0}, 32, mem),
                  std::string("write(1, ") + expected[i] + ", 32) = 32");
}

TEST(StraceStrings, NamedEscapesAndOctalBeforeDigits) {
    FakeMemory mem;
    mem.map(A, "a\"b\\c\td\ne\rf\vg\fh\ai\bj", 20);
    EXPECT_EQ(trace(SYS_write, {1, A, 20, 0, 0, 0}, 20, mem),
              R"(write(1, "a\"b\\c\td\ne\rf\vg\fh\7i\10j\0", 20) = 20)");
    mem.map(B, "0\0001\0012\0xyz", 10);
    EXPECT_EQ(trace(SYS_write, {1, B, 10, 0, 0, 0}, 10, mem),
              R"(write(1, "0\0001\0012\0xyz\0", 10) = 10)");
    // An octal escape widens to three digits only before '0'..'7', not before '8'.
    mem.map(C, "\0010\0181", 5);
    EXPECT_EQ(trace(SYS_write, {1, C, 5, 0, 0, 0}, 5, mem), R"(write(1, "\0010\181", 5) = 5)");
}

TEST(StraceStrings, TruncatesBuffersAt32Bytes) {
    FakeMemory mem;
    mem.map_bytes(A, "0123456789012345678901234567890123456789");
    EXPECT_EQ(trace(SYS_write, {1, A, 40, 0, 0, 0}, 40, mem),
              R"(write(1, "01234567890123456789012345678901"..., 40) = 40)");
    EXPECT_EQ(trace(SYS_write, {1, A, 32, 0, 0, 0}, 32, mem),
              R"(write(1, "01234567890123456789012345678901", 32) = 32)");
    EXPECT_EQ(trace(SYS_write, {1, A, 33, 0, 0, 0}, 33, mem),
              R"(write(1, "01234567890123456789012345678901"..., 33) = 33)");
    // Only the shown prefix has to be readable.
    EXPECT_EQ(trace(SYS_write, {1, A, 4294967298, 0, 0, 0}, 2147479552, mem),
              R"(write(1, "01234567890123456789012345678901"..., 4294967298) = 2147479552)");
}

TEST(StraceStrings, BadPointersPrintInHex) {
    FakeMemory mem;
    EXPECT_EQ(trace(SYS_write, {1, 1, 2, 0, 0, 0}, 2, mem), "write(1, 0x1, 2) = 2");
    EXPECT_EQ(trace(SYS_write, {neg(-1), 0, 0, 0, 0, 0}, ERR_EBADF, mem),
              "write(-1, NULL, 0) = -1 EBADF (Bad file descriptor)");
    EXPECT_EQ(trace(SYS_open, {1, 1, 0644, 0, 0, 0}, ERR_EFAULT, mem),
              "open(0x1, O_WRONLY) = -1 EFAULT (Bad address)");
    EXPECT_EQ(trace(SYS_readlink, {0, UNMAPPED, 10, 0, 0, 0}, ERR_EFAULT, mem),
              "readlink(NULL, 0x7ffd0a76ca90, 10) = -1 EFAULT (Bad address)");
    // Only part of the buffer is readable.
    mem.map_bytes(A, "abc");
    EXPECT_EQ(trace(SYS_write, {1, A, 8, 0, 0, 0}, 8, mem), "write(1, 0x10000, 8) = 8");
}

TEST(StraceStrings, PathsAreNotLimitedTo32Bytes) {
    FakeMemory mem;
    const std::string path = "/tmp/stw/a_very_long_path_name_that_is_longer_than_32_bytes_for_sure";
    mem.map_string(A, path);
    EXPECT_EQ(trace(SYS_openat, {neg(-100), A, 01000 | 0100 | 1 | 02000000, 0644, 0, 0}, 3, mem),
              "openat(AT_FDCWD, \"" + path + "\", O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC, 0644) = 3");
    mem.map_string(B, "");
    EXPECT_EQ(trace(SYS_openat, {neg(-100), B, 0, 0, 0, 0}, ERR_ENOENT, mem),
              "openat(AT_FDCWD, \"\", O_RDONLY) = -1 ENOENT (No such file or directory)");
}

TEST(StraceStrings, PathRunningIntoUnmappedMemoryIsAPointer) {
    FakeMemory mem;
    mem.map_bytes(A, std::string(100, 'x')); // no NUL before the end of the mapping
    EXPECT_EQ(trace(SYS_unlink, {A, 0, 0, 0, 0, 0}, ERR_EFAULT, mem),
              "unlink(0x10000) = -1 EFAULT (Bad address)");
    // A path ending exactly at the end of its mapping is fine.
    mem.map_string(B, std::string(70, 'y'));
    EXPECT_EQ(trace(SYS_unlink, {B, 0, 0, 0, 0, 0}, 0, mem),
              "unlink(\"" + std::string(70, 'y') + "\") = 0");
}

TEST(StraceStrings, PathWithoutNulWithinPathMaxIsTruncated) {
    FakeMemory mem;
    mem.map_bytes(A, std::string(5000, 'q'));
    EXPECT_EQ(trace(SYS_chdir, {A, 0, 0, 0, 0, 0}, -36, mem),
              "chdir(\"" + std::string(4096, 'q') +
                  "\"...) = -1 ENAMETOOLONG (File name too long)");
}

// ---------------------------------------------------------------------------------------------
// read / write family

TEST(StraceIo, ReadShowsTheBytesRead) {
    FakeMemory mem;
    mem.map_bytes(A, "#define _GNU_SOURCE\n#include <unistd.h>\n#include <sys/syscall.h>\n");
    EXPECT_EQ(trace(SYS_read, {8, A, 10, 0, 0, 0}, 10, mem), R"(read(8, "#define _G", 10) = 10)");
    EXPECT_EQ(trace(SYS_read, {3, A, 100, 0, 0, 0}, 33, mem),
              R"(read(3, "#define _GNU_SOURCE\n#include <un"..., 100) = 33)");
    EXPECT_EQ(trace(SYS_read, {8, A, 0, 0, 0, 0}, 0, mem), R"(read(8, "", 0) = 0)");
    EXPECT_EQ(trace(SYS_read, {999, A, 10, 0, 0, 0}, ERR_EBADF, mem),
              "read(999, 0x10000, 10) = -1 EBADF (Bad file descriptor)");
    EXPECT_EQ(trace(SYS_read, {0x1000000005, 0, 0, 0, 0, 0}, ERR_EBADF, mem),
              "read(5, NULL, 0) = -1 EBADF (Bad file descriptor)");
}

TEST(StraceIo, PreadPwrite) {
    FakeMemory mem;
    mem.map_bytes(A, " _GNU");
    mem.map_bytes(B, "abc");
    EXPECT_EQ(trace(SYS_pread64, {8, A, 5, 7, 0, 0}, 5, mem), R"(pread64(8, " _GNU", 5, 7) = 5)");
    EXPECT_EQ(trace(SYS_pwrite64, {999, B, 3, 100, 0, 0}, ERR_EBADF, mem),
              R"(pwrite64(999, "abc", 3, 100) = -1 EBADF (Bad file descriptor))");
    EXPECT_EQ(trace(SYS_pread64, {neg(-1), A, neg(-1), neg(-1), 0, 0}, ERR_EBADF, mem),
              "pread64(-1, 0x10000, 18446744073709551615, -1) = -1 EBADF (Bad file descriptor)");
}

struct Iovec {
    u64 base;
    u64 len;
};

TEST(StraceIo, Writev) {
    FakeMemory mem;
    mem.map_bytes(A, "abc");
    mem.map_bytes(B, "defgh");
    Iovec iov[2] = {{A, 3}, {B, 5}};
    mem.map(C, iov, sizeof(iov));
    EXPECT_EQ(trace(SYS_writev, {1, C, 2, 0, 0, 0}, 8, mem),
              R"(writev(1, [{iov_base="abc", iov_len=3}, {iov_base="defgh", iov_len=5}], 2) = 8)");
    EXPECT_EQ(trace(SYS_writev, {1, C, 0, 0, 0, 0}, 0, mem), "writev(1, [], 0) = 0");
    EXPECT_EQ(trace(SYS_writev, {1, 1, 2, 0, 0, 0}, ERR_EFAULT, mem),
              "writev(1, 0x1, 2) = -1 EFAULT (Bad address)");
    Iovec bad[2] = {{A, 3}, {1, 40}};
    mem.map(C + 0x100, bad, sizeof(bad));
    EXPECT_EQ(trace(SYS_writev, {1, C + 0x100, 2, 0, 0, 0}, 44, mem),
              R"(writev(1, [{iov_base="abc", iov_len=3}, {iov_base=0x1, iov_len=40}], 2) = 44)");
}

TEST(StraceIo, WritevShowsAtMost32Elements) {
    FakeMemory mem;
    mem.map_bytes(A, "a");
    std::vector<Iovec> iov(40, Iovec{A, 1});
    mem.map(B, iov.data(), iov.size() * sizeof(Iovec));
    std::string elements;
    for (int i = 0; i < 32; ++i)
        elements += std::string(i ? ", " : "") + R"({iov_base="a", iov_len=1})";
    EXPECT_EQ(trace(SYS_writev, {1, B, 40, 0, 0, 0}, 40, mem),
              "writev(1, [" + elements + ", ...], 40) = 40");
    EXPECT_EQ(trace(SYS_writev, {1, B, 33, 0, 0, 0}, 33, mem),
              "writev(1, [" + elements + ", ...], 33) = 33");
    EXPECT_EQ(trace(SYS_writev, {1, B, 32, 0, 0, 0}, 32, mem),
              "writev(1, [" + elements + "], 32) = 32");
}

TEST(StraceIo, ReadvIsLimitedByTheResult) {
    FakeMemory mem;
    mem.map_bytes(A, "turn");
    mem.map_bytes(B, std::string(" 0;\n}\n") + std::string(34, '\0'));
    mem.map_bytes(C, std::string(10, 'z'));
    Iovec iov[3] = {{A, 4}, {B, 40}, {C, 10}};
    mem.map(C + 0x100, iov, sizeof(iov));
    EXPECT_EQ(trace(SYS_readv, {3, C + 0x100, 3, 0, 0, 0}, 10, mem),
              R"(readv(3, [{iov_base="turn", iov_len=4}, {iov_base=" 0;\n}\n", iov_len=40}, )"
              R"({iov_base="", iov_len=10}], 3) = 10)");
    EXPECT_EQ(trace(SYS_readv, {999, C + 0x100, 2, 0, 0, 0}, ERR_EBADF, mem),
              "readv(999, [{iov_base=0x10000, iov_len=4}, {iov_base=0x20000, iov_len=40}], 2) = "
              "-1 EBADF (Bad file descriptor)");
}

TEST(StraceIo, Lseek) {
    EXPECT_EQ(trace(SYS_lseek, {8, 0, 0, 0, 0, 0}, 0), "lseek(8, 0, SEEK_SET) = 0");
    EXPECT_EQ(trace(SYS_lseek, {8, neg(-5), 2, 0, 0, 0}, 3592), "lseek(8, -5, SEEK_END) = 3592");
    EXPECT_EQ(trace(SYS_lseek, {8, 3, 1, 0, 0, 0}, 3595), "lseek(8, 3, SEEK_CUR) = 3595");
    EXPECT_EQ(trace(SYS_lseek, {1, 0, 3, 0, 0, 0}, 0), "lseek(1, 0, SEEK_DATA) = 0");
    EXPECT_EQ(trace(SYS_lseek, {1, 0, 4, 0, 0, 0}, 0), "lseek(1, 0, SEEK_HOLE) = 0");
    EXPECT_EQ(trace(SYS_lseek, {8, 0, 7, 0, 0, 0}, ERR_EINVAL),
              "lseek(8, 0, 0x7 /* SEEK_??? */) = -1 EINVAL (Invalid argument)");
}

// ---------------------------------------------------------------------------------------------
// open and flags

TEST(StraceOpen, FlagsAndMode) {
    FakeMemory mem;
    mem.map_string(A, "/tmp/stw/x");
    mem.map_string(B, "/tmp/stw");
    mem.map_string(C, "sub");
    EXPECT_EQ(
        trace(SYS_open, {A, 2 | 0100 | 0200 | 02000 | 04000 | 0400000, 0600, 0, 0, 0}, 4, mem),
        R"(open("/tmp/stw/x", O_RDWR|O_CREAT|O_EXCL|O_APPEND|O_NONBLOCK|O_NOFOLLOW, 0600) = 4)");
    EXPECT_EQ(trace(SYS_open, {B, 0200000 | 010000000, 0, 0, 0, 0}, 5, mem),
              R"(open("/tmp/stw", O_RDONLY|O_PATH|O_DIRECTORY) = 5)");
    EXPECT_EQ(trace(SYS_open, {B, 0400 | 04010000, 0, 0, 0, 0}, 6, mem),
              R"(open("/tmp/stw", O_RDONLY|O_NOCTTY|O_SYNC) = 6)");
    EXPECT_EQ(trace(SYS_openat, {3, C, 2 | 020200000, 0600, 0, 0}, -20, mem),
              R"(openat(3, "sub", O_RDWR|O_TMPFILE, 0600) = -1 ENOTDIR (Not a directory))");
    EXPECT_EQ(trace(SYS_openat, {neg(-100), B, 0x40000000, 0, 0, 0}, 7, mem),
              R"(openat(AT_FDCWD, "/tmp/stw", O_RDONLY|0x40000000) = 7)");
    EXPECT_EQ(trace(SYS_open, {A, 1 | 0100, 0, 0, 0, 0}, 4, mem),
              R"(open("/tmp/stw/x", O_WRONLY|O_CREAT, 000) = 4)");
    EXPECT_EQ(trace(SYS_open, {A, 1, 0644, 0, 0, 0}, 5, mem),
              R"(open("/tmp/stw/x", O_WRONLY) = 5)");
    EXPECT_EQ(trace(SYS_openat, {neg(-1), C, 0, 0, 0, 0}, ERR_EBADF, mem),
              R"(openat(-1, "sub", O_RDONLY) = -1 EBADF (Bad file descriptor))");
    EXPECT_EQ(trace(SYS_openat, {0x12345678ff, C, 0, 0, 0, 0}, ERR_EBADF, mem),
              R"(openat(878082303, "sub", O_RDONLY) = -1 EBADF (Bad file descriptor))");
}

TEST(StraceOpen, EveryFlagBit) {
    FakeMemory mem;
    mem.map_string(A, "/nope");
    EXPECT_EQ(trace(SYS_openat, {neg(-100), A, 0xffffffff & ~3u, 0, 0, 0}, ERR_ENOENT, mem),
              R"(openat(AT_FDCWD, "/nope", O_RDONLY|O_CREAT|O_EXCL|O_NOCTTY|O_TRUNC|O_APPEND|)"
              R"(O_NONBLOCK|O_SYNC|O_DIRECT|O_LARGEFILE|O_NOFOLLOW|O_NOATIME|O_CLOEXEC|O_PATH|)"
              R"(O_TMPFILE|FASYNC|0xff80003c, 000) = -1 ENOENT (No such file or directory))");
    EXPECT_EQ(trace(SYS_openat, {neg(-100), A, 0x2 | 0x8000 | 0x200000, 0, 0, 0}, ERR_ENOENT, mem),
              R"(openat(AT_FDCWD, "/nope", O_RDWR|O_LARGEFILE|O_PATH) = -1 ENOENT )"
              R"((No such file or directory))");
    EXPECT_EQ(trace(SYS_openat, {neg(-100), A, 0x410003, 0, 0, 0}, ERR_ENOENT, mem),
              R"(openat(AT_FDCWD, "/nope", O_ACCMODE|O_TMPFILE, 000) = -1 ENOENT )"
              R"((No such file or directory))");
    EXPECT_EQ(trace(SYS_openat,
                    {neg(-100), A, 02000 | 04000 | 010000 | 040000 | 01000000 | 0200000 | 020000, 0,
                     0, 0},
                    ERR_ENOENT, mem),
              R"(openat(AT_FDCWD, "/nope", O_RDONLY|O_APPEND|O_NONBLOCK|O_DSYNC|O_DIRECT|)"
              R"(O_NOATIME|O_DIRECTORY|FASYNC) = -1 ENOENT (No such file or directory))");
    EXPECT_EQ(trace(SYS_openat, {neg(-100), A, 1 | 0x400000, 0163320, 0, 0}, ERR_EINVAL, mem),
              R"(openat(AT_FDCWD, "/nope", O_WRONLY|__O_TMPFILE, 0163320) = -1 EINVAL )"
              R"((Invalid argument))");
    EXPECT_EQ(trace(SYS_openat, {neg(-100), A, 1 | 0x100000, 0, 0, 0}, ERR_ENOENT, mem),
              R"(openat(AT_FDCWD, "/nope", O_WRONLY|__O_SYNC) = -1 ENOENT )"
              R"((No such file or directory))");
}

// ---------------------------------------------------------------------------------------------
// Memory management

TEST(StraceMm, Mmap) {
    EXPECT_EQ(trace(SYS_mmap, {0, 8192, 3, 0x22, neg(-1), 0}, 0x7f7706c75000),
              "mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = "
              "0x7f7706c75000");
    EXPECT_EQ(trace(SYS_mmap, {0x7f7706aae000, 1400832, 5, 0x812, 3, 0x26000}, 0x7f7706aae000),
              "mmap(0x7f7706aae000, 1400832, PROT_READ|PROT_EXEC, "
              "MAP_PRIVATE|MAP_FIXED|MAP_DENYWRITE, 3, 0x26000) = 0x7f7706aae000");
    EXPECT_EQ(trace(SYS_mmap, {0, 8192, 0, 0x4022, neg(-1), 0}, 0x7f78b96d9000),
              "mmap(NULL, 8192, PROT_NONE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_NORESERVE, -1, 0) = "
              "0x7f78b96d9000");
    EXPECT_EQ(trace(SYS_mmap, {0, 8192, 7, 0x28121, neg(-1), 0}, ERR_EINVAL),
              "mmap(NULL, 8192, PROT_READ|PROT_WRITE|PROT_EXEC, "
              "MAP_SHARED|MAP_ANONYMOUS|MAP_POPULATE|MAP_GROWSDOWN|MAP_STACK, -1, 0) = -1 EINVAL "
              "(Invalid argument)");
    EXPECT_EQ(trace(SYS_mmap, {0x7f78b96d9000, 4096, 1, 0x8140022, neg(-1), 0}, ERR_EINVAL),
              "mmap(0x7f78b96d9000, 4096, PROT_READ, "
              "MAP_PRIVATE|MAP_ANONYMOUS|MAP_HUGETLB|MAP_FIXED_NOREPLACE|2<<MAP_HUGE_SHIFT, -1, 0) "
              "= -1 EINVAL (Invalid argument)");
    EXPECT_EQ(trace(SYS_mmap, {0, 4096, 0x101, 0x1003, neg(-1), 0}, ERR_EBADF),
              "mmap(NULL, 4096, PROT_READ|0x100, MAP_SHARED_VALIDATE|MAP_EXECUTABLE, -1, 0) = -1 "
              "EBADF (Bad file descriptor)");
    EXPECT_EQ(trace(SYS_mmap, {0, 4096, 1, 3, 999, 4096}, ERR_EBADF),
              "mmap(NULL, 4096, PROT_READ, MAP_SHARED_VALIDATE, 999, 0x1000) = -1 EBADF (Bad file "
              "descriptor)");
    EXPECT_EQ(trace(SYS_mmap, {0, 4096, 0x100, 0x22, neg(-1), 0}, 0x7fee67d2c000),
              "mmap(NULL, 4096, 0x100 /* PROT_??? */, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = "
              "0x7fee67d2c000");
    EXPECT_EQ(trace(SYS_mmap, {0, 4096, 1, 0, neg(-1), 0}, ERR_EBADF),
              "mmap(NULL, 4096, PROT_READ, MAP_FILE, -1, 0) = -1 EBADF (Bad file descriptor)");
    EXPECT_EQ(trace(SYS_mmap, {0, 4096, 0, 0x24, neg(-1), 0}, ERR_EINVAL),
              "mmap(NULL, 4096, PROT_NONE, 0x4 /* MAP_??? */|MAP_ANONYMOUS, -1, 0) = -1 EINVAL "
              "(Invalid argument)");
    EXPECT_EQ(
        trace(SYS_mmap, {0, 4096, 0, 0xfc040022, neg(-1), 0}, ERR_EINVAL),
        "mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_HUGETLB|63<<MAP_HUGE_SHIFT, "
        "-1, 0) = -1 EINVAL (Invalid argument)");
    EXPECT_EQ(trace(SYS_mmap, {0, 4096, 1, 0x200022, neg(-1), 0}, 0x7fee67d2b000),
              "mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|0x200000, -1, 0) = "
              "0x7fee67d2b000");
    EXPECT_EQ(
        trace(SYS_mmap,
              {0, 4096, 7 | 0x1000000 | 0x2000000, ~u64{0} & ~0xfc000000ul & ~3ul, neg(-1), 0},
              ERR_EINVAL),
        "mmap(NULL, 4096, PROT_READ|PROT_WRITE|PROT_EXEC|PROT_GROWSDOWN|PROT_GROWSUP, "
        "0xc /* MAP_??? */|MAP_FIXED|MAP_ANONYMOUS|MAP_32BIT|MAP_NORESERVE|MAP_POPULATE|"
        "MAP_NONBLOCK|MAP_GROWSDOWN|MAP_DENYWRITE|MAP_EXECUTABLE|MAP_LOCKED|MAP_STACK|"
        "MAP_HUGETLB|MAP_SYNC|MAP_FIXED_NOREPLACE|0x3e00680, -1, 0) = -1 EINVAL (Invalid "
        "argument)");
}

TEST(StraceMm, MprotectMunmapMadviseMremap) {
    EXPECT_EQ(trace(SYS_mprotect, {0x7f78b96d9000, 4096, 3, 0, 0, 0}, 0),
              "mprotect(0x7f78b96d9000, 4096, PROT_READ|PROT_WRITE) = 0");
    EXPECT_EQ(trace(SYS_mprotect, {0, 0, 0, 0, 0, 0}, 0), "mprotect(NULL, 0, PROT_NONE) = 0");
    EXPECT_EQ(trace(SYS_mprotect, {0, 0, 0xffffffff, 0, 0, 0}, ERR_EINVAL),
              "mprotect(NULL, 0, PROT_READ|PROT_WRITE|PROT_EXEC|PROT_SEM|PROT_GROWSDOWN|"
              "PROT_GROWSUP|0xfcfffff0) = -1 EINVAL (Invalid argument)");
    EXPECT_EQ(trace(SYS_munmap, {0x7f78b96d9000, 8192, 0, 0, 0, 0}, 0),
              "munmap(0x7f78b96d9000, 8192) = 0");
    EXPECT_EQ(trace(SYS_munmap, {0, ~u64{0}, 0, 0, 0, 0}, ERR_EINVAL),
              "munmap(NULL, 18446744073709551615) = -1 EINVAL (Invalid argument)");
    EXPECT_EQ(trace(SYS_madvise, {0x7f78b96d9000, 4096, 4, 0, 0, 0}, 0),
              "madvise(0x7f78b96d9000, 4096, MADV_DONTNEED) = 0");
    EXPECT_EQ(trace(SYS_madvise, {0x7f78b96d9000, 4096, 8, 0, 0, 0}, 0),
              "madvise(0x7f78b96d9000, 4096, MADV_FREE) = 0");
    EXPECT_EQ(trace(SYS_madvise, {0x7f78b96d9000, 4096, 14, 0, 0, 0}, 0),
              "madvise(0x7f78b96d9000, 4096, MADV_HUGEPAGE) = 0");
    EXPECT_EQ(trace(SYS_madvise, {0x7f78b96d9000, 4096, 1234, 0, 0, 0}, ERR_EINVAL),
              "madvise(0x7f78b96d9000, 4096, 0x4d2 /* MADV_??? */) = -1 EINVAL (Invalid argument)");
    EXPECT_EQ(trace(SYS_madvise, {0, ~u64{0}, 0x100000000, 0, 0, 0}, ERR_EINVAL),
              "madvise(NULL, 18446744073709551615, MADV_NORMAL) = -1 EINVAL (Invalid argument)");
    EXPECT_EQ(trace(SYS_mremap, {0x7f78b96d9000, 8192, 16384, 1, 0, 0}, ERR_EFAULT),
              "mremap(0x7f78b96d9000, 8192, 16384, MREMAP_MAYMOVE) = -1 EFAULT (Bad address)");
    EXPECT_EQ(trace(SYS_mremap, {0x1000, 4096, 8192, 3, 0x200000, 0}, ERR_EFAULT),
              "mremap(0x1000, 4096, 8192, MREMAP_MAYMOVE|MREMAP_FIXED, 0x200000) = -1 EFAULT (Bad "
              "address)");
    EXPECT_EQ(trace(SYS_mremap, {0, 0, 0, 0xff, 0, 0}, ERR_EINVAL),
              "mremap(NULL, 0, 0, MREMAP_MAYMOVE|MREMAP_FIXED|MREMAP_DONTUNMAP|0xf8, NULL) = -1 "
              "EINVAL (Invalid argument)");
    EXPECT_EQ(trace(SYS_mremap, {0x1000, 4096, 8192, 1, 0, 0}, 0x7f0000000000),
              "mremap(0x1000, 4096, 8192, MREMAP_MAYMOVE) = 0x7f0000000000");
}

// Lines from strace 6.1 tracing tests/programs/memfd_mremap natively.
TEST(StraceMemory, MemfdFallocateMsync) {
    FakeMemory mem;
    mem.map_string(A, "jvmos_test");
    EXPECT_EQ(trace(SYS_memfd_create, {A, 3, 0, 0, 0, 0}, 3, mem),
              "memfd_create(\"jvmos_test\", MFD_CLOEXEC|MFD_ALLOW_SEALING) = 3");
    mem.map_string(B, "bad_flags");
    EXPECT_EQ(trace(SYS_memfd_create, {B, 0x100, 0, 0, 0, 0}, ERR_EINVAL, mem),
              "memfd_create(\"bad_flags\", 0x100 /* MFD_??? */) = -1 EINVAL (Invalid argument)");
    EXPECT_EQ(trace(SYS_fallocate, {3, 0, 0, 2097152, 0, 0}, 0), "fallocate(3, 0, 0, 2097152) = 0");
    EXPECT_EQ(trace(SYS_fallocate, {3, 3, 1048576, 1048676, 0, 0}, 0),
              "fallocate(3, FALLOC_FL_KEEP_SIZE|FALLOC_FL_PUNCH_HOLE, 1048576, 1048676) = 0");
    EXPECT_EQ(trace(SYS_msync, {0x7fb27f670000, 16384, 4, 0, 0, 0}, 0),
              "msync(0x7fb27f670000, 16384, MS_SYNC) = 0");
    EXPECT_EQ(trace(SYS_msync, {0x7fb27f670000, 16384, 4, 0, 0, 0}, -12 /* ENOMEM */),
              "msync(0x7fb27f670000, 16384, MS_SYNC) = -1 ENOMEM (Cannot allocate memory)");
}

// ---------------------------------------------------------------------------------------------
// Signals

struct KernelSigaction {
    u64 handler;
    u64 flags;
    u64 restorer;
    u64 mask;
};

u64 sigbit(int sig) {
    return u64{1} << (sig - 1);
}

TEST(StraceSignals, RtSigaction) {
    FakeMemory mem;
    mem.map_value(A, KernelSigaction{1, 0x14000000, 0x7f78b952a050, sigbit(2) | sigbit(15)});
    EXPECT_EQ(trace(SYS_rt_sigaction, {2, A, 0, 8, 0, 0}, 0, mem),
              "rt_sigaction(SIGINT, {sa_handler=SIG_IGN, sa_mask=[INT TERM], "
              "sa_flags=SA_RESTORER|SA_RESTART, sa_restorer=0x7f78b952a050}, NULL, 8) = 0");
    mem.map_value(B, KernelSigaction{0, 0, 0, 0});
    EXPECT_EQ(trace(SYS_rt_sigaction, {11, 0, B, 8, 0, 0}, 0, mem),
              "rt_sigaction(SIGSEGV, NULL, {sa_handler=SIG_DFL, sa_mask=[], sa_flags=0}, 8) = 0");
    // The old action is only shown after success.
    EXPECT_EQ(trace(SYS_rt_sigaction, {11, 0, B, 8, 0, 0}, ERR_EINVAL, mem),
              "rt_sigaction(SIGSEGV, NULL, 0x20000, 8) = -1 EINVAL (Invalid argument)");
    // The brief's example.
    mem.map_value(C, KernelSigaction{0x401000, 0x04000004, 0x401100, 0});
    EXPECT_EQ(trace(SYS_rt_sigaction, {2, C, 0, 8, 0, 0}, 0, mem),
              "rt_sigaction(SIGINT, {sa_handler=0x401000, sa_mask=[], "
              "sa_flags=SA_RESTORER|SA_SIGINFO, sa_restorer=0x401100}, NULL, 8) = 0");
}

TEST(StraceSignals, RtSigactionMasksAndFlags) {
    FakeMemory mem;
    u64 full = ~u64{0} & ~sigbit(32) & ~sigbit(33);
    mem.map_value(A, KernelSigaction{0x55a6d1816249, 0xffffffff0c000007 | 0x80000000 | 0x40000000,
                                     0x7fee67b7c050, full});
    EXPECT_EQ(trace(SYS_rt_sigaction, {10, A, 0, 8, 0, 0}, 0, mem),
              "rt_sigaction(SIGUSR1, {sa_handler=0x55a6d1816249, sa_mask=~[RTMIN RT_1], "
              "sa_flags=SA_RESTORER|SA_ONSTACK|SA_NODEFER|SA_RESETHAND|SA_SIGINFO|SA_NOCLDSTOP|"
              "SA_NOCLDWAIT|0xffffffff00000000, sa_restorer=0x7fee67b7c050}, NULL, 8) = 0");
    mem.map_value(B, KernelSigaction{0, 0xffffffff, 0, 0});
    EXPECT_EQ(trace(SYS_rt_sigaction, {99, B, 0, 8, 0, 0}, ERR_EINVAL, mem),
              "rt_sigaction(99, {sa_handler=SIG_DFL, sa_mask=[], sa_flags=SA_RESTORER|SA_ONSTACK|"
              "SA_RESTART|SA_INTERRUPT|SA_NODEFER|SA_RESETHAND|SA_SIGINFO|SA_NOCLDSTOP|"
              "SA_NOCLDWAIT|0x3fffff8, sa_restorer=NULL}, NULL, 8) = -1 EINVAL (Invalid argument)");
    EXPECT_EQ(trace(SYS_rt_sigaction, {12, 1, 0, 8, 0, 0}, ERR_EFAULT, mem),
              "rt_sigaction(SIGUSR2, 0x1, NULL, 8) = -1 EFAULT (Bad address)");
    EXPECT_EQ(trace(SYS_rt_sigaction, {64, 0, 0, 8, 0, 0}, 0),
              "rt_sigaction(SIGRT_32, NULL, NULL, 8) = 0");
    EXPECT_EQ(trace(SYS_rt_sigaction, {32, 0, 0, 8, 0, 0}, 0),
              "rt_sigaction(SIGRTMIN, NULL, NULL, 8) = 0");
    EXPECT_EQ(trace(SYS_rt_sigaction, {0, 0, 0, 8, 0, 0}, ERR_EINVAL),
              "rt_sigaction(0, NULL, NULL, 8) = -1 EINVAL (Invalid argument)");
    EXPECT_EQ(trace(SYS_rt_sigaction, {70, 0, 0, 8, 0, 0}, ERR_EINVAL),
              "rt_sigaction(70, NULL, NULL, 8) = -1 EINVAL (Invalid argument)");
    EXPECT_EQ(trace(SYS_rt_sigaction, {1, 0, 0, 0x123, 0, 0}, ERR_EINVAL),
              "rt_sigaction(SIGHUP, NULL, NULL, 291) = -1 EINVAL (Invalid argument)");
}

TEST(StraceSignals, RtSigprocmask) {
    FakeMemory mem;
    mem.map_value(A, sigbit(17) | sigbit(36));
    EXPECT_EQ(trace(SYS_rt_sigprocmask, {0, A, 0, 8, 0, 0}, 0, mem),
              "rt_sigprocmask(SIG_BLOCK, [CHLD RT_4], NULL, 8) = 0");
    EXPECT_EQ(trace(SYS_rt_sigprocmask, {2, 0, A, 8, 0, 0}, 0, mem),
              "rt_sigprocmask(SIG_SETMASK, NULL, [CHLD RT_4], 8) = 0");
    EXPECT_EQ(trace(SYS_rt_sigprocmask, {1, A, A, 8, 0, 0}, 0, mem),
              "rt_sigprocmask(SIG_UNBLOCK, [CHLD RT_4], [CHLD RT_4], 8) = 0");
    mem.map_value(B, ~u64{0});
    EXPECT_EQ(trace(SYS_rt_sigprocmask, {0, B, C, 8, 0, 0}, 0, mem),
              "rt_sigprocmask(SIG_BLOCK, ~[], 0x30000, 8) = 0");
    mem.map_value(C, sigbit(32) | sigbit(33) | sigbit(34) | sigbit(64));
    EXPECT_EQ(trace(SYS_rt_sigprocmask, {1, C, 0, 8, 0, 0}, 0, mem),
              "rt_sigprocmask(SIG_UNBLOCK, [RTMIN RT_1 RT_2 RT_32], NULL, 8) = 0");
    EXPECT_EQ(trace(SYS_rt_sigprocmask, {5, 0, 0, 8, 0, 0}, 0),
              "rt_sigprocmask(0x5 /* SIG_??? */, NULL, NULL, 8) = 0");
    EXPECT_EQ(trace(SYS_rt_sigprocmask, {0, 1, 2, 8, 0, 0}, ERR_EFAULT),
              "rt_sigprocmask(SIG_BLOCK, 0x1, 0x2, 8) = -1 EFAULT (Bad address)");
    // A set of the wrong size is not decoded.
    EXPECT_EQ(trace(SYS_rt_sigprocmask, {0, A, 0, 16, 0, 0}, ERR_EINVAL, mem),
              "rt_sigprocmask(SIG_BLOCK, 0x10000, NULL, 16) = -1 EINVAL (Invalid argument)");
}

TEST(StraceSignals, KillFamily) {
    EXPECT_EQ(trace(SYS_kill, {99999, 0, 0, 0, 0, 0}, -3),
              "kill(99999, 0) = -1 ESRCH (No such process)");
    EXPECT_EQ(trace(SYS_kill, {99999, 9, 0, 0, 0, 0}, -3),
              "kill(99999, SIGKILL) = -1 ESRCH (No such process)");
    EXPECT_EQ(trace(SYS_tgkill, {1, 99999, 11, 0, 0, 0}, -3),
              "tgkill(1, 99999, SIGSEGV) = -1 ESRCH (No such process)");
    EXPECT_EQ(trace(SYS_tkill, {99999, 10, 0, 0, 0, 0}, -3),
              "tkill(99999, SIGUSR1) = -1 ESRCH (No such process)");
    EXPECT_EQ(trace(SYS_kill, {999999, 33, 0, 0, 0, 0}, -3),
              "kill(999999, SIGRT_1) = -1 ESRCH (No such process)");
    EXPECT_EQ(trace(SYS_kill, {999999, 65, 0, 0, 0, 0}, -3),
              "kill(999999, 65) = -1 ESRCH (No such process)");
    EXPECT_EQ(trace(SYS_kill, {0, 0x7fffffff, 0, 0, 0, 0}, ERR_EINVAL),
              "kill(0, 2147483647) = -1 EINVAL (Invalid argument)");
    EXPECT_EQ(trace(SYS_tgkill, {neg(-1), neg(-1), 0, 0, 0, 0}, ERR_EINVAL),
              "tgkill(-1, -1, 0) = -1 EINVAL (Invalid argument)");
}

// ---------------------------------------------------------------------------------------------
// ioctl

struct Termios {
    u32 iflag, oflag, cflag, lflag;
    u8 line;
    u8 cc[19];
};

TEST(StraceIoctl, Termios) {
    FakeMemory mem;
    mem.map_value(
        A,
        Termios{0400 | 02000, 5, 0277, 1 | 2 | 010 | 020 | 040 | 0100000 | 01000 | 04000, 0, {}});
    EXPECT_EQ(trace(SYS_ioctl, {0, 0x5401, A, 0, 0, 0}, 0, mem),
              "ioctl(0, TCGETS, {c_iflag=ICRNL|IXON, c_oflag=NL0|CR0|TAB0|BS0|VT0|FF0|OPOST|ONLCR, "
              "c_cflag=B38400|CS8|CREAD, c_lflag=ISIG|ICANON|ECHO|ECHOE|ECHOK|IEXTEN|ECHOCTL|"
              "ECHOKE, ...}) = 0");
    EXPECT_EQ(trace(SYS_ioctl, {1, 0x5401, A, 0, 0, 0}, ERR_ENOTTY, mem),
              "ioctl(1, TCGETS, 0x10000) = -1 ENOTTY (Inappropriate ioctl for device)");
    EXPECT_EQ(trace(SYS_ioctl, {1, 0x5401, 1, 0, 0, 0}, ERR_EFAULT, mem),
              "ioctl(1, TCGETS, 0x1) = -1 EFAULT (Bad address)");
    mem.map_value(B, Termios{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0, {}});
    EXPECT_EQ(trace(SYS_ioctl, {3, 0x5402, B, 0, 0, 0}, ERR_ENOTTY, mem),
              "ioctl(3, SNDCTL_TMR_START or TCSETS, {c_iflag=IGNBRK|BRKINT|IGNPAR|PARMRK|INPCK|"
              "ISTRIP|INLCR|IGNCR|ICRNL|IUCLC|IXON|IXANY|IXOFF|IMAXBEL|IUTF8|0xffff8000, "
              "c_oflag=NL1|CR3|XTABS|BS1|VT1|FF1|OPOST|OLCUC|ONLCR|OCRNL|ONOCR|ONLRET|OFILL|OFDEL|"
              "0xffff0000, c_cflag=B4000000|B4000000<<IBSHIFT|CS8|CSTOPB|CREAD|PARENB|PARODD|HUPCL|"
              "CLOCAL|CMSPAR|CRTSCTS|0x2ff0e000, c_lflag=ISIG|ICANON|XCASE|ECHO|ECHOE|ECHOK|ECHONL|"
              "NOFLSH|IEXTEN|ECHOCTL|ECHOPRT|ECHOKE|FLUSHO|PENDIN|TOSTOP|EXTPROC|0xfffe2000, ...}) "
              "= -1 ENOTTY (Inappropriate ioctl for device)");
    mem.map_value(C, Termios{0, 0, 0, 0, 0, {}});
    EXPECT_EQ(trace(SYS_ioctl, {3, 0x5402, C, 0, 0, 0}, ERR_ENOTTY, mem),
              "ioctl(3, SNDCTL_TMR_START or TCSETS, {c_iflag=, c_oflag=NL0|CR0|TAB0|BS0|VT0|FF0|, "
              "c_cflag=B0|CS5|, c_lflag=, ...}) = -1 ENOTTY (Inappropriate ioctl for device)");
    mem.map_value(C + 0x100, Termios{0, 03000 | 014000, 010017 | (015 << 16), 0x2000, 0, {}});
    EXPECT_EQ(trace(SYS_ioctl, {3, 0x5404, C + 0x100, 0, 0, 0}, ERR_ENOTTY, mem),
              "ioctl(3, SNDCTL_TMR_CONTINUE or TCSETSF, {c_iflag=, c_oflag=NL0|CR3|XTABS|BS0|VT0|"
              "FF0|, c_cflag=B4000000|B9600<<IBSHIFT|CS5|, c_lflag=0x2000, ...}) = -1 ENOTTY "
              "(Inappropriate ioctl for device)");
}

TEST(StraceIoctl, WinsizeAndInts) {
    FakeMemory mem;
    mem.map_value(A, std::array<u16, 4>{24, 80, 0, 0});
    EXPECT_EQ(trace(SYS_ioctl, {0, 0x5413, A, 0, 0, 0}, 0, mem),
              "ioctl(0, TIOCGWINSZ, {ws_row=24, ws_col=80, ws_xpixel=0, ws_ypixel=0}) = 0");
    EXPECT_EQ(trace(SYS_ioctl, {0, 0x5413, 1, 0, 0, 0}, ERR_EFAULT, mem),
              "ioctl(0, TIOCGWINSZ, 0x1) = -1 EFAULT (Bad address)");
    EXPECT_EQ(trace(SYS_ioctl, {3, 0x5413, 0, 0, 0, 0}, ERR_ENOTTY, mem),
              "ioctl(3, TIOCGWINSZ, NULL) = -1 ENOTTY (Inappropriate ioctl for device)");
    mem.map_value(B, std::array<u16, 4>{1, 2, 3, 4});
    EXPECT_EQ(trace(SYS_ioctl, {3, 0x5414, B, 0, 0, 0}, ERR_ENOTTY, mem),
              "ioctl(3, TIOCSWINSZ, {ws_row=1, ws_col=2, ws_xpixel=3, ws_ypixel=4}) = -1 ENOTTY "
              "(Inappropriate ioctl for device)");
    mem.map_value(C, i32{3553});
    EXPECT_EQ(trace(SYS_ioctl, {8, 0x541b, C, 0, 0, 0}, 0, mem), "ioctl(8, FIONREAD, [3553]) = 0");
    EXPECT_EQ(trace(SYS_ioctl, {1, 0x541b, 0, 0, 0, 0}, ERR_ENOTTY, mem),
              "ioctl(1, FIONREAD, NULL) = -1 ENOTTY (Inappropriate ioctl for device)");
    mem.map_value(C + 0x100, i32{1});
    EXPECT_EQ(trace(SYS_ioctl, {3, 0x5421, C + 0x100, 0, 0, 0}, 0, mem),
              "ioctl(3, FIONBIO, [1]) = 0");
    EXPECT_EQ(trace(SYS_ioctl, {3, 0x5451, 0, 0, 0, 0}, 0, mem), "ioctl(3, FIOCLEX) = 0");
    EXPECT_EQ(trace(SYS_ioctl, {3, 0x540b, 2, 0, 0, 0}, 0, mem), "ioctl(3, TCFLSH, TCIOFLUSH) = 0");
    EXPECT_EQ(trace(SYS_ioctl, {3, 0x540a, 7, 0, 0, 0}, ERR_EINVAL, mem),
              "ioctl(3, TCXONC, 0x7 /* TC??? */) = -1 EINVAL (Invalid argument)");
}

TEST(StraceIoctl, UnknownRequests) {
    EXPECT_EQ(trace(SYS_ioctl, {8, 0x1234, 0x55, 0, 0, 0}, ERR_ENOTTY),
              "ioctl(8, _IOC(_IOC_NONE, 0x12, 0x34, 0), 0x55) = -1 ENOTTY (Inappropriate ioctl for "
              "device)");
    EXPECT_EQ(trace(SYS_ioctl, {1, 0xc0105401, 0, 0, 0, 0}, ERR_ENOTTY),
              "ioctl(1, _IOC(_IOC_READ|_IOC_WRITE, 0x54, 0x1, 0x10), 0) = -1 ENOTTY (Inappropriate "
              "ioctl for device)");
    EXPECT_EQ(trace(SYS_ioctl, {1, 0x40105401, 0, 0, 0, 0}, ERR_ENOTTY),
              "ioctl(1, _IOC(_IOC_WRITE, 0x54, 0x1, 0x10), 0) = -1 ENOTTY (Inappropriate ioctl for "
              "device)");
    EXPECT_EQ(trace(SYS_ioctl, {3, 0x1ffffffff, 0, 0, 0, 0}, ERR_ENOTTY),
              "ioctl(3, _IOC(_IOC_READ|_IOC_WRITE, 0xff, 0xff, 0x3fff), 0) = -1 ENOTTY "
              "(Inappropriate ioctl for device)");
}

// ---------------------------------------------------------------------------------------------
// stat family

struct Stat {
    u64 dev, ino, nlink;
    u32 mode, uid, gid, pad0;
    u64 rdev;
    i64 size, blksize, blocks;
    u64 times[6];
    i64 unused[3];
};
static_assert(sizeof(Stat) == 144);

Stat make_stat(u32 mode, i64 size, u64 rdev = 0) {
    Stat st{};
    st.mode = mode;
    st.size = size;
    st.rdev = rdev;
    return st;
}

TEST(StraceStat, StatFstatLstatNewfstatat) {
    FakeMemory mem;
    mem.map_string(A, "/tmp/stw/many.c");
    mem.map_value(B, make_stat(0100644, 3597));
    EXPECT_EQ(trace(SYS_stat, {A, B, 0, 0, 0, 0}, 0, mem),
              R"(stat("/tmp/stw/many.c", {st_mode=S_IFREG|0644, st_size=3597, ...}) = 0)");
    mem.map_value(C, make_stat(020666, 0, 0x103));
    EXPECT_EQ(trace(SYS_fstat, {0, C, 0, 0, 0, 0}, 0, mem),
              "fstat(0, {st_mode=S_IFCHR|0666, st_rdev=makedev(0x1, 0x3), ...}) = 0");
    mem.map_string(A + 0x100, "/tmp");
    mem.map_value(C + 0x200, make_stat(041777, 4096));
    EXPECT_EQ(
        trace(SYS_newfstatat, {neg(-100), A + 0x100, C + 0x200, 0, 0, 0}, 0, mem),
        R"(newfstatat(AT_FDCWD, "/tmp", {st_mode=S_IFDIR|S_ISVTX|0777, st_size=4096, ...}, 0) = 0)");
    mem.map_string(A + 0x200, "");
    EXPECT_EQ(trace(SYS_newfstatat, {3, A + 0x200, B, 0x1000, 0, 0}, 0, mem),
              R"(newfstatat(3, "", {st_mode=S_IFREG|0644, st_size=3597, ...}, AT_EMPTY_PATH) = 0)");
    mem.map_string(A + 0x300, "/nope");
    EXPECT_EQ(trace(SYS_lstat, {A + 0x300, UNMAPPED, 0, 0, 0, 0}, ERR_ENOENT, mem),
              R"(lstat("/nope", 0x7ffd0a76ca90) = -1 ENOENT (No such file or directory))");
    EXPECT_EQ(trace(SYS_newfstatat, {neg(-100), A + 0x300, 0, 0xffffffff, 0, 0}, ERR_EINVAL, mem),
              R"(newfstatat(AT_FDCWD, "/nope", NULL, AT_SYMLINK_NOFOLLOW|AT_REMOVEDIR|)"
              R"(AT_SYMLINK_FOLLOW|AT_NO_AUTOMOUNT|AT_EMPTY_PATH|AT_RECURSIVE|0xffff60ff) = -1 )"
              R"(EINVAL (Invalid argument))");
    // Success, but the buffer cannot be read back.
    EXPECT_EQ(trace(SYS_fstat, {0, 1, 0, 0, 0, 0}, 0, mem), "fstat(0, 0x1) = 0");
    // Large device numbers use the split major/minor encoding.
    mem.map_value(
        C + 0x400,
        make_stat(060660, 0, (u64{0x123000} << 32) | (0x456 << 8) | 0x78 | (u64{0x9ab00} << 12)));
    EXPECT_EQ(trace(SYS_fstat, {4, C + 0x400, 0, 0, 0, 0}, 0, mem),
              "fstat(4, {st_mode=S_IFBLK|0660, st_rdev=makedev(0x123456, 0x9ab78), ...}) = 0");
}

struct Statx {
    u32 mask, blksize;
    u64 attributes;
    u32 nlink, uid, gid;
    u16 mode, pad0;
    u64 ino, size;
    u64 rest[26];
};
static_assert(sizeof(Statx) == 256);

TEST(StraceStat, Statx) {
    FakeMemory mem;
    mem.map_string(A, "/nope");
    mem.map_string(A + 0x100, "");
    EXPECT_EQ(trace(SYS_statx, {neg(-100), A, 0, 0xfff, UNMAPPED, 0}, ERR_ENOENT, mem),
              R"(statx(AT_FDCWD, "/nope", AT_STATX_SYNC_AS_STAT, STATX_ALL, 0x7ffd0a76ca90) = -1 )"
              R"(ENOENT (No such file or directory))");
    const std::pair<u64, const char*> masks[] = {
        {0, "0"},
        {1, "STATX_TYPE"},
        {0x7ff, "STATX_BASIC_STATS"},
        {0x17ff, "STATX_BASIC_STATS|STATX_MNT_ID"},
        {0x7fff, "STATX_ALL|STATX_MNT_ID|STATX_DIOALIGN|0x4000"},
        {0x80000000, "0x80000000 /* STATX_??? */"},
        {0x1800, "STATX_BTIME|STATX_MNT_ID"},
        {0x3, "STATX_TYPE|STATX_MODE"},
    };
    for (const auto& [mask, text] : masks)
        EXPECT_EQ(trace(SYS_statx, {neg(-100), A, 0, mask, 0, 0}, ERR_ENOENT, mem),
                  std::string(R"(statx(AT_FDCWD, "/nope", AT_STATX_SYNC_AS_STAT, )") + text +
                      ", NULL) = -1 ENOENT (No such file or directory)");
    EXPECT_EQ(trace(SYS_statx, {neg(-100), A, 0x2100, 0, 0, 0}, ERR_ENOENT, mem),
              R"(statx(AT_FDCWD, "/nope", AT_STATX_FORCE_SYNC|AT_SYMLINK_NOFOLLOW, 0, NULL) = -1 )"
              R"(ENOENT (No such file or directory))");
    EXPECT_EQ(trace(SYS_statx, {neg(-100), A, 0x6000, 0, 0, 0}, ERR_EINVAL, mem),
              R"(statx(AT_FDCWD, "/nope", AT_STATX_FORCE_SYNC|AT_STATX_DONT_SYNC, 0, NULL) = -1 )"
              R"(EINVAL (Invalid argument))");
    Statx stx{};
    stx.mask = 0x17ff;
    stx.mode = 020600;
    mem.map_value(B, stx);
    EXPECT_EQ(
        trace(SYS_statx, {0, A + 0x100, 0x1000, 0x7ff, B, 0}, 0, mem),
        R"(statx(0, "", AT_STATX_SYNC_AS_STAT|AT_EMPTY_PATH, STATX_BASIC_STATS, )"
        R"({stx_mask=STATX_BASIC_STATS|STATX_MNT_ID, stx_attributes=0, stx_mode=S_IFCHR|0600, )"
        R"(stx_size=0, ...}) = 0)");
}

// ---------------------------------------------------------------------------------------------
// Files and directories

TEST(StraceFiles, AccessFamily) {
    FakeMemory mem;
    mem.map_string(A, "/nope");
    EXPECT_EQ(trace(SYS_access, {A, 6, 0, 0, 0, 0}, ERR_ENOENT, mem),
              R"(access("/nope", R_OK|W_OK) = -1 ENOENT (No such file or directory))");
    EXPECT_EQ(trace(SYS_access, {A, 0, 0, 0, 0, 0}, ERR_ENOENT, mem),
              R"(access("/nope", F_OK) = -1 ENOENT (No such file or directory))");
    EXPECT_EQ(trace(SYS_access, {A, 0xff, 0, 0, 0, 0}, ERR_EINVAL, mem),
              R"(access("/nope", R_OK|W_OK|X_OK|0xf8) = -1 EINVAL (Invalid argument))");
    EXPECT_EQ(trace(SYS_faccessat, {neg(-100), A, 4, 0, 0, 0}, ERR_ENOENT, mem),
              R"(faccessat(AT_FDCWD, "/nope", R_OK) = -1 ENOENT (No such file or directory))");
    EXPECT_EQ(trace(SYS_faccessat2, {neg(-100), A, 2, 0x300, 0, 0}, ERR_ENOENT, mem),
              R"(faccessat2(AT_FDCWD, "/nope", W_OK, AT_SYMLINK_NOFOLLOW|AT_EACCESS) = -1 ENOENT )"
              R"((No such file or directory))");
    EXPECT_EQ(
        trace(SYS_faccessat2, {neg(-100), A, 0xff, 0xffffffff, 0, 0}, ERR_EINVAL, mem),
        R"(faccessat2(AT_FDCWD, "/nope", R_OK|W_OK|X_OK|0xf8, AT_SYMLINK_NOFOLLOW|AT_EACCESS|)"
        R"(AT_EMPTY_PATH|0xffffecff) = -1 EINVAL (Invalid argument))");
}

TEST(StraceFiles, PipesAndDups) {
    FakeMemory mem;
    mem.map_value(A, std::array<i32, 2>{9, 11});
    EXPECT_EQ(trace(SYS_pipe2, {A, 04000 | 02000000, 0, 0, 0, 0}, 0, mem),
              "pipe2([9, 11], O_NONBLOCK|O_CLOEXEC) = 0");
    EXPECT_EQ(trace(SYS_pipe2, {A, 0, 0, 0, 0, 0}, 0, mem), "pipe2([9, 11], 0) = 0");
    EXPECT_EQ(trace(SYS_pipe, {A, 0, 0, 0, 0, 0}, 0, mem), "pipe([9, 11]) = 0");
    EXPECT_EQ(trace(SYS_pipe2, {0, 0xffffffff, 0, 0, 0, 0}, ERR_EINVAL, mem),
              "pipe2(NULL, O_CREAT|O_EXCL|O_NOCTTY|O_TRUNC|O_APPEND|O_NONBLOCK|O_SYNC|O_DIRECT|"
              "O_LARGEFILE|O_NOFOLLOW|O_NOATIME|O_CLOEXEC|O_PATH|O_TMPFILE|FASYNC|0xff80003f) = -1 "
              "EINVAL (Invalid argument)");
    EXPECT_EQ(trace(SYS_dup, {999, 0, 0, 0, 0, 0}, ERR_EBADF),
              "dup(999) = -1 EBADF (Bad file descriptor)");
    EXPECT_EQ(trace(SYS_dup2, {999, 5, 0, 0, 0, 0}, ERR_EBADF),
              "dup2(999, 5) = -1 EBADF (Bad file descriptor)");
    EXPECT_EQ(trace(SYS_dup2, {neg(-100), neg(-100), 0, 0, 0, 0}, ERR_EBADF),
              "dup2(-100, -100) = -1 EBADF (Bad file descriptor)");
    EXPECT_EQ(trace(SYS_dup3, {999, 5, 02000000, 0, 0, 0}, ERR_EBADF),
              "dup3(999, 5, O_CLOEXEC) = -1 EBADF (Bad file descriptor)");
}

TEST(StraceFiles, Fcntl) {
    EXPECT_EQ(trace(SYS_fcntl, {3, 3, 0, 0, 0, 0}, 0x8000),
              "fcntl(3, F_GETFL) = 0x8000 (flags O_RDONLY|O_LARGEFILE)");
    EXPECT_EQ(trace(SYS_fcntl, {3, 3, 0, 0, 0, 0}, 0), "fcntl(3, F_GETFL) = 0 (flags O_RDONLY)");
    EXPECT_EQ(trace(SYS_fcntl, {4, 3, 0, 0, 0, 0}, 1), "fcntl(4, F_GETFL) = 0x1 (flags O_WRONLY)");
    EXPECT_EQ(trace(SYS_fcntl, {3, 1, 0, 0, 0, 0}, 1),
              "fcntl(3, F_GETFD) = 0x1 (flags FD_CLOEXEC)");
    EXPECT_EQ(trace(SYS_fcntl, {3, 1, 0, 0, 0, 0}, 0), "fcntl(3, F_GETFD) = 0");
    EXPECT_EQ(trace(SYS_fcntl, {3, 4, 04000 | 02000, 0, 0, 0}, 0),
              "fcntl(3, F_SETFL, O_RDONLY|O_APPEND|O_NONBLOCK) = 0");
    EXPECT_EQ(trace(SYS_fcntl, {3, 4, 0x100000000, 0, 0, 0}, 0), "fcntl(3, F_SETFL, O_RDONLY) = 0");
    EXPECT_EQ(trace(SYS_fcntl, {3, 2, 1, 0, 0, 0}, 0), "fcntl(3, F_SETFD, FD_CLOEXEC) = 0");
    EXPECT_EQ(trace(SYS_fcntl, {3, 2, 0, 0, 0, 0}, 0), "fcntl(3, F_SETFD, 0) = 0");
    EXPECT_EQ(trace(SYS_fcntl, {1, 2, 0xff, 0, 0, 0}, 0), "fcntl(1, F_SETFD, FD_CLOEXEC|0xfe) = 0");
    EXPECT_EQ(trace(SYS_fcntl, {3, 0, 10, 0, 0, 0}, 11), "fcntl(3, F_DUPFD, 10) = 11");
    EXPECT_EQ(trace(SYS_fcntl, {3, 0, 0x100000003, 0, 0, 0}, 5),
              "fcntl(3, F_DUPFD, 4294967299) = 5");
    EXPECT_EQ(trace(SYS_fcntl, {3, 1030, 0, 0, 0, 0}, 4), "fcntl(3, F_DUPFD_CLOEXEC, 0) = 4");
    EXPECT_EQ(trace(SYS_fcntl, {3, 5, 0, 0, 0, 0}, ERR_EFAULT),
              "fcntl(3, F_GETLK, NULL) = -1 EFAULT (Bad address)");
    EXPECT_EQ(trace(SYS_fcntl, {3, 8, 5, 0, 0, 0}, 0), "fcntl(3, F_SETOWN, 5) = 0");
    EXPECT_EQ(trace(SYS_fcntl, {3, 1234, 5, 0, 0, 0}, ERR_EINVAL),
              "fcntl(3, 0x4d2 /* F_??? */, 0x5) = -1 EINVAL (Invalid argument)");
}

TEST(StraceFiles, RecordLocks) {
    struct Flock {
        int16_t type, whence;
        int64_t start, len;
        int32_t pid;
    };
    FakeMemory mem;
    mem.map_value(A, Flock{1, 0, 0, 1024, 0});
    mem.map_value(B, Flock{2, 0, 0, 1024, 0});
    mem.map_value(C, Flock{7, 0, 0, 1024, 0});
    u64 held = mem.map_value(0x40000, Flock{1, 0, 0, 1024, 10560});
    EXPECT_EQ(trace(SYS_fcntl, {3, 6, A, 0, 0, 0}, 0, mem),
              "fcntl(3, F_SETLK, {l_type=F_WRLCK, l_whence=SEEK_SET, l_start=0, l_len=1024}) = 0");
    EXPECT_EQ(trace(SYS_fcntl, {3, 7, A, 0, 0, 0}, 0, mem),
              "fcntl(3, F_SETLKW, {l_type=F_WRLCK, l_whence=SEEK_SET, l_start=0, l_len=1024}) = 0");
    EXPECT_EQ(trace(SYS_fcntl, {3, 5, B, 0, 0, 0}, 0, mem),
              "fcntl(3, F_GETLK, {l_type=F_UNLCK, l_whence=SEEK_SET, l_start=0, l_len=1024, "
              "l_pid=0}) = 0");
    EXPECT_EQ(trace(SYS_fcntl, {3, 37, A, 0, 0, 0}, ERR_EAGAIN, mem),
              "fcntl(3, F_OFD_SETLK, {l_type=F_WRLCK, l_whence=SEEK_SET, l_start=0, l_len=1024}) "
              "= -1 EAGAIN (Resource temporarily unavailable)");
    EXPECT_EQ(trace(SYS_fcntl, {4, 36, held, 0, 0, 0}, 0, mem),
              "fcntl(4, F_OFD_GETLK, {l_type=F_WRLCK, l_whence=SEEK_SET, l_start=0, l_len=1024, "
              "l_pid=10560}) = 0");
    EXPECT_EQ(trace(SYS_fcntl, {4, 6, C, 0, 0, 0}, ERR_EINVAL, mem),
              "fcntl(4, F_SETLK, {l_type=0x7 /* F_??? */, l_whence=SEEK_SET, l_start=0, "
              "l_len=1024}) = -1 EINVAL (Invalid argument)");
    EXPECT_EQ(trace(SYS_fcntl, {4, 6, 1, 0, 0, 0}, ERR_EFAULT, mem),
              "fcntl(4, F_SETLK, 0x1) = -1 EFAULT (Bad address)");
}

TEST(StraceFiles, LinksOwnersAndTimes) {
    FakeMemory mem;
    u64 f = mem.map_string(A, "f");
    u64 target = mem.map_string(A + 0x100, "target/x");
    u64 name = mem.map_string(A + 0x200, "sl");
    int64_t fixed[4] = {1000, 5, 2000, 0};
    u64 times = mem.map(B, fixed, sizeof fixed);
    int64_t now_omit[4] = {0, (1 << 30) - 1, 0, (1 << 30) - 2};
    u64 special = mem.map(B + 0x100, now_omit, sizeof now_omit);
    int64_t tv[4] = {1, 2, 3, 4};
    u64 timevals = mem.map(C, tv, sizeof tv);
    int64_t ub[2] = {5, 6};
    u64 utimbuf = mem.map(C + 0x100, ub, sizeof ub);
    EXPECT_EQ(trace(SYS_utimensat, {neg(-100), f, times, 0, 0, 0}, 0, mem),
              "utimensat(AT_FDCWD, \"f\", [{tv_sec=1000, tv_nsec=5} /* "
              "1970-01-01T00:16:40.000000005+0000 */, {tv_sec=2000, tv_nsec=0} /* "
              "1970-01-01T00:33:20+0000 */], 0) = 0");
    EXPECT_EQ(trace(SYS_utimensat, {3, 0, 0, 0, 0, 0}, 0, mem), "utimensat(3, NULL, NULL, 0) = 0");
    EXPECT_EQ(trace(SYS_utimensat, {neg(-100), f, special, 0x100, 0, 0}, 0, mem),
              "utimensat(AT_FDCWD, \"f\", [UTIME_NOW, UTIME_OMIT], AT_SYMLINK_NOFOLLOW) = 0");
    EXPECT_EQ(trace(SYS_utimes, {f, timevals, 0, 0, 0, 0}, 0, mem),
              "utimes(\"f\", [{tv_sec=1, tv_usec=2} /* 1970-01-01T00:00:01.000002+0000 */, "
              "{tv_sec=3, tv_usec=4} /* 1970-01-01T00:00:03.000004+0000 */]) = 0");
    EXPECT_EQ(trace(SYS_futimesat, {neg(-100), f, timevals, 0, 0, 0}, 0, mem),
              "futimesat(AT_FDCWD, \"f\", [{tv_sec=1, tv_usec=2} /* "
              "1970-01-01T00:00:01.000002+0000 */, {tv_sec=3, tv_usec=4} /* "
              "1970-01-01T00:00:03.000004+0000 */]) = 0");
    EXPECT_EQ(trace(SYS_utime, {f, utimbuf, 0, 0, 0, 0}, 0, mem),
              "utime(\"f\", {actime=5 /* 1970-01-01T00:00:05+0000 */, modtime=6 /* "
              "1970-01-01T00:00:06+0000 */}) = 0");
    EXPECT_EQ(trace(SYS_symlink, {target, name, 0, 0, 0, 0}, 0, mem),
              "symlink(\"target/x\", \"sl\") = 0");
    EXPECT_EQ(trace(SYS_symlinkat, {target, neg(-100), name, 0, 0, 0}, 0, mem),
              "symlinkat(\"target/x\", AT_FDCWD, \"sl\") = 0");
    EXPECT_EQ(trace(SYS_link, {f, name, 0, 0, 0, 0}, 0, mem), "link(\"f\", \"sl\") = 0");
    EXPECT_EQ(trace(SYS_linkat, {neg(-100), f, 3, name, 0x400, 0}, -20, mem),
              "linkat(AT_FDCWD, \"f\", 3, \"sl\", AT_SYMLINK_FOLLOW) = -1 ENOTDIR (Not a "
              "directory)");
    EXPECT_EQ(trace(SYS_chown, {f, 0xffffffff, 0, 0, 0, 0}, 0, mem), "chown(\"f\", -1, 0) = 0");
    EXPECT_EQ(trace(SYS_lchown, {f, 0, 0xffffffff, 0, 0, 0}, 0, mem), "lchown(\"f\", 0, -1) = 0");
    EXPECT_EQ(trace(SYS_fchown, {3, 0, 0, 0, 0, 0}, 0, mem), "fchown(3, 0, 0) = 0");
    EXPECT_EQ(trace(SYS_fchownat, {neg(-100), f, 0, 0, 0x1100, 0}, 0, mem),
              "fchownat(AT_FDCWD, \"f\", 0, 0, AT_SYMLINK_NOFOLLOW|AT_EMPTY_PATH) = 0");
}

TEST(StraceFiles, FlockSyncTruncate) {
    EXPECT_EQ(trace(SYS_flock, {3, 1, 0, 0, 0, 0}, 0), "flock(3, LOCK_SH) = 0");
    EXPECT_EQ(trace(SYS_flock, {3, 6, 0, 0, 0, 0}, 0), "flock(3, LOCK_EX|LOCK_NB) = 0");
    EXPECT_EQ(trace(SYS_flock, {3, 8, 0, 0, 0, 0}, 0), "flock(3, LOCK_UN) = 0");
    EXPECT_EQ(trace(SYS_flock, {1, 0xff, 0, 0, 0, 0}, 0),
              "flock(1, LOCK_SH|LOCK_EX|LOCK_NB|LOCK_UN|LOCK_MAND|LOCK_RW|0x10) = 0");
    EXPECT_EQ(trace(SYS_flock, {1, 0, 0, 0, 0, 0}, ERR_EINVAL),
              "flock(1, 0) = -1 EINVAL (Invalid argument)");
    EXPECT_EQ(trace(SYS_fsync, {3, 0, 0, 0, 0, 0}, 0), "fsync(3) = 0");
    EXPECT_EQ(trace(SYS_fdatasync, {999, 0, 0, 0, 0, 0}, ERR_EBADF),
              "fdatasync(999) = -1 EBADF (Bad file descriptor)");
    EXPECT_EQ(trace(SYS_ftruncate, {999, 100, 0, 0, 0, 0}, ERR_EBADF),
              "ftruncate(999, 100) = -1 EBADF (Bad file descriptor)");
    EXPECT_EQ(trace(SYS_ftruncate, {3, neg(-1), 0, 0, 0, 0}, ERR_EINVAL),
              "ftruncate(3, -1) = -1 EINVAL (Invalid argument)");
}

TEST(StraceFiles, Getdents64CountsEntries) {
    FakeMemory mem;
    // Four records of 24 bytes each: d_ino, d_off, d_reclen (at 16), d_type, name.
    std::vector<u8> dirents(96, 0);
    for (int i = 0; i < 4; ++i) dirents[24 * i + 16] = 24;
    mem.map(A, dirents.data(), dirents.size());
    EXPECT_EQ(trace(SYS_getdents64, {5, A, 256, 0, 0, 0}, 96, mem),
              "getdents64(5, 0x10000 /* 4 entries */, 256) = 96");
    EXPECT_EQ(trace(SYS_getdents64, {5, A, 24, 0, 0, 0}, 24, mem),
              "getdents64(5, 0x10000 /* 1 entries */, 24) = 24");
    EXPECT_EQ(trace(SYS_getdents64, {5, A, 256, 0, 0, 0}, 0, mem),
              "getdents64(5, 0x10000 /* 0 entries */, 256) = 0");
    EXPECT_EQ(trace(SYS_getdents64, {999, A, 256, 0, 0, 0}, ERR_EBADF, mem),
              "getdents64(999, 0x10000, 256) = -1 EBADF (Bad file descriptor)");
    EXPECT_EQ(trace(SYS_getdents64, {0, 0, 0, 0, 0, 0}, -20, mem),
              "getdents64(0, NULL, 0) = -1 ENOTDIR (Not a directory)");
}

TEST(StraceFiles, DirectoriesAndNames) {
    FakeMemory mem;
    mem.map_string(A, "/tmp/stw");
    mem.map_string(B, "/nope");
    mem.map_string(B + 0x100, "/nope2");
    mem.map_string(B + 0x200, "x");
    EXPECT_EQ(trace(SYS_getcwd, {A, 256, 0, 0, 0, 0}, 9, mem), R"(getcwd("/tmp/stw", 256) = 9)");
    EXPECT_EQ(trace(SYS_getcwd, {A, 2, 0, 0, 0, 0}, -34, mem),
              "getcwd(0x10000, 2) = -1 ERANGE (Numerical result out of range)");
    EXPECT_EQ(trace(SYS_chdir, {B, 0, 0, 0, 0, 0}, ERR_ENOENT, mem),
              R"(chdir("/nope") = -1 ENOENT (No such file or directory))");
    EXPECT_EQ(trace(SYS_fchdir, {999, 0, 0, 0, 0, 0}, ERR_EBADF, mem),
              "fchdir(999) = -1 EBADF (Bad file descriptor)");
    EXPECT_EQ(trace(SYS_rename, {B, B + 0x100, 0, 0, 0, 0}, ERR_ENOENT, mem),
              R"(rename("/nope", "/nope2") = -1 ENOENT (No such file or directory))");
    EXPECT_EQ(trace(SYS_renameat, {neg(-100), B, 5, B + 0x200, 0, 0}, ERR_ENOENT, mem),
              R"(renameat(AT_FDCWD, "/nope", 5, "x") = -1 ENOENT (No such file or directory))");
    EXPECT_EQ(trace(SYS_renameat2, {neg(-100), B, neg(-100), B + 0x200, 1, 0}, ERR_ENOENT, mem),
              R"(renameat2(AT_FDCWD, "/nope", AT_FDCWD, "x", RENAME_NOREPLACE) = -1 ENOENT )"
              R"((No such file or directory))");
    EXPECT_EQ(trace(SYS_renameat2, {neg(-100), B, neg(-100), B, 0xff, 0}, ERR_EINVAL, mem),
              R"(renameat2(AT_FDCWD, "/nope", AT_FDCWD, "/nope", RENAME_NOREPLACE|RENAME_EXCHANGE|)"
              R"(RENAME_WHITEOUT|0xf8) = -1 EINVAL (Invalid argument))");
    EXPECT_EQ(trace(SYS_mkdir, {B, 0755, 0, 0, 0, 0}, ERR_ENOENT, mem),
              R"(mkdir("/nope", 0755) = -1 ENOENT (No such file or directory))");
    EXPECT_EQ(trace(SYS_mkdir, {B, 0x100000000 | 0755, 0, 0, 0, 0}, 0, mem),
              R"(mkdir("/nope", 0755) = 0)");
    EXPECT_EQ(trace(SYS_mkdirat, {neg(-100), B, 0700, 0, 0, 0}, ERR_ENOENT, mem),
              R"(mkdirat(AT_FDCWD, "/nope", 0700) = -1 ENOENT (No such file or directory))");
    EXPECT_EQ(trace(SYS_rmdir, {B, 0, 0, 0, 0, 0}, ERR_ENOENT, mem),
              R"(rmdir("/nope") = -1 ENOENT (No such file or directory))");
    EXPECT_EQ(trace(SYS_unlink, {B, 0, 0, 0, 0, 0}, ERR_ENOENT, mem),
              R"(unlink("/nope") = -1 ENOENT (No such file or directory))");
    EXPECT_EQ(
        trace(SYS_unlinkat, {neg(-100), B, 0x200, 0, 0, 0}, ERR_ENOENT, mem),
        R"(unlinkat(AT_FDCWD, "/nope", AT_REMOVEDIR) = -1 ENOENT (No such file or directory))");
    EXPECT_EQ(trace(SYS_unlinkat, {neg(-100), B, 0, 0, 0, 0}, ERR_ENOENT, mem),
              R"(unlinkat(AT_FDCWD, "/nope", 0) = -1 ENOENT (No such file or directory))");
    EXPECT_EQ(trace(SYS_chmod, {B, 04755, 0, 0, 0, 0}, ERR_ENOENT, mem),
              R"(chmod("/nope", 04755) = -1 ENOENT (No such file or directory))");
    EXPECT_EQ(trace(SYS_chmod, {B, 0xffffffff, 0, 0, 0, 0}, 0, mem),
              R"(chmod("/nope", 0177777) = 0)");
    EXPECT_EQ(trace(SYS_fchmod, {999, 0, 0, 0, 0, 0}, ERR_EBADF, mem),
              "fchmod(999, 000) = -1 EBADF (Bad file descriptor)");
}

TEST(StraceFiles, Readlink) {
    FakeMemory mem;
    mem.map_string(A, "/proc/self/exe");
    mem.map_bytes(B, "/tmp/stw/many2");
    mem.map_bytes(C, "/tmp/a/path/that/is/clearly/longer/than/thirty-two");
    EXPECT_EQ(trace(SYS_readlink, {A, B, 256, 0, 0, 0}, 14, mem),
              R"(readlink("/proc/self/exe", "/tmp/stw/many2", 256) = 14)");
    EXPECT_EQ(trace(SYS_readlink, {A, B, 4, 0, 0, 0}, 4, mem),
              R"(readlink("/proc/self/exe", "/tmp", 4) = 4)");
    EXPECT_EQ(trace(SYS_readlink, {A, B, 0, 0, 0, 0}, ERR_EINVAL, mem),
              R"(readlink("/proc/self/exe", 0x20000, 0) = -1 EINVAL (Invalid argument))");
    EXPECT_EQ(trace(SYS_readlinkat, {neg(-100), A, B, 100, 0, 0}, 14, mem),
              R"(readlinkat(AT_FDCWD, "/proc/self/exe", "/tmp/stw/many2", 100) = 14)");
    EXPECT_EQ(
        trace(SYS_readlinkat, {neg(-100), A, C, 100, 0, 0}, 50, mem),
        R"(readlinkat(AT_FDCWD, "/proc/self/exe", "/tmp/a/path/that/is/clearly/long"..., 100) = 50)");
}

// ---------------------------------------------------------------------------------------------
// Time

TEST(StraceTime, Sleeps) {
    FakeMemory mem;
    mem.map_value(A, std::array<i64, 2>{0, 1000});
    mem.map_value(B, std::array<i64, 2>{0, 2000000000});
    EXPECT_EQ(trace(SYS_nanosleep, {A, UNMAPPED, 0, 0, 0, 0}, 0, mem),
              "nanosleep({tv_sec=0, tv_nsec=1000}, 0x7ffd0a76ca90) = 0");
    EXPECT_EQ(trace(SYS_nanosleep, {1, 0, 0, 0, 0, 0}, ERR_EFAULT, mem),
              "nanosleep(0x1, NULL) = -1 EFAULT (Bad address)");
    EXPECT_EQ(
        trace(SYS_clock_nanosleep, {0, 0, B, 0, 0, 0}, ERR_EINVAL, mem),
        "clock_nanosleep(CLOCK_REALTIME, 0, {tv_sec=0, tv_nsec=2000000000}, NULL) = -1 EINVAL "
        "(Invalid argument)");
    EXPECT_EQ(trace(SYS_clock_nanosleep, {1, 0, A, UNMAPPED, 0, 0}, 0, mem),
              "clock_nanosleep(CLOCK_MONOTONIC, 0, {tv_sec=0, tv_nsec=1000}, 0x7ffd0a76ca90) = 0");
    EXPECT_EQ(trace(SYS_clock_nanosleep, {0, 1, A, 0, 0, 0}, 0, mem),
              "clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, {tv_sec=0, tv_nsec=1000}, NULL) = 0");
    mem.map_value(C, std::array<i64, 2>{4, 999});
    EXPECT_EQ(trace(SYS_clock_nanosleep, {1, 0, A, C, 0, 0}, -4, mem),
              "clock_nanosleep(CLOCK_MONOTONIC, 0, {tv_sec=0, tv_nsec=1000}, {tv_sec=4, "
              "tv_nsec=999}) = -1 EINTR (Interrupted system call)");
}

TEST(StraceTime, ClockGettimeAndGetres) {
    FakeMemory mem;
    mem.map_value(A, std::array<i64, 2>{1795359341, 692708073});
    EXPECT_EQ(trace(SYS_clock_gettime, {0, A, 0, 0, 0, 0}, 0, mem),
              "clock_gettime(CLOCK_REALTIME, {tv_sec=1795359341, tv_nsec=692708073}) = 0");
    EXPECT_EQ(trace(SYS_clock_gettime, {4, 1, 0, 0, 0, 0}, ERR_EFAULT, mem),
              "clock_gettime(CLOCK_MONOTONIC_RAW, 0x1) = -1 EFAULT (Bad address)");
    EXPECT_EQ(trace(SYS_clock_getres, {2, 0, 0, 0, 0, 0}, 0, mem),
              "clock_getres(CLOCK_PROCESS_CPUTIME_ID, NULL) = 0");
    EXPECT_EQ(trace(SYS_clock_gettime, {99, A, 0, 0, 0, 0}, ERR_EINVAL, mem),
              "clock_gettime(0x63 /* CLOCK_??? */, 0x10000) = -1 EINVAL (Invalid argument)");
    EXPECT_EQ(trace(SYS_clock_gettime, {neg(-5), A, 0, 0, 0, 0}, ERR_EINVAL, mem),
              "clock_gettime(0xfffffffb /* CLOCK_??? */, 0x10000) = -1 EINVAL (Invalid argument)");
    const char* clocks[] = {"CLOCK_REALTIME",           "CLOCK_MONOTONIC",
                            "CLOCK_PROCESS_CPUTIME_ID", "CLOCK_THREAD_CPUTIME_ID",
                            "CLOCK_MONOTONIC_RAW",      "CLOCK_REALTIME_COARSE",
                            "CLOCK_MONOTONIC_COARSE",   "CLOCK_BOOTTIME"};
    for (u64 id = 0; id < 8; ++id)
        EXPECT_EQ(trace(SYS_clock_getres, {id, 0, 0, 0, 0, 0}, 0),
                  std::string("clock_getres(") + clocks[id] + ", NULL) = 0");
    mem.map_value(B, std::array<i64, 2>{0, 1});
    EXPECT_EQ(trace(SYS_clock_getres, {7, B, 0, 0, 0, 0}, 0, mem),
              "clock_getres(CLOCK_BOOTTIME, {tv_sec=0, tv_nsec=1}) = 0");
}

TEST(StraceTime, GettimeofdayAndTime) {
    FakeMemory mem;
    mem.map_value(A, std::array<i64, 2>{1795359341, 692072});
    mem.map_value(B, std::array<i32, 2>{-60, 0});
    EXPECT_EQ(trace(SYS_gettimeofday, {A, 0, 0, 0, 0, 0}, 0, mem),
              "gettimeofday({tv_sec=1795359341, tv_usec=692072}, NULL) = 0");
    EXPECT_EQ(trace(SYS_gettimeofday, {0, 0, 0, 0, 0, 0}, 0, mem), "gettimeofday(NULL, NULL) = 0");
    EXPECT_EQ(trace(SYS_gettimeofday, {A, B, 0, 0, 0, 0}, 0, mem),
              "gettimeofday({tv_sec=1795359341, tv_usec=692072}, {tz_minuteswest=-60, "
              "tz_dsttime=0}) = 0");
    mem.map_value(C, i64{1795359341});
    EXPECT_EQ(trace(SYS_time, {C, 0, 0, 0, 0, 0}, 1795359341, mem),
              "time([1795359341 /* 2026-11-22T14:55:41+0000 */]) = 1795359341 "
              "(2026-11-22T14:55:41+0000)");
    EXPECT_EQ(trace(SYS_time, {0, 0, 0, 0, 0, 0}, 1795359448),
              "time(NULL) = 1795359448 (2026-11-22T14:57:28+0000)");
    EXPECT_EQ(trace(SYS_time, {1, 0, 0, 0, 0, 0}, ERR_EFAULT),
              "time(0x1) = -1 EFAULT (Bad address)");
    // Calendar corners: the epoch, a leap day, and the last second of a century year.
    EXPECT_EQ(trace(SYS_time, {0, 0, 0, 0, 0, 0}, 0), "time(NULL) = 0 (1970-01-01T00:00:00+0000)");
    EXPECT_EQ(trace(SYS_time, {0, 0, 0, 0, 0, 0}, 951825600),
              "time(NULL) = 951825600 (2000-02-29T12:00:00+0000)");
    EXPECT_EQ(trace(SYS_time, {0, 0, 0, 0, 0, 0}, 4107542399),
              "time(NULL) = 4107542399 (2100-02-28T23:59:59+0000)");
}

// ---------------------------------------------------------------------------------------------
// Processes, limits, misc

TEST(StraceProcess, NoArgumentCalls) {
    EXPECT_EQ(trace(SYS_getpid, {0, 0, 0, 0, 0, 0}, 4530), "getpid() = 4530");
    EXPECT_EQ(trace(SYS_gettid, {0, 0, 0, 0, 0, 0}, 4530), "gettid() = 4530");
    EXPECT_EQ(trace(SYS_getppid, {0, 0, 0, 0, 0, 0}, 4526), "getppid() = 4526");
    EXPECT_EQ(trace(SYS_getuid, {0, 0, 0, 0, 0, 0}, 0), "getuid() = 0");
    EXPECT_EQ(trace(SYS_geteuid, {0, 0, 0, 0, 0, 0}, 0), "geteuid() = 0");
    EXPECT_EQ(trace(SYS_getgid, {0, 0, 0, 0, 0, 0}, 0), "getgid() = 0");
    EXPECT_EQ(trace(SYS_getegid, {0, 0, 0, 0, 0, 0}, 0), "getegid() = 0");
    EXPECT_EQ(trace(SYS_sched_yield, {0, 0, 0, 0, 0, 0}, 0), "sched_yield() = 0");
}

TEST(StraceProcess, Uname) {
    FakeMemory mem;
    char uts[6 * 65] = {};
    std::strcpy(uts, "Linux");
    std::strcpy(uts + 65, "vm");
    mem.map(A, uts, sizeof(uts));
    EXPECT_EQ(trace(SYS_uname, {A, 0, 0, 0, 0, 0}, 0, mem),
              R"(uname({sysname="Linux", nodename="vm", ...}) = 0)");
    EXPECT_EQ(trace(SYS_uname, {1, 0, 0, 0, 0, 0}, ERR_EFAULT, mem),
              "uname(0x1) = -1 EFAULT (Bad address)");
    // Fields are strings under -s 32, and may fill their 65 bytes without a NUL.
    std::memset(uts + 65, 'n', 65);
    mem.map(B, uts, sizeof(uts));
    EXPECT_EQ(trace(SYS_uname, {B, 0, 0, 0, 0, 0}, 0, mem),
              "uname({sysname=\"Linux\", nodename=\"" + std::string(32, 'n') + "\"..., ...}) = 0");
}

TEST(StraceProcess, ArchPrctl) {
    FakeMemory mem;
    mem.map_value(A, u64{0x7f70d8fce740});
    EXPECT_EQ(trace(SYS_arch_prctl, {0x1003, A, 0, 0, 0, 0}, 0, mem),
              "arch_prctl(ARCH_GET_FS, [0x7f70d8fce740]) = 0");
    EXPECT_EQ(trace(SYS_arch_prctl, {0x1002, 0x7f7706a85740, 0, 0, 0, 0}, 0, mem),
              "arch_prctl(ARCH_SET_FS, 0x7f7706a85740) = 0");
    EXPECT_EQ(trace(SYS_arch_prctl, {0x1001, 0x1234, 0, 0, 0, 0}, 0, mem),
              "arch_prctl(ARCH_SET_GS, 0x1234) = 0");
    mem.map_value(B, u64{0x1234});
    EXPECT_EQ(trace(SYS_arch_prctl, {0x1004, B, 0, 0, 0, 0}, 0, mem),
              "arch_prctl(ARCH_GET_GS, [0x1234]) = 0");
    EXPECT_EQ(trace(SYS_arch_prctl, {0x1003, 0x10, 0, 0, 0, 0}, ERR_EFAULT, mem),
              "arch_prctl(ARCH_GET_FS, 0x10) = -1 EFAULT (Bad address)");
    EXPECT_EQ(trace(SYS_arch_prctl, {0x3001, 0, 0, 0, 0, 0}, ERR_EINVAL, mem),
              "arch_prctl(0x3001 /* ARCH_??? */, 0) = -1 EINVAL (Invalid argument)");
}

TEST(StraceProcess, ThreadSetup) {
    EXPECT_EQ(trace(SYS_set_tid_address, {0x7f7706a85a10, 0, 0, 0, 0, 0}, 3986),
              "set_tid_address(0x7f7706a85a10) = 3986");
    EXPECT_EQ(trace(SYS_set_tid_address, {0, 0, 0, 0, 0, 0}, 5938), "set_tid_address(0) = 5938");
    EXPECT_EQ(trace(SYS_set_robust_list, {0x7f7706a85a20, 24, 0, 0, 0, 0}, 0),
              "set_robust_list(0x7f7706a85a20, 24) = 0");
    EXPECT_EQ(trace(SYS_set_robust_list, {0, ~u64{0}, 0, 0, 0, 0}, ERR_EINVAL),
              "set_robust_list(NULL, 18446744073709551615) = -1 EINVAL (Invalid argument)");
    EXPECT_EQ(trace(SYS_rseq, {0x7f7706a86060, 0x20, 0, 0x53053053, 0, 0}, 0),
              "rseq(0x7f7706a86060, 0x20, 0, 0x53053053) = 0");
    EXPECT_EQ(trace(SYS_rseq, {0, 0, 0xff, 0, 0, 0}, ERR_EINVAL),
              "rseq(0, 0, 0xff, 0) = -1 EINVAL (Invalid argument)");
}

TEST(StraceProcess, Sysinfo) {
    FakeMemory mem;
    struct {
        i64 uptime;
        u64 loads[3];
        u64 totalram, freeram, sharedram, bufferram, totalswap, freeswap;
        u16 procs, pad;
        u64 totalhigh, freehigh;
        u32 mem_unit;
        char reserved[4];
    } si = {
        457, {10336, 7648, 4192}, 25276502016, 25068789760, 9084928, 2678784, 0, 0, 88, 0, 0, 0, 1,
        {}};
    static_assert(sizeof(si) == 112);
    mem.map_value(A, si);
    EXPECT_EQ(trace(SYS_sysinfo, {A, 0, 0, 0, 0, 0}, 0, mem),
              "sysinfo({uptime=457, loads=[10336, 7648, 4192], totalram=25276502016, "
              "freeram=25068789760, sharedram=9084928, bufferram=2678784, totalswap=0, "
              "freeswap=0, procs=88, totalhigh=0, freehigh=0, mem_unit=1}) = 0");
    EXPECT_EQ(trace(SYS_sysinfo, {A, 0, 0, 0, 0, 0}, ERR_EFAULT, mem),
              "sysinfo(0x10000) = -1 EFAULT (Bad address)");
}

TEST(StraceProcess, Prlimit64) {
    FakeMemory mem;
    mem.map_value(A, std::array<u64, 2>{8192 * 1024, ~u64{0}});
    EXPECT_EQ(
        trace(SYS_prlimit64, {0, 3, 0, A, 0, 0}, 0, mem),
        "prlimit64(0, RLIMIT_STACK, NULL, {rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY}) = 0");
    mem.map_value(B, std::array<u64, 2>{1024, 4096});
    EXPECT_EQ(trace(SYS_prlimit64, {0, 4, B, 0, 0, 0}, 0, mem),
              "prlimit64(0, RLIMIT_CORE, {rlim_cur=1024, rlim_max=4*1024}, NULL) = 0");
    mem.map_value(C, std::array<u64, 2>{1, 1025});
    EXPECT_EQ(trace(SYS_prlimit64, {0, 4, C, B, 0, 0}, 0, mem),
              "prlimit64(0, RLIMIT_CORE, {rlim_cur=1, rlim_max=1025}, {rlim_cur=1024, "
              "rlim_max=4*1024}) = 0");
    EXPECT_EQ(trace(SYS_prlimit64, {0, 7, C, B, 0, 0}, ERR_EINVAL, mem),
              "prlimit64(0, RLIMIT_NOFILE, {rlim_cur=1, rlim_max=1025}, 0x20000) = -1 EINVAL "
              "(Invalid argument)");
    EXPECT_EQ(trace(SYS_prlimit64, {1, 99, 0, 0, 0, 0}, ERR_EINVAL, mem),
              "prlimit64(1, 0x63 /* RLIMIT_??? */, NULL, NULL) = -1 EINVAL (Invalid argument)");
    EXPECT_EQ(trace(SYS_prlimit64, {0, 0x10000000a, 0, 0, 0, 0}, 0, mem),
              "prlimit64(0, RLIMIT_LOCKS, NULL, NULL) = 0");
    EXPECT_EQ(trace(SYS_prlimit64, {0, 9, 0, 0, 0, 0}, 0, mem),
              "prlimit64(0, RLIMIT_AS, NULL, NULL) = 0");
}

TEST(StraceProcess, Getrandom) {
    FakeMemory mem;
    mem.map_bytes(A, "\xfe\xc7\xdc\x04\x3d\x17\xfe\x95");
    EXPECT_EQ(trace(SYS_getrandom, {A, 8, 1, 0, 0, 0}, 8, mem),
              R"(getrandom("\xfe\xc7\xdc\x04\x3d\x17\xfe\x95", 8, GRND_NONBLOCK) = 8)");
    mem.map_bytes(B, std::string(40, '\x60'));
    EXPECT_EQ(
        trace(SYS_getrandom, {B, 40, 0, 0, 0, 0}, 40, mem), "getrandom(\"" + [] {
            std::string s;
            for (int i = 0; i < 32; ++i) s += "\\x60";
            return s;
        }() + "\"..., 40, 0) = 40");
    EXPECT_EQ(trace(SYS_getrandom, {A, 4, 2, 0, 0, 0}, 4, mem),
              R"(getrandom("\xfe\xc7\xdc\x04", 4, GRND_RANDOM) = 4)");
    EXPECT_EQ(trace(SYS_getrandom, {A, 4, 4, 0, 0, 0}, 4, mem),
              R"(getrandom("\xfe\xc7\xdc\x04", 4, GRND_INSECURE) = 4)");
    EXPECT_EQ(trace(SYS_getrandom, {A, 4, 0x100, 0, 0, 0}, ERR_EINVAL, mem),
              "getrandom(0x10000, 4, 0x100 /* GRND_??? */) = -1 EINVAL (Invalid argument)");
    EXPECT_EQ(trace(SYS_getrandom, {0, 0, 0xff, 0, 0, 0}, ERR_EINVAL, mem),
              "getrandom(NULL, 0, GRND_NONBLOCK|GRND_RANDOM|GRND_INSECURE|0xf8) = -1 EINVAL "
              "(Invalid argument)");
}

TEST(StraceProcess, SchedGetaffinity) {
    FakeMemory mem;
    std::array<u64, 16> mask{};
    mask[0] = 0x3;
    mem.map_value(A, mask);
    EXPECT_EQ(trace(SYS_sched_getaffinity, {0, 128, A, 0, 0, 0}, 32, mem),
              "sched_getaffinity(0, 128, [0 1]) = 32");
    mask[0] = 0x8000000000000001;
    mask[1] = 0x4;
    mem.map_value(B, mask);
    EXPECT_EQ(trace(SYS_sched_getaffinity, {0, 128, B, 0, 0, 0}, 16, mem),
              "sched_getaffinity(0, 128, [0 63 66]) = 16");
    EXPECT_EQ(trace(SYS_sched_getaffinity, {0, 8, 1, 0, 0, 0}, ERR_EFAULT, mem),
              "sched_getaffinity(0, 8, 0x1) = -1 EFAULT (Bad address)");
    EXPECT_EQ(trace(SYS_sched_getaffinity, {0, 3, A, 0, 0, 0}, ERR_EINVAL, mem),
              "sched_getaffinity(0, 3, 0x10000) = -1 EINVAL (Invalid argument)");
}

// ---------------------------------------------------------------------------------------------
// futex

TEST(StraceFutex, Operations) {
    FakeMemory mem;
    const u64 f = 0x7ffc4ae5c66c;
    mem.map_value(A, std::array<i64, 2>{0, 1});
    EXPECT_EQ(trace(SYS_futex, {f, 129, 1, 0, 0, 0}, 0),
              "futex(0x7ffc4ae5c66c, FUTEX_WAKE_PRIVATE, 1) = 0");
    EXPECT_EQ(trace(SYS_futex, {f, 0, 1, 0, 0, 0}, ERR_EAGAIN),
              "futex(0x7ffc4ae5c66c, FUTEX_WAIT, 1, NULL) = -1 EAGAIN (Resource temporarily "
              "unavailable)");
    EXPECT_EQ(trace(SYS_futex, {f, 128, 0, A, 0, 0}, ERR_ETIMEDOUT, mem),
              "futex(0x7ffc4ae5c66c, FUTEX_WAIT_PRIVATE, 0, {tv_sec=0, tv_nsec=1}) = -1 ETIMEDOUT "
              "(Connection timed out)");
    EXPECT_EQ(trace(SYS_futex, {f, 1, 1, 0, 0, 0}, 0), "futex(0x7ffc4ae5c66c, FUTEX_WAKE, 1) = 0");
    EXPECT_EQ(trace(SYS_futex, {f, 9 | 128 | 256, 1, 0, 0, 0xffffffff}, ERR_EAGAIN),
              "futex(0x7ffc4ae5c66c, FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME, 1, NULL, "
              "FUTEX_BITSET_MATCH_ANY) = -1 EAGAIN (Resource temporarily unavailable)");
    EXPECT_EQ(trace(SYS_futex, {f, 10, 1, 0, 0, 0xffffffff}, 0),
              "futex(0x7ffc4ae5c66c, FUTEX_WAKE_BITSET, 1, FUTEX_BITSET_MATCH_ANY) = 0");
    EXPECT_EQ(trace(SYS_futex, {f, 3 | 128, 1, 2, f, 0}, 0),
              "futex(0x7ffc4ae5c66c, FUTEX_REQUEUE_PRIVATE, 1, 2, 0x7ffc4ae5c66c) = 0");
    EXPECT_EQ(trace(SYS_futex, {f, 4 | 128, 1, 2, f, 0}, 0),
              "futex(0x7ffc4ae5c66c, FUTEX_CMP_REQUEUE_PRIVATE, 1, 2, 0x7ffc4ae5c66c, 0) = 0");
    EXPECT_EQ(trace(SYS_futex, {f, 5 | 128, 1, 2, f, 0}, 0),
              "futex(0x7ffc4ae5c66c, FUTEX_WAKE_OP_PRIVATE, 1, 2, 0x7ffc4ae5c66c, "
              "FUTEX_OP_SET<<28|0<<12|FUTEX_OP_CMP_EQ<<24|0) = 0");
    EXPECT_EQ(trace(SYS_futex, {f, 6 | 128, 0, 0, 0, 0}, 0),
              "futex(0x7ffc4ae5c66c, FUTEX_LOCK_PI_PRIVATE, NULL) = 0");
    EXPECT_EQ(trace(SYS_futex, {f, 7, 0, 0, 0, 0}, 0),
              "futex(0x7ffc4ae5c66c, FUTEX_UNLOCK_PI) = 0");
    EXPECT_EQ(trace(SYS_futex, {f, 99, 1, 2, 3, 4}, ERR_ENOSYS),
              "futex(0x7ffc4ae5c66c, 0x63 /* FUTEX_??? */, 1, 0x2, 0x3, 0x4) = -1 ENOSYS (Function "
              "not implemented)");
}

TEST(StraceFutex, Corners) {
    EXPECT_EQ(trace(SYS_futex, {0, 0xffffff, 0, 0, 0, 0}, ERR_ENOSYS),
              "futex(NULL, 0xffffff /* FUTEX_??? */, 0, NULL, NULL, 0) = -1 ENOSYS (Function not "
              "implemented)");
    EXPECT_EQ(trace(SYS_futex, {0, 0x100, 0, 0, 0, 0}, ERR_ENOSYS),
              "futex(NULL, FUTEX_WAIT|FUTEX_CLOCK_REALTIME, 0, NULL) = -1 ENOSYS (Function not "
              "implemented)");
    EXPECT_EQ(trace(SYS_futex, {0, 0x8b, 0, 0, 0, 0}, ERR_EINVAL),
              "futex(NULL, FUTEX_WAIT_REQUEUE_PI_PRIVATE, 0, NULL, NULL) = -1 EINVAL (Invalid "
              "argument)");
    EXPECT_EQ(trace(SYS_futex, {0, 0xc, 0, 0, 0, 0}, ERR_EINVAL),
              "futex(NULL, FUTEX_CMP_REQUEUE_PI, 0, 0, NULL, 0) = -1 EINVAL (Invalid argument)");
    EXPECT_EQ(trace(SYS_futex, {0, 0xd, 0, 0, 0, 0}, ERR_EFAULT),
              "futex(NULL, FUTEX_LOCK_PI2, NULL) = -1 EFAULT (Bad address)");
    EXPECT_EQ(trace(SYS_futex, {0, 0x8, 0, 0, 0, 0}, ERR_EFAULT),
              "futex(NULL, FUTEX_TRYLOCK_PI) = -1 EFAULT (Bad address)");
    EXPECT_EQ(trace(SYS_futex, {0, 0x9, 1, 0, 0, 0x1234}, ERR_EFAULT),
              "futex(NULL, FUTEX_WAIT_BITSET, 1, NULL, 0x1234) = -1 EFAULT (Bad address)");
    EXPECT_EQ(trace(SYS_futex, {0, 0x5, 1, 2, 0, 0xffffffff}, ERR_EFAULT),
              "futex(NULL, FUTEX_WAKE_OP, 1, 2, NULL, FUTEX_OP_OPARG_SHIFT<<28|0x7<<28 "
              "/* FUTEX_OP_??? */|0xfff<<12|0xf<<24 /* FUTEX_OP_CMP_??? */|0xfff) = -1 EFAULT (Bad "
              "address)");
    EXPECT_EQ(trace(SYS_futex, {0, 0x4, 1, 2, 0, 0xffffffff}, ERR_EFAULT),
              "futex(NULL, FUTEX_CMP_REQUEUE, 1, 2, NULL, 4294967295) = -1 EFAULT (Bad address)");
    EXPECT_EQ(trace(SYS_futex, {0, 0, 1, 1, 0, 0}, ERR_EFAULT),
              "futex(NULL, FUTEX_WAIT, 1, 0x1) = -1 EFAULT (Bad address)");
    EXPECT_EQ(trace(SYS_futex, {1, 6, 1, 1, 0, 0}, ERR_EFAULT),
              "futex(0x1, FUTEX_LOCK_PI, 0x1) = -1 EFAULT (Bad address)");
}

// ---------------------------------------------------------------------------------------------
// clone

TEST(StraceClone, Clone) {
    FakeMemory mem;
    EXPECT_EQ(trace(SYS_clone, {0x1200000 | 17, 0, 0, 0x7fee67b3da10, 0, 0}, 4613),
              "clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, "
              "child_tidptr=0x7fee67b3da10) = 4613");
    mem.map_value(A, i32{5201});
    EXPECT_EQ(
        trace(SYS_clone, {0x100000 | 17, 0, A, 0, 0, 0}, 5201, mem),
        "clone(child_stack=NULL, flags=CLONE_PARENT_SETTID|SIGCHLD, parent_tid=[5201]) = 5201");
    EXPECT_EQ(
        trace(SYS_clone, {0x100000 | 0x100 | 0x200 | 17, 0x1000, 0x2000, 0x3000, 0x4000, 0}, 4615),
        "clone(child_stack=0x1000, flags=CLONE_VM|CLONE_FS|CLONE_PARENT_SETTID|SIGCHLD, "
        "parent_tid=0x2000) = 4615");
    EXPECT_EQ(trace(SYS_clone, {0xffffffffffffff00, 0, 0, 0, 0, 0}, ERR_EINVAL),
              "clone(child_stack=NULL, flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|"
              "CLONE_PIDFD|CLONE_PTRACE|CLONE_VFORK|CLONE_PARENT|CLONE_THREAD|CLONE_NEWNS|"
              "CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID|CLONE_UNTRACED|"
              "CLONE_CHILD_SETTID|CLONE_NEWCGROUP|CLONE_NEWUTS|CLONE_NEWIPC|CLONE_NEWUSER|"
              "CLONE_NEWPID|CLONE_NEWNET|CLONE_IO|0xffffffff00400000, parent_tid=NULL, tls=NULL, "
              "child_tidptr=NULL) = -1 EINVAL (Invalid argument)");
}

struct CloneArgs {
    u64 flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid,
        set_tid_size, cgroup;
};

TEST(StraceClone, Clone3) {
    FakeMemory mem;
    CloneArgs thread{
        0x3d0f00, 0, 0x7fee67b3c990, 0x7fee67b3c990, 0, 0x7fee6733c000, 0x7fff80, 0x7fee67b3c6c0, 0,
        0,        0};
    mem.map_value(A, thread);
    mem.map_value(0x7fee67b3c990, i32{4614});
    EXPECT_EQ(trace(SYS_clone3, {A, 88, 0, 0, 0, 0}, 4614, mem),
              "clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|"
              "CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID, "
              "child_tid=0x7fee67b3c990, parent_tid=0x7fee67b3c990, exit_signal=0, "
              "stack=0x7fee6733c000, stack_size=0x7fff80, tls=0x7fee67b3c6c0} => "
              "{parent_tid=[4614]}, 88) = 4614");
    CloneArgs fork_like{};
    fork_like.exit_signal = 17;
    mem.map_value(B, fork_like);
    EXPECT_EQ(trace(SYS_clone3, {B, 88, 0, 0, 0, 0}, 5198, mem),
              "clone3({flags=0, exit_signal=SIGCHLD, stack=NULL, stack_size=0}, 88) = 5198");
    CloneArgs pidfd{};
    pidfd.flags = 0x1000 | 0x100000;
    pidfd.pidfd = C;
    pidfd.parent_tid = C + 4;
    pidfd.exit_signal = 17;
    mem.map_value(C, std::array<i32, 2>{3, 5200});
    mem.map_value(C + 0x100, pidfd);
    EXPECT_EQ(trace(SYS_clone3, {C + 0x100, 88, 0, 0, 0, 0}, 5200, mem),
              "clone3({flags=CLONE_PIDFD|CLONE_PARENT_SETTID, pidfd=0x30000, parent_tid=0x30004, "
              "exit_signal=SIGCHLD, stack=NULL, stack_size=0} => {pidfd=[3], parent_tid=[5200]}, "
              "88) = 5200");
    CloneArgs all{0xffffffffff, 0x10, 0x20, 0x30, 0x12345, 0x40, 0x50, 0x60, 0x70, 1, 5};
    mem.map_value(C + 0x200, all);
    EXPECT_EQ(trace(SYS_clone3, {C + 0x200, 88, 0, 0, 0, 0}, ERR_EINVAL, mem),
              "clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_PIDFD|CLONE_PTRACE|"
              "CLONE_VFORK|CLONE_PARENT|CLONE_THREAD|CLONE_NEWNS|CLONE_SYSVSEM|CLONE_SETTLS|"
              "CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID|CLONE_UNTRACED|CLONE_CHILD_SETTID|"
              "CLONE_NEWCGROUP|CLONE_NEWUTS|CLONE_NEWIPC|CLONE_NEWUSER|CLONE_NEWPID|CLONE_NEWNET|"
              "CLONE_IO|CLONE_NEWTIME|CLONE_CLEAR_SIGHAND|CLONE_INTO_CGROUP|0xfc0040007f, "
              "pidfd=0x10, child_tid=0x20, parent_tid=0x30, exit_signal=74565, stack=0x40, "
              "stack_size=0x50, tls=0x60, set_tid=0x70, set_tid_size=1, cgroup=5}, 88) = -1 EINVAL "
              "(Invalid argument)");
    EXPECT_EQ(trace(SYS_clone3, {B, 8, 0, 0, 0, 0}, ERR_EINVAL, mem),
              "clone3(0x20000, 8) = -1 EINVAL (Invalid argument)");
    EXPECT_EQ(trace(SYS_clone3, {1, 88, 0, 0, 0, 0}, ERR_EFAULT, mem),
              "clone3(0x1, 88) = -1 EFAULT (Bad address)");
}

// ---------------------------------------------------------------------------------------------
// Syscalls without a decoder

TEST(StraceUndecoded, UnknownNumberGetsSixHexArguments) {
    EXPECT_EQ(trace(0x1e0,
                    {0x20, 0, 0xffffffffffffff80, 0x7ffc4ae5c7a0, 0x7ffc4ae5c7a0, 0x7ffc4ae5c7a0},
                    ERR_ENOSYS),
              "syscall_0x1e0(0x20, 0, 0xffffffffffffff80, 0x7ffc4ae5c7a0, 0x7ffc4ae5c7a0, "
              "0x7ffc4ae5c7a0) = -1 ENOSYS (Function not implemented)");
    EXPECT_EQ(trace(335, {1, 2, 3, 4, 5, 6}, ERR_ENOSYS),
              "syscall_0x14f(0x1, 0x2, 0x3, 0x4, 0x5, 0x6) = -1 ENOSYS (Function not implemented)");
}

TEST(StraceUndecoded, KnownSyscallsGetTheirArityInHex) {
    EXPECT_EQ(trace(SYS_socket, {2, 1, 0, 9, 9, 9}, 3), "socket(0x2, 0x1, 0) = 3");
    EXPECT_EQ(trace(SYS_getpriority, {0, 0, 7, 7, 7, 7}, 20), "getpriority(0, 0) = 20");
    EXPECT_EQ(trace(SYS_wait4, {0x1205, 0, 0, 0, 7, 7}, 4613), "wait4(0x1205, 0, 0, 0) = 4613");
    EXPECT_EQ(trace(SYS_process_madvise, {1, 2, 3, 4, 5, 6}, ERR_EINVAL),
              "process_madvise(0x1, 0x2, 0x3, 0x4, 0x5) = -1 EINVAL (Invalid argument)");
    EXPECT_EQ(trace(SYS_sync, {1, 2, 3, 4, 5, 6}, 0), "sync() = 0");
    EXPECT_EQ(trace(SYS_umask, {022, 2, 3, 4, 5, 6}, 022), "umask(0x12) = 18");
    EXPECT_EQ(trace(SYS_epoll_pwait, {1, 2, 3, 4, 5, 6}, 0),
              "epoll_pwait(0x1, 0x2, 0x3, 0x4, 0x5, 0x6) = 0");
}

} // namespace
// Lines as strace 6.1 prints them for tests/programs/poll.c (select's and ppoll's arguments
// that the call overwrites show as addresses: see shim/strace.cpp).
TEST(StracePoll, PollPpollSelectPselect6) {
    FakeMemory mem;
    struct PollFd {
        int32_t fd;
        int16_t events, revents;
    };
    const std::array<PollFd, 3> set{{{5, 1, 0x20}, {-1, 1, 0}, {3, 1 | 4, 1}}};
    mem.map_value(A, set);
    EXPECT_EQ(trace(SYS_poll, {A, 3, u64(-1), 0, 0, 0}, 2, mem),
              "poll([{fd=5, events=POLLIN}, {fd=-1}, {fd=3, events=POLLIN|POLLOUT}], 3, -1) = 2 "
              "([{fd=5, revents=POLLNVAL}, {fd=3, revents=POLLIN}])");
    EXPECT_EQ(trace(SYS_poll, {A, 1, 0, 0, 0, 0}, 0, mem),
              "poll([{fd=5, events=POLLIN}], 1, 0) = 0 (Timeout)");
    EXPECT_EQ(trace(SYS_poll, {8, 1, 0, 0, 0, 0}, ERR_EFAULT, mem),
              "poll(0x8, 1, 0) = -1 EFAULT (Bad address)");
    EXPECT_EQ(trace(SYS_poll, {A, 1, u64(-1), 0, 0, 0}, -516, mem),
              "poll([{fd=5, events=POLLIN}], 1, -1) = ? ERESTART_RESTARTBLOCK (Interrupted by "
              "signal)");
    mem.map_value(B, std::array<i64, 2>{2, 999});
    mem.map_value(C, u64{1} << 9); // SIGUSR1
    EXPECT_EQ(trace(SYS_ppoll, {A + 16, 1, B, C, 8, 0}, 1, mem),
              "ppoll([{fd=3, events=POLLIN|POLLOUT}], 1, 0x20000, [USR1], 8) = 1 ([{fd=3, "
              "revents=POLLIN}], left {tv_sec=2, tv_nsec=999})");

    const u64 D = 0x50000, E = 0x60000;
    mem.map_value(D, u64{(1 << 3) | (1 << 7)}); // the result: in [3 7]
    EXPECT_EQ(trace(SYS_select, {8, D, 0, 0, 0, 0}, 2, mem),
              "select(8, 0x50000, NULL, NULL, NULL) = 2 (in [3 7])");
    EXPECT_EQ(trace(SYS_select, {8, D, 0, 0, 0, 0}, ERR_EBADF, mem),
              "select(8, [3 7], NULL, NULL, NULL) = -1 EBADF (Bad file descriptor)");
    mem.map_value(E, std::array<i64, 2>{4, 999998});
    EXPECT_EQ(trace(SYS_select, {8, D, 0, 0, E, 0}, 2, mem),
              "select(8, 0x50000, NULL, NULL, 0x60000) = 2 (in [3 7], left {tv_sec=4, "
              "tv_usec=999998})");
    EXPECT_EQ(trace(SYS_select, {8, D, 0, 0, E, 0}, 0, mem),
              "select(8, 0x50000, NULL, NULL, 0x60000) = 0 (Timeout)");
    const u64 F = 0x70000;
    mem.map_value(F, std::array<u64, 2>{C, 8});
    EXPECT_EQ(trace(SYS_pselect6, {4, D, 0, 0, 0, F}, -514, mem),
              "pselect6(4, [3], NULL, NULL, NULL, {sigmask=[USR1], sigsetsize=8}) = ? "
              "ERESTARTNOHAND (To be restarted if no handler)");
}

} // namespace jvmos::shim
