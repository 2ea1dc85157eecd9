// The kernel's printf: snprintf-compatible formatting into caller-provided buffers, and a small
// string builder on top of it. Freestanding (no allocation, no floating point); the host unit
// tests compare every supported conversion against glibc's snprintf.
#pragma once

#include "base/types.h"

#include <stdarg.h>

namespace jvmos {

// Formats like snprintf into buf[0..size): writes at most size - 1 characters and always
// NUL-terminates when size > 0 (buf may be nullptr when size == 0). Returns the length the full
// output has, so `ret >= size` means it was truncated.
// Supported: %d %i %u %x %X %o %c %s %p %%; flags '-' '0' '#' ' ' '+'; width and precision
// (also '*'); length modifiers hh h l ll z t j. %s of nullptr prints "(null)" (nothing when the
// precision is below 6, as glibc does); %p prints "0x..." and "(nil)" for nullptr. %n is not
// supported; an unknown or incomplete conversion is copied to the output as written.
usize format(char* buf, usize size, const char* fmt, ...) __attribute__((format(printf, 3, 4)));

// format() with a va_list; `ap` is consumed as vsnprintf would.
usize vformat(char* buf, usize size, const char* fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

// Appends text to a caller-provided buffer of `cap` bytes. The content is always NUL-terminated
// and holds as much as fits; once anything did not fit, truncated() stays true.
class StringBuilder {
public:
    // `buf` must stay valid for the builder's lifetime; cap == 0 is allowed (everything
    // truncates, c_str() is "").
    StringBuilder(char* buf, usize cap);

    // Appends a NUL-terminated string (nullptr appends "(null)").
    void append(const char* s);
    // Appends exactly n bytes of s (which need not be NUL-terminated).
    void append(const char* s, usize n);
    // Appends formatted text (format() conversions).
    void appendf(const char* fmt, ...) __attribute__((format(printf, 2, 3)));
    // appendf() with a va_list.
    void vappendf(const char* fmt, va_list ap) __attribute__((format(printf, 2, 0)));
    // Appends one character.
    void append_char(char c);

    // The text so far, NUL-terminated.
    const char* c_str() const { return m_cap == 0 ? "" : m_buf; }
    // Bytes in c_str() (excluding the NUL).
    usize length() const { return m_len; }
    // True once some appended text did not fit.
    bool truncated() const { return m_truncated; }

private:
    char* m_buf;
    usize m_cap;
    usize m_len = 0;
    bool m_truncated = false;
};

} // namespace jvmos
