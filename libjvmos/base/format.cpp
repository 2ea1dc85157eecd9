// printf-style formatting for the guest kernel (see format.h). The output rules follow C11
// 7.21.6.1 and, where C leaves a choice, glibc (so host tests can compare byte for byte).
#include "base/format.h"

#include "base/string.h"

#include <stddef.h>
#include <stdint.h>
#include <type_traits>

namespace jvmos {

namespace {

// Counts every character of the output and stores those that fit (keeping room for the NUL).
class Output {
public:
    Output(char* buf, usize size) : m_buf(buf), m_size(size) {}

    void put(char c) {
        if (m_size != 0 && m_len < m_size - 1) m_buf[m_len] = c;
        ++m_len;
    }
    // Emits n copies of c; costs O(room left), not O(n), so a huge width cannot spin.
    void put_repeated(char c, usize n) {
        usize room = this->room();
        usize stored = n < room ? n : room;
        if (stored != 0) memset(m_buf + m_len, c, stored);
        m_len += n;
    }
    void put_bytes(const char* s, usize n) {
        usize room = this->room();
        usize stored = n < room ? n : room;
        if (stored != 0) memcpy(m_buf + m_len, s, stored);
        m_len += n;
    }
    // NUL-terminates at the last stored position; returns the full output length.
    usize finish() {
        if (m_size != 0) m_buf[m_len < m_size - 1 ? m_len : m_size - 1] = '\0';
        return m_len;
    }

private:
    // Characters that can still be stored before the byte reserved for the NUL.
    usize room() const {
        if (m_size == 0 || m_len >= m_size - 1) return 0;
        return m_size - 1 - m_len;
    }

