// base/format: the kernel's printf, checked byte for byte (text and return value) against the
// host's snprintf over generated combinations of flags, widths, precisions, length modifiers and
// edge values, plus truncation at every buffer size and the StringBuilder.
#include "base/format.h"

#include <gtest/gtest.h>

#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

// The formats below are built at run time on purpose (to cover every combination); the
// compile-time format checks cannot see them.
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
#pragma GCC diagnostic ignored "-Wformat-security"

using jvmos::usize;

namespace {

int g_cases = 0;

// Formats with both implementations into roomy buffers and compares text and length.
template <typename... Args>
void expect_like_snprintf(const std::string& fmt, Args... args) {
    char want[512];
    char got[512];
    memset(got, 'Z', sizeof(got));
    int want_len = snprintf(want, sizeof(want), fmt.c_str(), args...);
    ASSERT_GE(want_len, 0) << fmt;
    usize got_len = jvmos::format(got, sizeof(got), fmt.c_str(), args...);
    EXPECT_EQ(static_cast<usize>(want_len), got_len) << "format \"" << fmt << "\"";
    EXPECT_STREQ(want, got) << "format \"" << fmt << "\"";
    ++g_cases;
}

const char* const INT_FLAGS[] = {"", "-", "0", "#", " ", "+", "-0", "+ ", "#0", "-#", "+0", " 0",
                                 "-+"};
const char* const WIDTHS[] = {"", "1", "3", "12", "25"};
const char* const PRECISIONS[] = {"", ".", ".0", ".1", ".5", ".22"};

std::string spec(const char* flags, const char* width, const char* precision, const char* length,
                 char conversion) {
    return std::string("[%") + flags + width + precision + length + conversion + "]";
}

template <typename T>
void check_integer_conversions(const char* length, const std::vector<T>& values,
                               const char* conversions) {
    for (const char* flags : INT_FLAGS)
        for (const char* width : WIDTHS)
            for (const char* precision : PRECISIONS)
                for (const char* c = conversions; *c; ++c)
                    for (T v : values)
                        expect_like_snprintf(spec(flags, width, precision, length, *c), v);
}

TEST(Format, SignedConversionsMatchSnprintf) {
    check_integer_conversions<int>("", {0, 1, -1, 7, 42, -42, 255, 1000000, INT_MAX, INT_MIN},
                                   "di");
    check_integer_conversions<int>("hh", {0, 5, -5, 127, -128, 200, 255, 256 + 7}, "d");
    check_integer_conversions<int>("h", {0, 5, -5, 32767, -32768, 65535, 70000}, "d");
    check_integer_conversions<long>("l", {0L, -1L, LONG_MAX, LONG_MIN, 123456789012L}, "di");
    check_integer_conversions<long long>("ll", {0LL, -1LL, LLONG_MAX, LLONG_MIN, -9876543210LL},
                                         "d");
    check_integer_conversions<ptrdiff_t>("t", {0, -77, PTRDIFF_MAX, PTRDIFF_MIN}, "d");
    check_integer_conversions<intmax_t>("j", {0, INTMAX_MAX, INTMAX_MIN, -3}, "d");
    check_integer_conversions<ssize_t>("z", {0, 12, -12, SSIZE_MAX}, "d");
    EXPECT_GT(g_cases, 1000);
}

TEST(Format, UnsignedConversionsMatchSnprintf) {
    check_integer_conversions<unsigned>("", {0u, 1u, 8u, 10u, 255u, 0xdeadbeefu, UINT_MAX}, "uxXo");
    check_integer_conversions<unsigned>("hh", {0u, 255u, 256u + 9u, 0x7fu}, "uxo");
    check_integer_conversions<unsigned>("h", {0u, 0xffffu, 0x12345u}, "uxXo");
    check_integer_conversions<unsigned long>("l", {0ul, ULONG_MAX, 0x1234567890abcdeful, 8ul},
                                             "uxXo");
    check_integer_conversions<unsigned long long>("ll", {0ull, ULLONG_MAX, 1ull << 63}, "uxo");
    check_integer_conversions<size_t>("z", {0, SIZE_MAX, 4096}, "uxX");
    check_integer_conversions<uintmax_t>("j", {0, UINTMAX_MAX, 0777}, "uo");
}

TEST(Format, EdgeValues) {
    expect_like_snprintf("%lld %lld", static_cast<long long>(INT64_MIN),
                         static_cast<long long>(INT64_MAX));
    expect_like_snprintf("%llu %llx %llo", static_cast<unsigned long long>(UINT64_MAX),
                         static_cast<unsigned long long>(UINT64_MAX),
                         static_cast<unsigned long long>(UINT64_MAX));
    expect_like_snprintf("%#llo|%#llX", static_cast<unsigned long long>(UINT64_MAX),
                         static_cast<unsigned long long>(UINT64_MAX));
    expect_like_snprintf("%+.0d|% .0d|%#.0x|%#.0o|%.0u", 0, 0, 0u, 0u, 0u);
    expect_like_snprintf("%#5.3o|%#-8x|%#08X|%-+6d|%0+6d", 8u, 255u, 255u, 3, -3);
    // Exact strings (not just "same as glibc") for the cases the kernel relies on most.
    char buf[64];
    EXPECT_EQ(20u, jvmos::format(buf, sizeof(buf), "%lld", static_cast<long long>(INT64_MIN)));
    EXPECT_STREQ("-9223372036854775808", buf);
    EXPECT_EQ(18u, jvmos::format(buf, sizeof(buf), "%#llx", 0xffffffffffffffffull));
    EXPECT_STREQ("0xffffffffffffffff", buf);
    EXPECT_EQ(10u, jvmos::format(buf, sizeof(buf), "%08x|%c", 0xbeefu, 'q'));
    EXPECT_STREQ("0000beef|q", buf);
}

TEST(Format, StarWidthAndPrecision) {
    for (int width : {-12, -1, 0, 1, 4, 17}) {
        for (int precision : {-5, -1, 0, 2, 9}) {
            expect_like_snprintf("[%*d]", width, -42);
            expect_like_snprintf("[%*.*d]", width, precision, 1234);
            expect_like_snprintf("[%-*.*x]", width, precision, 0xabcu);
            expect_like_snprintf("[%0*.*u]", width, precision, 77u);
            expect_like_snprintf("[%.*s]", precision, "hello world");
            expect_like_snprintf("[%*.*s]", width, precision, "abc");
            expect_like_snprintf("[%*c]", width, 'x');
        }
    }
}

TEST(Format, StringsCharsAndPercent) {
    const char* strings[] = {"", "a", "hello", "a somewhat longer string with spaces"};
    const char* flags[] = {"", "-"};
    const char* widths[] = {"", "1", "6", "40"};
    const char* precisions[] = {"", ".", ".0", ".3", ".100"};
    for (const char* s : strings)
        for (const char* f : flags)
            for (const char* w : widths)
                for (const char* p : precisions) expect_like_snprintf(spec(f, w, p, "", 's'), s);
    for (char c : {'a', ' ', '~', '%'})
        for (const char* f : flags)
            for (const char* w : widths) expect_like_snprintf(spec(f, w, "", "", 'c'), c);
    expect_like_snprintf("100%% done %s%%", "now");
    expect_like_snprintf("no conversions at all");
    expect_like_snprintf("");
}

TEST(Format, PrecisionBoundsTheBytesRead) {
    // Not NUL-terminated: "%.3s" must stop after 3 bytes.
    const char raw[3] = {'x', 'y', 'z'};
    char buf[16];
    EXPECT_EQ(5u, jvmos::format(buf, sizeof(buf), "<%.3s>", raw));
    EXPECT_STREQ("<xyz>", buf);
}

TEST(Format, NullStringAndPointers) {
    char buf[64];
    const char* volatile null_string = nullptr;
    EXPECT_EQ(8u, jvmos::format(buf, sizeof(buf), "[%s]", null_string));
    EXPECT_STREQ("[(null)]", buf);
    expect_like_snprintf("[%s|%10s|%-8s|%.6s|%.2s]", static_cast<const char*>(null_string),
                         static_cast<const char*>(null_string),
                         static_cast<const char*>(null_string),
                         static_cast<const char*>(null_string),
                         static_cast<const char*>(null_string));

    void* volatile null_pointer = nullptr;
    EXPECT_EQ(5u, jvmos::format(buf, sizeof(buf), "%p", static_cast<void*>(null_pointer)));
    EXPECT_STREQ("(nil)", buf);
    EXPECT_EQ(6u, jvmos::format(buf, sizeof(buf), "%p", reinterpret_cast<void*>(0x1234)));
    EXPECT_STREQ("0x1234", buf);

    void* pointers[] = {nullptr, reinterpret_cast<void*>(1), reinterpret_cast<void*>(0x1234),
                        reinterpret_cast<void*>(0x7fffdeadbeefULL),
                        reinterpret_cast<void*>(UINTPTR_MAX), buf};
    for (void* ptr : pointers)
        for (const char* f : {"", "-"})
            for (const char* w : {"", "3", "20"})
                expect_like_snprintf(spec(f, w, "", "", 'p'), ptr);
}

TEST(Format, TruncatesAtEveryBufferSize) {
    const char* formats[] = {"hello, %s! %d%%", "%-10s|%08x", "%lld", "%s"};
    for (const char* fmt : formats) {
        std::string arg = "world";
        long long value = INT64_MIN;
        for (usize size = 0; size < 40; ++size) {
            char want[48];
            char got[48];
            memset(want, 'Q', sizeof(want));
            memset(got, 'Q', sizeof(got));
            int want_len;
            usize got_len;
            if (strcmp(fmt, "hello, %s! %d%%") == 0) {
                want_len = snprintf(want, size, fmt, arg.c_str(), -17);
                got_len = jvmos::format(got, size, fmt, arg.c_str(), -17);
            } else if (strcmp(fmt, "%-10s|%08x") == 0) {
                want_len = snprintf(want, size, fmt, "ab", 0x1234u);
                got_len = jvmos::format(got, size, fmt, "ab", 0x1234u);
            } else if (strcmp(fmt, "%lld") == 0) {
                want_len = snprintf(want, size, fmt, value);
                got_len = jvmos::format(got, size, fmt, value);
            } else {
                want_len = snprintf(want, size, fmt, "0123456789abcdefghij");
                got_len = jvmos::format(got, size, fmt, "0123456789abcdefghij");
            }
            EXPECT_EQ(static_cast<usize>(want_len), got_len) << fmt << " size " << size;
            // Whole buffers compared: same stored prefix, same NUL, and nothing written past
            // `size` (the 'Q' fill must survive).
            EXPECT_EQ(0, memcmp(want, got, sizeof(want))) << fmt << " size " << size;
            if (size > 0) {
                EXPECT_EQ(std::min<usize>(got_len, size - 1), strlen(got));
            } else {
                EXPECT_EQ('Q', got[0]);
            }
        }
    }
}

TEST(Format, NullBufferWithZeroSizeOnlyMeasures) {
    EXPECT_EQ(11u, jvmos::format(nullptr, 0, "%d-%s", 12345, "abcde"));
}

TEST(Format, HugeWidthIsCountedNotWritten) {
    char buf[8];
    memset(buf, 'Q', sizeof(buf));
    EXPECT_EQ(100000000u, jvmos::format(buf, 4, "%100000000d", 7));
    EXPECT_STREQ("   ", buf);
    EXPECT_EQ('Q', buf[4]);
}

TEST(Format, UnknownConversionIsCopied) {
    char buf[32];
    // %n is never honoured by the kernel's formatter.
    const char* fmt = "a%nb%-3yc%";
    EXPECT_EQ(10u, jvmos::format(buf, sizeof(buf), fmt));
    EXPECT_STREQ("a%nb%-3yc%", buf);
}

TEST(Format, VformatTakesAVaList) {
    auto call = [](char* buf, usize size, const char* fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        usize n = jvmos::vformat(buf, size, fmt, ap);
        va_end(ap);
        return n;
    };
    char buf[32];
    EXPECT_EQ(10u, call(buf, sizeof(buf), "%s=%#x", "value", 0x2au));
    EXPECT_STREQ("value=0x2a", buf);
}

TEST(StringBuilder, AppendsAndFormats) {
    char buf[64];
    jvmos::StringBuilder sb(buf, sizeof(buf));
    EXPECT_STREQ("", sb.c_str());
    EXPECT_EQ(0u, sb.length());
    sb.append("pid ");
    sb.appendf("%d", 42);
    sb.append_char(':');
    sb.append(" xyzzy", 3);
    sb.appendf(" [%5s|%-3x]", "ok", 10u);
    EXPECT_STREQ("pid 42: xy [   ok|a  ]", sb.c_str());
    EXPECT_EQ(strlen("pid 42: xy [   ok|a  ]"), sb.length());
    EXPECT_FALSE(sb.truncated());
    EXPECT_EQ(buf, sb.c_str());
}

TEST(StringBuilder, TruncatesAndStaysTerminated) {
    char buf[8];
    memset(buf, 'Q', sizeof(buf));
    jvmos::StringBuilder sb(buf, 6);
    sb.append("abc");
    EXPECT_FALSE(sb.truncated());
    sb.append("defg");
    EXPECT_TRUE(sb.truncated());
    EXPECT_STREQ("abcde", sb.c_str());
    EXPECT_EQ(5u, sb.length());
    sb.append_char('x');
    sb.appendf("%d", 1);
    EXPECT_STREQ("abcde", sb.c_str());
    EXPECT_EQ('Q', buf[6]);
}

TEST(StringBuilder, AppendfTruncation) {
    char buf[10];
    jvmos::StringBuilder sb(buf, sizeof(buf));
    sb.appendf("%s", "12345");
    EXPECT_FALSE(sb.truncated());
    // Exactly fills the 9 usable bytes: not truncated.
    sb.appendf("%04d", 6789);
    EXPECT_FALSE(sb.truncated());
    EXPECT_STREQ("123456789", sb.c_str());
    sb.appendf("%s", "");
    EXPECT_FALSE(sb.truncated());
    sb.appendf("%c", 'z');
    EXPECT_TRUE(sb.truncated());
    EXPECT_STREQ("123456789", sb.c_str());
    EXPECT_EQ(9u, sb.length());

    char small[6];
    jvmos::StringBuilder sb2(small, sizeof(small));
    sb2.appendf("%d-%d", 1234, 5678);
    EXPECT_TRUE(sb2.truncated());
    EXPECT_STREQ("1234-", sb2.c_str());
    EXPECT_EQ(5u, sb2.length());
}

TEST(StringBuilder, ZeroCapacity) {
    jvmos::StringBuilder sb(nullptr, 0);
    EXPECT_STREQ("", sb.c_str());
    sb.appendf("%s", "");
    sb.append("");
    EXPECT_FALSE(sb.truncated());
    sb.append("x");
    EXPECT_TRUE(sb.truncated());
    EXPECT_EQ(0u, sb.length());
}

TEST(StringBuilder, NullStringAppendsMarker) {
    char buf[16];
    jvmos::StringBuilder sb(buf, sizeof(buf));
    const char* volatile none = nullptr;
    sb.append(static_cast<const char*>(none));
    EXPECT_STREQ("(null)", sb.c_str());
}

} // namespace
