// The proxy's one error idiom for shipped calls: a POSIX failure is a value (`Errno`), carried
// by `Result<T>` until it becomes the `errno` field of a reply. Exceptions are for logistics
// (a broken connection, our own bugs), never for what a guest asked.
#pragma once

#include <kj/common.h>
#include <kj/debug.h>

namespace jvmos::proxy {

// A positive Linux errno value (ENOENT, EROFS...).
struct Errno {
    int value;
};

// Either a T or an Errno. [[nodiscard]]: a dropped failure is a bug.
template <typename T>
class [[nodiscard]] Result {
public:
    Result(T&& value) : m_value(kj::mv(value)) {}
    Result(Errno error) : m_errno(error.value) { KJ_ASSERT(error.value > 0, error.value); }

    bool ok() const { return m_errno == 0; }
    // The errno; 0 when ok().
    int error() const { return m_errno; }
    // The value; ok() must hold.
    T& value() & { return KJ_ASSERT_NONNULL(m_value); }
    T&& value() && { return kj::mv(KJ_ASSERT_NONNULL(m_value)); }

private:
    kj::Maybe<T> m_value;
    int m_errno = 0;
};

// Result<void>: success or an errno.
struct Ok {};
using Status = Result<Ok>;
inline Status ok_status() { return Ok{}; }

// The errno of the last failed system call as an Errno (errno is never 0 after a failure; an
// impossible 0 becomes EIO rather than a success).
Errno last_errno();

} // namespace jvmos::proxy

// Evaluates `expr` (a Result<T>); on failure returns its Errno from the enclosing function, else
// yields the value (GNU statement expression, as in the guest's TRY).
#define JVMOS_PROXY_TRY(expr)                                                                      \
    ({                                                                                             \
        auto jvmos_proxy_try_ = (expr);                                                            \
        if (!jvmos_proxy_try_.ok()) return ::jvmos::proxy::Errno{jvmos_proxy_try_.error()};        \
        kj::mv(jvmos_proxy_try_).value();                                                          \
    })