    char* m_buf;
    usize m_size;
    usize m_len = 0;
};

enum class Length { None, Char, Short, Long, LongLong, Size, Ptrdiff, Intmax };

struct Spec {
    bool left = false;  // '-'
    bool zero = false;  // '0'
    bool alt = false;   // '#'
    bool space = false; // ' '
    bool plus = false;  // '+'
    usize width = 0;
    // Negative: none given (a negative '*' precision also means none, per C).
    i64 precision = -1;
    Length length = Length::None;
};

// Widths and precisions above this are clamped: they only produce padding, which Output
// counts without storing, and the clamp keeps the arithmetic far from overflow.
constexpr usize MAX_FIELD = usize{1} << 40;

enum class Sign { Unsigned, Signed };

void emit_padded_field(Output& out, const Spec& spec, const char* prefix, usize prefix_len,
                       usize precision_zeros, const char* digits, usize digit_count) {
    usize body = prefix_len + precision_zeros + digit_count;
    usize pad = spec.width > body ? spec.width - body : 0;
    // C: the '0' flag is ignored with '-' and, for integers, when a precision is given.
    bool zero_pad = spec.zero && !spec.left && spec.precision < 0;
    if (!spec.left && !zero_pad) out.put_repeated(' ', pad);
    out.put_bytes(prefix, prefix_len);
    if (zero_pad) out.put_repeated('0', pad);
    out.put_repeated('0', precision_zeros);
    out.put_bytes(digits, digit_count);
    if (spec.left) out.put_repeated(' ', pad);
}

void emit_integer(Output& out, const Spec& spec, char conversion, u64 magnitude, bool negative) {
    unsigned base = 10;
    if (conversion == 'x' || conversion == 'X' || conversion == 'p') base = 16;
    if (conversion == 'o') base = 8;
    const char* alphabet = conversion == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";

    // 22 octal digits hold 64 bits.
    char scratch[24];
    usize count = 0;
    // "%.0d" of 0 prints no digits at all.
    if (!(magnitude == 0 && spec.precision == 0)) {
        u64 v = magnitude;
        do {
            scratch[sizeof(scratch) - 1 - count] = alphabet[v % base];
            v /= base;
            ++count;
        } while (v != 0);
    }
    const char* digits = scratch + sizeof(scratch) - count;

    usize zeros = 0;
    if (spec.precision > 0 && static_cast<u64>(spec.precision) > count)
        zeros = static_cast<usize>(spec.precision) - count;
    // "%#o" guarantees a leading zero digit.
    if (conversion == 'o' && spec.alt && zeros == 0 && (count == 0 || digits[0] != '0'))
        zeros = 1;

    char prefix[2];
    usize prefix_len = 0;
    if (conversion == 'd' || conversion == 'i') {
        if (negative) prefix[prefix_len++] = '-';
        else if (spec.plus) prefix[prefix_len++] = '+';
        else if (spec.space) prefix[prefix_len++] = ' ';
    } else if (conversion == 'p' || ((conversion == 'x' || conversion == 'X') && spec.alt &&
                                     magnitude != 0)) {
        prefix[prefix_len++] = '0';
        prefix[prefix_len++] = conversion == 'X' ? 'X' : 'x';
    }
    emit_padded_field(out, spec, prefix, prefix_len, zeros, digits, count);
}

// Strings and characters: space padding only ('0' is undefined for them in C).
void emit_text(Output& out, const Spec& spec, const char* s, usize n) {
    usize pad = spec.width > n ? spec.width - n : 0;
    if (!spec.left) out.put_repeated(' ', pad);
    out.put_bytes(s, n);
    if (spec.left) out.put_repeated(' ', pad);
}

i64 fetch_signed(Length length, va_list* ap) {
    switch (length) {
    case Length::Char: return static_cast<signed char>(va_arg(*ap, int));
    case Length::Short: return static_cast<short>(va_arg(*ap, int));
    case Length::None: return va_arg(*ap, int);
    case Length::Long: return va_arg(*ap, long);
    case Length::LongLong: return va_arg(*ap, long long);
    case Length::Size: return va_arg(*ap, std::make_signed_t<size_t>);
    case Length::Ptrdiff: return va_arg(*ap, ptrdiff_t);
    case Length::Intmax: return va_arg(*ap, intmax_t);
    }
    return 0;
}

u64 fetch_unsigned(Length length, va_list* ap) {
    switch (length) {
    case Length::Char: return static_cast<unsigned char>(va_arg(*ap, unsigned));
    case Length::Short: return static_cast<unsigned short>(va_arg(*ap, unsigned));
    case Length::None: return va_arg(*ap, unsigned);
    case Length::Long: return va_arg(*ap, unsigned long);
    case Length::LongLong: return va_arg(*ap, unsigned long long);
    case Length::Size: return va_arg(*ap, size_t);
    case Length::Ptrdiff: return va_arg(*ap, std::make_unsigned_t<ptrdiff_t>);
    case Length::Intmax: return va_arg(*ap, uintmax_t);
    }
    return 0;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Parses a decimal field at *p (advancing it), clamped to MAX_FIELD.
usize parse_decimal(const char*& p) {
    usize v = 0;
    while (is_digit(*p)) {
        if (v < MAX_FIELD) v = v * 10 + static_cast<usize>(*p - '0');
        ++p;
    }
    return v < MAX_FIELD ? v : MAX_FIELD;
}

// Parses one conversion starting just after '%' and emits it. Returns the position after it.
const char* format_one(Output& out, const char* start, va_list* ap) {
    const char* p = start;
    Spec spec;
    for (;; ++p) {
        if (*p == '-') spec.left = true;
        else if (*p == '0') spec.zero = true;
        else if (*p == '#') spec.alt = true;
        else if (*p == ' ') spec.space = true;
        else if (*p == '+') spec.plus = true;
        else break;
    }

    if (*p == '*') {
        ++p;
        int w = va_arg(*ap, int);
        // A negative '*' width is a '-' flag plus that width.
        if (w < 0) {
            spec.left = true;
            spec.width = static_cast<usize>(-static_cast<i64>(w));
        } else {
            spec.width = static_cast<usize>(w);
        }
    } else {
        spec.width = parse_decimal(p);
    }

    if (*p == '.') {
        ++p;
        if (*p == '*') {
            ++p;
            int prec = va_arg(*ap, int);
            spec.precision = prec < 0 ? -1 : prec;
        } else {
            // "%.d" means precision 0.
            spec.precision = static_cast<i64>(parse_decimal(p));
        }
    }

    if (*p == 'h') {
        ++p;
        spec.length = Length::Short;
        if (*p == 'h') {
            ++p;
            spec.length = Length::Char;
        }
    } else if (*p == 'l') {
        ++p;
        spec.length = Length::Long;
        if (*p == 'l') {
            ++p;
            spec.length = Length::LongLong;
        }
    } else if (*p == 'z') {
        ++p;
        spec.length = Length::Size;
    } else if (*p == 't') {
        ++p;
        spec.length = Length::Ptrdiff;
    } else if (*p == 'j') {
        ++p;
        spec.length = Length::Intmax;
    }

    char conversion = *p;
    switch (conversion) {
    case 'd':
    case 'i': {
        i64 v = fetch_signed(spec.length, ap);
        // 0 - (u64)v is the magnitude even for INT64_MIN.
        u64 magnitude = v < 0 ? 0 - static_cast<u64>(v) : static_cast<u64>(v);
        emit_integer(out, spec, conversion, magnitude, v < 0);
        return p + 1;
    }
    case 'u':
    case 'x':
    case 'X':
    case 'o':
        emit_integer(out, spec, conversion, fetch_unsigned(spec.length, ap), false);
        return p + 1;
    case 'p': {
        const void* ptr = va_arg(*ap, const void*);
        if (ptr == nullptr) {
            emit_text(out, spec, "(nil)", 5);
        } else {
            emit_integer(out, spec, 'p', reinterpret_cast<uptr>(ptr), false);
        }
        return p + 1;
    }
    case 'c': {
        char c = static_cast<char>(va_arg(*ap, int));
        emit_text(out, spec, &c, 1);
        return p + 1;
    }
    case 's': {
        const char* s = va_arg(*ap, const char*);
        if (s == nullptr) {
            // glibc prints "(null)" only when the precision leaves room for all of it.
            if (spec.precision >= 0 && spec.precision < 6) s = "";
            else s = "(null)";
        }
        // Never read past the precision: the string need not be terminated within it.
        usize n = spec.precision >= 0 ? strnlen(s, static_cast<usize>(spec.precision)) : strlen(s);
        emit_text(out, spec, s, n);
        return p + 1;
    }
    case '%':
        out.put('%');
        return p + 1;
    case '\0':
        // Incomplete conversion at the end of the format: copy it as written.
        out.put('%');
        out.put_bytes(start, static_cast<usize>(p - start));
        return p;
    default:
        // Unknown conversion (including %n, which the kernel never honours): copy it.
        out.put('%');
        out.put_bytes(start, static_cast<usize>(p + 1 - start));
        return p + 1;
    }
}

} // namespace

usize vformat(char* buf, usize size, const char* fmt, va_list ap) {
    Output out(buf, size);
    va_list args;
    va_copy(args, ap);
    const char* p = fmt;
    while (*p != '\0') {
        // Copy the literal run up to the next '%' in one go.
        const char* run = p;
        while (*p != '\0' && *p != '%') ++p;
        out.put_bytes(run, static_cast<usize>(p - run));
        if (*p == '%') p = format_one(out, p + 1, &args);
    }
    va_end(args);
    return out.finish();
}

usize format(char* buf, usize size, const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    usize n = vformat(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

StringBuilder::StringBuilder(char* buf, usize cap) : m_buf(buf), m_cap(cap) {
    if (m_cap != 0) m_buf[0] = '\0';
}

void StringBuilder::append(const char* s) {
    if (s == nullptr) s = "(null)";
    append(s, strlen(s));
}

void StringBuilder::append(const char* s, usize n) {
    if (n == 0) return;
    usize room = m_cap == 0 ? 0 : m_cap - 1 - m_len;
    usize stored = n < room ? n : room;
    if (stored != 0) memcpy(m_buf + m_len, s, stored);
    m_len += stored;
    if (m_cap != 0) m_buf[m_len] = '\0';
    if (stored < n) m_truncated = true;
}

void StringBuilder::append_char(char c) { append(&c, 1); }

void StringBuilder::appendf(const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vappendf(fmt, ap);
    va_end(ap);
}

void StringBuilder::vappendf(const char* fmt, va_list ap) {
    if (m_cap == 0) {
        if (vformat(nullptr, 0, fmt, ap) != 0) m_truncated = true;
        return;
    }
    // vformat NUL-terminates within the free space and reports the untruncated length.
    usize space = m_cap - m_len;
    usize n = vformat(m_buf + m_len, space, fmt, ap);
    if (n >= space) {
        m_truncated = true;
        m_len = m_cap - 1;
    } else {
        m_len += n;
    }
}

} // namespace jvmos
