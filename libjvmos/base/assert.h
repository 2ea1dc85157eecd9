// Assertions are for our own bugs only: application input never reaches an assert, it gets an
// errno. A failed assertion in the guest is a kernel panic with the expression and values; in
// host unit-test builds it aborts.
#pragma once

#include "base/types.h"

namespace jvmos {
[[noreturn]] void assertion_failed(const char* expr, const char* file, int line, u64 a, u64 b);
}

#define JVMOS_ASSERT(cond)                                                                         \
    do {                                                                                           \
        if (__builtin_expect(!(cond), 0))                                                          \
            ::jvmos::assertion_failed(#cond, __FILE__, __LINE__, 0, 0);                            \
    } while (0)

// Asserts a == b and prints both values on failure.
#define JVMOS_ASSERT_EQ(a, b)                                                                      \
    do {                                                                                           \
        auto _va = (a);                                                                            \
        auto _vb = (b);                                                                            \
        if (__builtin_expect(!(_va == _vb), 0))                                                    \
            ::jvmos::assertion_failed(#a " == " #b, __FILE__, __LINE__, (::jvmos::u64)_va,         \
                                      (::jvmos::u64)_vb);                                          \
    } while (0)
